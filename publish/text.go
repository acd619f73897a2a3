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
//
// The spelling is a URI (ASCII only, as RSS requires) in the normal form
// RFC 4287 asks of Atom ids (section 4.2.6.1) and the W3C feed validator
// checks: lower-case scheme and host, no default port, "/" for an empty
// path, no dot segments, percent escapes only where essential and in
// upper case.
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
	scheme, forceQuery := strings.ToLower(u.Scheme), u.ForceQuery
	u = u.ResolveReference(&url.URL{}) // removes dot segments
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	} else if strings.ContainsFunc(host, func(r rune) bool {
		return r < 0x80 && !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' || r == '~')
	}) {
		return "" // not a host name anyone can reach
	} else {
		host = uriEscapes(host)
	}
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80" || scheme == "https" && p == "443") {
		host += ":" + p
	}
	var b strings.Builder
	b.WriteString(scheme + "://")
	if u.User != nil {
		b.WriteString(uriEscapes(u.User.String()) + "@")
	}
	b.WriteString(host)
	if p := u.EscapedPath(); p != "" {
		b.WriteString(uriEscapes(p))
	} else {
		b.WriteString("/")
	}
	if forceQuery || u.RawQuery != "" {
		b.WriteString("?" + uriEscapes(u.RawQuery))
	}
	if u.Fragment != "" {
		b.WriteString("#" + uriEscapes(u.EscapedFragment()))
	}
	return b.String()
}

// uriEscapes normalises the percent escapes of a URI component: those of
// unreserved characters decoded, the others in upper case, a stray "%"
// escaped; and escapes every byte a URI may not carry there: controls,
// space, "<>\^`{|}[] and bytes outside ASCII.
func uriEscapes(s string) string {
	const hexDigits = "0123456789ABCDEF"
	unreserved := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if unreserved(byte(v)) {
				b.WriteByte(byte(v))
			} else {
				b.WriteString("%" + strings.ToUpper(s[i+1:i+3]))
			}
			i += 2
			continue
		}
		if c == '%' || c <= ' ' || c >= 0x7F || strings.IndexByte("\"<>\\^`{|}[]", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
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
// RSS guid: an http(s) URL (normalised by httpURL), or a urn: or tag: URI
// of the shape the W3C feed validator accepts, without white space.
func absoluteID(s string) string {
	s = cleanText(s)
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7F || r == '<' || r == '>' || r == '"' }) {
		return ""
	}
	if u := httpURL(s); u != "" {
		return u
	}
	if tagURIRe.MatchString(s) {
		return s
	}
	if urnRe.MatchString(s) {
		s = "urn:" + s[4:] // the scheme in lower case, as a canonical id
		if strings.HasPrefix(strings.ToLower(s), "urn:uuid:") && !uuidURNRe.MatchString(s) {
			return ""
		}
		return s
	}
	return ""
}

// tagURIRe matches a tag: URI (RFC 4151) with a lower-case tagging entity,
// and urnRe a URN (RFC 8141: a namespace identifier of 2 to 32 characters)
// whose namespace-specific string keeps to RFC 2141's characters, without
// components; both as the W3C feed validator accepts them. uuidURNRe is
// the only urn:uuid: form it accepts (RFC 4122).
var (
	tagURIRe  = regexp.MustCompile(`^tag:([a-z0-9.-]+|[a-z0-9._-]+@[a-z0-9.-]+),\d{4}(-\d{2}(-\d{2})?)?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*(#[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?$`)
	urnRe     = regexp.MustCompile(`(?i)^urn:[a-z0-9][a-z0-9-]{0,30}[a-z0-9]:([a-z0-9()+,\-.:=@;$_!*']|%[0-9a-f]{2})+$`)
	uuidURNRe = regexp.MustCompile(`(?i)^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
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
