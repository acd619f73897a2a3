package feeds

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		raw, base, want string
		ok              bool
	}{
		{"https://example.com/a", "", "https://example.com/a", true},
		{"HTTPS://Example.COM/Path/To", "", "https://example.com/Path/To", true},
		{"http://example.com:80/a", "", "http://example.com/a", true},
		{"https://example.com:443/a", "", "https://example.com/a", true},
		{"http://example.com:443/a", "", "http://example.com:443/a", true},
		{"https://example.com:8443/a", "", "https://example.com:8443/a", true},
		{"https://example.com:/a", "", "https://example.com/a", true},
		{"https://example.com", "", "https://example.com/", true},
		{"https://example.com?x=1", "", "https://example.com/?x=1", true},
		{"https://example.com/a#section", "", "https://example.com/a", true},
		{"https://example.com/a?#", "", "https://example.com/a", true},
		{"https://example.com/a?utm_source=rss&utm_medium=feed", "", "https://example.com/a", true},
		{"https://example.com/a?id=5&UTM_Campaign=x&page=2", "", "https://example.com/a?id=5&page=2", true},
		{"https://example.com/a?fbclid=abc&b=2&gclid=x&a=1", "", "https://example.com/a?b=2&a=1", true},
		{"https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&_ga=4&yclid=5&msclkid=6&z=1", "", "https://example.com/a?z=1", true},
		{"https://example.com/a?utm%5Fsource=x&k=v", "", "https://example.com/a?k=v", true},
		{"https://example.com/a?q=a%20b&&x=", "", "https://example.com/a?q=a%20b&x=", true},
		{"https://example.com/a?utm_source", "", "https://example.com/a", true},
		{"https://example.com/a/./b/../c", "", "https://example.com/a/c", true},
		{"https://example.com/%D8%B9%D8%A7%D8%AC%D9%84", "", "https://example.com/%D8%B9%D8%A7%D8%AC%D9%84", true},
		{"https://example.com/a%2Fb", "", "https://example.com/a%2Fb", true},
		{"https://user:pw@example.com/", "", "https://user:pw@example.com/", true},
		{"http://[::1]:80/x", "", "http://[::1]/x", true},
		{"http://[2001:DB8::1]:8080/x", "", "http://[2001:db8::1]:8080/x", true},
		{"http://XN--MGBH0FB.example/", "", "http://xn--mgbh0fb.example/", true},
		{"http://ÉCOLE.example/", "", "http://xn--cole-9oa.example/", true},
		{"https://موقع.example/خبر", "", "https://xn--4gbrim.example/%D8%AE%D8%A8%D8%B1", true},
		{"https://xn--4gbrim.example/", "", "https://xn--4gbrim.example/", true},
		{"http://my_host.example/", "", "http://my_host.example/", true},
		{"  https://example.com/a  ", "", "https://example.com/a", true},
		{"http://0? #", "", "http://0/?%20", true},
		{"https://example.com/a b?q=a b", "", "https://example.com/a%20b?q=a%20b", true},
		// relative
		{"/story/1?utm_source=x", "https://Example.com/feed.xml", "https://example.com/story/1", true},
		{"story/1", "https://example.com/news/feed.xml", "https://example.com/news/story/1", true},
		{"//cdn.example.net/x", "https://example.com/", "https://cdn.example.net/x", true},
		{"../x", "https://example.com/a/b/", "https://example.com/a/x", true},
		{"#frag", "https://example.com/a", "https://example.com/a", true},
		{"story/1", "", "", false},
		{"story/1", "not a base", "", false},
		{"story/1", "/relative/base", "", false},
		// refused
		{"", "", "", false},
		{"javascript:alert(1)", "https://example.com/", "", false},
		{"mailto:a@example.com", "", "", false},
		{"ftp://example.com/x", "", "", false},
		{"data:text/html,x", "", "", false},
		{"http://", "", "", false},
		{"http:///path", "", "", false},
		{"http:opaque", "", "", false},
		{"http://exa mple.com/", "", "", false},
		{"http://example.com:99999999999/", "", "", false},
		{"tag:example.com,2005:1", "", "", false},
		{"urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, ok := CanonicalURL(tt.raw, tt.base)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("CanonicalURL(%q, %q) = %q, %v; want %q, %v", tt.raw, tt.base, got, ok, tt.want, tt.ok)
			}
			if ok {
				if again, ok2 := CanonicalURL(got, ""); again != got || !ok2 {
					t.Errorf("not idempotent: %q -> %q", got, again)
				}
			}
		})
	}
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://Example.com:443/a/../b?utm_source=x&a=1#f",
		"http://[::1]:80/", "/relative?fbclid=1", "http://ÉCOLE.example/",
		"https://example.com/%zz", "http://a@b@c/", "https://example.com/a?&&=&",
		"http://example.com/a%2Fb/%2e%2e/c", "HTTP://x.example:0080/",
	} {
		f.Add(s, "https://example.com/news/")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, raw, base string) {
		got, ok := CanonicalURL(raw, base)
		if !ok {
			if got != "" {
				t.Fatalf("not ok but returned %q", got)
			}
			return
		}
		if !strings.HasPrefix(got, "http://") && !strings.HasPrefix(got, "https://") {
			t.Fatalf("%q -> %q: not http(s)", raw, got)
		}
		if strings.Contains(got, "#") {
			t.Fatalf("%q -> %q: fragment kept", raw, got)
		}
		again, ok := CanonicalURL(got, "")
		if !ok || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", raw, got, again, ok)
		}
		if again, ok := CanonicalURL(got, base); !ok || again != got {
			t.Fatalf("not idempotent with base: %q -> %q -> %q (%v)", raw, got, again, ok)
		}
	})
}

