package publish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"
)

// wantEntry is what every format must carry for one fixture item.
type wantEntry struct {
	title, link, source, sourceTitle, sourceURL string
	topics                                      []string
	published                                   time.Time
}

// expected is the merged feed of the fixture, newest first.
func expected() []wantEntry {
	return []wantEntry{
		{"Iran's drones seen over Erbil", "https://www.rudaw.net/english/middleeast/iran/010320261", "rudaw", "Rudaw English", "https://www.rudaw.net/english/rss", []string{"us-iran"}, t0.Add(-2 * time.Hour)},
		{"إيران تحذر الولايات المتحدة", "https://www.aljazeera.net/news/2026/3/1/iran", "aljazeera-ar", "الجزيرة", "https://www.aljazeera.net/aljazeerarss/a7c186be", []string{"us-iran"}, t0.Add(-3 * time.Hour)},
		{"<script>alert(1)</script>", "", "kurdistan24", "Kurdistan 24", "https://www.kurdistan24.net/en/rss", nil, t0.Add(-4 * time.Hour)},
		{"Oil prices rise", "", "rudaw", "Rudaw English", "https://www.rudaw.net/english/rss", []string{"oil"}, t0.Add(-5 * time.Hour)},
	}
}

func TestRoundTripUniversal(t *testing.T) {
	h := newTestHandler(newTestStore())
	for _, ext := range []string{"atom", "rss", "json"} {
		t.Run(ext, func(t *testing.T) {
			body := get(t, h, "/feeds/all."+ext).Body.Bytes()
			f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("gofeed cannot parse our %s: %v", ext, err)
			}
			if f.Title != "Regional news" || f.Link != "http://news.example.org/" {
				t.Errorf("feed title %q link %q", f.Title, f.Link)
			}
			want := expected()
			if len(f.Items) != len(want) {
				t.Fatalf("%d items, want %d", len(f.Items), len(want))
			}
			ids := map[string]bool{}
			for i, it := range f.Items {
				w := want[i]
				if it.Title != w.title {
					t.Errorf("item %d title %q, want %q", i, it.Title, w.title)
				}
				if it.Link != w.link {
					t.Errorf("item %d link %q, want %q", i, it.Link, w.link)
				}
				wantCats := w.topics
				if ext == "atom" {
					// gofeed's universal type shows an Atom category's label.
					wantCats = nil
					for _, id := range w.topics {
						title, _ := newSiteState(testSite(), 1, t0).topicTitle(id)
						wantCats = append(wantCats, title)
					}
				}
				if !slices.Equal(it.Categories, wantCats) {
					t.Errorf("item %d categories %v, want %v", i, it.Categories, wantCats)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(w.published) {
					t.Errorf("item %d published %v, want %v", i, it.PublishedParsed, w.published)
				}
				if it.GUID == "" || ids[it.GUID] {
					t.Errorf("item %d id %q empty or repeated", i, it.GUID)
				}
				ids[it.GUID] = true
				if strings.Contains(it.Link, "javascript") || strings.Contains(it.Content, "javascript:") {
					t.Errorf("item %d carries a javascript: URL", i)
				}
			}
			if !strings.Contains(f.Items[0].Content+f.Items[0].Description, `Also reported by: <a href="https://www.kurdistan24.net/en/story/778">Kurdistan 24</a>`) {
				t.Errorf("shared item does not name the other outlet: %q", f.Items[0].Content+f.Items[0].Description)
			}
		})
	}
}

func TestRoundTripAtom(t *testing.T) {
	h := newTestHandler(newTestStore())
	body := get(t, h, "/feeds/all.atom").Body.Bytes()
	f, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if f.ID == "" || f.Updated == "" || len(f.Authors) == 0 {
		t.Errorf("feed lacks id, updated or author: %q %q %v", f.ID, f.Updated, f.Authors)
	}
	if !hasLink(f.Links, "self", "http://news.example.org/feeds/all.atom") || !hasLink(f.Links, "alternate", "http://news.example.org/") {
		t.Errorf("feed links %v", f.Links)
	}
	want := expected()
	for i, e := range f.Entries {
		w := want[i]
		if e.ID == "" || e.Title == "" || e.Updated == "" {
			t.Errorf("entry %d lacks id, title or updated", i)
		}
		if e.Source == nil || e.Source.Title != w.sourceTitle || e.Source.ID == "" || e.Source.Updated == "" ||
			!hasLink(e.Source.Links, "self", w.sourceURL) {
			t.Errorf("entry %d source %+v, want title %q self %q", i, e.Source, w.sourceTitle, w.sourceURL)
		}
		for _, c := range e.Categories {
			title, _ := newSiteState(testSite(), 1, t0).topicTitle(c.Term)
			if c.Label != title {
				t.Errorf("entry %d category %q label %q, want %q", i, c.Term, c.Label, title)
			}
		}
		if (w.link == "") != (len(e.Links) == 0) {
			t.Errorf("entry %d links %v for link %q", i, e.Links, w.link)
		}
	}
}

