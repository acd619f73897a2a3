package opml

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// doc wraps outlines in an OPML 2.0 document.
func doc(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>t</title></head><body>
` + body + `
</body></opml>`
}

func TestParse(t *testing.T) {
	type src = Source
	tests := []struct {
		name    string
		in      string
		want    []Source
		skipped []string // reasons, each a substring of the Skipped entry's Reason, in order
	}{
		{
			name: "flat",
			in:   doc(`<outline type="rss" text="Rudaw English" title="Rudaw English" xmlUrl="https://www.rudaw.net/english/rss"/>`),
			want: []Source{{Name: "rudaw-english", Title: "Rudaw English", URL: "https://www.rudaw.net/english/rss"}},
		},
		{
			name: "title else text, white space folded",
			in: doc(`<outline text="  From
			text  " xmlUrl="http://a.example/rss"/>
			<outline text="text" title="Title	wins" xmlUrl="http://b.example/rss"/>`),
			want: []Source{
				{Name: "from-text", Title: "From text", URL: "http://a.example/rss"},
				{Name: "title-wins", Title: "Title wins", URL: "http://b.example/rss"},
			},
		},
		{
			name: "nested folders: every level a tag",
			in: doc(`<outline text="Middle East"><outline title="Iraq" text="ignored">
				<outline text="Kurdistan Region"><outline text="Rudaw" xmlUrl="https://rudaw.net/rss"/></outline>
				<outline text="Shafaq" xmlUrl="https://shafaq.com/en/rss"/>
			</outline>
			<outline text="Al-Monitor" xmlUrl="https://al-monitor.com/rss"/></outline>
			<outline text="Top" xmlUrl="https://top.example/rss"/>`),
			want: []Source{
				{Name: "rudaw", Title: "Rudaw", URL: "https://rudaw.net/rss", Tags: []string{"middle-east", "iraq", "kurdistan-region"}},
				{Name: "shafaq", Title: "Shafaq", URL: "https://shafaq.com/en/rss", Tags: []string{"middle-east", "iraq"}},
				{Name: "al-monitor", Title: "Al-Monitor", URL: "https://al-monitor.com/rss", Tags: []string{"middle-east"}},
				{Name: "top", Title: "Top", URL: "https://top.example/rss"},
			},
		},
		{
			name: "category attribute: comma-separated paths",
			in: doc(`<outline text="News"><outline text="Mets" xmlUrl="http://mets.example/rss"
				category="/Philosophy/Baseball/Mets,/Tourism/New York, news ,,/"/></outline>`),
			want: []Source{{Name: "mets", Title: "Mets", URL: "http://mets.example/rss",
				Tags: []string{"news", "philosophy", "baseball", "mets", "tourism", "new-york"}}},
		},
		{
			name: "feed with children is not a folder",
			in: doc(`<outline text="Parent" xmlUrl="http://p.example/rss">
				<outline text="Child" xmlUrl="http://c.example/rss"/></outline>`),
			want: []Source{
				{Name: "parent", Title: "Parent", URL: "http://p.example/rss"},
				{Name: "child", Title: "Child", URL: "http://c.example/rss"},
			},
		},
		{
			name: "missing xmlUrl",
			in: doc(`<outline text="Feed 1" type="rss"/>
				<outline text="Site only" htmlUrl="https://site.example/"/>
				<outline text="Blank" type="rss" xmlUrl="  "/>
				<outline text="Just a note"/>
				<outline text="Empty folder" title="Empty folder"></outline>
				<outline text="Song" type="song" f="x.mp3"/>`),
			skipped: []string{"no xmlUrl", "no xmlUrl", "no xmlUrl"},
		},
		{
			name: "links and includes are not feeds",
			in: doc(`<outline text="Blogroll" type="link" url="http://hosting.opml.org/dave/mySites.opml"/>
				<outline text="More" type="include" url="http://example.com/more.opml"/>`),
			skipped: []string{`type="link"`, `type="include"`},
		},
		{
			name: "URLs that are not http(s)",
			in: doc(`<outline text="FTP" xmlUrl="ftp://ftp.example/rss"/>
				<outline text="Script" xmlUrl="exec:~/bin/feed.sh"/>
				<outline text="Relative" xmlUrl="/rss.xml"/>
				<outline text="No host" xmlUrl="http:///rss"/>
				<outline text="Bad port" xmlUrl="http://example.com:99999/rss"/>
				<outline text="Space host" xmlUrl="http://exa mple.com/rss"/>
				<outline text="JS" xmlUrl="javascript:alert(1)"/>
				<outline text="OK" xmlUrl="  HTTPS://Example.COM/rss  "/>`),
			want:    []Source{{Name: "ok", Title: "OK", URL: "https://Example.COM/rss"}},
			skipped: []string{`scheme "ftp"`, `scheme "exec"`, "not an absolute URL", "no host", "invalid port", "invalid URL", `scheme "javascript"`},
		},
		{
			name: "feed: pseudo-scheme",
			in: doc(`<outline text="A" xmlUrl="feed://a.example/rss"/>
				<outline text="B" xmlUrl="feed:https://b.example/rss"/>`),
			want: []Source{
				{Name: "a", Title: "A", URL: "http://a.example/rss"},
				{Name: "b", Title: "B", URL: "https://b.example/rss"},
			},
		},
		{
			name: "duplicates imported once, tags merged",
			in: doc(`<outline text="Iraq"><outline text="Rudaw" xmlUrl="https://www.rudaw.net/english/rss"/></outline>
				<outline text="Kurdistan"><outline text="Rudaw again" xmlUrl="https://WWW.Rudaw.net:443/english/rss#x" category="news"/></outline>
				<outline text="Rudaw http" xmlUrl="http://www.rudaw.net/english/rss"/>`),
			want: []Source{
				{Name: "rudaw", Title: "Rudaw", URL: "https://www.rudaw.net/english/rss", Tags: []string{"iraq", "kurdistan", "news"}},
				{Name: "rudaw-http", Title: "Rudaw http", URL: "http://www.rudaw.net/english/rss"},
			},
			skipped: []string{`same feed as source "rudaw"`},
		},
		{
			name: "duplicate without title lends none, later title fills in",
			in: doc(`<outline xmlUrl="https://x.example/rss"/>
				<outline text="X News" xmlUrl="https://x.example/rss"/>`),
			want:    []Source{{Name: "x-example-rss", Title: "X News", URL: "https://x.example/rss"}},
			skipped: []string{"same feed"},
		},
		{
			name: "Arabic and Persian titles fall back to the URL",
			in: doc(`<outline text="أخبار"><outline text="الجزيرة نت" xmlUrl="https://www.aljazeera.net/rss"/></outline>
				<outline text="الشرق الأوسط" xmlUrl="https://aawsat.com/feed"/>
				<outline text="BBC عربي" xmlUrl="https://feeds.bbci.co.uk/arabic/rss.xml"/>
				<outline text="عصر ايران ٢٤" xmlUrl="https://www.asriran.com/fa/rss/allnews"/>
				<outline text="Новости" xmlUrl="https://lenta.ru/rss/news"/>
				<outline text="日本" xmlUrl="https://www3.nhk.or.jp/rss/news/cat0.xml"/>`),
			want: []Source{
				{Name: "aljazeera-net-rss", Title: "الجزيرة نت", URL: "https://www.aljazeera.net/rss"},
				{Name: "aawsat-com-feed", Title: "الشرق الأوسط", URL: "https://aawsat.com/feed"},
				{Name: "bbc", Title: "BBC عربي", URL: "https://feeds.bbci.co.uk/arabic/rss.xml"},
				{Name: "asriran-com-fa-rss-allnews", Title: "عصر ايران ٢٤", URL: "https://www.asriran.com/fa/rss/allnews"},
				{Name: "lenta-ru-rss-news", Title: "Новости", URL: "https://lenta.ru/rss/news"},
				{Name: "www3-nhk-or-jp-rss-news-cat0", Title: "日本", URL: "https://www3.nhk.or.jp/rss/news/cat0.xml"},
			},
		},
		{
			name: "diacritics and special letters",
			in: doc(`<outline text="Süddeutsche Zeitung" xmlUrl="https://a.example/"/>
				<outline text="Straße &amp; Ærø — Łódź" xmlUrl="https://b.example/"/>
				<outline text="Iran’s news, l'Orient" xmlUrl="https://c.example/"/>
				<outline text="ﬁnance ２４" xmlUrl="https://d.example/"/>
				<outline text="İstanbul" xmlUrl="https://e.example/"/>`),
			want: []Source{
				{Name: "suddeutsche-zeitung", Title: "Süddeutsche Zeitung", URL: "https://a.example/"},
				{Name: "strasse-aero-lodz", Title: "Straße & Ærø — Łódź", URL: "https://b.example/"},
				{Name: "irans-news-lorient", Title: "Iran’s news, l'Orient", URL: "https://c.example/"},
				{Name: "finance-24", Title: "ﬁnance ２４", URL: "https://d.example/"},
				{Name: "istanbul", Title: "İstanbul", URL: "https://e.example/"},
			},
		},
		{
			name: "colliding names get -2, -3",
			in: doc(`<outline text="World" xmlUrl="https://a.example/world"/>
				<outline text="WORLD!" xmlUrl="https://b.example/world"/>
				<outline text="World 2" xmlUrl="https://c.example/world"/>
				<outline text="world" xmlUrl="https://d.example/world"/>
				<outline text="` + strings.Repeat("Long ", 12) + `" xmlUrl="https://e.example/"/>
				<outline text="` + strings.Repeat("Long ", 12) + `" xmlUrl="https://f.example/"/>`),
			want: []Source{
				{Name: "world", Title: "World", URL: "https://a.example/world"},
				{Name: "world-2", Title: "WORLD!", URL: "https://b.example/world"},
				{Name: "world-2-2", Title: "World 2", URL: "https://c.example/world"},
				{Name: "world-3", Title: "world", URL: "https://d.example/world"},
				{Name: "long-long-long-long-long-long-long-long", Title: strings.TrimSpace(strings.Repeat("Long ", 12)), URL: "https://e.example/"},
				{Name: "long-long-long-long-long-long-long-2", Title: strings.TrimSpace(strings.Repeat("Long ", 12)), URL: "https://f.example/"},
			},
		},
		{
			name: "untitled and URL titles are named after the URL",
			in: doc(`<outline xmlUrl="https://www.example.com/feeds/all.atom.xml"/>
				<outline text="https://blog.example.org/feed/" xmlUrl="https://blog.example.org/feed/"/>
				<outline text="!!!" xmlUrl="http://[::1]:8080/"/>`),
			want: []Source{
				{Name: "example-com-feeds-all-atom", URL: "https://www.example.com/feeds/all.atom.xml"},
				{Name: "blog-example-org-feed", Title: "https://blog.example.org/feed/", URL: "https://blog.example.org/feed/"},
				{Name: "1", Title: "!!!", URL: "http://[::1]:8080/"},
			},
		},
		{
			name: "folder in Arabic script gives no tag",
			in:   doc(`<outline text="أخبار"><outline text="World" title="World" xmlUrl="https://w.example/"/></outline>`),
			want: []Source{{Name: "world", Title: "World", URL: "https://w.example/"}},
		},
		{
			name: "attribute names without regard to case; namespaced ones ignored",
			in: doc(`<outline xmlns:x="urn:x" TEXT="Upper" XMLURL="https://u.example/" x:title="no"/>
				<outline text="Lower" xmlurl="https://l.example/"/>`),
			want: []Source{
				{Name: "upper", Title: "Upper", URL: "https://u.example/"},
				{Name: "lower", Title: "Lower", URL: "https://l.example/"},
			},
		},
		{
			name:    "FreshRSS scraping outlines are skipped",
			in:      doc(`<outline text="Scraped" type="HTML+XPath" xmlUrl="https://site.example/news"/>`),
			skipped: []string{"web-scraping"},
		},
		{
			name: "outlines outside body are ignored",
			in: `<opml version="1.1"><head><title>x</title><outline text="in head" xmlUrl="http://h.example/"/></head>
				<body><div><outline text="in div" xmlUrl="http://d.example/"/></div><outline text="ok" xmlUrl="http://ok.example/"/></body>
				<outline text="after body" xmlUrl="http://a.example/"/></opml>`,
			want: []Source{{Name: "ok", Title: "ok", URL: "http://ok.example/"}},
		},
		{
			name: "lenient: bare ampersand, HTML entities, unquoted attribute",
			in: doc(`<outline text="Tom & Jerry&nbsp;News &eacute;t&eacute;" xmlUrl="http://x.example/?a=1&b=2"/>
				<outline text=Unquoted xmlUrl="http://y.example/"/>`),
			want: []Source{
				{Name: "tom-jerry-news-ete", Title: "Tom & Jerry News été", URL: "http://x.example/?a=1&b=2"},
				{Name: "unquoted", Title: "Unquoted", URL: "http://y.example/"},
			},
		},
		{
			name: "outlineDocument root (pre-1.0)",
			in:   `<outlineDocument><body><outline text="Old" xmlUrl="http://old.example/"/></body></outlineDocument>`,
			want: []Source{{Name: "old", Title: "Old", URL: "http://old.example/"}},
		},
		{
			name: "empty body",
			in:   `<opml version="2.0"><head/><body/></opml>`,
		},
		{
			name: "no body",
			in:   `<opml version="1.1"><head><title>Missing Body Test</title></head></opml>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(res.Sources, tt.want) {
				t.Errorf("sources:\n got %s\nwant %s", fmtSources(res.Sources), fmtSources(tt.want))
			}
			if len(res.Skipped) != len(tt.skipped) {
				t.Fatalf("skipped %d outlines, want %d: %+v", len(res.Skipped), len(tt.skipped), res.Skipped)
			}
			for i, s := range res.Skipped {
				if !strings.Contains(s.Reason, tt.skipped[i]) {
					t.Errorf("skipped[%d].Reason = %q, want it to contain %q", i, s.Reason, tt.skipped[i])
				}
				if s.Line < 1 {
					t.Errorf("skipped[%d].Line = %d", i, s.Line)
				}
			}
			checkResult(t, res)
		})
	}
}

