package storage

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aggregatord/aggregatord/news"
)

// TestSourceStatesCache checks that SourceStates, once loaded, follows
// every committed state write (PutSourceState and SaveFetch), in name
// order, ignores writes that fail, and survives a reopen.
func TestSourceStatesCache(t *testing.T) {
	s := mustOpen(t)
	names := func() []string {
		t.Helper()
		sts, err := s.SourceStates()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, st := range sts {
			out = append(out, fmt.Sprintf("%s:%d", st.Name, st.Status))
		}
		return out
	}
	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"empty", func() error { return nil }, nil},
		{"put b", func() error { return s.PutSourceState(news.SourceState{Name: "b", Status: 500}) }, []string{"b:500"}},
		{"save a", func() error {
			_, err := s.SaveFetch(news.SourceState{Name: "a", Status: 200}, []news.Item{{Key: "k", Title: "t"}})
			return err
		}, []string{"a:200", "b:500"}},
		{"put b again", func() error { return s.PutSourceState(news.SourceState{Name: "b", Status: 304}) }, []string{"a:200", "b:304"}},
		{"failed save c", func() error {
			_, err := s.SaveFetch(news.SourceState{Name: "c", Status: 200}, []news.Item{{Title: "no key"}})
			if err == nil {
				return fmt.Errorf("SaveFetch without a key succeeded")
			}
			return nil
		}, []string{"a:200", "b:304"}},
		{"save c", func() error {
			_, err := s.SaveFetch(news.SourceState{Name: "c", Status: 200}, nil)
			return err
		}, []string{"a:200", "b:304", "c:200"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.do(); err != nil {
				t.Fatal(err)
			}
			if got := names(); !slices.Equal(got, st.want) {
				t.Errorf("SourceStates = %v, want %v", got, st.want)
			}
		})
	}
	path := s.Path()
	s.close()
	s = mustOpenAt(t, path)
	if got, want := names(), []string{"a:200", "b:304", "c:200"}; !slices.Equal(got, want) {
		t.Errorf("after reopen: SourceStates = %v, want %v", got, want)
	}
}

// TestSourceStatesConcurrent loads the cache while states are written:
// every state written before SourceStates is called must be in its answer.
func TestSourceStatesConcurrent(t *testing.T) {
	s := mustOpen(t)
	const writers, each = 4, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.PutSourceState(news.SourceState{Name: fmt.Sprintf("s%d-%d", w, i), Status: 200}); err != nil {
					t.Error(err)
					return
				}
				sts, err := s.SourceStates()
				if err != nil {
					t.Error(err)
					return
				}
				if !slices.ContainsFunc(sts, func(st news.SourceState) bool { return st.Name == fmt.Sprintf("s%d-%d", w, i) }) {
					t.Errorf("state s%d-%d written but not listed", w, i)
				}
			}
		})
	}
	wg.Wait()
	sts, err := s.SourceStates()
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.IsSortedFunc(sts, func(a, b news.SourceState) int { return strings.Compare(a.Name, b.Name) })
	if len(sts) != writers*each || !sorted {
		t.Errorf("%d states (want %d), sorted: %v", len(sts), writers*each, sorted)
	}
}
