package storage

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestPruneRetention(t *testing.T) {
	s := mustOpen(t)
	day := 24 * time.Hour
	s.save("a",
		withTopics(item("a-old", "https://example.com/1", "A old", t0.Add(-10*day)), "x"),
		item("a-new", "https://example.com/2", "A new", t0.Add(-time.Hour)),
		item("a-shared", "https://example.com/3", "A shared", t0.Add(-9*day)),
	)
	s.save("b",
		item("b-shared", "https://example.com/3", "B shared", t0.Add(-2*day)),
		withTopics(item("b-old", "", "B old", t0.Add(-8*day)), "x"),
	)
	n, err := s.Prune(7*day, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("Prune deleted %d items, want 2 (a-old, b-old)", n)
	}
	eq(t, "all", keys(s.latest(AllIndex())), []string{"a-new", "b-shared"})
	shared := s.byKey("b", "b-shared")
	if shared.Title != "B shared" || shared.Summary != "<p>B shared</p>" || len(shared.Copies) != 1 {
		t.Errorf("shared item after pruning a's old copy: %q %q %v; want b's copy promoted", shared.Title, shared.Summary, copySources(shared))
	}
	if _, ok, _ := s.ItemByKey("a", "a-shared"); ok {
		t.Errorf("a's pruned copy still found by key")
	}
	if n := s.count(SourceIndex("a")); n != 1 {
		t.Errorf("CountSource(a) = %d, want 1", n)
	}
	if n := s.count(TopicIndex("x")); n != 0 {
		t.Errorf("topic x holds %d, want 0", n)
	}
	// A pruned link and key are free again.
	if res := s.save("c", item("c1", "https://example.com/1", "again", t0)); res.New != 1 {
		t.Errorf("link of a pruned item: %+v, want new", res)
	}
	// Retention 0 keeps everything.
	if n, err := s.Prune(0, 0); err != nil || n != 0 {
		t.Errorf("Prune(0, 0) = %d, %v", n, err)
	}
}

func TestPruneRetentionManyBatches(t *testing.T) {
	s := mustOpen(t)
	const n = 1234
	for i := 0; i < n; i += 200 {
		s.save("a", feed(fmt.Sprintf("k%d-", i), min(200, n-i), t0.Add(-time.Duration(i)*time.Minute))...)
	}
	keep := s.latest(AllIndex())[:100]
	deleted, err := s.Prune(time.Duration(99)*time.Minute+30*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if deleted != n-100 {
		t.Errorf("deleted %d, want %d", deleted, n-100)
	}
	eq(t, "kept", ids(s.latest(AllIndex())), ids(keep))
	if c := s.count(SourceIndex("a")); c != 100 {
		t.Errorf("CountSource = %d", c)
	}
}

func TestPruneCap(t *testing.T) {
	tests := []struct {
		name        string
		cap         int
		wantDeleted int
		wantA       []string // a's index after pruning
		wantB       []string
	}{
		{"no cap", 0, 0, []string{"a4", "a3", "a2", "a1", "a0"}, []string{"b1", "b0"}},
		{"cap above size", 10, 0, []string{"a4", "a3", "a2", "a1", "a0"}, []string{"b1", "b0"}},
		// a0 is shared with b (b0): pruning a keeps the item for b.
		{"cap 2", 2, 2, []string{"a4", "a3"}, []string{"b1", "b0"}},
		{"cap 1", 1, 4, []string{"a4"}, []string{"b1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t)
			for i := range 5 {
				link := fmt.Sprintf("https://example.com/a%d", i)
				s.save("a", item(fmt.Sprintf("a%d", i), link, "A", t0.Add(time.Duration(i-10)*time.Hour)))
			}
			s.save("b", item("b0", "https://example.com/a0", "B0", t0.Add(-11*time.Hour)), item("b1", "", "B1", t0))
			n, err := s.Prune(0, tt.cap)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.wantDeleted {
				t.Errorf("deleted %d, want %d", n, tt.wantDeleted)
			}
			var gotA, gotB []string
			for _, it := range s.latest(SourceIndex("a")) {
				gotA = append(gotA, it.Key)
			}
			for _, it := range s.latest(SourceIndex("b")) {
				gotB = append(gotB, it.Key)
			}
			eq(t, "a", gotA, tt.wantA)
			eq(t, "b", gotB, tt.wantB)
			if c := s.count(SourceIndex("a")); c != len(tt.wantA) {
				t.Errorf("CountSource(a) = %d", c)
			}
			if slices.Contains(tt.wantB, "b0") {
				if it := s.byKey("b", "b0"); it.Source != "b" || len(it.Copies) != 1+boolInt(len(tt.wantA) == 5) {
					t.Errorf("shared item: shown %s, copies %v", it.Source, copySources(it))
				}
			} else if _, ok, _ := s.ItemByKey("b", "b0"); ok {
				t.Errorf("b0 still stored")
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestPruneCapManyBatches(t *testing.T) {
	s := mustOpen(t)
	for i := 0; i < 1300; i += 325 {
		s.save("a", feed(fmt.Sprintf("k%d-", i), 325, t0.Add(-time.Duration(i)*time.Minute))...)
	}
	s.save("b", feed("b", 3, t0)...)
	want := s.latest(SourceIndex("a"))[:150]
	n, err := s.Prune(0, 150)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1150 {
		t.Errorf("deleted %d, want 1150", n)
	}
	eq(t, "kept", ids(s.latest(SourceIndex("a"))), ids(want))
	if c := s.count(SourceIndex("b")); c != 3 {
		t.Errorf("b lost items: %d", c)
	}
}
