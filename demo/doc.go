// Package demo holds the sample regional feeds that `aggregatord demo` runs
// on, and a loopback HTTP server that serves them, so that the whole product
// can be shown with no network and no config.
//
// # The feeds
//
// Six fictional outlets, embedded in the binary (see Feeds). Every feed says
// in its description that it is sample data; every link points at a made-up
// path under a subdomain of example.com.
//
//	path                        outlet                          format     items
//	/feeds/erbil-daily.rss      Erbil Daily (sample)            RSS 2.0    11
//	/feeds/tigris-tribune.atom  Tigris Tribune (sample)         Atom 1.0   10
//	/feeds/gulf-maritime.atom   Gulf Maritime Monitor (sample)  Atom 1.0    9
//	/feeds/levant-ledger.json   Levant Ledger (sample)          JSON 1.1    9
//	/feeds/mideast-desk.rss     Middle East Desk (sample)       RSS 2.0    13
//	/feeds/sada-alrafidayn.rss  صدى الرافدين (عينة)             RSS 2.0    11  Arabic, windows-1256
//
// They cover US–Iran tensions, Iraqi politics, the Kurdistan Region, Syria
// and Gulf security, plus near misses that a good topic must not catch: an
// earthquake in Iran, US–China trade talks, a summit in Tirana, an Iranian
// film festival, and football (in English and in Arabic). They also carry
// the cases the pipeline has to get right:
//
//   - Story grouping: one AFP story ("US strikes Iran-backed militia sites…")
//     carried, lightly edited and under different links, by Middle East
//     Desk, Tigris Tribune and Levant Ledger; one Reuters story ("…small
//     craft near Strait of Hormuz…") by Gulf Maritime Monitor and Middle East
//     Desk.
//   - Cross-source exact dedupe: Erbil Daily's "Kurdistan Region parliament
//     to hold first session…" is also in Middle East Desk with the same link.
//   - Canonical links: Erbil Daily's Khor Mor gas item links with utm_
//     parameters; Middle East Desk carries the same article without them.
//   - Sanitising and absolute URLs: Erbil Daily's Peshmerga item has HTML
//     with an image and a link given as relative paths, and a share link
//     with onclick and a javascript: URL.
//   - Entities in titles: Erbil Daily's oil deal title is double-escaped
//     (`&amp;amp;`, `&amp;#8217;`) and should read "Baghdad & Erbil …
//     KRG’s …".
//   - Arabic text with tashkeel (السُّلَيْمَانِيَّة) and attached prefixes
//     (لإيران, وأربيل).
//
// # Dates
//
// The files are ordinary, valid feeds stamped as if fetched at the base time
// 2026-01-12T09:00:00Z, with every item within the 72 hours before it. At
// Start, the server moves every date (RSS pubDate and lastBuildDate, Atom
// published and updated, JSON Feed date_published and date_modified) by
// now − base, keeping each date's zone offset, so the items are always "the
// last three days". RSS dates are written in RFC 1123 with a numeric zone,
// Atom and JSON Feed dates in RFC 3339. When editing a feed, keep its dates
// in those layouts and inside [base−72h, base]: the tests check it.
//
// # The Arabic feed
//
// sada-alrafidayn.rss is stored in the repository as UTF-8, with a UTF-8 XML
// declaration, so that it can be read and edited like the others. The
// server re-encodes it with charmap.Windows1256 and rewrites its declaration
// to encoding="windows-1256", and says charset=windows-1256 in the
// Content-Type, so that the demo exercises charset transcoding. Every
// character in it must therefore exist in windows-1256: no Arabic-Indic
// digits, no Kurdish letters such as ڕ or ۆ; Start fails otherwise.
//
// # The server
//
// Start renders every feed once and serves it on 127.0.0.1 at a random port
// with its Content-Type, a strong ETag, Last-Modified (the newest date in
// the feed) and Cache-Control: no-cache, and answers If-None-Match and
// If-Modified-Since with 304 Not Modified, so the demo shows conditional GET
// at work. "/" is an HTML page listing the feeds. Config writes an
// aggregatord config that fetches them.
package demo
