package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for aggregatord: with
// AGGREGATORD_TEST_MAIN=1 it runs main with the given arguments, so tests can
// start the real program as a separate process and send it signals.
// AGGREGATORD_TEST_FSIZE limits the size of files that program may write
// (see applyTestFileLimit).
func TestMain(m *testing.M) {
	if os.Getenv("AGGREGATORD_TEST_MAIN") == "1" {
		if err := applyTestFileLimit(os.Getenv("AGGREGATORD_TEST_FSIZE")); err != nil {
			fmt.Fprintln(os.Stderr, "AGGREGATORD_TEST_FSIZE:", err)
			os.Exit(3)
		}
		main()
		return
	}
	os.Exit(m.Run())
}

func runCLI(t *testing.T, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, ctx: context.Background(), getenv: func(k string) string { return environ[k] }}
	code = dispatch(e, args)
	return code, out.String(), errb.String()
}

const feedXML = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://example.com/</link><description>d</description>
<item><title>Iraq budget passes</title><link>https://example.com/a</link><guid>a</guid></item>
<item><title>Erbil talks</title><link>https://example.com/b</link><guid>b</guid></item></channel></rss>`

func feedServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.rss", "/other.rss":
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, strings.Replace(feedXML, "example.com/", "example.com"+strings.TrimSuffix(r.URL.Path, ".rss")+"/", -1))
		default:
			http.Error(w, "gone fishing", http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func configText(dir, listen, admin string, sources ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[server]\nlisten = %q\nadmin_listen = %q\n[storage]\npath = %q\n[fetch]\ntimeout = \"5s\"\n",
		listen, admin, filepath.Join(dir, "a.db"))
	for i := 0; i+1 < len(sources); i += 2 {
		fmt.Fprintf(&b, "\n[[source]]\nname = %q\nurl = %q\n", sources[i], sources[i+1])
	}
	return b.String()
}

func TestHelpVersionUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"help"}, 0, "aggregatord run"},
		{[]string{"-h"}, 0, "aggregatord fetch"},
		{[]string{"version"}, 0, "aggregatord " + version},
		{[]string{"nope"}, 2, ""},
		{nil, 2, ""},
		{[]string{"check", "-h"}, 0, ""},
		{[]string{"run", "-bogus"}, 2, ""},
		{[]string{"check", "extra"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, _ := runCLI(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) {
				t.Errorf("exit %d, stdout %q; want %d and %q", code, out, tt.code, tt.out)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, filepath.Join(dir, "good.toml"), configText(dir, "127.0.0.1:8080", "127.0.0.1:8081", "a", "https://example.com/feed"))
	bad := writeFile(t, filepath.Join(dir, "bad.toml"), `[fetch]
schedule = "every so often"

[[source]]
name = "Bad Name"
url = "ftp://example.com/feed"
`)
	if code, out, errOut := runCLI(t, nil, "check", "-config", good); code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("good config: exit %d, %q %q", code, out, errOut)
	}
	if code, _, _ := runCLI(t, map[string]string{"AGGREGATORD_CONFIG": good}, "check"); code != 0 {
		t.Errorf("AGGREGATORD_CONFIG: exit %d", code)
	}
	code, _, errOut := runCLI(t, nil, "check", "-config", bad)
	if code != 2 {
		t.Errorf("bad config: exit %d, want 2", code)
	}
	for _, want := range []string{bad + ":2:12: ", bad + ":5:8: ", bad + ":6:7: "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("bad config: stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, errOut := runCLI(t, nil, "check"); code != 2 || !strings.Contains(errOut, "AGGREGATORD_CONFIG") {
		t.Errorf("no config: exit %d, %q", code, errOut)
	}
}

func TestFetchExitCodes(t *testing.T) {
	srv := feedServer(t)
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "c.toml"), configText(dir, "127.0.0.1:8080", "",
		"good", srv.URL+"/feed.rss", "broken", srv.URL+"/missing"))

	code, out, errOut := runCLI(t, nil, "fetch", "-config", cfg, "-source", "good")
	if code != 0 || !strings.Contains(out, "good") || !strings.Contains(out, "new=2") {
		t.Errorf("fetch good: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, nil, "fetch", "-config", cfg)
	if code != 1 {
		t.Errorf("fetch with a failing source: exit %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out, "not-modified") || !strings.Contains(out, "500") {
		t.Errorf("fetch output:\n%s", out)
	}
	if code, _, errOut := runCLI(t, nil, "fetch", "-config", cfg, "-source", "nope"); code != 2 || !strings.Contains(errOut, "nope") {
		t.Errorf("unknown source: exit %d %q", code, errOut)
	}
}

// TestRunSignals starts the real program, reloads it with SIGHUP (a bad
// config is refused, a good one adds a source), checks that a second
// process on the same db is refused, and stops it with SIGTERM.
func TestRunSignals(t *testing.T) {
	srv := feedServer(t)
	dir := t.TempDir()
	listen, admin := freePort(t), freePort(t)
	cfgPath := writeFile(t, filepath.Join(dir, "c.toml"), configText(dir, listen, admin, "one", srv.URL+"/feed.rss"))

	var stderr lockedBuffer
	cmd := exec.Command(os.Args[0], "run", "-config", cfgPath)
	cmd.Env = append(os.Environ(), "AGGREGATORD_TEST_MAIN=1")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-done
		}
	}()
	base := "http://" + listen
	waitHTTP(t, base+"/readyz", 200)
	waitItems(t, base+"/feeds/sources/one.json", 2)

	// A second process on the same db fails at once.
	code, _, errOut := runCLI(t, nil, "fetch", "-config", cfgPath)
	if code != 1 || !strings.Contains(errOut, "a.db") || !strings.Contains(errOut, "locked") {
		t.Errorf("second process: exit %d, %q", code, errOut)
	}

	// A bad config is refused and the old one stays.
	writeFile(t, cfgPath, configText(dir, listen, admin, "one", srv.URL+"/feed.rss")+"\n[[source]]\nname = \"two\"\n")
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, func() bool { return strings.Contains(stderr.String(), "reload rejected") })
	if code := get(t, base+"/feeds/sources/one.atom"); code != 200 {
		t.Errorf("after bad reload: %d", code)
	}

	// A good config adds a source, fetched at once.
	writeFile(t, cfgPath, configText(dir, listen, admin, "one", srv.URL+"/feed.rss", "two", srv.URL+"/other.rss"))
	cmd.Process.Signal(syscall.SIGHUP)
	waitItems(t, base+"/feeds/sources/two.json", 2)

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit 20s after SIGTERM")
	}
}

func get(t *testing.T, url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func waitHTTP(t *testing.T, url string, code int) {
	t.Helper()
	waitFor(t, func() bool { return get(t, url) == code })
}

func waitItems(t *testing.T, url string, n int) {
	t.Helper()
	waitFor(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode == 200 && strings.Count(b.String(), `"date_published"`) == n
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
