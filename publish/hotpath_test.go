package publish

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// routeRecorder is a ResponseRecorder that is a RouteRecorder.
type routeRecorder struct {
	*httptest.ResponseRecorder
	routes []string
}

func (r *routeRecorder) SetRoute(name string) { r.routes = append(r.routes, name) }

// serveBoth serves target through ServeHTTP (with its feed fast path) and
// through the mux alone, and reports any difference in what the client
// or the metrics would see.
func serveBoth(t testing.TB, h *Handler, method, target string) (fast *routeRecorder, diff string) {
	t.Helper()
	// As the server makes the request of a request line.
	if _, err := url.ParseRequestURI(target); err != nil {
		t.Fatalf("%q: %v", target, err)
	}
	mk := func() *http.Request {
		r := httptest.NewRequest(method, "http://news.example.org/", nil)
		r.URL, _ = url.ParseRequestURI(target)
		r.RequestURI = target
		return r
	}
	fast = &routeRecorder{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(fast, mk())
	slow := &routeRecorder{ResponseRecorder: httptest.NewRecorder()}
	req := mk()
	h.mux.ServeHTTP(slow, req)
	want := slow.routes
	if len(want) == 0 { // no route served it: metrics fall back to Route
		want = []string{h.Route(mk())}
	}
	got := fast.routes
	if len(got) == 0 {
		got = []string{h.Route(mk())}
	}
	switch {
	case fast.Code != slow.Code:
		return fast, "status " + http.StatusText(fast.Code) + " vs the mux's " + http.StatusText(slow.Code)
	case fast.Body.String() != slow.Body.String():
		return fast, "body " + fast.Body.String() + " vs the mux's " + slow.Body.String()
	case !equalHeaders(fast.Header(), slow.Header()):
		return fast, "headers differ"
	case !slices.Equal(got, want):
		return fast, "route " + strings.Join(got, ",") + " vs the mux's " + strings.Join(want, ",")
	}
	return fast, ""
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestFeedRouteAsMux: the feed fast path of ServeHTTP answers every
// request as the mux would, and reports the same route name.
func TestFeedRouteAsMux(t *testing.T) {
	h := newTestHandler(newFakeStore(manyItems(30), testStates(), t0))
	paths := []string{
		"/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/feeds/all.xml", "/feeds/all", "/feeds/other.atom",
		"/feeds/", "/feeds", "/feeds/topics", "/feeds/topics/", "/feeds/sources", "/feeds/sources/",
		"/feeds/topics/us-iran.atom", "/feeds/topics/oil.json", "/feeds/topics/nope.rss", "/feeds/topics/us-iran",
		"/feeds/sources/rudaw.rss", "/feeds/sources/old.atom", "/feeds/sources/nope.atom",
		"/feeds//all.atom", "/feeds/./all.atom", "/feeds/topics/../all.atom", "/feeds/..", "/feeds/.",
		"/feeds/topics/..", "/feeds/topics/.", "/feeds/all.atom/", "/feeds/topics/us-iran.atom/x",
		"/feeds/all%2Eatom", "/feeds%2Fall.atom", "/feeds/topics%2Fus-iran.atom", "/feeds/a%20b.atom", "/feeds/a%2Fb.atom",
		"/feeds/all.atom?limit=5", "/feeds/all.atom?limit=x", "/feeds/all.atom?q=iran", "/feeds/all.atom?limit=50",
		"/feeds/all.atom?%zz", "/Feeds/all.atom", "/feeds/ALL.atom", "/feeds/all.atom#x", "/",
	}
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, "get"} {
		for _, p := range paths {
			t.Run(method+" "+p, func(t *testing.T) {
				if _, diff := serveBoth(t, h, method, p); diff != "" {
					t.Error(diff)
				}
			})
		}
	}
}

// FuzzFeedRoute: whatever the path, the fast path and the mux agree.
func FuzzFeedRoute(f *testing.F) {
	for _, s := range []string{"/feeds/all.atom", "/feeds/topics/oil.rss", "/feeds//x", "/feeds/sources/rudaw.json?limit=2", "/feeds/%2e%2e", "/feeds/topics/"} {
		f.Add(s)
	}
	h := newTestHandler(newFakeStore(manyItems(5), testStates(), t0))
	f.Fuzz(func(t *testing.T, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t") {
			return
		}
		if _, err := url.ParseRequestURI(target); err != nil {
			return // the server answers 400 before any handler
		}
		if _, diff := serveBoth(t, h, http.MethodGet, target); diff != "" {
			t.Errorf("%q: %s", target, diff)
		}
	})
}