func fmtSources(ss []Source) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "\n  {%q %q %q %q}", s.Name, s.Title, s.URL, s.Tags)
	}
	return b.String()
}

// checkResult checks the promises every Result keeps, and that its TOML
// loads as a config.
func checkResult(t *testing.T, res *Result) {
	t.Helper()
	names := map[string]bool{}
	for _, s := range res.Sources {
		if !validName(s.Name) || len(s.Name) > MaxNameLen {
			t.Errorf("invalid name %q", s.Name)
		}
		if names[s.Name] {
			t.Errorf("duplicate name %q", s.Name)
		}
		names[s.Name] = true
		seen := map[string]bool{}
		for _, tag := range s.Tags {
			if !validName(tag) || seen[tag] {
				t.Errorf("source %q: bad or repeated tag %q", s.Name, tag)
			}
			seen[tag] = true
		}
	}
	var out bytes.Buffer
	if err := WriteTOML(&out, res, "test.opml"); err != nil {
		t.Fatalf("WriteTOML: %v", err)
	}
	checkLoads(t, "test", res, out.Bytes())
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func TestParseSkippedDetails(t *testing.T) {
	in := "<opml><body>\n<outline text=\"a\" title=\"FTP feed\"\n xmlUrl=\" ftp://x/rss \"/>\n</body></opml>"
	res, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Skipped{{Title: "FTP feed", URL: "ftp://x/rss", Line: 2, Reason: `URL scheme "ftp" is not http or https`}}
	if !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("Skipped = %+v, want %+v", res.Skipped, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		target error  // errors.Is target, or nil
		msg    string // substring of the message
	}{
		{"truncated", "<opml>\n<body>\n<outline text=\"x\">", nil, "line 3"},
		{"unclosed quote", "<opml>\n<body>\n<outline text=\"x\"/>\n<outline text=\"y />\n</body></opml>", nil, "line 5"},
		{"unrepairable after repair", "<opml>\n<body>\n\n<outline text=\"x < 12\"/></body>", nil, "line 4: unescaped < inside quoted string"},
		{"invalid UTF-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml>\n<body><outline text=\"\x93q\x94\"/></body></opml>", nil, "line 3"},
		{"control character", "<opml><body>\n<outline text=\"\x01\"/></body></opml>", nil, "line 2"},
		{"unknown encoding", "<?xml version=\"1.0\" encoding=\"klingon\"?>\n<opml/>", nil, `unsupported encoding "klingon"`},
		{"empty", "", ErrNotOPML, "no root element"},
		{"text only", "just some text", ErrNotOPML, "no root element"},
		{"an RSS feed", `<?xml version="1.0"?><rss version="2.0"><channel/></rss>`, ErrNotOPML, "<rss>"},
		{"HTML", `<!DOCTYPE html><html><body><p>hi</p></body></html>`, ErrNotOPML, "<html>"},
		{"too many outlines", doc(strings.Repeat(`<outline text="a"/>`, MaxOutlines+1)), ErrTooLarge, "outlines"},
		{"too deep", doc(strings.Repeat(`<outline text="a">`, MaxDepth+1) + strings.Repeat(`</outline>`, MaxDepth+1)), ErrTooLarge, "deep"},
		{"too big", doc(`<outline text="` + strings.Repeat("a", MaxSize) + `"/>`), ErrTooLarge, "bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", res)
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("error %v is not %v", err, tt.target)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "parse opml: ") {
				t.Errorf("error %q, want it to start with \"parse opml: \" and contain %q", err, tt.msg)
			}
		})
	}
}

