package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/storage"
)

// growingFeed serves /feed.rss: three small items, and after grow() also
// thirty items of 8 KiB each, too much for a nearly full disk. The body
// does not change otherwise.
type growingFeed struct {
	*httptest.Server
	big atomic.Bool
}

func newGrowingFeed(t *testing.T) *growingFeed {
	g := &growingFeed{}
	epoch := time.Now().Add(-time.Hour).Truncate(time.Second)
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Disk</title><link>https://disk.example/</link><description>d</description>`)
		n := 3
		if g.big.Load() {
			n = 33
		}
		for k := n; k >= 1; k-- {
			body := "short"
			if k > 3 {
				body = strings.Repeat(fmt.Sprintf("Item %d fills the disk. ", k), 8<<10/24)
			}
			fmt.Fprintf(w, `<item><guid isPermaLink="false">d-%d</guid><title>Item %d</title><link>https://disk.example/%d</link><description>%s</description><pubDate>%s</pubDate></item>`,
				k, k, k, body, epoch.Add(time.Duration(k)*time.Second).Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(g.Close)
	return g
}

// TestDiskFullFileSizeLimit runs the daemon with RLIMIT_FSIZE of 128 KiB
// (works without privileges): bbolt's next file growth fails with EFBIG.
func TestDiskFullFileSizeLimit(t *testing.T) {
	dir := t.TempDir()
	diskFull(t, filepath.Join(dir, "full.db"), []string{"AGGREGATORD_TEST_FSIZE=131072"},
		func(p *proc) {}, // the limit is there from the start
		func(p *proc) { p.signal(t, syscall.SIGUSR2) })
}

// TestDiskFullTmpfs puts the db on a 1 MiB tmpfs and fills it up with
// another file: bbolt's page writes fail with ENOSPC. It needs root (or
// CAP_SYS_ADMIN) to mount, and skips without.
func TestDiskFullTmpfs(t *testing.T) {
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v): needs root; TestDiskFullFileSizeLimit covers the same without", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	filler := filepath.Join(mnt, "filler")
	diskFull(t, filepath.Join(mnt, "full.db"), nil,
		func(p *proc) {
			f, err := os.Create(filler)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			chunk := make([]byte, 4096)
			for {
				if _, err := f.Write(chunk); err != nil {
					if !errors.Is(err, syscall.ENOSPC) {
						t.Fatalf("filling the tmpfs: %v", err)
					}
					return
				}
			}
		},
		func(p *proc) {
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
		})
}

// diskFull runs the daemon on dbPath with env, lets it store a first fetch,
// calls fill, serves a feed too big for what is left, and expects: failed
// writes logged as such, /readyz 503 saying the store cannot write, the
// public feeds still serving what was stored, no crash. Then it calls free
// and expects the next fetch to be stored and /readyz to be 200 again, a
// clean exit, and a consistent file.
func diskFull(t *testing.T, dbPath string, env []string, fill, free func(*proc)) {
	feed := newGrowingFeed(t)
	dir := t.TempDir()
	listen, admin := freePort(t), freePort(t)
	cfgPath := writeFile(t, filepath.Join(dir, "c.toml"), fmt.Sprintf(
		"[server]\nlisten = %q\nadmin_listen = %q\n[storage]\npath = %q\n[fetch]\ntimeout = \"5s\"\n\n[[source]]\nname = \"disk\"\nurl = %q\nschedule = \"@every 1s\"\n",
		listen, admin, dbPath, feed.URL+"/feed.rss"))
	var stderr lockedBuffer
	p := startProc(t, &stderr, env, "run", "-config", cfgPath, "-log-format", "json")
	base := "http://" + listen
	if !waitReady(p, base+"/readyz", 10*time.Second) {
		t.Fatalf("not ready:\n%s", stderr.String())
	}
	waitItems(t, base+"/feeds/all.json", 3)

	fill(p)
	feed.big.Store(true)
	start := time.Now()
	var body string
	waitFor(t, func() bool {
		var code int
		code, body = getBody(base + "/readyz")
		return code == http.StatusServiceUnavailable
	})
	t.Logf("/readyz after %v: 503 %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(body))
	if !strings.Contains(body, "store: last write failed at") {
		t.Errorf("/readyz does not say the store cannot write: %q", body)
	}
	// /readyz turns 503 the moment the failure is recorded; the log line
	// follows from the same goroutine a moment later.
	logged := func() bool { return hasLine(stderr.String(), `"level":"ERROR"`, "store write failed", "disk") }
	for deadline := time.Now().Add(5 * time.Second); !logged() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !logged() {
		t.Errorf("no error logged for the failed write:\n%s", stderr.String())
	}
	// Several failed attempts later the daemon is still up and serving
	// what it had stored.
	waitFor(t, func() bool { return countLog(parseLog([]byte(stderr.String())), "fetch failed") >= 2 })
	for _, path := range []string{"/feeds/all.json", "/feeds/sources/disk.json"} {
		code, text := getBody(base + path)
		if code != 200 || strings.Count(text, `"date_published"`) != 3 {
			t.Errorf("%s while the disk is full: %d with %d items, want 200 with 3", path, code, strings.Count(text, `"date_published"`))
		}
	}
	if code, _ := getBody(base + "/feeds/all.atom"); code != 200 {
		t.Errorf("/feeds/all.atom while the disk is full: %d", code)
	}

	free(p)
	start = time.Now()
	waitFor(t, func() bool { code, _ := getBody(base + "/readyz"); return code == 200 })
	t.Logf("/readyz 200 again %v after space returned", time.Since(start).Round(time.Millisecond))
	waitItems(t, base+"/feeds/all.json?limit=100", 33)
	if !hasLine(stderr.String(), "store writes succeed again") {
		t.Errorf("recovery not logged")
	}

	p.signal(t, syscall.SIGTERM)
	if !p.wait(20*time.Second) || p.exitCode() != 0 {
		t.Fatalf("no clean exit after SIGTERM:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "WARNING: DATA RACE") {
		t.Fatalf("data race in the daemon:\n%s", stderr.String())
	}
	st, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Errorf("check after the disk was full: %v", err)
	}
	if n, _ := st.CountSource("disk"); n != 33 {
		t.Errorf("stored %d items, want 33", n)
	}
}
