package opml

import "bytes"

// repairQuoting rewrites the attribute values of a document that is not
// well-formed because of them, as some exporters write (a real Plenary
// export has text="Газета "Коммерсантъ". Главное"): a quote inside a value
// that is not followed by another attribute or the end of the tag becomes
// &quot; (or &apos;), and "<" in a value or in text that does not start a
// tag becomes &lt;. Comments, processing instructions, CDATA sections and
// declarations are copied as they are. It works on the bytes, so it suits
// UTF-8 and the ASCII-compatible encodings. ok is false when it changed
// nothing or gave up (a value with no closing quote).
func repairQuoting(doc []byte) (out []byte, ok bool) {
	out = make([]byte, 0, len(doc)+64)
	changed := false
	i := 0
	for i < len(doc) {
		c := doc[i]
		if c != '<' {
			out = append(out, c)
			i++
			continue
		}
		rest := doc[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			n := span(rest, 4, "-->")
			out, i = append(out, rest[:n]...), i+n
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			n := span(rest, 9, "]]>")
			out, i = append(out, rest[:n]...), i+n
		case bytes.HasPrefix(rest, []byte("<?")), bytes.HasPrefix(rest, []byte("<!")), bytes.HasPrefix(rest, []byte("</")):
			n := span(rest, 2, ">")
			out, i = append(out, rest[:n]...), i+n
		case len(rest) > 1 && isNameStart(rest[1]):
			var n int
			var fixed bool
			out, n, fixed, ok = repairTag(out, rest)
			if !ok {
				return nil, false
			}
			changed = changed || fixed
			i += n
		default:
			// A "<" that starts no tag.
			out = append(out, "&lt;"...)
			changed = true
			i++
		}
	}
	return out, changed
}

// span returns the length of s up to and including the first end found at
// or after from, or len(s) when there is none.
func span(s []byte, from int, end string) int {
	if from > len(s) {
		return len(s)
	}
	if k := bytes.Index(s[from:], []byte(end)); k >= 0 {
		return from + k + len(end)
	}
	return len(s)
}

// repairTag copies the start tag at the start of s to out, repairing its
// attribute values, and returns the bytes of s it used.
func repairTag(out, s []byte) (_ []byte, n int, changed, ok bool) {
	i := 1
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	out = append(out, s[:i]...)
	for {
		j := i
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		out = append(out, s[i:j]...)
		i = j
		switch {
		case i >= len(s):
			return out, i, changed, true
		case s[i] == '>':
			return append(out, '>'), i + 1, changed, true
		case s[i] == '/' && i+1 < len(s) && s[i+1] == '>':
			return append(out, "/>"...), i + 2, changed, true
		case !isNameStart(s[i]):
			// Not an attribute: leave the rest to the XML decoder.
			return append(out, s[i]), i + 1, changed, true
		}
		for j < len(s) && isNameByte(s[j]) {
			j++
		}
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != '=' {
			out = append(out, s[i:j]...)
			i = j
			continue
		}
		j++
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		out = append(out, s[i:j]...)
		i = j
		if i >= len(s) || s[i] != '"' && s[i] != '\'' {
			continue // unquoted: the decoder copes with it
		}
		q := s[i]
		out = append(out, q)
		i++
		for {
			if i >= len(s) {
				return nil, 0, false, false
			}
			c := s[i]
			switch {
			case c == q && closesValue(s[i+1:]):
				out = append(out, q)
				i++
			case c == q:
				if q == '"' {
					out = append(out, "&quot;"...)
				} else {
					out = append(out, "&apos;"...)
				}
				changed = true
				i++
				continue
			case c == '<':
				out = append(out, "&lt;"...)
				changed = true
				i++
				continue
			default:
				out = append(out, c)
				i++
				continue
			}
			break
		}
	}
}

// closesValue reports whether a quote followed by s ends an attribute
// value: the tag ends, or another attribute follows after white space.
func closesValue(s []byte) bool {
	if len(s) == 0 || s[0] == '>' || bytes.HasPrefix(s, []byte("/>")) {
		return true
	}
	if !isSpace(s[0]) {
		return false
	}
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i >= len(s) || s[i] == '>' || bytes.HasPrefix(s[i:], []byte("/>")) {
		return true
	}
	if !isNameStart(s[i]) {
		return false
	}
	for k := 0; i < len(s) && isNameByte(s[i]); k++ {
		if k > 64 {
			return false
		}
		i++
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i < len(s) && s[i] == '='
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

func isNameByte(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.'
}
