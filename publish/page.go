package publish

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aggregatord/aggregatord/news"
)

//go:embed page.html
var pageHTML string

// pageTemplate is parsed once; it is immutable after init.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// Bounds of what a page shows.
const (
	// pageItems is how many stories a list page shows.
	pageItems = 50
	// snippetRunes bounds an item's summary snippet.
	snippetRunes = 280
	// snippetSourceBytes bounds how much of an item's HTML is read to make
	// a snippet when it has no summary.
	snippetSourceBytes = 8 << 10
)

// view is one kind of HTML page.
type view int

const (
	viewHome    view = iota // /: the latest stories, filtered by ?topic=, ?source=, ?q=
	viewTopic               // /topics/{id}: one topic's stories and chart
	viewSource              // /sources/{name}: one source's items and health
	viewTopics              // /topics: every topic with its chart
	viewSources             // /sources: every source's health
)

// pageRequest is a validated request for an HTML page.
type pageRequest struct {
	view   view
	topic  string // the topic filter (home) or the page's topic
	source string // the source filter (home) or the page's source
	q      string
	before string
}

// path is the page's path relative to the base URL.
func (pr pageRequest) path() string {
	switch pr.view {
	case viewTopic:
		return topicPagePath(pr.topic)
	case viewSource:
		return sourcePagePath(pr.source)
	case viewTopics:
		return "topics"
	case viewSources:
		return "sources"
	}
	return ""
}

// values are the canonical query parameters of the page, with cursor
// before.
func (pr pageRequest) values(before string) url.Values {
	v := url.Values{}
	if pr.view == viewHome {
		if pr.topic != "" {
			v.Set("topic", pr.topic)
		}
		if pr.source != "" {
			v.Set("source", pr.source)
		}
	}
	if pr.q != "" {
		v.Set("q", pr.q)
	}
	if before != "" {
		v.Set("before", before)
	}
	return v
}

// isList reports whether the page lists stories.
func (pr pageRequest) isList() bool {
	return pr.view == viewHome || pr.view == viewTopic || pr.view == viewSource
}

func topicPagePath(id string) string    { return "topics/" + url.PathEscape(id) }
func sourcePagePath(name string) string { return "sources/" + url.PathEscape(name) }

// pageHandler serves the HTML pages of kind v.
func (h *Handler) pageHandler(v view) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := h.site.Load()
		base, baseKey := baseFor(st, r)
		pr, err := parsePageRequest(st, v, r)
		if err != nil {
			h.failPage(w, r, st, base, pr, err)
			return
		}
		now := h.now()
		key := "page\x00" + baseKey + "\x00" + pr.path() + "\x00" + pr.values(pr.before).Encode()
		res, err := h.cache.lookup(key, h.store.Generation(), st.version, func() time.Time { return now }, func() (*rendered, error) {
			return h.renderHTML(st, base, pr, now)
		})
		if err != nil {
			h.failPage(w, r, st, base, pr, err)
			return
		}
		serveRendered(w, r, res, st.cacheControl)
	}
}

// parsePageRequest validates a page request. The pageRequest is returned
// even with an error, so that an error page can show the form.
func parsePageRequest(st *siteState, v view, r *http.Request) (pageRequest, error) {
	pr := pageRequest{view: v}
	switch v {
	case viewTopic:
		pr.topic = r.PathValue("id")
		if _, ok := st.topics[pr.topic]; !ok {
			return pageRequest{view: viewTopics}, &requestError{status: http.StatusNotFound, msg: fmt.Sprintf("No topic %q is configured.", truncateRunes(cleanText(pr.topic), 60))}
		}
	case viewSource:
		pr.source = r.PathValue("name")
		if _, ok := st.sources[pr.source]; !ok {
			return pageRequest{view: viewSources}, &requestError{status: http.StatusNotFound, msg: fmt.Sprintf("No source %q is configured.", truncateRunes(cleanText(pr.source), 60))}
		}
	case viewTopics, viewSources:
		return pr, nil // they take no parameters
	}
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return pr, badRequest("The address has a malformed query string: %v", err)
	}
	if v == viewHome {
		if t := values.Get("topic"); t != "" {
			if _, ok := st.topics[t]; !ok {
				return pr, &requestError{status: http.StatusNotFound, msg: fmt.Sprintf("No topic %q is configured; pick one from the list.", truncateRunes(cleanText(t), 60))}
			}
			pr.topic = t
		}
		if s := values.Get("source"); s != "" {
			if _, ok := st.sources[s]; !ok {
				return pr, &requestError{status: http.StatusNotFound, msg: fmt.Sprintf("No source %q is configured; pick one from the list.", truncateRunes(cleanText(s), 60))}
			}
			pr.source = s
		}
	}
	fq, err := parseFeedQuery(url.Values{"q": values["q"], "before": values["before"]})
	pr.q = fq.q
	if err != nil {
		if !utf8.ValidString(pr.q) || len(pr.q) > maxQueryLen {
			pr.q = ""
		}
		return pr, err
	}
	pr.before = fq.before
	return pr, nil
}

