package publish

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

func TestRouting(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "# metrics\n") })
	ready := errors.New("store not open")
	h := NewHandler(Options{Store: newTestStore(), Site: testSite(), Now: fixedNow, Metrics: metrics,
		Ready: func() error { return ready }})
	tests := []struct {
		method, target string
		status         int
		body           string // substring of the body
	}{
		{"GET", "/healthz", 200, "ok"},
		{"HEAD", "/healthz", 200, ""},
		{"GET", "/readyz", 503, "not ready: store not open"},
		{"GET", "/metrics", 200, "# metrics"},
		{"GET", "/feeds/all.atom", 200, "<feed"},
		{"HEAD", "/feeds/all.rss", 200, ""},
		{"GET", "/feeds/all.xml", 404, "unknown feed format"},
		{"GET", "/feeds/all", 404, "not found"},
		{"GET", "/feeds/everything.atom", 404, "merged feed"},
		{"GET", "/feeds/topics/us-iran.json", 200, "us-iran"},
		{"GET", "/feeds/topics/nope.json", 404, `no topic "nope"`},
		{"GET", "/feeds/topics/.json", 404, "no topic"},
		{"GET", "/feeds/sources/rudaw.rss", 200, "<rss"},
		{"GET", "/feeds/sources/old.rss", 200, "<rss"}, // configured, disabled: its stored items stay readable
		{"GET", "/feeds/sources/nope.rss", 404, `no source "nope"`},
		{"GET", "/feeds/sources/a/b.rss", 404, ""},
		{"GET", "/nope", 404, ""},
		{"POST", "/feeds/all.atom", 405, ""},
		{"DELETE", "/", 405, ""},
		{"POST", "/opml", 405, ""},
		{"GET", "/opml", 200, "<opml"},
		{"GET", "/", 200, "<!DOCTYPE html>"},
		{"GET", "/feeds/all.atom?q=iran", 400, "queries are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			rec := do(t, h, tt.method, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("body %q does not contain %q", rec.Body, tt.body)
			}
			if tt.method == "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("HEAD answered with a body")
			}
		})
	}
	ready = nil
	if rec := get(t, h, "/readyz"); rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "ready" {
		t.Errorf("readyz when ready: %d %q", rec.Code, rec.Body)
	}
	if rec := get(t, newTestHandler(newTestStore()), "/metrics"); rec.Code != 404 {
		t.Errorf("metrics without a handler: %d, want 404", rec.Code)
	}
}

func TestCacheHeaders(t *testing.T) {
	h := newTestHandler(newTestStore())
	for _, target := range []string{"/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/feeds/topics/oil.rss", "/opml", "/"} {
		t.Run(target, func(t *testing.T) {
			rec := get(t, h, target)
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			hd := rec.Header()
			etag := hd.Get("ETag")
			if len(etag) < 10 || etag[0] != '"' || etag[len(etag)-1] != '"' {
				t.Errorf("ETag %q is not a strong entity tag", etag)
			}
			if got := hd.Get("Cache-Control"); got != "public, max-age=60" {
				t.Errorf("Cache-Control = %q", got)
			}
			if got := hd.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("Vary = %q", got)
			}
			if hd.Get("Content-Length") != fmt.Sprint(rec.Body.Len()) {
				t.Errorf("Content-Length %s, body %d bytes", hd.Get("Content-Length"), rec.Body.Len())
			}
			if target != "/" {
				lm, err := http.ParseTime(hd.Get("Last-Modified"))
				if err != nil {
					t.Fatalf("Last-Modified %q: %v", hd.Get("Last-Modified"), err)
				}
				if lm.IsZero() {
					t.Error("zero Last-Modified")
				}
			}
			if again := get(t, h, target); again.Header().Get("ETag") != etag || !bytes.Equal(again.Body.Bytes(), rec.Body.Bytes()) {
				t.Error("a second request got another body or ETag")
			}
		})
	}
}