func hasLink(links []*atom.Link, rel, href string) bool {
	for _, l := range links {
		if l.Rel == rel && l.Href == href {
			return true
		}
	}
	return false
}

func TestRoundTripRSS(t *testing.T) {
	h := newTestHandler(newTestStore())
	body := get(t, h, "/feeds/all.rss").Body.Bytes()
	f, err := (&rss.Parser{}).Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != "2.0" || f.Description == "" || f.LastBuildDate == "" {
		t.Errorf("channel: version %q description %q lastBuildDate %q", f.Version, f.Description, f.LastBuildDate)
	}
	want := expected()
	for i, it := range f.Items {
		w := want[i]
		if it.Source == nil || it.Source.URL != w.sourceURL || it.Source.Title != w.sourceTitle {
			t.Errorf("item %d source %+v, want %q %q", i, it.Source, w.sourceTitle, w.sourceURL)
		}
		if it.GUID == nil || it.GUID.IsPermalink != "false" {
			t.Errorf("item %d guid %+v", i, it.GUID)
		}
		// RFC 822 with a four-digit year.
		if _, err := time.Parse(time.RFC1123, it.PubDate); err != nil {
			t.Errorf("item %d pubDate %q: %v", i, it.PubDate, err)
		}
	}
	if got := f.Items[0].DublinCoreExt; got == nil || len(got.Creator) != 1 || got.Creator[0] != "Jane Doe" {
		t.Errorf("dc:creator %+v", got)
	}
}

// checkJSONFeed11 checks a document against the JSON Feed 1.1 spec's
// required fields and types.
func checkJSONFeed11(t *testing.T, body []byte) {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	str := func(m map[string]any, k string, required bool) string {
		v, ok := m[k]
		if !ok {
			if required {
				t.Errorf("missing required %q", k)
			}
			return ""
		}
		s, ok := v.(string)
		if !ok {
			t.Errorf("%q is %T, want string", k, v)
		}
		return s
	}
	urlField := func(m map[string]any, k string) {
		if s := str(m, k, false); s != "" {
			if u, err := url.Parse(s); err != nil || !u.IsAbs() {
				t.Errorf("%q = %q is not an absolute URL", k, s)
			}
		}
	}
	authors := func(m map[string]any) {
		if v, ok := m["authors"]; ok {
			list, ok := v.([]any)
			if !ok {
				t.Fatalf("authors is %T", v)
			}
			for _, a := range list {
				am, ok := a.(map[string]any)
				if !ok || (am["name"] == nil && am["url"] == nil && am["avatar"] == nil) {
					t.Errorf("author %v has none of name, url, avatar", a)
				}
			}
		}
	}
	if v := str(f, "version", true); v != "https://jsonfeed.org/version/1.1" {
		t.Errorf("version %q", v)
	}
	str(f, "title", true)
	urlField(f, "home_page_url")
	urlField(f, "feed_url")
	urlField(f, "next_url")
	authors(f)
	items, ok := f["items"].([]any)
	if !ok {
		t.Fatalf("items is %T, want array", f["items"])
	}
	for k := range f {
		if !slices.Contains([]string{"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url", "icon", "favicon", "authors", "author", "language", "expired", "hubs", "items"}, k) && !strings.HasPrefix(k, "_") {
			t.Errorf("unknown top-level key %q", k)
		}
	}
	for i, v := range items {
		it, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("item %d is %T", i, v)
		}
		str(it, "id", true)
		_, html := it["content_html"]
		_, text := it["content_text"]
		if !html && !text {
			t.Errorf("item %d has neither content_html nor content_text", i)
		}
		urlField(it, "url")
		for _, k := range []string{"date_published", "date_modified"} {
			if s := str(it, k, false); s != "" {
				if _, err := time.Parse(time.RFC3339, s); err != nil {
					t.Errorf("item %d %s %q: %v", i, k, s, err)
				}
			}
		}
		authors(it)
		if tags, ok := it["tags"]; ok {
			for _, tag := range tags.([]any) {
				if _, ok := tag.(string); !ok {
					t.Errorf("item %d tag %v is not a string", i, tag)
				}
			}
		}
		for k := range it {
			if !slices.Contains([]string{"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image", "banner_image", "date_published", "date_modified", "authors", "author", "tags", "language", "attachments"}, k) && !strings.HasPrefix(k, "_") {
				t.Errorf("item %d: unknown key %q", i, k)
			}
		}
	}
}

