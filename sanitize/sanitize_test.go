package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

const base = "https://example.com/news/story.html"

// forbiddenTags may never appear as elements in the output of HTML.
var forbiddenTags = map[string]bool{
	"script": true, "style": true, "iframe": true, "object": true, "embed": true,
	"form": true, "input": true, "button": true, "select": true, "textarea": true,
	"base": true, "meta": true, "link": true, "svg": true, "math": true,
	"template": true, "frame": true, "frameset": true, "applet": true,
	"noscript": true, "title": true, "head": true, "body": true, "html": true,
}

// assertSafe checks the output of HTML token by token: no forbidden element,
// no event handler or style attribute, and only absolute http(s) or mailto
// URLs; plus the literal checks the fuzz target makes.
func assertSafe(t *testing.T, out string) {
	t.Helper()
	low := strings.ToLower(out)
	if strings.Contains(low, "<script") || strings.Contains(low, "javascript:") || strings.Contains(low, "vbscript:") {
		t.Errorf("output contains a script marker: %q", out)
	}
	if !utf8.ValidString(out) {
		t.Errorf("output is not valid UTF-8: %q", out)
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if forbiddenTags[tok.Data] {
			t.Errorf("output has a <%s> element: %q", tok.Data, out)
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"), key == "style", key == "srcdoc",
				key == "formaction", key == "action", strings.Contains(key, ":"):
				t.Errorf("output has a %s attribute: %q", key, out)
			case key == "href" || key == "src" || key == "cite" || key == "poster":
				if !safeURL(a.Val) {
					t.Errorf("output has %s=%q: %q", key, a.Val, out)
				}
			case key == "srcset":
				for cand := range strings.SplitSeq(a.Val, ", ") {
					if u, _, _ := strings.Cut(cand, " "); !safeURL(u) || strings.HasPrefix(u, "mailto:") {
						t.Errorf("output has srcset candidate %q: %q", cand, out)
					}
				}
			case key == "rel":
				if a.Val != LinkRel {
					t.Errorf("output has rel=%q: %q", a.Val, out)
				}
			}
		}
	}
}

func safeURL(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "mailto:")
}

