package publish

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

// fakeStore is an in-memory Store: items newest first by (Published, ID),
// cursors "c<unix nanos>-<id>" naming a position in that order, so a
// cursor stays valid after the item it names is gone.
type fakeStore struct {
	mu     sync.Mutex
	items  []news.Item // newest first
	states []news.SourceState
	gen    uint64
	last   time.Time
	err    error // returned by Scan when set

	scans atomic.Int64
	gate  chan struct{} // when non-nil, Scan waits for it to close
}

var _ Store = (*fakeStore)(nil)

func newFakeStore(items []news.Item, states []news.SourceState, last time.Time) *fakeStore {
	s := &fakeStore{states: states, gen: 1, last: last}
	s.setItems(items)
	return s
}

// setItems replaces the items and moves the generation on.
func (s *fakeStore) setItems(items []news.Item) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = slices.Clone(items)
	slices.SortStableFunc(s.items, func(a, b news.Item) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	s.gen++
}

func fakeCursor(it news.Item) string {
	return "c" + strconv.FormatInt(it.Published.UnixNano(), 10) + "-" + strconv.FormatUint(it.ID, 10)
}

func parseFakeCursor(c string) (int64, uint64, error) {
	rest, ok := strings.CutPrefix(c, "c")
	a, b, ok2 := strings.Cut(rest, "-")
	if !ok || !ok2 {
		return 0, 0, fmt.Errorf("fake store: cursor %q: %w", c, ErrBadCursor)
	}
	ns, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("fake store: cursor %q: %w", c, ErrBadCursor)
	}
	return ns, id, nil
}

func inIndex(idx Index, it news.Item) bool {
	switch idx.Kind {
	case IndexSource:
		if it.Source == idx.Name {
			return true
		}
		return slices.ContainsFunc(it.Copies, func(c news.Copy) bool { return c.Source == idx.Name })
	case IndexTopic:
		return slices.Contains(it.Topics, idx.Name)
	}
	return true
}

func (s *fakeStore) Scan(idx Index, after string, fn func(news.Item, string) bool) error {
	s.scans.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	s.mu.Lock()
	items, err := s.items, s.err
	s.mu.Unlock()
	if err != nil {
		return err
	}
	start := 0
	if after != "" {
		ns, id, err := parseFakeCursor(after)
		if err != nil {
			return err
		}
		// First item strictly older than (ns, id) in newest-first order.
		start = len(items)
		for i, it := range items {
			p := it.Published.UnixNano()
			if p < ns || (p == ns && it.ID < id) {
				start = i
				break
			}
		}
	}
	for _, it := range items[start:] {
		if !inIndex(idx, it) {
			continue
		}
		if !fn(it, fakeCursor(it)) {
			return nil
		}
	}
	return nil
}

func (s *fakeStore) Generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

func (s *fakeStore) LastChange() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *fakeStore) SourceStates() ([]news.SourceState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.states), nil
}

// The fixed fixture behind the golden files.

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return t0 }

func testSite() Site {
	return Site{
		Title:       "Regional news",
		BaseURL:     "http://news.example.org/",
		CacheMaxAge: 60 * time.Second,
		Sources: []SourceInfo{
			{Name: "rudaw", Title: "Rudaw English", URL: "https://www.rudaw.net/english/rss", Tags: []string{"iraq", "kurdistan"}, Enabled: true},
			{Name: "kurdistan24", URL: "https://www.kurdistan24.net/en/rss", Tags: []string{"kurdistan"}, Enabled: true},
			{Name: "aljazeera-ar", Title: "الجزيرة", URL: "https://www.aljazeera.net/aljazeerarss/a7c186be", Enabled: true},
			{Name: "old", Title: "Old source", URL: "https://old.example.com/feed", Enabled: false},
		},
		Topics: []TopicInfo{
			{ID: "us-iran", Title: "US–Iran tensions"},
			{ID: "oil", Title: ""},
		},
	}
}

func testStates() []news.SourceState {
	return []news.SourceState{
		{Name: "rudaw", URL: "https://www.rudaw.net/english/rss", FeedTitle: "Rudaw", FeedLink: "https://www.rudaw.net/english",
			FeedID: "https://www.rudaw.net/english/rss", LastAttempt: t0.Add(-5 * time.Minute), LastSuccess: t0.Add(-5 * time.Minute), Status: 200},
		{Name: "kurdistan24", URL: "https://www.kurdistan24.net/en/rss", FeedTitle: "Kurdistan 24", FeedLink: "https://www.kurdistan24.net/en",
			LastAttempt: t0.Add(-3 * time.Minute), LastSuccess: t0.Add(-time.Hour), Status: 503, Error: "503 Service Unavailable", Failures: 3},
		{Name: "aljazeera-ar", URL: "https://www.aljazeera.net/aljazeerarss/a7c186be", FeedTitle: "الجزيرة نت", FeedLink: "https://www.aljazeera.net",
			FeedID: "not an id", LastAttempt: t0.Add(-7 * time.Minute), LastSuccess: t0.Add(-7 * time.Minute), Status: 200},
	}
}

