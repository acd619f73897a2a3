package storage

import "testing"

func TestSettings(t *testing.T) {
	s := mustOpen(t)
	if v, err := s.Setting("topics"); err != nil || v != "" {
		t.Fatalf("unset: %q %v", v, err)
	}
	if err := s.PutSetting("topics", "abc"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Setting("topics"); v != "abc" {
		t.Errorf("got %q", v)
	}
}
