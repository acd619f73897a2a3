package stories

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/aggregatord/aggregatord/internal/corpustest"
)

// The reference: sanitize.Text as it was when sketch version 1 was
// defined (aggregatord commit 52ff73a), which plainText must reproduce.

// textV1 returns the plain text of s, which may contain HTML: tags are
// removed (the content of script, style and similar elements with them),
// character references are decoded exactly once ("&amp;amp;" becomes
// "&amp;"), runs of whitespace become one space, control characters are
// dropped, and the result is trimmed. Block-level tags and <br> separate
// words. The result is valid UTF-8.
func textV1(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsAny(s, "<&") {
		return collapseV1(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside elements whose text is not text
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF, or (unreachable with a strings.Reader) a read error:
			// either way, keep what we have.
			return collapseV1(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skippedTextV1[a] {
				switch {
				case tt == html.StartTagToken:
					skip++
				case tt == html.EndTagToken && skip > 0:
					skip--
				}
				continue
			}
			if !inlineV1[a] {
				b.WriteByte(' ')
			}
		}
	}
}

// skippedTextV1 are elements whose content is code or metadata, not text.
var skippedTextV1 = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true,
	atom.Noscript: true, atom.Title: true, atom.Head: true,
}

// inlineV1 are elements that do not separate words.
var inlineV1 = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.Acronym: true, atom.B: true,
	atom.Bdi: true, atom.Bdo: true, atom.Big: true, atom.Cite: true,
	atom.Code: true, atom.Del: true, atom.Dfn: true, atom.Em: true,
	atom.Font: true, atom.I: true, atom.Ins: true, atom.Kbd: true,
	atom.Mark: true, atom.Q: true, atom.S: true, atom.Samp: true,
	atom.Small: true, atom.Span: true, atom.Strike: true, atom.Strong: true,
	atom.Sub: true, atom.Sup: true, atom.Time: true, atom.Tt: true,
	atom.U: true, atom.Var: true, atom.Wbr: true,
}

// collapseV1 drops control and other invisible format-breaking characters,
// turns every run of whitespace into one space and trims the ends.
func collapseV1(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), r == '\uFFFE', r == '\uFFFF':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// FuzzPlainText checks plainText, with its fast paths, against textV1.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{
		"<p>Iran &amp; Iraq</p>", "a<b>c</b>d", "<a href=x/>y</a>", "<br/>x<br />y", "<img src=x alt='a>b'>z",
		"<p class=\"x\" id=y data-z>t</p>", "x < y", "<3", "a<", "</ p>", "<!-- c -->x", "<script>x</script>y",
		"<P>A</P><BR>", "t&nbsp;u&bogus;", "<a\nhref='q'\t>r</a>", "<x-foo>t</x-foo>", "<a href=\"x\"/>", "<p\r>x",
		"<a b = c>", "<a =b>", "<textarea><p></textarea>", "<wbr>x<WBR/>", "<title>t</title>", "&lt;p&gt;",
		"<head>h</head>b", "a\x01b\u0085c  d\te", "\xffx\xe2\x80", "<label>a</label>b<foo>c",
	} {
		f.Add(s)
	}
	for _, s := range corpustest.Pieces() {
		f.Add(s + "x" + s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := plainText(s), textV1(s); got != want {
			t.Errorf("plainText(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestPlainTextMatchesV1 compares plainText with textV1 on the corpus.
func TestPlainTextMatchesV1(t *testing.T) {
	for i, it := range corpusItems(t) {
		for _, s := range []string{it.Title, it.Summary, it.Content} {
			if got, want := plainText(s), textV1(s); got != want {
				t.Fatalf("item %d: plainText(%.80q) = %.80q, want %.80q", i, s, got, want)
			}
		}
	}
}
