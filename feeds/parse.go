package feeds

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aggregatord/aggregatord/news"
	"github.com/mmcdole/gofeed"
	gofeedatom "github.com/mmcdole/gofeed/atom"
	gofeedjson "github.com/mmcdole/gofeed/json"
	gofeedrss "github.com/mmcdole/gofeed/rss"
)

// Size caps applied while parsing. They bound what one hostile or broken
// feed can make aggregatord store; a real feed never comes near them.
const (
	// MaxTitleBytes caps a title (item or feed) after it has been reduced
	// to plain text.
	MaxTitleBytes = 2 << 10
	// MaxHTMLBytes caps an item's Summary and its Content, each, after
	// sanitising.
	MaxHTMLBytes = 512 << 10
	// MaxItems caps the items taken from one feed: the first MaxItems in
	// document order (feeds list their newest first).
	MaxItems = 10000
	// MaxKeyBytes caps Item.Key: a longer GUID (or link, when it is the
	// key) is replaced in the Key by "sha256:" and its hex digest.
	MaxKeyBytes = 512
)

// ErrNotFeed is returned (wrapped) by Parse when the document is not an
// RSS, Atom or JSON Feed document. When it is an HTML page the error is a
// *NotFeedError that names the feeds the page advertises.
var ErrNotFeed = errors.New("not a feed")

// NotFeedError is returned (wrapped) by Parse for an HTML page. errors.Is
// matches it against ErrNotFeed.
type NotFeedError struct {
	// Alternates are the absolute URLs of the feeds the page links to with
	// <link rel="alternate" type="application/rss+xml"> (or atom+xml,
	// feed+json, json), in page order.
	Alternates []string
}

// Error says that an HTML page came instead of a feed and names the
// alternates, so that an operator can fix the source's URL.
func (e *NotFeedError) Error() string {
	if len(e.Alternates) == 0 {
		return "not a feed: got an HTML page that links to no feed"
	}
	return "not a feed: got an HTML page; it links to the feed(s) " + strings.Join(e.Alternates, ", ")
}

// Unwrap returns ErrNotFeed.
func (e *NotFeedError) Unwrap() error { return ErrNotFeed }

// ParseOptions say where a body came from and what to attach to its items.
type ParseOptions struct {
	// ContentType is the HTTP Content-Type; its charset, if any, is used to
	// decode the body.
	ContentType string
	// URL is the feed's URL (after redirects): the base for relative
	// links, and the name used in errors.
	URL string
	// Source is the configured source name, copied to every item.
	Source string
	// Tags are the source's tags, copied to every item.
	Tags []string
	// Now is the fetch time: FirstSeen of every item, the date of items
	// without one, and the upper bound of every date. Zero means
	// time.Now().
	Now time.Time
}

// Feed is a parsed feed with its normalised items.
type Feed struct {
	// Title is plain text.
	Title string `json:"title"`
	// Link is the canonical URL of the site the feed describes, or "".
	Link string `json:"link,omitempty"`
	// ID is the feed's own identifier (Atom id, JSON Feed feed_url), or "".
	ID string `json:"id,omitempty"`
	// Language is a BCP 47 tag, or "".
	Language string `json:"language,omitempty"`
	// Items are in document order, at most MaxItems.
	Items []news.Item `json:"items"`
}

// Parse decodes body (RSS, Atom or JSON Feed, in any encoding the package
// documentation describes) and returns the feed with every entry
// normalised into a news.Item. It never panics. Its errors start with
// "parse " and the URL; an HTML page or another kind of document gives
// ErrNotFeed.
func Parse(body []byte, o ParseOptions) (*Feed, error) {
	f, err := parse(body, o)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", o.URL, err)
	}
	return f, nil
}

func parse(body []byte, o ParseOptions) (*Feed, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("%w: the document is empty", ErrNotFeed)
	}

	doc := toUTF8(body, o.ContentType)
	if looksLikeHTML(doc) {
		return nil, &NotFeedError{Alternates: discoverAlternates(doc, o.URL)}
	}

	gf, err := runGofeed(doc)
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			if mentionsHTML(doc, o.ContentType) {
				return nil, &NotFeedError{Alternates: discoverAlternates(doc, o.URL)}
			}
			return nil, fmt.Errorf("%w: no RSS, Atom or JSON Feed document found", ErrNotFeed)
		}
		return nil, err
	}
	if jf, ok := gf.OriginalFeed().(*gofeedjson.Feed); ok && jf.Version == "" && jf.Items == nil {
		return nil, fmt.Errorf("%w: a JSON document without the version and items of a JSON Feed", ErrNotFeed)
	}
	return normalizeFeed(gf, o), nil
}

