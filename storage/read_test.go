package storage

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

// pagedStore holds 11 items from two sources, several published at the
// same instant, and returns them in the order the all index must give.
func pagedStore(t *testing.T) (*testStore, []news.Item) {
	s := mustOpen(t)
	pubs := []time.Duration{-5, -1, -3, -3, -3, -1, -7, -2, -3, -9, -1} // minutes
	var all []news.Item
	for i, p := range pubs {
		src := "a"
		if i%2 == 1 {
			src = "b"
		}
		k := fmt.Sprintf("k%02d", i)
		res := s.save(src, withTopics(item(k, "https://example.com/"+k, k, t0.Add(p*time.Minute)), "t"+src))
		all = append(all, res.Changed...)
	}
	want := slices.Clone(all)
	slices.SortFunc(want, func(x, y news.Item) int {
		if c := y.Published.Compare(x.Published); c != 0 {
			return c
		}
		return cmp.Compare(y.ID, x.ID)
	})
	return s, want
}

func TestLatestPaging(t *testing.T) {
	s, want := pagedStore(t)
	for _, limit := range []int{1, 2, 3, 4, 10, 11, 12, 500} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			var got []news.Item
			var after Cursor
			for pages := 0; ; pages++ {
				if pages > len(want)+1 {
					t.Fatal("paging does not end")
				}
				page, next, err := s.Latest(AllIndex(), after, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > limit || (next != "" && len(page) != limit) {
					t.Fatalf("page of %d with next %q at limit %d", len(page), next, limit)
				}
				got = append(got, page...)
				if next == "" {
					break
				}
				if _, err := ParseCursor(string(next)); err != nil {
					t.Fatalf("next cursor %q does not parse: %v", next, err)
				}
				after = next
			}
			eq(t, "ids", ids(got), ids(want))
		})
	}
	if page, next, err := s.Latest(AllIndex(), "", 0); err != nil || page != nil || next != "" {
		t.Errorf("Latest(limit 0) = %v, %q, %v", page, next, err)
	}
}

