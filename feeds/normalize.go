package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/sanitize"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/idna"
	"golang.org/x/text/language"
)

// trackingParams are query parameters (compared in lower case) that only
// track the reader; CanonicalURL drops them, as it drops every utm_*.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true,
	"gbraid": true, "wbraid": true, "msclkid": true, "yclid": true,
	"twclid": true, "ttclid": true, "igshid": true, "li_fat_id": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true,
	"_hsenc": true, "_hsmi": true, "mkt_tok": true,
}

// CanonicalURL resolves raw against base (which may be "") and returns the
// form used to compare links: scheme and host in lower case (an
// internationalised host in its ASCII "xn--" form), no default
// port (:80 for http, :443 for https), no fragment, no tracking query
// parameters (utm_* in any case, fbclid, gclid, mc_cid, mc_eid, igshid,
// _ga, yclid, msclkid and a few more) with the other parameters kept in
// order, "/" for an empty path, and dot segments removed. It reports false
// when the result is not an absolute http or https URL with a host.
// CanonicalURL is idempotent.
func CanonicalURL(raw, base string) (string, bool) {
	raw = strings.Trim(raw, asciiSpace)
	if raw == "" {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if !u.IsAbs() {
		b, err := url.Parse(strings.Trim(base, asciiSpace))
		if err != nil || !b.IsAbs() {
			return "", false
		}
		u = b.ResolveReference(u)
	} else {
		// An absolute reference resolved against nothing: removes dot
		// segments, as resolving a relative one does.
		u = (&url.URL{}).ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" || u.Opaque != "" {
		return "", false
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return "", false
	}
	if port == "" || (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n > 65535 {
			return "", false
		}
	}
	host, ok := canonicalHost(host)
	if !ok {
		return "", false
	}
	switch {
	case port != "":
		host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		host = "[" + host + "]" // IPv6 literal
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	u.ForceQuery = false
	// A raw space survives parsing in a query; escape it as a browser
	// would, so that the result has no space to trim.
	u.RawQuery = strings.ReplaceAll(stripTracking(u.RawQuery), " ", "%20")
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	out := u.String()
	// Serialising can reveal a form that parses differently (for
	// instance an escaped host); insist on a fixed point.
	if again, err := url.Parse(out); err != nil || again.String() != out || again.Host != u.Host {
		return "", false
	}
	return out, true
}

// asciiSpace is what CanonicalURL trims from its input: the whitespace
// that surrounds URLs in feeds.
const asciiSpace = " \t\r\n\f"

// canonicalHost lower-cases an ASCII host and converts an internationalised
// one to its lower-case ASCII (punycode) form, so that both spellings of a
// domain compare equal. It reports false for a host that is not a valid
// domain name.
func canonicalHost(host string) (string, bool) {
	ascii := true
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(host), true
	}
	h, err := idna.Lookup.ToASCII(host)
	if err != nil || h == "" {
		return "", false
	}
	return strings.ToLower(h), true
}

// stripTracking removes tracking parameters from a raw query, keeping the
// others exactly as written and in order.
func stripTracking(q string) string {
	if q == "" {
		return ""
	}
	var kept []string
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		key, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		key = strings.ToLower(key)
		if strings.HasPrefix(key, "utm_") || trackingParams[key] {
			continue
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, "&")
}

// skew is how far ahead of Now a date may be and still be believed as it
// is; later dates become Now.
const skew = time.Minute

// normalizeFeed builds the Feed and its items from a gofeed result.
func normalizeFeed(gf *gofeed.Feed, o ParseOptions) *Feed {
	d := detailsOf(gf)
	f := &Feed{
		Title:    capText(sanitize.Text(gf.Title), MaxTitleBytes),
		ID:       d.feedID(),
		Language: normalizeLanguage(gf.Language),
	}
	if link, ok := CanonicalURL(gf.Link, o.URL); ok {
		f.Link = link
	}
	var feedAuthors []string
	if d.inheritAuthors() {
		for _, p := range gf.Authors {
			feedAuthors = appendPerson(feedAuthors, p)
		}
	}
	items := gf.Items
	if len(items) > MaxItems {
		items = items[:MaxItems]
	}
	f.Items = make([]news.Item, 0, len(items))
	for i, gi := range items {
		if gi == nil {
			continue
		}
		it := normalizeItem(gi, itemContext{
			opts:          o,
			feedLanguage:  f.Language,
			feedAuthors:   feedAuthors,
			permalinkGUID: d.permalinkGUID(i),
			textContent:   d.textContent(i),
			textSummary:   d.textSummary(),
		})
		f.Items = append(f.Items, it)
	}
	return f
}

// itemContext carries what normalizeItem needs besides the item.
type itemContext struct {
	opts          ParseOptions
	feedLanguage  string
	feedAuthors   []string
	permalinkGUID bool // RSS guid without isPermaLink="false"
	textContent   bool // Content is plain text, not HTML
	textSummary   bool // Description is plain text, not HTML
}

// normalizeItem turns one gofeed item into a news.Item; see the package
// documentation for the rules.
func normalizeItem(gi *gofeed.Item, c itemContext) news.Item {
	o := c.opts
	it := news.Item{
		Source:    o.Source,
		GUID:      strings.TrimSpace(gi.GUID),
		FirstSeen: o.Now,
		Tags:      slices.Clone(o.Tags),
	}

	// Link: the item's link, its other links, then a permalink GUID.
	// The GUID only counts when it is an absolute URL on its own: a
	// permalink is not relative to anything.
	if cu, ok := CanonicalURL(gi.Link, o.URL); ok {
		it.Link = cu
	} else {
		for _, l := range gi.Links {
			if cu, ok := CanonicalURL(l, o.URL); ok {
				it.Link = cu
				break
			}
		}
	}
	if it.Link == "" && c.permalinkGUID {
		it.Link, _ = CanonicalURL(it.GUID, "")
	}

	rawTitle := strings.TrimSpace(gi.Title)
	rawContent, rawSummary := gi.Content, gi.Description
	if c.textContent {
		rawContent = textToHTML(rawContent)
	}
	if c.textSummary {
		rawSummary = textToHTML(rawSummary)
	}

	// Key: GUID, else link, else a hash of title and content.
	switch {
	case it.GUID != "":
		it.Key = it.GUID
	case it.Link != "":
		it.Key = it.Link
	default:
		body := rawContent
		if body == "" {
			body = rawSummary
		}
		it.Key = "sha256:" + hashHex(rawTitle, "\x00", body)
	}
	if len(it.Key) > MaxKeyBytes {
		it.Key = "sha256:" + hashHex(it.Key)
	}

	base := it.Link
	if base == "" {
		base = o.URL
	}
	it.Summary = sanitizeCapped(rawSummary, base)
	// Content equal to the summary is dropped; when the raw texts are
	// equal, so are the sanitised ones, without sanitising twice.
	if rawContent != rawSummary {
		it.Content = sanitizeCapped(rawContent, base)
	}
	if it.Content == it.Summary {
		it.Content = ""
	}

	it.Title = capText(sanitize.Text(rawTitle), MaxTitleBytes)
	if it.Title == "" {
		it.Title = deriveTitle(it.Summary, it.Content)
	}

	for _, p := range gi.Authors {
		it.Authors = appendPerson(it.Authors, p)
	}
	if len(it.Authors) == 0 && gi.Author != nil {
		it.Authors = appendPerson(it.Authors, gi.Author)
	}
	if len(it.Authors) == 0 {
		it.Authors = slices.Clone(c.feedAuthors)
	}
	for _, cat := range gi.Categories {
		it.Categories = appendUnique(it.Categories, capText(sanitize.Text(cat), MaxTitleBytes))
	}

	if gi.DublinCoreExt != nil && len(gi.DublinCoreExt.Language) > 0 {
		it.Language = normalizeLanguage(gi.DublinCoreExt.Language[0])
	}
	if it.Language == "" {
		it.Language = c.feedLanguage
	}

	published := itemDate(gi.PublishedParsed, gi.Published)
	updated := itemDate(gi.UpdatedParsed, gi.Updated)
	switch {
	case !published.IsZero():
		it.Published = published
	case !updated.IsZero():
		it.Published = updated
	default:
		it.Published = o.Now
	}
	it.Updated = updated
	if it.Updated.IsZero() || it.Updated.Before(it.Published) {
		it.Updated = it.Published
	}
	it.Published = clampDate(it.Published, o.Now)
	it.Updated = clampDate(it.Updated, o.Now)

	it.Hash = HashItem(it)
	return it
}

// HashItem returns the hex SHA-256 of what a reader sees of it (Title,
// Link, Summary and Content), so that an edited item can be told from an
// unchanged one.
func HashItem(it news.Item) string {
	return hashHex(it.Title, "\x00", it.Link, "\x00", it.Summary, "\x00", it.Content)
}

func hashHex(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	buf := make([]byte, 0, n)
	for _, p := range parts {
		buf = append(buf, p...)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// itemDate returns the date gofeed parsed, else the one ParseDate reads
// from the raw text, in UTC; zero when there is none. A date that ends in a
// zone abbreviation ParseDate knows is read by ParseDate: gofeed reads
// some of those (IRST, EEST, ...) as UTC and others (AST) in another
// region's sense.
func itemDate(parsed *time.Time, raw string) time.Time {
	if parsed == nil || parsed.IsZero() || hasZoneName(raw) {
		if t, ok := ParseDate(raw); ok {
			return t.UTC()
		}
	}
	if parsed != nil && !parsed.IsZero() {
		return parsed.UTC()
	}
	return time.Time{}
}

// clampDate returns now for any t later than now. Dates within skew of now
// are common with clocks a little ahead; they become now too, so that no
// item is dated after it was first seen.
func clampDate(t, now time.Time) time.Time {
	if t.After(now) {
		return now
	}
	return t
}

// sanitizeCapped sanitises s against base and caps the result at
// MaxHTMLBytes. The input is cut first (sanitising keeps the HTML
// well-formed); if the result is still too long, the input is cut further.
func sanitizeCapped(s, base string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	in := cutUTF8(s, MaxHTMLBytes)
	for range 4 {
		out := strings.TrimSpace(sanitize.HTML(in, base))
		if len(out) <= MaxHTMLBytes {
			return out
		}
		in = cutUTF8(in, len(in)*MaxHTMLBytes/len(out)*9/10)
	}
	return ""
}

// deriveTitle makes a title for an item without one from the first words
// of its text: at most titleFromTextRunes runes, cut at a word boundary,
// with an ellipsis when cut.
func deriveTitle(summary, content string) string {
	text := sanitize.Text(summary)
	if text == "" {
		text = sanitize.Text(content)
	}
	const titleFromTextRunes = 100
	if utf8.RuneCountInString(text) <= titleFromTextRunes {
		return text
	}
	cut := 0
	for i := range text {
		if cut == titleFromTextRunes {
			text = text[:i]
			break
		}
		cut++
	}
	if sp := strings.LastIndexByte(text, ' '); sp > len(text)/2 {
		text = text[:sp]
	}
	return strings.TrimSpace(text) + "…"
}

// capText cuts s to at most max bytes at a UTF-8 boundary and trims it.
func capText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return strings.TrimSpace(cutUTF8(s, max))
}

// cutUTF8 returns the longest prefix of s no longer than max bytes that
// does not split a UTF-8 sequence.
func cutUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// appendPerson appends p's display name (its name, else its e-mail) to
// names unless it is empty or already there.
func appendPerson(names []string, p *gofeed.Person) []string {
	if p == nil {
		return names
	}
	name := sanitize.Text(p.Name)
	if name == "" {
		name = sanitize.Text(p.Email)
	}
	return appendUnique(names, capText(name, MaxTitleBytes))
}

func appendUnique(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// normalizeLanguage returns the canonical BCP 47 form of a feed's language
// ("he-il" gives "he-IL", "ar" gives "ar"), or "" when it is not a tag.
func normalizeLanguage(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 35 {
		return ""
	}
	s = strings.ReplaceAll(s, "_", "-")
	tag, err := language.Parse(s)
	if err != nil {
		return ""
	}
	return tag.String()
}

// textToHTML turns plain text into HTML: escaped, with blank lines as
// paragraph breaks and single newlines as <br>.
func textToHTML(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return ""
	}
	var b strings.Builder
	for para := range strings.SplitSeq(s, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}
