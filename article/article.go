package article

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/aggregatord/aggregatord/feeds"
	"github.com/aggregatord/aggregatord/sanitize"
)

// Defaults for the zero values of Options.
const (
	// DefaultPerHost is how many article pages of one host are fetched at
	// once.
	DefaultPerHost = 2
	// DefaultMinTextChars is the least text, in characters not counting
	// whitespace, that an extraction must yield. Two short paragraphs of
	// news copy; a liveblog shell, a video page or a gallery yields less.
	DefaultMinTextChars = 200
	// MaxElements bounds the number of elements of a page that extraction
	// analyses; a page with more is reported as ErrNotArticle.
	MaxElements = 100_000
	// maxLinkDensity is the largest share of an extraction's text that may
	// be link text; above it the page is an index of other pages.
	maxLinkDensity = 0.6
)

// ErrNotArticle is returned (wrapped, with the URL) by Extract and
// ExtractHTML when the page holds no extractable article: it is not HTML,
// or it cannot be parsed, or the extracted text is shorter than the
// minimum, or it is mostly links. Retrying the same page will not help
// until the page changes.
var ErrNotArticle = errors.New("not an article")

// Options configure an Extractor. The zero value is usable.
type Options struct {
	// Fetcher fetches the pages, with the same politeness, limits and
	// timeouts as feeds. Nil means a Fetcher with the feeds defaults.
	Fetcher *feeds.Fetcher
	// PerHost is the most article fetches in flight to one host (by the
	// host of the article URL, before redirects); 0 means DefaultPerHost.
	PerHost int
	// MinTextChars is the least text, in non-space characters, that makes
	// an article; 0 means DefaultMinTextChars.
	MinTextChars int
	// Logger receives one debug record per extraction; nil logs nothing.
	Logger *slog.Logger
}

// Extractor fetches article pages and extracts their main text. It is
// safe for concurrent use.
type Extractor struct {
	fetcher  *feeds.Fetcher
	minChars int
	log      *slog.Logger
	hosts    *hostLimiter
}

// New returns an Extractor configured by o, with defaults for its zero
// fields.
func New(o Options) *Extractor {
	e := &Extractor{fetcher: o.Fetcher, minChars: o.MinTextChars, log: o.Logger}
	if e.fetcher == nil {
		e.fetcher = feeds.NewFetcher(feeds.FetcherOptions{})
	}
	if e.minChars <= 0 {
		e.minChars = DefaultMinTextChars
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	perHost := o.PerHost
	if perHost <= 0 {
		perHost = DefaultPerHost
	}
	e.hosts = newHostLimiter(perHost)
	return e
}

// Article is the main content of a page.
type Article struct {
	// Title is the article's headline, as plain text.
	Title string
	// ContentHTML is the article body as sanitised HTML (see
	// sanitize.HTML), its links and images absolute against the page URL
	// (after redirects) or the page's <base href>. It is one <div> that
	// carries the page's lang and, when the text is mostly in a
	// right-to-left script, dir="rtl"; the page's id and class attributes
	// are removed.
	ContentHTML string
	// Text is the plain text of ContentHTML, for tagging and
	// fingerprinting: paragraphs separated by a blank line, list items
	// and other blocks by a line break, whitespace collapsed.
	Text string
	// Byline is the author as the page names them, as plain text, or "".
	Byline string
	// Lang is the page's language tag (<html lang>), or "".
	Lang string
}

// Extract fetches the page at pageURL with the Extractor's Fetcher, at
// most PerHost at once for the URL's host (waiting for a turn is bounded
// only by ctx), and extracts its main article as ExtractHTML does, with
// links resolved against the URL that answered after redirects.
//
// Errors start with "extract article: ". A failed fetch wraps the feeds
// error (feeds.ErrTimeout, feeds.ErrTooLarge, feeds.ErrTooManyRedirects,
// *feeds.StatusError, ...), which names the URL; a page without an article
// wraps ErrNotArticle after the URL; when ctx ends while waiting for a
// turn, the error wraps ctx.Err().
func (e *Extractor) Extract(ctx context.Context, pageURL string) (*Article, error) {
	return e.ExtractLinked(ctx, pageURL, "")
}

// ExtractLinked is Extract for a page that a feed links to: origin, the
// feed's URL, decides which special address ranges (loopback, private,
// link-local) the fetch may reach, so that a public feed cannot point
// aggregatord at an internal address through an item link (see
// feeds.Request.Origin). An empty origin is Extract.
func (e *Extractor) ExtractLinked(ctx context.Context, pageURL, origin string) (*Article, error) {
	start := time.Now()
	u, err := url.Parse(pageURL)
	if err != nil || u.Hostname() == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("extract article: %s: not an absolute http or https URL", pageURL)
	}
	release, err := e.hosts.acquire(ctx, strings.ToLower(u.Hostname()))
	if err != nil {
		return nil, fmt.Errorf("extract article: %s: waiting for a turn: %w", pageURL, err)
	}
	resp, err := e.fetcher.Fetch(ctx, feeds.Request{URL: pageURL, Origin: origin})
	release()
	if err != nil {
		e.log.DebugContext(ctx, "article fetch failed", slog.String("url", pageURL), slog.Any("error", err))
		return nil, fmt.Errorf("extract article: %w", err)
	}
	base := resp.FinalURL
	a, err := extract(resp.Body, resp.ContentType, base, e.minChars)
	if err != nil {
		where := pageURL
		if base != pageURL {
			where += " (redirected to " + base + ")"
		}
		e.log.DebugContext(ctx, "article extraction failed", slog.String("url", pageURL), slog.Any("error", err))
		return nil, fmt.Errorf("extract article: %s: %w", where, err)
	}
	e.log.DebugContext(ctx, "article extracted", slog.String("url", pageURL),
		slog.Int("chars", utf8.RuneCountInString(a.Text)), slog.Duration("duration", time.Since(start)))
	return a, nil
}

