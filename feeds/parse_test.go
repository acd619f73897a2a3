package feeds

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aggregatord/aggregatord/news"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, body []byte, o ParseOptions) *Feed {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = testNow
	}
	if o.URL == "" {
		o.URL = "https://example.com/feed.xml"
	}
	f, err := Parse(body, o)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// TestParseFormats parses one real document of each format (see
// testdata/SOURCES.md) and checks what the feed and its first item say.
func TestParseFormats(t *testing.T) {
	tests := []struct {
		file, contentType    string
		title, link, id      string
		items                int
		itemTitle, itemLink  string
		itemKey              string
		published, updated   time.Time
		authors              []string
		summaryHas, contains string
	}{
		{
			file: "rss091_windows1255.xml", title: "law.co.il CyberLaw Articles (Hebrew)", link: "http://www.law.co.il/",
			items: 10, itemTitle: "בדיחה רעה", itemLink: "http://law.co.il/showarticles.php?d=h&article=258",
			itemKey: "http://law.co.il/showarticles.php?d=h&article=258", published: testNow, updated: testNow,
			summaryHas: "תזכיר חוק מסחר אלקטרוני, התשס&#34;ו-2005",
		},
		{
			file: "rss10.xml", title: "Foo", link: "http://example.org/", items: 1,
			itemTitle: "Bar", itemLink: "http://example.org/1", itemKey: "http://example.org/1",
			published: time.Date(2005, 7, 4, 0, 0, 0, 0, time.UTC), updated: time.Date(2005, 7, 4, 0, 0, 0, 0, time.UTC),
			authors: []string{"Bob Jones"},
		},
		{
			file: "rss20.xml", title: "Dallas Times-Herald", link: "http://dallas.example.com/", items: 4,
			itemTitle: "Seventh Heaven! Ryan Hurls Another No Hitter", itemLink: "http://dallas.example.com/1991/05/02/nolan.htm",
			itemKey: "http://dallas.example.com/1991/05/02/nolan.htm", published: testNow, updated: testNow,
			summaryHas: "Nolan Ryan hurled the seventh no-hitter",
		},
		{
			file: "atom03_shift_jis.xml", title: "ブログで大金持ち", link: "http://www.ooganemochi.com/", id: "tag:www.ooganemochi.com,2005://1",
			items: 1, itemTitle: "サーバー吹っ飛びぃ～の", itemLink: "http://www.ooganemochi.com/archives/2005/10/post.html",
			itemKey:   "tag:www.ooganemochi.com,2005://1.1",
			published: time.Date(2005, 10, 3, 5, 12, 31, 0, time.UTC), updated: time.Date(2005, 10, 3, 5, 32, 5, 0, time.UTC),
			authors: []string{"seicha"}, summaryHas: "オマガッ！", contains: "<p>オマガッ！</p>",
		},
		{
			file: "atom10.xml", title: "dive into mark", link: "http://example.org/", id: "tag:example.org,2003:3",
			items: 1, itemTitle: "Atom draft-07 snapshot", itemLink: "http://example.org/2005/04/02/atom",
			itemKey:   "tag:example.org,2003:3.2397",
			published: time.Date(2003, 12, 13, 12, 29, 29, 0, time.UTC), updated: time.Date(2005, 7, 11, 12, 29, 29, 0, time.UTC),
			authors: []string{"Mark Pilgrim"}, contains: "<p><i>[Update: The Atom draft is finished.]</i></p>",
		},
		{
			file: "jsonfeed10.json", contentType: "application/feed+json", title: "My Example Feed", link: "https://example.org/",
			id: "https://example.org/feed.json", items: 2, itemTitle: "post 2", itemLink: "https://example.org/second-item",
			itemKey: "2", published: testNow, updated: testNow, authors: []string{"me"},
			contains: "<p>This is a second item.</p>",
		},
		{
			file: "jsonfeed11.json", contentType: "application/feed+json", title: "title", link: "https://sample-json-feed.com/",
			id: "https://sample-json-feed.com/feed.json", items: 1, itemTitle: "title", itemLink: "https://sample-json-feed.com/id",
			itemKey:   "id",
			published: time.Date(2019, 10, 12, 7, 20, 50, 520000000, time.UTC), updated: time.Date(2019, 10, 12, 7, 20, 50, 520000000, time.UTC),
			authors: []string{"author_name"}, summaryHas: "summary", contains: "<p>content_html</p>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := mustParse(t, readTestdata(t, tt.file), ParseOptions{ContentType: tt.contentType, Source: "src", Tags: []string{"t1"}})
			if f.Title != tt.title || f.Link != tt.link || f.ID != tt.id {
				t.Errorf("feed = %q %q %q, want %q %q %q", f.Title, f.Link, f.ID, tt.title, tt.link, tt.id)
			}
			if len(f.Items) != tt.items {
				t.Fatalf("%d items, want %d", len(f.Items), tt.items)
			}
			it := f.Items[0]
			if it.Title != tt.itemTitle || it.Link != tt.itemLink || it.Key != tt.itemKey {
				t.Errorf("item = %q %q key %q, want %q %q key %q", it.Title, it.Link, it.Key, tt.itemTitle, tt.itemLink, tt.itemKey)
			}
			if !it.Published.Equal(tt.published) || !it.Updated.Equal(tt.updated) {
				t.Errorf("dates = %v, %v, want %v, %v", it.Published, it.Updated, tt.published, tt.updated)
			}
			if fmt.Sprint(it.Authors) != fmt.Sprint(tt.authors) {
				t.Errorf("authors = %q, want %q", it.Authors, tt.authors)
			}
			if !strings.Contains(it.Summary, tt.summaryHas) {
				t.Errorf("summary %q lacks %q", it.Summary, tt.summaryHas)
			}
			if !strings.Contains(it.Content, tt.contains) {
				t.Errorf("content %q lacks %q", it.Content, tt.contains)
			}
			for _, it := range f.Items {
				checkItemInvariants(t, it, testNow)
				if it.Source != "src" || fmt.Sprint(it.Tags) != "[t1]" {
					t.Errorf("source/tags = %q %q", it.Source, it.Tags)
				}
			}
		})
	}
}

