package daemon

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// interopFeed is one published feed the readers are checked on, with the
// titles it must show: those of the store's matching index.
type interopFeed struct {
	name  string // path under /feeds/, without extension
	want  map[string]bool
	topic string // if set, every entry must carry this category
	rtl   bool   // Arabic titles expected
}

// demoDaemon fetches the built-in demo feeds into a fresh daemon, serves it,
// and returns its base URL and the feeds to check: merged, one topic, and
// the Arabic source.
func demoDaemon(t *testing.T) (string, []interopFeed) {
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
	titles := func(idx storage.Index) map[string]bool {
		m := map[string]bool{}
		if err := d.Store().Scan(idx, "", func(it news.Item, _ storage.Cursor) bool {
			m[it.Title] = true
			return true
		}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	feeds := []interopFeed{
		{name: "all", want: titles(storage.AllIndex()), rtl: true},
		{name: "topics/us-iran", want: titles(storage.TopicIndex("us-iran")), topic: "us-iran", rtl: true},
		{name: "sources/sada-alrafidayn", want: titles(storage.SourceIndex("sada-alrafidayn")), rtl: true},
	}
	if len(feeds[0].want) < 40 || len(feeds[1].want) < 3 || len(feeds[2].want) < 5 {
		t.Fatalf("demo stored too little: %d merged, %d us-iran, %d Arabic", len(feeds[0].want), len(feeds[1].want), len(feeds[2].want))
	}
	return serveDaemon(t, d), feeds
}

// checkEntries compares the titles a reader saw with the stored ones: every
// entry, none twice, Arabic intact.
func checkEntries(t *testing.T, reader string, got []string, f interopFeed) {
	t.Helper()
	want := f.want
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
	if f.rtl && arabic == 0 {
		t.Errorf("%s: no Arabic titles", reader)
	}
}

// TestInteropFeedparser reads the merged, a topic and a source feed, Atom
// and RSS, with Python's feedparser (Debian python3-feedparser): no
// errors, every entry once with title, link, date, source and (in the
// topic feed) its category.
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
	base, feeds := demoDaemon(t)
	const script = `
import feedparser, json, sys
d = feedparser.parse(sys.argv[1])
json.dump({"bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")),
           "entries": [{"title": e.get("title", ""), "link": e.get("link", ""),
                        "dated": bool(e.get("published_parsed") or e.get("updated_parsed")),
                        "source": bool(e.get("source")),
                        "tags": [x.get("term", "") for x in e.get("tags", [])]} for e in d.entries]}, sys.stdout)
`
	// feedparser 6 does not read JSON Feed; gofeed's round trip covers it.
	for _, f := range feeds {
		for _, ext := range []string{"atom", "rss"} {
			t.Run(f.name+"."+ext, func(t *testing.T) {
				out, err := exec.Command(python, "-c", script, base+"feeds/"+f.name+"."+ext+"?limit=500").Output()
				if err != nil {
					t.Fatalf("feedparser: %v", err)
				}
				var r struct {
					Bozo    bool
					Error   string
					Entries []struct {
						Title, Link   string
						Dated, Source bool
						Tags          []string
					}
				}
				if err := json.Unmarshal(out, &r); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
				if r.Bozo {
					t.Errorf("feedparser reports a problem: %s", r.Error)
				}
				var titles []string
				for _, e := range r.Entries {
					titles = append(titles, e.Title)
					if !strings.HasPrefix(e.Link, "https://") || !e.Dated || !e.Source {
						t.Errorf("entry %q: link %q, dated %v, source %v", e.Title, e.Link, e.Dated, e.Source)
					}
					if f.topic != "" && !slices.Contains(e.Tags, f.topic) {
						t.Errorf("entry %q lacks category %s: %v", e.Title, f.topic, e.Tags)
					}
				}
				checkEntries(t, "feedparser "+f.name+"."+ext, titles, f)
			})
		}
	}
}

// TestInteropNewsboat subscribes newsboat to the merged, a topic and a
// source feed, Atom and RSS, reloads, and reads what it stored in its
// cache: every entry once, with title, link and date, Arabic intact.
func TestInteropNewsboat(t *testing.T) {
	nb := requireTool(t, "newsboat")
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		python = requireTool(t, "python3")
	}
	base, feeds := demoDaemon(t)
	for _, f := range feeds {
		for _, ext := range []string{"atom", "rss"} {
			t.Run(f.name+"."+ext, func(t *testing.T) {
				dir := t.TempDir()
				urls := filepath.Join(dir, "urls")
				os.WriteFile(urls, []byte(base+"feeds/"+f.name+"."+ext+"?limit=500\n"), 0o644)
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
json.dump([{"title": r[0], "url": r[1], "pubDate": r[2]} for r in c.execute("select title, url, pubDate from rss_item")], sys.stdout)
`, cache).Output()
				if err != nil {
					t.Fatalf("reading newsboat cache: %v", err)
				}
				var items []struct {
					Title, URL string
					PubDate    int64
				}
				if err := json.Unmarshal(out, &items); err != nil {
					t.Fatal(err)
				}
				var titles []string
				for _, it := range items {
					titles = append(titles, it.Title)
					if !strings.HasPrefix(it.URL, "https://") || it.PubDate < time.Now().Add(-30*24*time.Hour).Unix() {
						t.Errorf("entry %q: url %q, date %d", it.Title, it.URL, it.PubDate)
					}
				}
				checkEntries(t, "newsboat "+f.name+"."+ext, titles, f)
			})
		}
	}
}
