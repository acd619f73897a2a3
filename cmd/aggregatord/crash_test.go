//go:build unix

package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/storage"
)

// longTests reports whether the long variants of the reliability tests
// should run (CI sets AGGREGATORD_LONG_TESTS=1).
func longTests() bool { return os.Getenv("AGGREGATORD_LONG_TESTS") == "1" }

// farm serves feeds that grow on every request: /f/NAME lists the source's
// ten newest items, three of them new since the previous request and one
// older item retitled, so every fetch stores new and updated items.
type farm struct {
	*httptest.Server
	epoch time.Time
	mu    sync.Mutex
	reqs  map[string]int
}

func newFarm(t *testing.T) *farm {
	f := &farm{epoch: time.Now().Add(-time.Hour).Truncate(time.Second), reqs: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/f/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		f.mu.Lock()
		f.reqs[name]++
		n := f.reqs[name]
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Farm %s</title><link>https://farm.example/%s/</link><description>d</description>`, name, name)
		for k := 3 * n; k > max(0, 3*n-10); k-- {
			title := fmt.Sprintf("%s item %d", name, k)
			if k == 3*n-3 {
				title += fmt.Sprintf(" (revision %d)", n)
			}
			fmt.Fprintf(w, `<item><guid isPermaLink="false">%s-%d</guid><title>%s</title><link>https://farm.example/%s/%d</link><description>%s</description><pubDate>%s</pubDate></item>`,
				name, k, title, name, k, strings.Repeat("Lorem ipsum dolor sit amet. ", 8), f.epoch.Add(time.Duration(k)*time.Second).Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(f.Close)
	return f
}

// farmConfig is a config with n farm sources fetched every second, keeping
// every item forever.
func farmConfig(dbPath, listen, admin, farmURL string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[server]\nlisten = %q\nadmin_listen = %q\n[storage]\npath = %q\nretention = \"0s\"\nmax_items_per_source = 0\n[fetch]\ntimeout = \"5s\"\nconcurrency = 8\n",
		listen, admin, dbPath)
	for i := range n {
		fmt.Fprintf(&b, "\n[[source]]\nname = \"s%02d\"\nurl = \"%s/f/s%02d\"\nschedule = \"@every 1s\"\n", i, farmURL, i)
	}
	return b.String()
}

// TestCrashRecovery SIGKILLs the daemon at random moments while it ingests
// as fast as it can (20 sources every second plus back-to-back admin
// refreshes), many times. After each kill it reopens the file (the kernel
// released the lock), runs Store.Check (bbolt's page checks and every index
// invariant), and checks that every item whose commit the daemon logged
// before any kill so far is still stored, and that each source holds at
// least as many items as the daemon logged as new. Then it restarts the
// daemon on the same file. The seed is logged; AGGREGATORD_CRASH_SEED
// replays a run, AGGREGATORD_LONG_TESTS=1 kills 100 times instead of 20.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	kills := 20
	if longTests() {
		kills = 100
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AGGREGATORD_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("AGGREGATORD_CRASH_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (AGGREGATORD_CRASH_SEED=%d replays the kill schedule)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	f := newFarm(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "crash.db")
	listen, admin := freePort(t), freePort(t)
	cfgPath := writeFile(t, filepath.Join(dir, "c.toml"), farmConfig(dbPath, listen, admin, f.URL, 20))
	args := []string{"run", "-config", cfgPath, "-log-format", "json", "-log-level", "debug"}

	committed := map[string]bool{} // source NUL key, logged as stored before some kill
	newBySource := map[string]int{}
	start := time.Now()
	var storedFetches int
	for i := range kills {
		logPath := filepath.Join(dir, fmt.Sprintf("run%03d.log", i))
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		p := startProc(t, logFile, nil, args...)
		logFile.Close()

		stop := make(chan struct{})
		var load sync.WaitGroup
		load.Go(func() { refreshLoop("http://"+admin, stop) })

		// One kill in five lands at a random moment of start-up (opening,
		// migrating, the first fetches); the rest while ingesting.
		var when string
		if rng.IntN(5) == 0 {
			d := time.Duration(rng.Int64N(int64(300 * time.Millisecond)))
			time.Sleep(d)
			when = fmt.Sprintf("%v after start", d.Round(time.Millisecond))
		} else {
			if !waitReady(p, "http://"+listen+"/readyz", 10*time.Second) {
				data, _ := os.ReadFile(logPath)
				t.Fatalf("run %d: not ready within 10s:\n%s", i, tail(data, 40))
			}
			d := time.Duration(rng.Int64N(int64(700 * time.Millisecond)))
			time.Sleep(d)
			when = fmt.Sprintf("%v after ready", d.Round(time.Millisecond))
		}
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("run %d: kill: %v", i, err)
		}
		if !p.wait(10 * time.Second) {
			t.Fatalf("run %d: still running 10s after SIGKILL", i)
		}
		close(stop)
		load.Wait()

		data, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "WARNING: DATA RACE") {
			t.Fatalf("run %d: data race in the daemon:\n%s", i, data)
		}
		lines := parseLog(data)
		n := 0
		for _, l := range lines {
			switch {
			case l.Msg == "stored":
				for _, k := range l.Keys {
					committed[l.Source+"\x00"+k] = true
				}
			case l.Msg == "fetched" && l.Result == "ok" && l.ItemsNew > 0:
				newBySource[l.Source] += l.ItemsNew
				n++
			}
		}
		storedFetches += n
		verifyAfterCrash(t, i, dbPath, committed, newBySource)
		t.Logf("kill %2d at %s: %3d fetches with new items committed in this run; %5d items committed so far",
			i+1, when, n, len(committed))
	}
	if storedFetches == 0 || len(committed) == 0 {
		t.Fatal("no fetch committed in any run: the test did not exercise anything")
	}

	// A last start on the same file comes up and stops cleanly.
	var stderr lockedBuffer
	p := startProc(t, &stderr, nil, "run", "-config", cfgPath)
	if !waitReady(p, "http://"+listen+"/readyz", 10*time.Second) {
		t.Fatalf("not ready after the last kill:\n%s", stderr.String())
	}
	if code := get(t, "http://"+listen+"/feeds/all.json"); code != 200 {
		t.Errorf("merged feed after restart: %d", code)
	}
	p.signal(t, syscall.SIGTERM)
	if !p.wait(20*time.Second) || p.exitCode() != 0 {
		t.Fatalf("no clean exit after SIGTERM:\n%s", stderr.String())
	}
	verifyAfterCrash(t, kills, dbPath, committed, newBySource)
	t.Logf("%d kills, %d fetches with new items committed, %d items verified, in %v",
		kills, storedFetches, len(committed), time.Since(start).Round(time.Millisecond))
}

// refreshLoop asks the daemon's admin API to fetch every source, back to
// back, until stop is closed.
func refreshLoop(admin string, stop <-chan struct{}) {
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		select {
		case <-stop:
			return
		default:
		}
		resp, err := client.Post(admin+"/admin/refresh", "text/plain", nil)
		if err != nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// waitReady polls url until it answers 200, the process exits, or timeout.
func waitReady(p *proc, url string, timeout time.Duration) bool {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return false
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// verifyAfterCrash opens the db (which fails if the dead process still
// held the lock), checks it, and looks for every committed item.
func verifyAfterCrash(t *testing.T, run int, dbPath string, committed map[string]bool, newBySource map[string]int) {
	t.Helper()
	st, err := storage.Open(dbPath, storage.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("run %d: reopen: %v", run, err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Fatalf("run %d: check: %v", run, err)
	}
	have := map[string]bool{}
	err = st.Scan(storage.AllIndex(), "", func(it news.Item, _ storage.Cursor) bool {
		for _, c := range it.Copies {
			have[c.Source+"\x00"+c.Key] = true
		}
		return true
	})
	if err != nil {
		t.Fatalf("run %d: scan: %v", run, err)
	}
	var missing []string
	for k := range committed {
		if !have[k] {
			missing = append(missing, strings.Replace(k, "\x00", "/", 1))
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Fatalf("run %d: %d items logged as stored are missing, e.g. %q", run, len(missing), missing[:min(5, len(missing))])
	}
	for src, n := range newBySource {
		c, err := st.CountSource(src)
		if err != nil {
			t.Fatal(err)
		}
		if c < n {
			t.Errorf("run %d: source %s holds %d items; the daemon logged %d new ones", run, src, c, n)
		}
	}
}

// tail returns the last n lines of data.
func tail(data []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
