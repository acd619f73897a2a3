package topics

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestPlainArabic checks the fast path plainArabic against the general
// tests it stands for, for every rune.
func TestPlainArabic(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !plainArabic(r) {
			continue
		}
		s := string(r)
		_, folded := foldRune(r)
		switch {
		case !unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsMark(r), dropRune(r), folded,
			isApostrophe(r), isJoiner(r), isIgnorable(r), r == '\u2029':
			t.Errorf("%U: not a plain letter", r)
		case norm.NFD.PropertiesString(s).Decomposition() != nil:
			t.Errorf("%U: decomposes", r)
		case unicode.SimpleFold(r) != r, unicode.ToLower(r) != r, unicode.ToUpper(r) != r:
			t.Errorf("%U: has case", r)
		case !nfkcInert(r):
			t.Errorf("%U: not NFKC-inert", r)
		}
	}
}

// TestNFKCInert checks that each rune nfkcInert accepts has NFKC quick
// check Yes (it is in NFKC form and never composes with what precedes it)
// and combining class 0, and that toNFKC agrees with norm.NFKC.
func TestNFKCInert(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !nfkcInert(r) {
			continue
		}
		p := norm.NFKC.PropertiesString(string(r))
		if r < utf8.RuneSelf || p.CCC() != 0 || !p.BoundaryBefore() || !norm.NFKC.IsNormalString(string(r)) {
			t.Errorf("%U: not NFKC-inert (ccc %d, boundary %v)", r, p.CCC(), p.BoundaryBefore())
		}
	}
	for _, s := range pieces {
		for _, text := range []string{s, "x" + s, s + "\u0301", "ا" + s, s + "\u0653", "e" + s + "\u0654"} {
			if got, want := toNFKC(text), norm.NFKC.String(text); got != want {
				t.Errorf("toNFKC(%q) = %q, want %q", text, got, want)
			}
		}
	}
}

// FuzzAppendText checks that appendText, with its fast path for simple
// HTML, gives what the html.Tokenizer gives.
func FuzzAppendText(f *testing.F) {
	for _, s := range []string{
		"<p>Iran &amp; Iraq</p>", "a<b>c</b>d", "<a href=x/>y</a>", "<br/>x<br />y", "<img src=x alt='a>b'>z",
		"<p class=\"x\" id=y data-z>t</p>", "x < y", "<3", "a<", "</ p>", "<!-- c -->x", "<script>x</script>y",
		"<P>A</P><BR>", "t&nbsp;u&bogus;", "<a\nhref='q'\t>r</a>", "<x-foo>t</x-foo>", "<a href=\"x\"/>", "<p\r>x",
		"<a b = c>", "<a =b>", "<textarea><p></textarea>", "<wbr>x<WBR/>", "<title>t</title>", "&lt;p&gt;",
	} {
		f.Add(s)
	}
	for _, s := range pieces {
		f.Add(s + "x" + s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := appendText(nil, s), appendTokenizedText(nil, s)
		if strings.ContainsAny(s, "<") && string(got) != string(want) {
			t.Errorf("appendText(%q) = %q, tokenizer %q", s, got, want)
		}
	})
}
