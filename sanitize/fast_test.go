package sanitize

import (
	"net/url"
	"strings"
	"testing"
)

// prepareCases are fragments for the comparison of the token pass with the
// tree: ones it takes and ones it must leave to the tree.
var prepareCases = []string{
	``,
	`plain text & more`,
	`<p>Officials said <a href="/story/1">talks</a> would <strong>resume</strong>.</p><p><img src="/i/1.jpg" alt="" width="640" height="360"></p>`,
	`<p>unclosed paragraph`,
	`<p>one<p>two`,
	`<p>para <div>block</div></p>`,
	`<div><p>x</p><ul><li>a</li><li>b</ul></div>`,
	`<ul><li>a<li>b</ul>`,
	`<ul><li><p>a</p></li><li>b</li></ul>`,
	`<dl><dt>t</dt><dd>d</dd></dl>`,
	`<dl><dt>t<dd>d</dl>`,
	`<h1>title</h1><h2>sub <span>x</span></h2>`,
	`<h1><h2>x</h2></h1>`,
	`<b><i>misnested</b></i>`,
	`<b><b><b><b>deep</b></b></b></b>`,
	`<a href="/a">one <a href="/b">two</a></a>`,
	`<a href="/a"><p>block in link</p></a>`,
	`<p/>self-closing p`,
	`<br/><br><hr><hr/><wbr>`,
	`<p>x<hr>y</p>`,
	`</br>`,
	`<img>`,
	`<img src="javascript:alert(1)">`,
	`<img src="/x.png"></img>`,
	`<image src="/x.png">`,
	`<table><tr><td>x</td></tr></table>`,
	`<script>alert(1)</script>after`,
	`<iframe src="https://example.com/embed"></iframe>`,
	`<pre>` + "\n" + `code</pre>`,
	`<!-- comment --><p>x<!-- y -- > z --></p>`,
	`<!DOCTYPE html><p>x</p>`,
	`text with &amp; &lt; &gt; &quot; &#39; &nbsp; &copy &notanentity; "quotes" 'single'`,
	"carriage\r\nreturns\rhere",
	`<p title="a &quot;b&quot; &amp; c" data-x='1' class=y>attrs</p>`,
	`<P CLASS="Upper">upper case</P>`,
	`<p>unterminated <a href="/x`,
	`<span>unclosed <em>formatting`,
	`<custom-tag attr="1">custom</custom-tag><o:p></o:p>`,
	`<x><y></x></y>`,
	`<svg><a xlink:href="javascript:alert(1)">y</a></svg>`,
	`<math><mi>x</mi></math>`,
	`<a href="/x" rel="alternate" onclick="evil()">link</a>`,
	`<area href="/map">`,
	`<img srcset="/a.png 1x, /b.png 2x" src="/a.png">`,
	`<blockquote cite="/quote">q</blockquote>`,
	`<p>` + strings.Repeat(`<span>`, 150) + `deep` + strings.Repeat(`</span>`, 150) + `</p>`,
	"nul \x00 byte",
	`<p>x</p ><p >y</p foo="bar">`,
	`<font color="red"><font color="red"><font color="red"><font color="red">f</font></font></font></font>`,
	`<b>x</b>text<b>y`,
	`<li>orphan item</li>`,
	`<p>a</p></p>`,
	`</div>stray`,
	`<button>b</button>`,
	`<form><input></form>`,
	`<select><option>o</option></select>`,
	`<ruby>x<rt>y</rt></ruby>`,
	`<body><p>x</p></body>`,
	`<html><p>x</p></html>`,
	`<textarea><p>x</p></textarea>`,
	`<title>t</title>`,
	`<noscript><p>x</p></noscript>`,
	`<xmp><p>x</p></xmp>`,
	`<plaintext><p>x</p>`,
	`<nobr>x</nobr>`,
	`<object data="x"></object>`,
	`<p>فقرة <strong>عربية</strong> مع <a href="/ar">رابط</a></p>`,
	`<p>a < b > c</p>`,
	`<p>x</P>`,
	`<a href=#top>frag</a>`,
	`<a href="mailto:a@example.com">mail</a>`,
	`<figure><img src="/f.jpg"><figcaption>cap</figcaption></figure>`,
	`<p><![CDATA[x]]></p>`,
	`<a title="t" href="/x" class="c">sorted attributes</a><b z="1" a="2">b</b><span z="1" a="2">s</span>`,
	`<font size="2" color="red" face="x">f</font><em b="" 0="">e</em>`,
	`<a href=/x/>unquoted slash</a>`,
	`<a href=/x/ >unquoted slash, space</a>`,
	`<img src=/x.png alt=x width=1>`,
	`<a href="/q?a=1&amp;b=2&copy;&notit;&#38;&#x26;&nbsp;&amp">entities in attributes</a>`,
	`<a href="/q?a=1&b=2">bare ampersand</a>`,
	`<img src='/single.png' alt='it&#39;s'>`,
	`<p class="a" class="b" CLASS="c">duplicate attributes</p>`,
	`<p hidden>attribute without value</p><img src="/x.png" ismap/>`,
	`<p title="line` + "\r\n" + `break">cr in attribute</p>`,
	"<p>cr\r\nin\rtext</p>",
	`<p>text &amp; &copy &notit; &#128512; &#xD800; &#0;</p>`,
	`<a href="/x"title="no space">no space between attributes</a>`,
	`<a href = "/spaced" >spaced</a >`,
	`<img src="/x.png" / >`,
	`<br/ >`,
	`<p>a</p foo>`,
	`<ns:tag a:b="1">namespaced</ns:tag>`,
	`<a href="/x" =y>odd</a>`,
	`<a href="/x" 'y'>odd</a>`,
	`<p>trailing <`,
	`<p>trailing <b`,
	`<IMG SRC="/UPPER.PNG">`,
	`<p>x</p><?php echo 1 ?>`,
}

