package sanitize

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// prepareScan is prepareTokens for fragments written in a strict subset
// of HTML syntax, read by a scanner much cheaper than the HTML tokenizer:
// text with at most the character references every reader decodes alike;
// start tags with names of letters, digits, "-" and ":", and attributes
// whose names are of letters, digits, "-", "_", ".", ":" and whose values
// are quoted or plain; end tags without attributes. It makes exactly the
// tokens the HTML tokenizer makes of such a fragment, and reports false
// at the first byte outside the subset (a comment, a "<" that starts no
// tag, a carriage return inside a tag, ...), leaving the fragment to
// prepareTokens.
func prepareScan(s string, base *url.URL) (string, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", false
	}
	t := newFlatTree(s, base)
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			lt = len(s)
		}
		if lt > 0 {
			t.text(scanText(s[:lt]))
			s = s[lt:]
			continue
		}
		// A tag.
		if len(s) < 3 {
			return "", false
		}
		if s[1] == '/' {
			n := scanName(s[2:])
			if n == 0 {
				return "", false
			}
			name := s[2 : 2+n]
			rest := s[2+n:]
			k := 0
			for k < len(rest) && isTagSpace(rest[k]) {
				k++
			}
			if k >= len(rest) || rest[k] != '>' {
				return "", false
			}
			if !t.endTag(lowerName(name)) {
				return "", false
			}
			s = rest[k+1:]
			continue
		}
		n := scanName(s[1:])
		if n == 0 {
			return "", false
		}
		name := string(lowerName(s[1 : 1+n]))
		attrs, rest, selfClosing, ok := scanAttrs(s[1+n:], nil)
		if !ok {
			return "", false
		}
		s = rest
		a := atom.Lookup([]byte(name))
		if a != 0 {
			name = a.String()
		}
		if !t.startTag(name, a, attrs, selfClosing) {
			return "", false
		}
	}
	return t.finish(), true
}

// scanName returns the length of the tag name at the start of s: a letter,
// then letters, digits, "-" and ":". The name must be followed by a space,
// ">" or "/"; 0 means there is no such name.
func scanName(s string) int {
	if len(s) == 0 || !isASCIILetter(s[0]) {
		return 0
	}
	i := 1
	for i < len(s) && (isASCIILetter(s[i]) || isDigit(s[i]) || s[i] == '-' || s[i] == ':') {
		i++
	}
	if i >= len(s) || !(isTagSpace(s[i]) || s[i] == '>' || s[i] == '/') {
		return 0
	}
	return i
}

// scanAttrs reads the attributes of a start tag and its end ("/>" or
// ">") from s, which follows the tag name. It appends the attributes that
// the HTML tokenizer returns (the first of several with the same name),
// names in lower case and values unescaped, and returns what follows the
// tag.
func scanAttrs(s string, attrs []html.Attribute) (_ []html.Attribute, rest string, selfClosing, ok bool) {
	i := 0
	for {
		for i < len(s) && isTagSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return nil, "", false, false
		}
		switch c := s[i]; {
		case c == '>':
			return attrs, s[i+1:], false, true
		case c == '/':
			if i+1 < len(s) && s[i+1] == '>' {
				return attrs, s[i+2:], true, true
			}
			return nil, "", false, false
		case !isAttrNameStart(c):
			return nil, "", false, false
		}
		start := i
		for i < len(s) && isAttrNameByte(s[i]) {
			i++
		}
		key := string(lowerName(s[start:i]))
		// Spaces, then "=" and spaces and a value, or no value.
		j := i
		for j < len(s) && isTagSpace(s[j]) {
			j++
		}
		val := ""
		if j < len(s) && s[j] == '=' {
			j++
			for j < len(s) && isTagSpace(s[j]) {
				j++
			}
			if j >= len(s) {
				return nil, "", false, false
			}
			switch q := s[j]; q {
			case '"', '\'':
				end := strings.IndexByte(s[j+1:], q)
				if end < 0 {
					return nil, "", false, false
				}
				val = s[j+1 : j+1+end]
				i = j + 1 + end + 1
			default:
				k := j
				for k < len(s) && !isTagSpace(s[k]) && s[k] != '>' {
					switch s[k] {
					case '"', '\'', '<', '=', '`':
						return nil, "", false, false
					}
					k++
				}
				if k >= len(s) || (s[k] == '>' && s[k-1] == '/') {
					// "<a href=x/>": the tokenizer reads "x/" and calls
					// the tag self-closing. Left to it.
					return nil, "", false, false
				}
				val = s[j:k]
				i = k
			}
			if strings.IndexByte(val, '\r') >= 0 {
				return nil, "", false, false
			}
			v, ok := unescapeAttr(val)
			if !ok {
				return nil, "", false, false
			}
			val = v
		}
		// else: no value; i stays after the name, so that the spaces
		// are skipped again.
		dup := false
		for _, a := range attrs {
			if a.Key == key {
				dup = true
				break
			}
		}
		if !dup {
			attrs = append(attrs, html.Attribute{Key: key, Val: val})
		}
	}
}

// scanText returns the data of a text token: newlines normalised and
// character references decoded, as the HTML tokenizer does.
func scanText(s string) string {
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return html.UnescapeString(s)
}

// unescapeAttr decodes the character references of an attribute value as
// the HTML tokenizer does, and reports false when the value has a
// reference whose reading in an attribute could differ from its reading
// in text (which is how html.UnescapeString reads): only numeric
// references and a few named ones, each ending in ";", are taken.
func unescapeAttr(v string) (string, bool) {
	amp := strings.IndexByte(v, '&')
	if amp < 0 {
		return v, true
	}
	for rest := v[amp:]; ; {
		if !plainReference(rest) {
			return "", false
		}
		next := strings.IndexByte(rest[1:], '&')
		if next < 0 {
			break
		}
		rest = rest[1+next:]
	}
	return html.UnescapeString(v), true
}

// plainReference reports whether s starts with "&#digits;", "&#xhex;" or
// one of &amp; &lt; &gt; &quot; &apos; &nbsp;.
func plainReference(s string) bool {
	for _, name := range [...]string{"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;"} {
		if strings.HasPrefix(s, name) {
			return true
		}
	}
	if !strings.HasPrefix(s, "&#") {
		return false
	}
	s = s[2:]
	hex := len(s) > 0 && (s[0] == 'x' || s[0] == 'X')
	if hex {
		s = s[1:]
	}
	i := 0
	for i < len(s) && (isDigit(s[i]) || hex && isHexLetter(s[i])) {
		i++
	}
	return i > 0 && i < len(s) && s[i] == ';'
}

// lowerName returns the ASCII lower case of an ASCII name, as bytes.
func lowerName(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

func isTagSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\f' }

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHexLetter(c byte) bool { return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func isAttrNameStart(c byte) bool { return isASCIILetter(c) || c == '_' || c == ':' }

func isAttrNameByte(c byte) bool {
	return isASCIILetter(c) || isDigit(c) || c == '-' || c == '_' || c == '.' || c == ':'
}
