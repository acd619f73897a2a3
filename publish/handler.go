package publish

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

// Options configures a Handler. Store is required; every other field has a
// working zero value.
type Options struct {
	// Store is where items and source states are read from.
	Store Store
	// Site describes the site; replace it later with SetSite.
	Site Site
	// Logger receives errors the handler cannot show the client (store
	// failures). nil discards them.
	Logger *slog.Logger
	// Ready reports whether the daemon is ready to serve (store open,
	// scheduler running): nil means ready. A nil Ready is always ready.
	Ready func() error
	// Metrics, when non-nil, is served at GET /metrics.
	Metrics http.Handler
	// Query parses a ?q= topic query into a predicate. nil makes every
	// request with a non-empty q answer 400 "queries are not supported".
	Query func(q string) (func(*news.Item) bool, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SourceStats, when non-nil, reports for the sources pages how many
	// items a configured source has stored and when it will next be
	// fetched (zero: not scheduled). nil leaves both out of the pages.
	SourceStats func(name string) (items int, next time.Time)
}

// Handler serves the public, read-only HTTP interface: the HTML page, the
// feeds in three formats, OPML, and the health endpoints. It is safe for
// concurrent use.
type Handler struct {
	store Store
	log   *slog.Logger
	ready func() error
	query func(string) (func(*news.Item) bool, error)
	now   func() time.Time
	stats func(string) (int, time.Time)

	topicStatsMu sync.Mutex // serialises computing topicStats
	topicStats   *topicStats

	siteMu sync.Mutex // serialises SetSite
	site   atomic.Pointer[siteState]

	cache  *respCache
	mux    *http.ServeMux
	routes map[string]string // ServeMux pattern -> route name
}

var _ http.Handler = (*Handler)(nil)

// errNoStore is the outcome of every store read when Options.Store is nil.
var errNoStore = errors.New("no store configured")

// NewHandler returns a Handler serving o.Store under o.Site.
func NewHandler(o Options) *Handler {
	h := &Handler{store: o.Store, log: o.Logger, ready: o.Ready, query: o.Query, now: o.Now, stats: o.SourceStats,
		cache: newRespCache(cacheSize, cacheBytes), routes: map[string]string{}}
	if h.store == nil {
		h.store = noStore{}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.site.Store(newSiteState(o.Site, 1, h.now()))

	h.mux = http.NewServeMux()
	h.handle("home", "GET /{$}", h.pageHandler(viewHome))
	h.handle("topics", "GET /topics", h.pageHandler(viewTopics))
	h.handle("topic", "GET /topics/{id}", h.pageHandler(viewTopic))
	h.handle("sources", "GET /sources", h.pageHandler(viewSources))
	h.handle("source", "GET /sources/{name}", h.pageHandler(viewSource))
	for _, kind := range []IndexKind{IndexAll, IndexTopic, IndexSource} {
		name, pattern := feedRouteNames(kind)
		h.handle(name, pattern, h.feedHandler(kind))
	}
	h.handle("opml", "GET /opml", http.HandlerFunc(h.serveOPML))
	h.handle("healthz", "GET /healthz", http.HandlerFunc(h.serveHealthz))
	h.handle("readyz", "GET /readyz", http.HandlerFunc(h.serveReadyz))
	if o.Metrics != nil {
		h.handle("metrics", "GET /metrics", o.Metrics)
	}
	return h
}

// handle registers hd for pattern under the route name Route reports.
// Before hd runs, a ResponseWriter that is a RouteRecorder is told name.
func (h *Handler) handle(name, pattern string, hd http.Handler) {
	h.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rr, ok := w.(RouteRecorder); ok {
			rr.SetRoute(name)
		}
		hd.ServeHTTP(w, r)
	}))
	h.routes[pattern] = name
}