func TestLastModified(t *testing.T) {
	s := newTestStore()
	// The site was installed before the last change: Last-Modified is LastChange.
	h := NewHandler(Options{Store: s, Site: testSite(), Now: func() time.Time { return t0.Add(-3 * time.Hour) }})
	rec := get(t, h, "/feeds/all.atom")
	if got, want := rec.Header().Get("Last-Modified"), s.LastChange().Format(http.TimeFormat); got != want {
		t.Errorf("Last-Modified = %q, want LastChange %q", got, want)
	}
	// A store that never changed: the newest item's Updated.
	s.last = time.Time{}
	s.setItems(testItems())
	rec = get(t, h, "/feeds/all.atom")
	if got, want := rec.Header().Get("Last-Modified"), t0.Add(-90*time.Minute).Format(http.TimeFormat); got != want {
		t.Errorf("Last-Modified = %q, want newest Updated %q", got, want)
	}
}

func TestConditional(t *testing.T) {
	h := newTestHandler(newTestStore())
	first := get(t, h, "/feeds/all.atom")
	etag, lm := first.Header().Get("ETag"), first.Header().Get("Last-Modified")
	lmTime, _ := http.ParseTime(lm)
	tests := []struct {
		name   string
		hdr    []string
		status int
	}{
		{"no validators", nil, 200},
		{"If-None-Match exact", []string{"If-None-Match", etag}, 304},
		{"If-None-Match weak", []string{"If-None-Match", "W/" + etag}, 304},
		{"If-None-Match list", []string{"If-None-Match", `"x", W/"y",` + etag}, 304},
		{"If-None-Match two fields", []string{"If-None-Match", `"x"`, "If-None-Match", etag}, 304},
		{"If-None-Match star", []string{"If-None-Match", "*"}, 304},
		{"If-None-Match other", []string{"If-None-Match", `"other"`}, 200},
		{"If-None-Match garbage", []string{"If-None-Match", `garbage`}, 200},
		{"If-Modified-Since equal", []string{"If-Modified-Since", lm}, 304},
		{"If-Modified-Since later", []string{"If-Modified-Since", lmTime.Add(time.Hour).Format(http.TimeFormat)}, 304},
		{"If-Modified-Since earlier", []string{"If-Modified-Since", lmTime.Add(-time.Second).Format(http.TimeFormat)}, 200},
		{"If-Modified-Since bad date", []string{"If-Modified-Since", "yesterday"}, 200},
		{"If-None-Match wins over If-Modified-Since", []string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, "/feeds/all.atom", tt.hdr...)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if rec.Code == 304 {
				if rec.Body.Len() != 0 {
					t.Error("304 with a body")
				}
				if rec.Header().Get("ETag") != etag || rec.Header().Get("Cache-Control") == "" || rec.Header().Get("Vary") == "" {
					t.Errorf("304 headers incomplete: %v", rec.Header())
				}
			}
		})
	}
}

func TestGzip(t *testing.T) {
	h := newTestHandler(newTestStore())
	plainRec := get(t, h, "/feeds/all.json")
	tests := []struct {
		accept string
		gzip   bool
	}{
		{"", false},
		{"gzip", true},
		{"br, gzip;q=0.5", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"gzip;q=0", false},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false},
		{"identity", false},
		{"deflate, br", false},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			rec := get(t, h, "/feeds/all.json", "Accept-Encoding", tt.accept)
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			if got := rec.Header().Get("Content-Encoding") == "gzip"; got != tt.gzip {
				t.Fatalf("gzip = %v, want %v", got, tt.gzip)
			}
			if rec.Header().Get("Content-Length") != fmt.Sprint(rec.Body.Len()) {
				t.Errorf("Content-Length %s, body %d bytes", rec.Header().Get("Content-Length"), rec.Body.Len())
			}
			if rec.Header().Get("ETag") != plainRec.Header().Get("ETag") {
				t.Error("ETag differs between encodings")
			}
			body := rec.Body.Bytes()
			if tt.gzip {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, plainRec.Body.Bytes()) {
				t.Error("decompressed body differs from the identity body")
			}
		})
	}
}