// checkItemInvariants checks what every normalised item promises.
func checkItemInvariants(t testing.TB, it news.Item, now time.Time) {
	t.Helper()
	if it.Key == "" {
		t.Errorf("item %q has no key", it.Title)
	}
	if len(it.Key) > MaxKeyBytes {
		t.Errorf("key too long: %d bytes", len(it.Key))
	}
	for name, s := range map[string]string{"title": it.Title, "summary": it.Summary, "content": it.Content, "link": it.Link, "key": it.Key, "guid": it.GUID} {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", name, s)
		}
	}
	if len(it.Title) > MaxTitleBytes || len(it.Summary) > MaxHTMLBytes || len(it.Content) > MaxHTMLBytes {
		t.Errorf("caps exceeded: title %d, summary %d, content %d", len(it.Title), len(it.Summary), len(it.Content))
	}
	if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
		t.Errorf("link %q is not http(s)", it.Link)
	}
	if it.Published.After(now) || it.Updated.After(now) || it.Published.After(it.FirstSeen) {
		t.Errorf("dates after now: published %v updated %v first seen %v", it.Published, it.Updated, it.FirstSeen)
	}
	if it.Updated.Before(it.Published) {
		t.Errorf("updated %v before published %v", it.Updated, it.Published)
	}
	if it.Published.Location() != time.UTC || it.Updated.Location() != time.UTC {
		t.Errorf("dates not in UTC: %v %v", it.Published, it.Updated)
	}
	if it.Hash != HashItem(it) || len(it.Hash) != 64 {
		t.Errorf("hash %q is not HashItem", it.Hash)
	}
	for _, s := range []string{it.Summary, it.Content} {
		low := strings.ToLower(s)
		if strings.Contains(low, "<script") || strings.Contains(low, "javascript:") {
			t.Errorf("unsafe HTML: %q", s)
		}
	}
}

const arabicTitle = "عاجل: الرئيس يلتقي وزير الخارجية في طهران"
const arabicBody = "قال مسؤولون إن المحادثات ستستأنف الأسبوع المقبل."

// rssDoc builds a small RSS 2.0 document with the given XML declaration.
func rssDoc(decl, title, desc string) string {
	return decl + "\n<rss version=\"2.0\"><channel><title>" + title + "</title><link>https://example.com/</link>" +
		"<item><title>" + title + "</title><link>https://example.com/a</link><description>" + desc + "</description></item>" +
		"</channel></rss>"
}