func TestHTMLXSS(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // the exact expected output
	}{
		{"script", `<p>a</p><script>alert(1)</script><p>b</p>`, `<p>a</p><p>b</p>`},
		{"script src", `<script src="https://evil.example/x.js"></script>ok`, `ok`},
		{"script uppercase", `<SCRIPT>alert(1)</SCRIPT>ok`, `ok`},
		{"script split", `<scr<script>ipt>alert(1)</script>`, `ipt&gt;alert(1)`},
		{"img onerror", `<img src="https://example.com/a.png" onerror="alert(1)">`, `<img src="https://example.com/a.png"/>`},
		{"img bad src onerror", `<img src=x onerror=alert(1)//>`, `<img src="https://example.com/news/x"/>`},
		{"body onload", `<body onload="alert(1)">hi</body>`, `hi`},
		{"a onmouseover", `<a href="https://ok.example/" onmouseover="alert(1)">x</a>`,
			`<a href="https://ok.example/" rel="nofollow noopener noreferrer">x</a>`},
		{"javascript href", `<a href="javascript:alert(1)">x</a>`, `x`},
		{"javascript mixed case", `<a href="JaVaScRiPt:alert(1)">x</a>`, `x`},
		{"javascript entity encoded", `<a href="&#106;avascript:alert(1)">x</a>`, `x`},
		{"javascript hex entities", `<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>`, `x`},
		{"javascript tab inside", "<a href=\"java\tscript:alert(1)\">x</a>", `x`},
		{"javascript newline entity", `<a href="java&#10;script:alert(1)">x</a>`, `x`},
		{"javascript leading space", `<a href="  javascript:alert(1)">x</a>`, `x`},
		{"javascript NUL", "<a href=\"java\x00script:alert(1)\">x</a>", `x`},
		{"vbscript", `<a href="vbscript:msgbox(1)">x</a>`, `x`},
		{"data href", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`, `x`},
		{"data img", `<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">`, ``},
		{"data img uppercase", `<img src="DATA:image/png;base64,AAAA">`, ``},
		{"svg script", `<svg><script>alert(1)</script></svg>t`, `t`},
		{"svg onload", `<svg onload="alert(1)"><circle r="1"/></svg>t`, `t`},
		{"svg xlink", `<svg><a xlink:href="javascript:alert(1)"><text>y</text></a></svg>`, `y`},
		{"svg animate", `<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>`, ``},
		{"math", `<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">m</maction></math>`, `m`},
		{"mathml mxss", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`, `<table></table>`},
		{"noscript mxss", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
			`<img src="https://example.com/news/x"/>&#34;&gt;`},
		{"javascript in text", `<p>Never click JavaScript:alert(1)</p>`,
			`<p>Never click JavaScript&#58;alert(1)</p>`},
		{"base", `<base href="https://evil.example/"><a href="x">x</a>`,
			`<a href="https://example.com/news/x" rel="nofollow noopener noreferrer">x</a>`},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">t`, `t`},
		{"link stylesheet", `<link rel="stylesheet" href="https://evil.example/x.css">t`, `t`},
		{"style element", `<style>body{background:url(javascript:alert(1))}</style>t`, `t`},
		{"style attr expression", `<div style="width: expression(alert(1))">css</div>`, `<div>css</div>`},
		{"style attr url", `<p style="background-image:url('javascript:alert(1)')">p</p>`, `<p>p</p>`},
		{"form", `<form action="https://evil.example/"><input name="q"><button formaction="javascript:alert(1)">go</button></form>t`, `t`},
		{"iframe", `<iframe src="https://evil.example/"></iframe>after`, `after`},
		{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>x`, `x`},
		{"object", `<object data="https://evil.example/x.swf"><param name="a" value="b"></object>x`, `x`},
		{"embed", `<embed src="https://evil.example/x.swf">x`, `x`},
		{"template", `<template><script>alert(1)</script></template>x`, `x`},
		{"comment", `<!-- <script>alert(1)</script> -->x`, `x`},
		{"conditional comment", `<!--[if IE]><script>alert(1)</script><![endif]-->x`, `x`},
		{"unclosed attr", `<a href="https://ok.example/ onclick=alert(1)//">x</a>`, `x`},
		{"plaintext", `<plaintext><script>alert(1)</script>`, `<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre>`},
		{"xmp", `<xmp><img src=x onerror=alert(1)></xmp>`, `<pre>&lt;img src=x onerror=alert(1)&gt;</pre>`},
		{"textarea", `<textarea><script>alert(1)</script></textarea>x`, `x`},
		{"title", `<title><script>alert(1)</script></title>x`, `x`},
		{"cite javascript", `<blockquote cite="javascript:alert(1)">q</blockquote>`, `<blockquote>q</blockquote>`},
		{"srcset javascript", `<img src="https://example.com/a.png" srcset="javascript:alert(1) 1x, data:image/png;base64,AA 2x">`,
			`<img src="https://example.com/a.png"/>`},
		{"rel opener replaced", `<a href="https://ok.example/" rel="opener" target="_blank">x</a>`,
			`<a href="https://ok.example/" rel="nofollow noopener noreferrer">x</a>`},
		{"id and class kept off", `<p class="x" id="y">p</p>`, `<p id="y">p</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.in, base)
			assertSafe(t, got)
			if got != tt.want {
				t.Errorf("HTML(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLRelativeURLs(t *testing.T) {
	tests := []struct {
		name, in, base, want string
	}{
		{"relative link", `<a href="other.html">o</a>`, base,
			`<a href="https://example.com/news/other.html" rel="nofollow noopener noreferrer">o</a>`},
		{"root-relative link", `<a href="/x?a=1&amp;b=2">o</a>`, base,
			`<a href="https://example.com/x?a=1&amp;b=2" rel="nofollow noopener noreferrer">o</a>`},
		{"protocol-relative img", `<img src="//cdn.example.net/i.jpg" alt="i">`, base,
			`<img src="https://cdn.example.net/i.jpg" alt="i"/>`},
		{"dot segments", `<img src="../img/a.png">`, base, `<img src="https://example.com/img/a.png"/>`},
		{"absolute untouched", `<a href="http://other.example/p">p</a>`, base,
			`<a href="http://other.example/p" rel="nofollow noopener noreferrer">p</a>`},
		{"srcset", `<img src="a.png" srcset="a.png 1x, /b.png 2x">`, base,
			`<img src="https://example.com/news/a.png" srcset="https://example.com/news/a.png 1x, https://example.com/b.png 2x"/>`},
		{"srcset bad descriptor", `<img src="a.png" srcset="a.png 1x, b.png big">`, base,
			`<img src="https://example.com/news/a.png" srcset="https://example.com/news/a.png 1x"/>`},
		{"fragment only dropped", `<a href="#top">top</a>`, base, `top`},
		{"mailto kept", `<a href="mailto:desk@example.com">m</a>`, base,
			`<a href="mailto:desk@example.com" rel="nofollow noopener noreferrer">m</a>`},
		{"no base drops relative", `<a href="other.html">o</a><img src="a.png"><a href="https://ok.example/">k</a>`, "",
			`o<a href="https://ok.example/" rel="nofollow noopener noreferrer">k</a>`},
		{"invalid base drops relative", `<img src="a.png" alt="a">`, "::not a url", ``},
		{"srcset with commas in data url", `<img src="a.png" srcset="data:image/png;base64,AA 2x, b.png 3x">`, base,
			`<img src="https://example.com/news/a.png" srcset="https://example.com/news/b.png 3x"/>`},
		{"srcset trailing comma", `<img src="a.png" srcset="a.png 1x,b.png 2x,">`, base,
			`<img src="https://example.com/news/a.png" srcset="https://example.com/news/a.png 1x, https://example.com/news/b.png 2x"/>`},
		{"relative base drops relative", `<img src="a.png">`, "/news/", ``},
		{"ftp base drops relative", `<img src="a.png">`, "ftp://example.com/", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.in, tt.base)
			assertSafe(t, got)
			if got != tt.want {
				t.Errorf("HTML(%q, %q)\n got %q\nwant %q", tt.in, tt.base, got, tt.want)
			}
		})
	}
}

func TestHTMLKeepsText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"arabic", `<p dir="rtl">قال مسؤولون إن المحادثات بين واشنطن وطهران ستستأنف</p>`,
			`<p dir="rtl">قال مسؤولون إن المحادثات بين واشنطن وطهران ستستأنف</p>`},
		{"persian zwnj", "<p>می\u200cخواهم</p>", "<p>می\u200cخواهم</p>"},
		{"kurdish", `<p>هەواڵەکانی کوردستان</p>`, `<p>هەواڵەکانی کوردستان</p>`},
		{"formatting", `<p><b>b</b> <em>e</em> <code>c</code></p><ul><li>x</li></ul>`,
			`<p><b>b</b> <em>e</em> <code>c</code></p><ul><li>x</li></ul>`},
		{"entities", `<p>Tom &amp; Jerry &lt;3</p>`, `<p>Tom &amp; Jerry &lt;3</p>`},
		{"plain text", `just text`, `just text`},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"empty", ``, ``},
		{"nested too deep", strings.Repeat("<div>", 600) + "deep <b>text</b> &amp; more", "deep text &amp; more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTML(tt.in, base); got != tt.want {
				t.Errorf("HTML(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSanitizerConcurrent(t *testing.T) {
	z := New()
	done := make(chan string)
	for range 8 {
		go func() { done <- z.HTML(`<a href="x">x</a>`, base) }()
	}
	for range 8 {
		if got := <-done; !strings.Contains(got, "https://example.com/news/x") {
			t.Errorf("got %q", got)
		}
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Hello world", "Hello world"},
		{"markup", "<b>Breaking:</b> <i>news</i>", "Breaking: news"},
		{"entities", "Tom &amp; Jerry &quot;live&quot;", `Tom & Jerry "live"`},
		{"double escaped decoded once", "Tom &amp;amp; Jerry", "Tom &amp; Jerry"},
		{"numeric entities", "&#1575;&#x644;&#1602;&#1583;&#1587;", "القدس"},
		{"named entities", "caf&eacute; &mdash; &hellip;", "café — …"},
		{"whitespace", "  a \t\n b\r\n  c  ", "a b c"},
		{"nbsp", "a&nbsp;&nbsp;b", "a b"},
		{"blocks separate words", "<p>one</p><p>two</p>three<br>four", "one two three four"},
		{"inline does not separate", "in<b>line</b>", "inline"},
		{"script removed", "<script>alert(1)</script>ok<style>p{}</style>", "ok"},
		{"control chars", "a\x00b\x07c\x1bd\u0085e", "abcd e"},
		{"invalid utf8", "a\xff\xfeb", "a\uFFFDb"},
		{"less than", "x < y and y > z", "x < y and y > z"},
		{"arabic", "  عاجل:   <b>تطورات</b> جديدة ", "عاجل: تطورات جديدة"},
		{"bidi marks kept", "\u200fعربي\u200f", "\u200fعربي\u200f"},
		{"zwnj kept", "می\u200cخواهم", "می\u200cخواهم"},
		{"cdata like", "<![CDATA[x]]>", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzHTML(f *testing.F) {
	seeds := []string{
		`<p>hello <a href="/x">x</a></p>`,
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`<a href="&#106;avascript:alert(1)">x</a>`,
		`<svg><a xlink:href="javascript:alert(1)">y</a></svg>`,
		`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
		`<plaintext><script>`,
		`<img srcset="a 1x, javascript:alert(1) 2x">`,
		"<p>\u0627\u0644\u0642\u062f\u0633</p>",
		"\xff\xfe<a href=\"java\x00script:1\">",
	}
	for _, s := range seeds {
		f.Add(s, base)
		f.Add(s, "")
	}
	z := New()
	f.Fuzz(func(t *testing.T, in, b string) {
		out := z.HTML(in, b)
		low := strings.ToLower(out)
		if strings.Contains(low, "<script") || strings.Contains(low, "javascript:") {
			t.Fatalf("unsafe output for %q: %q", in, out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output for %q: %q", in, out)
		}
	})
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"Tom &amp;amp; Jerry", "<b>x</b>", "a\x00b", "\xff", "<script>x", "&#0;&#xD800;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Text(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output for %q: %q", in, out)
		}
		if out != strings.TrimSpace(out) || strings.Contains(out, "  ") {
			t.Fatalf("whitespace not collapsed for %q: %q", in, out)
		}
		for _, r := range out {
			if r < 0x20 || (r >= 0x7f && r < 0xa0) {
				t.Fatalf("control character %U in output for %q: %q", r, in, out)
			}
		}
	})
}

func BenchmarkHTML(b *testing.B) {
	in := strings.Repeat(`<p>Officials said <a href="/story/1">talks</a> would resume. <img src="img/1.jpg" alt="x"> <script>track()</script></p>`, 50)
	z := New()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		z.HTML(in, base)
	}
}

func BenchmarkText(b *testing.B) {
	in := `<b>Breaking:</b> Officials &amp; diplomats say talks will resume &#8212; عاجل`
	for b.Loop() {
		Text(in)
	}
}
