package daemon

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The serving benchmarks compare the daemon's public handler answering a
// conditional request for /feeds/all.atom (50 items) with 304 against
// http.ServeContent answering the same request for the same bytes with the
// same ETag from memory: the "static file" baseline of BENCHMARKS.md
// (issue 7: 304s at least as fast as static).
//
//	go test -run '^$' -bench 'Serve304' -benchmem -benchtime=1x ./daemon   # loopback: one run of ~3 s
//	go test -run '^$' -bench 'Handler' -benchmem ./daemon                  # handler level, 304 and 200

// servingFixture is a daemon with a store of 50 items, its public handler,
// the static baseline handler serving the same bytes, and the ETag.
type servingFixture struct {
	d              *Daemon
	public, static http.Handler
	etag           string
}

func newServingFixture(b *testing.B) *servingFixture {
	b.Helper()
	fs := newFeedServer(b)
	items := make([][3]string, 50)
	for i := range items {
		items[i] = [3]string{
			fmt.Sprintf("Headline number %d about the budget talks in Erbil", i),
			fmt.Sprintf("https://en.example.com/2026/story-%d", i),
			strings.Repeat(fmt.Sprintf("Paragraph %d of a story about officials meeting in Baghdad. ", i), 8),
		}
	}
	fs.set("/en.rss", "application/rss+xml", []byte(rssFeed("English outlet", items...)))
	dir := b.TempDir()
	cfgPath := writeConfig(b, dir, fmt.Sprintf("[[source]]\nname = \"en\"\nurl = \"%s/en.rss\"\n", fs.URL))
	d, err := Open(loadConfig(b, cfgPath), Options{Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	res, err := d.FetchOnce(context.Background(), nil)
	if err != nil || len(res) != 1 || res[0].New != 50 {
		b.Fatalf("fetch: %+v %v", res, err)
	}
	f := &servingFixture{d: d, public: d.publicHandler()}

	// The feed's bytes and ETag, as the daemon serves them.
	w := newBenchWriter()
	f.public.ServeHTTP(w, benchRequest(""))
	if w.code != http.StatusOK || w.body.Len() == 0 {
		b.Fatalf("GET /feeds/all.atom: %d", w.code)
	}
	f.etag = w.h.Get("Etag")
	body := bytes.Clone(w.body.Bytes())
	ctype := w.h.Get("Content-Type")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(body)
	zw.Close()
	mod := time.Now().Add(-time.Hour)
	// The handler of bench/run.go's startStatic, for one file.
	f.static = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feeds/all.atom" {
			http.NotFound(w, r)
			return
		}
		hdr := w.Header()
		hdr.Set("ETag", f.etag)
		hdr.Set("Content-Type", ctype)
		hdr.Set("Vary", "Accept-Encoding")
		hdr.Set("Cache-Control", "public, max-age=60")
		b := body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			// Precompressed, like nginx's gzip_static.
			b = gz.Bytes()
			hdr.Set("Content-Encoding", "gzip")
		}
		http.ServeContent(w, r, "", mod, bytes.NewReader(b))
	})
	return f
}

// benchRequest is GET /feeds/all.atom as a client sends it, with
// If-None-Match when inm is not empty.
func benchRequest(inm string) *http.Request {
	r, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:9/feeds/all.atom", nil)
	if err != nil {
		panic(err)
	}
	r.RequestURI = "/feeds/all.atom"
	r.Header.Set("User-Agent", "aggbench")
	r.Header.Set("Accept", "*/*")
	if inm != "" {
		r.Header.Set("If-None-Match", inm)
	}
	return r
}

// benchWriter is a minimal reusable ResponseWriter; reset clears it
// without freeing its header map.
type benchWriter struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func newBenchWriter() *benchWriter { return &benchWriter{h: http.Header{}} }

func (w *benchWriter) Header() http.Header { return w.h }
func (w *benchWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *benchWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.body.Write(p)
}
func (w *benchWriter) reset() {
	clear(w.h)
	w.code = 0
	w.body.Reset()
}

// BenchmarkHandler304 is the handler-level comparison: the daemon's whole
// public handler (URI and Host checks, metrics, routes) and the static
// baseline, each answering 304 to the same conditional request.
func BenchmarkHandler304(b *testing.B) {
	f := newServingFixture(b)
	benchHandlers(b, f, benchRequest(f.etag), http.StatusNotModified)
}

