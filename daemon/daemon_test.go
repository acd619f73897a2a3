package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/encoding/charmap"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/ingest"
	"github.com/aggregatord/aggregatord/storage"
)

// feedServer serves fixed documents with validators, counting requests and
// conditional hits per path.
type feedServer struct {
	*httptest.Server
	mu    sync.Mutex
	docs  map[string]doc
	hits  map[string]int
	n304  map[string]int
	stamp time.Time
}

type doc struct {
	body        []byte
	contentType string
}

func newFeedServer(t testing.TB) *feedServer {
	fs := &feedServer{docs: map[string]doc{}, hits: map[string]int{}, n304: map[string]int{}, stamp: time.Now().Add(-time.Hour).Truncate(time.Second)}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		d, ok := fs.docs[r.URL.Path]
		fs.hits[r.URL.Path]++
		fs.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"%x"`, len(d.body)*7919+int(d.body[len(d.body)/2]))
		if r.Header.Get("If-None-Match") == etag {
			fs.mu.Lock()
			fs.n304[r.URL.Path]++
			fs.mu.Unlock()
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", d.contentType)
		http.ServeContent(w, r, "", fs.stamp, bytes.NewReader(d.body))
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) set(path, contentType string, body []byte) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.docs[path] = doc{body: body, contentType: contentType}
}

func rssFeed(title string, items ...[3]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>https://example.com/</link><description>test</description>`, title)
	for i, it := range items {
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s</link><guid>%s</guid><description>%s</description><pubDate>%s</pubDate></item>`,
			it[0], it[1], it[1], it[2], time.Now().Add(-time.Duration(i+1)*time.Hour).UTC().Format(time.RFC1123Z))
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

func writeConfig(t testing.TB, dir string, sources string) string {
	t.Helper()
	text := fmt.Sprintf(`
[server]
listen = "127.0.0.1:0"
admin_listen = ""
base_url = "http://127.0.0.1:9/"
title = "Test news"

[storage]
path = %q

[fetch]
timeout = "2s"
concurrency = 4
schedule = "@every 1h"

%s
[[topic]]
id = "us-iran"
title = "US–Iran tensions"
query = 'iran AND =US'
`, filepath.Join(dir, "test.db"), sources)
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func loadConfig(t testing.TB, path string) *config.Config {
	t.Helper()
	cfg, err := config.LoadFile(path)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// TestEndToEnd: fetch from loopback feeds in every format and charset,
// dedupe within and across sources, serve the merged feed, and see the
// second pass answered with 304s.
func TestEndToEnd(t *testing.T) {
	fs := newFeedServer(t)
	shared := "https://news.example.com/2026/us-iran-talks?utm_source=rss"
	fs.set("/en.rss", "application/rss+xml", []byte(rssFeed("English outlet",
		[3]string{"US and Iran resume talks in Muscat", shared, "Envoys met."},
		[3]string{"Erbil budget row deepens", "https://en.example.com/erbil-budget", "Baghdad and Erbil."},
	)))
	arabic := rssFeed("صدى", [3]string{"واشنطن وطهران تستأنفان المحادثات", "https://ar.example.com/talks", "التقى المبعوثون في مسقط"})
	arabic = strings.Replace(arabic, `encoding="UTF-8"`, `encoding="windows-1256"`, 1)
	enc, err := charmap.Windows1256.NewEncoder().String(arabic)
	if err != nil {
		t.Fatal(err)
	}
	fs.set("/ar.rss", "text/xml; charset=windows-1256", []byte(enc))
	// Dates relative to now: fixed ones would fall out of the default
	// retention (720h) as the calendar moves on.
	day := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Hour)
	at := func(h int) string { return day.Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }
	fs.set("/atom.xml", "application/atom+xml", []byte(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom outlet</title><id>urn:x:atom</id><updated>`+at(0)+`</updated>
<entry><title>US &amp; Iran: talks resume</title><id>urn:x:1</id><link href="https://news.example.com/2026/us-iran-talks#top"/><updated>`+at(0)+`</updated><summary>Same story, other outlet.</summary></entry>
<entry><title>Kirkuk oil exports restart</title><id>urn:x:2</id><link href="https://atom.example.com/kirkuk"/><updated>`+at(1)+`</updated><summary>Pipeline.</summary></entry>
</feed>`))
	fs.set("/feed.json", "application/feed+json", []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"JSON outlet","items":[
{"id":"j1","url":"https://json.example.com/hormuz","title":"Tanker seized near Hormuz","content_text":"Navy says.","date_published":"`+at(2)+`"}]}`))

	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, fmt.Sprintf(`
