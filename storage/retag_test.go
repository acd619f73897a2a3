package storage

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

func TestRetag(t *testing.T) {
	s := mustOpen(t)
	const n = 600 // three batches
	var items []news.Item
	for i := range n {
		k := fmt.Sprintf("k%03d", i)
		title := "quiet"
		if i%3 == 0 {
			title = "iran"
		}
		items = append(items, withTopics(item(k, "https://example.com/"+k, title+" "+k, t0.Add(-time.Duration(i)*time.Minute)), "old"))
	}
	s.save("a", items...)
	// A shared item: its copies are tagged separately, the item gets the union.
	s.save("b", item("shared", "https://example.com/k001", "iran from b", t0.Add(-time.Hour)))

	var calls int
	var progress [][2]int
	changed, err := s.Retag(func(it *news.Item) []string {
		calls++
		match := strings.HasPrefix(it.Title, "iran")
		it.Title = "fn must not be able to change this"
		if match {
			return []string{"iran", "iran", ""}
		}
		return nil
	}, func(done, total int) { progress = append(progress, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if changed != n {
		t.Errorf("changed %d, want %d (every item lost topic old)", changed, n)
	}
	if calls != n+1 {
		t.Errorf("fn called %d times, want once per copy (%d)", calls, n+1)
	}
	if !slices.Equal(progress, [][2]int{{256, n}, {512, n}, {n, n}}) {
		t.Errorf("progress %v", progress)
	}
	if c := s.count(TopicIndex("old")); c != 0 {
		t.Errorf("topic old still holds %d", c)
	}
	wantIran := n/3 + 1 // k001 is shared with b, whose copy matches
	if c := s.count(TopicIndex("iran")); c != wantIran {
		t.Errorf("topic iran holds %d, want %d", c, wantIran)
	}
	for _, it := range s.latest(TopicIndex("iran")) {
		if !slices.Equal(it.Topics, []string{"iran"}) || strings.HasPrefix(it.Title, "fn must") {
			t.Errorf("item %s: topics %v, title %q", it.Key, it.Topics, it.Title)
		}
	}
	if it := s.byKey("a", "k001"); !slices.Equal(it.Topics, []string{"iran"}) {
		t.Errorf("shared item topics %v, want the union [iran]", it.Topics)
	}

	// Nothing changes the second time.
	gen := s.Generation()
	changed, err = s.Retag(func(it *news.Item) []string {
		if strings.Contains(it.Summary, "iran") {
			return []string{"iran"}
		}
		return nil
	}, nil)
	if err != nil || changed != 0 {
		t.Errorf("second Retag: %d, %v", changed, err)
	}
	if s.Generation() != gen {
		t.Errorf("Generation moved without a change")
	}

	if _, err := s.Retag(func(*news.Item) []string { return []string{"bad\x00id"} }, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Retag with a bad topic id: %v, want ErrInvalid", err)
	}
}

func TestRetagEmpty(t *testing.T) {
	s := mustOpen(t)
	n, err := s.Retag(func(*news.Item) []string { t.Fatal("fn called on an empty store"); return nil }, func(int, int) { t.Error("progress on an empty store") })
	if err != nil || n != 0 {
		t.Errorf("Retag = %d, %v", n, err)
	}
}