func TestParseLimitsAccepted(t *testing.T) {
	// Exactly at the limits is fine.
	deep := doc(strings.Repeat(`<outline text="f">`, MaxDepth-1) + `<outline text="x" xmlUrl="http://x.example/"/>` + strings.Repeat(`</outline>`, MaxDepth-1))
	res, err := Parse(strings.NewReader(deep))
	if err != nil {
		t.Fatalf("depth %d: %v", MaxDepth, err)
	}
	if len(res.Sources) != 1 || len(res.Sources[0].Tags) != 1 {
		t.Errorf("got %+v, want one source tagged f", res.Sources)
	}
	many := doc(strings.Repeat(`<outline text="a"/>`, MaxOutlines))
	if _, err := Parse(strings.NewReader(many)); err != nil {
		t.Errorf("%d outlines: %v", MaxOutlines, err)
	}
}

// TestParseEntities checks that entities declared in a DTD are not
// expanded: a "billion laughs" document parses at once, small.
func TestParseEntities(t *testing.T) {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE opml [\n<!ENTITY lol \"lol\">\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "<!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString("]>\n<opml version=\"2.0\"><body><outline text=\"&lol9;\" xmlUrl=\"http://x.example/&lol9;\"/>" +
		"<outline text=\"&secret;\" xmlUrl=\"http://y.example/\"/></body></opml>")
	in := strings.Replace(b.String(), "\"&lol0;", "\"&lol;", 1)
	res, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []Source{
		{Name: "lol9", Title: "&lol9;", URL: "http://x.example/&lol9;"},
		{Name: "secret", Title: "&secret;", URL: "http://y.example/"},
	}
	if !reflect.DeepEqual(res.Sources, want) {
		t.Errorf("sources:\n got %s\nwant %s", fmtSources(res.Sources), fmtSources(want))
	}
	// External entities are not fetched either: there is no network, and
	// an undeclared or external entity stays literal text.
	ext := `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
		`<opml><body><outline text="&xxe;" xmlUrl="http://z.example/"/></body></opml>`
	res, err = Parse(strings.NewReader(ext))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(res.Sources) != 1 || res.Sources[0].Title != "&xxe;" {
		t.Errorf("external entity: got %s", fmtSources(res.Sources))
	}
}

func TestParseEncodings(t *testing.T) {
	const body = `<opml version="2.0"><head><title>Actualités</title></head><body>` +
		`<outline text="Actualités"><outline text="Le Monde - À la une" xmlUrl="https://www.lemonde.fr/rss/une.xml"/></outline></body></opml>`
	want := []Source{{Name: "le-monde-a-la-une", Title: "Le Monde - À la une", URL: "https://www.lemonde.fr/rss/une.xml", Tags: []string{"actualites"}}}
	latin1, err := charmap.ISO8859_1.NewEncoder().String(body)
	if err != nil {
		t.Fatal(err)
	}
	win1252, err := charmap.Windows1252.NewEncoder().String("<?xml version=\"1.0\" encoding=\"windows-1252\"?>" + body)
	if err != nil {
		t.Fatal(err)
	}
	utf16le, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n" + body)
	if err != nil {
		t.Fatal(err)
	}
	utf16beNoBOM, err := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewEncoder().String("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n" + body)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, in string }{
		{"UTF-8 without declaration", body},
		{"UTF-8 with BOM", "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>" + body},
		{"ISO-8859-1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + latin1},
		{"windows-1252", win1252},
		{"UTF-16LE with BOM", utf16le},
		{"UTF-16BE without BOM", utf16beNoBOM},
		{"declared UTF-16 but ASCII-compatible", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>" + body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(res.Sources, want) {
				t.Errorf("sources:\n got %s\nwant %s", fmtSources(res.Sources), fmtSources(want))
			}
			if res.Title != "Actualités" {
				t.Errorf("Title = %q", res.Title)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Hello, World!", "hello-world"},
		{"  --a--b--  ", "a-b"},
		{"Café Führer", "cafe-fuhrer"},
		{"Ærøskøbing Œuvre ßtraße", "aeroskobing-oeuvre-sstrasse"},
		{"Iran’s", "irans"},
		{"الجزيرة", ""},
		{"رووداو Rudaw", "rudaw"},
		{"Ünïcödé ２０２６", "unicode-2026"},
		{strings.Repeat("abcdefghij", 5), strings.Repeat("abcdefghij", 4)},
		{"aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeee", "aaaaaaaaaa-bbbbbbbbbb-cccccccccc"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := slugify(tt.in, MaxNameLen); got != tt.want {
				t.Errorf("slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWriteTOMLEscaping(t *testing.T) {
	res := &Result{
		Title: "Evil\n[[source]]\nname = \"x\"",
		Sources: []Source{{
			Name:  "a",
			Title: "Quote \" back\\slash \t tab \x01 ctl \x7f del \u0085 nel \u2028 ls \xff bad",
			URL:   "https://x.example/?q=\"\\",
			Tags:  []string{"t"},
		}},
		Skipped: []Skipped{{Title: "line\nbreak\r\n[[source]]", URL: "ftp://x/\n", Line: 3, Reason: "r\x00"}},
	}
	var out bytes.Buffer
	if err := WriteTOML(&out, res, "evil\nname.opml"); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "[[source]]") && !strings.Contains(line, " = ") {
			t.Errorf("line %d is neither comment nor key: %q", i+1, line)
		}
	}
	want := *res
	want.Sources = []Source{res.Sources[0]}
	want.Sources[0].Title = strings.ToValidUTF8(res.Sources[0].Title, "\uFFFD")
	checkLoads(t, "escaping", &want, out.Bytes())
}

func TestWriteTOMLEmpty(t *testing.T) {
	var out bytes.Buffer
	if err := WriteTOML(&out, &Result{}, ""); err != nil {
		t.Fatal(err)
	}
	want := "# aggregatord sources imported from an OPML document.\n# 0 sources.\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	checkLoads(t, "empty", &Result{}, out.Bytes())
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteTOMLError(t *testing.T) {
	err := WriteTOML(failWriter{}, &Result{}, "x")
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v", err)
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestParseReadError(t *testing.T) {
	_, err := Parse(failReader{})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err = %v", err)
	}
}

// TestParseRepair checks documents that are not well-formed in the ways
// real exports are: quotes and "<" left unescaped in attribute values.
func TestParseRepair(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Source
	}{
		{
			name: "quotes inside a value (a real Plenary export)",
			in: doc(`<outline text="Russia" title="Russia">
			<outline text="Газета "Коммерсантъ". Главное" title="Газета "Коммерсантъ". Главное" description="x" xmlUrl="https://www.kommersant.ru/RSS/main.xml" type="rss" />
			<outline text='It's' xmlUrl='https://its.example/'/>
			<outline text="Say "hi"" xmlUrl="https://hi.example/"/></outline>`),
			want: []Source{
				{Name: "kommersant-ru-rss-main", Title: `Газета "Коммерсантъ". Главное`, URL: "https://www.kommersant.ru/RSS/main.xml", Tags: []string{"russia"}},
				{Name: "its", Title: "It's", URL: "https://its.example/", Tags: []string{"russia"}},
				{Name: "say-hi", Title: `Say "hi"`, URL: "https://hi.example/", Tags: []string{"russia"}},
			},
		},
		{
			name: "< in a value and in text (the W3C notEncoded case)",
			in: `<?xml version="1.0"?><!-- a <comment> --><opml version="1.1"><head><title>a < b</title></head><body>
			<outline text="x + y < 12" xmlUrl="http://x.example/?a=1&b=2"/><![CDATA[ <not a tag> ]]></body></opml>`,
			want: []Source{{Name: "x-y-12", Title: "x + y < 12", URL: "http://x.example/?a=1&b=2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(res.Sources, tt.want) {
				t.Errorf("sources:\n got %s\nwant %s", fmtSources(res.Sources), fmtSources(tt.want))
			}
			if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "not well-formed") {
				t.Errorf("Warnings = %q", res.Warnings)
			}
			checkResult(t, res)
			var out bytes.Buffer
			if err := WriteTOML(&out, res, "x.opml"); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "\n# Warning: the document is not well-formed") {
				t.Errorf("no warning in the TOML:\n%s", out.String())
			}
		})
	}
}

func TestParseLongTitle(t *testing.T) {
	long := strings.Repeat("word ", 1000)
	res, err := Parse(strings.NewReader(doc(`<outline text="` + long + `" xmlUrl="http://x.example/"/>`)))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Sources[0]
	if len(s.Title) > MaxTitleLen || !strings.HasPrefix(long, s.Title) || strings.HasSuffix(s.Title, " ") {
		t.Errorf("title of %d bytes: %q...", len(s.Title), s.Title[:20])
	}
	if s.Name != "word-word-word-word-word-word-word-word" {
		t.Errorf("name %q", s.Name)
	}
	checkResult(t, res)
}