// pageData is what the page template renders.
type pageData struct {
	Title        string // the document title
	Site         string
	Heading      string
	Lead         string
	Nav          pageNav
	Alternates   []pageFeed
	Error        *pageError
	Form         *pageForm
	List         bool
	Items        []pageItem
	Empty        string // shown when a list has no items
	Newer, Older string // paging links
	Chart        *chart
	Source       *pageSource // the source of a source page
	TopicRows    []pageTopic
	SourceCards  []pageSource
	// SourceSummary counts the sources by health, on the sources page.
	SourceSummary string
	Feeds         []feedLinks // this page's feeds
	TopFeed       *feedLinks  // the feed of a topic or source page, near its top
	Home          *homeAside  // the home page's topics, sources and feeds
	Generated     string
	GeneratedISO  string

	refresh time.Time // when the page goes stale before CacheMaxAge; zero: it does not
}

type pageNav struct {
	Current                                string // "home", "topics", "sources" or ""
	Home, Topics, Sources, Subscribe, OPML string
}

type pageError struct{ Title, Message string }

type pageFeed struct{ Type, Title, Href string }

type feedLinks struct{ Title, Atom, RSS, JSON string }

type pageForm struct {
	Action  string
	Topics  []formOption // nil: no topic select
	Sources []formOption // nil: no source select
	Q       string
	Clear   string // link to the unfiltered page, when filtered
}

type formOption struct {
	Value, Label string
	Selected     bool
}

type pageItem struct {
	Title, Link, Lang, Snippet   string
	Outlet, OutletPage           string
	Relative, Absolute, DateTime string
	Topics                       []pageChip
	Also                         []copyRef
}

type pageChip struct{ Title, URL string }

type pageTopic struct {
	Title, URL, Count string
	Chart             *chart
	Atom, RSS, JSON   string
}

type pageSource struct {
	Name, Title, Page, Home, FeedURL            string
	Status, Class, Detail                       string
	LastSuccess, LastSuccessISO, LastSuccessAbs string
	LastAttempt, LastAttemptISO, LastAttemptAbs string
	HTTPStatus                                  string
	Next, NextISO, NextAbs                      string
	Items                                       string
	Atom, RSS, JSON                             string
}

type homeAside struct {
	Topics                  []pageChip
	TopicsPage, SourcesPage string
	Sources                 []pageSource
	Summary                 string
	Feeds                   []feedLinks
	OPML                    string
}

// pageTime formats an absolute time for the page: UTC, to the minute.
func pageTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// isoTime formats t for a datetime attribute.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// relTime says how long before now t was ("5 min ago"), or after now
// ("in 5 min"), falling back to the date beyond a week.
func relTime(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	ago := true
	if d < 0 {
		d, ago = -d, false
	}
	var s string
	switch {
	case d < time.Minute:
		if ago {
			return "just now"
		}
		return "in a moment"
	case d < time.Hour:
		s = strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		s = strconv.Itoa(int(d/time.Hour)) + " h"
	case d < 8*24*time.Hour:
		s = strconv.Itoa(int(d/(24*time.Hour))) + " days"
	default:
		return t.UTC().Format("2 Jan 2006")
	}
	if ago {
		return s + " ago"
	}
	return "in " + s
}

// base data common to every page.
func (h *Handler) newPageData(st *siteState, base string, now time.Time) *pageData {
	d := &pageData{
		Site: st.Title,
		Nav: pageNav{
			Home: base, Topics: base + "topics", Sources: base + "sources",
			Subscribe: base + "#subscribe", OPML: base + "opml",
		},
		Generated:    pageTime(now),
		GeneratedISO: isoTime(now),
	}
	return d
}

