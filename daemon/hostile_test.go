package daemon

// Hostile and broken sources (issue 5). Each case runs through the whole
// daemon next to a good source and checks that the daemon stays up, the
// good source is fetched in the same pass, the bad one is marked failed
// with a clear error in the store, in /admin/sources and in the log, and
// memory stays bounded.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/aggregatord/aggregatord/admin"
	"github.com/aggregatord/aggregatord/feeds"
	"github.com/aggregatord/aggregatord/ingest"
	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/publish"
)

const (
	// hostileTimeout is [fetch] timeout for the network cases: short, yet
	// long enough that a loaded CI machine running -race does not turn
	// the other failures into timeouts.
	hostileTimeout = time.Second
	// hostileMaxBody is [fetch] max_body_bytes for the network cases.
	hostileMaxBody = 1 << 20
	// hostileMemLimit bounds what one network case may allocate in all
	// (TotalAlloc) and the peak growth of the heap, given hostileMaxBody.
	hostileMemLimit = 64 << 20
)

// memWatch measures one case: bytes allocated (TotalAlloc) and the peak
// growth of live heap objects, sampled every millisecond with
// runtime/metrics (which does not stop the world).
type memWatch struct {
	alloc0, base uint64
	peak         atomic.Uint64
	stop         chan struct{}
	done         chan struct{}
}

func watchMemory() *memWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w := &memWatch{alloc0: ms.TotalAlloc, stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	w.base = sample[0].Value.Uint64()
	w.peak.Store(w.base)
	go func() {
		defer close(w.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > w.peak.Load() {
				w.peak.Store(v)
			}
		}
	}()
	return w
}

// end returns the bytes allocated since watchMemory and the peak growth of
// the heap over its level then.
func (w *memWatch) end() (alloc, peak uint64) {
	close(w.stop)
	<-w.done
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc - w.alloc0, w.peak.Load() - w.base
}

