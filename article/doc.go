// Package article fetches the web page an item links to and extracts the
// article on it: a clean, sanitised body for sources whose feeds carry only
// a summary, so that topics can be tagged and stories grouped on the full
// text.
//
// An Extractor is built once from Options and is safe for concurrent use.
// Extract fetches with a feeds.Fetcher (the same User-Agent, time limit,
// redirect limit and body size limit as feeds) and never has more than
// Options.PerHost fetches in flight to one host; ExtractHTML does the
// extraction alone, on a page already in hand.
//
// # Extraction
//
//  1. Type. The page must be HTML: Content-Type text/html or
//     application/xhtml+xml; a missing or application/octet-stream type is
//     sniffed. Anything else (a PDF, an image, a feed) is ErrNotArticle.
//  2. Encoding. The page is decoded to UTF-8 from, in order: a byte-order
//     mark; the charset of the HTTP Content-Type, except that when it says
//     UTF-8, the bytes are not UTF-8 and the page's <meta> names another
//     encoding, the <meta> wins (a common server mistake on Arabic sites);
//     the page's <meta charset> or <meta http-equiv="Content-Type">,
//     looked for anywhere in <head> within its first 64 KiB; UTF-8 if the
//     bytes are valid UTF-8; else windows-1252, as browsers do. Labels are
//     read as the WHATWG Encoding standard says (golang.org/x/net/html/charset):
//     windows-1256, iso-8859-6 and cp1256 all work.
//  3. Readability. The document is parsed with golang.org/x/net/html and
//     handed to codeberg.org/readeck/go-readability/v2 (a port of Mozilla's
//     Readability.js), which scores the blocks of the page and keeps the
//     main one, dropping what its class names and link density mark as
//     navigation, comments, share bars and related links. A page with more
//     than MaxElements elements is not analysed.
//  4. Boilerplate filter. Readability cannot judge blocks whose class names
//     say nothing ("box-4", "col-md-8", hashes), so its output is filtered
//     once more, on the text of each element, normalised (case folded;
//     Arabic tashkeel and tatweel removed and alef/yeh/teh marbuta variants
//     folded; punctuation as spaces). Three short lists, in English and
//     Arabic, drive four rules:
//     - a label element — one whose whole text (numbers aside) is a label
//     such as "Related articles", "Comments", "Share", "اقرأ أيضا",
//     "مقالات ذات صلة", "التعليقات (2)" — is removed with the block it
//     heads: its highest ancestor that it begins and that holds at most
//     half of the article's text; when it heads nothing (it sits in the
//     article's own flow), it is removed with the following siblings that
//     are mostly links (a list of related headlines);
//     - a teaser — an element of at most 300 characters, at least half of
//     them links, starting with a label ("Read more: <a>…</a>",
//     "اقرأ أيضاً: <a>…</a>") — is removed;
//     - a share bar — an element made only of the names of share targets
//     and a few filler words ("Facebook Twitter WhatsApp", "شارك الخبر
//     عبر فيسبوك تويتر") — is removed;
//     - the smallest element that holds a boilerplate sentence ("Comments
//     are moderated", "Your email address will not be published",
//     "Log in to comment", "Sign up for our newsletter", "لن يتم نشر عنوان
//     بريدك الإلكتروني", "التعليقات تخضع للمراجعة") is removed if it has at
//     most 300 characters of text; a longer one is kept, being more likely
//     an article that quotes the phrase.
//     The lists are in boilerplate.go. A phrase belongs there only if no
//     article would use it as its own text; site-specific rules do not.
//  5. Sanitising. The page's id and class attributes are removed, the
//     root <div> gets the page's lang and, when most letters are Arabic,
//     Hebrew or another right-to-left script, dir="rtl". The result goes
//     through sanitize.HTML with the page URL (after redirects) or the
//     page's <base href> as the base, so links and images are absolute and
//     nothing that can run code remains. Text is the plain text of that
//     HTML, paragraphs separated by blank lines.
//  6. Checks. Fewer than MinTextChars characters of text (whitespace not
//     counted), or text that is more than 60% link text (an index page),
//     is ErrNotArticle.
//
// # Errors
//
// Every error starts with "extract article: ". Fetch errors are the feeds
// errors, wrapped (feeds.ErrTimeout, feeds.ErrTooLarge,
// feeds.ErrTooManyRedirects, *feeds.StatusError), and name the URL;
// extraction failures wrap ErrNotArticle and name the URL too. A caller
// that retries should treat ErrNotArticle as final for that page and
// feeds.ErrTimeout, a 5xx or a 429 StatusError as worth another try.
//
// # Caveats
//
//   - The per-host limit is by the host of the URL asked for, not the one
//     that answers after redirects (a feed proxy's links all count against
//     the proxy).
//   - The fetch sends the feeds Accept header, which prefers feed types and
//     accepts anything; article servers answer it with their HTML.
//   - Pages that build their article with JavaScript (liveblogs, some
//     single-page sites) have little text in their HTML and fail with
//     ErrNotArticle; so do paywalled pages that serve a teaser.
//   - Extraction itself is CPU work that ctx does not interrupt: about
//     2 ms for a typical article page, about a second and a half for a
//     2.5 MB page near MaxElements. Documents nested deeper than 512
//     elements are refused by the HTML parser (ErrNotArticle).
//   - An undeclared legacy encoding is read as windows-1252, as browsers
//     read it; an Arabic page that neither its server nor its <meta>
//     labels comes out garbled.
//   - The filter removes a paragraph of at most 300 characters that
//     contains one of its sentences even when the article quoted it.
package article
