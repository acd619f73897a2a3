// Package publish serves aggregatord's public, read-only HTTP interface: the
// merged, per-topic and per-source feeds as Atom 1.0, RSS 2.0 and JSON Feed
// 1.1, the sources as OPML 2.0, server-rendered HTML pages, and the health
// endpoints.
//
// # Endpoints
//
//	GET /                               HTML: latest stories (?topic=, ?source=, ?q=, ?before=), topics, source health, every feed
//	GET /topics                         HTML: every topic with its stories per day over 30 days
//	GET /topics/{id}                    HTML: one topic's stories (?q=, ?before=), chart and feeds
//	GET /sources                        HTML: every source's fetch health
//	GET /sources/{name}                 HTML: one source's items (?q=, ?before=) and health
//	GET /feeds/all.{atom,rss,json}      the merged feed
//	GET /feeds/topics/{id}.{ext}        items tagged with a configured topic
//	GET /feeds/sources/{name}.{ext}     one configured source's items, as its own copies
//	GET /opml                           the enabled sources, in folders named by first tag
//	GET /healthz                        200 "ok"
//	GET /readyz                         200 "ready", or 503 with Options.Ready's error
//	GET /metrics                        Options.Metrics, when set
//
// HEAD is answered like GET. Other methods on these paths answer 405, other
// paths 404, unknown topics and sources 404. Handler.Route names the route
// of a request from a fixed set, for metrics labels.
//
// # Pages
//
// The pages are rendered with html/template from page.html: one document,
// styles inline, no scripts, no external assets, system fonts, laid out
// for a phone first and dark when the reader's system is
// (prefers-color-scheme). A story shows its title linked to the article,
// its outlet (linked to the outlet's page), when it was published (a
// relative time in a <time datetime>), a plain-text snippet of its summary,
// the other outlets that carried it (news.Item.Copies, then Story), and its
// topics as links to their pages. Every text that comes from a feed or the
// config is escaped by html/template and marked dir="auto" (with lang from
// the item's Language), so Arabic, Persian and Kurdish text runs right to
// left inside a left-to-right page; only http(s) URLs become links.
//
// The home page filters by ?topic= (the topic's index), ?source= (the
// source's index, as its own copies; with ?topic= too, its items of that
// topic) and ?q= (Options.Query), and pages back with ?before= cursors
// like the feeds, 50 stories a page. A query that does not parse
// answers 400 with the parser's message on the page, next to the form
// that holds it; an unknown topic or source answers 404. Every page
// carries <link rel="alternate"> to the feed of what it shows (with ?q=
// when it has one), then to the merged feed, and the home page links every
// feed in every format.
//
// The topics page and each topic page chart the stories per UTC day of the
// last 30 days as inline SVG bars, with an accessible name and, on a topic
// page, the numbers as a table. The counts come from scanning each topic's
// index newest first down to the first day (at most 20,000 items per
// topic; beyond that the count says "at least"); they are kept while
// Store.Generation and the site are unchanged, and counted again at most
// once a minute while the store changes, and when the day changes. The
// sources pages show each source's health from Store.SourceStates (last
// success, last attempt, HTTP status, the error) and, from
// Options.SourceStats, its stored items and next fetch; failing sources
// come first, marked by a badge and a red border.
//
// # Feeds
//
// Feeds are newest first. ?limit=N (1 to MaxLimit, default DefaultLimit)
// sets the page size, ?q= filters through Options.Query, and older items are
// reached by following each page's rel="next" link (RFC 5005), which
// carries an opaque ?before= cursor from the Store and keeps limit and q. A
// bad limit, q or cursor answers 400 with a message saying what to fix.
// With a filter a page examines at most 20×limit+1000 items; a page cut
// short by that budget still links to the next one, so a reader can go on.
//
// Every text is cleaned of characters XML 1.0 forbids and written through
// encoding/xml or encoding/json, titles as plain text. Only http and https
// URLs become links. Entries name their source (Atom <source>, RSS
// <source url>, JSON Feed authors and the "_aggregatord" extension), carry
// topic ids as categories, and list the other outlets that carried the same
// item at the end of their content ("Also reported by: ...") and in JSON
// Feed as _aggregatord.also ({"source", "source_title", "title", "url"}):
// first the outlets with the same link (news.Item.Copies), then those whose
// near-duplicate item is in the item's story (news.Item.Story), one entry
// per outlet. An item in a story with company also carries the story's id
// as _aggregatord.story. Which items a feed lists, and whether a story
// appears once, is the Store's business: the merged and topic feeds list
// what Scan yields. A source's own feed shows that source's copy.
//
// Entry ids are the item's GUID when it is an http(s) URL (in the normal
// form every link gets: an ASCII URI, lower-case scheme and host, no
// default port or dot segments, percent escapes only where needed, as RFC
// 4287 section 4.2.6.1 asks), or a urn: or tag: URI of the shape the W3C
// feed validator accepts; otherwise a tag: URI made of the base URL's
// host, the UTC date the item was first seen and the stored item id,
// stable for as long as the item is stored.
//
// # Caching
//
// Rendered responses are kept in a bounded LRU (256 entries, 64 MiB of
// bodies) keyed by path and normalised query, and served again while
// Store.Generation and the site (SetSite) are unchanged; concurrent
// identical misses render once.
// The HTML pages are also re-rendered after Site.CacheMaxAge, since source
// health and relative times change without the items changing; an error
// page is never cached (Cache-Control: no-store). Responses carry a strong ETag
// (a hash of the uncompressed body), Last-Modified, Cache-Control: public,
// max-age and Vary: Accept-Encoding; they answer 304 to a matching
// If-None-Match (weak comparison, lists, "*") or, without If-None-Match, to
// If-Modified-Since, and are sent gzip-compressed when the client accepts it.
//
// # Caveats
//
// Source attribution (feed titles, links, ids) comes from
// Store.SourceStates at render time; a change there that does not change
// Store.Generation shows only after the next item change. The gzip and the
// identity representation share one ETag, as the body hash; Vary keeps
// shared caches apart, and byte ranges are not served.
package publish