func encode(t testing.TB, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCharsets(t *testing.T) {
	const latin = "Café Zürich: naïve façade © 2026 ½"
	utf16 := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
	}{
		{"windows-1256 via header", encode(t, charmap.Windows1256, rssDoc(`<?xml version="1.0"?>`, arabicTitle, arabicBody)),
			"application/rss+xml; charset=windows-1256", arabicTitle},
		{"windows-1256 via header, no declaration", encode(t, charmap.Windows1256, rssDoc("", arabicTitle, arabicBody)),
			"text/xml; charset=Windows-1256", arabicTitle},
		{"windows-1256 via declaration", encode(t, charmap.Windows1256, rssDoc(`<?xml version="1.0" encoding="windows-1256"?>`, arabicTitle, arabicBody)),
			"application/rss+xml", arabicTitle},
		{"windows-1256 via declaration, single quotes", encode(t, charmap.Windows1256, rssDoc(`<?xml version='1.0' encoding='WINDOWS-1256' standalone='yes'?>`, arabicTitle, arabicBody)),
			"", arabicTitle},
		{"windows-1256 declared, header wrongly says utf-8", encode(t, charmap.Windows1256, rssDoc(`<?xml version="1.0" encoding="windows-1256"?>`, arabicTitle, arabicBody)),
			"text/xml; charset=utf-8", arabicTitle},
		{"header charset overrides declaration", encode(t, charmap.Windows1256, rssDoc(`<?xml version="1.0" encoding="iso-8859-1"?>`, arabicTitle, arabicBody)),
			"application/xml; charset=windows-1256", arabicTitle},
		{"iso-8859-1 via header", encode(t, charmap.ISO8859_1, rssDoc(`<?xml version="1.0"?>`, latin, "x")),
			"application/rss+xml; charset=ISO-8859-1", latin},
		{"iso-8859-1 via declaration", encode(t, charmap.ISO8859_1, rssDoc(`<?xml version="1.0" encoding="ISO-8859-1"?>`, latin, "x")),
			"application/rss+xml", latin},
		{"latin1 label via declaration", encode(t, charmap.ISO8859_1, rssDoc(`<?xml version="1.0" encoding="latin1"?>`, latin, "x")),
			"", latin},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), rssDoc(`<?xml version="1.0" encoding="utf-8"?>`, arabicTitle, "x")...),
			"", arabicTitle},
		{"BOM beats header", append([]byte("\xEF\xBB\xBF"), rssDoc(`<?xml version="1.0"?>`, arabicTitle, "x")...),
			"text/xml; charset=windows-1256", arabicTitle},
		{"utf-16le with BOM", encode(t, utf16, rssDoc(`<?xml version="1.0" encoding="UTF-16"?>`, arabicTitle, "x")),
			"", arabicTitle},
		{"utf-16be with BOM", encode(t, utf16be, rssDoc(`<?xml version="1.0" encoding="UTF-16"?>`, arabicTitle, "x")),
			"", arabicTitle},
		{"utf-16le without BOM", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), rssDoc(`<?xml version="1.0" encoding="UTF-16"?>`, latin, "x")),
			"", latin},
		{"unknown declared encoding", []byte(rssDoc(`<?xml version="1.0" encoding="klingon"?>`, arabicTitle, "x")),
			"", arabicTitle},
		{"unknown header charset", []byte(rssDoc(`<?xml version="1.0"?>`, arabicTitle, "x")),
			"text/xml; charset=x-bogus", arabicTitle},
		{"malformed content type", []byte(rssDoc(`<?xml version="1.0"?>`, arabicTitle, "x")),
			"text/xml; charset=utf-8; ;;", arabicTitle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.body, ParseOptions{ContentType: tt.contentType})
			if f.Title != tt.want {
				t.Errorf("feed title = %q, want %q", f.Title, tt.want)
			}
			if len(f.Items) != 1 || f.Items[0].Title != tt.want {
				t.Fatalf("items = %+v", f.Items)
			}
		})
	}
}

