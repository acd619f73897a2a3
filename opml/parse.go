package opml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
)

// Limits on what Parse reads.
const (
	// MaxSize is the largest document Parse reads, in bytes.
	MaxSize = 32 << 20
	// MaxOutlines is the most <outline> elements a document may hold.
	MaxOutlines = 100_000
	// MaxDepth is the deepest nesting of <outline> elements accepted.
	MaxDepth = 64
	// MaxNameLen is the longest name (and tag) Parse makes, in bytes.
	MaxNameLen = 40
	// MaxTags is the most tags one source gets; further ones are dropped.
	MaxTags = 64
	// MaxTitleLen is the longest title kept, in bytes; longer ones are cut.
	MaxTitleLen = 1024
)

// ErrNotOPML is returned (wrapped) by Parse when the document is XML but
// its root element is not <opml> (or the pre-1.0 <outlineDocument>), or
// when it has no root element at all.
var ErrNotOPML = errors.New("not an OPML document")

// ErrTooLarge is returned (wrapped) by Parse when the document exceeds
// MaxSize bytes, MaxOutlines outlines or MaxDepth levels of nesting.
var ErrTooLarge = errors.New("OPML document too large")

// Source is one feed found in the document, ready to become a [[source]].
type Source struct {
	// Name is unique within the Result and matches [a-z0-9-]+.
	Name string
	// Title is the outline's title (else its text), white space folded,
	// at most MaxTitleLen bytes; "" when it has neither.
	Title string
	// URL is the feed's absolute http or https URL, as written in the
	// document apart from surrounding space and a lower-cased scheme.
	URL string
	// Tags are the enclosing folders and the category attribute, slugged
	// to [a-z0-9-]+, without repeats; nil when there are none.
	Tags []string
}

// Skipped is an outline that did not become a source.
type Skipped struct {
	// Title is the outline's title, else its text; may be "".
	Title string
	// URL is the outline's xmlUrl (or url, for links) as written; may be "".
	URL string
	// Line is the 1-based line where the outline's start tag begins.
	Line int
	// Reason says why it was not imported, in words for the operator.
	Reason string
}

// Result is what Parse found.
type Result struct {
	// Title is the document's <head><title>, white space folded.
	Title string
	// Sources are the feeds, in document order, with unique names.
	Sources []Source
	// Skipped are the outlines not imported, in document order.
	Skipped []Skipped
	// Warnings describe problems with the document as a whole that Parse
	// worked around, such as malformed XML it repaired.
	Warnings []string
}

// Parse reads an OPML 1.0, 1.1 or 2.0 document from r and returns its
// feeds. See the package documentation for the rules. Outlines that cannot
// be imported are reported in Result.Skipped, not as errors; the error is
// for a document that cannot be read: an I/O error, malformed XML (the
// message names the line), ErrNotOPML or ErrTooLarge.
func Parse(r io.Reader) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("parse opml: read: %w", err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("parse opml: %w: more than %d bytes", ErrTooLarge, MaxSize)
	}
	data, transcoded := decodeBOM(data)
	res, err := parse(data, transcoded)
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		// Some exporters leave quotes and "<" unescaped in titles. When
		// that is what is wrong, the repaired document reads; otherwise
		// the first error is the one to show.
		if fixed, ok := repairQuoting(data); ok {
			if res2, err2 := parse(fixed, transcoded); err2 == nil {
				res2.Warnings = append(res2.Warnings, fmt.Sprintf(
					"the document is not well-formed XML (line %d: %s); it was read after escaping quotes and \"<\" inside attribute values, so check the titles",
					se.Line, se.Msg))
				return res2, nil
			}
		}
	}
	if se != nil && se.Msg == "invalid UTF-8" {
		return nil, fmt.Errorf("parse opml: %w (the document is not in the encoding it declares, UTF-8 when it declares none;"+
			" if it is in another, name it in the XML declaration, e.g. <?xml version=\"1.0\" encoding=\"windows-1252\"?>)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("parse opml: %w", err)
	}
	return res, nil
}

