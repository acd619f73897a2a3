package opml

import (
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// spelledOut are letters that do not decompose into a Latin letter and
// marks, with their usual ASCII spelling.
var spelledOut = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d",
	'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i", 'ħ': "h",
	'Ħ': "h", 'ŧ': "t", 'Ŧ': "t", 'ĸ': "k", 'ŋ': "ng", 'Ŋ': "ng",
}

// slugify returns s as [a-z0-9]+ words joined by "-", at most max bytes:
// diacritics stripped, a few letters spelt out, apostrophes dropped, every
// other run of characters one "-". It returns "" when nothing is left.
func slugify(s string, max int) string {
	// The first few hundred characters make the slug; a huge title need
	// not be normalised whole.
	s = truncate(s, 16*max+64)
	var b strings.Builder
	sep := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '\'' || r == '’' || r == 'ʼ' || r == '‘':
			continue
		default:
			if sp, ok := spelledOut[r]; ok {
				if sep && b.Len() > 0 {
					b.WriteByte('-')
				}
				sep = false
				b.WriteString(sp)
				continue
			}
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
		if b.Len() > 4*max {
			break // enough to cut from
		}
	}
	return cut(b.String(), max)
}

// cut shortens a slug to at most max bytes, at a "-" when that keeps at
// least half of it, and without a trailing "-".
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	if i := strings.LastIndexByte(s, '-'); i >= max/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, "-")
}

// asciiLetters counts the ASCII letters of s.
func asciiLetters(s string) int {
	n := 0
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			n++
		}
	}
	return n
}

// hasNonLatin reports whether s has a letter of a script other than Latin,
// which slugify cannot spell.
func hasNonLatin(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r)
	}) >= 0
}

// feedExts are file extensions dropped from the last path segment when a
// name is made from a URL.
var feedExts = map[string]bool{
	".xml": true, ".rss": true, ".atom": true, ".rdf": true, ".json": true,
	".php": true, ".asp": true, ".aspx": true, ".cms": true, ".cgi": true,
	".html": true, ".htm": true, ".jsp": true,
}

// urlSlug names a feed after its URL's host (without "www.") and path
// (without a feed-ish file extension).
func urlSlug(u *url.URL) string {
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	p := u.Path
	if ext := strings.ToLower(path.Ext(p)); feedExts[ext] {
		p = p[:len(p)-len(ext)]
	}
	return slugify(host+" "+p, MaxNameLen)
}

// baseName is the name a feed would get if no other feed had it: a slug of
// its title, or of its URL when the title is itself a URL or leaves
// nothing, or when it is in another script and leaves fewer than three
// Latin letters ("Вести.Ru" would give "ru"; "BBC عربي" keeps "bbc").
func baseName(title string, u *url.URL) string {
	s := slugify(title, MaxNameLen)
	lower := strings.ToLower(title)
	isURL := strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
	if s == "" || isURL || (asciiLetters(s) < 3 && hasNonLatin(title)) {
		s = urlSlug(u)
	}
	if s == "" {
		s = "feed"
	}
	return s
}

// uniqueName returns base, or base with "-2", "-3", ... when base is taken,
// keeping within MaxNameLen, and takes it.
func (p *parser) uniqueName(base string) string {
	name := base
	if p.names[name] {
		n := p.next[base]
		if n < 2 {
			n = 2
		}
		for {
			suffix := "-" + strconv.Itoa(n)
			b := cut(base, MaxNameLen-len(suffix))
			n++
			if name = b + suffix; !p.names[name] {
				break
			}
		}
		p.next[base] = n
	}
	p.names[name] = true
	return name
}