// feedsOf returns the three formats of the feed of idx, with query v.
func feedsOf(base, title string, idx Index, v url.Values) feedLinks {
	return feedLinks{
		Title: title,
		Atom:  withQuery(base+feedPath(idx, formatAtom), v),
		RSS:   withQuery(base+feedPath(idx, formatRSS), v),
		JSON:  withQuery(base+feedPath(idx, formatJSON), v),
	}
}

// alternates returns link rel="alternate" entries for f's formats.
func alternates(f feedLinks) []pageFeed {
	return []pageFeed{
		{Type: formatAtom.linkType(), Title: f.Title + " (Atom)", Href: f.Atom},
		{Type: formatRSS.linkType(), Title: f.Title + " (RSS)", Href: f.RSS},
		{Type: formatJSON.linkType(), Title: f.Title + " (JSON Feed)", Href: f.JSON},
	}
}

// renderHTML renders one page.
func (h *Handler) renderHTML(st *siteState, base string, pr pageRequest, now time.Time) (*rendered, error) {
	states, err := h.store.SourceStates()
	if err != nil {
		h.log.Warn("page: reading source states", "error", err)
		states = nil
	}
	b := newBuilder(st, base, states, now)
	d := h.newPageData(st, base, now)
	switch pr.view {
	case viewTopics:
		err = h.fillTopics(d, b, now)
	case viewSources:
		h.fillSources(d, b)
	default:
		err = h.fillList(d, b, pr)
	}
	if err != nil {
		return nil, err
	}
	res, err := h.execPage(d)
	if err != nil {
		return nil, err
	}
	// Pages show source health and relative times, which change without
	// the items changing: keep them no longer than clients may, and
	// counts from before a store change no longer than until they are
	// counted again.
	res.expires = now.Add(st.CacheMaxAge)
	if !d.refresh.IsZero() && d.refresh.Before(res.expires) {
		res.expires = d.refresh
	}
	return res, nil
}

// execPage executes the template into a cacheable response.
func (h *Handler) execPage(d *pageData) (*rendered, error) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render page: %w", err)
	}
	return h.cache.newRendered(buf.Bytes(), "text/html; charset=utf-8", time.Time{})
}

// listFrame fills what a list page shows besides its items, so that an
// error page for a bad query can show it too: headings, the form, the
// feeds and the alternate links.
func listFrame(d *pageData, b *builder, pr pageRequest) {
	st, base := b.site, b.base
	form := &pageForm{Q: pr.q}
	// The feeds of what the page shows: its topic's, its source's.
	type feed struct {
		title string
		idx   Index
	}
	var shown []feed
	switch pr.view {
	case viewTopic:
		t, _ := st.topicTitle(pr.topic)
		d.Heading = plainTitle(t)
		d.Lead = "Stories about " + plainTitle(t) + " from every source."
		d.Nav.Current = "topics"
		form.Action = base + topicPagePath(pr.topic)
		shown = append(shown, feed{plainTitle(t), Index{Kind: IndexTopic, Name: pr.topic}})
	case viewSource:
		d.Heading = b.outletTitle(pr.source)
		d.Lead = "Items from " + b.outletTitle(pr.source) + "."
		d.Nav.Current = "sources"
		form.Action = base + sourcePagePath(pr.source)
		shown = append(shown, feed{b.outletTitle(pr.source), Index{Kind: IndexSource, Name: pr.source}})
	default:
		d.Heading = "Latest stories"
		d.Nav.Current = "home"
		form.Action = base
		form.Topics = []formOption{}
		for _, t := range st.Topics {
			form.Topics = append(form.Topics, formOption{Value: t.ID, Label: plainTitle(st.topics[t.ID].Title), Selected: t.ID == pr.topic})
		}
		form.Sources = []formOption{}
		for _, s := range st.Sources {
			form.Sources = append(form.Sources, formOption{Value: s.Name, Label: b.outletTitle(s.Name), Selected: s.Name == pr.source})
		}
		var parts []string
		if pr.topic != "" {
			t, _ := st.topicTitle(pr.topic)
			parts = append(parts, "about "+plainTitle(t))
			shown = append(shown, feed{plainTitle(t), Index{Kind: IndexTopic, Name: pr.topic}})
		}
		if pr.source != "" {
			parts = append(parts, "from "+b.outletTitle(pr.source))
			shown = append(shown, feed{b.outletTitle(pr.source), Index{Kind: IndexSource, Name: pr.source}})
		}
		if len(parts) > 0 {
			d.Heading = "Stories " + strings.Join(parts, ", ")
			form.Clear = base
		}
	}
	var feeds []feedLinks
	if pr.q != "" {
		q := url.Values{"q": {pr.q}}
		d.Lead = strings.TrimSpace(d.Lead + " Matching: " + plainTitle(pr.q))
		form.Clear = form.Action
		// First the feeds of exactly what the page shows, when one
		// feed can: the search applied to its index.
		switch len(shown) {
		case 0:
			feeds = append(feeds, feedsOf(base, "All stories matching "+plainTitle(pr.q), Index{Kind: IndexAll}, q))
		case 1:
			feeds = append(feeds, feedsOf(base, shown[0].title+" matching "+plainTitle(pr.q), shown[0].idx, q))
		}
	}
	for _, f := range shown {
		feeds = append(feeds, feedsOf(base, f.title, f.idx, nil))
	}
	if pr.view == viewTopic { // a source page's card links its feed
		d.TopFeed = &feeds[0]
	}
	d.Feeds = append(feeds, feedsOf(base, "All stories", Index{Kind: IndexAll}, nil))
	for _, f := range d.Feeds {
		d.Alternates = append(d.Alternates, alternates(f)...)
	}
	d.Form = form
	d.Title = d.Heading + " — " + st.Title
	if pr.view == viewHome && len(shown) == 0 {
		d.Title = st.Title
	}
	if pr.q != "" {
		d.Title = plainTitle(pr.q) + " — " + d.Title
	}
}

