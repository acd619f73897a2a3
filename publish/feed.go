package publish

import (
	"errors"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aggregatord/aggregatord/news"
)

// Limits of the ?limit= parameter.
const (
	// DefaultLimit is the number of entries a feed page holds when the
	// request names no limit.
	DefaultLimit = 50
	// MaxLimit is the largest ?limit= accepted; larger values answer 400.
	MaxLimit = 500
	// maxQueryLen bounds ?q= so that a request cannot make us parse megabytes.
	maxQueryLen = 1000
)

// format is one of the three feed formats.
type format int

const (
	formatAtom format = iota
	formatRSS
	formatJSON
)

// formatByExt maps a feed file extension to its format.
var formatByExt = map[string]format{"atom": formatAtom, "rss": formatRSS, "json": formatJSON}

func (f format) ext() string {
	return [...]string{"atom", "rss", "json"}[f]
}

func (f format) contentType() string {
	return [...]string{
		"application/atom+xml; charset=utf-8",
		"application/rss+xml; charset=utf-8",
		"application/feed+json; charset=utf-8",
	}[f]
}

// linkType is the media type used in link elements pointing at a feed.
func (f format) linkType() string {
	return [...]string{"application/atom+xml", "application/rss+xml", "application/feed+json"}[f]
}

// requestError is a client mistake, answered with its status and message.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{status: 400, msg: fmt.Sprintf(format, args...)}
}

// feedQuery is the validated query string of a feed request.
type feedQuery struct {
	limit  int
	q      string
	before string
}

// parseFeedQuery validates limit, q and before. Other parameters are ignored.
func parseFeedQuery(v url.Values) (feedQuery, error) {
	fq := feedQuery{limit: DefaultLimit, q: strings.TrimSpace(v.Get("q")), before: v.Get("before")}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return fq, badRequest("bad limit %q: want a whole number from 1 to %d", truncateRunes(s, 40), MaxLimit)
		}
		fq.limit = n
	}
	if len(fq.q) > maxQueryLen {
		return fq, badRequest("bad q: the query is longer than %d bytes", maxQueryLen)
	}
	if !utf8.ValidString(fq.q) {
		return fq, badRequest("bad q: the query is not valid UTF-8")
	}
	if len(fq.before) > 512 {
		return fq, badRequest("bad before: not a cursor from this server; follow the feed's next link")
	}
	return fq, nil
}

// values returns the canonical query string parameters: limit only when it
// is not the default, q and before only when set.
func (fq feedQuery) values(before string) url.Values {
	v := url.Values{}
	if fq.limit != DefaultLimit {
		v.Set("limit", strconv.Itoa(fq.limit))
	}
	if fq.q != "" {
		v.Set("q", fq.q)
	}
	if before != "" {
		v.Set("before", before)
	}
	return v
}

// withQuery appends an encoded query to u.
func withQuery(u string, v url.Values) string {
	if len(v) == 0 {
		return u
	}
	return u + "?" + v.Encode()
}

// feedPath is the path of a feed relative to the base URL.
func feedPath(idx Index, f format) string {
	switch idx.Kind {
	case IndexSource:
		return "feeds/sources/" + url.PathEscape(idx.Name) + "." + f.ext()
	case IndexTopic:
		return "feeds/topics/" + url.PathEscape(idx.Name) + "." + f.ext()
	}
	return "feeds/all." + f.ext()
}

// feedDoc is one page of a feed, independent of the format it is written in.
// Every string in it is clean: valid XML characters, http(s) links only.
type feedDoc struct {
	Title       string
	Description string
	Home        string // the site's base URL
	ID          string // stable across pages: the feed's URL plus q
	Self        string // this page
	Next        string // the next page, or ""
	Updated     time.Time
	Author      string // the site title
	Entries     []entry
}

// entry is one item as published.
type entry struct {
	ID          string
	Title       string
	Link        string
	Published   time.Time
	Updated     time.Time
	Authors     []string
	Content     string // HTML; the item's content, else its summary, plus "Also reported by"
	Summary     string // HTML summary, set only when Content came from the item's content
	SummaryText string // plain text of the item's summary
	Body        string // HTML; the item's content, else its summary, without "Also reported by"
	Language    string
	Topics      []topicRef
	Source      sourceRef
	Copies      []copyRef // every copy, the shown one included
	Also        []copyRef // other outlets: their copies, then their near duplicates (the item's story)
	Story       uint64    // the item's story id when it has company, else 0
}

