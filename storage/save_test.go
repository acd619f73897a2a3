package storage

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

func TestSaveFetchCounts(t *testing.T) {
	a := item("a", "https://example.com/a", "A", t0.Add(-3*time.Hour))
	b := item("b", "https://example.com/b", "B", t0.Add(-2*time.Hour))
	c := item("c", "", "C", t0.Add(-1*time.Hour))
	b2 := b
	b2.Title, b2.Hash = "B edited", "h:B edited"

	type fetch struct {
		items              []news.Item
		newN, updated, dup int
		changed            []string // keys in SaveResult.Changed
		wantTitles         []string // all index, newest first, after the fetch
	}
	tests := []struct {
		name    string
		fetches []fetch
	}{
		{"new then duplicate", []fetch{
			{items: []news.Item{a, b, c}, newN: 3, changed: []string{"a", "b", "c"}, wantTitles: []string{"C", "B", "A"}},
			{items: []news.Item{a, b, c}, dup: 3, wantTitles: []string{"C", "B", "A"}},
		}},
		{"edited item is updated in place", []fetch{
			{items: []news.Item{a, b}, newN: 2, changed: []string{"a", "b"}, wantTitles: []string{"B", "A"}},
			{items: []news.Item{a, b2}, updated: 1, dup: 1, changed: []string{"b"}, wantTitles: []string{"B edited", "A"}},
			{items: []news.Item{a, b2, c}, newN: 1, dup: 2, changed: []string{"c"}, wantTitles: []string{"C", "B edited", "A"}},
		}},
		{"empty fetch", []fetch{
			{items: nil, wantTitles: nil},
		}},
		{"repeated key in one batch: first wins", []fetch{
			{items: []news.Item{b2, b, b}, newN: 1, dup: 2, changed: []string{"b"}, wantTitles: []string{"B edited"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t)
			for i, f := range tt.fetches {
				res := s.save("src", f.items...)
				if res.New != f.newN || res.Updated != f.updated || res.Duplicate != f.dup {
					t.Errorf("fetch %d: new/updated/dup = %d/%d/%d, want %d/%d/%d", i, res.New, res.Updated, res.Duplicate, f.newN, f.updated, f.dup)
				}
				eq(t, "Changed keys", keys(res.Changed), f.changed)
				for _, it := range res.Changed {
					if it.ID == 0 || it.Source != "src" || len(it.Copies) != 1 {
						t.Errorf("Changed item %+v: want an ID, source src and one copy", it)
					}
				}
				var titles []string
				for _, it := range s.latest(AllIndex()) {
					titles = append(titles, it.Title)
				}
				eq(t, "titles", titles, f.wantTitles)
				if n := s.count(SourceIndex("src")); n != len(f.wantTitles) {
					t.Errorf("CountSource = %d, want %d", n, len(f.wantTitles))
				}
			}
		})
	}
}

func TestSaveFetchUpdateMovesUpdated(t *testing.T) {
	s := mustOpen(t)
	orig := item("k", "https://example.com/k", "Old", t0.Add(-2*time.Hour))
	orig.Updated = t0.Add(-2 * time.Hour)
	orig.FirstSeen = t0.Add(-time.Hour)
	first := s.save("src", orig).Changed[0]

	tests := []struct {
		name        string
		advance     time.Duration
		incomingUpd time.Time // Updated on the edited item
		wantUpd     func(now time.Time) time.Time
	}{
		{"no updated date: now", time.Hour, time.Time{}, func(now time.Time) time.Time { return now }},
		{"updated date in the past: now", time.Hour, t0.Add(-time.Hour), func(now time.Time) time.Time { return now }},
		{"updated date after now: kept", time.Hour, t0.Add(48 * time.Hour), func(time.Time) time.Time { return t0.Add(48 * time.Hour) }},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.clock.Advance(tt.advance)
			ed := orig
			ed.Title = "Edit " + tt.name
			ed.Hash = "h:" + ed.Title
			ed.Published = orig.Published.Add(time.Duration(i+1) * time.Minute)
			ed.Updated = tt.incomingUpd
			ed.FirstSeen = s.clock.Now() // the caller's idea; must not replace the stored one
			res := s.save("src", ed)
			if res.Updated != 1 {
				t.Fatalf("Updated = %d, want 1", res.Updated)
			}
			got := s.byKey("src", "k")
			if want := tt.wantUpd(s.clock.Now()); !got.Updated.Equal(want) {
				t.Errorf("Updated = %v, want %v", got.Updated, want)
			}
			if got.ID != first.ID || !got.FirstSeen.Equal(first.FirstSeen) {
				t.Errorf("ID, FirstSeen = %d, %v; want %d, %v kept", got.ID, got.FirstSeen, first.ID, first.FirstSeen)
			}
			if got.Title != ed.Title || !got.Published.Equal(ed.Published) || got.Hash != ed.Hash {
				t.Errorf("stored %q %v %q, want the edit's title, published and hash", got.Title, got.Published, got.Hash)
			}
			all := s.latest(AllIndex())
			if len(all) != 1 || !all[0].Published.Equal(ed.Published) {
				t.Errorf("all index = %v, want the one item at its new Published", all)
			}
			s.mustCheck()
		})
	}
}