// fillList fills a list page: home, topic or source.
func (h *Handler) fillList(d *pageData, b *builder, pr pageRequest) error {
	listFrame(d, b, pr)
	var filter func(*news.Item) bool
	if pr.q != "" {
		if h.query == nil {
			return badRequest("Search is not supported by this server.")
		}
		f, err := h.query(pr.q)
		if err != nil {
			return badRequest("%v", err)
		}
		if f == nil {
			return badRequest("The query matches nothing.")
		}
		filter = f
	}
	idx := Index{Kind: IndexAll}
	switch {
	case pr.source != "":
		idx = Index{Kind: IndexSource, Name: pr.source}
		if pr.topic != "" {
			topic, q := pr.topic, filter
			filter = func(it *news.Item) bool {
				for _, t := range it.Topics {
					if t == topic {
						return q == nil || q(it)
					}
				}
				return false
			}
		}
	case pr.topic != "":
		idx = Index{Kind: IndexTopic, Name: pr.topic}
	}
	p, err := b.scanPage(h.store, idx, feedQuery{limit: pageItems, before: pr.before}, filter)
	var re *requestError
	if errors.As(err, &re) && pr.before != "" {
		return badRequest("The address holds a paging cursor this server did not make; start again from the newest stories.")
	}
	if err != nil {
		return err
	}
	d.List = true
	for _, e := range p.entries {
		d.Items = append(d.Items, b.pageItem(e))
	}
	base := b.base + pr.path()
	if p.next != "" {
		d.Older = withQuery(base, pr.values(p.next))
	}
	if pr.before != "" {
		d.Newer = withQuery(base, pr.values(""))
	}
	switch {
	case pr.before != "" && len(d.Items) == 0 && p.next == "":
		d.Empty = "No older stories."
	case pr.q != "" && len(d.Items) == 0 && p.next != "":
		d.Empty = "No matching stories on this page; older stories may match."
	case pr.q != "" || pr.topic != "" && pr.source != "":
		d.Empty = "No stories match."
	default:
		d.Empty = "No stories yet."
	}
	switch pr.view {
	case viewTopic:
		stats, err := h.topicCounts(b.site, b.now)
		if err != nil {
			return err
		}
		t, _ := b.site.topicTitle(pr.topic)
		d.Chart = stats.chart(pr.topic, plainTitle(t), 1, true)
		d.refresh = h.statsRefresh(stats)
	case viewSource:
		s := h.sourceCard(b, pr.source)
		d.Source = &s
	case viewHome:
		d.Home = h.homeAside(b)
	}
	return nil
}

