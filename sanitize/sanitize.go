// Package sanitize turns untrusted markup from feeds into something safe to
// publish: HTML makes entry content safe to embed in a page or a feed, and
// Text reduces a possibly-marked-up string (a title, an author) to plain
// text.
//
// HTML works in two passes. The first parses the fragment with
// golang.org/x/net/html, makes every relative href, src, cite, poster and
// srcset absolute against the base URL (the item's link), drops the URLs it
// cannot make absolute, removes elements whose content is never wanted
// (script, style, iframe, object, ...) and sets rel="nofollow noopener
// noreferrer" on links. The second is a bluemonday policy derived from
// bluemonday.UGCPolicy that lets through only an allow-list of elements and
// attributes and only http, https and mailto URLs. The second pass alone
// decides what is safe; the first exists so that relative links survive and
// so that raw-text elements do not leak their text. (For the usual feed
// fragment, whose tree is its tags as written, the first pass writes the
// same output from the tokens alone, without building the tree.)
//
// Both functions are safe for concurrent use, never panic, and always return
// valid UTF-8.
package sanitize

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// LinkRel is the rel attribute value that HTML puts on every link it keeps.
const LinkRel = "nofollow noopener noreferrer"

// Sanitizer holds a compiled bluemonday policy. Its zero value is not
// usable; build one with New. A Sanitizer is immutable and safe for
// concurrent use.
type Sanitizer struct {
	policy *bluemonday.Policy
}

// New builds a Sanitizer. Building the policy compiles regular expressions,
// so build one and reuse it (the package-level HTML does exactly that).
func New() *Sanitizer {
	return &Sanitizer{policy: newPolicy()}
}

// defaultSanitizer is built once, on first use, and never changed.
var defaultSanitizer = sync.OnceValue(New)

// HTML returns s sanitised with the package's shared Sanitizer; see
// (*Sanitizer).HTML.
func HTML(s, base string) string {
	return defaultSanitizer().HTML(s, base)
}

// srcsetPattern accepts only what rewriteSrcset produces: a comma-separated
// list of absolute http(s) URLs, each optionally followed by a width or
// density descriptor.
var srcsetPattern = regexp.MustCompile(`^https?://[^\s,]+(?: [0-9]+(?:\.[0-9]+)?[wx])?(?:, https?://[^\s,]+(?: [0-9]+(?:\.[0-9]+)?[wx])?)*$`)

// newPolicy builds the bluemonday policy: UGCPolicy, with relative URLs
// refused (the first pass has already made the good ones absolute), only
// http/https/mailto schemes, no data: URIs, nofollow+noreferrer enforced by
// bluemonday as a backstop and the full LinkRel allowed when it is exactly
// what the first pass set.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowRelativeURLs(false)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^`+LinkRel+`$`)).OnElements("a", "area")
	p.AllowAttrs("srcset").Matching(srcsetPattern).OnElements("img")
	return p
}

// HTML returns a sanitised copy of the HTML fragment s. Relative URLs are
// made absolute against base; when base is empty, relative or not an
// absolute http(s) URL, relative URLs are removed instead. The result keeps
// common formatting, links (http, https, mailto) and images (http, https)
// and nothing that can run code: no script, style, iframe, object, embed,
// form, input, base, meta or link elements, no event-handler or style
// attributes, no javascript:, vbscript: or data: URLs.
func (z *Sanitizer) HTML(s, base string) string {
	if s == "" {
		return ""
	}
	s = validUTF8(s)
	b := parseBase(base)
	prepared, ok := prepareScan(s, b)
	if !ok {
		prepared, ok = prepareTokens(s, b)
	}
	if !ok {
		prepared = prepare(s, b)
	}
	return defuseSchemes(validUTF8(z.applyPolicy(prepared)))
}

// applyPolicy is z.policy.Sanitize(s), writing into a builder sized for
// the result instead of a buffer that is grown and then copied.
func (z *Sanitizer) applyPolicy(s string) string {
	if strings.TrimSpace(s) == "" {
		return s // as Policy.Sanitize does
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/16)
	if err := z.policy.SanitizeReaderToWriter(strings.NewReader(s), &b); err != nil {
		return "" // as Policy.Sanitize does
	}
	return b.String()
}