// TestParseCorpusEncodings parses real legacy-encoded feeds and pages from
// the chardet corpus (testdata/SOURCES.md).
func TestParseCorpusEncodings(t *testing.T) {
	t.Run("windows-1256 Arabic news text", func(t *testing.T) {
		page := readTestdata(t, "arabic_windows1256.html")
		start := bytes.Index(page, []byte(`dir="RTL">`)) + len(`dir="RTL">`)
		end := bytes.Index(page, []byte("</body>"))
		raw := bytes.TrimSpace(page[start:end]) // windows-1256 bytes, as published
		want, err := charmap.Windows1256.NewDecoder().Bytes(raw)
		if err != nil {
			t.Fatal(err)
		}
		var doc bytes.Buffer
		doc.WriteString(`<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel><title>t</title><item><title>`)
		doc.Write(raw[:40])
		doc.WriteString(`</title><link>https://example.com/1</link><description>`)
		doc.Write(raw)
		doc.WriteString(`</description></item></channel></rss>`)
		f := mustParse(t, doc.Bytes(), ParseOptions{ContentType: "application/rss+xml"})
		got := f.Items[0].Summary
		if !strings.Contains(got, "أعلنت كتائب الشهيد عز الدين القسام") || !strings.Contains(got, "بيت لاهيا شمال قطاع غزة") {
			t.Errorf("summary not decoded: %q", got)
		}
		if wantText := strings.Join(strings.Fields(string(want)), " "); !strings.HasPrefix(wantText, f.Items[0].Title) {
			t.Errorf("title %q is not a prefix of %q", f.Items[0].Title, wantText)
		}
	})
	t.Run("windows-1255 Hebrew RSS 0.91", func(t *testing.T) {
		f := mustParse(t, readTestdata(t, "rss091_windows1255.xml"), ParseOptions{ContentType: "text/xml"})
		if f.Items[1].Title != "על חוק מסחר אלקטרוני" || f.Language != "he-IL" {
			t.Errorf("title %q, language %q", f.Items[1].Title, f.Language)
		}
	})
	t.Run("iso-8859-9 Turkish", func(t *testing.T) {
		f := mustParse(t, readTestdata(t, "rss20_iso88599.xml"), ParseOptions{})
		if f.Items[1].Title != "Two-Lane Blacktop Türkçe 1 CD altyazısı" {
			t.Errorf("title %q", f.Items[1].Title)
		}
	})
}

func TestParseCleansText(t *testing.T) {
	doc := rssDoc(`<?xml version="1.0" encoding="utf-8"?>`, "Bad\x00 \x01bytes\xff here\x0b", "ok\x1f text\uFFFE")
	f := mustParse(t, []byte(doc), ParseOptions{})
	if got := f.Items[0].Title; got != "Bad bytes\uFFFD here" {
		t.Errorf("title = %q", got)
	}
	if got := f.Items[0].Summary; got != "ok text" {
		t.Errorf("summary = %q", got)
	}
}

