package publish

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/aggregatord/aggregatord/news"
)

// parsePage parses an HTML page.
func parsePage(t testing.TB, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return doc
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attrOf(n, "class")), class)
}

// findAll returns the elements under n for which match is true, in
// document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func isTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

// itemTitles returns the titles of the stories a page lists.
func itemTitles(t testing.TB, body string) []string {
	t.Helper()
	var titles []string
	for _, a := range findAll(parsePage(t, body), func(n *html.Node) bool { return n.Data == "article" && hasClass(n, "item") }) {
		if h := findAll(a, isTag("h2")); len(h) > 0 {
			titles = append(titles, textOf(h[0]))
		}
	}
	return titles
}

// link returns the href of the first a element with the given text.
func link(t testing.TB, body, text string) string {
	t.Helper()
	for _, a := range findAll(parsePage(t, body), isTag("a")) {
		if strings.Contains(textOf(a), text) {
			return attrOf(a, "href")
		}
	}
	return ""
}

// localTarget turns an absolute link of the test site into a request target.
func localTarget(t testing.TB, href string) string {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil || u.Host != "news.example.org" {
		t.Fatalf("link %q is not on the test site", href)
	}
	return u.RequestURI()
}

func TestPageRoutes(t *testing.T) {
	h := newTestHandler(newTestStore())
	tests := []struct {
		method, target string
		status         int
		want           string // in the body
	}{
		{"GET", "/", 200, "<h1 dir=\"auto\">Latest stories</h1>"},
		{"HEAD", "/", 200, ""},
		{"GET", "/?topic=us-iran", 200, "Stories about US–Iran tensions"},
		{"GET", "/?source=rudaw", 200, "Stories from Rudaw English"},
		{"GET", "/?topic=us-iran&source=rudaw", 200, "Stories about US–Iran tensions, from Rudaw English"},
		{"GET", "/?topic=&source=&q=", 200, "Latest stories"},
		{"GET", "/?q=iran", 200, "Matching: iran"},
		{"GET", "/?limit=3&unknown=1", 200, "Latest stories"},
		{"GET", "/topics", 200, "<h1 dir=\"auto\">Topics</h1>"},
		{"GET", "/topics/us-iran", 200, "Stories about US–Iran tensions from every source."},
		{"GET", "/topics/oil?q=oil", 200, "Matching: oil"},
		{"GET", "/sources", 200, "<h1 dir=\"auto\">Sources</h1>"},
		{"GET", "/sources/aljazeera-ar", 200, "Items from الجزيرة."},
		{"GET", "/sources/old", 200, "disabled"},
		{"GET", "/topics/nope", 404, "No topic &#34;nope&#34; is configured."},
		{"GET", "/sources/nope", 404, "No source &#34;nope&#34; is configured."},
		{"GET", "/?topic=nope", 404, "No topic &#34;nope&#34; is configured; pick one from the list."},
		{"GET", "/?source=nope", 404, "No source &#34;nope&#34; is configured"},
		{"GET", "/?q=(iran", 400, "unbalanced parenthesis at 1"},
		{"GET", "/topics/us-iran?q=(", 400, "unbalanced parenthesis at 1"},
		{"GET", "/?before=nonsense", 400, "paging cursor this server did not make"},
		{"GET", "/?q=" + strings.Repeat("x", 1001), 400, "longer than 1000 bytes"},
		{"GET", "/?q=%ff", 400, "not valid UTF-8"},
		{"GET", "/?q=%zz", 400, "malformed query string"},
		{"POST", "/topics", 405, ""},
		{"GET", "/topics/", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			rec := do(t, h, tt.method, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %.500s", rec.Code, tt.status, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("body lacks %q:\n%s", tt.want, rec.Body)
			}
			if tt.method == "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("HEAD answered with a body")
			}
			if tt.status == 405 || tt.target == "/topics/" {
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			cc := rec.Header().Get("Cache-Control")
			if tt.status == 200 && cc != "public, max-age=60" || tt.status != 200 && cc != "no-store" {
				t.Errorf("status %d with Cache-Control %q", tt.status, cc)
			}
		})
	}
}