func TestSaveFetchDuplicateRefreshesTopicsAndTags(t *testing.T) {
	s := mustOpen(t)
	it := withTopics(item("k", "https://example.com/k", "T", t0.Add(-time.Hour)), "iran")
	it.Tags = []string{"iraq"}
	s.save("src", it)
	gen := s.Generation()

	it2 := withTopics(it, "us-iran", "iran")
	it2.Tags = []string{"iraq", "kurdistan"}
	res := s.save("src", it2)
	if res.Duplicate != 1 || res.Updated != 0 || len(res.Changed) != 0 {
		t.Fatalf("result %+v, want one duplicate", res)
	}
	got := s.byKey("src", "k")
	eq(t, "Topics", got.Topics, []string{"iran", "us-iran"})
	eq(t, "Tags", got.Tags, []string{"iraq", "kurdistan"})
	if n := s.count(TopicIndex("us-iran")); n != 1 {
		t.Errorf("us-iran index holds %d, want 1", n)
	}
	if s.Generation() == gen {
		t.Errorf("Generation unchanged after a topic change")
	}

	gen = s.Generation()
	s.save("src", it2)
	if s.Generation() != gen {
		t.Errorf("Generation moved on a pure duplicate")
	}
}

// copyFetch is one fetch of one item: pub is an offset from t0.
type copyFetch struct {
	src, key, title string
	pub             time.Duration
}

func TestSaveFetchAcrossSources(t *testing.T) {
	link := "https://example.com/story"
	tests := []struct {
		name       string
		fetches    []copyFetch
		wantShown  string // source of the shown copy
		wantTitle  string
		wantCopies []string
	}{
		{
			name:      "later copy keeps the first shown",
			fetches:   []copyFetch{{"a", "ga", "From A", -2 * time.Hour}, {"b", "gb", "From B", -time.Hour}},
			wantShown: "a", wantTitle: "From A", wantCopies: []string{"a/ga", "b/gb"},
		},
		{
			name:      "earlier copy becomes the shown one",
			fetches:   []copyFetch{{"a", "ga", "From A", -time.Hour}, {"b", "gb", "From B", -2 * time.Hour}},
			wantShown: "b", wantTitle: "From B", wantCopies: []string{"b/gb", "a/ga"},
		},
		{
			name:      "equal time keeps the first shown",
			fetches:   []copyFetch{{"b", "gb", "From B", -time.Hour}, {"a", "ga", "From A", -time.Hour}},
			wantShown: "b", wantTitle: "From B", wantCopies: []string{"b/gb", "a/ga"},
		},
		{
			name:      "three sources",
			fetches:   []copyFetch{{"a", "ga", "From A", -time.Hour}, {"c", "gc", "From C", -30 * time.Minute}, {"b", "gb", "From B", -3 * time.Hour}},
			wantShown: "b", wantTitle: "From B", wantCopies: []string{"b/gb", "a/ga", "c/gc"},
		},
		{
			name:      "same source under another key",
			fetches:   []copyFetch{{"a", "old-guid", "From A", -time.Hour}, {"a", "new-guid", "From A again", -time.Hour}},
			wantShown: "a", wantTitle: "From A", wantCopies: []string{"a/old-guid", "a/new-guid"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t)
			for i, f := range tt.fetches {
				res := s.save(f.src, item(f.key, link, f.title, t0.Add(f.pub)))
				want := SaveResult{New: 1}
				if i > 0 {
					want = SaveResult{Duplicate: 1}
				}
				if res.New != want.New || res.Duplicate != want.Duplicate || res.Updated != 0 {
					t.Errorf("fetch %d (%s): %+v, want %+v", i, f.src, res, want)
				}
			}
			all := s.latest(AllIndex())
			if len(all) != 1 {
				t.Fatalf("all index holds %d items, want 1", len(all))
			}
			it := all[0]
			if it.Source != tt.wantShown || it.Title != tt.wantTitle {
				t.Errorf("shown %s %q, want %s %q", it.Source, it.Title, tt.wantShown, tt.wantTitle)
			}
			eq(t, "copies", copySources(it), tt.wantCopies)
			if !it.Published.Equal(it.Copies[0].Published) {
				t.Errorf("Published %v, want the earliest copy's %v", it.Published, it.Copies[0].Published)
			}
			for _, f := range tt.fetches {
				if n := s.count(SourceIndex(f.src)); n != 1 {
					t.Errorf("CountSource(%s) = %d, want 1", f.src, n)
				}
				own := s.latest(SourceIndex(f.src))
				if len(own) != 1 || own[0].ID != it.ID || own[0].Source != f.src {
					t.Errorf("source index %s = %+v, want the item as %s's copy", f.src, own, f.src)
				}
				byKey := s.byKey(f.src, f.key)
				if byKey.ID != it.ID || byKey.Key != f.key || byKey.Title != f.title {
					t.Errorf("ItemByKey(%s, %s) = %d %s %q", f.src, f.key, byKey.ID, byKey.Key, byKey.Title)
				}
			}
		})
	}
}

