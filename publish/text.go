package publish

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// cleanText returns s as valid UTF-8 with every character that XML 1.0 does
// not allow removed (C0 controls other than tab, LF and CR; surrogates;
// U+FFFE and U+FFFF). Every text the writers emit passes through it.
func cleanText(s string) string {
	ok := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || !xmlChar(r) {
			ok = false
			break
		}
		i += n
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !(r == utf8.RuneError && n == 1) && xmlChar(r) {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// xmlChar reports whether r is a Char in the XML 1.0 grammar.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}

// plainTitle cleans a plain-text title and folds runs of white space
// (including newlines) into single spaces.
func plainTitle(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// httpURL returns s if it is an absolute http or https URL with a host, in
// its normalised spelling, and "" otherwise. It keeps javascript:, data:
// and relative URLs out of every link the writers emit.
func httpURL(s string) string {
	s = strings.TrimSpace(cleanText(s))
	if s == "" {
		return ""
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7F {
			return ""
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u.String()
}

// htmlText returns the text of an HTML fragment, entities decoded and white
// space folded.
func htmlText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&") {
		return strings.Join(strings.Fields(cleanText(fragment)), " ")
	}
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	skip := 0 // depth inside script/style, which have no visible text
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(cleanText(b.String())), " ")
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				skip++
			case "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote":
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style":
				if skip > 0 {
					skip--
				}
			case "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote":
				b.WriteByte(' ')
			}
		}
	}
}

// truncateRunes shortens s to at most n runes, marking a cut with "…".
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return strings.TrimSpace(s[:j]) + "…"
		}
		i++
	}
	return s
}

// absoluteID returns s if it is an absolute URI usable as an Atom id and an
// RSS guid: an http(s) URL, or a urn: or tag: URI without white space.
func absoluteID(s string) string {
	s = cleanText(s)
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7F || r == '<' || r == '>' || r == '"' }) {
		return ""
	}
	if u := httpURL(s); u != "" {
		return u
	}
	if tagURIRe.MatchString(s) || urnRe.MatchString(s) {
		return s
	}
	return ""
}

// tagURIRe matches a tag: URI (RFC 4151) and urnRe a URN (RFC 8141), both
// limited to the characters RFC 3986 allows unescaped.
var (
	tagURIRe = regexp.MustCompile(`^tag:([A-Za-z0-9.-]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+),\d{4}(-\d{2}(-\d{2})?)?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*(#[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?$`)
	urnRe    = regexp.MustCompile(`(?i)^urn:[a-z0-9][a-z0-9-]{0,31}:[a-z0-9\-._~!$&'()*+,;=:@/%]+([?#][a-z0-9\-._~!$&'()*+,;=:@/?%#]*)?$`)
)

// tagID returns a stable tag: URI (RFC 4151) for a stored item: the site's
// host, the UTC date the item was first seen, and the item id, followed by
// "/"+source when a source's own copy of a shared item is shown.
func tagID(host string, date time.Time, id uint64, source string) string {
	host = strings.ToLower(host)
	if host == "" || strings.ContainsFunc(host, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-')
	}) {
		host = "localhost"
	}
	d := "2000-01-01"
	if !date.IsZero() {
		d = date.UTC().Format("2006-01-02")
	}
	s := "tag:" + host + "," + d + ":item/" + strconv.FormatUint(id, 10)
	if source != "" {
		s += "/" + url.PathEscape(source)
	}
	return s
}

// langTag returns s if it looks like a BCP 47 language tag ("ar",
// "en-US"), else "".
func langTag(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 35 {
		return ""
	}
	for i, part := range strings.Split(s, "-") {
		if part == "" || len(part) > 8 || (i == 0 && len(part) < 2) {
			return ""
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (i > 0 && c >= '0' && c <= '9')) {
				return ""
			}
		}
	}
	return s
}
