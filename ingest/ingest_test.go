package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/feeds"
	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/storage"
)

// server serves one feed whose body, headers and status the test changes.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	body     string
	etag     string
	status   int
	header   http.Header
	requests []*http.Request
}

func newServer(t *testing.T) *server {
	s := &server{status: 200, header: http.Header{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.requests = append(s.requests, r.Clone(context.Background()))
		for k, v := range s.header {
			w.Header()[k] = v
		}
		if s.etag != "" {
			w.Header().Set("ETag", s.etag)
			if r.Header.Get("If-None-Match") == s.etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.WriteHeader(s.status)
		fmt.Fprint(w, s.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) set(f func(s *server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *server) last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[len(s.requests)-1]
}

func rss(items ...string) string {
	return `<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet</title><link>https://outlet.example/</link><description>d</description>` +
		strings.Join(items, "") + `</channel></rss>`
}

func item(guid, title, desc string, published time.Time) string {
	return fmt.Sprintf(`<item><guid isPermaLink="false">%s</guid><title>%s</title><link>https://outlet.example/%s</link><description>%s</description><pubDate>%s</pubDate></item>`,
		guid, title, guid, desc, published.Format(time.RFC1123Z))
}

type fixture struct {
	in    *Ingester
	store *storage.Store
	now   time.Time
	src   config.Source
}

func newFixture(t *testing.T, srv *server) *fixture {
	f := &fixture{now: time.Now().UTC().Truncate(time.Second)}
	st, err := storage.Open(filepath.Join(t.TempDir(), "t.db"), storage.Options{Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Check(); err != nil {
			t.Errorf("store check: %v", err)
		}
		st.Close()
	})
	f.store = st
	f.src = config.Source{Name: "outlet", URL: srv.URL + "/feed", Enabled: true}
	f.in = New(Options{
		Fetcher: feeds.NewFetcher(feeds.FetcherOptions{Timeout: 2 * time.Second, MaxBodyBytes: 1 << 20}),
		Store:   st,
		Now:     func() time.Time { return f.now },
	})
	return f
}

func (f *fixture) run(t *testing.T) Result {
	t.Helper()
	return f.in.Run(context.Background(), f.src)
}

func TestConditionalGetStoresNothingNew(t *testing.T) {
	srv := newServer(t)
	srv.set(func(s *server) {
		s.etag = `"v1"`
		s.header.Set("Last-Modified", "Mon, 02 Jan 2026 15:04:05 GMT")
		s.body = rss(item("a", "One", "x", time.Now().Add(-time.Hour)), item("b", "Two", "y", time.Now().Add(-2*time.Hour)))
	})
	f := newFixture(t, srv)
	if r := f.run(t); r.Status != StatusOK || r.New != 2 {
		t.Fatalf("first: %+v", r)
	}
	gen := f.store.Generation()
	r := f.run(t)
	if r.Status != StatusNotModified || r.New+r.Updated+r.Duplicate != 0 {
		t.Errorf("second: %+v", r)
	}
	req := srv.last()
	if req.Header.Get("If-None-Match") != `"v1"` || req.Header.Get("If-Modified-Since") != "Mon, 02 Jan 2026 15:04:05 GMT" {
		t.Errorf("second request validators: %v", req.Header)
	}
	if f.store.Generation() != gen {
		t.Error("a 304 changed stored items")
	}
	st, _ := f.store.SourceState("outlet")
	if st.Status != 304 || st.LastSuccess != f.now || st.Error != "" {
		t.Errorf("state after 304: %+v", st)
	}
}

func TestUnchangedBodyNotReparsed(t *testing.T) {
	srv := newServer(t) // no validators at all
	srv.set(func(s *server) { s.body = rss(item("a", "One", "x", time.Now().Add(-time.Hour))) })
	f := newFixture(t, srv)
	if r := f.run(t); r.Status != StatusOK || r.New != 1 {
		t.Fatalf("first: %+v", r)
	}
	if r := f.run(t); r.Status != StatusUnchanged {
		t.Errorf("same body: %+v", r)
	}
	srv.set(func(s *server) { s.body = rss(item("a", "One (updated)", "x", time.Now().Add(-time.Hour))) })
	f.now = f.now.Add(time.Minute)
	r := f.run(t)
	if r.Status != StatusOK || r.Updated != 1 {
		t.Fatalf("edited item: %+v", r)
	}
	it, ok, _ := f.store.ItemByKey("outlet", "a")
	if !ok || it.Title != "One (updated)" || !it.Updated.Equal(f.now) {
		t.Errorf("stored after edit: %+v", it)
	}
}

func TestFailureBackoffAndRecovery(t *testing.T) {
	srv := newServer(t)
	srv.set(func(s *server) { s.status = 500; s.body = "oops" })
	f := newFixture(t, srv)
	var dues []time.Duration
	for range 3 {
		r := f.run(t)
		if r.Status != StatusFailed || r.HTTPStatus != 500 {
			t.Fatalf("%+v", r)
		}
		dues = append(dues, r.NextDue.Sub(f.now))
	}
	if dues[0] != time.Minute || dues[1] != 2*time.Minute || dues[2] != 4*time.Minute {
		t.Errorf("backoff delays %v, want 1m 2m 4m", dues)
	}
	st, _ := f.store.SourceState("outlet")
	if st.Failures != 3 || !strings.Contains(st.Error, "500") {
		t.Errorf("state: %+v", st)
	}
	srv.set(func(s *server) { s.status = 200; s.body = rss(item("a", "One", "x", time.Now())) })
	if r := f.run(t); r.Status != StatusOK {
		t.Fatalf("recovery: %+v", r)
	}
	st, _ = f.store.SourceState("outlet")
	if st.Failures != 0 || st.Error != "" || !st.NextDue.IsZero() {
		t.Errorf("state after recovery: %+v", st)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name, header string
		want         time.Duration
	}{
		{"seconds", "600", 10 * time.Minute},
		{"http-date", "", 30 * time.Minute}, // filled in below
		{"absurd", "99999999", 24 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			f := newFixture(t, srv)
			h := tt.header
			if h == "" {
				h = f.now.Add(tt.want).UTC().Format(http.TimeFormat)
			}
			srv.set(func(s *server) { s.status = 503; s.header.Set("Retry-After", h) })
			r := f.run(t)
			if r.Status != StatusFailed || r.HTTPStatus != 503 {
				t.Fatalf("%+v", r)
			}
			// The fetcher reads Retry-After seconds against the real clock.
			if got := r.NextDue.Sub(f.now); got < tt.want-2*time.Second || got > tt.want+2*time.Second {
				t.Errorf("next due in %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGoneDisablesSource(t *testing.T) {
	srv := newServer(t)
	srv.set(func(s *server) { s.status = 410 })
	f := newFixture(t, srv)
	if r := f.run(t); r.Status != StatusGone || !r.Failed() {
		t.Fatalf("%+v", r)
	}
	n := len(srv.requests)
	r := f.run(t)
	if r.Status != StatusGone || len(srv.requests) != n {
		t.Errorf("gone source fetched again: %+v", r)
	}
	st, _ := f.store.SourceState("outlet")
	if !st.Gone || !strings.Contains(st.Error, "410") {
		t.Errorf("state: %+v", st)
	}
	// A new URL in the config brings it back.
	f.src.URL += "?v=2"
	srv.set(func(s *server) { s.status = 200; s.body = rss(item("a", "One", "x", time.Now())) })
	if r := f.run(t); r.Status != StatusOK {
		t.Errorf("after url change: %+v", r)
	}
}

func TestRetentionDropsOldItems(t *testing.T) {
	srv := newServer(t)
	srv.set(func(s *server) {
		s.body = rss(item("new", "New", "x", time.Now().Add(-time.Hour)), item("old", "Old", "y", time.Now().Add(-40*24*time.Hour)))
	})
	f := newFixture(t, srv)
	f.in.SetPolicy(Policy{Retention: 720 * time.Hour})
	if r := f.run(t); r.New != 1 {
		t.Errorf("new = %d, want 1 (old item dropped)", r.New)
	}
	if _, ok, _ := f.store.ItemByKey("outlet", "old"); ok {
		t.Error("item older than retention stored")
	}
}

type tagAll struct{}

func (tagAll) Tag(it *news.Item) { it.Topics = []string{"everything"} }

func TestTaggerApplied(t *testing.T) {
	srv := newServer(t)
	srv.set(func(s *server) { s.body = rss(item("a", "One", "x", time.Now())) })
	f := newFixture(t, srv)
	f.in.SetPolicy(Policy{Tagger: tagAll{}})
	f.run(t)
	if n, _ := f.store.Count(storage.TopicIndex("everything")); n != 1 {
		t.Errorf("topic index has %d items, want 1", n)
	}
}

func TestNotAFeed(t *testing.T) {
	srv := newServer(t)
	srv.set(func(s *server) {
		s.header.Set("Content-Type", "text/html")
		s.body = `<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body>hi</body></html>`
	})
	f := newFixture(t, srv)
	r := f.run(t)
	if r.Status != StatusFailed || !errors.Is(r.Err, feeds.ErrNotFeed) {
		t.Fatalf("%+v", r)
	}
	st, _ := f.store.SourceState("outlet")
	if !strings.Contains(st.Error, "/rss") {
		t.Errorf("error does not name the discovered feed: %q", st.Error)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Base: time.Minute, Max: time.Hour}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := b.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := b.Delay(1000); got != time.Hour {
		t.Errorf("Delay(1000) = %v", got)
	}
}