func TestPageBadQueryKeepsForm(t *testing.T) {
	h := newTestHandler(newTestStore())
	rec := get(t, h, "/?topic=oil&q="+url.QueryEscape(`iran AND (oil`))
	if rec.Code != 400 {
		t.Fatalf("status %d", rec.Code)
	}
	doc := parsePage(t, rec.Body.String())
	inputs := findAll(doc, func(n *html.Node) bool { return n.Data == "input" && attrOf(n, "name") == "q" })
	if len(inputs) != 1 || attrOf(inputs[0], "value") != "iran AND (oil" {
		t.Errorf("the form does not keep the query to fix: %v", inputs)
	}
	sel := findAll(doc, func(n *html.Node) bool { return n.Data == "option" && attrOf(n, "value") == "oil" })
	if len(sel) != 1 || !slices.ContainsFunc(sel[0].Attr, func(a html.Attribute) bool { return a.Key == "selected" }) {
		t.Error("the form does not keep the topic")
	}
	alerts := findAll(doc, func(n *html.Node) bool { return attrOf(n, "role") == "alert" })
	if len(alerts) != 1 || textOf(findAll(alerts[0], isTag("strong"))[0]) != "The search could not be understood" ||
		textOf(findAll(alerts[0], isTag("p"))[0]) != "unbalanced parenthesis at 1" {
		t.Errorf("error message: %v", alerts)
	}
	if titles := itemTitles(t, rec.Body.String()); len(titles) != 0 {
		t.Errorf("an erroneous search lists %q", titles)
	}
	// No queries at all: a clear message, not a 500.
	h = NewHandler(Options{Store: newTestStore(), Site: testSite(), Now: fixedNow})
	if rec := get(t, h, "/?q=iran"); rec.Code != 400 || !strings.Contains(rec.Body.String(), "Search is not supported") {
		t.Errorf("without Options.Query: %d %.300s", rec.Code, rec.Body)
	}
}

func TestPageFilters(t *testing.T) {
	h := newTestHandler(newTestStore())
	tests := []struct {
		target string
		want   []string
	}{
		{"/", []string{"Iran's drones seen over Erbil", "إيران تحذر الولايات المتحدة", "<script>alert(1)</script>", "Oil prices rise"}},
		{"/?topic=oil", []string{"Oil prices rise"}},
		{"/topics/us-iran", []string{"Iran's drones seen over Erbil", "إيران تحذر الولايات المتحدة"}},
		// A source's own copy: Kurdistan 24's title for the shared item.
		{"/?source=kurdistan24", []string{"Drones over Erbil, residents say", "<script>alert(1)</script>"}},
		{"/sources/kurdistan24", []string{"Drones over Erbil, residents say", "<script>alert(1)</script>"}},
		{"/?q=iran", []string{"Iran's drones seen over Erbil"}},
		{"/?topic=us-iran&source=kurdistan24", []string{"Drones over Erbil, residents say"}},
		{"/?topic=oil&source=kurdistan24", nil},
		{"/?topic=us-iran&q=drones", []string{"Iran's drones seen over Erbil"}},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(t, h, tt.target)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := itemTitles(t, rec.Body.String()); !slices.Equal(got, tt.want) {
				t.Errorf("titles %q, want %q", got, tt.want)
			}
			if len(tt.want) == 0 && !strings.Contains(rec.Body.String(), "No stories match.") {
				t.Error("an empty result does not say so")
			}
		})
	}
}

func TestPageItem(t *testing.T) {
	h := newTestHandler(newTestStore())
	body := get(t, h, "/").Body.String()
	doc := parsePage(t, body)
	arts := findAll(doc, func(n *html.Node) bool { return n.Data == "article" })
	if len(arts) != 4 {
		t.Fatalf("%d articles", len(arts))
	}
	first := arts[0]
	h2 := findAll(first, isTag("h2"))[0]
	if attrOf(h2, "dir") != "auto" || attrOf(h2, "lang") != "en" {
		t.Errorf("title attributes %v", h2.Attr)
	}
	if a := findAll(h2, isTag("a")); len(a) != 1 || attrOf(a[0], "href") != "https://www.rudaw.net/english/middleeast/iran/010320261" {
		t.Error("title does not link the article")
	}
	tm := findAll(first, isTag("time"))
	if len(tm) != 1 || attrOf(tm[0], "datetime") != "2026-03-01T10:00:00Z" || textOf(tm[0]) != "2 h ago" || attrOf(tm[0], "title") != "2026-03-01 10:00 UTC" {
		t.Errorf("time: %v %q", tm[0].Attr, textOf(tm[0]))
	}
	if got := textOf(findAll(first, func(n *html.Node) bool { return hasClass(n, "meta") })[0]); got != "Rudaw English · 2 h ago" {
		t.Errorf("meta %q", got)
	}
	if got := textOf(findAll(first, func(n *html.Node) bool { return hasClass(n, "snippet") })[0]); got != "Residents reported drones & sirens." {
		t.Errorf("snippet %q", got)
	}
	also := findAll(first, func(n *html.Node) bool { return hasClass(n, "also") })
	if len(also) != 1 || textOf(also[0]) != "Also reported by Kurdistan 24" || link(t, body, "Kurdistan 24") == "" {
		t.Errorf("other outlets: %v", also)
	}
	chips := findAll(first, func(n *html.Node) bool { return n.Data == "a" && strings.Contains(attrOf(n, "href"), "/topics/") })
	if len(chips) != 1 || attrOf(chips[0], "href") != "http://news.example.org/topics/us-iran" || textOf(chips[0]) != "US–Iran tensions" {
		t.Errorf("topic chips: %v", chips)
	}
	// The Arabic item: right to left by dir=auto, language from the item.
	h2 = findAll(arts[1], isTag("h2"))[0]
	if attrOf(h2, "dir") != "auto" || attrOf(h2, "lang") != "ar" {
		t.Errorf("Arabic title attributes %v", h2.Attr)
	}
	// The javascript: link is dropped, the text kept.
	if a := findAll(arts[2], isTag("a")); len(a) != 1 || !strings.Contains(attrOf(a[0], "href"), "/sources/kurdistan24") {
		t.Errorf("links of the item with a javascript: link: %v", a)
	}
	// An item without a summary shows a snippet of its content; retired
	// topics get no chip.
	if strings.Count(textOf(arts[3]), "oil") != 1 {
		t.Errorf("retired topic shown: %q", textOf(arts[3]))
	}
}

