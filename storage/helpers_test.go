package storage

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testStore is a Store on a temporary file with a fake clock.
type testStore struct {
	*Store
	clock  *fakeClock
	t      testing.TB
	closed bool
}

// mustOpen opens a new store in t.TempDir. Cleanup checks its consistency
// and closes it.
func mustOpen(t testing.TB) *testStore {
	t.Helper()
	return mustOpenAt(t, filepath.Join(t.TempDir(), "test.db"))
}

// mustOpenAt is mustOpen on a given path.
func mustOpenAt(t testing.TB, path string) *testStore {
	t.Helper()
	clk := &fakeClock{now: t0}
	s, err := Open(path, Options{Now: clk.Now, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	ts := &testStore{Store: s, clock: clk, t: t}
	t.Cleanup(func() {
		if !ts.closed {
			ts.close()
		}
	})
	return ts
}

// close checks the store and closes it; cleanup then does nothing.
func (ts *testStore) close() {
	ts.t.Helper()
	if err := ts.Check(); err != nil {
		ts.t.Errorf("Check: %v", err)
	}
	if err := ts.Close(); err != nil {
		ts.t.Errorf("Close: %v", err)
	}
	ts.closed = true
}

// save runs SaveFetch for source and fails the test on error.
func (ts *testStore) save(source string, items ...news.Item) SaveResult {
	ts.t.Helper()
	res, err := ts.SaveFetch(news.SourceState{Name: source, URL: "http://127.0.0.1/" + source}, items)
	if err != nil {
		ts.t.Fatalf("SaveFetch(%s): %v", source, err)
	}
	return res
}

// mustCheck fails the test when Check does.
func (ts *testStore) mustCheck() {
	ts.t.Helper()
	if err := ts.Check(); err != nil {
		ts.t.Fatalf("Check: %v", err)
	}
}

// latest returns every item of idx in order.
func (ts *testStore) latest(idx Index) []news.Item {
	ts.t.Helper()
	var out []news.Item
	if err := ts.Scan(idx, "", func(it news.Item, _ Cursor) bool {
		out = append(out, it)
		return true
	}); err != nil {
		ts.t.Fatalf("Scan(%s): %v", idx, err)
	}
	return out
}

// count returns Count(idx), failing the test on error.
func (ts *testStore) count(idx Index) int {
	ts.t.Helper()
	n, err := ts.Count(idx)
	if err != nil {
		ts.t.Fatalf("Count(%s): %v", idx, err)
	}
	return n
}

// byKey returns ItemByKey and fails unless it exists.
func (ts *testStore) byKey(source, key string) news.Item {
	ts.t.Helper()
	it, ok, err := ts.ItemByKey(source, key)
	if err != nil || !ok {
		ts.t.Fatalf("ItemByKey(%s, %s) = %v, %v", source, key, ok, err)
	}
	return it
}

// item builds an incoming item; its hash follows its title.
func item(key, link, title string, pub time.Time) news.Item {
	return news.Item{
		Key: key, Link: link, Title: title, Summary: "<p>" + title + "</p>",
		Published: pub, Hash: "h:" + title,
	}
}

func withTopics(it news.Item, topics ...string) news.Item {
	it.Topics = topics
	return it
}

// keys returns the Key of each item.
func keys(items []news.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

func ids(items []news.Item) []uint64 {
	out := make([]uint64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func copySources(it news.Item) []string {
	var out []string
	for _, c := range it.Copies {
		out = append(out, c.Source+"/"+c.Key)
	}
	return out
}

func eq[T comparable](t testing.TB, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// feed builds n items k0..k(n-1), one minute apart before t0.
func feed(prefix string, n int, start time.Time) []news.Item {
	out := make([]news.Item, n)
	for i := range out {
		k := fmt.Sprintf("%s%d", prefix, i)
		out[i] = item(k, "https://example.com/"+k, "Title "+k, start.Add(-time.Duration(i)*time.Minute))
	}
	return out
}
