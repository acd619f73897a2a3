package feeds

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxAlternates bounds how many advertised feeds a NotFeedError names.
const maxAlternates = 10

// feedTypes are the link types that advertise a feed.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      true,
}

// looksLikeHTML reports whether doc is an HTML page: its first element,
// after any XML declaration, processing instructions, comments, doctype
// and whitespace, is <html>, or it declares an HTML doctype and its first
// element is not the root of a feed (some feeds carry an XHTML doctype).
func looksLikeHTML(doc []byte) bool {
	rest := doc
	htmlDoctype := false
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest, []byte("?>"))
			if end < 0 {
				return false
			}
			rest = rest[end+2:]
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest, []byte("-->"))
			if end < 0 {
				return htmlDoctype
			}
			rest = rest[end+3:]
		case hasPrefixFold(rest, "<!doctype"):
			htmlDoctype = htmlDoctype || hasPrefixFold(rest, "<!doctype html")
			end := declEnd(rest)
			if end < 0 {
				return htmlDoctype
			}
			rest = rest[end:]
		default:
			if hasTagPrefix(rest, "html") {
				return true
			}
			return htmlDoctype && !isFeedRoot(rest)
		}
	}
}

// declEnd returns the offset just past the '>' that ends the markup
// declaration at the start of b (a doctype, possibly with an internal
// subset in brackets and quoted strings), or -1.
func declEnd(b []byte) int {
	depth := 0
	var quote byte
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			return i + 1
		}
	}
	return -1
}

// isFeedRoot reports whether b starts with the start tag of a feed's root
// element: rss, feed, channel (RSS 0.90/1.0 fragments) or RDF, with any
// namespace prefix.
func isFeedRoot(b []byte) bool {
	if len(b) < 2 || b[0] != '<' {
		return false
	}
	end := bytes.IndexAny(b[1:], " \t\r\n/>")
	if end < 0 {
		return false
	}
	name := string(b[1 : 1+end])
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	switch strings.ToLower(name) {
	case "rss", "feed", "channel", "rdf":
		return true
	}
	return false
}

// mentionsHTML reports whether a document that no feed parser recognised
// is probably an HTML page: served as HTML, or with an html, head or body
// tag near its start.
func mentionsHTML(doc []byte, contentType string) bool {
	if strings.Contains(strings.ToLower(contentType), "html") {
		return true
	}
	head := doc
	if len(head) > 4096 {
		head = head[:4096]
	}
	low := bytes.ToLower(head)
	for _, tag := range []string{"<html", "<head", "<body"} {
		if bytes.Contains(low, []byte(tag)) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether b starts with the ASCII string prefix,
// ignoring ASCII case.
func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// hasTagPrefix reports whether b starts with the start tag <name followed
// by whitespace, '>' or '/'.
func hasTagPrefix(b []byte, name string) bool {
	if !hasPrefixFold(b, "<"+name) || len(b) == len(name)+1 {
		return false
	}
	switch b[len(name)+1] {
	case ' ', '\t', '\r', '\n', '>', '/':
		return true
	}
	return false
}

// discoverAlternates returns the absolute http(s) URLs of the feeds that
// an HTML page advertises with <link rel="alternate" type="..."> (and the
// equivalent <a> is ignored: only <link> is a declaration), resolved
// against the page's URL.
func discoverAlternates(doc []byte, pageURL string) []string {
	base, _ := url.Parse(pageURL)
	var out []string
	seen := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(doc))
	for len(out) < maxAlternates {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if atom.Lookup(name) != atom.Link || !hasAttr {
			continue
		}
		var rel, typ, href string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "rel":
				rel = string(v)
			case "type":
				typ = string(v)
			case "href":
				href = string(v)
			}
			if !more {
				break
			}
		}
		if !hasToken(rel, "alternate") || !feedTypes[mediaType(typ)] {
			continue
		}
		u := resolveHTTP(href, base)
		if u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// hasToken reports whether the space-separated list s contains tok,
// ignoring ASCII case.
func hasToken(s, tok string) bool {
	for f := range strings.FieldsSeq(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// mediaType returns the lower-case type/subtype of a MIME type, without
// parameters.
func mediaType(t string) string {
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return strings.ToLower(strings.TrimSpace(t))
}

// resolveHTTP resolves ref against base and returns it if it is an
// absolute http(s) URL with a host, else "".
func resolveHTTP(ref string, base *url.URL) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if s := strings.ToLower(u.Scheme); (s != "http" && s != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}
