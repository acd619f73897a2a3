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
//     ErrTooLarge; the time limit passed: ErrTimeout; a connection the
//     address guard refuses: an *AddressError (ErrForbiddenAddress).
//     Other transport errors are returned as they come.
//
// Every error says "fetch URL: ...", so it can be shown as it is.
//
// # Address guard
//
// A feed server must not be able to turn aggregatord against the network
// it runs in (server-side request forgery): redirect it to the admin API
// on loopback, to a cloud metadata endpoint (169.254.169.254), or into the
// LAN. So each fetch may connect only to public addresses, and to the
// special ranges that the fetched URL's own host is in: a source
// configured as http://10.0.0.5/feed may be redirected within the private
// ranges, one on 127.0.0.1 within loopback, a public one nowhere special.
// The ranges (AddrClass, ClassifyAddr) are loopback (127/8, ::1),
// link-local (169.254/16, fe80::/10), private (10/8, 172.16/12,
// 192.168/16, fc00::/7), carrier-grade NAT (100.64/10), unspecified
// (0/8, ::), multicast and reserved (240/4).
//
// What the URL's host is in is decided once per Fetch, from the literal
// address or from every address its name resolves to then. The check
// itself is made by the dialer on the address it is about to connect to,
// before any packet is sent, for the first request and every redirect;
// so a name that resolves to a public address when the fetch begins and
// to 127.0.0.1 when it is dialled (DNS rebinding) is refused too. A
// refusal reads "fetch URL: refusing to connect to 127.0.0.1 (loopback)
// after a redirect from a public address". Connections are pooled
// separately for each set of reachable ranges, so a connection opened
// for a LAN source is never reused by a public one.
//
// A page that a feed links to (an article fetched for its full text) is
// not the operator's choice but the feed's: fetch it with Request.Origin
// set to the feed's URL, and it may reach only what the feed's URL may.
// A refusal then reads "... for a link from a public address".
//
// Through an HTTP proxy (from the environment, or a given Transport's
// Proxy) the proxy connects to the target: the guard then checks the
// target's host as this machine resolves it (a name it cannot resolve is
// left to the proxy) and lets the connection to the proxy itself through.
// AddrPolicy replaces the resolver and the classification, for tests.
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
//   - A document is parsed whole before MaxItems applies (entries past it
//     are read as XML, then dropped before anything else is done with
//     them). Parsing costs time and memory in proportion to the body,
//     which FetcherOptions.MaxBodyBytes bounds: 100,000 tiny entries in
//     10 MB take about half a second and 70 MB of heap at peak.
//   - The address guard sees IP addresses only: a public address that
//     forwards to a private service (a public NAT64 prefix, a reverse
//     proxy) is public to it. A proxy's own address is exempt from the
//     check for every connection, direct or not, to that address and port.
//   - Entity declarations in a DTD are never expanded and external entities
//     are never fetched: gofeed's XML reader does not process DTDs, so a
//     "billion laughs" or XXE document parses without either.
package feeds
