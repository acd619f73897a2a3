package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const sampleRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title><link>https://example.com/</link>
<item><title>One</title><link>https://example.com/1</link><guid>1</guid></item>
</channel></rss>`

// newServer starts an httptest server on 127.0.0.1 and closes it with the
// test.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// assertFetchPrefix checks that err names the URL that was fetched.
func assertFetchPrefix(t *testing.T, err error, u string) {
	t.Helper()
	if want := "fetch " + u + ": "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
}

func TestFetchConditionalGET(t *testing.T) {
	const etag = `"v1"`
	const lastMod = "Wed, 21 Oct 2015 07:28:00 GMT"
	var mu sync.Mutex
	var got []http.Header
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		if r.Header.Get("If-None-Match") == etag && r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		io.WriteString(w, sampleRSS)
	}))
	f := NewFetcher(FetcherOptions{UserAgent: "aggregatord-test/1"})
	ctx := context.Background()

	first, err := f.Fetch(ctx, Request{URL: srv.URL + "/feed"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != 200 || first.NotModified || string(first.Body) != sampleRSS {
		t.Fatalf("first fetch: status %d, not modified %v, body %q", first.Status, first.NotModified, first.Body)
	}
	if first.ETag != etag || first.LastModified != lastMod {
		t.Errorf("validators = %q, %q", first.ETag, first.LastModified)
	}
	if first.ContentType != "application/rss+xml; charset=utf-8" || first.FinalURL != srv.URL+"/feed" {
		t.Errorf("content type %q, final URL %q", first.ContentType, first.FinalURL)
	}

	second, err := f.Fetch(ctx, Request{URL: srv.URL + "/feed", ETag: first.ETag, LastModified: first.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || second.Status != 304 || second.Body != nil {
		t.Fatalf("second fetch: status %d, not modified %v, body %q", second.Status, second.NotModified, second.Body)
	}
	if second.ETag != etag || second.LastModified != lastMod {
		t.Errorf("304 validators = %q, %q; want the request's", second.ETag, second.LastModified)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("server saw %d requests", len(got))
	}
	if got[0].Get("If-None-Match") != "" || got[0].Get("If-Modified-Since") != "" {
		t.Errorf("first request sent validators: %v", got[0])
	}
	if got[1].Get("If-None-Match") != etag || got[1].Get("If-Modified-Since") != lastMod {
		t.Errorf("second request validators: %q, %q", got[1].Get("If-None-Match"), got[1].Get("If-Modified-Since"))
	}
	for _, h := range got {
		if h.Get("User-Agent") != "aggregatord-test/1" {
			t.Errorf("User-Agent = %q", h.Get("User-Agent"))
		}
		if h.Get("Accept") != acceptHeader {
			t.Errorf("Accept = %q", h.Get("Accept"))
		}
		if h.Get("Accept-Encoding") != "gzip" {
			t.Errorf("Accept-Encoding = %q", h.Get("Accept-Encoding"))
		}
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetchGzip(t *testing.T) {
	gz := gzipBytes(t, []byte(sampleRSS))
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			http.Error(w, "want gzip", 400)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz)
	}))
	resp, err := NewFetcher(FetcherOptions{}).Fetch(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != sampleRSS {
		t.Errorf("body = %q", resp.Body)
	}
}

func TestFetchCorruptGzip(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		io.WriteString(w, "this is not gzip")
	}))
	_, err := NewFetcher(FetcherOptions{}).Fetch(context.Background(), Request{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "gzip") {
		t.Fatalf("err = %v, want a gzip error", err)
	}
	assertFetchPrefix(t, err, srv.URL)
}

func TestFetchTooLarge(t *testing.T) {
	const limit = 64 << 10
	big := bytes.Repeat([]byte("x"), limit+1)
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"plain with length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			w.Write(big)
		}},
		{"plain chunked", func(w http.ResponseWriter, r *http.Request) {
			w.Write(big[:1000])
			w.(http.Flusher).Flush()
			w.Write(big[1000:])
		}},
		{"gzip", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipBytes(t, big))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.handler)
			_, err := NewFetcher(FetcherOptions{MaxBodyBytes: limit}).Fetch(context.Background(), Request{URL: srv.URL})
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if !strings.Contains(err.Error(), strconv.Itoa(limit)) {
				t.Errorf("error %q does not name the limit", err)
			}
			assertFetchPrefix(t, err, srv.URL)
		})
	}

	t.Run("exactly the limit", func(t *testing.T) {
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(big[:limit]) }))
		resp, err := NewFetcher(FetcherOptions{MaxBodyBytes: limit}).Fetch(context.Background(), Request{URL: srv.URL})
		if err != nil || len(resp.Body) != limit {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestFetchGzipBomb serves about 1 MiB of gzip that inflates to 1 GiB and
// checks that the fetch stops at the limit, quickly and without allocating
// anything like the inflated size.
func TestFetchGzipBomb(t *testing.T) {
	const inflated = 1 << 30
	const limit = 1 << 20
	// A gzip stream may hold several members, read one after the other:
	// repeat one member holding 1 MiB of zeros.
	member := gzipBytes(t, make([]byte, 1<<20))
	bomb := bytes.Repeat(member, inflated/(1<<20))
	t.Logf("bomb: %d bytes of gzip, %d inflated", len(bomb), inflated)

	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	f := NewFetcher(FetcherOptions{MaxBodyBytes: limit})

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("took %s to give up", elapsed)
	}
	// The server's copy of the bomb is allocated before measuring; what
	// the fetch allocates is bounded by the limit (buffer growth doubles).
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16*limit {
		t.Errorf("fetch allocated %d bytes for a %d-byte limit", alloc, limit)
	}
}

func TestFetchRedirects(t *testing.T) {
	mux := http.NewServeMux()
	// /chain/N redirects to /chain/N-1; /chain/0 serves the feed.
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			io.WriteString(w, sampleRSS)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/b", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/self", http.StatusTemporaryRedirect)
	})
	srv := newServer(t, mux)

	tests := []struct {
		name, path   string
		maxRedirects int
		wantErr      bool
	}{
		{"no redirect", "/chain/0", 0, false},
		{"chain of 3", "/chain/3", 0, false},
		{"chain of 5 (the default limit)", "/chain/5", 0, false},
		{"chain of 6", "/chain/6", 0, true},
		{"loop", "/loop/a", 0, true},
		{"self loop", "/self", 0, true},
		{"chain of 2 with limit 1", "/chain/2", 1, true},
		{"redirects disabled", "/chain/1", -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFetcher(FetcherOptions{MaxRedirects: tt.maxRedirects})
			resp, err := f.Fetch(context.Background(), Request{URL: srv.URL + tt.path})
			if tt.wantErr {
				if !errors.Is(err, ErrTooManyRedirects) {
					t.Fatalf("err = %v, want ErrTooManyRedirects", err)
				}
				assertFetchPrefix(t, err, srv.URL+tt.path)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.FinalURL != srv.URL+"/chain/0" {
				t.Errorf("FinalURL = %q", resp.FinalURL)
			}
		})
	}
}

func TestFetchStatusErrors(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	httpDate := "Sun, 01 Mar 2026 13:30:00 GMT"
	tests := []struct {
		name       string
		status     int
		retryAfter string
		want       time.Time
	}{
		{"429 seconds", 429, "120", now.Add(120 * time.Second)},
		{"503 seconds", 503, "3600", now.Add(time.Hour)},
		{"429 http date", 429, httpDate, time.Date(2026, 3, 1, 13, 30, 0, 0, time.UTC)},
		{"503 http date", 503, httpDate, time.Date(2026, 3, 1, 13, 30, 0, 0, time.UTC)},
		{"503 rfc850 date", 503, "Sunday, 01-Mar-26 13:30:00 GMT", time.Date(2026, 3, 1, 13, 30, 0, 0, time.UTC)},
		{"503 garbage", 503, "soon", time.Time{}},
		{"503 negative", 503, "-5", time.Time{}},
		{"500 none", 500, "", time.Time{}},
		{"404", 404, "", time.Time{}},
		{"410", 410, "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, "go away")
			}))
			f := NewFetcher(FetcherOptions{Now: func() time.Time { return now }})
			_, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/feed"})
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *StatusError", err)
			}
			if se.Status != tt.status || !se.RetryAfter.Equal(tt.want) || se.URL != srv.URL+"/feed" {
				t.Errorf("StatusError = %+v, want status %d retry after %v", se, tt.status, tt.want)
			}
			assertFetchPrefix(t, err, srv.URL+"/feed")
			if !strings.Contains(err.Error(), strconv.Itoa(tt.status)) {
				t.Errorf("error %q does not name the status", err)
			}
		})
	}
}

func TestFetchTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"hangs before headers", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}},
		{"hangs after headers", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<rss>"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
		{"dribbles", func(w http.ResponseWriter, r *http.Request) {
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-r.Context().Done():
					return
				case <-tick.C:
					if _, err := w.Write([]byte(" ")); err != nil {
						return
					}
					w.(http.Flusher).Flush()
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.handler)
			start := time.Now()
			_, err := NewFetcher(FetcherOptions{Timeout: timeout}).Fetch(context.Background(), Request{URL: srv.URL})
			if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "timeout") {
				t.Fatalf("err = %v, want a timeout", err)
			}
			assertFetchPrefix(t, err, srv.URL)
			if d := time.Since(start); d > 10*timeout {
				t.Errorf("gave up after %s", d)
			}
		})
	}
}

func TestFetchCallerCancel(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewFetcher(FetcherOptions{}).Fetch(ctx, Request{URL: srv.URL})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestFetchBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://example.com/feed", "/relative", "http://", "http://a b/"} {
		t.Run(u, func(t *testing.T) {
			_, err := NewFetcher(FetcherOptions{}).Fetch(context.Background(), Request{URL: u})
			if err == nil {
				t.Fatal("no error")
			}
			assertFetchPrefix(t, err, u)
		})
	}
}

func TestFetchConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	_, err := NewFetcher(FetcherOptions{}).Fetch(context.Background(), Request{URL: u})
	if err == nil || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	assertFetchPrefix(t, err, u)
}

func TestFetchGivenClient(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed" {
			http.Redirect(w, r, "/feed", http.StatusFound)
			return
		}
		io.WriteString(w, sampleRSS)
	}))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := NewFetcher(FetcherOptions{Client: client}).Fetch(context.Background(), Request{URL: srv.URL + "/old"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.FinalURL != srv.URL+"/feed" {
		t.Errorf("FinalURL = %q: the Fetcher's redirect policy was not applied", resp.FinalURL)
	}
	if client.CheckRedirect == nil {
		t.Error("the caller's client was modified")
	}
}