[[source]]
name = "en"
url = "%[1]s/en.rss"
[[source]]
name = "ar"
url = "%[1]s/ar.rss"
[[source]]
name = "atom"
url = "%[1]s/atom.xml"
[[source]]
name = "json"
url = "%[1]s/feed.json"
`, fs.URL))
	d, err := Open(loadConfig(t, cfgPath), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })

	ctx := context.Background()
	// "en" first: which copy of the shared story counts as new depends on
	// which source is stored first, and a pass runs sources concurrently.
	res, err := d.FetchOnce(ctx, []string{"en"})
	if err != nil {
		t.Fatal(err)
	}
	rest, err := d.FetchOnce(ctx, []string{"ar", "atom", "json"})
	if err != nil {
		t.Fatal(err)
	}
	res = append(res, rest...)
	got := map[string]ingest.Result{}
	for _, r := range res {
		if r.Status != ingest.StatusOK {
			t.Fatalf("%s: %s %v", r.Source, r.Status, r.Err)
		}
		got[r.Source] = r
	}
	if got["en"].New != 2 || got["ar"].New != 1 || got["json"].New != 1 {
		t.Errorf("new counts: %+v", got)
	}
	// The Atom feed's first entry has the English feed's canonical link.
	if got["atom"].New != 1 || got["atom"].Duplicate != 1 {
		t.Errorf("atom: new=%d duplicate=%d, want 1 and 1", got["atom"].New, got["atom"].Duplicate)
	}

	// Second pass: every source answers 304 and nothing changes.
	res, err = d.FetchOnce(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Status != ingest.StatusNotModified || r.New+r.Updated != 0 {
			t.Errorf("second pass %s: %s new=%d updated=%d", r.Source, r.Status, r.New, r.Updated)
		}
	}
	for _, p := range []string{"/en.rss", "/ar.rss", "/atom.xml", "/feed.json"} {
		if fs.n304[p] != 1 {
			t.Errorf("%s: %d conditional hits, want 1", p, fs.n304[p])
		}
	}

	// Serve and read the merged feed back with a real parser.
	base := serveDaemon(t, d)
	feed := getFeed(t, base+"feeds/all.atom")
	if len(feed.Items) != 5 {
		t.Fatalf("merged feed has %d entries, want 5", len(feed.Items))
	}
	seen := map[string]bool{}
	var arabicTitle bool
	for _, it := range feed.Items {
		if seen[it.Link] {
			t.Errorf("%s twice", it.Link)
		}
		seen[it.Link] = true
		if it.Title == "واشنطن وطهران تستأنفان المحادثات" {
			arabicTitle = true
		}
	}
	if !arabicTitle {
		t.Error("Arabic title not intact in merged feed")
	}
	if !seen["https://news.example.com/2026/us-iran-talks"] {
		t.Errorf("canonical link missing; links: %v", seen)
	}
	for _, ext := range []string{"rss", "json"} {
		if f := getFeed(t, base+"feeds/all."+ext); len(f.Items) != 5 {
			t.Errorf("all.%s: %d entries", ext, len(f.Items))
		}
	}
	if f := getFeed(t, base+"feeds/sources/atom.atom"); len(f.Items) != 2 {
		t.Errorf("source feed atom: %d entries, want 2", len(f.Items))
	}
}

// TestSecondProcessLocked: a second Open of the same db fails at once,
// naming the file.
func TestSecondProcessLocked(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, writeConfig(t, dir, ""))
	d, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	start := time.Now()
	_, err = Open(cfg, Options{})
	if !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), cfg.Storage.Path) {
		t.Errorf("error %q does not name the file", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("second open took %v", time.Since(start))
	}
}

// TestFailingSourceDoesNotHurtOthers: a hanging source and a 429 fail on
// their own; the good source is stored, and the failures are recorded with
// their backoff.
func TestFailingSourceDoesNotHurtOthers(t *testing.T) {
	fs := newFeedServer(t)
	fs.set("/good.rss", "application/rss+xml", []byte(rssFeed("Good", [3]string{"Fine", "https://good.example.com/1", "ok"})))
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer hang.Close()
	limited := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7200")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer limited.Close()

	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, fmt.Sprintf(`
