package stories

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/aggregatord/aggregatord/internal/simpletag"
)

// appendPlainText appends the plain text of s, which may contain HTML, as
// sanitize.Text returned it when sketches of version 1 were defined: tags
// removed (the content of script, style and similar elements with them),
// character references decoded once, a space for every tag but those of
// inline elements, runs of white space made one space, control characters
// dropped, the ends trimmed. Sketches are stored, so this is a copy that
// does not follow later changes of package sanitize
// (TestPlainTextMatchesV1 and the golden test pin it).
func appendPlainText(b []byte, s string) []byte {
	if s == "" {
		return b
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !strings.ContainsAny(s, "<&") {
		return appendCollapsed(b, s)
	}
	if strings.IndexByte(s, '\r') < 0 {
		if text, ok := appendSimpleHTML(nil, s); ok {
			return appendCollapsed(b, string(text))
		}
	}
	return appendCollapsed(b, tokenizedText(s))
}

// appendSimpleHTML is the tokenizer loop of appendPlainText (before
// collapsing) for fragments of text and well-formed tags of ordinary
// elements, without an html.Tokenizer; it returns false for any other
// fragment (see simpletag.Read) or one with a skipped or raw text element.
// The caller has checked that s has no \r.
func appendSimpleHTML(b []byte, s string) ([]byte, bool) {
	return simpletag.AppendText(b, s, func(b []byte, a atom.Atom) ([]byte, bool) {
		if skippedText(a) {
			return b, false
		}
		switch a {
		case atom.Iframe, atom.Noembed, atom.Noframes, atom.Plaintext, atom.Textarea, atom.Xmp:
			return b, false // raw text for html.Tokenizer
		}
		if !inline(a) {
			b = append(b, ' ')
		}
		return b, true
	})
}

// tokenizedText is the text of the HTML fragment s, before collapsing,
// read with an html.Tokenizer: the general case of appendPlainText.
func tokenizedText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside elements whose text is not text
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skippedText(a) {
				switch {
				case tt == html.StartTagToken:
					skip++
				case tt == html.EndTagToken && skip > 0:
					skip--
				}
				continue
			}
			if !inline(a) {
				b.WriteByte(' ')
			}
		}
	}
}

// skippedText reports whether a is an element whose content is code or
// metadata, not text.
func skippedText(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Title, atom.Head:
		return true
	}
	return false
}

// inline reports whether a is an element that does not separate words.
func inline(a atom.Atom) bool {
	switch a {
	case atom.A, atom.Abbr, atom.Acronym, atom.B, atom.Bdi, atom.Bdo, atom.Big, atom.Cite,
		atom.Code, atom.Del, atom.Dfn, atom.Em, atom.Font, atom.I, atom.Ins, atom.Kbd,
		atom.Mark, atom.Q, atom.S, atom.Samp, atom.Small, atom.Span, atom.Strike, atom.Strong,
		atom.Sub, atom.Sup, atom.Time, atom.Tt, atom.U, atom.Var, atom.Wbr:
		return true
	}
	return false
}

// appendCollapsed appends s without control characters (and U+FFFE,
// U+FFFF), every run of white space made one space, the ends trimmed.
func appendCollapsed(b []byte, s string) []byte {
	start := len(b)
	space := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && c > ' ' && c < 0x7f { // printable ASCII
			if space && len(b) > start {
				b = append(b, ' ')
			}
			space = false
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), r == '\uFFFE', r == '\uFFFF':
			continue
		}
		if space && len(b) > start {
			b = append(b, ' ')
		}
		space = false
		b = utf8.AppendRune(b, r)
	}
	return b
}