// ExtractHTML extracts the main article of page, an already fetched page
// whose Content-Type header was contentType ("" when unknown) and whose
// URL (after redirects) was pageURL, against which relative links are
// resolved. It applies DefaultMinTextChars. The steps and the errors are
// those of the package documentation; every error starts with
// "extract article: " and pageURL.
func ExtractHTML(page []byte, contentType, pageURL string) (*Article, error) {
	a, err := extract(page, contentType, pageURL, DefaultMinTextChars)
	if err != nil {
		return nil, fmt.Errorf("extract article: %s: %w", pageURL, err)
	}
	return a, nil
}

// extract does the work of ExtractHTML with a given minimum.
func extract(page []byte, contentType, pageURL string, minChars int) (*Article, error) {
	if mt, ok := htmlType(page, contentType); !ok {
		return nil, fmt.Errorf("%w: the page is %s, not HTML", ErrNotArticle, mt)
	}
	decoded, _ := decode(page, contentType)
	doc, err := html.Parse(bytes.NewReader(decoded))
	if err != nil {
		return nil, fmt.Errorf("%w: cannot parse the HTML: %w", ErrNotArticle, err)
	}
	if n := countElements(doc, MaxElements+1); n > MaxElements {
		return nil, fmt.Errorf("%w: the page has more than %d elements", ErrNotArticle, MaxElements)
	}
	base := baseURL(doc, pageURL)
	lang := docLang(doc)

	ra, err := runReadability(doc, base)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotArticle, err)
	}
	if ra.Node == nil {
		return nil, fmt.Errorf("%w: no article content found", ErrNotArticle)
	}
	removeBoilerplate(ra.Node, defaultFilterWords())
	if l := ra.Language(); l != "" {
		lang = l
	}
	lang = strings.TrimSpace(lang)
	markRoot(ra.Node, lang)

	var raw strings.Builder
	if err := html.Render(&raw, ra.Node); err != nil {
		return nil, fmt.Errorf("%w: render content: %w", ErrNotArticle, err)
	}
	baseStr := ""
	if base != nil {
		baseStr = base.String()
	}
	content := sanitize.HTML(raw.String(), baseStr)
	text := plainText(content)
	chars, linkChars := textCounts(content)
	switch {
	case chars < minChars:
		return nil, fmt.Errorf("%w: only %d characters of text (at least %d needed)", ErrNotArticle, chars, minChars)
	case float64(linkChars) > maxLinkDensity*float64(chars):
		return nil, fmt.Errorf("%w: the text is mostly links (%d of %d characters)", ErrNotArticle, linkChars, chars)
	}
	return &Article{
		Title:       sanitize.Text(ra.Title()),
		ContentHTML: content,
		Text:        text,
		Byline:      sanitize.Text(ra.Byline()),
		Lang:        lang,
	}, nil
}