// parseBase returns base as an absolute http(s) URL, or nil.
func parseBase(base string) *url.URL {
	base = strings.TrimSpace(base)
	if base == "" {
		return nil
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u
	}
	return nil
}

// droppedElements are removed with everything inside them during the first
// pass. bluemonday would drop the tags anyway; removing the subtree keeps
// their text (scripts, styles, raw text) out of the output.
var droppedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true,
	atom.Iframe: true, atom.Frame: true, atom.Frameset: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true,
	atom.Noscript: true, atom.Noembed: true, atom.Noframes: true,
	atom.Base: true, atom.Meta: true, atom.Link: true,
	atom.Title: true, atom.Head: true,
	atom.Input: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
}

// prepare parses s as a fragment of a <div>, rewrites URLs and links, and
// renders it back to HTML for the policy to filter.
func prepare(s string, base *url.URL) string {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		// The parser refuses documents nested deeper than 512 elements
		// (it cannot fail on reading a string). Such a fragment is hostile
		// or broken: keep its text only.
		return html.EscapeString(Text(s))
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, n := range nodes {
		if dropped(n) {
			continue
		}
		rewrite(n, base)
		if uselessImage(n) {
			continue
		}
		_ = html.Render(&b, n) // a strings.Builder never fails
	}
	return b.String()
}

// rewrite walks n's subtree: it removes dropped elements, turns raw-text
// elements that would swallow the rest of the document into <pre>, and
// rewrites URL attributes.
func rewrite(n *html.Node, base *url.URL) {
	if n.Type == html.ElementNode {
		switch n.DataAtom {
		case atom.Plaintext, atom.Xmp, atom.Listing:
			n.DataAtom, n.Data = atom.Pre, "pre"
		}
		rewriteAttrs(n, base)
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if dropped(c) {
			n.RemoveChild(c)
		} else {
			rewrite(c, base)
			if uselessImage(c) {
				n.RemoveChild(c)
			}
		}
		c = next
	}
}

// dropped reports whether n is an element removed with its content.
func dropped(n *html.Node) bool {
	return n.Type == html.ElementNode && droppedElements[n.DataAtom]
}

// uselessImage reports whether n is an <img> left without a src.
func uselessImage(n *html.Node) bool {
	if n.Type != html.ElementNode || n.DataAtom != atom.Img || n.Namespace != "" {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == "src" {
			return false
		}
	}
	return true
}

// rewriteAttrs makes the URL attributes of element n absolute (or removes
// them) and sets the link rel.
func rewriteAttrs(n *html.Node, base *url.URL) {
	isLink := n.Namespace == "" && (n.DataAtom == atom.A || n.DataAtom == atom.Area)
	hasHref := false
	attrs := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue // xlink:href and friends: never allowed
		}
		key := strings.ToLower(a.Key)
		switch key {
		case "href", "src", "cite", "poster", "longdesc", "background", "action", "formaction", "data":
			v, ok := absURL(a.Val, base)
			if !ok {
				continue
			}
			a.Val = v
			if key == "href" {
				hasHref = true
			}
		case "srcset":
			v := rewriteSrcset(a.Val, base)
			if v == "" {
				continue
			}
			a.Val = v
		case "rel":
			if isLink {
				continue // replaced below
			}
		}
		attrs = append(attrs, a)
	}
	n.Attr = attrs
	if isLink && hasHref {
		n.Attr = append(n.Attr, html.Attribute{Key: "rel", Val: LinkRel})
	}
}

