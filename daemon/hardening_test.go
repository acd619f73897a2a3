package daemon

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/ingest"
)

// hardDaemon is a daemon on loopback with both listeners, for the HTTP
// hardening tests.
type hardDaemon struct {
	d             *Daemon
	public, admin string // host:port
	cancel        context.CancelFunc
	done          chan error
}

// startHardDaemon runs a daemon whose base_url is https://news.example.org/
// with the given limits and extra config (sources), until the test ends.
func startHardDaemon(t *testing.T, lim HTTPLimits, extra string) *hardDaemon {
	t.Helper()
	dir := t.TempDir()
	text := fmt.Sprintf(`[server]
listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
base_url = "https://news.example.org/"
[storage]
path = %q
[fetch]
timeout = "10s"
schedule = "@every 1h"
%s`, filepath.Join(dir, "hard.db"), extra)
	cfg, err := config.Load("hard.toml", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(cfg, Options{HTTP: lim, ShutdownTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := d.Listen()
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &hardDaemon{d: d, public: ls.Public.Addr().String(), admin: ls.Admin.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { h.done <- d.ServeListeners(ctx, ls) }()
	t.Cleanup(func() {
		h.stop(t)
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return h
}

// stop ends Serve (once) and reports its error.
func (h *hardDaemon) stop(t *testing.T) {
	t.Helper()
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	if err := <-h.done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// do sends a request with the given Host header (the address itself when
// empty) and returns the status and body.
func do(t *testing.T, method, addr, path, host string, hdr http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestHTTPLimits: a client trickling its headers is cut off after
// ReadHeaderTimeout; oversized headers answer 431; an overlong URI 414 or
// 431; a malformed query 400; the server stays up through all of it.
func TestHTTPLimits(t *testing.T) {
	h := startHardDaemon(t, HTTPLimits{ReadHeaderTimeout: 300 * time.Millisecond}, "")

	t.Run("slowloris", func(t *testing.T) {
		conn, err := net.Dial("tcp", h.public)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		closed := make(chan struct{})
		go func() {
			io.Copy(io.Discard, conn) // returns when the server closes
			close(closed)
		}()
		start := time.Now()
		msg := "GET /feeds/all.atom HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + strings.Repeat("a", 100)
		for i := 0; ; i++ {
			select {
			case <-closed:
				if d := time.Since(start); d > 3*time.Second {
					t.Errorf("cut off after %v; ReadHeaderTimeout is 300ms", d)
				}
				return
			case <-time.After(50 * time.Millisecond):
			}
			if i >= len(msg) || time.Since(start) > 5*time.Second {
				t.Fatalf("still connected after %v of trickled headers", time.Since(start))
			}
			if _, err := conn.Write([]byte{msg[i]}); err != nil {
				return // closed by the server
			}
		}
	})

	tests := []struct {
		name   string
		path   string
		hdr    http.Header
		status int
	}{
		{"oversized header", "/feeds/all.atom", http.Header{"X-Big": {strings.Repeat("b", 100<<10)}}, http.StatusRequestHeaderFieldsTooLarge},
		{"many headers", "/feeds/all.atom", manyHeaders(3000), http.StatusRequestHeaderFieldsTooLarge},
		{"long query", "/feeds/all.atom?q=" + strings.Repeat("x", 10<<10), nil, http.StatusRequestURITooLong},
		{"huge query", "/feeds/all.atom?q=" + strings.Repeat("x", 200<<10), nil, http.StatusRequestHeaderFieldsTooLarge},
		{"long path", "/feeds/" + strings.Repeat("p", 9<<10), nil, http.StatusRequestURITooLong},
		{"bad escape", "/feeds/all.atom?limit=%zz", nil, http.StatusBadRequest},
		{"bad limit", "/feeds/all.atom?limit=-1", nil, http.StatusBadRequest},
		{"many params", "/feeds/all.atom?" + strings.Repeat("a=1&", 1500), nil, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(t, "GET", h.public, tt.path, "", tt.hdr)
			if code != tt.status {
				t.Errorf("status %d, want %d: %.200s", code, tt.status, body)
			}
		})
	}
	if code, _ := do(t, "GET", h.public, "/healthz", "", nil); code != 200 {
		t.Errorf("/healthz after the abuse: %d", code)
	}
}

func manyHeaders(n int) http.Header {
	h := http.Header{}
	for i := range n {
		h.Set(fmt.Sprintf("X-H%d", i), "0123456789012345678901234567890123456789")
	}
	return h
}

// TestServerTimeoutsConfigured: the servers carry every timeout and the
// header limit, with the documented defaults.
func TestServerTimeoutsConfigured(t *testing.T) {
	d := &Daemon{opt: Options{HTTP: HTTPLimits{}.withDefaults()}, hosts: &hostGuard{}, log: slog.New(slog.DiscardHandler)}
	srv := d.newServer(http.NotFoundHandler(), time.Minute)
	if srv.ReadHeaderTimeout != 10*time.Second || srv.ReadTimeout != 30*time.Second || srv.WriteTimeout != time.Minute ||
		srv.IdleTimeout != 2*time.Minute || srv.MaxHeaderBytes != 64<<10 {
		t.Errorf("server limits: header %v read %v write %v idle %v max header %d",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}
}

// TestHostCheck: only Host headers naming this server are served; others
// answer 421, on both listeners. A reload moves the allowed name along
// with base_url.
func TestHostCheck(t *testing.T) {
	h := startHardDaemon(t, HTTPLimits{}, "")
	_, port, _ := net.SplitHostPort(h.public)
	tests := []struct {
		host   string
		status int
	}{
		{"news.example.org", 200},               // the public name, behind a reverse proxy
		{"news.example.org:443", 200},           // with a port
		{"NEWS.Example.ORG.", 200},              // case and trailing dot
		{"127.0.0.1:" + port, 200},              // direct, by address
		{"localhost:" + port, 200},              // direct, by name
		{"[::1]:" + port, 200},                  // IPv6 loopback
		{"127.0.0.2", 200},                      // any loopback address
		{"evil.example", 421},                   // DNS rebinding
		{"evil.example:" + port, 421},           // with our port
		{"news.example.org.evil.example", 421},  // suffix trick
		{"10.1.2.3:" + port, 421},               // an address this socket does not have
		{"localhost.evil.example:" + port, 421}, // prefix trick
		{"xn--nws-example-org.example:" + port, 421},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			code, body := do(t, "GET", h.public, "/feeds/all.atom", tt.host, nil)
			if code != tt.status {
				t.Errorf("public: Host %q: %d, want %d: %.200s", tt.host, code, tt.status, body)
			}
			code, _ = do(t, "GET", h.admin, "/admin/sources", tt.host, nil)
			if code != tt.status {
				t.Errorf("admin: Host %q: %d, want %d", tt.host, code, tt.status)
			}
		})
	}

	t.Run("no Host (HTTP/1.0)", func(t *testing.T) {
		conn, err := net.Dial("tcp", h.public)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprint(conn, "GET /healthz HTTP/1.0\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("HTTP/1.0 without Host: %d", resp.StatusCode)
		}
	})

	t.Run("reload", func(t *testing.T) {
		cfg := *h.d.Config()
		cfg.Server.BaseURL = "https://other.example.net/news/"
		if err := h.d.Reload(&cfg); err != nil {
			t.Fatal(err)
		}
		if code, _ := do(t, "GET", h.public, "/healthz", "other.example.net", nil); code != 200 {
			t.Errorf("new base_url host after reload: %d", code)
		}
		if code, _ := do(t, "GET", h.public, "/healthz", "news.example.org", nil); code != 421 {
			t.Errorf("old base_url host after reload: %d, want 421", code)
		}
	})
}

// TestAdminNotOnPublicListener: the admin API answers on admin_listen
// only, and the config refuses to put both on one address.
func TestAdminNotOnPublicListener(t *testing.T) {
	h := startHardDaemon(t, HTTPLimits{}, "")
	for _, r := range []struct{ method, path string }{
		{"GET", "/admin/sources"}, {"GET", "/admin/backup"}, {"POST", "/admin/refresh"},
		{"GET", "/admin/"}, {"GET", "/admin"}, {"GET", "/feeds/../admin/sources"},
	} {
		if code, _ := do(t, r.method, h.public, r.path, "", nil); code != 404 {
			t.Errorf("public listener: %s %s: %d, want 404", r.method, r.path, code)
		}
	}
	if code, _ := do(t, "GET", h.admin, "/admin/sources", "", nil); code != 200 {
		t.Errorf("admin listener: GET /admin/sources: %d", code)
	}
	if code, _ := do(t, "GET", h.admin, "/feeds/all.atom", "", nil); code != 404 {
		t.Errorf("admin listener serves the public feeds: %d", code)
	}

	for _, tt := range []struct{ listen, admin string }{
		{"127.0.0.1:8080", "127.0.0.1:8080"},
		{"0.0.0.0:8080", "127.0.0.1:8080"},
		{":8080", "127.0.0.1:8080"},
	} {
		text := fmt.Sprintf("[server]\nlisten = %q\nadmin_listen = %q\n", tt.listen, tt.admin)
		_, err := config.Load("same.toml", strings.NewReader(text))
		if err == nil || !strings.Contains(err.Error(), "same.toml:3:16: server.admin_listen:") {
			t.Errorf("listen %s, admin_listen %s: %v; want an error at the admin_listen value", tt.listen, tt.admin, err)
		}
	}

	// A Config built by hand with one address for both cannot bind twice.
	cfg := *h.d.Config()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg.Server.Listen, cfg.Server.AdminListen = addr, addr
	cfg.Storage.Path = filepath.Join(t.TempDir(), "other.db")
	d, err := Open(&cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if ls, err := d.Listen(); err == nil {
		ls.Public.Close()
		ls.Admin.Close()
		t.Error("Listen bound the admin API and the public server to the same address")
	}
}

// TestReadyzReportsStoreWriteFailure: a failed store write makes /readyz
// answer 503 saying so, until a write succeeds.
func TestReadyzReportsStoreWriteFailure(t *testing.T) {
	h := startHardDaemon(t, HTTPLimits{}, "")
	if code, body := do(t, "GET", h.public, "/readyz", "", nil); code != 200 {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	diskFull := errors.New("write /var/lib/aggregatord/a.db: no space left on device")
	h.d.observe(ingest.Result{Source: "a", Status: ingest.StatusFailed, Err: diskFull, StoreErr: diskFull})
	code, body := do(t, "GET", h.public, "/readyz", "", nil)
	if code != 503 || !strings.Contains(body, "store: last write failed at ") || !strings.Contains(body, "no space left on device") {
		t.Errorf("after a failed write: %d %q", code, body)
	}
	// A failure that did not touch the store changes nothing; a fetch
	// that wrote nothing either.
	h.d.observe(ingest.Result{Source: "b", Status: ingest.StatusFailed, Err: errors.New("404")})
	h.d.observe(ingest.Result{Source: "b", Status: ingest.StatusGone})
	if code, _ := do(t, "GET", h.public, "/readyz", "", nil); code != 503 {
		t.Errorf("after an unrelated failure: %d, want 503 still", code)
	}
	h.d.observe(ingest.Result{Source: "a", Status: ingest.StatusOK, Stored: true})
	if code, body := do(t, "GET", h.public, "/readyz", "", nil); code != 200 {
		t.Errorf("after a successful write: %d %s", code, body)
	}
}

// TestShutdownCancelsRefreshInFlight: an admin refresh waiting for a
// fetch that hangs does not hold the shutdown until its timeout: stopping
// cancels the fetch, the refresh answers, and Serve returns at once.
func TestShutdownCancelsRefreshInFlight(t *testing.T) {
	var hang atomic.Bool
	var hanging atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hang.Load() {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, rssFeed("Slow"))
			return
		}
		hanging.Add(1)
		<-r.Context().Done()
	}))
	defer slow.Close()
	h := startHardDaemon(t, HTTPLimits{}, fmt.Sprintf("[[source]]\nname = \"slow\"\nurl = %q\n", slow.URL))
	waitUntil(t, func() bool { // the start-up fetch is done
		st, err := h.d.Store().SourceState("slow")
		return err == nil && !st.LastSuccess.IsZero()
	})
	hang.Store(true)
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Post("http://"+h.admin+"/admin/refresh", "text/plain", nil)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	waitUntil(t, func() bool { return hanging.Load() == 1 })
	start := time.Now()
	h.stop(t)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("shutdown took %v with a refresh in flight (ShutdownTimeout 10s)", d)
	}
	select {
	case code := <-answered:
		if code != 200 {
			t.Errorf("refresh in flight answered %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Error("refresh in flight never answered")
	}
	st, err := h.d.Store().SourceState("slow")
	if err != nil {
		t.Fatal(err)
	}
	if st.Failures != 0 || !st.NextDue.IsZero() {
		t.Errorf("cancelled fetch recorded as a failure: %+v", st)
	}
}

// waitUntil polls cond every few milliseconds for up to 5s.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
