package storage

import (
	"testing"
	"time"
)

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

// TestLaterCopyDatedFirstSeen: a second source's copy of an item, carried
// later than the item was first seen (an undated entry is dated when
// fetched), is dated no later than the item's first sighting.
func TestLaterCopyDatedFirstSeen(t *testing.T) {
	s := mustOpen(t)
	first := item("a", "https://x.example/1", "Story", t0.Add(-time.Hour))
	first.FirstSeen = t0
	s.save("one", first)
	late := item("b", "https://x.example/1", "Story", t0.Add(3*time.Hour))
	late.FirstSeen = t0.Add(3 * time.Hour)
	s.save("two", late)
	it := s.byKey("two", "b")
	if it.Published.After(it.FirstSeen) {
		t.Errorf("copy published %v after the item was first seen %v", it.Published, it.FirstSeen)
	}
}
