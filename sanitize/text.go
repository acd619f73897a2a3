package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Text returns the plain text of s, which may contain HTML: tags are
// removed (the content of script, style and similar elements with them),
// character references are decoded exactly once ("&amp;amp;" becomes
// "&amp;"), runs of whitespace become one space, control characters are
// dropped, and the result is trimmed. Block-level tags and <br> separate
// words. The result is valid UTF-8.
func Text(s string) string {
	if s == "" {
		return ""
	}
	s = validUTF8(s)
	if strings.IndexByte(s, '<') < 0 {
		// No tag: the tokenizer would make one text token of s, its
		// character references decoded.
		return collapse(html.UnescapeString(s))
	}
	return textTokens(s)
}

// textTokens is Text for a valid UTF-8 s, token by token.
func textTokens(s string) string {
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
			return collapse(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skippedText[a] {
				switch {
				case tt == html.StartTagToken:
					skip++
				case tt == html.EndTagToken && skip > 0:
					skip--
				}
				continue
			}
			if !inline[a] {
				b.WriteByte(' ')
			}
		}
	}
}

// skippedText are elements whose content is code or metadata, not text.
var skippedText = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true,
	atom.Noscript: true, atom.Title: true, atom.Head: true,
}

// inline are elements that do not separate words.
var inline = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.Acronym: true, atom.B: true,
	atom.Bdi: true, atom.Bdo: true, atom.Big: true, atom.Cite: true,
	atom.Code: true, atom.Del: true, atom.Dfn: true, atom.Em: true,
	atom.Font: true, atom.I: true, atom.Ins: true, atom.Kbd: true,
	atom.Mark: true, atom.Q: true, atom.S: true, atom.Samp: true,
	atom.Small: true, atom.Span: true, atom.Strike: true, atom.Strong: true,
	atom.Sub: true, atom.Sup: true, atom.Time: true, atom.Tt: true,
	atom.U: true, atom.Var: true, atom.Wbr: true,
}

// collapse drops control and other invisible format-breaking characters,
// turns every run of whitespace into one space and trims the ends.
func collapse(s string) string {
	if collapsed(s) {
		return s
	}
	return collapseRunes(s)
}

// collapseRunes is collapse, rune by rune.
func collapseRunes(s string) string {
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

// collapsed reports whether collapse would return s unchanged: no control
// or format-breaking character, no whitespace other than single spaces
// between other characters.
func collapsed(s string) bool {
	space := true // at the start, a space would be trimmed
	for _, r := range s {
		switch {
		case r == ' ':
			if space {
				return false
			}
			space = true
			continue
		case r < utf8.RuneSelf && ' ' < r && r < 0x7f:
		case unicode.IsSpace(r), unicode.IsControl(r), r == '\uFFFE', r == '\uFFFF',
			r == utf8.RuneError: // an invalid byte becomes U+FFFD in collapse
			return false
		}
		space = false
	}
	return !space || s == ""
}

// validUTF8 is strings.ToValidUTF8(s, "\uFFFD"), with a faster check for
// the usual case of a valid string.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
