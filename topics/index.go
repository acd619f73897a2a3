package topics

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/aggregatord/aggregatord/internal/simpletag"
	"github.com/aggregatord/aggregatord/news"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Doc is a news item prepared for matching: its title and its text
// (summary and content, HTML removed) tokenised once, its source names and
// tags. Any number of queries can then be evaluated on it with lookups
// only. A Doc is read-only once built and safe for concurrent use.
type Doc struct {
	title, body field
	sources     []string // Item.Source and the source of every copy
	tags        []string
}

// field is one searchable field: its text and an index of its words, by
// term and by position.
type field struct {
	text    string  // NFKC text; hits point into it
	entries []entry // sorted by term, then position
	// atPos[posStart[p]:posStart[p+1]] are the indexes in entries of the
	// entries at position p, so that phrases are checked in constant time
	// per word.
	atPos    []int32
	posStart []int32
	// filtered is set when entries holds only the words a vocab can
	// match (a Doc built by a Tagger); seen then holds the hashes of the
	// vocab's words and prefixes that occur.
	filtered bool
	seen     bloom
}

// mayHave reports whether the field may contain a word or prefix whose
// wordHash is h: false only when the field was built for a vocab that has
// it and it does not occur.
func (f *field) mayHave(h uint32) bool {
	return !f.filtered || f.seen.has(h)
}

// at returns the indexes in f.entries of the words at position p.
func (f *field) at(p int32) []int32 {
	if p < 0 || int(p)+1 >= len(f.posStart) {
		return nil
	}
	return f.atPos[f.posStart[p]:f.posStart[p+1]]
}

// entry is one word (or Alt form) of a field.
type entry struct {
	term, cased string
	pos         int32
	s0, s1      int32 // the surface, text[s0:s1]
}

func cmpEntry(a, b entry) int {
	if c := strings.Compare(a.term, b.term); c != 0 {
		return c
	}
	return cmp.Compare(a.pos, b.pos)
}

// NewDoc prepares it for matching. The item is read, not kept: a Doc
// reflects the item as it was when NewDoc was called. Only the first MiB
// of the title and of the text is searched.
func NewDoc(it *news.Item) *Doc {
	var b docBuilder
	d := &Doc{}
	b.build(d, it)
	return d
}

// docBuilder holds the scratch buffers used to build Docs; reusing one
// (as Tagger.Tag does) makes building cheap. Not safe for concurrent use.
type docBuilder struct {
	tz   tokenizer
	text []byte
	// kept holds the normalised forms of the kept words (compactBuf).
	kept []byte
	// voc, when set, is the vocabulary of the only queries the Docs will
	// be matched with: words they cannot match are left out.
	voc *vocab
}

// build fills d from it, reusing d's slices.
func (b *docBuilder) build(d *Doc, it *news.Item) {
	b.field(&d.title, it.Title)

	b.text = b.text[:0]
	summary, content := strings.TrimSpace(it.Summary), strings.TrimSpace(it.Content)
	if content != "" {
		b.text = appendText(b.text, content)
	}
	if summary != "" && summary != content {
		n := len(b.text)
		b.text = append(b.text, "\u2029"...)
		b.text = appendText(b.text, summary)
		// A summary that is an excerpt of the content adds nothing.
		if s := bytes.TrimSpace(b.text[n+len("\u2029"):]); len(s) == 0 || bytes.Contains(b.text[:n], s) {
			b.text = b.text[:n]
		}
	}
	b.field(&d.body, string(b.text))

	d.sources = append(d.sources[:0], it.Source)
	for _, c := range it.Copies {
		if c.Source != it.Source {
			d.sources = append(d.sources, c.Source)
		}
	}
	d.tags = append(d.tags[:0], it.Tags...)
}

// field tokenises text into f.
func (b *docBuilder) field(f *field, text string) {
	text = toNFKC(text)
	tz := &b.tz
	tz.reset()
	f.filtered = b.voc != nil
	f.seen = bloom{}
	// The tokenizer leaves out the words the vocab cannot match.
	tz.voc, tz.seen = b.voc, &f.seen
	tz.run(text)
	tz.voc, tz.seen = nil, nil
	text = tz.text
	var buf string
	if f.filtered {
		buf = b.compactBuf()
	} else {
		buf = string(tz.buf)
	}
	f.text = text
	f.entries = slices.Grow(f.entries[:0], len(tz.toks))
	for _, t := range tz.toks {
		f.entries = append(f.entries, entry{
			term:  t.term.in(text, buf),
			cased: t.cased.in(text, buf),
			pos:   t.pos,
			s0:    t.surf.off,
			s1:    t.surf.off + t.surf.n,
		})
	}
	slices.SortFunc(f.entries, cmpEntry)

	// Counting sort of the entries by position.
	maxPos := int32(-1)
	for i := range f.entries {
		maxPos = max(maxPos, f.entries[i].pos)
	}
	f.posStart = slices.Grow(f.posStart[:0], int(maxPos)+2)[:maxPos+2]
	clear(f.posStart)
	for i := range f.entries {
		f.posStart[f.entries[i].pos+1]++
	}
	for p := 1; p < len(f.posStart); p++ {
		f.posStart[p] += f.posStart[p-1]
	}
	f.atPos = slices.Grow(f.atPos[:0], len(f.entries))[:len(f.entries)]
	for i := range f.entries {
		p := f.entries[i].pos
		// posStart[p] is the next free slot of position p while filling;
		// the loop below restores it.
		f.atPos[f.posStart[p]] = int32(i)
		f.posStart[p]++
	}
	for p := len(f.posStart) - 1; p > 0; p-- {
		f.posStart[p] = f.posStart[p-1]
	}
	if len(f.posStart) > 0 {
		f.posStart[0] = 0
	}
}