// BenchmarkHandler200 is BenchmarkHandler304 for the full answer, plain
// and gzip.
func BenchmarkHandler200(b *testing.B) {
	f := newServingFixture(b)
	b.Run("identity", func(b *testing.B) { benchHandlers(b, f, benchRequest(""), http.StatusOK) })
	gz := benchRequest("")
	gz.Header.Set("Accept-Encoding", "gzip")
	b.Run("gzip", func(b *testing.B) { benchHandlers(b, f, gz, http.StatusOK) })
}

func benchHandlers(b *testing.B, f *servingFixture, req *http.Request, want int) {
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"static", f.static}, {"daemon", f.public}} {
		b.Run(c.name, func(b *testing.B) {
			w := newBenchWriter()
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				c.h.ServeHTTP(w, req)
				if w.code != want {
					b.Fatalf("status %d", w.code)
				}
			}
		})
	}
}

// BenchmarkServe304 is the loopback comparison: both handlers in
// http.Servers with the daemon's limits on 127.0.0.1, loaded in
// alternating rounds by keep-alive clients that write prebuilt requests
// and read answers minimally. It runs for a fixed time whatever b.N (use
// -benchtime=1x) and reports both rates and their ratio.
func BenchmarkServe304(b *testing.B) {
	const (
		clients = 4
		rounds  = 6
		round   = 250 * time.Millisecond // per target per round: 1.5 s each
	)
	f := newServingFixture(b)
	lim := f.d.opt.HTTP
	addrs := map[string]string{}
	for name, h := range map[string]http.Handler{"static": f.static, "daemon": f.public} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := f.d.newServer(h, lim.WriteTimeout)
		go srv.Serve(ln)
		b.Cleanup(func() { srv.Close() })
		addrs[name] = ln.Addr().String()
	}
	n := map[string]int64{}
	elapsed, cpu := map[string]time.Duration{}, map[string]time.Duration{}
	b.ResetTimer()
	for range rounds {
		for _, name := range []string{"static", "daemon"} {
			cpu0 := processCPU()
			got, took, err := loadLoopback(addrs[name], f.etag, clients, round)
			if err != nil {
				b.Fatal(err)
			}
			cpu[name] += processCPU() - cpu0
			n[name] += got
			elapsed[name] += took
		}
	}
	b.StopTimer()
	rate := func(name string) float64 { return float64(n[name]) / elapsed[name].Seconds() }
	perReq := func(name string) float64 { return cpu[name].Seconds() * 1e6 / float64(n[name]) }
	b.ReportMetric(rate("static"), "static-req/s")
	b.ReportMetric(rate("daemon"), "daemon-req/s")
	b.ReportMetric(rate("daemon")/rate("static"), "daemon/static")
	// Process CPU (server and clients: the clients cost the same in both).
	b.ReportMetric(perReq("static"), "static-cpu-µs/req")
	b.ReportMetric(perReq("daemon"), "daemon-cpu-µs/req")
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadLoopback runs clients keep-alive connections to addr for d, each
// sending the conditional request again once the previous 304 is read, and
// returns the answers counted and the time taken.
func loadLoopback(addr, etag string, clients int, d time.Duration) (int64, time.Duration, error) {
	req := []byte("GET /feeds/all.atom HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: aggbench\r\nAccept: */*\r\nIf-None-Match: " + etag + "\r\n\r\n")
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := time.Now()
	end := start.Add(d)
	for range clients {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			br := bufio.NewReaderSize(c, 4096)
			var count int64
			for time.Now().Before(end) {
				if _, err := c.Write(req); err != nil {
					errs <- err
					return
				}
				// A 304 has no body: the answer ends with its header.
				line, err := br.ReadSlice('\n')
				if err != nil {
					errs <- err
					return
				}
				if !bytes.HasPrefix(line, []byte("HTTP/1.1 304 ")) {
					errs <- fmt.Errorf("answer %q", line)
					return
				}
				for {
					line, err = br.ReadSlice('\n')
					if err != nil {
						errs <- err
						return
					}
					if len(line) <= 2 {
						break
					}
				}
				count++
			}
			total.Add(count)
		})
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	if err := <-errs; err != nil && err != io.EOF {
		return 0, 0, err
	}
	return total.Load(), took, nil
}
