package topics

import (
	"cmp"
	"slices"
	"strings"
	"testing"
)

// TestFilteredDoc checks, on the items of the golden test, that a Doc
// built for the vocabulary of the example topics (the tokenizer leaving words out as it reads them) holds
// exactly the words of the full Doc that the vocabulary matches, and the
// same set of word hashes.
func TestFilteredDoc(t *testing.T) {
	tg := loadExample(t)
	items := append(slices.Clone(benchItems), generatedItems(400)...)
	for i, it := range corpusItems(t) {
		if i%goldenStride == 0 {
			items = append(items, it)
		}
	}
	cmpFull := func(a, b entry) int {
		return cmp.Or(cmpEntry(a, b), strings.Compare(a.cased, b.cased), cmp.Compare(a.s0, b.s0), cmp.Compare(a.s1, b.s1))
	}
	var b docBuilder
	b.voc = tg.voc
	for i := range items {
		full := NewDoc(&items[i])
		var d Doc
		b.build(&d, &items[i])
		for _, fs := range []struct {
			name       string
			full, filt *field
		}{{"title", &full.title, &d.title}, {"body", &full.body, &d.body}} {
			var want []entry
			var seen bloom
			for _, e := range fs.full.entries {
				if tg.voc.match(e.term, &seen) {
					want = append(want, e)
				}
			}
			got := slices.Clone(fs.filt.entries)
			slices.SortFunc(want, cmpFull)
			slices.SortFunc(got, cmpFull)
			if !slices.Equal(got, want) || seen != fs.filt.seen || fs.full.text != fs.filt.text {
				t.Fatalf("item %d %s: filtered entries %v, want %v (seen equal: %v)", i, fs.name, got, want, seen == fs.filt.seen)
			}
		}
	}
}

// TestRejectsASCII checks that vocab.rejectsASCII rejects only ASCII
// words whose folded form vocab.match rejects.
func TestRejectsASCII(t *testing.T) {
	tg := loadExample(t)
	words := map[string]bool{}
	for _, s := range tg.voc.slots {
		if s.word == "" {
			continue
		}
		for _, w := range []string{s.word, strings.ToUpper(s.word), s.word + "s", s.word[:len(s.word)-1], "x" + s.word} {
			words[w] = true
			if len(w) > 1 {
				words[strings.ToUpper(w[:1])+w[1:]] = true
			}
		}
	}
	for _, it := range append(slices.Clone(benchItems), generatedItems(100)...) {
		for _, w := range Words(it.Title+" "+it.Summary+" "+it.Content, 0) {
			words[w] = true
			words[strings.ToUpper(w)] = true
		}
	}
	rejected := 0
	for w := range words {
		ascii := w != ""
		for k := 0; k < len(w); k++ {
			ascii = ascii && isASCIIAlnum(w[k])
		}
		if !ascii || !tg.voc.rejectsASCII(w) {
			continue
		}
		rejected++
		var seen bloom
		if tg.voc.match(strings.ToLower(w), &seen) || seen != (bloom{}) {
			t.Errorf("rejectsASCII(%q), but match accepts %q", w, strings.ToLower(w))
		}
	}
	if rejected == 0 {
		t.Error("no word rejected")
	}
}

// TestIsASCIIAlnum checks isASCIIAlnum on every byte.
func TestIsASCIIAlnum(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		want := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		if got := isASCIIAlnum(b); got != want {
			t.Errorf("isASCIIAlnum(%#x) = %v, want %v", c, got, want)
		}
	}
}
