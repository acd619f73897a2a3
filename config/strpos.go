package config

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// stringLayout remembers how a TOML string value was written, so that a
// byte offset into its decoded value can be mapped back to the file.
type stringLayout struct {
	pos Position // where raw starts: the opening delimiter
	raw string   // the token as written, delimiters included
}

// QueryOffsetPos returns the position in the config file of the byte at
// offset off of t.Query, for errors inside the query (see Config.Errorf).
//
// It follows the way the query was written: "basic" strings with escape
// sequences, 'literal' strings, and their multi-line forms between triple
// quotes (where TOML drops a newline right after the opening delimiter, and
// in basic ones a backslash at the end of a line drops the line break and
// the whitespace after it). An
// offset inside an escape sequence or a multi-byte character maps to its
// first character; an offset past the end maps to the closing delimiter; a
// negative one counts as 0. For a Topic not made by Load, it returns
// t.Pos["query"].
func (t Topic) QueryOffsetPos(off int) Position {
	if t.query.raw == "" {
		return t.Pos["query"]
	}
	return t.query.offsetPos(off)
}

// offsetPos maps the decoded byte offset off to a file position.
func (l stringLayout) offsetPos(off int) Position {
	idx := l.rawIndex(off)
	pos := l.pos
	for _, r := range l.raw[:idx] {
		if r == '\n' {
			pos.Line++
			pos.Col = 1
		} else {
			pos.Col++
		}
	}
	return pos
}

// rawIndex maps the decoded byte offset off to an index into l.raw.
func (l stringLayout) rawIndex(off int) int {
	off = max(off, 0)
	i, end := l.content()
	dec := 0
	for i < end {
		s, w := l.unit(i, end)
		if dec+len(s) > off {
			return i
		}
		dec += len(s)
		i += w
	}
	return end
}

// decoded rebuilds the decoded value from the raw token; tests check it
// against the TOML parser's own decoding.
func (l stringLayout) decoded() string {
	var b strings.Builder
	i, end := l.content()
	for i < end {
		s, w := l.unit(i, end)
		b.WriteString(s)
		i += w
	}
	return b.String()
}

// kind reports whether the token is a basic (escaping) string and whether
// it is a multi-line one.
func (l stringLayout) kind() (basic, multi bool) {
	basic = strings.HasPrefix(l.raw, `"`)
	multi = len(l.raw) >= 6 && (strings.HasPrefix(l.raw, `"""`) || strings.HasPrefix(l.raw, `'''`))
	return basic, multi
}

// content returns the raw index range of the value between the delimiters.
func (l stringLayout) content() (start, end int) {
	_, multi := l.kind()
	d := 1
	if multi {
		d = 3
	}
	if len(l.raw) < 2*d {
		return 0, 0
	}
	start, end = d, len(l.raw)-d
	if multi {
		// TOML trims a newline right after the opening delimiter.
		if strings.HasPrefix(l.raw[start:end], "\n") {
			start++
		} else if strings.HasPrefix(l.raw[start:end], "\r\n") {
			start += 2
		}
	}
	return start, end
}

// unit decodes the unit of content starting at raw index i: one character,
// one escape sequence, or (in a multi-line basic string) a line-ending
// backslash with the whitespace it swallows. It returns the decoded bytes
// and the raw width, which is always at least 1.
func (l stringLayout) unit(i, end int) (string, int) {
	basic, multi := l.kind()
	raw := l.raw[:end]
	if !basic || raw[i] != '\\' || i+1 >= end {
		_, w := utf8.DecodeRuneInString(raw[i:])
		return raw[i : i+w], w
	}
	switch c := raw[i+1]; c {
	case '"':
		return `"`, 2
	case '\\':
		return `\`, 2
	case 'b':
		return "\b", 2
	case 'f':
		return "\f", 2
	case 'n':
		return "\n", 2
	case 'r':
		return "\r", 2
	case 't':
		return "\t", 2
	case 'e':
		return "\x1b", 2
	case 'x':
		return hexRune(raw, i, 2)
	case 'u':
		return hexRune(raw, i, 4)
	case 'U':
		return hexRune(raw, i, 8)
	case ' ', '\t', '\r', '\n':
		if !multi {
			break
		}
		j := i + 1
		for j < end && (raw[j] == ' ' || raw[j] == '\t') {
			j++
		}
		if j < end && raw[j] == '\r' {
			j++
		}
		if j >= end || raw[j] != '\n' {
			break
		}
		for j < end && (raw[j] == ' ' || raw[j] == '\t' || raw[j] == '\n' || raw[j] == '\r') {
			j++
		}
		return "", j - i
	}
	return `\`, 1
}

// hexRune decodes the \xHH, \uHHHH or \UHHHHHHHH escape at raw[i:].
func hexRune(raw string, i, n int) (string, int) {
	if i+2+n > len(raw) {
		return `\`, 1
	}
	v, err := strconv.ParseUint(raw[i+2:i+2+n], 16, 32)
	if err != nil {
		return `\`, 1
	}
	return string(rune(v)), 2 + n
}