func TestLimit(t *testing.T) {
	s := newFakeStore(manyItems(600), nil, t0)
	h := newTestHandler(s)
	tests := []struct {
		query  string
		status int
		items  int
	}{
		{"", 200, DefaultLimit},
		{"?limit=1", 200, 1},
		{"?limit=7", 200, 7},
		{"?limit=500", 200, 500},
		{"?limit=0", 400, 0},
		{"?limit=-3", 400, 0},
		{"?limit=501", 400, 0},
		{"?limit=abc", 400, 0},
		{"?limit=1.5", 400, 0},
		{"?limit=99999999999999999999", 400, 0},
		{"?limit=%zz", 400, 0},
		{"?before=nonsense", 400, 0},
		{"?before=c12-x", 400, 0},
		{"?q=(iran", 400, 0},
		{"?q=" + strings.Repeat("x", 1001), 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := get(t, h, "/feeds/all.json"+tt.query)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 200 {
				if msg := rec.Body.String(); !strings.HasPrefix(msg, "bad ") {
					t.Errorf("message %q does not say what is bad", msg)
				}
				if rec.Header().Get("Cache-Control") != "no-store" {
					t.Error("an error response may be cached")
				}
				return
			}
			var f struct{ Items []json.RawMessage }
			if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != tt.items {
				t.Errorf("%d items, want %d", len(f.Items), tt.items)
			}
		})
	}
}

// walk follows next links from start and returns the item ids seen, in order.
func walk(t *testing.T, h http.Handler, start string) []string {
	t.Helper()
	var ids []string
	next := start
	for pages := 0; next != ""; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		u, err := url.Parse(next)
		if err != nil {
			t.Fatal(err)
		}
		rec := get(t, h, u.RequestURI())
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", next, rec.Code, rec.Body)
		}
		var f struct {
			FeedURL string `json:"feed_url"`
			NextURL string `json:"next_url"`
			Items   []struct{ ID string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		if self, _ := url.Parse(f.FeedURL); self.Path != u.Path || self.Query().Get("before") != u.Query().Get("before") {
			t.Errorf("feed_url %q, want the page's own URL %q", f.FeedURL, next)
		}
		for _, it := range f.Items {
			ids = append(ids, it.ID)
		}
		next = f.NextURL
		if next != "" {
			nu, _ := url.Parse(next)
			limit := u.Query().Get("limit")
			if limit == fmt.Sprint(DefaultLimit) {
				limit = "" // the default need not be spelled out
			}
			if nu.Query().Get("limit") != limit || nu.Query().Get("q") != u.Query().Get("q") {
				t.Fatalf("next link %q lost limit or q of %q", next, u)
			}
			if nu.Query().Get("before") == "" {
				t.Fatalf("next link %q has no cursor", next)
			}
		}
	}
	return ids
}

func TestPaging(t *testing.T) {
	const n = 137
	h := newTestHandler(newFakeStore(manyItems(n), nil, t0))
	for _, limit := range []int{1, 10, 50, 137, 500} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			ids := walk(t, h, fmt.Sprintf("/feeds/all.json?limit=%d", limit))
			if len(ids) != n {
				t.Fatalf("visited %d items, want %d", len(ids), n)
			}
			seen := map[string]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Fatalf("item %s visited twice", id)
				}
				seen[id] = true
			}
		})
	}
	t.Run("atom and rss carry the next link", func(t *testing.T) {
		atom := get(t, h, "/feeds/all.atom?limit=10").Body.String()
		if !strings.Contains(atom, `<link rel="next" type="application/atom+xml" href="http://news.example.org/feeds/all.atom?before=`) ||
			!strings.Contains(atom, `;limit=10"`) {
			t.Errorf("atom page lacks a next link with the limit:\n%.1500s", atom)
		}
		rss := get(t, h, "/feeds/all.rss?limit=10").Body.String()
		if !strings.Contains(rss, `<atom:link rel="next" type="application/rss+xml" href="http://news.example.org/feeds/all.rss?before=`) {
			t.Errorf("rss page lacks a next link:\n%.1500s", rss)
		}
		last := get(t, h, "/feeds/all.atom?limit=500").Body.String()
		if strings.Contains(last, `rel="next"`) {
			t.Error("the only page links to a next one")
		}
	})
}