// runGofeed parses doc with a fresh gofeed parser that keeps the
// format-specific feed (for RSS isPermaLink, Atom ids and content types,
// JSON Feed content_text). A panic inside gofeed becomes an error.
func runGofeed(doc []byte) (f *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("feed parser failed: %v", r)
		}
	}()
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	// Items never used are not translated, and the HTML of every item is
	// not parsed again to find an image nobody reads: for a feed of 100,000
	// entries these took most of the time and memory of a parse.
	p.RSSTranslator = cappedTranslator{&gofeed.DefaultRSSTranslator{DisableContentImageScan: true}}
	p.AtomTranslator = cappedTranslator{&gofeed.DefaultAtomTranslator{}}
	p.JSONTranslator = cappedTranslator{&gofeed.DefaultJSONTranslator{}}
	f, err = p.Parse(bytes.NewReader(doc))
	if err != nil {
		return nil, describeParseError(err)
	}
	return f, nil
}

// cappedTranslator drops the entries after the first MaxItems of a
// format-specific feed before gofeed translates it to its universal form.
// The format-specific feed keeps only those entries too, so that its
// entries stay aligned with the translated items.
type cappedTranslator struct{ next gofeed.Translator }

// Translate implements gofeed.Translator.
func (c cappedTranslator) Translate(feed any) (*gofeed.Feed, error) {
	switch f := feed.(type) {
	case *gofeedrss.Feed:
		if len(f.Items) > MaxItems {
			f.Items = f.Items[:MaxItems]
		}
	case *gofeedatom.Feed:
		if len(f.Entries) > MaxItems {
			f.Entries = f.Entries[:MaxItems]
		}
	case *gofeedjson.Feed:
		if len(f.Items) > MaxItems {
			f.Items = f.Items[:MaxItems]
		}
	}
	return c.next.Translate(feed)
}

// describeParseError keeps gofeed's error but says what failed.
func describeParseError(err error) error {
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return err
	}
	return fmt.Errorf("malformed feed: %w", err)
}

// formatDetails gives normalisation access to the per-format facts that the
// universal gofeed.Item loses.
type formatDetails struct {
	rss  *gofeedrss.Feed
	atom *gofeedatom.Feed
	json *gofeedjson.Feed
}

func detailsOf(gf *gofeed.Feed) formatDetails {
	var d formatDetails
	switch orig := gf.OriginalFeed().(type) {
	case *gofeedrss.Feed:
		d.rss = orig
	case *gofeedatom.Feed:
		d.atom = orig
	case *gofeedjson.Feed:
		d.json = orig
	}
	return d
}

// permalinkGUID reports whether item i of an RSS feed has a GUID that is
// meant as a link (isPermaLink absent or not "false").
func (d formatDetails) permalinkGUID(i int) bool {
	if d.rss == nil || i >= len(d.rss.Items) {
		return false
	}
	g := d.rss.Items[i].GUID
	return g != nil && !strings.EqualFold(strings.TrimSpace(g.IsPermalink), "false")
}

// textContent reports whether item i's content is plain text rather than
// HTML: a JSON Feed content_text without content_html, or an Atom content
// of type "text" (Atom 1.0) or "text/plain" (Atom 0.3).
func (d formatDetails) textContent(i int) bool {
	switch {
	case d.json != nil && i < len(d.json.Items):
		it := d.json.Items[i]
		return it.ContentHTML == "" && it.ContentText != ""
	case d.atom != nil && i < len(d.atom.Entries):
		c := d.atom.Entries[i].Content
		if c == nil {
			return false
		}
		t := strings.ToLower(strings.TrimSpace(c.Type))
		return t == "text" || t == "text/plain"
	}
	return false
}

// textSummary reports whether summaries are plain text: JSON Feed says so.
// (RSS descriptions are HTML, and gofeed does not keep the type of an Atom
// summary.)
func (d formatDetails) textSummary() bool { return d.json != nil }

// inheritAuthors reports whether entries without an author take the
// feed's, as Atom (RFC 4287, 4.2.1) and JSON Feed 1.1 say they do. RSS has
// no such rule: its channel-level people are editors and webmasters.
func (d formatDetails) inheritAuthors() bool { return d.atom != nil || d.json != nil }

// feedID returns the feed's own identifier, if its format has one.
func (d formatDetails) feedID() string {
	switch {
	case d.atom != nil:
		return strings.TrimSpace(d.atom.ID)
	case d.json != nil:
		return strings.TrimSpace(d.json.FeedURL)
	}
	return ""
}