// pageItem converts an entry for the page.
func (b *builder) pageItem(e entry) pageItem {
	when := e.Published
	if when.IsZero() {
		when = e.Updated
	}
	it := pageItem{
		Title: e.Title, Link: e.Link, Lang: e.Language,
		Outlet: e.Source.Title, OutletPage: b.base + sourcePagePath(e.Source.Name),
		Relative: relTime(b.now, when), Absolute: pageTime(when), DateTime: isoTime(when),
		Also: e.Also,
	}
	for _, t := range e.Topics {
		it.Topics = append(it.Topics, pageChip{Title: t.Title, URL: b.base + topicPagePath(t.ID)})
	}
	text := e.SummaryText
	if text == "" {
		body := e.Body
		if len(body) > snippetSourceBytes {
			body = body[:snippetSourceBytes]
		}
		text = htmlText(body)
	}
	if text != "" && text != e.Title {
		it.Snippet = truncateRunes(text, snippetRunes)
	}
	return it
}

// fillTopics fills the topics page.
func (h *Handler) fillTopics(d *pageData, b *builder, now time.Time) error {
	st, base := b.site, b.base
	d.Heading = "Topics"
	d.Title = "Topics — " + st.Title
	d.Nav.Current = "topics"
	d.Lead = fmt.Sprintf("Stories per day over the last %d days (UTC), newest on the right.", chartDays)
	if len(st.Topics) == 0 {
		d.Lead = "No topics are configured."
	}
	stats, err := h.topicCounts(st, now)
	if err != nil {
		return err
	}
	d.refresh = h.statsRefresh(stats)
	for i, t := range st.Topics {
		title := plainTitle(st.topics[t.ID].Title)
		f := feedsOf(base, title, Index{Kind: IndexTopic, Name: t.ID}, nil)
		c := stats.chart(t.ID, title, i+1, false)
		d.TopicRows = append(d.TopicRows, pageTopic{
			Title: title, URL: base + topicPagePath(t.ID), Count: c.Count,
			Chart: c, Atom: f.Atom, RSS: f.RSS, JSON: f.JSON,
		})
	}
	d.Feeds = []feedLinks{feedsOf(base, "All stories", Index{Kind: IndexAll}, nil)}
	d.Alternates = alternates(d.Feeds[0])
	return nil
}

// fillSources fills the sources page.
func (h *Handler) fillSources(d *pageData, b *builder) {
	st := b.site
	d.Heading = "Sources"
	d.Title = "Sources — " + st.Title
	d.Nav.Current = "sources"
	var bad, rest []pageSource
	for _, src := range st.Sources {
		c := h.sourceCard(b, src.Name)
		if c.Class == "bad" {
			bad = append(bad, c)
		} else {
			rest = append(rest, c)
		}
	}
	// Failing sources first: they are what an operator comes to see.
	d.SourceCards = append(bad, rest...)
	d.SourceSummary = healthSummary(d.SourceCards)
	if len(d.SourceCards) == 0 {
		d.Lead = "No sources are configured."
		d.SourceSummary = ""
	}
	d.Feeds = []feedLinks{feedsOf(b.base, "All stories", Index{Kind: IndexAll}, nil)}
	d.Alternates = alternates(d.Feeds[0])
}