func TestQueryFilter(t *testing.T) {
	const n = 300
	h := newTestHandler(newFakeStore(manyItems(n), nil, t0))
	ids := walk(t, h, "/feeds/all.json?limit=7&q=IRAN")
	if len(ids) != n/3 {
		t.Fatalf("q=IRAN visited %d items, want %d", len(ids), n/3)
	}
	rec := get(t, h, "/feeds/all.json?limit=5&q=about+iran")
	var f struct {
		Title string
		Items []struct{ Title string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Title, "about iran") {
		t.Errorf("filtered feed title %q does not name the query", f.Title)
	}
	for _, it := range f.Items {
		if !strings.Contains(it.Title, "Iran") {
			t.Errorf("item %q does not match the query", it.Title)
		}
	}
	// A query that matches nothing within the budget (20×1+1000 items of
	// 2000) gives a short page that still links on, and the walk ends.
	h = newTestHandler(newFakeStore(manyItems(2000), nil, t0))
	rec = get(t, h, "/feeds/all.json?limit=1&q=nomatch")
	var g struct {
		NextURL string `json:"next_url"`
		Items   []json.RawMessage
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Items) != 0 || g.NextURL == "" {
		t.Errorf("budget-limited page: %d items, next %q; want 0 items and a next link", len(g.Items), g.NextURL)
	}
	if ids := walk(t, h, "/feeds/all.json?limit=1&q=nomatch"); len(ids) != 0 {
		t.Errorf("q=nomatch found %d items", len(ids))
	}
}

func TestSourceAndTopicFeeds(t *testing.T) {
	h := newTestHandler(newTestStore())
	var f struct {
		Items []struct {
			ID    string
			URL   string
			Title string
			Tags  []string
			Ext   struct {
				Source string
				Also   []struct{ Source, Title, URL string }
			} `json:"_aggregatord"`
		}
	}
	rec := get(t, h, "/feeds/sources/kurdistan24.json")
	if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 2 {
		t.Fatalf("kurdistan24 feed has %d items, want 2 (its own and its copy of a shared one)", len(f.Items))
	}
	own := f.Items[0]
	if own.Title != "Drones over Erbil, residents say" || own.URL != "https://www.kurdistan24.net/en/story/778" || own.Ext.Source != "kurdistan24" {
		t.Errorf("source feed shows %q %q from %q, want kurdistan24's own copy", own.Title, own.URL, own.Ext.Source)
	}
	if len(own.Ext.Also) != 1 || own.Ext.Also[0].Source != "rudaw" {
		t.Errorf("also = %+v, want rudaw", own.Ext.Also)
	}
	rec = get(t, h, "/feeds/topics/us-iran.json")
	if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 2 {
		t.Fatalf("us-iran feed has %d items, want 2", len(f.Items))
	}
	for _, it := range f.Items {
		if len(it.Tags) != 1 || it.Tags[0] != "us-iran" {
			t.Errorf("item %q tags %v", it.Title, it.Tags)
		}
	}
	if f.Items[0].Ext.Source != "rudaw" || len(f.Items[0].Ext.Also) != 1 || f.Items[0].Ext.Also[0].URL != "https://www.kurdistan24.net/en/story/778" {
		t.Errorf("merged copy: %+v", f.Items[0].Ext)
	}
}

func TestCacheReuse(t *testing.T) {
	s := newTestStore()
	h := newTestHandler(s)
	for _, target := range []string{"/feeds/all.atom", "/feeds/all.atom?limit=2", "/feeds/all.rss", "/"} {
		before := s.scans.Load()
		get(t, h, target)
		if got := s.scans.Load() - before; got != 1 {
			t.Fatalf("%s: first request scanned %d times, want 1", target, got)
		}
		get(t, h, target)
		get(t, h, target, "Accept-Encoding", "gzip")
		if got := s.scans.Load() - before; got != 1 {
			t.Errorf("%s: cached requests scanned again (%d scans)", target, got)
		}
	}
	// Query parameters other than limit, q and before share the entry; an
	// explicit default limit is the same page.
	before := s.scans.Load()
	get(t, h, "/feeds/all.atom?utm_source=x")
	get(t, h, "/feeds/all.atom?limit=50")
	if s.scans.Load() != before {
		t.Error("equivalent queries rendered again")
	}

	// A new generation renders again, once.
	etag := get(t, h, "/feeds/all.atom").Header().Get("ETag")
	items := testItems()
	items[0].Title = "Changed title"
	s.setItems(items)
	before = s.scans.Load()
	rec := get(t, h, "/feeds/all.atom", "If-None-Match", etag)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Changed title") {
		t.Fatalf("after a change: %d, body has the change: %v", rec.Code, strings.Contains(rec.Body.String(), "Changed title"))
	}
	get(t, h, "/feeds/all.atom")
	if got := s.scans.Load() - before; got != 1 {
		t.Errorf("after a generation change: %d scans, want 1", got)
	}

	// A new site renders again; setting an equal site does not.
	h.SetSite(testSite())
	before = s.scans.Load()
	get(t, h, "/feeds/all.atom")
	if s.scans.Load() != before {
		t.Error("an unchanged SetSite dropped the cache")
	}
	site := testSite()
	site.Title = "Renamed"
	site.CacheMaxAge = 5 * time.Minute
	h.SetSite(site)
	rec = get(t, h, "/feeds/all.atom")
	if s.scans.Load() != before+1 || !strings.Contains(rec.Body.String(), "<title type=\"text\">Renamed</title>") {
		t.Error("a new site was not rendered")
	}
	if got := rec.Header().Get("Cache-Control"); got != "public, max-age=300" {
		t.Errorf("Cache-Control after SetSite = %q", got)
	}
}