func TestPageStoryOutlets(t *testing.T) {
	items := browserItems()
	h := NewHandler(Options{Store: newFakeStore(items, browserStates(), t0), Site: browserSite(), Now: fixedNow})
	doc := parsePage(t, get(t, h, "/").Body.String())
	for _, a := range findAll(doc, func(n *html.Node) bool { return n.Data == "article" }) {
		if !strings.Contains(textOf(a), "(2)") {
			continue
		}
		also := findAll(a, func(n *html.Node) bool { return hasClass(n, "also") })
		if len(also) != 1 {
			t.Fatal("the story lists no other outlets")
		}
		var got []string
		for _, l := range findAll(also[0], isTag("a")) {
			got = append(got, textOf(l)+" "+attrOf(l, "href"))
		}
		want := []string{"BBC فارسی https://bbc-persian.example.com/story/s1", "Kurdistan 24 https://www.kurdistan24.net/en/story/s2"}
		if !slices.Equal(got, want) {
			t.Errorf("outlets %q, want %q", got, want)
		}
		return
	}
	t.Fatal("story not found")
}

func TestPageAlternates(t *testing.T) {
	h := newTestHandler(newTestStore())
	alts := func(target string) []string {
		var out []string
		for _, l := range findAll(parsePage(t, get(t, h, target).Body.String()), func(n *html.Node) bool { return n.Data == "link" && attrOf(n, "rel") == "alternate" }) {
			out = append(out, attrOf(l, "type")+" "+strings.TrimPrefix(attrOf(l, "href"), "http://news.example.org/"))
		}
		return out
	}
	merged := []string{"application/atom+xml feeds/all.atom", "application/rss+xml feeds/all.rss", "application/feed+json feeds/all.json"}
	topic := []string{"application/atom+xml feeds/topics/us-iran.atom", "application/rss+xml feeds/topics/us-iran.rss", "application/feed+json feeds/topics/us-iran.json"}
	source := []string{"application/atom+xml feeds/sources/rudaw.atom", "application/rss+xml feeds/sources/rudaw.rss", "application/feed+json feeds/sources/rudaw.json"}
	tests := []struct {
		target string
		want   []string
	}{
		{"/", merged},
		{"/topics", merged},
		{"/sources", merged},
		{"/topics/us-iran", slices.Concat(topic, merged)},
		{"/?topic=us-iran", slices.Concat(topic, merged)},
		{"/sources/rudaw", slices.Concat(source, merged)},
		{"/?topic=us-iran&source=rudaw", slices.Concat(topic, source, merged)},
		{"/?q=iran", slices.Concat([]string{"application/atom+xml feeds/all.atom?q=iran", "application/rss+xml feeds/all.rss?q=iran", "application/feed+json feeds/all.json?q=iran"}, merged)},
		{"/topics/us-iran?q=a+b", slices.Concat([]string{"application/atom+xml feeds/topics/us-iran.atom?q=a+b", "application/rss+xml feeds/topics/us-iran.rss?q=a+b", "application/feed+json feeds/topics/us-iran.json?q=a+b"}, topic, merged)},
	}
	for _, tt := range tests {
		if got := alts(tt.target); !slices.Equal(got, tt.want) {
			t.Errorf("%s: alternates\n%q, want\n%q", tt.target, got, tt.want)
		}
	}
	// The home page links every feed in every format, and the OPML.
	body := get(t, h, "/").Body.String()
	for _, p := range []string{"opml", "feeds/topics/oil.json", "feeds/sources/old.rss", "feeds/sources/aljazeera-ar.atom", "feeds/all.json"} {
		if !strings.Contains(body, `href="http://news.example.org/`+p+`"`) {
			t.Errorf("home page does not link %s", p)
		}
	}
}

