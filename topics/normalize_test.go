package topics

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// render writes tokens compactly: "term@pos", "term/Cased@pos" when the
// cased form differs, and a leading "+" for Alt forms.
func render(toks []Token) string {
	var parts []string
	for _, t := range toks {
		s := t.Term
		if t.Cased != t.Term {
			s += "/" + t.Cased
		}
		s += "@" + strconv.Itoa(t.Pos)
		if t.Alt {
			s = "+" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"words and case", "Iran tells US", "iran/Iran@0 tells@1 us/US@2"},
		{"possessive", "Iran's, Iran’s and IRAN'S", "iran/Iran@0 iran/Iran@1 and@2 iran/IRAN@3"},
		{"plural possessive", "protesters' demands", "protesters@0 demands@1"},
		{"apostrophe inside", "Kata'ib Shi’ite Qur'an", "kataib/Kataib@0 shiite/Shiite@1 quran/Quran@2"},
		{"it's", "it's over", "it@0 over@1"},
		{"dotted abbreviation", "U.S. and U.K. at the U.N.", "us/US@0 and@1 uk/UK@2 at@3 the@4 un/UN@5"},
		{"abbreviation without last dot", "the U.S says", "the@0 us/US@1 says@2"},
		{"abbreviation compound", "U.S.-led strikes", "us/US@0 led@1 +usled/USled@0 strikes@2"},
		{"abbreviation possessive", "U.S.'s allies", "us/US@0 allies@1"},
		{"single initial", "George W. Bush", "george/George@0 w/W@1 bush/Bush@2"},
		{"hyphen compound", "US-Iran talks", "us/US@0 iran/Iran@1 +usiran/USIran@0 talks@2"},
		{"pro- compound", "Pro-Iran militia", "pro/Pro@0 iran/Iran@1 +proiran/ProIran@0 militia@2"},
		{"dash is a separator", "US – Iran", "us/US@0 iran/Iran@1"},
		{"en dash joins nothing", "US–Iran", "us/US@0 iran/Iran@1"},
		{"numbers", "3.5 million, 1,000 troops; 2020.", "3.5@0 million@1 1,000@2 troops@3 2020@4"},
		{"decade possessive", "the 1990's", "the@0 1990@1"},
		{"word boundary", "Tirana", "tirana/Tirana@0"},
		{"paragraph gap", "Iran\u2029US", "iran/Iran@0 us/US@2"},
		{"punctuation only", "... — !!", ""},
		{"latin diacritics", "Erdoğan Kılıçdaroğlu İstanbul Peña", "erdogan/Erdogan@0 kilicdaroglu/Kilicdaroglu@1 istanbul/Istanbul@2 pena/Pena@3"},
		{"full case folding", "Straße STRASSE", "strasse/Straße@0 strasse/STRASSE@1"},
		{"greek final sigma", "ΣΊΣΥΦΟΣ σίσυφος", "σισυφοσ/ΣΙΣΥΦΟΣ@0 σισυφοσ/σισυφος@1"},
		{"fullwidth", "ＩＲＡＮ", "iran/IRAN@0"},
		{"arabic prefix", "لإيران", "لايران@0 +ايران@0"},
		{"arabic article and conjunction", "والإيرانية", "والايرانيه@0 +ايرانيه@0 +الايرانيه@0"},
		{"arabic lil", "للولايات", "للولايات@0 +ولايات@0 +الولايات@0 +لولايات@0"},
		{"arabic short word kept", "ولد", "ولد@0"},
		{"arabic phrase", "الولايات المتحدة", "الولايات@0 +ولايات@0 المتحده@1 +متحده@1"},
		{"persian zwnj", "می\u200cخواهد", "مي@0 خواهد@1 +ميخواهد@0"},
		{"zwj ignored", "ab\u200dcd", "abcd@0"},
		{"soft hyphen ignored", "Teh\u00adran", "tehran/Tehran@0"},
		{"arabic digits", "٢٠٢٠ ۱۴۰۳", "2020@0 1403@1"},
		{"arabic decimal", "٣٫٥", "3.5@0"},
		{"tatweel only", "ـــ", ""},
		{"presentation forms", "ﺇﻳﺮﺍﻥ", "ايران@0"},
		{"hangul stays composed", "한국", "한국@0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(Tokenize(tt.in)); got != tt.want {
				t.Errorf("Tokenize(%q)\n got: %s\nwant: %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestNormalizeSame checks spellings that must give the same term.
func TestNormalizeSame(t *testing.T) {
	groups := []struct {
		name  string
		forms []string
	}{
		{"alef with hamza", []string{"أحمد", "احمد", "إحمد", "آحمد", "ٱحمد"}},
		{"iran with and without hamza", []string{"إيران", "ايران", "ایران"}},
		{"hamza on waw", []string{"مسؤول", "مسوول"}},
		{"hamza on yeh", []string{"رئيس", "رييس"}},
		{"tashkeel", []string{"مُحَمَّدٌ", "محمد"}},
		{"superscript alef", []string{"هٰذا", "هذا"}},
		{"tatweel", []string{"إيـــران", "ايران"}},
		{"taa marbuta", []string{"مدينة", "مدينه"}},
		{"alef maqsura", []string{"مستشفى", "مستشفي", "مستشفی"}},
		{"persian kaf", []string{"کرمانشاه", "كرمانشاه"}},
		{"heh forms", []string{"ھەولێر", "هەولێر", "ههولێر"}},
		{"digits", []string{"٢٠٢٠", "۲۰۲۰", "2020"}},
		{"case", []string{"IRAN", "Iran", "iran", "iRaN"}},
		{"latin diacritics", []string{"Erdoğan", "erdogan", "ERDOĞAN", "Erdogan"}},
		{"decomposed input", []string{"Erdog\u0306an", "Erdoğan"}},
		{"turkish dotless i", []string{"Kılıç", "kilic"}},
		{"apostrophes", []string{"Kata'ib", "Kata’ib", "Kataʼib", "Kataib"}},
		{"possessive", []string{"Iran's", "Iran’s", "IRAN'S", "Iran"}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			want := Tokenize(g.forms[0])
			if len(want) == 0 {
				t.Fatalf("Tokenize(%q) is empty", g.forms[0])
			}
			for _, f := range g.forms[1:] {
				got := Tokenize(f)
				if len(got) == 0 || got[0].Term != want[0].Term {
					t.Errorf("Tokenize(%q) = %s, want term %q (as %q)", f, render(got), want[0].Term, g.forms[0])
				}
			}
		})
	}
}

// TestNormalizeDistinct checks words that must stay apart.
func TestNormalizeDistinct(t *testing.T) {
	pairs := [][2]string{
		{"iran", "tirana"},
		{"سليماني", "سلێمانی"},  // Soleimani is not the city of Sulaimani
		{"كردستان", "كوردستان"}, // different spellings are different words: write both
		{"us", "use"},
	}
	for _, p := range pairs {
		a, b := Tokenize(p[0]), Tokenize(p[1])
		if len(a) == 0 || len(b) == 0 || a[0].Term == b[0].Term {
			t.Errorf("%q and %q normalise to the same word: %s / %s", p[0], p[1], render(a), render(b))
		}
	}
}

// TestTokenizeIdempotent checks that a term tokenises to itself, which the
// canonical form of queries relies on.
func TestTokenizeIdempotent(t *testing.T) {
	inputs := []string{
		"Iran's U.S.-led Erdoğan STRASSE ΣΊΣΥΦΟΣ ﺇﻳﺮﺍﻥ والإيرانية ٣٫٥ 1,000 می\u200cخواهد ǅemal ŉ ﬁre",
		"Kılıçdaroğlu İzmir Łódź Øresund Đakovo ħ Ꭰꭰ 한국 हिंदी தொழில்",
	}
	for _, in := range inputs {
		for _, tok := range Tokenize(in) {
			again := Tokenize(tok.Term)
			if len(again) == 0 || again[0].Term != tok.Term || again[0].Alt {
				t.Errorf("term %q (from %q) tokenises to %s", tok.Term, tok.Surface, render(again))
			}
			cased := Tokenize(tok.Cased)
			if len(cased) == 0 || cased[0].Cased != tok.Cased {
				t.Errorf("cased %q (from %q) tokenises to %s", tok.Cased, tok.Surface, render(cased))
			}
		}
	}
}

func TestTokenizeSurface(t *testing.T) {
	toks := Tokenize("Pro-Iran militias: U.S.'s bases")
	var got []string
	for _, t := range toks {
		got = append(got, t.Surface)
	}
	want := []string{"Pro", "Iran", "Pro-Iran", "militias", "U.S.'s", "bases"}
	if !slices.Equal(got, want) {
		t.Errorf("surfaces = %q, want %q", got, want)
	}
}

func TestTokenizeLongText(t *testing.T) {
	long := strings.Repeat("iran ", maxText/5+100)
	toks := Tokenize(long)
	if n := len(toks); n == 0 || n > maxText/5+1 {
		t.Errorf("got %d tokens from %d bytes; want them capped at %d bytes", n, len(long), maxText)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		"Iran's U.S.-led Pro-Iran", "لإيران والإيرانية للولايات", "می\u200cخواهد ١٢٣", "ŉ ʼʼ ''s", "3.5 1,000 ٣٫٥",
		"a.b.c.d", "U.S.'s", "Ꭰꭰ ΣΊΣΥΦΟΣ straße", "\u2029\u200c-\u200d", "ـــ ﺇﻳﺮﺍﻥ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokenize(s)
		last := -1
		for _, tok := range toks {
			if tok.Term == "" || tok.Cased == "" {
				t.Fatalf("Tokenize(%q): empty term in %+v", s, tok)
			}
			if !tok.Alt {
				if tok.Pos <= last {
					t.Fatalf("Tokenize(%q): position %d after %d", s, tok.Pos, last)
				}
				last = tok.Pos
			} else if tok.Pos > last+1 || tok.Pos < 0 {
				t.Fatalf("Tokenize(%q): Alt at position %d, last word at %d", s, tok.Pos, last)
			}
			if !utf8.ValidString(s) {
				continue
			}
			again := Tokenize(tok.Term)
			if len(again) == 0 || again[0].Term != tok.Term {
				t.Fatalf("Tokenize(%q): term %q tokenises to %s", s, tok.Term, render(again))
			}
		}
	})
}