func TestSaveFetchCopyEditedIndependently(t *testing.T) {
	s := mustOpen(t)
	link := "https://example.com/x"
	s.save("a", item("ka", link, "A", t0.Add(-2*time.Hour)))
	s.save("b", item("kb", link, "B", t0.Add(-time.Hour)))

	// Editing the copy that is not shown changes only that copy.
	res := s.save("b", item("kb", link, "B edited", t0.Add(-time.Hour)))
	if res.Updated != 1 {
		t.Fatalf("Updated = %d, want 1", res.Updated)
	}
	it := s.latest(AllIndex())[0]
	if it.Source != "a" || it.Title != "A" {
		t.Errorf("shown %s %q, want a's copy unchanged", it.Source, it.Title)
	}
	if got := s.byKey("b", "kb").Title; got != "B edited" {
		t.Errorf("b's copy title %q", got)
	}

	// a's copy re-dated later than b's: b becomes the shown copy, with its
	// own text.
	res = s.save("a", item("ka", link, "A moved", t0.Add(-30*time.Minute)))
	if res.Updated != 1 {
		t.Fatalf("Updated = %d, want 1", res.Updated)
	}
	it = s.latest(AllIndex())[0]
	if it.Source != "b" || it.Title != "B edited" || it.Summary != "<p>B edited</p>" {
		t.Errorf("shown %s %q %q, want b's copy", it.Source, it.Title, it.Summary)
	}
	eq(t, "copies", copySources(it), []string{"b/kb", "a/ka"})
}

func TestSaveFetchLinkChange(t *testing.T) {
	s := mustOpen(t)
	s.save("a", item("k", "https://example.com/old", "A", t0.Add(-time.Hour)))
	it := item("k", "https://example.com/new", "A2", t0.Add(-time.Hour))
	if res := s.save("a", it); res.Updated != 1 {
		t.Fatalf("%+v, want one update", res)
	}
	// The old link is free again; the new one joins copies from elsewhere.
	if res := s.save("b", item("kb", "https://example.com/old", "B", t0)); res.New != 1 {
		t.Errorf("old link: %+v, want a new item", res)
	}
	if res := s.save("c", item("kc", "https://example.com/new", "C", t0)); res.Duplicate != 1 {
		t.Errorf("new link: %+v, want a copy", res)
	}
	if n := s.count(AllIndex()); n != 2 {
		t.Errorf("%d items, want 2", n)
	}

	// a's copy now carries b's link: it moves to b's item, and its own
	// item, left without copies, goes.
	moved := s.save("a", item("k", "https://example.com/old", "A3", t0.Add(-2*time.Hour)))
	if moved.Updated != 1 || len(moved.Changed) != 1 {
		t.Fatalf("%+v, want one update", moved)
	}
	got := s.byKey("a", "k")
	if bItem := s.byKey("b", "kb"); got.ID != bItem.ID || got.ID != moved.Changed[0].ID {
		t.Errorf("moved copy in item %d, b's item is %d, Changed names %d", got.ID, bItem.ID, moved.Changed[0].ID)
	}
	eq(t, "copies", copySources(got), []string{"a/k", "b/kb"})
	eq(t, "all", keys(s.latest(AllIndex())), []string{"kc", "k"})
}