func TestPagePaging(t *testing.T) {
	h := newTestHandler(newFakeStore(manyItems(120), testStates(), t0))
	seen := map[string]bool{}
	target := "/"
	var pages []int
	for target != "" && len(pages) < 10 {
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
		body := rec.Body.String()
		titles := itemTitles(t, body)
		for _, ti := range titles {
			if seen[ti] {
				t.Errorf("%q on two pages", ti)
			}
			seen[ti] = true
		}
		pages = append(pages, len(titles))
		if target != "/" && link(t, body, "Newest") != "http://news.example.org/" {
			t.Errorf("page %d does not link back to the newest", len(pages))
		}
		target = ""
		if l := link(t, body, "Older"); l != "" {
			target = localTarget(t, l)
		}
	}
	if !slices.Equal(pages, []int{50, 50, 20}) || len(seen) != 120 {
		t.Errorf("pages of %v items, %d distinct; want 50, 50, 20", pages, len(seen))
	}
	// Paging keeps the filters.
	h = newTestHandler(newFakeStore(manyItems(300), testStates(), t0))
	rec := get(t, h, "/?topic=us-iran&q=item")
	older := link(t, rec.Body.String(), "Older")
	u, _ := url.Parse(older)
	if u.Query().Get("topic") != "us-iran" || u.Query().Get("q") != "item" || u.Query().Get("before") == "" {
		t.Errorf("older link %q drops the filters", older)
	}
	rec = get(t, h, localTarget(t, older))
	if titles := itemTitles(t, rec.Body.String()); len(titles) != 0 && !strings.HasSuffix(titles[0], "about Iran") {
		t.Errorf("second filtered page: %q", titles)
	}
	// The end of the list.
	last := get(t, h, "/?before=c0-1")
	if !strings.Contains(last.Body.String(), "No older stories.") {
		t.Errorf("past the end: %s", last.Body)
	}
}

func TestPageCaching(t *testing.T) {
	s := newTestStore()
	now := t0
	h := NewHandler(Options{Store: s, Site: testSite(), Now: func() time.Time { return now }, Query: fakeQuery})
	for _, target := range []string{"/", "/?topic=oil", "/topics/oil", "/sources", "/sources/rudaw", "/topics"} {
		t.Run(target, func(t *testing.T) {
			first := get(t, h, target)
			before := s.scans.Load()
			again := get(t, h, target)
			if s.scans.Load() != before || again.Body.String() != first.Body.String() {
				t.Error("the same page was rendered twice")
			}
			etag := first.Header().Get("ETag")
			if rec := get(t, h, target, "If-None-Match", etag); rec.Code != http.StatusNotModified {
				t.Errorf("If-None-Match %s: %d, want 304", etag, rec.Code)
			}
			if rec := get(t, h, target, "Accept-Encoding", "gzip"); rec.Header().Get("Content-Encoding") != "gzip" {
				t.Error("not gzipped")
			}
		})
	}
	// Filters that mean the same page share a cache entry.
	before := s.scans.Load()
	get(t, h, "/?topic=oil&unknown=1&source=")
	if s.scans.Load() != before {
		t.Error("an equivalent query string rendered the page again")
	}
	// A change in the store renders again.
	s.setItems(testItems()[:2])
	if titles := itemTitles(t, get(t, h, "/").Body.String()); len(titles) != 2 {
		t.Errorf("after a store change: %q", titles)
	}
}

