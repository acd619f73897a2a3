package publish

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

func TestEtagListMatches(t *testing.T) {
	const etag = `"abc"`
	tests := []struct {
		list string
		want bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{` "x" , "abc"`, true},
		{`"x",W/"abc"`, true},
		{`*`, true},
		{`"a,b", "abc"`, true},
		{`"abcd"`, false},
		{`abc`, false},
		{`"abc`, false},
		{``, false},
		{`W/`, false},
		{`,,,`, false},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			if got := etagListMatches(tt.list, etag); got != tt.want {
				t.Errorf("etagListMatches(%q) = %v, want %v", tt.list, got, tt.want)
			}
		})
	}
}

func FuzzEtagListMatches(f *testing.F) {
	for _, s := range []string{`"abc"`, `W/"abc", "d"`, `*`, `"a,b"`, `W/`, `"`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		got := etagListMatches(list, `"abc"`)
		if got && !strings.Contains(list, "*") && !strings.Contains(list, `"abc"`) {
			t.Errorf("%q matched without naming the tag", list)
		}
		// A list of well-formed tags that ends with ours always matches.
		if !strings.ContainsAny(list, `"*`) && !etagListMatches(`"`+list+`", "abc"`, `"abc"`) {
			t.Errorf("%q followed by the tag did not match", list)
		}
	})
}

func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "*;q=0.5", "br, gzip;q=0.1", ";;=,", "gzip;q=abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		acceptsGzip([]string{field}) // must not panic
	})
}

func FuzzParseFeedQuery(f *testing.F) {
	for _, s := range []string{"limit=5", "limit=0", "limit=501&q=iran", "before=c1-2", "q=%zz", "limit=-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fq, err := parseFeedQuery(v)
		if err == nil && (fq.limit < 1 || fq.limit > MaxLimit) {
			t.Errorf("accepted limit %d", fq.limit)
		}
	})
}

// FuzzWriters feeds arbitrary item text through every writer: the XML must
// be well-formed, the JSON valid, and no link may be other than http(s).
func FuzzWriters(f *testing.F) {
	f.Add("Iran's drones", "<p>text</p>", "https://example.com/a", "urn:uuid:1", "en")
	f.Add("<script>alert(1)</script>", "]]><x>", "javascript:alert(1)", "12345", "ar")
	f.Add("\x00\x1b\xff\ufffe", "&amp;&#0;", "http://[::1", "tag:x,2000:y", "x y")
	f.Add("إيران", "", "HTTPS://EXAMPLE.COM/%zz", "http://example.com/ space", "")
	f.Fuzz(func(t *testing.T, title, content, link, guid, lang string) {
		items := []news.Item{{
			ID: 1, Source: "rudaw", Title: title, Content: content, Summary: content, Link: link, GUID: guid,
			Language: lang, Authors: []string{title}, Topics: []string{"us-iran"},
			Published: t0, Updated: t0, FirstSeen: t0,
			Copies: []news.Copy{{Source: "rudaw", Link: link, Title: title}, {Source: "kurdistan24", Link: link, Title: content}},
		}}
		h := newTestHandler(newFakeStore(items, nil, t0))
		for _, target := range []string{"/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/feeds/sources/kurdistan24.atom", "/"} {
			rec := get(t, h, target)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: status %d", target, rec.Code)
			}
			body := rec.Body.Bytes()
			switch {
			case strings.HasSuffix(target, ".json"):
				if !json.Valid(body) {
					t.Fatalf("invalid JSON: %s", body)
				}
			case target == "/":
			default:
				checkXMLLinks(t, body)
			}
		}
	})
}

// checkXMLLinks fails unless body is well-formed and every href, url and
// <link> holds an http(s) URL.
func checkXMLLinks(t *testing.T, body []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	inLink := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inLink = tok.Name.Local == "link" && tok.Name.Space == ""
			for _, a := range tok.Attr {
				if a.Name.Local == "href" || a.Name.Local == "url" {
					if httpURL(a.Value) == "" {
						t.Errorf("attribute %s=%q is not an http(s) URL", a.Name.Local, a.Value)
					}
				}
			}
		case xml.CharData:
			if inLink && strings.TrimSpace(string(tok)) != "" && httpURL(string(tok)) == "" {
				t.Errorf("<link>%s</link> is not an http(s) URL", tok)
			}
		case xml.EndElement:
			inLink = false
		}
	}
}