func TestCacheBounded(t *testing.T) {
	s := newFakeStore(manyItems(10), nil, t0)
	h := newTestHandler(s)
	for i := 1; i <= cacheSize+50; i++ {
		get(t, h, fmt.Sprintf("/feeds/all.json?limit=%d", i%MaxLimit+1))
	}
	if n, _ := h.cache.stats(); n > cacheSize {
		t.Errorf("cache holds %d entries, bound %d", n, cacheSize)
	}
}

func TestCacheByteBound(t *testing.T) {
	c := newRespCache(100, 1000)
	mk := func(n int) *rendered { return &rendered{body: make([]byte, n)} }
	for i := range 20 {
		c.put(fmt.Sprint(i), mk(300))
		if n, b := c.stats(); b > 1000 || b != n*300 {
			t.Fatalf("after %d puts: %d entries, %d bytes", i+1, n, b)
		}
	}
	if c.get("19") == nil || c.get("0") != nil {
		t.Error("eviction is not least recently used")
	}
	c.put("19", mk(100)) // replacing an entry accounts for the difference
	if n, b := c.stats(); b != (n-1)*300+100 {
		t.Errorf("after replacement: %d entries, %d bytes", n, b)
	}
	c.put("huge", mk(5000))
	if c.get("huge") != nil {
		t.Error("an entry larger than the whole budget was kept")
	}
}

func TestPageExpires(t *testing.T) {
	s := newTestStore()
	now := t0
	h := NewHandler(Options{Store: s, Site: testSite(), Now: func() time.Time { return now }})
	get(t, h, "/")
	before := s.scans.Load()
	now = now.Add(59 * time.Second)
	get(t, h, "/")
	if s.scans.Load() != before {
		t.Error("page re-rendered before max-age passed")
	}
	now = now.Add(2 * time.Second)
	get(t, h, "/")
	if s.scans.Load() != before+1 {
		t.Error("page not re-rendered after max-age: source health would go stale")
	}
}

func TestSingleFlight(t *testing.T) {
	s := newTestStore()
	s.gate = make(chan struct{})
	h := newTestHandler(s)
	const n = 20
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = get(t, h, "/feeds/all.rss").Code
		}()
	}
	// Let the requests pile up on the first render, then release it.
	deadline := time.Now().Add(2 * time.Second)
	for s.scans.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond)
	close(s.gate)
	wg.Wait()
	for _, c := range codes {
		if c != 200 {
			t.Fatalf("status %d", c)
		}
	}
	if got := s.scans.Load(); got != 1 {
		t.Errorf("%d concurrent identical requests scanned %d times, want 1", n, got)
	}
}

func TestStoreErrors(t *testing.T) {
	s := newTestStore()
	s.err = errors.New("disk on fire")
	var logs bytes.Buffer
	h := NewHandler(Options{Store: s, Site: testSite(), Now: fixedNow})
	h.log = newTextLogger(&logs)
	rec := get(t, h, "/feeds/all.atom")
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "disk on fire") {
		t.Errorf("store failure: %d %q; want 500 without internals", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("store failure not logged: %q", logs.String())
	}
	// Failures are not cached.
	s.err = nil
	if rec := get(t, h, "/feeds/all.atom"); rec.Code != 200 {
		t.Errorf("after recovery: %d", rec.Code)
	}
	// No store at all.
	h = NewHandler(Options{Site: testSite()})
	if rec := get(t, h, "/feeds/all.json"); rec.Code != 500 {
		t.Errorf("without a store: %d", rec.Code)
	}
	if rec := get(t, h, "/healthz"); rec.Code != 200 {
		t.Errorf("healthz without a store: %d", rec.Code)
	}
}