// absURL resolves ref against base and reports whether the result is an
// http, https or mailto URL. Fragment-only references ("#top") are dropped
// too: out of their page they point nowhere.
func absURL(ref string, base *url.URL) (string, bool) {
	ref = strings.TrimFunc(ref, isHTMLSpace)
	if ref == "" || strings.ContainsFunc(ref, isURLJunk) {
		return "", false
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	if !u.IsAbs() {
		if base == nil || strings.HasPrefix(ref, "#") {
			return "", false
		}
		u = base.ResolveReference(u)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
	case "mailto":
	default:
		return "", false
	}
	return u.String(), true
}

// rewriteSrcset rewrites each image candidate of a srcset attribute
// (parsed the way the HTML standard does: a URL is a run of non-space
// characters, so it may contain commas), dropping the ones whose URL cannot
// be made absolute http(s) or whose descriptor is not a single width or
// density. It returns "" when nothing is left.
func rewriteSrcset(v string, base *url.URL) string {
	var out []string
	for len(v) > 0 {
		v = strings.TrimLeft(v, " \t\n\f\r,")
		if v == "" {
			break
		}
		end := strings.IndexFunc(v, isHTMLSpace)
		if end < 0 {
			end = len(v)
		}
		raw := v[:end]
		v = v[end:]
		var desc string
		if trimmed := strings.TrimRight(raw, ","); trimmed != raw {
			raw = trimmed // "a.png," ends the candidate: no descriptor
		} else {
			// Descriptors run to the next comma outside parentheses.
			depth, i := 0, 0
		scan:
			for ; i < len(v); i++ {
				switch v[i] {
				case '(':
					depth++
				case ')':
					if depth > 0 {
						depth--
					}
				case ',':
					if depth == 0 {
						break scan
					}
				}
			}
			desc = strings.TrimFunc(v[:i], isHTMLSpace)
			v = v[i:]
		}
		u, ok := absURL(raw, base)
		if !ok || !strings.HasPrefix(u, "http") || strings.ContainsAny(u, ", ") {
			continue
		}
		if desc != "" {
			if !validDescriptor(desc) {
				continue
			}
			u += " " + desc
		}
		out = append(out, u)
	}
	return strings.Join(out, ", ")
}

// validDescriptor reports whether d is a srcset width ("640w") or density
// ("1.5x") descriptor.
func validDescriptor(d string) bool {
	if len(d) < 2 {
		return false
	}
	unit := d[len(d)-1]
	if unit != 'w' && unit != 'x' {
		return false
	}
	num := d[:len(d)-1]
	dot := false
	for i := 0; i < len(num); i++ {
		switch c := num[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0 && i < len(num)-1:
			dot = true
		default:
			return false
		}
	}
	return true
}

// isHTMLSpace reports whether r is ASCII whitespace as HTML defines it.
func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
}

// isURLJunk reports characters that browsers strip from or tolerate inside
// URLs but that have no business in a link: control characters and
// whitespace (which can hide a scheme, as in "java\tscript:").
func isURLJunk(r rune) bool {
	return r < 0x20 || r == 0x7f || unicode.IsSpace(r) || r == utf8.RuneError
}

// defuseSchemes rewrites any "javascript:" or "vbscript:" left in the
// output, which can only be in text or in a harmless attribute such as alt,
// as "javascript&#58;": the same characters once rendered, but nothing a
// naive downstream filter (or a grep) could mistake for a live URL.
func defuseSchemes(s string) string {
	if !hasScheme(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], ':')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		j += i
		b.WriteString(s[i:j])
		if hasSuffixFold(s[:j], "javascript") || hasSuffixFold(s[:j], "vbscript") {
			b.WriteString("&#58;")
		} else {
			b.WriteByte(':')
		}
		i = j + 1
	}
	return b.String()
}

// hasScheme reports whether s has a ":" that defuseSchemes would rewrite.
func hasScheme(s string) bool {
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], ':')
		if j < 0 {
			return false
		}
		j += i
		if hasSuffixFold(s[:j], "javascript") || hasSuffixFold(s[:j], "vbscript") {
			return true
		}
		i = j + 1
	}
	return false
}

// hasSuffixFold reports whether s ends with the lower-case ASCII word
// suffix, ignoring ASCII case.
func hasSuffixFold(s, suffix string) bool {
	if len(s) < len(suffix) {
		return false
	}
	s = s[len(s)-len(suffix):]
	for i := 0; i < len(suffix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != suffix[i] {
			return false
		}
	}
	return true
}