// parse reads the document data, UTF-8 already if transcoded.
func parse(data []byte, transcoded bool) (*Result, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		return charsetReader(label, input, transcoded)
	}
	p := &parser{
		d:     d,
		res:   &Result{},
		byURL: map[string]int{},
		names: map[string]bool{},
		next:  map[string]int{},
	}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.res, nil
}

// decodeBOM strips a UTF-8 byte-order mark, and transcodes UTF-16 (told by
// its byte-order mark or by the UTF-16 spelling of "<?") to UTF-8. It
// reports whether it transcoded.
func decodeBOM(data []byte) ([]byte, bool) {
	var enc *unicode.Endianness
	be, le := unicode.BigEndian, unicode.LittleEndian
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], false
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		enc, data = &be, data[2:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		enc, data = &le, data[2:]
	case bytes.HasPrefix(data, []byte{0x00, '<', 0x00, '?'}):
		enc = &be
	case bytes.HasPrefix(data, []byte{'<', 0x00, '?', 0x00}):
		enc = &le
	default:
		return data, false
	}
	out, err := unicode.UTF16(*enc, unicode.IgnoreBOM).NewDecoder().Bytes(data)
	if err != nil {
		// The UTF-16 decoder replaces what it cannot decode; an error here
		// is not expected. Leave the bytes to the XML decoder to reject.
		return data, false
	}
	return out, true
}

// charsetReader decodes input from the encoding the XML declaration names.
// The XML decoder only asks for labels other than UTF-8. After a
// byte-order mark was decoded the declaration no longer describes the
// bytes, so input is already UTF-8; a document that names UTF-16 without
// one was evidently read as ASCII, so it is treated as UTF-8 (as browsers
// do).
func charsetReader(label string, input io.Reader, transcoded bool) (io.Reader, error) {
	if transcoded {
		return input, nil
	}
	enc, name := charset.Lookup(label)
	switch {
	case enc == nil || name == "replacement":
		return nil, fmt.Errorf("unsupported encoding %q", label)
	case name == "utf-8" || strings.HasPrefix(name, "utf-16"):
		return input, nil
	}
	return enc.NewDecoder().Reader(input), nil
}

// elemKind is what an open element is to the parser.
type elemKind int

const (
	elemRoot elemKind = iota
	elemHead
	elemHeadTitle
	elemBody
	elemOutline
)

// frame is an open <outline>.
type frame struct {
	title    string
	line     int
	isFeed   bool   // has an xmlUrl (imported or not)
	tag      string // the folder tag it gives its descendants; "" for none
	children bool   // has outlines inside
	skip     string // why a leaf without xmlUrl is reported, "" to ignore it
	url      string // url attribute, for type="link"
}

// parser holds the state of one Parse.
type parser struct {
	d   *xml.Decoder
	res *Result

	elems    []elemKind
	outlines []frame
	count    int
	title    strings.Builder

	byURL map[string]int  // duplicate key of a URL → index in res.Sources
	names map[string]bool // names taken
	next  map[string]int  // next suffix to try for a base name
}

// run reads the token stream up to the end of the root element.
func (p *parser) run() error {
	rootSeen := false
	for {
		line, _ := p.d.InputPos()
		tok, err := p.d.Token()
		if err == io.EOF {
			if !rootSeen {
				return fmt.Errorf("%w: no root element", ErrNotOPML)
			}
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return err // its message names the line
			}
			l, _ := p.d.InputPos()
			return fmt.Errorf("line %d: %w", l, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !rootSeen {
				if !strings.EqualFold(t.Name.Local, "opml") && !strings.EqualFold(t.Name.Local, "outlineDocument") {
					return fmt.Errorf("%w: the root element is <%s>, not <opml>", ErrNotOPML, t.Name.Local)
				}
				rootSeen = true
				p.elems = append(p.elems, elemRoot)
				continue
			}
			if err := p.start(t, line); err != nil {
				return err
			}
		case xml.EndElement:
			if len(p.elems) == 0 {
				continue
			}
			k := p.elems[len(p.elems)-1]
			p.elems = p.elems[:len(p.elems)-1]
			switch k {
			case elemRoot:
				return nil
			case elemHeadTitle:
				p.res.Title = strings.TrimSpace(truncate(foldSpace(p.title.String()), MaxTitleLen))
			case elemOutline:
				p.endOutline()
			}
		case xml.CharData:
			if len(p.elems) > 0 && p.elems[len(p.elems)-1] == elemHeadTitle && p.title.Len() < 4096 {
				p.title.Write(t)
			}
		}
	}
}

