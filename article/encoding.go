package article

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"

	"github.com/aggregatord/aggregatord/feeds"
)

// metaScanLimit is how far into a page decode looks for a <meta> charset
// declaration. Browsers stop at 1024 bytes; real pages (Arabic sites with
// long keyword lists and inline scripts among them) declare it later, so
// we look further, but only inside <head>.
const metaScanLimit = 64 << 10

// boms are the byte-order marks that decide a page's encoding outright.
var boms = []struct {
	prefix []byte
	label  string
}{
	{[]byte{0xEF, 0xBB, 0xBF}, "utf-8"},
	{[]byte{0xFE, 0xFF}, "utf-16be"},
	{[]byte{0xFF, 0xFE}, "utf-16le"},
}

// decode returns page as UTF-8 and the name of the encoding it was decoded
// from. The encoding is, in order: a byte-order mark; the charset of the
// HTTP Content-Type, unless it says UTF-8 while the bytes are not UTF-8 and
// the page's <meta> names another encoding (a common server mistake); the
// page's <meta charset> or <meta http-equiv="Content-Type">; UTF-8 when the
// bytes are valid UTF-8; else windows-1252, as browsers do. Bytes the
// encoding cannot decode become U+FFFD.
func decode(page []byte, contentType string) ([]byte, string) {
	enc, name := pickEncoding(page, contentType)
	for _, b := range boms {
		if bytes.HasPrefix(page, b.prefix) {
			page = page[len(b.prefix):]
			break
		}
	}
	if name != "utf-8" {
		if out, err := enc.NewDecoder().Bytes(page); err == nil {
			page = out
		}
	}
	return bytes.ToValidUTF8(page, []byte("\uFFFD")), name
}

// pickEncoding implements the order documented on decode.
func pickEncoding(page []byte, contentType string) (encoding.Encoding, string) {
	for _, b := range boms {
		if bytes.HasPrefix(page, b.prefix) {
			e, name := charset.Lookup(b.label)
			return e, name
		}
	}
	if e, name := lookup(feeds.ContentTypeCharset(contentType)); e != nil {
		if name != "utf-8" || utf8.Valid(page) {
			return e, name
		}
		if me, mname := metaLookup(page); me != nil && mname != "utf-8" {
			return me, mname
		}
		return e, name
	}
	if e, name := metaLookup(page); e != nil {
		return e, name
	}
	if utf8.Valid(page) {
		return charset.Lookup("utf-8")
	}
	return charset.Lookup("windows-1252")
}

// lookup maps a charset label to an encoding and its canonical name by
// the WHATWG rules. It returns nil for "", for unknown labels and for
// "replacement" (the labels of encodings unsafe to decode).
func lookup(label string) (encoding.Encoding, string) {
	label = strings.TrimSpace(label)
	if label == "" {
		return nil, ""
	}
	e, name := charset.Lookup(label)
	if e == nil || name == "replacement" {
		return nil, ""
	}
	return e, name
}

// metaLookup returns the encoding the page's <meta> declares. A UTF-16
// label there means UTF-8, as in browsers: a page whose <meta> could be
// read as ASCII is not UTF-16.
func metaLookup(page []byte) (encoding.Encoding, string) {
	e, name := lookup(metaCharset(page))
	if strings.HasPrefix(name, "utf-16") {
		return charset.Lookup("utf-8")
	}
	return e, name
}

// metaCharset returns the charset that the first <meta charset> or <meta
// http-equiv="Content-Type" content="...; charset=X"> of the page's head
// names, looking at most metaScanLimit bytes in and stopping at <body> or
// at the first element that only a body may hold.
func metaCharset(page []byte) string {
	if len(page) > metaScanLimit {
		page = page[:metaScanLimit]
	}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "meta":
				if cs := metaTagCharset(z, hasAttr); cs != "" {
					return cs
				}
			case "body", "p", "div", "article", "main", "table", "h1":
				return ""
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "head" {
				return ""
			}
		}
	}
}

// metaTagCharset reads the attributes of the <meta> tag z is on and
// returns the charset it declares, or "".
func metaTagCharset(z *html.Tokenizer, hasAttr bool) string {
	var cs, httpEquiv, content string
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		switch strings.ToLower(string(k)) {
		case "charset":
			cs = string(v)
		case "http-equiv":
			httpEquiv = string(v)
		case "content":
			content = string(v)
		}
	}
	if cs != "" {
		return cs
	}
	if strings.EqualFold(strings.TrimSpace(httpEquiv), "content-type") {
		return feeds.ContentTypeCharset(content)
	}
	return ""
}