// RouteRecorder is implemented by a ResponseWriter (a metrics middleware's
// wrapper) that wants the name of the route serving a request without
// routing it a second time with Route. When one of the routes serves the
// request, the Handler calls SetRoute with the name Route would return,
// once, before the route writes anything. It is not called for a request
// that no route serves (Route returns RouteOther for it, or the name of
// the route an internal redirect leads to).
type RouteRecorder interface {
	SetRoute(name string)
}

// RouteOther is what Route returns for a request that no route serves.
const RouteOther = "other"

// Route names the route that serves r, from a fixed set: "home",
// "topics", "topic", "sources", "source", "feed", "topic_feed",
// "source_feed", "opml", "healthz", "readyz", "metrics", and RouteOther
// for a request no route serves (an unknown path, a method other than GET
// or HEAD). It never returns a path, so it suits a metrics label. It does
// not serve r.
func (h *Handler) Route(r *http.Request) string {
	_, pattern := h.mux.Handler(r)
	if name, ok := h.routes[pattern]; ok {
		return name
	}
	return RouteOther
}

// SetSite replaces the site description, for a config reload. Responses
// rendered under the old description are not served again, unless s equals
// it. It is safe to call while requests are being served.
func (h *Handler) SetSite(s Site) {
	h.siteMu.Lock()
	defer h.siteMu.Unlock()
	old := h.site.Load()
	if siteEqual(old.raw, s) {
		return
	}
	h.site.Store(newSiteState(s, old.version+1, h.now()))
}

// ServeHTTP routes a request. Unknown paths answer 404 and known paths
// with another method than GET or HEAD answer 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if kind, file, ok := feedRoute(r); ok {
		// What the mux would do, without its matching: the feeds are the
		// hot path of a feed server (mostly answered 304).
		name, pattern := feedRouteNames(kind)
		if rr, ok := w.(RouteRecorder); ok {
			rr.SetRoute(name)
		}
		r.Pattern = pattern
		h.serveFeed(w, r, kind, file)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// feedRoute recognises a request that the mux routes to one of the feed
// routes without a redirect (GET or HEAD, a clean path without escapes:
// /feeds/FILE, /feeds/topics/FILE or /feeds/sources/FILE), and returns
// the route's kind and the file. ok is false for every other request,
// which then goes through the mux (TestFeedRouteAsMux checks the two
// agree).
func feedRoute(r *http.Request) (kind IndexKind, file string, ok bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || r.URL.RawPath != "" {
		return 0, "", false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/feeds/")
	if !ok {
		return 0, "", false
	}
	kind = IndexAll
	if f, ok := strings.CutPrefix(rest, "topics/"); ok {
		kind, rest = IndexTopic, f
	} else if f, ok := strings.CutPrefix(rest, "sources/"); ok {
		kind, rest = IndexSource, f
	}
	if rest == "" || rest == "." || rest == ".." || strings.IndexByte(rest, '/') >= 0 {
		return 0, "", false
	}
	return kind, rest, true
}

// feedRouteNames returns the route name and mux pattern of the feed
// route of kind, as registered in NewHandler.
func feedRouteNames(kind IndexKind) (name, pattern string) {
	switch kind {
	case IndexTopic:
		return "topic_feed", "GET /feeds/topics/{file}"
	case IndexSource:
		return "source_feed", "GET /feeds/sources/{file}"
	}
	return "feed", "GET /feeds/{file}"
}

// baseFor returns the absolute base URL for r and the part of a cache key
// it contributes: "" when the site's BaseURL is configured.
func baseFor(st *siteState, r *http.Request) (base, key string) {
	if st.base != nil {
		return st.BaseURL, ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(r.Host)
	if host == "" || strings.ContainsFunc(host, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c))
	}) {
		host = "localhost"
	}
	base = scheme + "://" + host + "/"
	return base, base
}

// feedHandler serves /feeds/..., /feeds/topics/... or /feeds/sources/...
func (h *Handler) feedHandler(kind IndexKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h.serveFeed(w, r, kind, r.PathValue("file"))
	}
}