func TestTopicsPage(t *testing.T) {
	s := newTestStore()
	now := t0
	h := NewHandler(Options{Store: s, Site: testSite(), Now: func() time.Time { return now }, Query: fakeQuery})
	body := get(t, h, "/topics").Body.String()
	doc := parsePage(t, body)
	rows := findAll(doc, func(n *html.Node) bool { return n.Data == "li" && hasClass(n, "topic-row") })
	if len(rows) != 2 {
		t.Fatalf("%d topic rows", len(rows))
	}
	heads := []string{textOf(findAll(rows[0], isTag("h2"))[0]), textOf(findAll(rows[1], isTag("h2"))[0])}
	if !slices.Equal(heads, []string{"US–Iran tensions 2 stories", "oil 1 story"}) {
		t.Errorf("topic headings %q", heads)
	}
	svg := findAll(rows[0], isTag("svg"))
	if len(svg) != 1 || attrOf(svg[0], "role") != "img" || attrOf(svg[0], "viewBox") != "0 0 300 40" {
		t.Fatalf("chart: %v", svg)
	}
	label := textOf(findAll(svg[0], isTag("title"))[0])
	if label != "Stories per day about US–Iran tensions over the last 30 days: 2 stories, most on 1 March (2)." {
		t.Errorf("chart label %q", label)
	}
	rects := findAll(svg[0], isTag("rect"))
	if len(rects) != 1 || attrOf(rects[0], "class") != "bar today" || attrOf(rects[0], "x") != "291" || attrOf(rects[0], "height") != "38" ||
		textOf(rects[0]) != "2026-03-01: 2 stories" {
		t.Errorf("bars: %v %q", rects, textOf(rects[0]))
	}
	for _, p := range []string{"feeds/topics/us-iran.atom", "feeds/topics/oil.json", "topics/oil"} {
		if !strings.Contains(body, `href="http://news.example.org/`+p+`"`) {
			t.Errorf("topics page does not link %s", p)
		}
	}

	// A store change is followed, but not more than once a minute.
	scans := s.scans.Load()
	s.setItems(testItems()[:1])
	now = now.Add(30 * time.Second)
	if b := get(t, h, "/topics").Body.String(); s.scans.Load() != scans || !strings.Contains(b, "2 stories") {
		t.Error("counts redone within a minute of the last count")
	}
	now = now.Add(31 * time.Second)
	if b := get(t, h, "/topics").Body.String(); s.scans.Load() != scans+2 || !strings.Contains(b, "US–Iran tensions</a> <span class=\"count\">1 story<") {
		t.Errorf("counts not redone a minute after a store change: %d scans", s.scans.Load()-scans)
	}
	// The counts are kept while the store is unchanged, even after the
	// page itself expires, and shared with the topic pages.
	scans = s.scans.Load()
	now = now.Add(10 * time.Minute)
	get(t, h, "/topics")
	if s.scans.Load() != scans {
		t.Error("topics rescanned without a store change")
	}
	get(t, h, "/topics/us-iran") // its own list: one scan
	if got := s.scans.Load() - scans; got != 1 {
		t.Errorf("topic page: %d scans, want 1 (its list; the counts are cached)", got)
	}
	// A new day moves the chart along.
	scans = s.scans.Load()
	now = now.Add(24 * time.Hour)
	b := get(t, h, "/topics/us-iran").Body.String()
	if s.scans.Load() != scans+3 || !strings.Contains(b, `x="281"`) {
		t.Errorf("a new day: %d scans, want 3 (two counts, one list)", s.scans.Load()-scans)
	}
}

func TestTopicCountsBounded(t *testing.T) {
	const n = chartScanLimit + 10
	items := make([]news.Item, n)
	for i := range items {
		p := t0.Add(-time.Duration(i) * time.Minute)
		items[i] = news.Item{ID: uint64(i + 1), Source: "rudaw", Key: strconv.Itoa(i), Title: "x", Published: p, Topics: []string{"oil"}}
	}
	items = append(items, news.Item{ID: n + 1, Source: "rudaw", Key: "old", Title: "old", Published: t0.Add(-40 * day), Topics: []string{"us-iran"}},
		news.Item{ID: n + 2, Source: "rudaw", Key: "future", Title: "future", Published: t0.Add(3 * day), Topics: []string{"us-iran"}})
	h := newTestHandler(newFakeStore(items, nil, t0))
	st := h.site.Load()
	stats, err := h.topicCounts(st, t0)
	if err != nil {
		t.Fatal(err)
	}
	oil := stats.topics["oil"]
	if !oil.truncated || oil.total != chartScanLimit {
		t.Errorf("oil: total %d truncated %v; want %d, truncated", oil.total, oil.truncated, chartScanLimit)
	}
	if c := stats.chart("oil", "oil", 1, false); c.Count != "at least 20000 stories" {
		t.Errorf("count %q", c.Count)
	}
	if ui := stats.topics["us-iran"]; ui.total != 0 || ui.truncated {
		t.Errorf("us-iran: an item 40 days old or in the future was counted: %+v", ui)
	}
}