// start handles a start tag inside the root element. Elements that do not
// matter are skipped with their contents.
func (p *parser) start(t xml.StartElement, line int) error {
	parent := p.elems[len(p.elems)-1]
	name := t.Name.Local
	var k elemKind
	switch {
	case parent == elemRoot && name == "head":
		k = elemHead
	case parent == elemRoot && name == "body":
		k = elemBody
	case parent == elemHead && name == "title" && p.title.Len() == 0:
		k = elemHeadTitle
	case (parent == elemBody || parent == elemOutline) && name == "outline":
		k = elemOutline
	default:
		if err := p.d.Skip(); err != nil {
			return err
		}
		return nil
	}
	p.elems = append(p.elems, k)
	if k == elemOutline {
		return p.startOutline(t, line)
	}
	return nil
}

// attrs are the outline attributes the parser reads.
type attrs struct {
	title, text, xmlURL, htmlURL, url, typ, category string
}

// readAttrs picks the attributes, matching names without regard to case
// ("xmlurl" is a common misspelling) and ignoring namespaced ones. The
// first of repeated attributes wins.
func readAttrs(as []xml.Attr) attrs {
	var a attrs
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	for _, at := range as {
		if at.Name.Space != "" {
			continue
		}
		switch strings.ToLower(at.Name.Local) {
		case "title":
			set(&a.title, at.Value)
		case "text":
			set(&a.text, at.Value)
		case "xmlurl":
			set(&a.xmlURL, at.Value)
		case "htmlurl":
			set(&a.htmlURL, at.Value)
		case "url":
			set(&a.url, at.Value)
		case "type":
			set(&a.typ, at.Value)
		case "category":
			set(&a.category, at.Value)
		}
	}
	return a
}

// startOutline handles <outline>: a feed is imported at once, so sources
// keep document order; anything else waits for its end tag.
func (p *parser) startOutline(t xml.StartElement, line int) error {
	p.count++
	if p.count > MaxOutlines {
		return fmt.Errorf("line %d: %w: more than %d outlines", line, ErrTooLarge, MaxOutlines)
	}
	if len(p.outlines) >= MaxDepth {
		return fmt.Errorf("line %d: %w: outlines nested more than %d deep", line, ErrTooLarge, MaxDepth)
	}
	if n := len(p.outlines); n > 0 {
		p.outlines[n-1].children = true
	}
	a := readAttrs(t.Attr)
	f := frame{title: foldSpace(a.title), line: line}
	if f.title == "" {
		f.title = foldSpace(a.text)
	}
	f.title = strings.TrimSpace(truncate(f.title, MaxTitleLen))
	typ := strings.ToLower(strings.TrimSpace(a.typ))
	switch {
	case strings.TrimSpace(a.xmlURL) != "":
		f.isFeed = true
		p.feed(f, a, typ)
	case typ == "link" || typ == "include":
		f.url = a.url
		f.skip = fmt.Sprintf("type=%q outline: a link to a web page or another OPML file, not a feed (not followed)", typ)
	case strings.Contains(typ, "rss") || strings.Contains(typ, "atom") || strings.Contains(typ, "feed") || a.htmlURL != "":
		f.skip = "no xmlUrl attribute (the feed's address)"
	}
	if !f.isFeed {
		f.tag = slugify(f.title, MaxNameLen)
	}
	p.outlines = append(p.outlines, f)
	return nil
}

// endOutline reports a leaf outline that looked like a feed but was not.
func (p *parser) endOutline() {
	n := len(p.outlines)
	if n == 0 {
		return
	}
	f := p.outlines[n-1]
	p.outlines = p.outlines[:n-1]
	if !f.isFeed && !f.children && f.skip != "" {
		p.skipped(f, f.url, f.skip)
	}
}