// runReadability runs the readability parser on doc. The parser is
// third-party code run on untrusted pages inside a long-lived daemon; a
// panic in it (none is known: see FuzzExtractHTML) is turned into an
// error for this page rather than allowed to stop the program.
func runReadability(doc *html.Node, base *url.URL) (ra readability.Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("readability failed: %v", r)
		}
	}()
	p := readability.NewParser()
	p.Logger = slog.New(slog.DiscardHandler)
	return p.ParseAndMutate(doc, base)
}

// markRoot prepares the extracted tree for publishing elsewhere: it
// removes id and class attributes (they mean something only on the source
// site, and ids would clash between entries on one page), and gives the
// root element the page's lang and, when most of the letters are of a
// right-to-left script, dir="rtl", so that readers lay it out right.
func markRoot(root *html.Node, lang string) {
	rtl, ltr := 0, 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			for _, r := range n.Data {
				switch {
				case unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana, unicode.Nko):
					rtl++
				case unicode.IsLetter(r):
					ltr++
				}
			}
		case html.ElementNode:
			attrs := n.Attr[:0]
			for _, a := range n.Attr {
				if a.Namespace == "" && (a.Key == "id" || a.Key == "class") {
					continue
				}
				attrs = append(attrs, a)
			}
			n.Attr = attrs
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if root.Type != html.ElementNode {
		return
	}
	if lang != "" {
		root.Attr = append(root.Attr, html.Attribute{Key: "lang", Val: lang})
	}
	if rtl > ltr {
		root.Attr = append(root.Attr, html.Attribute{Key: "dir", Val: "rtl"})
	}
}

// defaultFilterWords is built on first use and never changed.
var defaultFilterWords = sync.OnceValue(newFilterWords)

// htmlType reports whether the page is HTML, and its media type. A
// missing or generic Content-Type is decided by sniffing the bytes.
func htmlType(page []byte, contentType string) (string, bool) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(page))
	}
	switch mt {
	case "text/html", "application/xhtml+xml":
		return mt, true
	}
	if mt == "" {
		mt = "of an unknown type"
	}
	return mt, false
}

// countElements counts the elements of n's subtree, stopping at limit.
func countElements(n *html.Node, limit int) int {
	count := 0
	var walk func(*html.Node) bool
	walk = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				count++
				if count >= limit {
					return false
				}
			}
			if !walk(c) {
				return false
			}
		}
		return true
	}
	walk(n)
	return count
}

// baseURL returns the URL that relative links resolve against: the
// page's first <base href>, resolved against pageURL, when it is http(s);
// else pageURL; nil when neither is an absolute http(s) URL.
func baseURL(doc *html.Node, pageURL string) *url.URL {
	page, err := url.Parse(strings.TrimSpace(pageURL))
	if err != nil || !isHTTP(page) {
		page = nil
	}
	if b := findFirst(doc, atom.Base, "href"); b != "" {
		if ref, err := url.Parse(strings.TrimSpace(b)); err == nil {
			if page != nil {
				ref = page.ResolveReference(ref)
			}
			if isHTTP(ref) {
				return ref
			}
		}
	}
	return page
}

func isHTTP(u *url.URL) bool {
	return u != nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// docLang returns the lang attribute of the <html> element.
func docLang(doc *html.Node) string {
	return findFirst(doc, atom.Html, "lang")
}

// findFirst returns the value of attribute key on the first element a
// (in document order) that has it, or "".
func findFirst(n *html.Node, a atom.Atom, key string) string {
	if n.Type == html.ElementNode && n.DataAtom == a {
		for _, at := range n.Attr {
			if at.Key == key && at.Namespace == "" {
				return at.Val
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if v := findFirst(c, a, key); v != "" {
			return v
		}
	}
	return ""
}

// textCounts counts the non-space characters of an HTML fragment's text
// and of its link text.
func textCounts(fragment string) (chars, linkChars int) {
	z := html.NewTokenizer(strings.NewReader(fragment))
	inLink := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return chars, linkChars
		case html.TextToken:
			n := 0
			for _, r := range string(z.Text()) {
				if !unicode.IsSpace(r) && !unicode.IsControl(r) {
					n++
				}
			}
			chars += n
			if inLink > 0 {
				linkChars += n
			}
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "a" {
				inLink++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "a" && inLink > 0 {
				inLink--
			}
		}
	}
}