func TestParseNotFeed(t *testing.T) {
	const page = `<!DOCTYPE html>
<html><head><title>Rudaw</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/english/rss">
<link rel="alternate" type="application/atom+xml" href="https://cdn.example.net/atom.xml">
<link rel="Alternate" type="application/feed+json; charset=utf-8" href="feed.json">
<link rel="alternate" type="text/html" hreflang="ar" href="/arabic">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="/english/rss">
</head><body><a rel="alternate" type="application/rss+xml" href="/not-a-link-element">x</a></body></html>`
	tests := []struct {
		name, body, contentType string
		alternates              []string
		html                    bool
	}{
		{"html page with alternates", page, "text/html; charset=utf-8",
			[]string{"https://www.example.com/english/rss", "https://cdn.example.net/atom.xml", "https://www.example.com/news/feed.json"}, true},
		{"html served as xml", page, "application/xml", []string{"https://www.example.com/english/rss", "https://cdn.example.net/atom.xml", "https://www.example.com/news/feed.json"}, true},
		{"html without alternates", "<html><body><p>hello</p></body></html>", "text/html", nil, true},
		{"xhtml", `<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html xmlns="http://www.w3.org/1999/xhtml"><head><link rel="alternate" type="application/atom+xml" href="/a.xml"/></head></html>`,
			"", []string{"https://www.example.com/a.xml"}, true},
		{"html after a comment", "<!-- hi --><HTML><body>x</body></HTML>", "", nil, true},
		{"html fragment served as html", "<div>Not found</div>", "text/html", nil, true},
		{"plain text", "just some text", "text/plain", nil, false},
		{"other xml", `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>`, "application/xml", nil, false},
		{"json but not a feed", `{"error": "not found"}`, "application/json", nil, false},
		{"empty", "", "", nil, false},
		{"whitespace", " \n\t", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const u = "https://www.example.com/news/"
			_, err := Parse([]byte(tt.body), ParseOptions{URL: u, ContentType: tt.contentType, Now: testNow})
			if !errors.Is(err, ErrNotFeed) {
				t.Fatalf("err = %v, want ErrNotFeed", err)
			}
			if !strings.HasPrefix(err.Error(), "parse "+u+": ") {
				t.Errorf("error %q does not name the URL", err)
			}
			var nf *NotFeedError
			if got := errors.As(err, &nf); got != tt.html {
				t.Fatalf("NotFeedError = %v, want %v (err %v)", got, tt.html, err)
			}
			if !tt.html {
				return
			}
			if fmt.Sprint(nf.Alternates) != fmt.Sprint(tt.alternates) {
				t.Errorf("alternates = %q, want %q", nf.Alternates, tt.alternates)
			}
			if !strings.Contains(err.Error(), "HTML page") {
				t.Errorf("error %q does not say it got an HTML page", err)
			}
			for _, a := range tt.alternates {
				if !strings.Contains(err.Error(), a) {
					t.Errorf("error %q does not name %q", err, a)
				}
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct{ name, body string }{
		{"truncated rss", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a`},
		{"truncated json", `{"version": "https://jsonfeed.org/version/1.1", "items": [`},
		{"bad json type", `{"version": "https://jsonfeed.org/version/1.1", "items": 5}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body), ParseOptions{URL: "https://example.com/f", Now: testNow})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "parse https://example.com/f: ") {
				t.Errorf("error %q lacks context", err)
			}
		})
	}
}

// TestParseEntityExpansion feeds documents that declare entities. The XML
// reader gofeed uses does not process DTDs, so nothing is expanded: no
// exponential blow-up, and no file is read.
func TestParseEntityExpansion(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret.txt")
	const secret = "TOP-SECRET-CONTENT-4711"
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	var laughs strings.Builder
	laughs.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY lol \"lol\">\n")
	laughs.WriteString("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n")
	for i := 2; i <= 9; i++ {
		fmt.Fprintf(&laughs, "<!ENTITY lol%d \"", i)
		for range 10 {
			fmt.Fprintf(&laughs, "&lol%d;", i-1)
		}
		laughs.WriteString("\">\n")
	}
	laughs.WriteString("]>\n<rss version=\"2.0\"><channel><title>&lol9;</title><item><title>laughs &lol9;</title><description>&lol9;</description><link>https://example.com/1</link></item></channel></rss>")

	tests := []struct{ name, body string }{
		{"billion laughs", laughs.String()},
		{"xxe file", `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://` + secretFile + `">]>` +
			`<rss version="2.0"><channel><title>&xxe;</title><item><title>x &xxe;</title><description>&xxe;</description><link>https://example.com/1</link></item></channel></rss>`},
		{"xxe passwd", `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
			`<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title><entry><id>1</id><title>&xxe;</title><content type="html">&xxe;</content></entry></feed>`},
		{"parameter entity", `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % ext SYSTEM "file://` + secretFile + `"> %ext;]>` +
			`<rss version="2.0"><channel><title>p</title><item><title>p</title><link>https://example.com/1</link></item></channel></rss>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			f, err := Parse([]byte(tt.body), ParseOptions{URL: "https://example.com/f", Now: testNow})
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s", d)
			}
			if err != nil {
				t.Logf("rejected: %v", err)
				return // refusing the document is fine too
			}
			all := f.Title
			for _, it := range f.Items {
				all += it.Title + it.Summary + it.Content
			}
			if strings.Contains(all, secret) || strings.Contains(all, "root:") {
				t.Errorf("file contents leaked: %q", all)
			}
			if len(all) > 10000 {
				t.Errorf("entities expanded: %d bytes of text", len(all))
			}
		})
	}
}

