// Package feeds turns a feed URL into normalised news items, in three
// stages that can each be used and tested on their own:
//
//  1. Fetch (Fetcher.Fetch): one HTTP GET, conditional on the validators of
//     the previous response, with a time limit, a redirect limit and a body
//     size limit that also bounds the decompressed size. It returns the raw
//     body and the new validators, or NotModified.
//  2. Parse (Parse): decide the character encoding, transcode to UTF-8,
//     clean the text, and hand it to github.com/mmcdole/gofeed, which
//     understands RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed. An HTML page
//     is reported as ErrNotFeed, naming the feeds the page advertises.
//  3. Normalise (called by Parse for every entry): build a news.Item with a
//     stable Key, a canonical Link, plain-text Title, sanitised HTML Summary
//     and Content, dates in UTC that are never in the future, and a Hash of
//     what a reader sees. CanonicalURL and ParseDate are exported for other
//     stages that need the same rules.
//
// This package is the only one in aggregatord that imports gofeed; the rest
// of the program sees news.Item values.
//
// # Fetching
//
// A Fetcher is built once from FetcherOptions and is safe for concurrent
// use. Fetch sends User-Agent, an Accept header that prefers feed types,
// Accept-Encoding: gzip, and If-None-Match / If-Modified-Since when the
// Request carries an ETag / Last-Modified. Its outcomes:
//
//   - 2xx: a Response with the body (decompressed) and the new validators.
//   - 304: a Response with NotModified set and no body.
//   - any other status: a *StatusError carrying the status and the time
//     named by Retry-After, if any.
//   - too many redirects: ErrTooManyRedirects; a body over the limit:
//     ErrTooLarge; the time limit passed: ErrTimeout. Other transport errors
//     are returned as they come.
//
// Every error says "fetch URL: ...", so it can be shown as it is.
//
// # Parsing
//
// The encoding is taken from, in order: a byte-order mark, the charset of
// the HTTP Content-Type, the encoding in the XML declaration, else UTF-8
// (JSON is always UTF-8). One exception is made for a common server
// mistake: when the HTTP header says UTF-8 but the bytes are not UTF-8 and
// the XML declaration names another encoding, the declaration wins. After
// transcoding, invalid UTF-8 is replaced by U+FFFD and characters that XML
// 1.0 forbids are removed, so that one bad byte does not lose a feed.
//
// # Normalising
//
// Key: the entry's GUID/id, else its canonical link, else "sha256:" and the
// hex SHA-256 of its raw title, a NUL byte, and its raw content (or
// summary). A GUID or link longer than MaxKeyBytes is replaced in the Key
// (not in GUID or Link) by "sha256:" and its hash.
//
// Link: the first of the entry's link, its other links, and (RSS only) a
// GUID that is a permalink (isPermaLink not "false") that CanonicalURL
// accepts, resolved against the feed URL.
//
// Dates: Published is the entry's published date, else its updated date,
// else Now; Updated is its updated date, else Published (and never
// earlier). Dates that gofeed cannot read, and dates whose zone is an
// abbreviation (gofeed reads some, such as IRST, as UTC), are read with
// ParseDate. A date later than Now is set to
// Now (feeds with clocks or time zones set wrong are common), so Published
// is never later than FirstSeen. All times are in UTC.
//
// # Caveats
//
//   - RSS descriptions and Atom summaries are treated as HTML whatever
//     they declare (gofeed does not keep an Atom summary's type): literal
//     tags in plain text are removed, not shown. Atom content of type
//     "text" and JSON Feed content_text and summary are escaped as text.
//   - Size caps (MaxTitleBytes, MaxHTMLBytes, MaxItems) cut silently; the
//     cut is at a UTF-8 boundary, and HTML stays well-formed.
//   - Entity declarations in a DTD are never expanded and external entities
//     are never fetched: gofeed's XML reader does not process DTDs, so a
//     "billion laughs" or XXE document parses without either.
package feeds
