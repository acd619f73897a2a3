package main

import (
	"fmt"
	"time"

	"github.com/aggregatord/aggregatord/feeds"
	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/storage"
)

// This file measures the quality of story grouping: after a pass, every
// stored item is read back through the store's public API and the store's
// stories are compared with the generator's ground truth, the wire story
// each item copies (genItem.Wire), pair by pair.

// groupingResult is the quality of the store's story grouping against the
// generator's wire stories.
type groupingResult struct {
	Pass       string `json:"pass"`
	Items      int    `json:"items"`            // stored copies read (one per source and item)
	Stories    int    `json:"stories"`          // the store's groups of two items or more
	InStories  int    `json:"items_in_stories"` // items in those groups
	WireCopies int    `json:"wire_copies"`      // stored items that copy a wire story
	// WireGenerated is how many wire copies the farm generated: all of
	// them are stored unless a link failed to match.
	WireGenerated int `json:"wire_generated"`
	WireStories   int `json:"wire_stories"` // distinct wire stories among the stored copies
	// StoryPairs are the pairs of items the store put in one story;
	// WirePairs the pairs of copies of one wire story from different
	// sources; TruePairs the pairs that are both.
	StoryPairs int64   `json:"story_pairs"`
	WirePairs  int64   `json:"wire_pairs"`
	TruePairs  int64   `json:"true_pairs"`
	Precision  float64 `json:"precision"` // TruePairs / StoryPairs (1 when there are none)
	Recall     float64 `json:"recall"`    // TruePairs / WirePairs (1 when there are none)
	ReadSec    float64 `json:"read_s"`    // reading the store back
}

// groupedItem is one stored item as the pair counting sees it.
type groupedItem struct {
	Group  string // the store's story; "" when the item is in none
	Wire   string // the wire story the item copies; "" when none
	Source string
}

func pairs(n int) int64 { return int64(n) * int64(n-1) / 2 }

// countPairs compares the store's grouping of items with their wire
// stories without enumerating pairs: a set of n items holds n·(n−1)/2
// pairs, so the pairs of a story, of a wire story and of both are summed
// over the stories, the wire stories and the (story, wire story) cells.
// Pairs of items from one source are never the same story (the store
// keeps one item per source per story): they are taken out of the wire
// pairs and of the true pairs, and count as false merges when a story
// holds them.
func countPairs(items []groupedItem) groupingResult {
	var g groupingResult
	type cell struct{ group, wire, source string }
	stories := map[string]int{}
	wires := map[string]int{}
	wireSrc := map[cell]int{}
	both := map[cell]int{}
	bothSrc := map[cell]int{}
	for _, it := range items {
		g.Items++
		if it.Group != "" {
			stories[it.Group]++
		}
		if it.Wire == "" {
			continue
		}
		g.WireCopies++
		wires[it.Wire]++
		wireSrc[cell{wire: it.Wire, source: it.Source}]++
		if it.Group != "" {
			both[cell{group: it.Group, wire: it.Wire}]++
			bothSrc[cell{group: it.Group, wire: it.Wire, source: it.Source}]++
		}
	}
	for _, n := range stories {
		if n > 1 {
			g.Stories++
			g.InStories += n
			g.StoryPairs += pairs(n)
		}
	}
	g.WireStories = len(wires)
	for _, n := range wires {
		g.WirePairs += pairs(n)
	}
	for _, n := range wireSrc {
		g.WirePairs -= pairs(n)
	}
	for _, n := range both {
		g.TruePairs += pairs(n)
	}
	for _, n := range bothSrc {
		g.TruePairs -= pairs(n)
	}
	g.Precision, g.Recall = 1, 1
	if g.StoryPairs > 0 {
		g.Precision = float64(g.TruePairs) / float64(g.StoryPairs)
	}
	if g.WirePairs > 0 {
		g.Recall = float64(g.TruePairs) / float64(g.WirePairs)
	}
	return g
}

// wireTruth asks the farm which links of set are wire copies, and of
// which wire story, keyed by canonical link (the store keeps canonical
// links; the generated ones are canonical already, but compare like with
// like).
func (b *bench) wireTruth(set string) (map[string]string, error) {
	rep, err := b.h.do(helperCmd{Op: "wire", Set: set})
	if err != nil {
		return nil, err
	}
	wire := make(map[string]string, len(rep.Wire))
	for link, w := range rep.Wire {
		if c, ok := feeds.CanonicalURL(link, ""); ok {
			link = c
		}
		wire[link] = w
	}
	return wire, nil
}

// grouping reads every item of the sources back from the store and
// compares its stories with wire, the farm's ground truth as of a pass.
// Only items first seen at or before until are counted (zero: all), so
// that the cold pass's grouping can be read after later passes: an
// item's story never changes once set, and items that joined later are
// left out. It runs after the memory figures are taken: reading the whole
// store maps all of it.
func (b *bench) grouping(pass string, st *storage.Store, wire map[string]string, until time.Time, srcs []source) (groupingResult, error) {
	t0 := time.Now()
	var items []groupedItem
	for _, s := range srcs {
		err := st.Scan(storage.SourceIndex(s.name), "", func(it news.Item, _ storage.Cursor) bool {
			if !until.IsZero() && it.FirstSeen.After(until) {
				return true
			}
			gi := groupedItem{Source: s.name, Wire: wire[it.Link]}
			switch {
			case it.StoryID != 0:
				gi.Group = fmt.Sprintf("s%d", it.StoryID)
			case len(it.Copies) > 1:
				// One record carried by several sources (the same link):
				// grouped too, though not as a story.
				gi.Group = fmt.Sprintf("r%d", it.ID)
			}
			items = append(items, gi)
			return true
		})
		if err != nil {
			return groupingResult{}, fmt.Errorf("grouping %s: %w", pass, err)
		}
	}
	g := countPairs(items)
	g.Pass, g.WireGenerated, g.ReadSec = pass, len(wire), time.Since(t0).Seconds()
	return g, nil
}

// line is the report's line for g.
func (g groupingResult) line() string {
	return fmt.Sprintf("story grouping (%s): %d stories, %d of %d items in stories; %d wire copies (of %d generated), %d wire stories; "+
		"pair precision %.3f (%d of %d), recall %.3f (%d of %d) against the generator's wire stories",
		g.Pass, g.Stories, g.InStories, g.Items, g.WireCopies, g.WireGenerated, g.WireStories,
		g.Precision, g.TruePairs, g.StoryPairs, g.Recall, g.TruePairs, g.WirePairs)
}