// TestServedHeadersNotShared: a cached response's header values are
// assigned to the header map without copying, so changing them in one
// response (Header.Add) must not reach the next response.
func TestServedHeadersNotShared(t *testing.T) {
	h := newTestHandler(newFakeStore(manyItems(5), testStates(), t0))
	first := get(t, h, "/feeds/all.atom")
	etag := first.Header().Get("ETag")
	for _, hdr := range []http.Header{first.Header(), get(t, h, "/feeds/all.atom", "If-None-Match", etag).Header()} {
		for k := range hdr {
			hdr.Add(k, "changed")
		}
	}
	for _, rec := range []*httptest.ResponseRecorder{get(t, h, "/feeds/all.atom"), get(t, h, "/feeds/all.atom", "If-None-Match", etag)} {
		for k, v := range rec.Header() {
			if len(v) != 1 || v[0] == "changed" {
				t.Errorf("%d: %s = %q after a previous response's values were changed", rec.Code, k, v)
			}
		}
	}
}

// TestNotModifiedForms: If-None-Match forms that name the current ETag
// answer 304, others 200.
func TestNotModifiedForms(t *testing.T) {
	h := newTestHandler(newFakeStore(manyItems(5), testStates(), t0))
	etag := get(t, h, "/feeds/all.atom").Header().Get("ETag")
	tests := []struct {
		inm  []string
		want int
	}{
		{[]string{etag}, 304},
		{[]string{"W/" + etag}, 304},
		{[]string{`"other", ` + etag}, 304},
		{[]string{`"other"`, etag}, 304},
		{[]string{"*"}, 304},
		{[]string{`"other"`}, 200},
		{[]string{etag[:len(etag)-1]}, 200},
		{[]string{""}, 200},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.inm, "|"), func(t *testing.T) {
			var hdr []string
			for _, v := range tt.inm {
				hdr = append(hdr, "If-None-Match", v)
			}
			if rec := get(t, h, "/feeds/all.atom", hdr...); rec.Code != tt.want {
				t.Errorf("status %d, want %d", rec.Code, tt.want)
			}
		})
	}
}

// BenchmarkFeed304 is the publisher's share of answering a conditional
// request for a cached feed: routing, the cache lookup, the comparison.
func BenchmarkFeed304(b *testing.B) {
	h := newTestHandler(newFakeStore(manyItems(50), testStates(), t0))
	etag := get(b, h, "/feeds/all.atom").Header().Get("ETag")
	req := httptest.NewRequest(http.MethodGet, "/feeds/all.atom", nil)
	req.Header.Set("If-None-Match", etag)
	w := &headerOnlyWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = 0
		h.ServeHTTP(w, req)
		if w.code != http.StatusNotModified {
			b.Fatal(w.code)
		}
	}
}

// headerOnlyWriter is a minimal ResponseWriter for benchmarks.
type headerOnlyWriter struct {
	h    http.Header
	code int
}

func (w *headerOnlyWriter) Header() http.Header         { return w.h }
func (w *headerOnlyWriter) WriteHeader(code int)        { w.code = code }
func (w *headerOnlyWriter) Write(p []byte) (int, error) { return len(p), nil }