[[source]]
name = "good"
url = "%s/good.rss"
[[source]]
name = "hang"
url = "%s/feed"
[[source]]
name = "limited"
url = "%s/feed"
`, fs.URL, hang.URL, limited.URL))
	cfg := loadConfig(t, cfgPath)
	cfg.Fetch.Timeout = 300 * time.Millisecond
	d, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	start := time.Now()
	res, err := d.FetchOnce(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("pass took %v despite a 300ms timeout", time.Since(start))
	}
	if res[0].Status != ingest.StatusOK || res[0].New != 1 {
		t.Errorf("good: %+v", res[0])
	}
	if res[1].Status != ingest.StatusFailed || !strings.Contains(res[1].Err.Error(), "timeout") {
		t.Errorf("hang: %s %v", res[1].Status, res[1].Err)
	}
	if res[2].Status != ingest.StatusFailed || res[2].HTTPStatus != 429 {
		t.Errorf("limited: %+v", res[2])
	}
	st, err := d.Store().SourceState("limited")
	if err != nil {
		t.Fatal(err)
	}
	if wait := time.Until(st.NextDue); wait < 110*time.Minute {
		t.Errorf("Retry-After 7200 not honoured: next due in %v", wait)
	}
	if st.Error == "" || st.Status != 429 || st.Failures != 1 {
		t.Errorf("limited state: %+v", st)
	}
}

// TestAdminAPI: refresh, sources and backup on the admin listener.
func TestAdminAPI(t *testing.T) {
	fs := newFeedServer(t)
	fs.set("/a.rss", "application/rss+xml", []byte(rssFeed("A", [3]string{"One", "https://a.example.com/1", "x"}, [3]string{"Two", "https://a.example.com/2", "y"})))
	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, fmt.Sprintf("[[source]]\nname = \"a\"\nurl = \"%s/a.rss\"\n", fs.URL))
	cfg := loadConfig(t, cfgPath)
	d, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	adm := httptest.NewServer(d.admin)
	defer adm.Close()
	// Start the scheduler so RunNow works; it fetches "a" at once (never fetched).
	base := serveDaemon(t, d)
	_ = base

	resp, err := http.Post(adm.URL+"/admin/refresh?source=a", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var results []map[string]any
	json.NewDecoder(resp.Body).Decode(&results)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(results) != 1 || results[0]["source"] != "a" {
		t.Fatalf("refresh: %d %v", resp.StatusCode, results)
	}
	resp, err = http.Post(adm.URL+"/admin/refresh?source=nope", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("unknown source: %d, want 400", resp.StatusCode)
	}

	resp, err = http.Get(adm.URL + "/admin/sources")
	if err != nil {
		t.Fatal(err)
	}
	var srcs []map[string]any
	json.NewDecoder(resp.Body).Decode(&srcs)
	resp.Body.Close()
	if len(srcs) != 1 {
		t.Fatalf("sources: %v", srcs)
	}
	for _, k := range []string{"name", "url", "last_attempt", "last_success", "status", "error", "next_due", "items"} {
		if _, ok := srcs[0][k]; !ok {
			t.Errorf("sources: no %q in %v", k, srcs[0])
		}
	}
	// The scheduler fetched "a" at start (never fetched before), so the
	// refresh was a conditional GET answered with 304.
	if srcs[0]["items"].(float64) != 2 || srcs[0]["status"].(float64) != 304 || srcs[0]["error"] != "" {
		t.Errorf("sources: %v", srcs[0])
	}

	resp, err = http.Get(adm.URL + "/admin/backup")
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	f, _ := os.Create(backup)
	io.Copy(f, resp.Body)
	f.Close()
	resp.Body.Close()
	st, err := storage.Open(backup, storage.Options{})
	if err != nil {
		t.Fatalf("backup does not open: %v", err)
	}
	defer st.Close()
	if n, _ := st.CountSource("a"); n != 2 {
		t.Errorf("backup holds %d items of a, want 2", n)
	}
	if err := st.Check(); err != nil {
		t.Errorf("backup check: %v", err)
	}
}

// TestReload: a reload adds a source, which is fetched at once, and the
// publisher learns about it.
func TestReload(t *testing.T) {
	fs := newFeedServer(t)
	fs.set("/a.rss", "application/rss+xml", []byte(rssFeed("A", [3]string{"One", "https://a.example.com/1", "x"})))
	fs.set("/b.rss", "application/rss+xml", []byte(rssFeed("B", [3]string{"Two", "https://b.example.com/2", "y"})))
	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, fmt.Sprintf("[[source]]\nname = \"a\"\nurl = \"%s/a.rss\"\n", fs.URL))
	d, err := Open(loadConfig(t, cfgPath), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	base := serveDaemon(t, d)
	if code := status(t, base+"feeds/sources/b.atom"); code != 404 {
		t.Errorf("unknown source b: %d", code)
	}
	cfgPath = writeConfig(t, dir, fmt.Sprintf("[[source]]\nname = \"a\"\nurl = \"%[1]s/a.rss\"\n[[source]]\nname = \"b\"\nurl = \"%[1]s/b.rss\"\n", fs.URL))
	if err := d.Reload(loadConfig(t, cfgPath)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if f := getFeed(t, base+"feeds/sources/b.atom"); len(f.Items) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("source b not fetched after reload")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serveDaemon runs d on a loopback listener until the test ends and
// returns its base URL.
func serveDaemon(t *testing.T, d *Daemon) string {
	t.Helper()
	ls, err := d.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.ServeListeners(ctx, ls) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ls.Public.Addr().String() + "/"
}

func getFeed(t *testing.T, url string) *gofeed.Feed {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	f, err := gofeed.NewParser().Parse(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return f
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
