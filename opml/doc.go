// Package opml turns an OPML subscription list, as exported by feed readers
// (Feedly, Inoreader, NetNewsWire, Miniflux, FreshRSS, newsboat,
// Thunderbird and others), into aggregatord [[source]] tables.
//
// Parse reads the document and returns one Source per feed; WriteTOML
// prints them as TOML that config.Load accepts as it is: names are valid
// and unique, URLs absolute http(s).
//
// # What becomes a source
//
// Every <outline> under <body> with a non-blank xmlUrl attribute (its name
// matched without regard to case, as "xmlurl" is a common misspelling) is a feed,
// at any depth, in document order. Its URL must be an absolute http or
// https URL with a host; "feed://host/..." and "feed:https://..." are read
// as the http(s) URL they stand for. Any other URL is not imported and is
// listed in Result.Skipped with the reason, as are FreshRSS web-scraping
// outlines (type "HTML+XPath" and the like, whose xmlUrl is a web page),
// outlines that look like feeds but have no xmlUrl (a type of "rss" or an
// htmlUrl), and type="link" / type="include" outlines (links to a page or
// to another OPML file, which is never fetched). Outlines that are only
// text, and empty folders, are ignored silently.
//
// The same feed listed twice (same URL, comparing scheme and host without
// regard to case and ignoring a default port and a fragment) is imported
// once, at its first place; the later outline's tags are merged into it and
// it is listed in Skipped.
//
// # Titles, names and tags
//
// A source's Title is the outline's title attribute, else its text, with
// runs of white space folded to one space.
//
// Its Name is a slug of the title: letters stripped of diacritics
// (golang.org/x/text normalisation: "Café Führer" becomes "cafe-fuhrer",
// and ß, æ, ø, œ, ł, đ, þ are spelt out), lower-cased, every run of other
// characters one "-", apostrophes dropped, at most MaxNameLen characters
// (cut at a "-" where possible). A title in another script (Arabic,
// Persian, Cyrillic, ...) that leaves fewer than three Latin letters
// behind, no title, or a title that is a URL gives a slug of the URL's
// host and path instead ("https://www.aljazeera.net/rss" gives
// "aljazeera-net-rss"). A name already taken gets "-2", "-3", ...
//
// An outline without xmlUrl that contains outlines is a folder: each
// enclosing folder's title (every level of nesting) becomes a tag of the
// feeds inside it, slugged as names are. A feed's own category attribute
// adds tags too: it is a comma-separated list of "/"-separated paths
// (OPML 2.0), and each path segment becomes a tag. Folder tags come first,
// outermost first, then category tags; repeats are dropped, and tags that
// slug to nothing (a folder named only in Arabic script) are left out.
//
// # Robustness
//
// Parsing is lenient the way feed readers are: HTML entities (&nbsp;,
// &eacute;) are decoded, and a bare "&", an unquoted attribute or a
// mismatched end tag is accepted. A document that is still not
// well-formed is read a second time with quotes and "<" inside attribute
// values escaped, which real exports need (Plenary writes
// text="Газета "Коммерсантъ""); Result.Warnings then says so. What cannot
// be read is an error naming the line: a truncated document, bytes that
// are not in the declared encoding, a root element other than <opml>. The encoding is taken from a byte-order mark
// (UTF-8, UTF-16) or the XML declaration (any WHATWG label, through
// golang.org/x/net/html/charset). Entities declared in a DTD are never
// expanded (encoding/xml does not read DTDs), so "billion laughs" documents
// are harmless, and external entities are never fetched. The input is
// capped at MaxSize bytes, MaxOutlines outlines and MaxDepth levels of
// nesting (ErrTooLarge); titles are cut to MaxTitleLen bytes and tags to
// MaxTags per source. Parse does no I/O beyond reading r.
//
// Names are unique within one Result only: when the sources are added to a
// config that already has some, names may clash, and config.Load reports
// the clash with its line.
package opml