// syncBuffer collects the daemon's log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// failures returns the "fetch failed" records of the log, by source.
func (s *syncBuffer) failures() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec struct {
			Msg    string `json:"msg"`
			Source string `json:"source"`
			Error  string `json:"error"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "fetch failed" {
			out[rec.Source] = append(out[rec.Source], rec.Error)
		}
	}
	return out
}

// hitCounter counts requests by path.
type hitCounter struct {
	mu   sync.Mutex
	hits map[string]int
}

func (h *hitCounter) add(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hits == nil {
		h.hits = map[string]int{}
	}
	h.hits[path]++
}

func (h *hitCounter) get(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

// stream writes chunk to w until the client goes away or n bytes are
// written (n < 0: forever).
func stream(w http.ResponseWriter, r *http.Request, chunk []byte, n int64) {
	f, _ := w.(http.Flusher)
	for n < 0 || n > 0 {
		c := chunk
		if n > 0 && int64(len(c)) > n {
			c = c[:n]
		}
		if _, err := w.Write(c); err != nil || r.Context().Err() != nil {
			return
		}
		if f != nil {
			f.Flush()
		}
		if n > 0 {
			n -= int64(len(c))
		}
	}
}

// gzipMember is one gzip member holding 1 MiB of zeros: about 1 KiB on the
// wire. A gzip stream may hold many members, read one after another.
func gzipMember(t *testing.T) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostileMux serves the misbehaving feeds. hits counts requests by path.
func hostileMux(t *testing.T, hits *hitCounter) http.Handler {
	member := gzipMember(t)
	items := bytes.Repeat([]byte("<item><title>more</title><description>and more</description></item>\n"), 512)
	xs := bytes.Repeat([]byte("x"), 32<<10)
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			hits.add(r.URL.Path)
			h(w, r)
		})
	}
	handle("/endless", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Endless</title>`)
		stream(w, r, items, -1)
	})
	handle("/slow", func(w http.ResponseWriter, r *http.Request) {
		// One byte a second.
		w.Header().Set("Content-Type", "application/rss+xml")
		doc := []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title></channel></rss>`)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for _, b := range doc {
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	})
	handle("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	handle("/bomb", func(w http.ResponseWriter, r *http.Request) {
		// 10 GiB inflated, about 10 MiB on the wire if anyone read it all.
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		for range 10 << 10 {
			if _, err := w.Write(member); err != nil {
				return
			}
		}
	})
	handle("/gig-length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Length", strconv.Itoa(1<<30))
		stream(w, r, xs, 1<<30)
	})
	handle("/gig-chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		stream(w, r, xs, 1<<30)
	})
	handle("/loop/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/b", http.StatusFound)
	})
	handle("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
	})
	handle("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n <= 0 {
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, rssFeed("End of the chain"))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
	})
	handle("/reset", func(w http.ResponseWriter, r *http.Request) {
		// Promise 100 kB, send part of it, then reset the connection.
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
		buf.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Reset</title><item><title>cut`)
		buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // close sends RST
		}
		conn.Close()
	})
	for _, code := range []int{500, 404, 410} {
		handle(fmt.Sprintf("/status/%d", code), func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, http.StatusText(code), code)
		})
	}
	handle("/status/429", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	handle("/status/503", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(2*time.Hour).UTC().Format(http.TimeFormat))
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	handle("/news", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!DOCTYPE html><html><head><title>News</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/real.rss">
<link rel="stylesheet" href="/s.css"></head><body><h1>Latest news</h1></body></html>`)
	})
	return mux
}

// hostileCase is one misbehaving source and what the daemon must make of
// it.
type hostileCase struct {
	name string
	url  string // filled in once the servers run
	// status is the HTTP status stored for the failure (0: none came).
	status int
	// wantErr are substrings of the stored error.
	wantErr []string
	gone    bool
	// retryAfter is how far ahead NextDue must be (0: no Retry-After).
	retryAfter time.Duration
}

// hostileEnv is a daemon with a good source and every hostile one.
type hostileEnv struct {
	d      *Daemon
	good   *feedServer
	bad    *httptest.Server
	hits   *hitCounter
	admin  *httptest.Server
	adminN *atomic.Int32
	log    *syncBuffer
	cases  []hostileCase
}

// metadataResolver resolves metadata.test to the cloud metadata address,
// and every other name as the system does.
type metadataResolver struct{}

func (metadataResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if host == "metadata.test" {
		return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
	}
	return net.DefaultResolver.LookupNetIP(ctx, network, host)
}

func newHostileEnv(t *testing.T) *hostileEnv {
	t.Helper()
	e := &hostileEnv{hits: &hitCounter{}, log: &syncBuffer{}, adminN: &atomic.Int32{}}
	e.good = newFeedServer(t)
	e.good.set("/good.rss", "application/rss+xml", []byte(rssFeed("Good", [3]string{"Fine news", "https://good.example.com/1", "ok"})))
	e.bad = httptest.NewServer(hostileMux(t, e.hits))
	t.Cleanup(e.bad.Close)
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, rssFeed("TLS"))
	}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are expected
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)

	// The "public" origin: a loopback server that FetchPolicy calls public,
	// redirecting into the admin API and to a cloud metadata name.
	var adminURL atomic.Pointer[string]
	pub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-admin":
			http.Redirect(w, r, *adminURL.Load()+"/admin/backup", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://metadata.test/latest/meta-data/iam/security-credentials/", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(pub.Close)
	pubPort := netip.MustParseAddrPort(pub.Listener.Addr().String()).Port()

	b := e.bad.URL
	e.cases = []hostileCase{
		{name: "endless", url: b + "/endless", wantErr: []string{"response body too large: more than 1048576 bytes"}},
		{name: "slow", url: b + "/slow", wantErr: []string{"timeout after 1s"}},
		{name: "hang", url: b + "/hang", wantErr: []string{"timeout after 1s"}},
		{name: "gzip-bomb", url: b + "/bomb", wantErr: []string{"response body too large"}},
		{name: "gig-length", url: b + "/gig-length", wantErr: []string{"response body too large"}},
		{name: "gig-chunked", url: b + "/gig-chunked", wantErr: []string{"response body too large"}},
		{name: "redirect-loop", url: b + "/loop/a", wantErr: []string{"too many redirects"}},
		{name: "redirect-chain", url: b + "/chain/20", wantErr: []string{"stopped after 5 redirects: too many redirects"}},
		{name: "ssrf-admin", url: pub.URL + "/to-admin",
			wantErr: []string{"fetch " + pub.URL + "/to-admin: refusing to connect to 127.0.0.1 (loopback) after a redirect from a public address"}},
		{name: "ssrf-metadata", url: pub.URL + "/to-metadata",
			wantErr: []string{"refusing to connect to 169.254.169.254 (link-local, the address of metadata.test) after a redirect from a public address"}},
		{name: "reset", url: b + "/reset", wantErr: []string{"read body: the connection was cut after ", " of 100000 bytes"}},
		{name: "tls-untrusted", url: tlsSrv.URL + "/feed", wantErr: []string{"x509: certificate signed by unknown authority"}},
		{name: "tls-plain", url: strings.Replace(b, "http://", "https://", 1) + "/news", wantErr: []string{"server gave HTTP response to HTTPS client"}},
		{name: "status-500", url: b + "/status/500", status: 500, wantErr: []string{"HTTP 500 Internal Server Error"}},
		{name: "status-404", url: b + "/status/404", status: 404, wantErr: []string{"HTTP 404 Not Found"}},
		{name: "status-410", url: b + "/status/410", status: 410, gone: true,
			wantErr: []string{"answered 410 Gone: source disabled until its url changes in the config"}},
		{name: "status-429", url: b + "/status/429", status: 429, retryAfter: time.Hour,
			wantErr: []string{"HTTP 429 Too Many Requests (retry after "}},
		{name: "status-503", url: b + "/status/503", status: 503, retryAfter: 2 * time.Hour,
			wantErr: []string{"HTTP 503 Service Unavailable (retry after "}},
		{name: "html-page", url: b + "/news",
			wantErr: []string{"not a feed: got an HTML page; it links to the feed(s) " + b + "/real.rss"}},
	}

	var src strings.Builder
	fmt.Fprintf(&src, "[[source]]\nname = \"good\"\nurl = \"%s/good.rss\"\n", e.good.URL)
	for _, c := range e.cases {
		fmt.Fprintf(&src, "[[source]]\nname = %q\nurl = %q\n", c.name, c.url)
	}
	cfg := loadConfig(t, writeConfig(t, t.TempDir(), src.String()))
	cfg.Fetch.Timeout = hostileTimeout
	cfg.Fetch.MaxBodyBytes = hostileMaxBody
	cfg.Fetch.Concurrency = len(cfg.Sources) // nobody waits for a slot
	cfg.Fetch.Schedule = "@yearly"           // no tick during the test
	d, err := Open(cfg, Options{
		Logger: slog.New(slog.NewJSONHandler(e.log, &slog.HandlerOptions{Level: slog.LevelWarn})),
		FetchPolicy: feeds.AddrPolicy{
			Resolver: metadataResolver{},
			Classify: func(ap netip.AddrPort) feeds.AddrClass {
				if ap.Port() == pubPort && ap.Addr().IsLoopback() {
					return feeds.ClassPublic
				}
				return feeds.ClassifyAddr(ap.Addr())
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	e.d = d
	e.admin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.adminN.Add(1)
		d.admin.ServeHTTP(w, r)
	}))
	t.Cleanup(e.admin.Close)
	u := e.admin.URL
	adminURL.Store(&u)
	return e
}

// finished is when a fetch ended: its start (the state's LastAttempt) plus
// its duration.
func finished(t *testing.T, d *Daemon, r ingest.Result) time.Time {
	t.Helper()
	st, err := d.Store().SourceState(r.Source)
	if err != nil {
		t.Fatal(err)
	}
	return st.LastAttempt.Add(r.Duration)
}

func goodResult(t *testing.T, r ingest.Result) {
	t.Helper()
	if r.Source != "good" || r.Err != nil || !slices.Contains([]ingest.Status{ingest.StatusOK, ingest.StatusNotModified, ingest.StatusUnchanged}, r.Status) {
		t.Errorf("good source: %s %s %v", r.Source, r.Status, r.Err)
	}
}

func TestHostileSources(t *testing.T) {
	e := newHostileEnv(t)
	ctx := context.Background()
	byName := map[string]hostileCase{}
	for _, c := range e.cases {
		byName[c.name] = c
	}

	// All together, as a scheduled pass would: the good source is done
	// long before the hanging ones give up.
	t.Run("together", func(t *testing.T) {
		start := time.Now()
		res, err := e.d.FetchOnce(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("pass over %d sources took %s", len(res), time.Since(start).Round(time.Millisecond))
		goodResult(t, res[0])
		if res[0].New != 1 {
			t.Errorf("good: %d new items, want 1", res[0].New)
		}
		goodDone := finished(t, e.d, res[0])
		for _, r := range res[1:] {
			c := byName[r.Source]
			checkFailure(t, e, c, r)
			if c.name == "hang" || c.name == "slow" {
				if done := finished(t, e.d, r); !goodDone.Before(done) {
					t.Errorf("good finished at +%s, after %s (+%s)", goodDone.Sub(start), c.name, done.Sub(start))
				}
			}
		}
		if d := goodDone.Sub(start); d > hostileTimeout {
			t.Errorf("good source finished %s after the pass began, more than the %s timeout", d, hostileTimeout)
		} else {
			t.Logf("good source finished %s after the pass began", d.Round(time.Millisecond))
		}
	})

	// Nothing is overdue now, so the scheduler fetches nothing on start.
	base := serveDaemon(t, e.d)

	// One case at a time, each next to the good source, memory measured.
	for _, c := range e.cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.hits.get(pathOf(c.url))
			mw := watchMemory()
			start := time.Now()
			res, err := e.d.FetchOnce(ctx, []string{"good", c.name})
			elapsed := time.Since(start)
			alloc, peak := mw.end()
			if err != nil {
				t.Fatal(err)
			}
			goodResult(t, res[0])
			checkFailure(t, e, c, res[1])
			t.Logf("%s in %s (good %s, %s %s); allocated %.1f MiB, heap peak +%.1f MiB; error: %v",
				c.name, elapsed.Round(time.Millisecond), res[0].Duration.Round(time.Millisecond), c.name, res[1].Duration.Round(time.Millisecond),
				mib(alloc), mib(peak), res[1].Err)
			if alloc > hostileMemLimit || peak > hostileMemLimit {
				t.Errorf("memory: allocated %.1f MiB, heap peak +%.1f MiB; limit %d MiB", mib(alloc), mib(peak), hostileMemLimit>>20)
			}
			if elapsed > 10*hostileTimeout {
				t.Errorf("took %s", elapsed)
			}
			if c.gone {
				// Disabled: the second fetch did not reach the server.
				if n := e.hits.get(pathOf(c.url)) - before; n != 0 {
					t.Errorf("a gone source was fetched again (%d requests)", n)
				}
				if res[1].Status != ingest.StatusGone {
					t.Errorf("status %s, want gone", res[1].Status)
				}
			}
			if code := status(t, base+"healthz"); code != 200 {
				t.Errorf("/healthz: %d", code)
			}
		})
	}

	t.Run("admin sources", func(t *testing.T) {
		resp, err := http.Get(e.admin.URL + "/admin/sources")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var list []admin.SourceStatus
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, s := range list {
			if s.Name == "good" {
				if s.Error != "" || s.Items != 1 || s.NextDue == nil {
					t.Errorf("good: %+v", s)
				}
				continue
			}
			c, ok := byName[s.Name]
			if !ok {
				continue
			}
			seen++
			for _, w := range c.wantErr {
				if !strings.Contains(s.Error, w) {
					t.Errorf("%s: admin error %q lacks %q", s.Name, s.Error, w)
				}
			}
			if s.Status != c.status {
				t.Errorf("%s: admin status %d, want %d", s.Name, s.Status, c.status)
			}
			switch {
			case c.gone:
				if s.NextDue != nil {
					t.Errorf("%s: gone, yet next due %v", s.Name, s.NextDue)
				}
			case s.NextDue == nil:
				t.Errorf("%s: no next_due", s.Name)
			case c.retryAfter > 0 && time.Until(*s.NextDue) < c.retryAfter-time.Minute:
				t.Errorf("%s: next due in %s, Retry-After said %s", s.Name, time.Until(*s.NextDue).Round(time.Second), c.retryAfter)
			}
		}
		if seen != len(e.cases) {
			t.Errorf("admin lists %d of the %d hostile sources", seen, len(e.cases))
		}
	})

	t.Run("log", func(t *testing.T) {
		logged := e.log.failures()
		for _, c := range e.cases {
			if len(logged[c.name]) == 0 {
				t.Errorf("%s: no \"fetch failed\" log record", c.name)
				continue
			}
			want := c.wantErr[0] // for 410 too: the log says the source is disabled
			if !strings.Contains(logged[c.name][0], want) {
				t.Errorf("%s: logged %q, want %q in it", c.name, logged[c.name][0], want)
			}
		}
	})

	t.Run("still serving", func(t *testing.T) {
		for _, p := range []string{"healthz", "readyz"} {
			if code := status(t, base+p); code != 200 {
				t.Errorf("/%s: %d", p, code)
			}
		}
		if f := getFeed(t, base+"feeds/sources/good.atom"); len(f.Items) != 1 {
			t.Errorf("good feed: %d items", len(f.Items))
		}
		if n := e.adminN.Load(); n != 1 {
			t.Errorf("the admin API got %d requests, want only this test's own", n)
		}
	})
}

func pathOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexByte(u, '/'); i >= 0 {
		return u[i:]
	}
	return "/"
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// checkFailure checks one hostile source's result and stored state.
func checkFailure(t *testing.T, e *hostileEnv, c hostileCase, r ingest.Result) {
	t.Helper()
	if r.Source != c.name {
		t.Fatalf("result for %s, want %s", r.Source, c.name)
	}
	if !r.Failed() || r.Err == nil {
		t.Errorf("%s: %s, err %v; want a failure", c.name, r.Status, r.Err)
		return
	}
	st, err := e.d.Store().SourceState(c.name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(st.Error, c.url) {
		t.Errorf("%s: stored error %q does not name the URL %s", c.name, st.Error, c.url)
	}
	for _, w := range c.wantErr {
		if !strings.Contains(st.Error, w) {
			t.Errorf("%s: stored error %q lacks %q", c.name, st.Error, w)
		}
	}
	if st.Status != c.status {
		t.Errorf("%s: stored status %d, want %d", c.name, st.Status, c.status)
	}
	if st.Gone != c.gone {
		t.Errorf("%s: gone = %v", c.name, st.Gone)
	}
	if c.retryAfter > 0 {
		if wait := time.Until(st.NextDue); wait < c.retryAfter-time.Minute || wait > c.retryAfter+time.Minute {
			t.Errorf("%s: next due in %s, Retry-After said %s", c.name, wait.Round(time.Second), c.retryAfter)
		}
	} else if !c.gone && !st.NextDue.After(st.LastAttempt) {
		t.Errorf("%s: no backoff: next due %v, last attempt %v", c.name, st.NextDue, st.LastAttempt)
	}
}

// TestHostileConcurrencyDoesNotStarve: with two fetches in flight at most
// and three sources that hang, a good source still finishes within two
// timeouts of the pass's start.
func TestHostileConcurrencyDoesNotStarve(t *testing.T) {
	good := newFeedServer(t)
	good.set("/good.rss", "application/rss+xml", []byte(rssFeed("Good", [3]string{"Fine", "https://good.example.com/1", "ok"})))
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	var src strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&src, "[[source]]\nname = \"hang-%d\"\nurl = \"%s/feed\"\n", i, hang.URL)
	}
	fmt.Fprintf(&src, "[[source]]\nname = \"good\"\nurl = \"%s/good.rss\"\n", good.URL)
	cfg := loadConfig(t, writeConfig(t, t.TempDir(), src.String()))
	cfg.Fetch.Timeout = hostileTimeout
	cfg.Fetch.Concurrency = 2
	d, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for round := range 2 { // the slot order is up to the runtime: try twice
		start := time.Now()
		res, err := d.FetchOnce(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		r := res[3]
		goodResult(t, r)
		done := finished(t, d, r).Sub(start)
		t.Logf("round %d: good finished after %s", round, done.Round(time.Millisecond))
		if limit := 2*hostileTimeout + 250*time.Millisecond; done > limit {
			t.Errorf("good finished %s after the pass began; limit %s", done, limit)
		}
		for _, r := range res[:3] {
			if r.Status != ingest.StatusFailed || !errors.Is(r.Err, feeds.ErrTimeout) {
				t.Errorf("%s: %s %v", r.Source, r.Status, r.Err)
			}
		}
	}
}

// docCase is a source whose document is hostile or broken; the fetch
// succeeds and check looks at what was stored.
type docCase struct {
	name, contentType string
	body              []byte
	check             func(t *testing.T, d *Daemon, r ingest.Result, start, end time.Time)
	memLimit          uint64
}

// TestHostileDocuments runs documents that are hostile or broken (but
// fetched fine) through fetch, parse, store and publish: items are stored
// within the caps, and the feeds published from them are well-formed and
// parse again.
func TestHostileDocuments(t *testing.T) {
	secretDir := t.TempDir()
	secretFile := filepath.Join(secretDir, "secret.txt")
	const secret = "TOP-SECRET-7f3a9c"
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	dtdHits := &atomic.Int32{}
	dtd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dtdHits.Add(1)
		io.WriteString(w, `<!ENTITY remote "`+secret+`">`)
	}))
	t.Cleanup(dtd.Close)

	cases := []docCase{
		hugeFeedCase(), bigTitlesCase(), badUTF8Case(), laughsCase(), xxeCase(secretFile, dtd.URL, secret, dtdHits), datesCase(),
	}

	fs := newFeedServer(t)
	fs.set("/good.rss", "application/rss+xml", []byte(rssFeed("Good", [3]string{"Fine", "https://good.example.com/1", "ok"})))
	var src strings.Builder
	fmt.Fprintf(&src, "[[source]]\nname = \"good\"\nurl = \"%s/good.rss\"\n", fs.URL)
	for _, c := range cases {
		fs.set("/"+c.name, c.contentType, c.body)
		fmt.Fprintf(&src, "[[source]]\nname = %q\nurl = \"%s/%s\"\n", c.name, fs.URL, c.name)
	}
	cfg := loadConfig(t, writeConfig(t, t.TempDir(), src.String()))
	cfg.Fetch.Timeout = 60 * time.Second // 100,000 entries under -race
	cfg.Fetch.MaxBodyBytes = 32 << 20
	cfg.Fetch.Schedule = "@yearly"
	cfg.Storage.Retention = 0 // the dates case goes back to 1970
	d, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.FetchOnce(context.Background(), []string{"good"}); err != nil {
		t.Fatal(err)
	}
	// The public handler alone: a running scheduler would fetch every
	// source at once, before the cases do.
	pub := httptest.NewServer(d.public)
	t.Cleanup(pub.Close)
	base := pub.URL + "/"

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mw := watchMemory()
			start := time.Now()
			res, err := d.FetchOnce(context.Background(), []string{"good", c.name})
			end := time.Now()
			alloc, peak := mw.end()
			if err != nil {
				t.Fatal(err)
			}
			goodResult(t, res[0])
			r := res[1]
			t.Logf("%s: %d bytes in %s; %s, %d new; allocated %.1f MiB, heap peak +%.1f MiB",
				c.name, len(c.body), end.Sub(start).Round(time.Millisecond), r.Status, r.New, mib(alloc), mib(peak))
			if r.Status != ingest.StatusOK {
				t.Fatalf("%s: %s %v", c.name, r.Status, r.Err)
			}
			if peak > c.memLimit {
				t.Errorf("heap peak +%.1f MiB, limit %d MiB", mib(peak), c.memLimit>>20)
			}
			checkStored(t, d, c.name)
			c.check(t, d, r, start, end)
			checkPublished(t, base, c.name)
			if code := status(t, base+"healthz"); code != 200 {
				t.Errorf("/healthz: %d", code)
			}
		})
	}
	t.Run("merged feed", func(t *testing.T) { checkPublished(t, base, "") })
}

// scanSource returns every stored item of source, newest first.
func scanSource(d *Daemon, source string) ([]news.Item, error) {
	var out []news.Item
	err := storeAdapter{d.Store()}.Scan(publishSourceIndex(source), "", func(it news.Item, _ string) bool {
		out = append(out, it)
		return true
	})
	return out, err
}

func storedItems(t *testing.T, d *Daemon, source string) []news.Item {
	t.Helper()
	items, err := scanSource(d, source)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// checkStored checks the invariants of every stored item of source; with
// one source per item, Published is never later than FirstSeen either.
func checkStored(t *testing.T, d *Daemon, source string) {
	t.Helper()
	problems, late := itemProblems(storedItems(t, d, source), time.Now())
	for _, p := range problems {
		t.Error(p)
	}
	for _, p := range late {
		t.Error(p)
	}
}

// itemProblems checks what every stored item promises: valid UTF-8,
// title, HTML and key within their caps, no date later than now. late
// lists the items published after they were first seen.
func itemProblems(items []news.Item, now time.Time) (problems, late []string) {
	for _, it := range items {
		for name, s := range map[string]string{"title": it.Title, "summary": it.Summary, "content": it.Content, "key": it.Key, "link": it.Link} {
			if !utf8.ValidString(s) {
				problems = append(problems, fmt.Sprintf("%s: %s not UTF-8: %q", shortKey(it.Key), name, s))
			}
		}
		if len(it.Title) > feeds.MaxTitleBytes || len(it.Summary) > feeds.MaxHTMLBytes || len(it.Content) > feeds.MaxHTMLBytes || len(it.Key) > feeds.MaxKeyBytes {
			problems = append(problems, fmt.Sprintf("%s: over the caps: title %d, summary %d, content %d, key %d bytes", shortKey(it.Key), len(it.Title), len(it.Summary), len(it.Content), len(it.Key)))
		}
		if it.Published.After(now) || it.Updated.After(now) || it.FirstSeen.After(now) {
			problems = append(problems, fmt.Sprintf("%s: dated in the future: published %v, updated %v, first seen %v", shortKey(it.Key), it.Published, it.Updated, it.FirstSeen))
		}
		if it.Published.After(it.FirstSeen) {
			late = append(late, fmt.Sprintf("%s: published %v, after it was first seen %v", shortKey(it.Key), it.Published, it.FirstSeen))
		}
	}
	return problems, late
}

func shortKey(k string) string {
	if len(k) > 40 {
		return k[:40] + "…"
	}
	return k
}

// checkPublished fetches a source's feed (the merged feed for "") in every
// format and checks that each is well-formed and parses again.
func checkPublished(t *testing.T, base, source string) {
	t.Helper()
	path := "feeds/all"
	if source != "" {
		path = "feeds/sources/" + source
	}
	for _, ext := range []string{"atom", "rss", "json"} {
		body := fetchBody(t, base+path+"."+ext+"?limit=500")
		if err := wellFormed(body, ext); err != nil {
			t.Errorf("%s.%s is not well-formed: %v", path, ext, err)
			continue
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Errorf("%s.%s does not parse: %v", path, ext, err)
			continue
		}
		if len(f.Items) == 0 {
			t.Errorf("%s.%s: no entries", path, ext)
		}
	}
}

func fetchBody(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	return body
}

// wellFormed checks body strictly: an XML document with encoding/xml in
// strict mode (gofeed's own reader forgives a lot), JSON with json.Valid.
func wellFormed(body []byte, ext string) error {
	if ext == "json" {
		if !json.Valid(body) {
			return errors.New("invalid JSON")
		}
		if !utf8.Valid(body) {
			return errors.New("JSON is not UTF-8")
		}
		return nil
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if cd, ok := tok.(xml.CharData); ok && !utf8.Valid(cd) {
			return errors.New("character data is not UTF-8")
		}
	}
}

func hugeFeedCase() docCase {
	const n = 100_000
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Huge</title><link>https://huge.example.com/</link>`)
	for i := range n {
		fmt.Fprintf(&b, "<item><title>Item %d</title><link>https://huge.example.com/%d</link><guid>h%d</guid></item>\n", i, i, i)
	}
	b.WriteString("</channel></rss>")
	return docCase{
		name: "huge", contentType: "application/rss+xml", body: b.Bytes(),
		// Measured: about 70 MiB above a 9 MB body (gofeed holds every entry
		// while it parses); bounded by max_body_bytes, not by the entries.
		memLimit: 256 << 20,
		check: func(t *testing.T, d *Daemon, r ingest.Result, start, end time.Time) {
			if r.New != feeds.MaxItems {
				t.Errorf("%d new items, want feeds.MaxItems = %d", r.New, feeds.MaxItems)
			}
			if n, _ := d.Store().CountSource("huge"); n != feeds.MaxItems {
				t.Errorf("%d stored, want %d", n, feeds.MaxItems)
			}
			// The first entries in document order are the ones kept.
			if _, ok, _ := d.Store().ItemByKey("huge", "h0"); !ok {
				t.Error("first entry not stored")
			}
			if _, ok, _ := d.Store().ItemByKey("huge", fmt.Sprintf("h%d", feeds.MaxItems)); ok {
				t.Error("entry past the cap stored")
			}
			// Pruning then caps the source at max_items_per_source.
			pstart := time.Now()
			d.prune(context.Background())
			max := d.Config().Storage.MaxItemsPerSource
			if n, _ := d.Store().CountSource("huge"); n != max {
				t.Errorf("after prune: %d stored, want max_items_per_source = %d", n, max)
			}
			t.Logf("prune to %d took %s", max, time.Since(pstart).Round(time.Millisecond))
		},
	}
}

