package daemon

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/demo"
	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/storage"
)

// requireTool returns the path of a reader used in interop tests. Locally a
// missing tool skips the test; in CI (CI=true, where .ci/run installs them)
// it fails it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (.ci/run installs it)", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// demoDaemon fetches the built-in demo feeds into a fresh daemon, serves it,
// and returns its base URL and the titles of every stored item.
func demoDaemon(t *testing.T) (string, map[string]bool) {
	t.Helper()
	srv, err := demo.Start(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	text := srv.Config("127.0.0.1:0", "", filepath.Join(t.TempDir(), "demo.db"))
	cfg, err := config.Load("demo.toml", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	res, err := d.FetchOnce(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Source, r.Err)
		}
	}
	titles := map[string]bool{}
	if err := d.Store().Scan(storage.AllIndex(), "", func(it news.Item, _ storage.Cursor) bool {
		titles[it.Title] = true
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(titles) < 40 {
		t.Fatalf("demo stored only %d distinct titles", len(titles))
	}
	return serveDaemon(t, d), titles
}

// checkEntries compares the titles a reader saw with the stored ones: every
// entry, none twice, Arabic intact.
func checkEntries(t *testing.T, reader string, got []string, want map[string]bool) {
	t.Helper()
	seen := map[string]int{}
	arabic := 0
	for _, title := range got {
		seen[title]++
		if strings.ContainsAny(title, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي") {
			arabic++
		}
	}
	for title, n := range seen {
		if n > 1 {
			t.Errorf("%s: %q %d times", reader, title, n)
		}
		if !want[title] {
			t.Errorf("%s: unexpected title %q (mangled?)", reader, title)
		}
	}
	for title := range want {
		if seen[title] == 0 {
			t.Errorf("%s: missing %q", reader, title)
		}
	}
	if arabic == 0 {
		t.Errorf("%s: no Arabic titles", reader)
	}
}

// TestInteropFeedparser reads the merged Atom and RSS feeds with Python's feedparser
// (Debian python3-feedparser), which must see no errors.
func TestInteropFeedparser(t *testing.T) {
	python := requireTool(t, "python3")
	if err := exec.Command(python, "-c", "import feedparser").Run(); err != nil {
		python = "/usr/bin/python3" // Debian's, where python3-feedparser lives
		if err := exec.Command(python, "-c", "import feedparser").Run(); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("python3-feedparser not installed (.ci/run installs it)")
			}
			t.Skip("python3-feedparser not installed")
		}
	}
	base, want := demoDaemon(t)
	const script = `
import feedparser, json, sys
d = feedparser.parse(sys.argv[1])
json.dump({"bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")), "version": d.version,
           "titles": [e.get("title", "") for e in d.entries],
           "sources": [bool(e.get("source") or e.get("author")) for e in d.entries]}, sys.stdout)
`
	// feedparser 6 does not read JSON Feed; gofeed's round trip covers it.
	for _, ext := range []string{"atom", "rss"} {
		t.Run(ext, func(t *testing.T) {
			out, err := exec.Command(python, "-c", script, base+"feeds/all."+ext+"?limit=500").Output()
			if err != nil {
				t.Fatalf("feedparser: %v", err)
			}
			var r struct {
				Bozo    bool
				Error   string
				Version string
				Titles  []string
				Sources []bool
			}
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if r.Bozo {
				t.Errorf("feedparser reports a problem: %s", r.Error)
			}
			checkEntries(t, "feedparser "+ext, r.Titles, want)
			for i, ok := range r.Sources {
				if !ok {
					t.Errorf("entry %d has no source attribution", i)
				}
			}
		})
	}
}

// TestInteropNewsboat subscribes newsboat to the merged Atom and RSS feeds,
// reloads, and reads what it stored in its cache.
func TestInteropNewsboat(t *testing.T) {
	nb := requireTool(t, "newsboat")
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		python = requireTool(t, "python3")
	}
	base, want := demoDaemon(t)
	for _, ext := range []string{"atom", "rss"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			urls := filepath.Join(dir, "urls")
			os.WriteFile(urls, []byte(base+"feeds/all."+ext+"?limit=500\n"), 0o644)
			cache := filepath.Join(dir, "cache.db")
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, nb, "-u", urls, "-c", cache, "-C", os.DevNull, "-x", "reload")
			cmd.Env = append(os.Environ(), "HOME="+dir, "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("newsboat: %v\n%s", err, out)
			}
			out, err := exec.Command(python, "-c", `
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
json.dump([r[0] for r in c.execute("select title from rss_item")], sys.stdout)
`, cache).Output()
			if err != nil {
				t.Fatalf("reading newsboat cache: %v", err)
			}
			var titles []string
			if err := json.Unmarshal(out, &titles); err != nil {
				t.Fatal(err)
			}
			checkEntries(t, "newsboat "+ext, titles, want)
		})
	}
}