func TestScanCursors(t *testing.T) {
	s, want := pagedStore(t)
	// Every item's own cursor resumes right after it.
	var cursors []Cursor
	if err := s.Scan(AllIndex(), "", func(_ news.Item, at Cursor) bool {
		cursors = append(cursors, at)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	for i, c := range cursors {
		var rest []news.Item
		if err := s.Scan(AllIndex(), c, func(it news.Item, _ Cursor) bool {
			rest = append(rest, it)
			return true
		}); err != nil {
			t.Fatal(err)
		}
		eq(t, fmt.Sprintf("after item %d", i), ids(rest), ids(want[i+1:]))
	}
	// A cursor between keys (an item since deleted) and one past either
	// end work too.
	for _, tc := range []struct {
		name  string
		at    time.Time
		id    uint64
		first int // index in want of the first item returned
	}{
		{"newer than all", t0.Add(time.Hour), 0, 0},
		{"older than all", t0.Add(-time.Hour), 0, len(want)},
		{"below all items at a time", want[3].Published, 0, slices.IndexFunc(want, func(it news.Item) bool { return it.Published.Before(want[3].Published) })},
		{"above all items at a time", want[3].Published, ^uint64(0), slices.IndexFunc(want, func(it news.Item) bool { return it.Published.Equal(want[3].Published) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []news.Item
			if err := s.Scan(AllIndex(), cursorOf(ikey(tc.at, tc.id)), func(it news.Item, _ Cursor) bool {
				got = append(got, it)
				return true
			}); err != nil {
				t.Fatal(err)
			}
			eq(t, "ids", ids(got), ids(want[tc.first:]))
		})
	}
	// fn returning false stops.
	n := 0
	_ = s.Scan(AllIndex(), "", func(news.Item, Cursor) bool { n++; return n < 3 })
	if n != 3 {
		t.Errorf("Scan went on after false: %d calls", n)
	}
}

func TestIndexes(t *testing.T) {
	s, want := pagedStore(t)
	filter := func(f func(news.Item) bool) []uint64 {
		var out []uint64
		for _, it := range want {
			if f(it) {
				out = append(out, it.ID)
			}
		}
		return out
	}
	tests := []struct {
		idx  Index
		want []uint64
	}{
		{AllIndex(), ids(want)},
		{SourceIndex("a"), filter(func(it news.Item) bool { return it.Source == "a" })},
		{SourceIndex("b"), filter(func(it news.Item) bool { return it.Source == "b" })},
		{TopicIndex("ta"), filter(func(it news.Item) bool { return it.Source == "a" })},
		{TopicIndex("tb"), filter(func(it news.Item) bool { return it.Source == "b" })},
		{SourceIndex("nobody"), nil},
		{TopicIndex("nothing"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.idx.String(), func(t *testing.T) {
			eq(t, "ids", ids(s.latest(tt.idx)), tt.want)
			if n := s.count(tt.idx); n != len(tt.want) {
				t.Errorf("Count = %d, want %d", n, len(tt.want))
			}
			page, next, err := s.Latest(tt.idx, "", 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.want) > 2 && (len(page) != 2 || next == "") {
				t.Errorf("first page %d items, next %q", len(page), next)
			}
		})
	}
	if n, err := s.CountSource("a"); err != nil || n != 6 {
		t.Errorf("CountSource(a) = %d, %v", n, err)
	}
}

func TestCursorParsing(t *testing.T) {
	valid := cursorOf(ikey(t0, 42))
	tests := []struct {
		in string
		ok bool
	}{
		{"", true},
		{string(valid), true},
		{string(valid) + "A", false},
		{string(valid)[:21], false},
		{strings.Repeat("!", 22), false},
		{"AAAAAAAAAAAAAAAAAAAAAA==", false},
		{strings.Repeat("A", 1000), false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.30q", tt.in), func(t *testing.T) {
			c, err := ParseCursor(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("ParseCursor(%q) = %q, %v", tt.in, c, err)
			}
			if !tt.ok && !errors.Is(err, ErrBadCursor) {
				t.Errorf("error %v does not wrap ErrBadCursor", err)
			}
			if tt.ok && string(c) != tt.in {
				t.Errorf("ParseCursor(%q) = %q", tt.in, c)
			}
		})
	}
	s := mustOpen(t)
	if err := s.Scan(AllIndex(), "nope", func(news.Item, Cursor) bool { return true }); !errors.Is(err, ErrBadCursor) {
		t.Errorf("Scan with a bad cursor: %v", err)
	}
	if _, _, err := s.Latest(SourceIndex("a"), "nope", 5); !errors.Is(err, ErrBadCursor) {
		t.Errorf("Latest with a bad cursor: %v", err)
	}
	for _, idx := range []Index{{Kind: 7}, SourceIndex(""), TopicIndex("a\x00")} {
		if err := s.Scan(idx, "", func(news.Item, Cursor) bool { return true }); !errors.Is(err, ErrInvalid) {
			t.Errorf("Scan(%v): %v, want ErrInvalid", idx, err)
		}
	}
}

func FuzzParseCursor(f *testing.F) {
	f.Add("")
	f.Add(string(cursorOf(ikey(t0, 1))))
	f.Add("AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("////////////////////////")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			if !errors.Is(err, ErrBadCursor) {
				t.Fatalf("error %v does not wrap ErrBadCursor", err)
			}
			return
		}
		k, err := c.key()
		if err != nil {
			t.Fatal(err)
		}
		if s != "" && (len(k) != ikeyLen || cursorOf(k) != c) {
			t.Fatalf("%q does not round-trip", s)
		}
	})
}

func TestIndexKeyOrder(t *testing.T) {
	times := []time.Time{
		{},
		time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Unix(0, 0),
		t0,
		t0.Add(time.Nanosecond),
		time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		a, b := ikey(times[i-1], 1), ikey(times[i], 1) // clamped times may tie
		if string(a) > string(b) {
			t.Errorf("ikey(%v) sorts after ikey(%v)", times[i-1], times[i])
		}
	}
	if string(ikey(t0, 1)) >= string(ikey(t0, 2)) {
		t.Errorf("same time: lower ID does not sort first")
	}
}
