package main

import (
	"strings"
	"testing"
	"time"
)

func TestCountPairs(t *testing.T) {
	// it builds an item: story group, wire story, source.
	it := func(group, wire, source string) groupedItem {
		return groupedItem{Group: group, Wire: wire, Source: source}
	}
	for _, tt := range []struct {
		name  string
		items []groupedItem
		want  groupingResult
	}{
		{name: "empty", want: groupingResult{Precision: 1, Recall: 1}},
		{
			name:  "no stories, no wire copies",
			items: []groupedItem{it("", "", "a"), it("", "", "b")},
			want:  groupingResult{Items: 2, Precision: 1, Recall: 1},
		},
		{
			name: "perfect: two wire stories grouped exactly",
			items: []groupedItem{
				it("s1", "w1", "a"), it("s1", "w1", "b"), it("s1", "w1", "c"),
				it("s2", "w2", "a"), it("s2", "w2", "d"),
				it("", "", "e"),
			},
			want: groupingResult{Items: 6, Stories: 2, InStories: 5, WireCopies: 5, WireStories: 2,
				StoryPairs: 4, WirePairs: 4, TruePairs: 4, Precision: 1, Recall: 1},
		},
		{
			name: "nothing grouped",
			items: []groupedItem{
				it("", "w1", "a"), it("", "w1", "b"), it("", "w1", "c"),
			},
			want: groupingResult{Items: 3, WireCopies: 3, WireStories: 1, WirePairs: 3, Precision: 1, Recall: 0},
		},
		{
			name: "false merge: two wire stories and an outlet's own story in one",
			items: []groupedItem{
				it("s1", "w1", "a"), it("s1", "w1", "b"),
				it("s1", "w2", "c"), it("s1", "w2", "d"),
				it("s1", "", "e"),
			},
			// 10 story pairs, of which w1's 1 and w2's 1 are true.
			want: groupingResult{Items: 5, Stories: 1, InStories: 5, WireCopies: 4, WireStories: 2,
				StoryPairs: 10, WirePairs: 2, TruePairs: 2, Precision: 0.2, Recall: 1},
		},
		{
			name: "split story: one wire story in two stories and a loner",
			items: []groupedItem{
				it("s1", "w1", "a"), it("s1", "w1", "b"), it("s1", "w1", "c"),
				it("s2", "w1", "d"), it("s2", "w1", "e"),
				it("", "w1", "f"),
			},
			// 15 wire pairs; the stories hold 3 + 1.
			want: groupingResult{Items: 6, Stories: 2, InStories: 5, WireCopies: 6, WireStories: 1,
				StoryPairs: 4, WirePairs: 15, TruePairs: 4, Precision: 1, Recall: 4.0 / 15},
		},
		{
			name: "same source twice: not a pair to find, a false merge when grouped",
			items: []groupedItem{
				it("s1", "w1", "a"), it("s1", "w1", "a"), it("s1", "w1", "b"),
			},
			// Wire pairs: 3 less the (a, a) pair; the story's 3 pairs hold 2 true ones.
			want: groupingResult{Items: 3, Stories: 1, InStories: 3, WireCopies: 3, WireStories: 1,
				StoryPairs: 3, WirePairs: 2, TruePairs: 2, Precision: 2.0 / 3, Recall: 1},
		},
		{
			name: "a story of one item is no story",
			items: []groupedItem{
				it("s1", "w1", "a"), it("s2", "w1", "b"),
			},
			want: groupingResult{Items: 2, WireCopies: 2, WireStories: 1, WirePairs: 1, Precision: 1, Recall: 0},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := countPairs(tt.items)
			if got != tt.want {
				t.Errorf("countPairs:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestWireTruth checks the ground truth: items labelled with one wire
// story carry its text (their first sentence is the same), and items with
// different labels do not.
func TestWireTruth(t *testing.T) {
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const n = 100
	first := map[string]string{} // wire story → first sentence
	copies := 0
	for i := range n {
		spec := newFeedSpec(1, "t", i, n)
		for seq := range 12 {
			it := spec.item(seq, clock.Add(-spec.Offset-time.Duration(seq)*30*time.Minute))
			if it.Wire == "" {
				continue
			}
			copies++
			if !strings.HasPrefix(it.Wire, "t/"+spec.Lang.code+"/") {
				t.Errorf("feed %d item %d: wire %q", i, seq, it.Wire)
			}
			s, _, _ := strings.Cut(strings.TrimPrefix(it.HTML, "<p>"), ". ")
			if f, ok := first[it.Wire]; ok && f != s {
				t.Errorf("wire %s: first sentences %q and %q", it.Wire, f, s)
			}
			first[it.Wire] = s
		}
	}
	seen := map[string]string{}
	for w, s := range first {
		if o, ok := seen[s]; ok {
			t.Errorf("wire stories %s and %s begin alike: %q", w, o, s)
		}
		seen[s] = w
	}
	if copies < n*12/20 || len(first) < 2 {
		t.Errorf("%d wire copies of %d wire stories", copies, len(first))
	}
}
