package publish

// Regression tests for what the W3C feed validator found in our output
// (daemon/validate_test.go): links that were not URIs, ids it rejects or
// finds non-canonical, empty Atom content.

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"
)

// reURIRef is an absolute URI as the validator's rfc2396_full pattern
// accepts it: ASCII, no white space, none of "<>\^`{|}[].
var reURIRef = regexp.MustCompile(`^[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$`)

func TestHTTPURLNormalForm(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"unsafe ASCII in the query", "https://evil.example.com/news/1?a=1&b=<2>&c=x y|z", "https://evil.example.com/news/1?a=1&b=%3C2%3E&c=x%20y%7Cz"},
		{"Arabic path, query and fragment", "https://ar.example.com/أخبار?q=عاجل#فقرة",
			"https://ar.example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1?q=%D8%B9%D8%A7%D8%AC%D9%84#%D9%81%D9%82%D8%B1%D8%A9"},
		{"case, default port, dot segments, escapes", "HTTP://Evil.Example.COM:80/./a/../guid?id=%7e%3b#frag", "http://evil.example.com/guid?id=~%3B#frag"},
		{"empty path", "https://x.example:443", "https://x.example/"},
		{"other port, escaped slash", "https://x.example:8443/a%2fb", "https://x.example:8443/a%2Fb"},
		{"brackets", "https://x.example/a[1]/b?c[]=d", "https://x.example/a%5B1%5D/b?c%5B%5D=d"},
		{"stray percent", "https://x.example/?q=100%", "https://x.example/?q=100%25"},
		{"empty query kept", "https://x.example/a?", "https://x.example/a?"},
		{"IPv6", "https://[::1]:8080/x", "https://[::1]:8080/x"},
		{"user info", "https://u%20x:p@x.example/", "https://u%20x:p@x.example/"},
		{"javascript", "javascript:alert(1)", ""},
		{"relative", "/relative/path", ""},
		{"no host", "https:///path", ""},
		{"host with punctuation", "http://a$aa\"0000", ""},
		{"Arabic host", "https://مثال.example/", "https://%D9%85%D8%AB%D8%A7%D9%84.example/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := httpURL(tt.in)
			if got != tt.want {
				t.Errorf("httpURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got != "" && !reURIRef.MatchString(got) && !strings.Contains(got, "[::1]") {
				t.Errorf("httpURL(%q) = %q is not a URI", tt.in, got)
			}
			if again := httpURL(got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestAbsoluteIDShapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"urn:isbn:0451450523", "urn:isbn:0451450523"},
		{"URN:ISBN:0451450523", "urn:ISBN:0451450523"},
		{"urn:x:one-letter-namespace", ""},
		{"urn:isbn-:0451450523", ""},
		{"urn:isbn:978-0/451~450523", ""},
		{"urn:isbn:a?b", ""},
		{"urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"},
		{"urn:uuid:not-a-uuid", ""},
		{"tag:evil.example.com,2026:item/1", "tag:evil.example.com,2026:item/1"},
		{"tag:me@evil.example.com,2026-01:x", "tag:me@evil.example.com,2026-01:x"},
		{"tag:Evil.Example.COM,2026:Item-Two", ""},
		{"HTTP://Evil.Example.COM:80/./guid?id=%7e#frag", "http://evil.example.com/guid?id=~#frag"},
		{"https://ar.example.com/x?q=عاجل", "https://ar.example.com/x?q=%D8%B9%D8%A7%D8%AC%D9%84"},
		{"item 42", ""},
	}
	for _, tt := range tests {
		if got := absoluteID(tt.in); got != tt.want {
			t.Errorf("absoluteID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAtomContentNeverBlank: an entry without content has its alternate
// link and no content element, or, without a link, its title as content
// (RFC 4287 wants one or the other; the validator warns on blank content).
func TestAtomContentNeverBlank(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	src := sourceRef{Name: "s", Title: "S", FeedURL: "https://s.example/feed", ID: "https://s.example/feed", Updated: at}
	d := &feedDoc{Title: "T", Home: "https://news.example/", ID: "https://news.example/feeds/all.atom", Self: "https://news.example/feeds/all.atom",
		Updated: at, Author: "T", Entries: []entry{
			{ID: "urn:example:1", Title: "With a link", Link: "https://s.example/1", Updated: at, Source: src},
			{ID: "urn:example:2", Title: "No link & <nothing>", Updated: at, Source: src},
			{ID: "urn:example:3", Title: "Content", Content: "<p>Body</p>", Updated: at, Source: src},
		}}
	var buf bytes.Buffer
	if err := writeAtom(&buf, d); err != nil {
		t.Fatal(err)
	}
	var f struct {
		Entries []struct {
			ID      string `xml:"id"`
			Content *struct {
				Type string `xml:"type,attr"`
				Body string `xml:",chardata"`
			} `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"urn:example:1": "", "urn:example:2": "No link &amp; &lt;nothing&gt;", "urn:example:3": "<p>Body</p>"}
	for _, e := range f.Entries {
		switch {
		case want[e.ID] == "" && e.Content != nil:
			t.Errorf("%s: content %q, want none", e.ID, e.Content.Body)
		case want[e.ID] != "" && (e.Content == nil || e.Content.Body != want[e.ID] || e.Content.Type != "html"):
			t.Errorf("%s: content %+v, want html %q", e.ID, e.Content, want[e.ID])
		}
	}
	if bytes.Contains(buf.Bytes(), []byte("<content type=\"html\"></content>")) {
		t.Errorf("blank content:\n%s", buf.Bytes())
	}
}

// FuzzHTTPURL: whatever the input, httpURL returns "" or an absolute
// http(s) URI, and is idempotent.
func FuzzHTTPURL(f *testing.F) {
	for _, s := range []string{"https://x.example/a?b=<c>", "HTTP://X:80/./a/../b", "https://ar.example.com/أ?q=ع#ف",
		"https://[::1]:8080/", "https://u:p@x/%zz", "http://x/a[1]?%", "javascript:x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := httpURL(s)
		if got == "" {
			return
		}
		if !strings.HasPrefix(got, "http://") && !strings.HasPrefix(got, "https://") {
			t.Fatalf("httpURL(%q) = %q", s, got)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return r <= ' ' || r >= 0x7F || strings.ContainsRune("\"<>\\^`{|}", r) }) {
			t.Fatalf("httpURL(%q) = %q is not a URI", s, got)
		}
		if again := httpURL(got); again != got {
			t.Fatalf("httpURL not idempotent on %q: %q then %q", s, got, again)
		}
	})
}