func bigTitlesCase() docCase {
	mb := 1 << 20
	ascii := strings.Repeat("Headline words ", mb/15)
	arabic := strings.Repeat("خبر عاجل ", mb/17)
	markup := strings.Repeat("<b>bold</b> &amp; ", mb/18)
	longGUID := "https://big.example.com/" + strings.Repeat("g", mb)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>` + ascii + `</title>`)
	for i, title := range []string{ascii, arabic, "<![CDATA[" + markup + "]]>"} {
		fmt.Fprintf(&b, "<item><title>%s</title><link>https://big.example.com/%d</link><guid>big-%d</guid><description>Short.</description></item>", title, i, i)
	}
	fmt.Fprintf(&b, "<item><title>long guid</title><guid>%s</guid></item>", longGUID)
	b.WriteString("</channel></rss>")
	return docCase{
		name: "big-titles", contentType: "application/rss+xml", body: []byte(b.String()),
		memLimit: 128 << 20,
		check: func(t *testing.T, d *Daemon, r ingest.Result, start, end time.Time) {
			items := storedItems(t, d, "big-titles")
			if len(items) != 4 {
				t.Fatalf("%d items stored, want 4", len(items))
			}
			for _, it := range items {
				if it.Title == "" || len(it.Title) > feeds.MaxTitleBytes {
					t.Errorf("%s: title of %d bytes", shortKey(it.Key), len(it.Title))
				}
				if strings.Contains(it.Title, "<b>") {
					t.Errorf("%s: markup left in the title", shortKey(it.Key))
				}
			}
			if _, ok, _ := d.Store().ItemByKey("big-titles", "sha256:"+sha256Hex(longGUID)); !ok {
				t.Error("the item with a 1 MB guid is not stored under the hash of its guid")
			}
			st, _ := d.Store().SourceState("big-titles")
			if len(st.FeedTitle) > feeds.MaxTitleBytes {
				t.Errorf("feed title of %d bytes", len(st.FeedTitle))
			}
		},
	}
}

func badUTF8Case() docCase {
	doc := "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Bad \xff bytes</title>" +
		"<item><title>Caf\xe9 \xff\xfe end</title><guid>u1</guid><description>&lt;p&gt;broken \xc3\x28 and \xe2\x82 cut&lt;/p&gt;</description></item>" +
		"<item><title>Overlong \xc0\xaf, surrogate \xed\xa0\x80, controls \x01\x0b\x1f</title><guid>u2</guid><description>\xf0\x28\x8c\x28</description></item>" +
		"<item><title>Fine \u0645\u0631\u062d\u0628\u0627</title><guid>u3</guid></item>" +
		"</channel></rss>"
	return docCase{
		name: "bad-utf8", contentType: "application/rss+xml; charset=utf-8", body: []byte(doc),
		memLimit: hostileMemLimit,
		check: func(t *testing.T, d *Daemon, r ingest.Result, start, end time.Time) {
			if r.New != 3 {
				t.Errorf("%d new items, want 3", r.New)
			}
			for key, want := range map[string]string{"u1": "Caf\uFFFD \uFFFD\uFFFD end", "u3": "Fine مرحبا"} {
				it, ok, _ := d.Store().ItemByKey("bad-utf8", key)
				if !ok || it.Title != want {
					t.Errorf("%s: title %q, want %q", key, it.Title, want)
				}
			}
			it, _, _ := d.Store().ItemByKey("bad-utf8", "u2")
			if !strings.Contains(it.Title, "\uFFFD") || strings.ContainsAny(it.Title, "\x01\x0b\x1f") {
				t.Errorf("u2: title %q", it.Title)
			}
		},
	}
}

func laughsCase() docCase {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n")
	b.WriteString("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n")
	for i := 2; i <= 9; i++ {
		fmt.Fprintf(&b, "<!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString("]>\n<rss version=\"2.0\"><channel><title>&lol9;</title><item><title>laughs &lol9;</title><description>&lol9;</description><guid>laughs</guid></item></channel></rss>")
	return docCase{
		name: "laughs", contentType: "application/rss+xml", body: []byte(b.String()),
		memLimit: hostileMemLimit,
		check: func(t *testing.T, d *Daemon, r ingest.Result, start, end time.Time) {
			it, ok, _ := d.Store().ItemByKey("laughs", "laughs")
			if !ok {
				t.Fatal("item not stored")
			}
			if n := len(it.Title) + len(it.Summary) + len(it.Content); n > 1000 {
				t.Errorf("entities expanded: %d bytes of text", n)
			}
			if strings.Contains(it.Title+it.Summary, "lollol") {
				t.Errorf("entities expanded: %q", it.Title)
			}
		},
	}
}

func xxeCase(secretFile, dtdURL, secret string, dtdHits *atomic.Int32) docCase {
	doc := `<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "` + dtdURL + `/evil.dtd" [
<!ENTITY xxe SYSTEM "file://` + secretFile + `">
<!ENTITY passwd SYSTEM "file:///etc/passwd">
<!ENTITY % ext SYSTEM "` + dtdURL + `/param.dtd"> %ext;
]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>xxe &xxe; &passwd; &remote;</title><description>&xxe; &passwd;</description><guid>xxe</guid></item>
</channel></rss>`
	return docCase{
		name: "xxe", contentType: "application/rss+xml", body: []byte(doc),
		memLimit: hostileMemLimit,
		check: func(t *testing.T, d *Daemon, r ingest.Result, start, end time.Time) {
			it, ok, _ := d.Store().ItemByKey("xxe", "xxe")
			if !ok {
				t.Fatal("item not stored")
			}
			all := it.Title + it.Summary + it.Content
			st, _ := d.Store().SourceState("xxe")
			all += st.FeedTitle
			if strings.Contains(all, secret) || strings.Contains(all, "root:") {
				t.Errorf("file contents leaked into the store: %q", all)
			}
			if n := dtdHits.Load(); n != 0 {
				t.Errorf("external DTD fetched %d times", n)
			}
		},
	}
}

// dateCase is one odd date and the time it must be read as; a zero want
// means "unreadable: the fetch time".
type dateCase struct {
	name, raw string // raw "-" means no pubDate at all
	want      time.Time
}

var oddDates = []dateCase{
	{"rfc822 gmt", "Mon, 02 Jan 2006 15:04:05 GMT", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
	{"rfc822 offset", "Mon, 2 Jan 2006 15:04:05 +0330", time.Date(2006, 1, 2, 11, 34, 5, 0, time.UTC)},
	{"rfc822 two-digit year", "02 Jan 06 15:04 EST", time.Date(2006, 1, 2, 20, 4, 0, 0, time.UTC)},
	{"rfc822 two-digit year offset", "Mon, 02 Jan 06 15:04:05 +0000", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
	{"rfc850", "Monday, 02-Jan-06 15:04:05 MST", time.Date(2006, 1, 2, 22, 4, 5, 0, time.UTC)},
	{"named zone IRST", "Mon, 02 Jan 2006 15:04:05 IRST", time.Date(2006, 1, 2, 11, 34, 5, 0, time.UTC)},
	{"ansi c", "Mon Jan  2 15:04:05 2006", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
	{"iso without zone", "2006-01-02T15:04:05", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
	{"iso with space", "2006-01-02 15:04:05", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
	{"iso date only", "2006-01-02", time.Date(2006, 1, 2, 0, 0, 0, 0, time.UTC)},
	{"iso basic", "20060102T150405Z", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
	{"arabic digits", "٢٠٠٦-٠١-٠٢ ١٥:٠٤:٠٥", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
	{"unix seconds", "1136214245", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
	{"unix milliseconds", "1136214245000", time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
	{"epoch start", "Thu, 01 Jan 1970 00:00:00 GMT", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
	{"garbage", "next tuesday-ish", time.Time{}},
	{"impossible", "Tue, 31 Feb 2006 25:61:00 GMT", time.Time{}},
	{"zero date", "0000-00-00 00:00:00", time.Time{}},
	{"year one", "Sat, 01 Jan 0001 00:00:00 GMT", time.Time{}},
	{"future", "Mon, 02 Jan 2999 15:04:05 GMT", time.Time{}},
	{"far future", "Fri, 31 Dec 9999 23:59:59 GMT", time.Time{}},
	{"empty", "", time.Time{}},
	{"missing", "-", time.Time{}},
}

func datesCase() docCase {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Dates</title>`)
	for i, dc := range oddDates {
		date := ""
		if dc.raw != "-" {
			date = "<pubDate>" + dc.raw + "</pubDate>"
		}
		fmt.Fprintf(&b, "<item><title>%s</title><guid>date-%d</guid>%s</item>", dc.name, i, date)
	}
	b.WriteString("</channel></rss>")
	return docCase{
		name: "dates", contentType: "application/rss+xml", body: []byte(b.String()),
		memLimit: hostileMemLimit,
		check: func(t *testing.T, d *Daemon, r ingest.Result, start, end time.Time) {
			if r.New != len(oddDates) {
				t.Errorf("%d new items, want %d", r.New, len(oddDates))
			}
			for i, dc := range oddDates {
				t.Run(dc.name, func(t *testing.T) {
					it, ok, _ := d.Store().ItemByKey("dates", fmt.Sprintf("date-%d", i))
					if !ok {
						t.Fatal("not stored")
					}
					got := it.Published
					if dc.want.IsZero() {
						if got.Before(start.Add(-time.Second)) || got.After(end) {
							t.Errorf("%q: published %v, want the fetch time (%v)", dc.raw, got, start)
						}
						return
					}
					if !got.Equal(dc.want) {
						t.Errorf("%q: published %v, want %v", dc.raw, got, dc.want)
					}
				})
			}
		},
	}
}

func publishSourceIndex(source string) publish.Index {
	return publish.Index{Kind: publish.IndexSource, Name: source}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
