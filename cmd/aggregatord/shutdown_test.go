//go:build unix

package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/storage"
)

// TestShutdownUnderLoad sends SIGTERM while fetches hang on slow servers,
// an admin refresh waits for them, and eight clients hammer the merged
// feed. The process must exit 0 within -shutdown-timeout, every
// response a client got must be whole (cut connections are fine, 5xx and
// truncated bodies are not), the db must be closed (reopened at once) and
// consistent, and the cancelled fetches must not count as failures of
// their sources.
func TestShutdownUnderLoad(t *testing.T) {
	var slowInFlight atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/slow/") {
			slowInFlight.Add(1)
			defer slowInFlight.Add(-1)
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Fast</title><link>https://fast.example/</link><description>d</description>`)
		for k := range 20 {
			fmt.Fprintf(w, `<item><guid>%s-%d</guid><title>Item %d</title><link>https://fast.example%s/%d</link><description>%s</description></item>`,
				r.URL.Path, k, k, r.URL.Path, k, strings.Repeat("text ", 50))
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	dbPath := filepath.Join(dir, "s.db")
	listen, admin := freePort(t), freePort(t)
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "[server]\nlisten = %q\nadmin_listen = %q\n[storage]\npath = %q\n[fetch]\ntimeout = \"20s\"\nconcurrency = 8\n", listen, admin, dbPath)
	for i := range 4 {
		fmt.Fprintf(&cfg, "\n[[source]]\nname = \"slow%d\"\nurl = \"%s/slow/%d\"\nschedule = \"@every 1s\"\n", i, srv.URL, i)
		fmt.Fprintf(&cfg, "\n[[source]]\nname = \"fast%d\"\nurl = \"%s/fast/%d\"\nschedule = \"@every 1s\"\n", i, srv.URL, i)
	}
	cfgPath := writeFile(t, filepath.Join(dir, "c.toml"), cfg.String())

	const shutdownTimeout = 5 * time.Second
	var stderr lockedBuffer
	p := startProc(t, &stderr, nil, "run", "-config", cfgPath, "-log-format", "json", "-shutdown-timeout", shutdownTimeout.String())
	base := "http://" + listen
	if !waitReady(p, base+"/readyz", 10*time.Second) {
		t.Fatalf("not ready:\n%s", stderr.String())
	}
	waitItems(t, base+"/feeds/all.json?limit=500", 80)
	waitFor(t, func() bool { return slowInFlight.Load() >= 4 })

	// An admin refresh that waits for a hanging fetch.
	refreshDone := make(chan string, 1)
	go func() {
		resp, err := (&http.Client{Timeout: 20 * time.Second}).Post("http://"+admin+"/admin/refresh?source=slow0&source=fast0", "text/plain", nil)
		if err != nil {
			refreshDone <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		refreshDone <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()

	// Clients hammering the merged feed.
	var ok, cut, bad atomic.Int32
	var badMu sync.Mutex
	var badSample []string
	stop := make(chan struct{})
	var clients sync.WaitGroup
	for range 8 {
		clients.Go(func() {
			client := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(base + "/feeds/all.atom?limit=200")
				if err != nil {
					cut.Add(1)
					time.Sleep(5 * time.Millisecond)
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case err != nil:
					cut.Add(1) // cut mid-body: the client sees an error, not a short feed
				case resp.StatusCode == 200 && strings.HasSuffix(strings.TrimSpace(string(b)), "</feed>"):
					ok.Add(1)
				default:
					bad.Add(1)
					badMu.Lock()
					badSample = append(badSample, fmt.Sprintf("%d %.200q", resp.StatusCode, b))
					badMu.Unlock()
				}
			}
		})
	}
	waitFor(t, func() bool { return ok.Load() >= 100 })
	okBefore := ok.Load()

	start := time.Now()
	p.signal(t, syscall.SIGTERM)
	exited := p.wait(shutdownTimeout + 5*time.Second)
	elapsed := time.Since(start)
	close(stop)
	clients.Wait()
	if !exited {
		t.Fatalf("still running %v after SIGTERM:\n%s", elapsed, stderr.String())
	}
	if code := p.exitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM:\n%s", code, stderr.String())
	}
	if elapsed > shutdownTimeout+2*time.Second {
		t.Errorf("shutdown took %v; -shutdown-timeout is %v", elapsed, shutdownTimeout)
	}
	select {
	case r := <-refreshDone:
		t.Logf("admin refresh in flight got: %.300s", r)
	case <-time.After(5 * time.Second):
		t.Error("admin refresh still hanging 5s after the process exited")
	}
	if bad.Load() > 0 {
		t.Errorf("%d bad responses, e.g. %q", bad.Load(), badSample[:min(3, len(badSample))])
	}
	t.Logf("exit after %v; %d whole feed responses (%d during shutdown), %d requests refused or cut after SIGTERM",
		elapsed.Round(time.Millisecond), ok.Load(), ok.Load()-okBefore, cut.Load())
	if strings.Contains(stderr.String(), "WARNING: DATA RACE") {
		t.Fatalf("data race in the daemon:\n%s", stderr.String())
	}

	// The file was closed: it opens at once, and is consistent.
	st, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatalf("reopen right after exit: %v", err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Errorf("check: %v", err)
	}
	for i := range 4 {
		s, err := st.SourceState(fmt.Sprintf("slow%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if s.Failures != 0 || !s.NextDue.IsZero() {
			t.Errorf("slow%d: a fetch cancelled by the shutdown was recorded as a failure: failures=%d next_due=%v error=%q",
				i, s.Failures, s.NextDue, s.Error)
		}
	}
}