func TestChart(t *testing.T) {
	s := &topicStats{first: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), topics: map[string]*topicCount{}}
	c := &topicCount{total: 13}
	c.days[0], c.days[10], c.days[29] = 1, 10, 2
	s.topics["x"] = c
	big := s.chart("x", "X", 3, true)
	if big.ID != "chart-3" || big.W != 300 || big.H != 90 || len(big.Bars) != 3 || len(big.Days) != chartDays {
		t.Fatalf("chart %+v", big)
	}
	want := []chartBar{
		{X: 1, Y: 81, BW: 8, BH: 9, Class: "bar", Title: "2026-01-31: 1 story"},
		{X: 101, Y: 2, BW: 8, BH: 88, Class: "bar", Title: "2026-02-10: 10 stories"},
		{X: 291, Y: 72, BW: 8, BH: 18, Class: "bar today", Title: "2026-03-01: 2 stories"},
	}
	if !slices.Equal(big.Bars, want) {
		t.Errorf("bars\n%+v, want\n%+v", big.Bars, want)
	}
	if big.Summary != "13 stories, at most 10 a day" || big.From != "31 Jan" || big.Label != "Stories per day about X over the last 30 days: 13 stories, most on 10 February (10)." {
		t.Errorf("summary %q, from %q, label %q", big.Summary, big.From, big.Label)
	}
	empty := s.chart("unknown", "U", 1, false)
	if len(empty.Bars) != 0 || empty.Count != "0 stories" || empty.Summary != "" {
		t.Errorf("empty chart %+v", empty)
	}
}

func TestSourcesPage(t *testing.T) {
	s := newTestStore()
	var asked []string
	h := NewHandler(Options{Store: s, Site: testSite(), Now: fixedNow,
		SourceStats: func(name string) (int, time.Time) {
			asked = append(asked, name)
			return 42, t0.Add(5 * time.Minute)
		}})
	doc := parsePage(t, get(t, h, "/sources").Body.String())
	cards := findAll(doc, func(n *html.Node) bool { return n.Data == "li" && hasClass(n, "card") })
	var got []string
	for _, c := range cards {
		got = append(got, attrOf(c, "class")+": "+textOf(findAll(c, isTag("h2"))[0]))
	}
	want := []string{"card bad: Kurdistan 24 failing (3×)", "card ok: Rudaw English ok", "card ok: الجزيرة ok", "card idle: Old source disabled"}
	if !slices.Equal(got, want) {
		t.Errorf("cards\n%q, want\n%q", got, want)
	}
	var fields []string
	for _, dt := range findAll(cards[0], isTag("dt")) {
		fields = append(fields, textOf(dt)+": "+textOf(dt.NextSibling))
	}
	wantFields := []string{"Last success: 1 h ago", "Last attempt: 3 min ago", "HTTP status: 503 Service Unavailable", "Next fetch: in 5 min",
		"Items stored: 42", "Site: https://www.kurdistan24.net/en", "Feed: https://www.kurdistan24.net/en/rss"}
	if !slices.Equal(fields, wantFields) {
		t.Errorf("failing card\n%q, want\n%q", fields, wantFields)
	}
	if e := findAll(cards[0], func(n *html.Node) bool { return hasClass(n, "err") }); len(e) != 1 || textOf(e[0]) != "503 Service Unavailable" {
		t.Error("the failing card does not say why")
	}
	if strings.Contains(textOf(cards[3]), "Next fetch") {
		t.Error("a disabled source shows a next fetch")
	}
	if len(asked) != 4 {
		t.Errorf("SourceStats asked for %q", asked)
	}
	if p := findAll(doc, func(n *html.Node) bool { return hasClass(n, "lead") }); len(p) != 1 || textOf(p[0]) != "4 sources: 2 ok, 1 failing, 1 not fetched yet or disabled." {
		t.Errorf("summary %v", p)
	}
	// Without SourceStats the counts are left out, not shown as zero.
	h = newTestHandler(s)
	if b := get(t, h, "/sources").Body.String(); strings.Contains(b, "Items stored") || strings.Contains(b, "Next fetch") {
		t.Error("stats shown without Options.SourceStats")
	}
	// A source's page shows its card.
	h = NewHandler(Options{Store: s, Site: testSite(), Now: fixedNow, SourceStats: func(string) (int, time.Time) { return 7, time.Time{} }})
	b := get(t, h, "/sources/kurdistan24").Body.String()
	if !strings.Contains(b, `<div class="card bad">`) || !strings.Contains(b, "<dt>Items stored</dt><dd>7</dd>") {
		t.Errorf("source page:\n%s", b)
	}
}

