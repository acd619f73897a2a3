package stories

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
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
// fragment (see simpleTag) or one with a skipped or raw text element.
// The caller has checked that s has no \r.
func appendSimpleHTML(b []byte, s string) ([]byte, bool) {
	text := 0 // start of the pending text
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		i += j
		end, name, ok := simpleTag(s, i)
		if !ok {
			return b, false
		}
		if end < 0 { // a '<' that is text
			i++
			continue
		}
		b = appendUnescaped(b, s[text:i])
		text, i = end, end
		var buf [16]byte
		a := atom.Lookup(lowerName(buf[:0], name))
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
	}
	return appendUnescaped(b, s[text:]), true
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

// appendUnescaped appends the text s with its character references
// decoded, as html.Tokenizer does for a text token without \r.
func appendUnescaped(b []byte, s string) []byte {
	if strings.IndexByte(s, '&') < 0 {
		return append(b, s...)
	}
	return append(b, html.UnescapeString(s)...)
}

// lowerName appends the ASCII name lower-cased to b.
func lowerName(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		b = append(b, lowerASCII(name[i]))
	}
	return b
}

// simpleTag reads the tag that starts with the '<' at s[i]. It returns the
// index after the tag and its name; end -1 when this '<' cannot start a
// tag (it is text, as for html.Tokenizer); ok false when it starts
// anything but a simple, complete start or end tag.
func simpleTag(s string, i int) (end int, name string, ok bool) {
	k := i + 1
	if k >= len(s) {
		return 0, "", false
	}
	switch c := s[k]; {
	case isASCIILetter(c):
	case c == '/':
		k++
		if k >= len(s) || !isASCIILetter(s[k]) {
			return 0, "", false
		}
	case c == '!' || c == '?':
		return 0, "", false
	default:
		return -1, "", true
	}
	start := k
	for k < len(s) && isASCIIAlnum(s[k]) {
		k++
	}
	name = s[start:k]
	if k >= len(s) || len(name) > 16 {
		return 0, "", false
	}
	switch s[k] {
	case '>':
		return k + 1, name, true
	case '/', ' ', '\n', '\t', '\f':
	default:
		return 0, "", false
	}
	// Attributes: name, name=value, name="value" or name='value',
	// separated by white space; then an optional / and the >.
	for {
		for k < len(s) && isTagSpace(s[k]) {
			k++
		}
		if k >= len(s) {
			return 0, "", false
		}
		switch s[k] {
		case '>':
			return k + 1, name, true
		case '/':
			if k+1 < len(s) && s[k+1] == '>' {
				return k + 2, name, true
			}
			return 0, "", false
		}
		a := k
		for k < len(s) && isAttrNameByte(s[k]) {
			k++
		}
		if k == a || k >= len(s) {
			return 0, "", false
		}
		if s[k] != '=' {
			if !isTagSpace(s[k]) && s[k] != '>' {
				return 0, "", false
			}
			continue
		}
		k++
		if k >= len(s) {
			return 0, "", false
		}
		if q := s[k]; q == '"' || q == '\'' {
			e := strings.IndexByte(s[k+1:], q)
			if e < 0 {
				return 0, "", false
			}
			k += e + 2
		} else {
			v := k
			for k < len(s) && isUnquotedValueByte(s[k]) {
				k++
			}
			if k == v {
				return 0, "", false
			}
		}
		if k >= len(s) || !isTagSpace(s[k]) && s[k] != '>' {
			return 0, "", false
		}
	}
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isTagSpace reports whether c is white space inside a tag (html.Tokenizer
// also counts \r, which appendPlainText leaves to it).
func isTagSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\f' }

func isAttrNameByte(c byte) bool {
	return isASCIIAlnum(c) || c == '-' || c == '_' || c == ':' || c == '.'
}

// isUnquotedValueByte reports whether c may be part of an unquoted
// attribute value in a simple tag.
func isUnquotedValueByte(c byte) bool {
	switch c {
	case ' ', '\n', '\r', '\t', '\f', '>', '<', '"', '\'', '=', '`':
		return false
	}
	return c >= 0x21 && c < 0x7f
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