// serveFeed serves file (NAME.EXT) of the feeds of kind.
func (h *Handler) serveFeed(w http.ResponseWriter, r *http.Request, kind IndexKind, file string) {

	dot := strings.LastIndexByte(file, '.')
	if dot < 0 {
		h.fail(w, r, &requestError{status: http.StatusNotFound, msg: "not found: feed names end in .atom, .rss or .json"})
		return
	}
	name, ext := file[:dot], file[dot+1:]
	f, ok := formatByExt[ext]
	if !ok {
		h.fail(w, r, &requestError{status: http.StatusNotFound, msg: fmt.Sprintf("not found: unknown feed format %q; use .atom, .rss or .json", ext)})
		return
	}
	st := h.site.Load()
	idx := Index{Kind: kind, Name: name}
	switch kind {
	case IndexAll:
		if name != "all" {
			h.fail(w, r, &requestError{status: http.StatusNotFound, msg: "not found: the merged feed is /feeds/all." + ext})
			return
		}
		idx.Name = ""
	case IndexTopic:
		if _, ok := st.topics[name]; !ok {
			h.fail(w, r, &requestError{status: http.StatusNotFound, msg: fmt.Sprintf("not found: no topic %q is configured", name)})
			return
		}
	case IndexSource:
		if _, ok := st.sources[name]; !ok {
			h.fail(w, r, &requestError{status: http.StatusNotFound, msg: fmt.Sprintf("not found: no source %q is configured", name)})
			return
		}
	}
	fq := feedQuery{limit: DefaultLimit}
	if r.URL.RawQuery != "" {
		values, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			h.fail(w, r, badRequest("bad query string: %v", err))
			return
		}
		if fq, err = parseFeedQuery(values); err != nil {
			h.fail(w, r, err)
			return
		}
		if fq.q != "" && h.query == nil {
			h.fail(w, r, badRequest("queries are not supported"))
			return
		}
	}
	base, baseKey := baseFor(st, r)
	key, ok := "", false
	if fq == (feedQuery{limit: DefaultLimit}) && baseKey == "" {
		key, ok = st.feedKeys[feedKeyID{idx.Kind, idx.Name, f}]
	}
	if !ok {
		key = feedKey(baseKey, idx, f, fq.values(fq.before).Encode())
	}
	res, err := h.cache.lookup(key, h.store.Generation(), st.version, h.now, func() (*rendered, error) {
		return h.renderFeed(st, base, idx, f, fq)
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	serveRendered(w, r, res, st.cacheControl)
}

// feedKey is the response cache key of a feed page: baseKey as baseFor
// returns it, and the page's canonical query string.
func feedKey(baseKey string, idx Index, f format, query string) string {
	return "feed\x00" + baseKey + "\x00" + feedPath(idx, f) + "\x00" + query
}

// renderFeed renders one page of a feed.
func (h *Handler) renderFeed(st *siteState, base string, idx Index, f format, fq feedQuery) (*rendered, error) {
	var filter func(*news.Item) bool
	if fq.q != "" {
		if h.query == nil {
			return nil, badRequest("queries are not supported")
		}
		var err error
		if filter, err = h.query(fq.q); err != nil {
			return nil, badRequest("bad q: %v", err)
		}
		if filter == nil {
			return nil, badRequest("bad q: the query matches nothing")
		}
	}
	states, err := h.store.SourceStates()
	if err != nil {
		h.log.Warn("feed: reading source states", "error", err)
		states = nil
	}
	now := h.now()
	b := newBuilder(st, base, states, now)
	p, err := b.scanPage(h.store, idx, fq, filter)
	if err != nil {
		return nil, err
	}
	doc := b.doc(idx, f, fq, p)
	lastChange := h.store.LastChange()
	doc.Updated = p.newest
	if doc.Updated.IsZero() {
		doc.Updated = lastChange
	}
	if doc.Updated.IsZero() {
		doc.Updated = now
	}
	lastModified := lastChange
	if lastModified.IsZero() {
		lastModified = p.newest
	}
	if st.since.After(lastModified) {
		lastModified = st.since
	}

	var buf bytes.Buffer
	switch f {
	case formatAtom:
		err = writeAtom(&buf, doc)
	case formatRSS:
		err = writeRSS(&buf, doc)
	default:
		err = writeJSONFeed(&buf, doc)
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", feedPath(idx, f), err)
	}
	return h.cache.newRendered(buf.Bytes(), f.contentType(), lastModified)
}

// doc assembles the feed-level fields of a page.
func (b *builder) doc(idx Index, f format, fq feedQuery, p page) *feedDoc {
	st := b.site
	feedURL := b.base + feedPath(idx, f)
	d := &feedDoc{Home: b.base, Author: plainTitle(st.Title), Entries: p.entries}
	switch idx.Kind {
	case IndexTopic:
		t, _ := st.topicTitle(idx.Name)
		d.Title = plainTitle(st.Title) + " — " + plainTitle(t)
		d.Description = "Items about " + plainTitle(t) + ", from every source of " + plainTitle(st.Title) + "."
	case IndexSource:
		t := b.outletTitle(idx.Name)
		d.Title = plainTitle(st.Title) + " — " + t
		d.Description = "Items from " + t + "."
	default:
		d.Title = plainTitle(st.Title)
		d.Description = "The latest items from every source of " + plainTitle(st.Title) + "."
	}
	d.ID = feedURL
	if fq.q != "" {
		q := plainTitle(fq.q)
		d.Title += " — search: " + q
		d.Description += " Only items matching the query: " + q
		d.ID = withQuery(feedURL, url.Values{"q": {fq.q}})
	}
	d.Self = withQuery(feedURL, fq.values(fq.before))
	if p.next != "" {
		d.Next = withQuery(feedURL, fq.values(p.next))
	}
	return d
}

// serveOPML serves the sources as OPML 2.0 at /opml.
func (h *Handler) serveOPML(w http.ResponseWriter, r *http.Request) {
	st := h.site.Load()
	base, baseKey := baseFor(st, r)
	res, err := h.cache.lookup("opml\x00"+baseKey, h.store.Generation(), st.version, h.now, func() (*rendered, error) {
		return h.renderOPML(st, base)
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	serveRendered(w, r, res, st.cacheControl)
}

// serveHealthz answers 200 "ok" while the process serves HTTP.
func (h *Handler) serveHealthz(w http.ResponseWriter, r *http.Request) {
	plain(w, r, http.StatusOK, "ok")
}

// serveReadyz answers 200 "ready", or 503 with the reason.
func (h *Handler) serveReadyz(w http.ResponseWriter, r *http.Request) {
	if h.ready != nil {
		if err := h.ready(); err != nil {
			plain(w, r, http.StatusServiceUnavailable, "not ready: "+err.Error())
			return
		}
	}
	plain(w, r, http.StatusOK, "ready")
}

// fail answers a request that could not be served: a requestError with its
// own status and message, anything else with 500 and a log line.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var re *requestError
	if errors.As(err, &re) {
		plain(w, r, re.status, re.msg)
		return
	}
	h.log.Error("publish: serving failed", "url", r.URL.String(), "error", err)
	plain(w, r, http.StatusInternalServerError, "internal error: the response could not be rendered; the server log says why")
}

// plain writes a short, uncached text/plain answer.
func plain(w http.ResponseWriter, r *http.Request, status int, msg string) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = fmt.Fprintln(w, msg)
	}
}

// noStore stands in for a missing Options.Store: every read fails.
type noStore struct{}

func (noStore) Scan(Index, string, func(news.Item, string) bool) error { return errNoStore }
func (noStore) Generation() uint64                                     { return 0 }
func (noStore) LastChange() time.Time                                  { return time.Time{} }
func (noStore) SourceStates() ([]news.SourceState, error)              { return nil, errNoStore }