// healthSummary counts sources by health: "12 sources: 10 ok, 2 failing."
func healthSummary(cards []pageSource) string {
	var ok, bad, idle int
	for _, c := range cards {
		switch c.Class {
		case "ok":
			ok++
		case "bad":
			bad++
		default:
			idle++
		}
	}
	s := plural(len(cards), "source", "sources") + ": " + strconv.Itoa(ok) + " ok, " + strconv.Itoa(bad) + " failing"
	if idle > 0 {
		s += ", " + strconv.Itoa(idle) + " not fetched yet or disabled"
	}
	return s + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// homeAside is the home page's topics, source health and feed list.
func (h *Handler) homeAside(b *builder) *homeAside {
	st, base := b.site, b.base
	a := &homeAside{TopicsPage: base + "topics", SourcesPage: base + "sources", OPML: base + "opml"}
	a.Feeds = append(a.Feeds, feedsOf(base, "All stories", Index{Kind: IndexAll}, nil))
	for _, t := range st.Topics {
		title := plainTitle(st.topics[t.ID].Title)
		a.Topics = append(a.Topics, pageChip{Title: title, URL: base + topicPagePath(t.ID)})
		a.Feeds = append(a.Feeds, feedsOf(base, "Topic: "+title, Index{Kind: IndexTopic, Name: t.ID}, nil))
	}
	var bad, rest []pageSource
	for _, src := range st.Sources {
		s := sourceHealth(b.states[src.Name], src.Enabled, b.now)
		s.Name, s.Title, s.Page = src.Name, b.outletTitle(src.Name), base+sourcePagePath(src.Name)
		if s.Class == "bad" {
			bad = append(bad, s)
		} else {
			rest = append(rest, s)
		}
		a.Feeds = append(a.Feeds, feedsOf(base, "Source: "+s.Title, Index{Kind: IndexSource, Name: src.Name}, nil))
	}
	a.Sources = append(bad, rest...)
	a.Summary = healthSummary(a.Sources)
	return a
}

// sourceCard describes one configured source's health for the pages.
func (h *Handler) sourceCard(b *builder, name string) pageSource {
	src := b.site.sources[name]
	state := b.states[name]
	s := sourceHealth(state, src.Enabled, b.now)
	s.Name = name
	s.Title = b.outletTitle(name)
	s.Page = b.base + sourcePagePath(name)
	s.Home = httpURL(state.FeedLink)
	s.FeedURL = httpURL(src.URL)
	f := feedsOf(b.base, s.Title, Index{Kind: IndexSource, Name: name}, nil)
	s.Atom, s.RSS, s.JSON = f.Atom, f.RSS, f.JSON
	if h.stats != nil {
		items, next := h.stats(name)
		s.Items = strconv.Itoa(items)
		if !next.IsZero() && src.Enabled {
			s.Next, s.NextISO, s.NextAbs = relTime(b.now, next), isoTime(next), pageTime(next)
		}
	}
	return s
}

// sourceHealth summarises a source's fetch state for the pages.
func sourceHealth(s news.SourceState, enabled bool, now time.Time) pageSource {
	var p pageSource
	p.LastSuccess, p.LastSuccessISO, p.LastSuccessAbs = relTime(now, s.LastSuccess), isoTime(s.LastSuccess), pageTime(s.LastSuccess)
	if !s.LastAttempt.IsZero() && !s.LastAttempt.Equal(s.LastSuccess) {
		p.LastAttempt, p.LastAttemptISO, p.LastAttemptAbs = relTime(now, s.LastAttempt), isoTime(s.LastAttempt), pageTime(s.LastAttempt)
	}
	if s.Status > 0 {
		p.HTTPStatus = strconv.Itoa(s.Status)
		if t := http.StatusText(s.Status); t != "" {
			p.HTTPStatus += " " + t
		}
	}
	switch {
	case !enabled:
		p.Status, p.Class = "disabled", "idle"
		p.Detail = "Not fetched: enabled = false in the config."
	case s.Gone:
		p.Status, p.Class = "gone", "bad"
		p.Detail = "The server answered 410 Gone; fix the URL in the config."
	case s.Error != "":
		p.Status, p.Class = "failing", "bad"
		if s.Failures > 1 {
			p.Status += " (" + strconv.Itoa(s.Failures) + "×)"
		}
		p.Detail = truncateRunes(plainTitle(s.Error), 300)
	case s.LastAttempt.IsZero() && s.LastSuccess.IsZero():
		p.Status, p.Class = "not fetched yet", "idle"
	default:
		p.Status, p.Class = "ok", "ok"
	}
	return p
}

// failPage answers a page request that could not be served with an HTML
// page saying why: a requestError with its status and message (a list
// page shows its form, so a bad query can be fixed in place), anything
// else with 500 and a log line.
func (h *Handler) failPage(w http.ResponseWriter, r *http.Request, st *siteState, base string, pr pageRequest, err error) {
	status, msg := http.StatusInternalServerError, "The page could not be rendered; the server log says why."
	var re *requestError
	if errors.As(err, &re) {
		status, msg = re.status, re.msg
	} else {
		h.log.Error("publish: serving page failed", "url", r.URL.String(), "error", err)
	}
	now := h.now()
	d := h.newPageData(st, base, now)
	title := "Something went wrong"
	switch status {
	case http.StatusBadRequest:
		title = "That request could not be understood"
		if pr.q != "" && pr.before == "" {
			title = "The search could not be understood"
		}
		if pr.isList() {
			listFrame(d, newBuilder(st, base, nil, now), pr)
		}
	case http.StatusNotFound:
		title = "Not found"
	}
	if d.Heading == "" {
		d.Heading = title
		d.Title = title + " — " + st.Title
		d.Feeds = []feedLinks{feedsOf(base, "All stories", Index{Kind: IndexAll}, nil)}
		d.Alternates = alternates(d.Feeds[0])
	}
	d.Error = &pageError{Title: title, Message: msg}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		h.log.Error("publish: rendering an error page failed", "error", err)
		plain(w, r, status, msg)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}