// compactBuf moves the normalised forms of the words of b.tz.toks from
// the tokenizer's buffer, which also holds those of the words left out, to
// b.kept and returns them as a string, so that only they are copied.
func (b *docBuilder) compactBuf() string {
	tz := &b.tz
	b.kept = b.kept[:0]
	move := func(r ref) ref {
		if !r.buf {
			return r
		}
		s := len(b.kept)
		b.kept = append(b.kept, tz.buf[r.off:r.off+r.n]...)
		return ref{off: int32(s), n: r.n, buf: true}
	}
	for i := range tz.toks {
		t := &tz.toks[i]
		same := t.cased == t.term
		t.term = move(t.term)
		if same {
			t.cased = t.term
		} else {
			t.cased = move(t.cased)
		}
	}
	if len(b.kept) == 0 {
		return ""
	}
	return string(b.kept)
}

// appendText appends the text of the HTML fragment s to b: entities
// decoded, tags removed, the contents of script and style elements left
// out, and a paragraph separator (U+2029, a phrase boundary) for each block
// element and line break.
func appendText(b []byte, s string) []byte {
	if !strings.ContainsAny(s, "<&") {
		return append(b, s...)
	}
	if !strings.Contains(s, "<") {
		return append(b, html.UnescapeString(s)...)
	}
	n := len(b)
	if b, ok := appendSimpleHTML(b, s); ok {
		return b
	}
	return appendTokenizedText(b[:n], s)
}

// appendSimpleHTML is appendText for the common fragments, made of text
// and of well-formed tags of ordinary elements, without the cost of an
// html.Tokenizer; it gives what appendTokenizedText gives
// (FuzzAppendText). It returns false, having appended something or not,
// for any other fragment: one with a comment, a doctype, a \r, a raw text
// or skipped element (script, style, textarea...), a tag name that is not
// letters and digits, or an attribute that is not name, name=value,
// name="value" or name='value'.
func appendSimpleHTML(b []byte, s string) ([]byte, bool) {
	if strings.IndexByte(s, '\r') >= 0 {
		return b, false
	}
	return simpletag.AppendText(b, s, appendTagBreak)
}

// appendTagBreak appends what a tag of element a contributes to the text
// of appendSimpleHTML: a paragraph separator for a block, a space for an
// image or a word break, nothing otherwise; false for an element whose
// content the tokenizer reads as raw text or skips.
func appendTagBreak(b []byte, a atom.Atom) ([]byte, bool) {
	switch a {
	case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Textarea, atom.Title,
		atom.Iframe, atom.Noembed, atom.Noframes, atom.Plaintext, atom.Xmp:
		return b, false
	}
	if isBlock(a) {
		b = append(b, "\u2029"...)
	} else if a == atom.Img || a == atom.Wbr {
		b = append(b, ' ')
	}
	return b, true
}

// appendTokenizedText is appendText for any fragment, with an
// html.Tokenizer.
func appendTokenizedText(b []byte, s string) []byte {
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b
		case html.TextToken:
			if skip == 0 {
				b = append(b, z.Text()...)
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Textarea, atom.Title:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			default:
				if isBlock(a) {
					b = append(b, "\u2029"...)
				} else if a == atom.Img || a == atom.Wbr {
					b = append(b, ' ')
				}
			}
		}
	}
}

// isBlock reports whether the element a ends a paragraph of text.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Br, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Dl, atom.Dt, atom.Dd,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Pre,
		atom.Table, atom.Tr, atom.Td, atom.Th, atom.Thead, atom.Tbody, atom.Tfoot, atom.Caption,
		atom.Section, atom.Article, atom.Aside, atom.Header, atom.Footer, atom.Nav,
		atom.Figure, atom.Figcaption, atom.Hr, atom.Address, atom.Main, atom.Details, atom.Summary:
		return true
	}
	return false
}

// lowerBound returns the index of the first entry whose term is not less
// than term.
func lowerBound(es []entry, term string) int {
	lo, hi := 0, len(es)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if es[m].term < term {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}