func BenchmarkRender(b *testing.B) {
	s := newFakeStore(manyItems(200), testStates(), t0)
	h := newTestHandler(s)
	st := h.site.Load()
	for _, f := range []format{formatAtom, formatRSS, formatJSON} {
		b.Run(f.ext(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.renderFeed(st, st.BaseURL, Index{Kind: IndexAll}, f, feedQuery{limit: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, v := range []struct {
		name string
		pr   pageRequest
	}{
		{"page", pageRequest{view: viewHome}},
		{"page-topics", pageRequest{view: viewTopics}},
		{"page-sources", pageRequest{view: viewSources}},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.renderHTML(st, st.BaseURL, v.pr, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	s := newFakeStore(manyItems(50), testStates(), t0)
	h := newTestHandler(s)
	st := h.site.Load()
	bl := newBuilder(st, st.BaseURL, testStates(), t0)
	p, err := bl.scanPage(s, Index{Kind: IndexAll}, feedQuery{limit: 50}, nil)
	if err != nil {
		b.Fatal(err)
	}
	doc := bl.doc(Index{Kind: IndexAll}, formatAtom, feedQuery{limit: 50}, p)
	doc.Updated = t0
	writers := map[string]func(io.Writer, *feedDoc) error{"atom": writeAtom, "rss": writeRSS, "json": writeJSONFeed}
	for _, name := range []string{"atom", "rss", "json"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := writers[name](&buf, doc); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}

func BenchmarkCachedHit(b *testing.B) {
	h := newTestHandler(newFakeStore(manyItems(200), testStates(), t0))
	for _, enc := range []string{"", "gzip"} {
		b.Run("accept="+enc, func(b *testing.B) {
			get(b, h, "/feeds/all.atom")
			req, _ := http.NewRequest(http.MethodGet, "/feeds/all.atom", nil)
			if enc != "" {
				req.Header.Set("Accept-Encoding", enc)
			}
			b.ReportAllocs()
			for b.Loop() {
				rec := newRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatal(rec.Code)
				}
			}
		})
	}
	b.Run("304", func(b *testing.B) {
		etag := get(b, h, "/feeds/all.atom").Header().Get("ETag")
		req, _ := http.NewRequest(http.MethodGet, "/feeds/all.atom", nil)
		req.Header.Set("If-None-Match", etag)
		b.ReportAllocs()
		for b.Loop() {
			rec := newRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 304 {
				b.Fatal(rec.Code)
			}
		}
	})
}

func TestAbsoluteID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/a", "https://example.com/a"},
		{"HTTP://example.com/a", "http://example.com/a"},
		{"http://example.com/a b", ""},
		{"urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"},
		{"tag:example.com,2000:item/1", "tag:example.com,2000:item/1"},
		{"tag:example.com,2000-01-02:x#y", "tag:example.com,2000-01-02:x#y"},
		{"tag:example.com:x", ""},
		{"tag:ex*ample.com,2000:x", ""},
		{"tag:example.com,2000:a b", ""},
		{"urn:x", ""},
		{"12345", ""},
		{"sha256:abcd", ""},
		{"javascript:alert(1)", ""},
		{"ftp://example.com/x", ""},
		{"/relative", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := absoluteID(tt.in); got != tt.want {
				t.Errorf("absoluteID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got := tagID("[::1]", t0, 7, ""); got != "tag:localhost,2026-03-01:item/7" {
		t.Errorf("tagID with an IPv6 host = %q", got)
	}
	if got := tagID("News.Example.org", time.Time{}, 7, "k24"); got != "tag:news.example.org,2000-01-01:item/7/k24" {
		t.Errorf("tagID = %q", got)
	}
}

func TestHTTPURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/a?b=c#d", "https://example.com/a?b=c#d"},
		{" HTTPS://example.com/ ", "https://example.com/"},
		{"javascript:alert(1)", ""},
		{"JaVaScRiPt:alert(1)", ""},
		{"data:text/html,x", ""},
		{"//example.com/a", ""},
		{"/a", ""},
		{"http:///a", ""},
		{"http://exa mple.com/", ""},
		{"http://example.com/\x00", "http://example.com/"},
		{"http://example.com/\x7f", ""},
		{"mailto:a@example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := httpURL(tt.in); got != tt.want {
				t.Errorf("httpURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>a &amp; b</p><p>c</p>", "a & b c"},
		{"plain  text\n", "plain text"},
		{"x<script>bad()</script>y", "xy"},
		{"<p>unclosed", "unclosed"},
		{"a<br>b", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := htmlText(tt.in); got != tt.want {
				t.Errorf("htmlText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