func TestBaseURLFromRequest(t *testing.T) {
	site := testSite()
	site.BaseURL = ""
	h := NewHandler(Options{Store: newTestStore(), Site: site, Now: fixedNow})
	req := func(host string) string {
		r, _ := http.NewRequest("GET", "/feeds/all.json", nil)
		r.Host = host
		rec := newRecorder()
		h.ServeHTTP(rec, r)
		var f struct {
			FeedURL string `json:"feed_url"`
		}
		json.Unmarshal(rec.Body.Bytes(), &f)
		return f.FeedURL
	}
	if got := req("a.example:8080"); got != "http://a.example:8080/feeds/all.json" {
		t.Errorf("feed_url %q", got)
	}
	if got := req("b.example"); got != "http://b.example/feeds/all.json" {
		t.Errorf("feed_url %q (a cached response for another host?)", got)
	}
	if got := req("evil\"<>"); got != "http://localhost/feeds/all.json" {
		t.Errorf("feed_url %q from a bad Host", got)
	}
	site.BaseURL = "https://news.example.net/sub" // no trailing slash
	h.SetSite(site)
	if got := req("ignored"); got != "https://news.example.net/sub/feeds/all.json" {
		t.Errorf("feed_url %q", got)
	}
}

func TestSetSiteConcurrent(t *testing.T) {
	h := newTestHandler(newTestStore())
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range 50 {
				site := testSite()
				site.Title = fmt.Sprint("site ", i, j)
				h.SetSite(site)
			}
		}()
		go func() {
			defer wg.Done()
			for range 50 {
				if rec := get(t, h, "/feeds/all.atom"); rec.Code != 200 {
					t.Errorf("status %d", rec.Code)
				}
			}
		}()
	}
	wg.Wait()
}

func TestUnknownTopicsAndStateless(t *testing.T) {
	// Topics no longer configured are not categories; sources the store has
	// no state for are named by their configured title or name.
	s := newFakeStore(testItems(), nil, t0)
	h := newTestHandler(s)
	body := get(t, h, "/feeds/all.atom").Body.String()
	if strings.Contains(body, "retired-topic") {
		t.Error("an unconfigured topic became a category")
	}
	if !strings.Contains(body, "<title type=\"text\">kurdistan24</title>") {
		t.Error("a source without title or state is not named by its name")
	}
	_ = news.Item{}
}

func TestSetSiteUnchanged(t *testing.T) {
	site := testSite()
	site.Title, site.BaseURL = "", "http://news.example.org" // both normalised inside
	h := NewHandler(Options{Store: newTestStore(), Site: site, Now: fixedNow})
	v := h.site.Load().version
	h.SetSite(site)
	if h.site.Load().version != v {
		t.Error("setting the same site again changed the version")
	}
	if got := get(t, h, "/feeds/all.json").Body.String(); !strings.Contains(got, `"feed_url": "http://news.example.org/feeds/all.json"`) ||
		!strings.Contains(got, `"title": "aggregatord"`) {
		t.Errorf("normalised site not used:\n%.400s", got)
	}
}

// TestServer runs the handler behind a real net/http server on loopback.
func TestServer(t *testing.T) {
	srv := httptest.NewServer(newTestHandler(newTestStore()))
	defer srv.Close()
	client := srv.Client()

	// The client asks for gzip itself and decompresses transparently.
	resp, err := client.Get(srv.URL + "/feeds/all.atom")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !resp.Uncompressed || !bytes.Contains(body, []byte("<feed")) {
		t.Fatalf("GET: %d, uncompressed %v", resp.StatusCode, resp.Uncompressed)
	}
	etag := resp.Header.Get("ETag")

	req, _ := http.NewRequest(http.MethodHead, srv.URL+"/feeds/all.atom", nil)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(body)) {
		t.Errorf("HEAD: %d, Content-Length %d, want %d", resp.StatusCode, resp.ContentLength, len(body))
	}

	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/feeds/all.atom", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 304 || n != 0 {
		t.Errorf("conditional GET: %d with %d body bytes", resp.StatusCode, n)
	}
}