// item builds a one-item RSS 2.0 document from raw item XML.
func item(xml string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Feed</title><link>https://example.com/</link><language>ar</language><item>` + xml + `</item></channel></rss>`)
}

func parseItem(t *testing.T, xml string) news.Item {
	t.Helper()
	f := mustParse(t, item(xml), ParseOptions{URL: "https://example.com/feed.xml", Source: "src"})
	if len(f.Items) != 1 {
		t.Fatalf("%d items", len(f.Items))
	}
	checkItemInvariants(t, f.Items[0], testNow)
	return f.Items[0]
}

func TestNormalizeKeysAndLinks(t *testing.T) {
	title := "<title>Same title</title><description>Same body</description>"
	tests := []struct {
		name, xml, key, guid, link string
	}{
		{"guid wins", `<guid>abc-123</guid><link>https://example.com/a</link>`, "abc-123", "abc-123", "https://example.com/a"},
		{"guid trimmed", "<guid>\n  abc-123  \n</guid>", "abc-123", "abc-123", ""},
		{"link when no guid", `<link>https://Example.com/a?utm_source=rss#top</link>`, "https://example.com/a", "", "https://example.com/a"},
		{"relative link", `<link>/story/7</link>`, "https://example.com/story/7", "", "https://example.com/story/7"},
		{"permalink guid as link", `<guid>https://example.com/p/1?utm_medium=x</guid>`, "https://example.com/p/1?utm_medium=x", "https://example.com/p/1?utm_medium=x", "https://example.com/p/1"},
		{"permalink guid explicit", `<guid isPermaLink="true">https://example.com/p/1</guid>`, "https://example.com/p/1", "https://example.com/p/1", "https://example.com/p/1"},
		{"non-permalink guid not a link", `<guid isPermaLink="false">https://example.com/p/1</guid>`, "https://example.com/p/1", "https://example.com/p/1", ""},
		{"non-http link dropped", `<guid>g</guid><link>javascript:alert(1)</link>`, "g", "g", ""},
		{"ftp link dropped", `<link>ftp://example.com/x</link>` + title, "sha256:" + hashHex("Same title", "\x00", "Same body"), "", ""},
		{"hash key", title, "sha256:" + hashHex("Same title", "\x00", "Same body"), "", ""},
		{"hash key prefers content", title + `<content:encoded>Full</content:encoded>`, "sha256:" + hashHex("Same title", "\x00", "Full"), "", ""},
		{"long link hashed", "<link>https://example.com/" + strings.Repeat("p", MaxKeyBytes) + "</link>",
			"sha256:" + hashHex("https://example.com/"+strings.Repeat("p", MaxKeyBytes)), "", "https://example.com/" + strings.Repeat("p", MaxKeyBytes)},
		{"long guid hashed", "<guid>" + strings.Repeat("g", MaxKeyBytes+1) + "</guid>", "sha256:" + hashHex(strings.Repeat("g", MaxKeyBytes+1)), strings.Repeat("g", MaxKeyBytes+1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := parseItem(t, tt.xml)
			if it.Key != tt.key || it.GUID != tt.guid || it.Link != tt.link {
				t.Errorf("key %q guid %q link %q; want %q %q %q", it.Key, it.GUID, it.Link, tt.key, tt.guid, tt.link)
			}
		})
	}
}