func TestSourceHealth(t *testing.T) {
	tests := []struct {
		name    string
		st      news.SourceState
		enabled bool
		status  string
		class   string
	}{
		{"never", news.SourceState{}, true, "not fetched yet", "idle"},
		{"ok", news.SourceState{LastAttempt: t0, LastSuccess: t0, Status: 304}, true, "ok", "ok"},
		{"failing once", news.SourceState{LastAttempt: t0, Error: "boom", Failures: 1}, true, "failing", "bad"},
		{"failing", news.SourceState{LastAttempt: t0, Error: "boom", Failures: 4}, true, "failing (4×)", "bad"},
		{"gone", news.SourceState{LastAttempt: t0, Gone: true, Error: "410", Status: 410}, true, "gone", "bad"},
		{"disabled", news.SourceState{LastAttempt: t0, Error: "boom"}, false, "disabled", "idle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sourceHealth(tt.st, tt.enabled, t0)
			if p.Status != tt.status || p.Class != tt.class {
				t.Errorf("status %q class %q, want %q %q", p.Status, p.Class, tt.status, tt.class)
			}
		})
	}
	if p := sourceHealth(news.SourceState{Status: 304, Error: strings.Repeat("é", 400) + "\n\x01x"}, true, t0); p.HTTPStatus != "304 Not Modified" || utf8Len(p.Detail) != 301 {
		t.Errorf("HTTP status %q, detail of %d runes", p.HTTPStatus, utf8Len(p.Detail))
	}
}

func utf8Len(s string) int { return len([]rune(s)) }

func TestRelTime(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{5 * time.Minute, "5 min ago"},
		{90 * time.Minute, "1 h ago"},
		{47 * time.Hour, "47 h ago"},
		{3 * day, "3 days ago"},
		{8 * day, "21 Feb 2026"},
		{-30 * time.Second, "in a moment"},
		{-7 * time.Minute, "in 7 min"},
		{-30 * day, "31 Mar 2026"},
	}
	for _, tt := range tests {
		if got := relTime(t0, t0.Add(-tt.d)); got != tt.want {
			t.Errorf("%v ago: %q, want %q", tt.d, got, tt.want)
		}
	}
	if relTime(t0, time.Time{}) != "" {
		t.Error("zero time")
	}
}

func TestRoute(t *testing.T) {
	h := NewHandler(Options{Store: newTestStore(), Site: testSite(), Metrics: http.NotFoundHandler()})
	tests := []struct{ method, target, want string }{
		{"GET", "/", "home"},
		{"HEAD", "/?q=x", "home"},
		{"GET", "/topics", "topics"},
		{"GET", "/topics/anything", "topic"},
		{"GET", "/sources", "sources"},
		{"GET", "/sources/x", "source"},
		{"GET", "/feeds/all.atom", "feed"},
		{"GET", "/feeds/topics/x.rss", "topic_feed"},
		{"GET", "/feeds/sources/x.json", "source_feed"},
		{"GET", "/opml", "opml"},
		{"GET", "/healthz", "healthz"},
		{"GET", "/readyz", "readyz"},
		{"GET", "/metrics", "metrics"},
		{"GET", "/nope", RouteOther},
		{"GET", "/feeds/a/b/c", RouteOther},
		{"POST", "/", RouteOther},
		{"GET", "/admin/backup", RouteOther},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, "http://x"+tt.target, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Route(req); got != tt.want {
			t.Errorf("%s %s: route %q, want %q", tt.method, tt.target, got, tt.want)
		}
	}
}

