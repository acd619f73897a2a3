package publish

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

//go:embed page.html
var pageHTML string

// pageTemplate is parsed once; it is immutable after init.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// pageItems is how many items the page lists.
const pageItems = 50

type pageData struct {
	Title        string
	Feeds        []pageFeed
	OPML         string
	Items        []pageItem
	More         string
	Topics       []pageLinks
	Sources      []pageSource
	Generated    string
	GeneratedISO string
}

type pageFeed struct{ Type, Title, Label, Href string }

type pageItem struct {
	Title, Link, Outlet, Time, DateTime, Lang string
	Also                                      []copyRef
}

type pageLinks struct{ Title, Atom, RSS, JSON string }

type pageSource struct {
	Title, Home, Status, Class, Detail string
	LastSuccess, LastSuccessISO        string
	Atom, RSS, JSON                    string
}

func pageTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// renderPage renders the HTML page: the latest items of the merged feed,
// the topics and the sources with their fetch health.
func (h *Handler) renderPage(st *siteState, base string) (*rendered, error) {
	states, err := h.store.SourceStates()
	if err != nil {
		h.log.Warn("page: reading source states", "error", err)
		states = nil
	}
	now := h.now()
	b := newBuilder(st, base, states, now)
	p, err := b.scanPage(h.store, Index{Kind: IndexAll}, feedQuery{limit: pageItems}, nil)
	if err != nil {
		return nil, fmt.Errorf("render page: %w", err)
	}
	d := pageData{
		Title:        st.Title,
		OPML:         base + "opml",
		Generated:    pageTime(now),
		GeneratedISO: now.UTC().Format(time.RFC3339),
	}
	for _, f := range []format{formatAtom, formatRSS, formatJSON} {
		d.Feeds = append(d.Feeds, pageFeed{
			Type: f.linkType(), Title: st.Title + " (" + [...]string{"Atom", "RSS", "JSON Feed"}[f] + ")",
			Label: [...]string{"Atom", "RSS", "JSON Feed"}[f], Href: base + feedPath(Index{Kind: IndexAll}, f),
		})
	}
	if p.next != "" {
		d.More = base + feedPath(Index{Kind: IndexAll}, formatAtom) + "?" + url.Values{"before": {p.next}}.Encode()
	}
	for _, e := range p.entries {
		when := e.Published
		if when.IsZero() {
			when = e.Updated
		}
		d.Items = append(d.Items, pageItem{
			Title: e.Title, Link: e.Link, Outlet: e.Source.Title, Lang: e.Language,
			Time: pageTime(when), DateTime: when.UTC().Format(time.RFC3339), Also: e.Also,
		})
	}
	links := func(idx Index) (string, string, string) {
		return base + feedPath(idx, formatAtom), base + feedPath(idx, formatRSS), base + feedPath(idx, formatJSON)
	}
	for _, t := range st.Topics {
		l := pageLinks{Title: plainTitle(st.topics[t.ID].Title)}
		l.Atom, l.RSS, l.JSON = links(Index{Kind: IndexTopic, Name: t.ID})
		d.Topics = append(d.Topics, l)
	}
	for _, src := range st.Sources {
		if !src.Enabled {
			continue
		}
		s := sourceHealth(b.states[src.Name])
		s.Title = b.outletTitle(src.Name)
		s.Home = httpURL(b.states[src.Name].FeedLink)
		s.Atom, s.RSS, s.JSON = links(Index{Kind: IndexSource, Name: src.Name})
		d.Sources = append(d.Sources, s)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, &d); err != nil {
		return nil, fmt.Errorf("render page: %w", err)
	}
	return h.cache.newRendered(buf.Bytes(), "text/html; charset=utf-8", time.Time{})
}

// sourceHealth summarises a source's fetch state for the page.
func sourceHealth(s news.SourceState) pageSource {
	var p pageSource
	p.LastSuccess = pageTime(s.LastSuccess)
	if !s.LastSuccess.IsZero() {
		p.LastSuccessISO = s.LastSuccess.UTC().Format(time.RFC3339)
	}
	switch {
	case s.Gone:
		p.Status, p.Class = "gone", "bad"
		p.Detail = "the server answered 410 Gone; fix the URL in the config"
	case s.Error != "":
		p.Status, p.Class = "failing", "bad"
		p.Detail = truncateRunes(cleanText(s.Error), 200)
		if s.Failures > 1 {
			p.Status += " (" + strconv.Itoa(s.Failures) + " times in a row)"
		}
	case s.LastAttempt.IsZero() && s.LastSuccess.IsZero():
		p.Status, p.Class = "not fetched yet", "idle"
	default:
		p.Status, p.Class = "ok", "ok"
	}
	return p
}
