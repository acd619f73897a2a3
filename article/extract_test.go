package article

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/feeds"
)

// testFetcher builds the Fetcher for tests against httptest servers on
// 127.0.0.1. Should the feeds address guard refuse loopback by default,
// this is the one place to allow it.
func testFetcher(o feeds.FetcherOptions) *feeds.Fetcher {
	return feeds.NewFetcher(o)
}

// servePages serves the test pages, each at the path it has in its
// URL, and a page with the Content-Type it has there, under its name; plus
// the liveblog shell, a PDF, a redirect and a 404.
func servePages(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	serve := func(path, contentType string, body []byte) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			_, _ = w.Write(body)
		})
	}
	serve("/live", "text/html; charset=utf-8", readPage(t, "live_gaza_shell.html"))
	serve("/report.pdf", "application/pdf", readPage(t, "report.pdf"))
	serve("/middle-east/2026/01/14/iran-warns-us-over-tanker-seizures", "text/html; charset=utf-8", readPage(t, "en_levant.html"))
	mux.HandleFunc("/short-link", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/middle-east/2026/01/14/iran-warns-us-over-tanker-seizures", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// servePage serves one test page at every path, with its Content-Type.
func servePage(t *testing.T, p page) *httptest.Server {
	t.Helper()
	body := readPage(t, p.file)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", p.contentType)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestExtract(t *testing.T) {
	e := New(Options{Fetcher: testFetcher(feeds.FetcherOptions{Timeout: 5 * time.Second})})
	for _, p := range articlePages {
		t.Run(p.name+"/"+p.contentType, func(t *testing.T) {
			srv := servePage(t, p)
			a, err := e.Extract(context.Background(), strings.Replace(p.url, origin(p.url), srv.URL, 1))
			if err != nil {
				t.Fatal(err)
			}
			checkArticle(t, p, a, srv.URL)
			checkGolden(t, p.name, a.Text)
		})
	}
	t.Run("relative URLs resolve against the URL after redirects", func(t *testing.T) {
		srv := servePages(t)
		a, err := e.Extract(context.Background(), srv.URL+"/short-link")
		if err != nil {
			t.Fatal(err)
		}
		want := `srcset="` + srv.URL + `/uploads/2026/01/lincoln-carrier-640.jpg 640w, ` + srv.URL + `/uploads/2026/01/lincoln-carrier-1280.jpg 1280w"`
		if !strings.Contains(a.ContentHTML, want) {
			t.Errorf("ContentHTML lacks %s", want)
		}
	})
}

func TestExtractErrors(t *testing.T) {
	srv := servePages(t)
	e := New(Options{Fetcher: testFetcher(feeds.FetcherOptions{Timeout: 5 * time.Second})})
	tests := []struct {
		name   string
		path   string
		is     error
		status int
		msg    string
	}{
		{name: "liveblog shell", path: "/live", is: ErrNotArticle, msg: "extract article: " + srv.URL + "/live: not an article: only "},
		{name: "pdf", path: "/report.pdf", is: ErrNotArticle, msg: "application/pdf, not HTML"},
		{name: "404", path: "/missing", status: http.StatusNotFound, msg: "extract article: fetch " + srv.URL + "/missing: HTTP 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Extract(context.Background(), srv.URL+tt.path)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			var se *feeds.StatusError
			if tt.status != 0 && (!errors.As(err, &se) || se.Status != tt.status) {
				t.Errorf("error %v: want a StatusError %d", err, tt.status)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q lacks %q", err, tt.msg)
			}
		})
	}
	t.Run("invalid URL", func(t *testing.T) {
		for _, u := range []string{"", "ftp://example.org/a", "/relative", "http://"} {
			if _, err := e.Extract(context.Background(), u); err == nil || !strings.HasPrefix(err.Error(), "extract article: ") {
				t.Errorf("Extract(%q) = %v", u, err)
			}
		}
	})
}

func TestExtractTimeout(t *testing.T) {
	tests := []struct {
		name      string
		firstPart bool // send the headers and some of the body before hanging
	}{
		{"no response", false},
		{"body stalls", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.firstPart {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(http.StatusOK)
					_, _ = w.Write([]byte("<html><body><p>The page starts, then hangs"))
					w.(http.Flusher).Flush()
				}
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })

			const timeout = 100 * time.Millisecond
			e := New(Options{Fetcher: testFetcher(feeds.FetcherOptions{Timeout: timeout})})
			start := time.Now()
			_, err := e.Extract(context.Background(), srv.URL+"/hang")
			elapsed := time.Since(start)
			if !errors.Is(err, feeds.ErrTimeout) {
				t.Fatalf("error %v, want feeds.ErrTimeout", err)
			}
			if elapsed > timeout+2*time.Second {
				t.Errorf("took %s with a %s timeout", elapsed, timeout)
			}
		})
	}
}

func TestExtractTooLarge(t *testing.T) {
	srv := servePages(t)
	e := New(Options{Fetcher: testFetcher(feeds.FetcherOptions{MaxBodyBytes: 4 << 10})})
	_, err := e.Extract(context.Background(), srv.URL+"/middle-east/2026/01/14/iran-warns-us-over-tanker-seizures")
	if !errors.Is(err, feeds.ErrTooLarge) {
		t.Fatalf("error %v, want feeds.ErrTooLarge", err)
	}
}

// TestExtractPerHost starts more extractions than PerHost against one
// server that holds every request until released, and checks that the
// server never sees more than PerHost at once.
func TestExtractPerHost(t *testing.T) {
	const perHost, n = 2, 8
	page := readPage(t, "en_levant.html")
	var inFlight, maxInFlight atomic.Int32
	arrived := make(chan struct{}, n)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if cur <= m || maxInFlight.CompareAndSwap(m, cur) {
				break
			}
		}
		arrived <- struct{}{}
		<-release
		inFlight.Add(-1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	t.Cleanup(srv.Close)

	e := New(Options{PerHost: perHost, Fetcher: testFetcher(feeds.FetcherOptions{Timeout: 10 * time.Second})})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := e.Extract(context.Background(), srv.URL+"/article/"+string(rune('a'+i)))
			errs <- err
		})
	}
	// Let PerHost requests in, give the others a moment to (wrongly)
	// arrive, then let everything through.
	for range perHost {
		<-arrived
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := maxInFlight.Load(); got > perHost {
		t.Errorf("the server saw %d requests at once, PerHost is %d", got, perHost)
	} else if got < perHost {
		t.Errorf("the server saw at most %d requests at once: PerHost %d was not used", got, perHost)
	}
	if size := e.hosts.size(); size != 0 {
		t.Errorf("%d host entries left after all extractions ended", size)
	}
}

func TestExtractCancelWhileWaiting(t *testing.T) {
	page := readPage(t, "en_levant.html")
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(page)
	}))
	t.Cleanup(srv.Close)

	e := New(Options{PerHost: 1, Fetcher: testFetcher(feeds.FetcherOptions{})})
	done := make(chan error, 1)
	go func() {
		_, err := e.Extract(context.Background(), srv.URL+"/first")
		done <- err
	}()
	<-arrived
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Extract(ctx, srv.URL+"/second"); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting extraction: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Error(err)
	}
}