func testItems() []news.Item {
	return []news.Item{
		{
			ID: 1, Source: "rudaw", Key: "https://www.rudaw.net/english/middleeast/iran/010320261",
			GUID: "https://www.rudaw.net/english/middleeast/iran/010320261", Link: "https://www.rudaw.net/english/middleeast/iran/010320261",
			Title: "Iran's drones seen over Erbil", Summary: "<p>Residents reported drones &amp; sirens.</p>",
			Content: "<p>Residents of <b>Erbil</b> reported drones.</p>", Authors: []string{"Jane Doe"}, Language: "en",
			Published: t0.Add(-2 * time.Hour), Updated: t0.Add(-90 * time.Minute), FirstSeen: t0.Add(-2 * time.Hour),
			Topics: []string{"us-iran"},
			Copies: []news.Copy{
				{Source: "rudaw", Key: "https://www.rudaw.net/english/middleeast/iran/010320261", Link: "https://www.rudaw.net/english/middleeast/iran/010320261", Title: "Iran's drones seen over Erbil", Published: t0.Add(-2 * time.Hour)},
				{Source: "kurdistan24", Key: "k24-778", Link: "https://www.kurdistan24.net/en/story/778", Title: "Drones over Erbil, residents say", Published: t0.Add(-100 * time.Minute)},
			},
		},
		{
			ID: 2, Source: "aljazeera-ar", Key: "12345", GUID: "12345", Link: "https://www.aljazeera.net/news/2026/3/1/iran",
			Title: "إيران تحذر الولايات المتحدة", Summary: "<p>حذرت طهران واشنطن من أي تصعيد.</p>", Language: "ar",
			Published: t0.Add(-3 * time.Hour), Updated: t0.Add(-3 * time.Hour), FirstSeen: t0.Add(-170 * time.Minute),
			Topics: []string{"us-iran"},
			Copies: []news.Copy{{Source: "aljazeera-ar", Key: "12345", Link: "https://www.aljazeera.net/news/2026/3/1/iran", Published: t0.Add(-3 * time.Hour)}},
		},
		{
			ID: 3, Source: "kurdistan24", Key: "k24-779", GUID: "k24-779", Link: "javascript:alert(1)",
			Title: "<script>alert(1)</script>", Summary: "Plain summary with a \x01control character.",
			Published: t0.Add(-4 * time.Hour), Updated: t0.Add(-4 * time.Hour), FirstSeen: t0.Add(-4 * time.Hour),
			Copies: []news.Copy{{Source: "kurdistan24", Key: "k24-779", Link: "javascript:alert(1)", Published: t0.Add(-4 * time.Hour)}},
		},
		{
			ID: 4, Source: "rudaw", Key: "sha256:abcd", Title: "Oil prices rise",
			Published: t0.Add(-5 * time.Hour), Updated: t0.Add(-5 * time.Hour), FirstSeen: t0.Add(-5 * time.Hour),
			Topics: []string{"oil", "retired-topic"},
			Copies: []news.Copy{{Source: "rudaw", Key: "sha256:abcd", Published: t0.Add(-5 * time.Hour)}},
		},
	}
}

func newTestStore() *fakeStore {
	return newFakeStore(testItems(), testStates(), t0.Add(-30*time.Minute))
}

// manyItems makes n items of source "rudaw", one a minute, every third
// with "Iran" in its title and topic "us-iran"; several share a Published
// time so cursors must break ties by id.
func manyItems(n int) []news.Item {
	items := make([]news.Item, 0, n)
	for i := 1; i <= n; i++ {
		it := news.Item{
			ID: uint64(i), Source: "rudaw", Key: "k" + strconv.Itoa(i),
			Link:      "https://www.rudaw.net/english/" + strconv.Itoa(i),
			Title:     "Item " + strconv.Itoa(i),
			Summary:   "<p>Summary " + strconv.Itoa(i) + "</p>",
			Published: t0.Add(-time.Duration(i/2) * time.Minute),
			FirstSeen: t0.Add(-time.Duration(i/2) * time.Minute),
		}
		it.Updated = it.Published
		if i%3 == 0 {
			it.Title += " about Iran"
			it.Topics = []string{"us-iran"}
		}
		items = append(items, it)
	}
	return items
}

// fakeQuery matches items whose title contains q, ignoring case; a query
// with a "(" does not parse.
func fakeQuery(q string) (func(*news.Item) bool, error) {
	if strings.Contains(q, "(") {
		return nil, fmt.Errorf("unbalanced parenthesis at 1")
	}
	q = strings.ToLower(q)
	return func(it *news.Item) bool { return strings.Contains(strings.ToLower(it.Title), q) }, nil
}

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newGet(target string) (*http.Request, error) {
	return http.NewRequest(http.MethodGet, target, nil)
}