// TestPrepareTokensMatchesTree checks that the token pass, whenever it
// takes a fragment, writes exactly what the tree pass writes.
func TestPrepareTokensMatchesTree(t *testing.T) {
	for _, pass := range []struct {
		name string
		fn   func(string, *url.URL) (string, bool)
	}{{"prepareTokens", prepareTokens}, {"prepareScan", prepareScan}} {
		taken := 0
		for _, b := range []string{base, ""} {
			for _, in := range prepareCases {
				got, ok := pass.fn(in, parseBase(b))
				if !ok {
					continue
				}
				taken++
				if want := prepare(in, parseBase(b)); got != want {
					t.Errorf("%s(%q, %q) =\n%q\nthe tree gives\n%q", pass.name, in, b, got, want)
				}
			}
		}
		t.Logf("%s took %d of %d cases", pass.name, taken, 2*len(prepareCases))
		if taken < len(prepareCases)/2 {
			t.Errorf("%s took only %d of %d cases", pass.name, taken, 2*len(prepareCases))
		}
	}
}

// TestPrepareTokensTakesFeedHTML checks that the usual shape of feed HTML
// does not fall back to the tree.
func TestPrepareTokensTakesFeedHTML(t *testing.T) {
	for _, in := range []string{
		prepareCases[2],
		`<p>Officials said <a href="/story/1">talks</a> would resume.</p><p>More <em>text</em>.<br/>And more.</p>`,
		`<div class="x"><ul><li>one</li><li>two</li></ul><h2>Head</h2><p>Text &amp; more</p></div>`,
		`Plain text with an &amp; ampersand`,
	} {
		if _, ok := prepareTokens(in, parseBase(base)); !ok {
			t.Errorf("prepareTokens(%q) fell back to the tree", in)
		}
		if _, ok := prepareScan(in, parseBase(base)); !ok {
			t.Errorf("prepareScan(%q) fell back", in)
		}
	}
}

// FuzzPrepareTokens holds the token pass to the tree's output on any
// fragment it takes.
func FuzzPrepareTokens(f *testing.F) {
	for _, s := range prepareCases {
		f.Add(s, base)
	}
	f.Add(`<p>x</p>`, "")
	f.Fuzz(func(t *testing.T, in, b string) {
		pb := parseBase(b)
		want := prepare(in, pb)
		if got, ok := prepareTokens(in, pb); ok && got != want {
			t.Fatalf("prepareTokens(%q, %q) =\n%q\nthe tree gives\n%q", in, b, got, want)
		}
		if got, ok := prepareScan(in, pb); ok && got != want {
			t.Fatalf("prepareScan(%q, %q) =\n%q\nthe tree gives\n%q", in, b, got, want)
		}
	})
}

// FuzzCollapse holds collapse's shortcut (returning s itself when there is
// nothing to change) to the rune-by-rune result.
func FuzzCollapse(f *testing.F) {
	for _, s := range []string{"", "a", " a", "a ", "a  b", "a b", "a\tb", "a\u00a0b", "a\x01b", "\xff", "\uFFFD", "\uFFFE", "عاجل: خبر", "a\u200bb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapse(s), collapseRunes(s); got != want {
			t.Fatalf("collapse(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzTextShortcut holds Text's shortcut for strings without a tag to the
// tokenizer's reading.
func FuzzTextShortcut(f *testing.F) {
	for _, s := range []string{"Tom &amp;amp; Jerry", "a &copy b &notit; c", "x\r\ny", "&#0;&#xD800;", "plain", " sp  aces ", "a\x00b", "&amp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = validUTF8(s)
		if strings.Contains(s, "<") {
			return
		}
		if got, want := Text(s), textTokens(s); got != want {
			t.Fatalf("Text(%q) = %q, the tokenizer gives %q", s, got, want)
		}
	})
}