type topicRef struct{ ID, Title string }

// sourceRef describes the feed an entry came from.
type sourceRef struct {
	Name    string
	Title   string // configured title, else the feed's own, else the name
	FeedURL string // the original feed's URL (http(s)), or ""
	Home    string // the original feed's home page (http(s)), or ""
	ID      string // the original feed's id (absolute URI), else FeedURL, else ours
	Updated time.Time
}

type copyRef struct {
	Source      string
	SourceTitle string
	Title       string
	URL         string
	Published   time.Time
}

// builder turns stored items into entries for one request.
type builder struct {
	site   *siteState
	base   string // absolute base URL, ends in "/"
	host   string // base URL's host name, for tag: ids
	states map[string]news.SourceState
	now    time.Time
}

func newBuilder(st *siteState, base string, states []news.SourceState, now time.Time) *builder {
	b := &builder{site: st, base: base, now: now, states: make(map[string]news.SourceState, len(states))}
	if u, err := url.Parse(base); err == nil {
		b.host = u.Hostname()
	}
	for _, s := range states {
		b.states[s.Name] = s
	}
	return b
}

// outletTitle names a source: its configured title, else the feed's own
// title, else its name.
func (b *builder) outletTitle(name string) string {
	if src, ok := b.site.sources[name]; ok && strings.TrimSpace(src.Title) != "" {
		return plainTitle(src.Title)
	}
	if s, ok := b.states[name]; ok && strings.TrimSpace(s.FeedTitle) != "" {
		return plainTitle(s.FeedTitle)
	}
	return plainTitle(name)
}

func (b *builder) sourceRef(name string, updated time.Time) sourceRef {
	ref := sourceRef{Name: cleanText(name), Title: b.outletTitle(name), Updated: updated}
	st := b.states[name]
	if src, ok := b.site.sources[name]; ok {
		ref.FeedURL = httpURL(src.URL)
	}
	if ref.FeedURL == "" {
		ref.FeedURL = httpURL(st.URL)
	}
	ref.Home = httpURL(st.FeedLink)
	ref.ID = absoluteID(st.FeedID)
	if ref.ID == "" {
		ref.ID = ref.FeedURL
	}
	if ref.ID == "" {
		ref.ID = b.base + feedPath(Index{Kind: IndexSource, Name: name}, formatAtom)
	}
	return ref
}