func TestParseCaps(t *testing.T) {
	t.Run("title", func(t *testing.T) {
		long := strings.Repeat("ب", MaxTitleBytes) // 2 bytes each
		f := mustParse(t, []byte(rssDoc("", long, "x")), ParseOptions{})
		if got := f.Items[0].Title; len(got) > MaxTitleBytes || !utf8.ValidString(got) || len(got) < MaxTitleBytes-4 {
			t.Errorf("title of %d bytes", len(got))
		}
		if len(f.Title) > MaxTitleBytes {
			t.Errorf("feed title of %d bytes", len(f.Title))
		}
	})
	t.Run("summary and content", func(t *testing.T) {
		para := "<p>" + strings.Repeat("نص طويل جدا ", 100) + "<a href=\"/x\">link</a></p>"
		big := strings.Repeat(para, MaxHTMLBytes/len(para)+50)
		doc := `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><item><title>t</title><link>https://example.com/a</link>` +
			"<description><![CDATA[" + big + "]]></description><content:encoded><![CDATA[x" + big + "]]></content:encoded></item></channel></rss>"
		f := mustParse(t, []byte(doc), ParseOptions{})
		it := f.Items[0]
		for name, s := range map[string]string{"summary": it.Summary, "content": it.Content} {
			if len(s) > MaxHTMLBytes || len(s) < MaxHTMLBytes/2 {
				t.Errorf("%s of %d bytes, cap %d", name, len(s), MaxHTMLBytes)
			}
			if !strings.HasSuffix(s, "</p>") && !strings.HasSuffix(s, "</a>") && !strings.HasSuffix(s, " ") {
				t.Logf("%s ends %q", name, s[len(s)-20:])
			}
		}
		checkItemInvariants(t, it, testNow)
	})
	t.Run("items", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`<rss version="2.0"><channel><title>t</title>`)
		for i := range MaxItems + 5 {
			fmt.Fprintf(&b, "<item><guid>%d</guid><title>%d</title></item>", i, i)
		}
		b.WriteString("</channel></rss>")
		f := mustParse(t, []byte(b.String()), ParseOptions{})
		if len(f.Items) != MaxItems {
			t.Fatalf("%d items, want %d", len(f.Items), MaxItems)
		}
		if f.Items[0].Key != "0" || f.Items[MaxItems-1].Key != fmt.Sprint(MaxItems-1) {
			t.Errorf("kept %q..%q, want the first items", f.Items[0].Key, f.Items[MaxItems-1].Key)
		}
	})
}

// benchRSS builds an RSS 2.0 feed of n items that look like a news
// agency's: a title, link, guid, date, an HTML description with a link and
// an image.
func benchRSS(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Agency</title><link>https://news.example.com/</link><language>ar</language>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>عاجل: تطورات جديدة في المحادثات رقم %d &amp; more</title>`, i)
		fmt.Fprintf(&b, `<link>https://news.example.com/story/%d?utm_source=rss&amp;id=%d</link><guid isPermaLink="false">story-%d</guid>`, i, i, i)
		fmt.Fprintf(&b, `<pubDate>Mon, 05 Jan 2026 %02d:%02d:00 +0300</pubDate><dc:creator>Desk</dc:creator><category>Politics</category>`, i%24, i%60)
		b.WriteString(`<description><![CDATA[<p>قال مسؤولون إن <a href="/related/1">المحادثات</a> ستستأنف. <img src="/img/1.jpg" alt=""> Officials said talks would resume next week after a pause.</p><script>track()</script>]]></description></item>`)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	body := benchRSS(100)
	o := ParseOptions{URL: "https://news.example.com/rss", Source: "agency", Now: testNow}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Parse(body, o)
		if err != nil || len(f.Items) != 100 {
			b.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		f.Add(readTestdata(f, e.Name()), "")
	}
	f.Add([]byte(rssDoc(`<?xml version="1.0" encoding="windows-1256"?>`, "x", "<b>y</b>")), "text/xml; charset=utf-8")
	f.Add(benchRSS(2), "application/rss+xml")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","content_text":"a<b"}]}`), "application/feed+json")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		feed, err := Parse(body, ParseOptions{URL: "https://example.com/feed", ContentType: contentType, Now: testNow})
		if err != nil {
			return
		}
		if len(feed.Items) > MaxItems || !utf8.ValidString(feed.Title) {
			t.Fatalf("bad feed: %d items, title %q", len(feed.Items), feed.Title)
		}
		for _, it := range feed.Items {
			checkItemInvariants(t, it, testNow)
		}
	})
}

// TestHTTPCharsetInvalidUTF8 pins a crash: a Content-Type holding invalid
// UTF-8 before "charset=" made the offset of the lower-cased copy overrun
// the original.
func TestHTTPCharsetInvalidUTF8(t *testing.T) {
	for _, ct := range []string{"text/xml; \xaacharset=", "text/xml; \xaa\xaacharset=utf-8", "\xff\xfeCHARSET=windows-1256;"} {
		_ = ContentTypeCharset(ct) // must not panic
		if _, err := Parse([]byte(`<rss version="2.0"><channel><title>t</title></channel></rss>`), ParseOptions{ContentType: ct}); err != nil {
			t.Logf("%q: %v", ct, err)
		}
	}
	if got := ContentTypeCharset("text/xml; \xaaCHARSET=windows-1256"); got != "windows-1256" {
		t.Errorf("got %q", got)
	}
}