// TestPageXSS renders every page over hostile text in every field a feed
// or the config can fill, and checks the markup: only the elements and
// attributes the template writes, no event handlers, only http(s) links,
// and the hostile text shown as text.
func TestPageXSS(t *testing.T) {
	h := NewHandler(Options{Store: newFakeStore(browserItems(), browserStates(), t0), Site: browserSite(), Now: fixedNow, Query: fakeQuery,
		SourceStats: func(string) (int, time.Time) { return 1, t0.Add(time.Minute) }})
	allowed := map[string]bool{}
	for _, e := range strings.Fields(`html head meta title link style body a header nav ul ol li main h1 h2 p div span section aside
		footer form label select option input button details summary article time bdi svg line rect figure figcaption table thead tbody tr th td dl dt dd code strong`) {
		allowed[e] = true
	}
	targets := []string{
		"/", "/?topic=xss", "/?source=xss", "/?q=" + url.QueryEscape(`"><script>window.__xss=1</script>`),
		"/?q=" + url.QueryEscape(`(<img src=x onerror=alert(1)>`), "/topics", "/topics/xss", "/sources", "/sources/xss",
		"/topics/" + url.PathEscape(`<script>alert(1)</script>`), "/?topic=" + url.QueryEscape(`"><b>`),
		"/?before=" + url.QueryEscape(`"><script>`),
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			rec := get(t, h, target)
			body := rec.Body.String()
			z := html.NewTokenizer(strings.NewReader(body))
			for {
				tt := z.Next()
				if tt == html.ErrorToken {
					break
				}
				if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
					continue
				}
				tok := z.Token()
				if !allowed[tok.Data] {
					t.Errorf("element <%s> in the page", tok.Data)
				}
				if tok.String() == `<link rel="icon" href="data:,">` {
					continue // the page's own empty icon, from the template
				}
				for _, a := range tok.Attr {
					v := strings.ToLower(strings.TrimSpace(a.Val))
					if strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "srcdoc" {
						t.Errorf("<%s %s=%q>", tok.Data, a.Key, a.Val)
					}
					switch a.Key {
					case "href", "src", "action":
						if v != "#main" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
							t.Errorf("<%s %s=%q>: not an http(s) URL", tok.Data, a.Key, a.Val)
						}
					}
					if strings.Contains(v, "javascript:") || strings.Contains(v, "data:") {
						t.Errorf("<%s %s=%q>", tok.Data, a.Key, a.Val)
					}
				}
			}
			if tok := strings.Count(body, "<style>"); tok != 1 {
				t.Errorf("%d style elements", tok)
			}
		})
	}
	// The hostile text is shown, as text.
	doc := parsePage(t, get(t, h, "/").Body.String())
	text := textOf(doc)
	for _, w := range []string{`<img src=x onerror="window.__xss='title'"> hostile title`, `"><svg onload="window.__xss='source title'">`,
		`<b onmouseover="window.__xss='topic'">Hostile</b>`} {
		if !strings.Contains(text, w) {
			t.Errorf("page text lacks %q", w)
		}
	}
	doc = parsePage(t, get(t, h, "/sources").Body.String())
	if text := textOf(doc); !strings.Contains(text, `<script>window.__xss='error'</script>`) {
		t.Error("the source's error is not shown as text")
	}
}

// TestPageStoreError: a store failure is a 500 page that names no internals.
func TestPageStoreError(t *testing.T) {
	s := newTestStore()
	s.err = fmt.Errorf("disk on fire")
	h := newTestHandler(s)
	for _, target := range []string{"/", "/topics", "/topics/oil"} {
		rec := get(t, h, target)
		if rec.Code != 500 || strings.Contains(rec.Body.String(), "disk on fire") || !strings.Contains(rec.Body.String(), "server log") {
			t.Errorf("%s: %d %.300s", target, rec.Code, rec.Body)
		}
	}
	// The sources page reads no items: it still works.
	if rec := get(t, h, "/sources"); rec.Code != 200 {
		t.Errorf("/sources with a failing item scan: %d", rec.Code)
	}
}

// FuzzPageRequest: any query string and topic or source name is answered
// with a page, 400 or 404, never a panic or a 500, and never with markup
// from the request.
func FuzzPageRequest(f *testing.F) {
	for _, seed := range []string{"", "topic=oil", "source=rudaw&q=iran", "q=(", "before=c1-2", "q=%ff", "topic=%3Cb%3E", "q=a&q=b&before=&topic="} {
		f.Add(seed, "us-iran")
	}
	f.Add("q=x", "<script>")
	h := newTestHandler(newTestStore())
	f.Fuzz(func(t *testing.T, rawQuery, name string) {
		for _, path := range []string{"/", "/topics/" + url.PathEscape(name), "/sources/" + url.PathEscape(name)} {
			req, err := http.NewRequest(http.MethodGet, "http://news.example.org"+path, nil)
			if err != nil {
				return
			}
			req.URL.RawQuery = rawQuery
			rec := newRecorder()
			h.ServeHTTP(rec, req)
			switch rec.Code {
			case 200, 400, 404:
			case 301, 307, 308: // the mux cleans odd paths
				continue
			default:
				t.Fatalf("%s?%s: status %d: %s", path, rawQuery, rec.Code, rec.Body)
			}
			if strings.Contains(rec.Body.String(), "<script") {
				t.Fatalf("%s?%s: markup from the request in the page", path, rawQuery)
			}
		}
	})
}