// entry converts one stored item. In a source's own feed (idx of kind
// IndexSource) the entry shows that source's copy of the item.
func (b *builder) entry(it news.Item, idx Index) entry {
	shown := it.Source
	link, title, published, ownCopy := it.Link, it.Title, it.Published, false
	if idx.Kind == IndexSource && idx.Name != it.Source {
		for _, c := range it.Copies {
			if c.Source == idx.Name {
				shown, ownCopy = c.Source, true
				if c.Link != "" {
					link = c.Link
				}
				if strings.TrimSpace(c.Title) != "" {
					title = c.Title
				}
				if !c.Published.IsZero() {
					published = c.Published
				}
				break
			}
		}
	}
	e := entry{
		Title:     plainTitle(title),
		Link:      httpURL(link),
		Published: published,
		Updated:   it.Updated,
		Language:  langTag(it.Language),
	}
	if e.Updated.IsZero() || e.Updated.Before(e.Published) {
		e.Updated = e.Published
	}
	if e.Updated.IsZero() {
		e.Updated = it.FirstSeen
	}
	if e.Updated.IsZero() {
		e.Updated = b.now
	}

	// Id: the feed's GUID when it is an absolute URI; else a tag: URI.
	firstSeen := it.FirstSeen
	if firstSeen.IsZero() {
		firstSeen = it.Published
	}
	if ownCopy {
		e.ID = tagID(b.host, firstSeen, it.ID, shown)
	} else if e.ID = absoluteID(it.GUID); e.ID == "" {
		e.ID = tagID(b.host, firstSeen, it.ID, "")
	}

	// The item's authors wrote the shown copy only when it is the item's own.
	for _, a := range it.Authors {
		if ownCopy {
			break
		}
		if a = plainTitle(a); a != "" {
			e.Authors = append(e.Authors, a)
		}
	}
	for _, id := range it.Topics {
		if t, ok := b.site.topicTitle(id); ok {
			e.Topics = append(e.Topics, topicRef{ID: id, Title: plainTitle(t)})
		}
	}
	e.Source = b.sourceRef(shown, e.Updated)

	seen := map[string]bool{}
	for _, c := range it.Copies {
		if seen[c.Source] {
			continue
		}
		seen[c.Source] = true
		ref := copyRef{
			Source: cleanText(c.Source), SourceTitle: b.outletTitle(c.Source),
			Title: plainTitle(c.Title), URL: httpURL(c.Link), Published: c.Published,
		}
		if ref.Title == "" {
			ref.Title = plainTitle(it.Title)
		}
		e.Copies = append(e.Copies, ref)
		if c.Source != shown {
			e.Also = append(e.Also, ref)
		}
	}
	// The other outlets' near duplicates: the items of its story.
	for _, c := range it.Story {
		if seen[c.Source] || c.Source == shown {
			continue
		}
		seen[c.Source] = true
		ref := copyRef{
			Source: cleanText(c.Source), SourceTitle: b.outletTitle(c.Source),
			Title: plainTitle(c.Title), URL: httpURL(c.Link), Published: c.Published,
		}
		if ref.Title == "" {
			ref.Title = untitled()
		}
		e.Also = append(e.Also, ref)
	}
	if len(it.Story) > 0 {
		e.Story = it.StoryID
	}

	body := cleanText(it.Content)
	if strings.TrimSpace(body) == "" {
		body = cleanText(it.Summary)
	} else if strings.TrimSpace(it.Summary) != "" {
		e.Summary = cleanText(it.Summary)
	}
	if strings.TrimSpace(it.Summary) != "" {
		e.SummaryText = htmlText(it.Summary)
	}
	if e.Title == "" {
		e.Title = untitled(e.SummaryText, htmlText(body))
	}
	e.Body = body
	e.Content = body + alsoHTML(e.Also)
	return e
}

// untitled makes a title for an item that has none.
func untitled(texts ...string) string {
	for _, t := range texts {
		if t != "" {
			return truncateRunes(t, 100)
		}
	}
	return "(untitled)"
}

// alsoHTML is the paragraph naming the other outlets that carried an item.
func alsoHTML(also []copyRef) string {
	if len(also) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("<p>Also reported by: ")
	for i, c := range also {
		if i > 0 {
			b.WriteString(", ")
		}
		if c.URL != "" {
			b.WriteString(`<a href="`)
			b.WriteString(html.EscapeString(c.URL))
			b.WriteString(`">`)
			b.WriteString(html.EscapeString(c.SourceTitle))
			b.WriteString("</a>")
		} else {
			b.WriteString(html.EscapeString(c.SourceTitle))
		}
	}
	b.WriteString("</p>")
	return b.String()
}

// page is the outcome of scanning one page of an index.
type page struct {
	entries []entry
	next    string    // cursor of the last item examined, when more may follow
	newest  time.Time // the newest Updated among the entries
}

// scanPage reads up to q.limit items of idx older than q.before that match
// filter. With a filter it examines at most 20×limit+1000 items; when that
// budget runs out the page is short, and next still points past the last
// item examined, so a reader can go on.
func (b *builder) scanPage(s Store, idx Index, q feedQuery, filter func(*news.Item) bool) (page, error) {
	var p page
	budget := 20*q.limit + 1000
	examined := 0
	last, more := "", false
	err := s.Scan(idx, q.before, func(it news.Item, at string) bool {
		if len(p.entries) >= q.limit || (filter != nil && examined >= budget) {
			more = true
			return false
		}
		examined++
		last = at
		if filter != nil && !filter(&it) {
			return true
		}
		e := b.entry(it, idx)
		if e.Updated.After(p.newest) {
			p.newest = e.Updated
		}
		p.entries = append(p.entries, e)
		return true
	})
	if err != nil {
		if errors.Is(err, ErrBadCursor) {
			return p, badRequest("bad before: not a cursor from this server; follow the feed's next link")
		}
		return p, fmt.Errorf("scan %s %q: %w", idx.Kind, idx.Name, err)
	}
	if more {
		p.next = last
	}
	return p, nil
}