func TestNormalizeAtomLinks(t *testing.T) {
	doc := `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:feed</id>
<entry><id>https://example.com/id-not-link</id><title>no link</title></entry>
<entry><id>urn:2</id><title>alt</title><link rel="self" href="https://example.com/self"/><link rel="alternate" href="/alt"/></entry>
</feed>`
	f := mustParse(t, []byte(doc), ParseOptions{URL: "https://example.com/atom.xml"})
	if f.Items[0].Link != "" || f.Items[0].Key != "https://example.com/id-not-link" {
		t.Errorf("atom id used as link: %+v", f.Items[0])
	}
	if f.Items[1].Link != "https://example.com/alt" {
		t.Errorf("link = %q", f.Items[1].Link)
	}
}

func TestNormalizeTitles(t *testing.T) {
	tests := []struct {
		name, xml, want string
	}{
		{"plain", `<title>Plain title</title>`, "Plain title"},
		{"entities", `<title>Tom &amp;amp; Jerry &amp;#8217;s &amp;quot;day&amp;quot;</title>`, "Tom & Jerry ’s \"day\""}, // XML, then HTML, decoding
		{"escaped markup", `<title>&lt;b&gt;Breaking&lt;/b&gt;: news</title>`, "Breaking: news"},
		{"cdata markup", `<title><![CDATA[<em>Breaking</em>  <br/> news &amp; views]]></title>`, "Breaking news & views"},
		{"arabic", `<title>  عاجل:   تطورات &amp; أخبار </title>`, "عاجل: تطورات & أخبار"},
		{"script in title", `<title><![CDATA[<script>alert(1)</script>Safe]]></title>`, "Safe"},
		{"empty title from summary", `<title></title><description><![CDATA[<p>First sentence of the story.</p>]]></description>`, "First sentence of the story."},
		{"missing title from long summary", `<description>` + strings.Repeat("word ", 40) + `</description>`, strings.TrimSpace(strings.Repeat("word ", 19)) + " word…"},
		{"missing title from content", `<content:encoded>Only content</content:encoded>`, "Only content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseItem(t, `<guid>1</guid>`+tt.xml).Title; got != tt.want {
				t.Errorf("title = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNormalizeContent(t *testing.T) {
	t.Run("relative links resolved against item link", func(t *testing.T) {
		it := parseItem(t, `<link>https://example.com/news/story.html</link><description><![CDATA[<a href="other.html">o</a><img src="/i.png" onerror="x()">]]></description>`)
		want := `<a href="https://example.com/news/other.html" rel="nofollow noopener noreferrer">o</a><img src="https://example.com/i.png"/>`
		if it.Summary != want {
			t.Errorf("summary = %q, want %q", it.Summary, want)
		}
	})
	t.Run("relative links resolved against feed URL without item link", func(t *testing.T) {
		it := parseItem(t, `<guid isPermaLink="false">x</guid><description><![CDATA[<img src="i.png">]]></description>`)
		if it.Summary != `<img src="https://example.com/i.png"/>` {
			t.Errorf("summary = %q", it.Summary)
		}
	})
	t.Run("content equal to summary kept once", func(t *testing.T) {
		it := parseItem(t, `<guid>1</guid><description>Same</description><content:encoded>Same</content:encoded>`)
		if it.Summary != "Same" || it.Content != "" {
			t.Errorf("summary %q content %q", it.Summary, it.Content)
		}
	})
	t.Run("scripts removed", func(t *testing.T) {
		it := parseItem(t, `<guid>1</guid><content:encoded><![CDATA[<p>ok</p><script>alert(1)</script><a href="javascript:x">j</a>]]></content:encoded>`)
		if it.Content != "<p>ok</p>j" {
			t.Errorf("content %q", it.Content)
		}
	})
	t.Run("json content_text escaped", func(t *testing.T) {
		doc := `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","content_text":"a < b & <script>x</script>\n\nnext","summary":"1 < 2"}]}`
		f := mustParse(t, []byte(doc), ParseOptions{})
		it := f.Items[0]
		if it.Content != "<p>a &lt; b &amp; &lt;script&gt;x&lt;/script&gt;</p><p>next</p>" || it.Summary != "<p>1 &lt; 2</p>" {
			t.Errorf("content %q summary %q", it.Content, it.Summary)
		}
		if it.Title != "1 < 2" {
			t.Errorf("title %q", it.Title)
		}
	})
	t.Run("authors categories language", func(t *testing.T) {
		it := parseItem(t, `<guid>1</guid><dc:creator>&lt;b&gt;Desk&lt;/b&gt;</dc:creator><category>Politics</category><category> Politics </category><category>Iran &amp; Iraq</category><dc:language>fa_IR</dc:language>`)
		if fmt.Sprint(it.Authors) != "[Desk]" || fmt.Sprint(it.Categories) != "[Politics Iran & Iraq]" || it.Language != "fa-IR" {
			t.Errorf("authors %q categories %q language %q", it.Authors, it.Categories, it.Language)
		}
		it = parseItem(t, `<guid>1</guid>`)
		if it.Language != "ar" || it.Authors != nil {
			t.Errorf("feed language not inherited (%q) or authors invented (%q)", it.Language, it.Authors)
		}
	})
	t.Run("hash changes with an edit", func(t *testing.T) {
		a := parseItem(t, `<guid>1</guid><title>T</title><description>v1</description>`)
		b := parseItem(t, `<guid>1</guid><title>T</title><description>v2</description>`)
		c := parseItem(t, `<guid>1</guid><title>T</title><description>v1</description><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate>`)
		if a.Hash == b.Hash {
			t.Error("edit not detected")
		}
		if a.Hash != c.Hash {
			t.Error("hash depends on the date")
		}
	})
}

func TestNormalizeDates(t *testing.T) {
	// testNow is 2026-01-15 12:00:00 UTC.
	tests := []struct {
		name, xml          string
		published, updated time.Time
	}{
		{"pubDate", `<pubDate>Mon, 05 Jan 2026 10:00:00 +0300</pubDate>`,
			time.Date(2026, 1, 5, 7, 0, 0, 0, time.UTC), time.Date(2026, 1, 5, 7, 0, 0, 0, time.UTC)},
		{"pubDate and dc:date updated", `<pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate><dc:date>2026-01-06T10:00:00Z</dc:date>`,
			time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), time.Date(2026, 1, 6, 10, 0, 0, 0, time.UTC)},
		{"only updated", `<dc:date>2026-01-06T10:00:00+03:30</dc:date>`,
			time.Date(2026, 1, 6, 6, 30, 0, 0, time.UTC), time.Date(2026, 1, 6, 6, 30, 0, 0, time.UTC)},
		{"missing", ``, testNow, testNow},
		{"unreadable", `<pubDate>sometime last week</pubDate>`, testNow, testNow},
		{"future clamped", `<pubDate>Mon, 05 Jan 2099 10:00:00 GMT</pubDate>`, testNow, testNow},
		{"a minute ahead clamped", `<pubDate>Thu, 15 Jan 2026 12:00:30 GMT</pubDate>`, testNow, testNow},
		{"just before now", `<pubDate>Thu, 15 Jan 2026 11:59:59 GMT</pubDate>`,
			time.Date(2026, 1, 15, 11, 59, 59, 0, time.UTC), time.Date(2026, 1, 15, 11, 59, 59, 0, time.UTC)},
		{"IRST zone", `<pubDate>Wed, 14 Jan 2026 10:00:00 IRST</pubDate>`,
			time.Date(2026, 1, 14, 6, 30, 0, 0, time.UTC), time.Date(2026, 1, 14, 6, 30, 0, 0, time.UTC)},
		{"space separated", `<pubDate>2026-01-14 10:00:00</pubDate>`,
			time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC)},
		{"arabic digits", `<pubDate>٢٠٢٦-٠١-١٤ ١٠:٠٠:٠٠ +0300</pubDate>`,
			time.Date(2026, 1, 14, 7, 0, 0, 0, time.UTC), time.Date(2026, 1, 14, 7, 0, 0, 0, time.UTC)},
		{"updated before published", `<pubDate>Wed, 14 Jan 2026 10:00:00 GMT</pubDate><dc:date>2020-01-01T00:00:00Z</dc:date>`,
			time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := parseItem(t, `<guid>1</guid>`+tt.xml)
			if !it.Published.Equal(tt.published) || !it.Updated.Equal(tt.updated) {
				t.Errorf("published %v updated %v; want %v %v", it.Published, it.Updated, tt.published, tt.updated)
			}
			if !it.FirstSeen.Equal(testNow) {
				t.Errorf("first seen %v", it.FirstSeen)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-01-14 10:00:00", time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), true},
		{"2026-01-14 10:00", time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), true},
		{"2026/01/14 10:00:00", time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), true},
		{"14.01.2026 10:00", time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), true},
		{"2026-01-14 10:00:00 +0330", time.Date(2026, 1, 14, 6, 30, 0, 0, time.UTC), true},
		{"2026-01-14T10:00:00", time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), true},
		{"Wed, 14 Jan 2026 10:00:00 IRST", time.Date(2026, 1, 14, 6, 30, 0, 0, time.UTC), true},
		{"Wed, 14 Jan 2026 10:00:00 EEST", time.Date(2026, 1, 14, 7, 0, 0, 0, time.UTC), true},
		{"Wed, 14 Jan 2026 10:00:00 AST", time.Date(2026, 1, 14, 7, 0, 0, 0, time.UTC), true},
		{"Wed, 14 Jan 2026 10:00:00 +0330 (IRST)", time.Date(2026, 1, 14, 6, 30, 0, 0, time.UTC), true},
		{"Wed, 14 Jan 2026 10:00:00 +0330 IRST", time.Date(2026, 1, 14, 6, 30, 0, 0, time.UTC), true},
		{"Wed,  14 Jan 2026  10:00:00   gmt", time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), true},
		{"14 Jan 2026 10:00:00 +0300", time.Date(2026, 1, 14, 7, 0, 0, 0, time.UTC), true},
		{"۱۴۰۴-۱۰-۲۴", time.Date(1404, 10, 24, 0, 0, 0, 0, time.UTC), true}, // Persian digits; the calendar is not converted
		{"January 14, 2026", time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC), true},
		{"14 January 2026", time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC), true},
		{"20260114T100000Z", time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), true},
		{"20260114T100000+0330", time.Date(2026, 1, 14, 6, 30, 0, 0, time.UTC), true},
		{"1768384800", time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), true},        // Unix seconds
		{"1768384800123", time.Date(2026, 1, 14, 10, 0, 0, 123e6, time.UTC), true}, // Unix milliseconds
		{" 1768384800 ", time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC), true},
		{"176838480", time.Time{}, false},   // 9 digits: not taken as a time
		{"17683848001", time.Time{}, false}, // 11 digits
		{"1768384800x", time.Time{}, false},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"Wed, 14 Jan 2026 10:00:00 XYZT", time.Time{}, false},
		{strings.Repeat("2026-", 100), time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseDate(tt.in)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