func TestJSONFeed(t *testing.T) {
	h := newTestHandler(newFakeStore(append(testItems(), manyItems(60)[4:]...), testStates(), t0))
	for _, target := range []string{"/feeds/all.json", "/feeds/all.json?limit=3", "/feeds/topics/us-iran.json", "/feeds/sources/kurdistan24.json", "/feeds/sources/old.json"} {
		t.Run(target, func(t *testing.T) {
			checkJSONFeed11(t, get(t, h, target).Body.Bytes())
		})
	}
	var f struct {
		Items []struct {
			Title   string
			Authors []struct{ Name string }
			Ext     struct {
				Source      string `json:"source"`
				SourceTitle string `json:"source_title"`
			} `json:"_aggregatord"`
		}
	}
	h = newTestHandler(newTestStore())
	if err := json.Unmarshal(get(t, h, "/feeds/all.json").Body.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	for i, w := range expected() {
		it := f.Items[i]
		if it.Title != w.title || it.Ext.Source != w.source || it.Ext.SourceTitle != w.sourceTitle {
			t.Errorf("item %d: %q from %q (%q), want %q from %q (%q)", i, it.Title, it.Ext.Source, it.Ext.SourceTitle, w.title, w.source, w.sourceTitle)
		}
		if len(it.Authors) == 0 || it.Authors[0].Name != w.sourceTitle {
			t.Errorf("item %d authors %v, want the outlet first", i, it.Authors)
		}
	}
}

func TestEscaping(t *testing.T) {
	items := []news.Item{{
		ID: 9, Source: "rudaw", Title: `<script>alert(1)</script> & "quotes" ]]>`,
		Link:    `javascript:alert(document.cookie)`,
		Summary: `<p onclick="x">text</p>`,
		Authors: []string{`<img src=x onerror=alert(1)>`},
		Copies: []news.Copy{
			{Source: "rudaw", Link: "javascript:alert(2)"},
			{Source: "kurdistan24", Link: `data:text/html,<script>alert(3)</script>`},
			{Source: "aljazeera-ar", Link: `https://example.com/a"onmouseover="alert(4)`},
		},
		Published: t0, Updated: t0, FirstSeen: t0,
	}}
	h := newTestHandler(newFakeStore(items, testStates(), t0))
	for _, target := range []string{"/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/"} {
		t.Run(target, func(t *testing.T) {
			body := get(t, h, target).Body.String()
			for _, bad := range []string{"<script", "javascript:", "data:text", `"onmouseover`, "<img"} {
				if strings.Contains(body, bad) {
					t.Errorf("output contains %q unescaped:\n%s", bad, body)
				}
			}
			if strings.HasSuffix(target, "atom") || strings.HasSuffix(target, "rss") {
				wellFormedXML(t, []byte(body))
			}
		})
	}
	// The title survives as text.
	f, err := gofeed.NewParser().Parse(strings.NewReader(get(t, h, "/feeds/all.atom").Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Items[0].Title; got != `<script>alert(1)</script> & "quotes" ]]>` {
		t.Errorf("title %q did not survive", got)
	}
}

func TestIllegalCharacters(t *testing.T) {
	items := []news.Item{{
		ID: 1, Source: "rudaw", Title: "bell\a nul\x00 esc\x1b ok\tline\nend \xff\xfe bad utf-8 \uFFFE",
		Summary: "a\x0bb", Published: t0, Updated: t0,
	}}
	h := newTestHandler(newFakeStore(items, nil, t0))
	for _, ext := range []string{"atom", "rss"} {
		body := get(t, h, "/feeds/all."+ext).Body.Bytes()
		wellFormedXML(t, body)
		f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Items[0].Title; got != "bell nul esc ok line end bad utf-8" {
			t.Errorf("%s title %q", ext, got)
		}
	}
}

func ExampleNewHandler() {
	store := newFakeStore(testItems(), testStates(), t0)
	h := NewHandler(Options{Store: store, Site: testSite(), Now: fixedNow})
	rec := newRecorder()
	req, _ := newGet("/feeds/all.json?limit=1")
	h.ServeHTTP(rec, req)
	var f struct {
		Items   []struct{ Title string }
		NextURL string `json:"next_url"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &f)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(f.Items[0].Title)
	fmt.Println(f.NextURL)
	// Output:
	// 200 application/feed+json; charset=utf-8
	// Iran's drones seen over Erbil
	// http://news.example.org/feeds/all.json?before=c1772359200000000000-1&limit=1
}