func (p *parser) skipped(f frame, rawURL, reason string) {
	p.res.Skipped = append(p.res.Skipped, Skipped{Title: f.title, URL: strings.TrimSpace(rawURL), Line: f.line, Reason: reason})
}

// isScraper reports whether typ is one of FreshRSS's web-scraping feed
// types ("HTML+XPath", "XML+XPath", "JSON+DotNotation", ...), whose xmlUrl
// is a web page that only FreshRSS knows how to read.
func isScraper(typ string) bool {
	return strings.Contains(typ, "xpath") || strings.Contains(typ, "dotnotation") || strings.Contains(typ, "dotpath")
}

// feed imports the outline f, whose xmlUrl is not blank.
func (p *parser) feed(f frame, a attrs, typ string) {
	u, feedURL, reason := checkURL(a.xmlURL)
	if reason != "" {
		p.skipped(f, a.xmlURL, reason)
		return
	}
	if isScraper(typ) {
		p.skipped(f, a.xmlURL, fmt.Sprintf("type=%q: a FreshRSS web-scraping source, not a feed", a.typ))
		return
	}
	var tags []string
	for _, o := range p.outlines {
		if o.tag != "" {
			tags = addTag(tags, o.tag)
		}
	}
	for _, path := range strings.Split(a.category, ",") {
		for _, seg := range strings.Split(path, "/") {
			if t := slugify(seg, MaxNameLen); t != "" {
				tags = addTag(tags, t)
			}
		}
	}
	key := urlKey(u)
	if i, ok := p.byURL[key]; ok {
		src := &p.res.Sources[i]
		for _, t := range tags {
			src.Tags = addTag(src.Tags, t)
		}
		if src.Title == "" {
			src.Title = f.title
		}
		p.skipped(f, a.xmlURL, fmt.Sprintf("same feed as source %q (tags merged into it)", src.Name))
		return
	}
	p.byURL[key] = len(p.res.Sources)
	p.res.Sources = append(p.res.Sources, Source{
		Name:  p.uniqueName(baseName(f.title, u)),
		Title: f.title,
		URL:   feedURL,
		Tags:  tags,
	})
}

// addTag appends t to tags unless it is there or tags is full.
func addTag(tags []string, t string) []string {
	if len(tags) >= MaxTags || slices.Contains(tags, t) {
		return tags
	}
	return append(tags, t)
}

// checkURL checks a feed URL the way config.Load does (absolute, http or
// https, a host, a valid port) and returns it parsed and as it is to be
// written; reason says what is wrong otherwise.
func checkURL(raw string) (u *url.URL, s, reason string) {
	s = strings.TrimSpace(raw)
	// feed:// is the old "subscribe" pseudo-scheme for http.
	if len(s) >= 5 && strings.EqualFold(s[:5], "feed:") {
		rest := s[5:]
		switch {
		case strings.HasPrefix(rest, "//"):
			s = "http:" + rest
		case len(rest) >= 7 && strings.EqualFold(rest[:7], "http://"), len(rest) >= 8 && strings.EqualFold(rest[:8], "https://"):
			s = rest
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, "", fmt.Sprintf("invalid URL: %v", err)
	}
	switch {
	case !u.IsAbs():
		return nil, "", "not an absolute URL (it needs http:// or https://)"
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, "", fmt.Sprintf("URL scheme %q is not http or https", u.Scheme)
	case u.Opaque != "" || u.Hostname() == "":
		return nil, "", "URL has no host"
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return nil, "", fmt.Sprintf("URL has an invalid port %q", port)
		}
	}
	// url.Parse lower-cases the scheme; write it that way too.
	return u, u.Scheme + s[len(u.Scheme):], ""
}

// urlKey identifies a feed for spotting duplicates: scheme and host
// without regard to case, no default port, no fragment.
func urlKey(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80" || u.Scheme == "https" && p == "443") {
		host += ":" + p
	}
	k := u.Scheme + "://" + host + u.EscapedPath()
	if u.RawQuery != "" || u.ForceQuery {
		k += "?" + u.RawQuery
	}
	return k
}

// foldSpace trims s and folds each run of white space to one space.
func foldSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n bytes, at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