func TestSaveFetchNormalises(t *testing.T) {
	s := mustOpen(t)
	noDates := news.Item{Key: "nodates", Title: "x", Hash: "1"}
	seen := news.Item{Key: "seen", Title: "y", Hash: "2", FirstSeen: t0.Add(-time.Hour)}
	far := news.Item{Key: "far", Title: "z", Hash: "3", Published: time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)}
	old := news.Item{Key: "old", Title: "w", Hash: "4", Published: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}
	badUTF := news.Item{Key: "bad\xffkey", Title: "v", Hash: "5", Published: t0.Add(-2 * time.Hour)}
	long := news.Item{Key: strings.Repeat("k", 2000), Link: "https://example.com/" + strings.Repeat("l", 2000), Title: "u", Hash: "6", Published: t0.Add(-3 * time.Hour)}
	res := s.save("src", noDates, seen, far, old, badUTF, long)
	if res.New != 6 {
		t.Fatalf("New = %d, want 6", res.New)
	}
	if got := s.byKey("src", "nodates"); !got.FirstSeen.Equal(t0) || !got.Published.Equal(t0) || !got.Updated.Equal(t0) {
		t.Errorf("no dates: first seen %v, published %v, updated %v; want all now", got.FirstSeen, got.Published, got.Updated)
	}
	if got := s.byKey("src", "seen"); !got.Published.Equal(t0.Add(-time.Hour)) {
		t.Errorf("published %v, want FirstSeen", got.Published)
	}
	if got := s.byKey("src", "bad\uFFFDkey"); got.Title != "v" {
		t.Errorf("invalid UTF-8 key not found as its valid form")
	}
	if got := s.byKey("src", long.Key); got.Title != "u" || got.Link != long.Link {
		t.Errorf("long key and link not kept")
	}
	eq(t, "order", keys(s.latest(AllIndex())), []string{"far", "nodates", "seen", "bad\uFFFDkey", long.Key, "old"})
	if res := s.save("other", item("x", long.Link, "again", t0)); res.Duplicate != 1 {
		t.Errorf("long link not recognised: %+v", res)
	}
}

func TestSaveFetchInvalid(t *testing.T) {
	tests := []struct {
		name   string
		source string
		items  []news.Item
	}{
		{"empty source name", "", []news.Item{item("k", "", "t", t0)}},
		{"NUL in source name", "a\x00b", nil},
		{"item of another source", "a", []news.Item{{Source: "b", Key: "k"}}},
		{"item without key", "a", []news.Item{item("ok", "", "t", t0), {Title: "no key"}}},
		{"bad topic", "a", []news.Item{withTopics(item("k", "", "t", t0), "x\x00y")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t)
			_, err := s.SaveFetch(news.SourceState{Name: tt.source}, tt.items)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if n := s.count(AllIndex()); n != 0 {
				t.Errorf("%d items stored after a failed SaveFetch", n)
			}
			if sts, _ := s.SourceStates(); len(sts) != 0 {
				t.Errorf("state stored after a failed SaveFetch: %v", sts)
			}
		})
	}
}

func TestSourceState(t *testing.T) {
	s := mustOpen(t)
	st, err := s.SourceState("nobody")
	if err != nil || st != (news.SourceState{Name: "nobody"}) {
		t.Fatalf("absent state = %+v, %v", st, err)
	}
	want := news.SourceState{Name: "b", URL: "http://127.0.0.1/b", ETag: `"x"`, LastAttempt: t0, LastSuccess: t0, Status: 200}
	if _, err := s.SaveFetch(want, []news.Item{item("k", "", "t", t0)}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SourceState("b"); err != nil || got != want {
		t.Errorf("after SaveFetch: %+v, %v; want %+v", got, err, want)
	}
	failed := news.SourceState{Name: "a", Error: "boom", Failures: 2, NextDue: t0.Add(time.Hour)}
	if err := s.PutSourceState(failed); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSourceState(news.SourceState{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("PutSourceState without name: %v, want ErrInvalid", err)
	}
	all, err := s.SourceStates()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0] != failed || all[1] != want {
		t.Errorf("SourceStates = %+v", all)
	}
}

func TestGenerationAndLastChange(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/gen.db"
	s := mustOpenAt(t, path)
	if s.Generation() != 0 || !s.LastChange().IsZero() {
		t.Fatalf("fresh store: generation %d, last change %v", s.Generation(), s.LastChange())
	}
	s.save("a", item("k", "", "t", t0))
	if s.Generation() != 1 || !s.LastChange().Equal(t0) {
		t.Errorf("after new item: generation %d, last change %v", s.Generation(), s.LastChange())
	}
	s.clock.Advance(time.Minute)
	s.save("a", item("k", "", "t", t0))
	if err := s.PutSourceState(news.SourceState{Name: "a", Error: "x"}); err != nil {
		t.Fatal(err)
	}
	if s.Generation() != 1 || !s.LastChange().Equal(t0) {
		t.Errorf("after duplicate and state: generation %d, last change %v", s.Generation(), s.LastChange())
	}
	s.close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if !s2.LastChange().Equal(t0) || s2.Generation() != 0 {
		t.Errorf("after reopen: last change %v, generation %d", s2.LastChange(), s2.Generation())
	}
}
