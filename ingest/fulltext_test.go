package ingest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/article"
	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/feeds"
	"github.com/aggregatord/aggregatord/topics"
)

const articlePage = `<!doctype html><html lang="en"><head><title>Washington weighs its next step | Outlet</title></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/subscribe">Subscribe</a></nav></header>
<div class="ticker">Breaking: markets close higher</div>
<article>
<h1>Washington weighs its next step</h1>
<p>The United States is weighing new sanctions on Iran after a drone attack on a base housing American troops in western Iraq, officials in Washington said on Tuesday.</p>
<p>The Pentagon blamed Iran-backed militias for the strike on Ain al-Asad air base, the third such attack this month, and said it reserved the right to respond at a time of its choosing.</p>
<p>Tehran denied any role and warned that any American action against its allies in Iraq would be met with a response, according to a statement carried by state media.</p>
<p>Diplomats said indirect talks on Iran's nuclear programme, mediated by Oman, had stalled as tensions rose between the two countries.</p>
<img src="/images/base.jpg" alt="The base">
</article>
<aside><h3>Related articles</h3><ul><li><a href="/a">Oil prices climb</a></li><li><a href="/b">Football results</a></li></ul></aside>
<div class="share">Share on Facebook Twitter WhatsApp</div>
<section class="comments"><h3>Comments</h3><p>Comments are moderated and will appear after approval. Your email address will not be published.</p></section>
<footer>© Outlet 2026. All rights reserved.</footer>
</body></html>`

// TestFullTextTagsTopic: a summary-only item lands in us-iran once its
// article text is fetched, with the clean text as content and the summary
// kept; the next fetch reuses the text instead of fetching it again.
func TestFullTextTagsTopic(t *testing.T) {
	var articleHits atomic.Int32
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	feed := fmt.Sprintf(`<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet</title><link>%[1]s/</link><description>d</description>
<item><guid>w1</guid><title>Washington weighs its next step</title><link>%[1]s/world/next-step</link><description>Officials said a decision was near.</description><pubDate>%[2]s</pubDate></item>
</channel></rss>`, srv.URL, time.Now().Add(-time.Hour).Format(time.RFC1123Z))
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, feed)
	})
	mux.HandleFunc("/world/next-step", func(w http.ResponseWriter, r *http.Request) {
		articleHits.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, articlePage)
	})

	cfg, err := config.LoadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	tagger, err := topics.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Without the article text the item is not about US–Iran tensions.
	probe := newFixture(t, &server{Server: srv})
	probe.in.SetPolicy(Policy{Tagger: tagger})
	probe.src.URL = srv.URL + "/feed"
	if r := probe.run(t); r.Status != StatusOK {
		t.Fatalf("%+v", r)
	}
	if it, _, _ := probe.store.ItemByKey("outlet", "w1"); len(it.Topics) != 0 {
		t.Fatalf("feed text alone tagged %v", it.Topics)
	}

	f := newFixture(t, &server{Server: srv})
	fetcher := feeds.NewFetcher(feeds.FetcherOptions{Timeout: 2 * time.Second})
	f.in = New(Options{Fetcher: fetcher, Store: f.store, Articles: article.New(article.Options{Fetcher: fetcher}), Now: func() time.Time { return f.now }})
	f.in.SetPolicy(Policy{Tagger: tagger})
	f.src = config.Source{Name: "outlet", URL: srv.URL + "/feed", FullText: true, Enabled: true}
	if r := f.run(t); r.Status != StatusOK || r.New != 1 {
		t.Fatalf("%+v", r)
	}
	it, ok, err := f.store.ItemByKey("outlet", "w1")
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	if !it.FullText || !strings.Contains(it.Content, "Ain al-Asad") {
		t.Errorf("content is not the article text: %q", it.Content)
	}
	if it.Summary != "Officials said a decision was near." {
		t.Errorf("summary not kept: %q", it.Summary)
	}
	for _, junk := range []string{"Related articles", "Comments are moderated", "Share on Facebook", "All rights reserved", "Subscribe", "<script"} {
		if strings.Contains(it.Content, junk) {
			t.Errorf("content holds %q", junk)
		}
	}
	if !strings.Contains(it.Content, srv.URL+"/images/base.jpg") {
		t.Errorf("relative image not made absolute: %q", it.Content)
	}
	if !contains(it.Topics, "us-iran") {
		t.Errorf("topics %v, want us-iran", it.Topics)
	}

	// Unchanged feed (no validators, same body, but parsed again on a new
	// fetcher state): the stored text is reused, not fetched again.
	st, _ := f.store.SourceState("outlet")
	st.BodyHash = ""
	f.store.PutSourceState(st)
	if r := f.run(t); r.Status != StatusOK || r.Updated != 0 {
		t.Errorf("refetch: %+v", r)
	}
	if n := articleHits.Load(); n != 1 {
		t.Errorf("article fetched %d times, want 1", n)
	}
	if it, _, _ := f.store.ItemByKey("outlet", "w1"); !contains(it.Topics, "us-iran") || !it.FullText {
		t.Errorf("after refetch: topics %v full text %v", it.Topics, it.FullText)
	}
}

