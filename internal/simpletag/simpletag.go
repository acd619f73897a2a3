// Package simpletag reads the tags of simple HTML fragments: text and
// complete start and end tags of ASCII names with plain attributes. Fast
// paths that turn such fragments into text without an html.Tokenizer use
// it (topics, stories); Read refuses anything it cannot read exactly as
// golang.org/x/net/html's tokenizer would, and the caller then falls back
// to the tokenizer. Each user's golden and fuzz tests hold it to that.
package simpletag

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// AppendText appends the text of the fragment s to b: its text runs with
// their character references decoded, and for each tag what onTag
// appends, given the tag's element (atom 0 for one html/atom does not
// know). It returns false, having appended something or not, when a tag
// is not one Read reads or onTag refuses it (a raw text or skipped
// element, for instance); the caller then reads s with an html.Tokenizer.
// s must not contain \r.
func AppendText(b []byte, s string, onTag func(b []byte, a atom.Atom) ([]byte, bool)) ([]byte, bool) {
	text := 0 // start of the pending text
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		i += j
		end, name, ok := Read(s, i)
		if !ok {
			return b, false
		}
		if end < 0 { // a '<' that is text
			i++
			continue
		}
		b = AppendUnescaped(b, s[text:i])
		text, i = end, end
		var buf [16]byte
		if b, ok = onTag(b, atom.Lookup(AppendLowerName(buf[:0], name))); !ok {
			return b, false
		}
	}
	return AppendUnescaped(b, s[text:]), true
}

// AppendUnescaped appends the text s with its character references
// decoded, as html.Tokenizer does for a text token without \r.
func AppendUnescaped(b []byte, s string) []byte {
	if strings.IndexByte(s, '&') < 0 {
		return append(b, s...)
	}
	return append(b, html.UnescapeString(s)...)
}

// AppendLowerName appends the ASCII name lower-cased to b.
func AppendLowerName(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		b = append(b, lowerASCII(name[i]))
	}
	return b
}

// Read reads the tag that starts with the '<' at s[i]. It returns the
// index after the tag and its name; end -1 when this '<' cannot start a
// tag (it is text, as for html.Tokenizer); ok false when it starts
// anything but a simple, complete start or end tag (a comment, a
// declaration, a name longer than 16 bytes, an unusual attribute, the end
// of s). s must not contain \r (html.Tokenizer treats it as a space in a
// tag).
func Read(s string, i int) (end int, name string, ok bool) {
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
// also counts \r, which callers leave to it).
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
