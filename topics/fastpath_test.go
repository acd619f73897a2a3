package topics

import (
	"slices"
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

// TestNFKCArabicMarks checks what toNFKC assumes of the Arabic diacritics
// it lets through (nfkcArabicMark): each has no decomposition, no
// composite ends in it (its NFKC quick check is Yes, so it never composes
// with what precedes it) and its combining class is arabicMarkCCC. It then
// checks toNFKC against norm.NFKC on these marks and their neighbours, in
// every order, after and before various runes.
func TestNFKCArabicMarks(t *testing.T) {
	var marks []rune
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if nfkcArabicMark(r) {
			marks = append(marks, r)
		}
	}
	if len(marks) != 8 {
		t.Fatalf("nfkcArabicMark accepts %d runes, want U+064B..U+0652", len(marks))
	}
	for _, m := range marks {
		p := norm.NFKC.PropertiesString(string(m))
		if int(p.CCC()) != int(arabicMarkCCC(m)) || !norm.NFKC.IsNormalString(string(m)) || nfkcInert(m) {
			t.Errorf("%U: ccc %d, want %d; normal %v", m, p.CCC(), arabicMarkCCC(m), norm.NFKC.IsNormalString(string(m)))
		}
	}
	// A mark composes with what precedes it only as the non-first rune of
	// the canonical decomposition of some composite.
	var buf []byte
	for r := rune(0); r <= unicode.MaxRune; r++ {
		buf = utf8.AppendRune(buf[:0], r)
		d := norm.NFD.Properties(buf).Decomposition()
		if len(d) == 0 {
			continue
		}
		_, n := utf8.DecodeRune(d)
		for _, c := range string(d[n:]) {
			if nfkcArabicMark(c) {
				t.Errorf("%U decomposes to %+q, which ends in the mark %U", r, d, c)
			}
		}
	}
	alphabet := append(slices.Clone(marks), 0x0653, 0x0654, 0x0655, 0x0670, 0x0301, 0x0316)
	var seqs []string
	for _, a := range alphabet {
		seqs = append(seqs, string(a))
		for _, b := range alphabet {
			seqs = append(seqs, string(a)+string(b))
			for _, c := range alphabet {
				seqs = append(seqs, string(a)+string(b)+string(c))
			}
		}
	}
	befores := []string{"", "a", "ا", "و", "ي", "ه", "ب", "ل", "é", "e", "\u2029", " ", "ـ", "\u200c"}
	afters := []string{"", "x", "ب", "ا", "\u0654", "\u064b"}
	fast := 0
	for _, b := range befores {
		for _, s := range seqs {
			for _, a := range afters {
				text := b + s + a
				want := norm.NFKC.String(text)
				if got := toNFKC(text); got != want {
					t.Fatalf("toNFKC(%+q) = %+q, want %+q", text, got, want)
				}
				if toNFKCFast(text) {
					fast++
					if want != text {
						t.Fatalf("toNFKC takes the fast path for %+q, which is not in NFKC form", text)
					}
				}
			}
		}
	}
	// Every ordered sequence of the marks after a letter is taken fast.
	for _, s := range seqs {
		ordered, ccc := true, uint8(0)
		for _, r := range s {
			if !nfkcArabicMark(r) || arabicMarkCCC(r) < ccc {
				ordered = false
				break
			}
			ccc = arabicMarkCCC(r)
		}
		if text := "ب" + s + " ب"; ordered && !toNFKCFast(text) {
			t.Errorf("toNFKC normalises %+q", text)
		}
	}
	if fast == 0 {
		t.Error("the fast path was never taken")
	}
}

// TestArabicPrefixesOf checks that arabicPrefixesOf gives, for every rune,
// the arabicPrefixes that start with it, in their order.
func TestArabicPrefixesOf(t *testing.T) {
	for r := rune(0); r <= 0x07ff; r++ {
		var want []string
		for _, p := range arabicPrefixes {
			if first, _ := utf8.DecodeRuneInString(p); first == r {
				want = append(want, p)
			}
		}
		if got := arabicPrefixesOf(r); !slices.Equal(got, want) {
			t.Errorf("arabicPrefixesOf(%U) = %q, want %q", r, got, want)
		}
	}
}

// TestPlainArabicWord checks plainArabicWord against plainArabic.
func TestPlainArabicWord(t *testing.T) {
	for _, s := range append(slices.Clone(pieces), "", "\xd8", "\xd8\xa1\xd9", "ء", "ـ", "ابت", "اَب", "اb") {
		want := s != ""
		for _, r := range s {
			want = want && plainArabic(r)
		}
		if s == "" {
			want = true
		}
		if got := plainArabicWord(s); got != want {
			t.Errorf("plainArabicWord(%+q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzToNFKC checks toNFKC, with its fast path, against norm.NFKC.
func FuzzToNFKC(f *testing.F) {
	for _, s := range pieces {
		f.Add(s + "\u064e\u0651" + s)
	}
	f.Add("بَّ")
	f.Add("بُِ")
	f.Add("é\u0301 £5 € – \u2029 Ğ")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := toNFKC(s), norm.NFKC.String(s); got != want {
			t.Errorf("toNFKC(%+q) = %+q, want %+q", s, got, want)
		}
	})
}