// TestFullTextRetriesBounded: a failing article page keeps the feed text,
// is retried on later fetches even when the feed is unchanged, at most
// MaxFullTextTries times, and is stored once it succeeds.
func TestFullTextRetriesBounded(t *testing.T) {
	var articleHits, failUntil atomic.Int32
	failUntil.Store(100)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"same"`)
		if r.Header.Get("If-None-Match") == `"same"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>O</title><link>%[1]s/</link><description>d</description>
<item><guid>a1</guid><title>Story</title><link>%[1]s/story</link><description>Short.</description></item></channel></rss>`, srv.URL)
	})
	mux.HandleFunc("/story", func(w http.ResponseWriter, r *http.Request) {
		if articleHits.Add(1) <= failUntil.Load() {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, articlePage)
	})
	f := newFixture(t, &server{Server: srv})
	fetcher := feeds.NewFetcher(feeds.FetcherOptions{Timeout: 2 * time.Second})
	f.in = New(Options{Fetcher: fetcher, Store: f.store, Articles: article.New(article.Options{Fetcher: fetcher}), Now: func() time.Time { return f.now }})
	f.src = config.Source{Name: "outlet", URL: srv.URL + "/feed", FullText: true, Enabled: true}

	for i := range MaxFullTextTries + 2 {
		if r := f.run(t); r.Failed() {
			t.Fatalf("pass %d: %+v", i, r)
		}
	}
	if n := articleHits.Load(); n != MaxFullTextTries {
		t.Errorf("article tried %d times, want %d", n, MaxFullTextTries)
	}
	it, _, _ := f.store.ItemByKey("outlet", "a1")
	if it.FullText || it.Summary != "Short." || it.FullTextTries != MaxFullTextTries {
		t.Errorf("after giving up: %+v", it)
	}
	if st, _ := f.store.SourceState("outlet"); st.FullTextPending != 0 {
		t.Errorf("still pending: %d", st.FullTextPending)
	}

	// A page that recovers within the bound is stored.
	g := newFixture(t, &server{Server: srv})
	g.in = New(Options{Fetcher: fetcher, Store: g.store, Articles: article.New(article.Options{Fetcher: fetcher}), Now: func() time.Time { return g.now }})
	g.src = f.src
	articleHits.Store(0)
	failUntil.Store(1)
	g.run(t) // try 1 fails
	if st, _ := g.store.SourceState("outlet"); st.FullTextPending != 1 {
		t.Fatalf("pending = %d, want 1", st.FullTextPending)
	}
	if r := g.run(t); r.Updated != 1 { // try 2, feed unchanged (would be 304), succeeds
		t.Errorf("retry: %+v", r)
	}
	if it, _, _ := g.store.ItemByKey("outlet", "a1"); !it.FullText || !strings.Contains(it.Content, "Ain al-Asad") {
		t.Errorf("recovered item: %+v", it)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestFullTextNoSSRF: a public feed whose item links to a loopback address
// (the admin API, a metadata endpoint) does not get that page fetched.
func TestFullTextNoSSRF(t *testing.T) {
	var internalHits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		internalHits.Add(1)
		fmt.Fprint(w, articlePage)
	}))
	defer internal.Close()
	pub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>O</title><link>https://outlet.example/</link><description>d</description>
<item><guid>x1</guid><title>Story</title><link>%s/admin/backup</link><description>Short.</description></item></channel></rss>`, internal.URL)
	}))
	defer pub.Close()
	pubPort := uint16(pub.Listener.Addr().(*net.TCPAddr).Port)
	fetcher := feeds.NewFetcher(feeds.FetcherOptions{Timeout: 2 * time.Second, AddrPolicy: feeds.AddrPolicy{
		Classify: func(ap netip.AddrPort) feeds.AddrClass {
			if ap.Port() == pubPort {
				return feeds.ClassPublic // the feed's server stands for a public host
			}
			return feeds.ClassifyAddr(ap.Addr())
		},
	}})
	f := newFixture(t, &server{Server: pub})
	f.in = New(Options{Fetcher: fetcher, Store: f.store, Articles: article.New(article.Options{Fetcher: fetcher}), Now: func() time.Time { return f.now }})
	f.src = config.Source{Name: "outlet", URL: pub.URL + "/feed", FullText: true, Enabled: true}
	if r := f.run(t); r.Status != StatusOK || r.New != 1 {
		t.Fatalf("%+v", r)
	}
	if n := internalHits.Load(); n != 0 {
		t.Errorf("internal address fetched %d times through an item link", n)
	}
	if it, _, _ := f.store.ItemByKey("outlet", "x1"); it.FullText {
		t.Error("article text stored from an internal address")
	}
}
