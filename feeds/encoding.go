package feeds

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// byteOrder describes an encoding recognised from the first bytes of a
// document: a byte-order mark, or the UTF-16/32 form of "<?" that XML
// allows without one (XML 1.0, appendix F).
type byteOrder struct {
	prefix []byte
	strip  bool // the prefix is a BOM, to be removed
	enc    encoding.Encoding
}

var byteOrders = []byteOrder{
	// UTF-32 before UTF-16: FF FE 00 00 starts with the UTF-16LE BOM.
	{[]byte{0x00, 0x00, 0xFE, 0xFF}, true, utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)},
	{[]byte{0xFF, 0xFE, 0x00, 0x00}, true, utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)},
	{[]byte{0xEF, 0xBB, 0xBF}, true, unicode.UTF8},
	{[]byte{0xFE, 0xFF}, true, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)},
	{[]byte{0xFF, 0xFE}, true, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)},
	{[]byte{0x00, 0x00, 0x00, '<'}, false, utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)},
	{[]byte{'<', 0x00, 0x00, 0x00}, false, utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)},
	{[]byte{0x00, '<', 0x00, '?'}, false, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)},
	{[]byte{'<', 0x00, '?', 0x00}, false, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)},
}

// toUTF8 returns body as clean UTF-8: decoded from the encoding that its
// BOM, the HTTP charset or its XML declaration names (in that order; UTF-8
// when none does), with the XML declaration's encoding rewritten to UTF-8
// and its version to 1.0,
// invalid sequences replaced by U+FFFD and characters that XML 1.0 forbids
// removed.
func toUTF8(body []byte, contentType string) []byte {
	enc := pickEncoding(body, contentType)
	for _, bo := range byteOrders {
		if bo.strip && bytes.HasPrefix(body, bo.prefix) {
			body = body[len(bo.prefix):]
			break
		}
	}
	doc := body
	if enc != nil && enc != unicode.UTF8 {
		if out, err := enc.NewDecoder().Bytes(body); err == nil {
			doc = out
		}
		// A decoder error leaves the bytes as they are; cleanXML below
		// then replaces whatever is not UTF-8.
	}
	doc = bytes.TrimPrefix(doc, []byte("\uFEFF"))
	doc = setDeclaredEncodingUTF8(doc)
	doc = setVersion10(doc)
	return cleanXML(doc)
}

// pickEncoding decides body's encoding; nil means UTF-8.
func pickEncoding(body []byte, contentType string) encoding.Encoding {
	for _, bo := range byteOrders {
		if bytes.HasPrefix(body, bo.prefix) {
			return bo.enc
		}
	}
	if isJSON(body) {
		return nil
	}
	declared := lookupEncoding(declaredEncoding(body))
	if httpEnc := lookupEncoding(ContentTypeCharset(contentType)); httpEnc != nil {
		// Servers often label everything UTF-8. When the bytes say
		// otherwise and the document names its own encoding, believe the
		// document.
		if isUTF8(httpEnc) && declared != nil && !isUTF8(declared) && !utf8.Valid(body) {
			return declared
		}
		return httpEnc
	}
	return declared
}

// lookupEncoding maps a charset label to an encoding (WHATWG names, so
// "iso-8859-1" decodes as its superset windows-1252), handling UTF-32
// which the web index lacks. It returns nil for "" and unknown labels.
func lookupEncoding(label string) encoding.Encoding {
	label = strings.ToLower(strings.TrimSpace(label))
	switch label {
	case "":
		return nil
	case "utf-32", "utf-32be", "ucs-4", "ucs4":
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)
	case "utf-32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	}
	e, name := charset.Lookup(label)
	if e == nil || name == "replacement" {
		return nil
	}
	if name == "utf-8" {
		return unicode.UTF8
	}
	return e
}

func isUTF8(e encoding.Encoding) bool { return e == unicode.UTF8 }

// ContentTypeCharset returns the charset parameter of a Content-Type
// header (or of an HTML meta http-equiv content), or "". It never fails: a
// malformed header is searched for "charset=" by hand.
func ContentTypeCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		return params["charset"]
	}
	// A malformed header: look for charset= by hand. Only ASCII letters are
	// lower-cased, so that byte offsets in the lowered copy stay valid for
	// contentType even when it holds invalid UTF-8.
	i := strings.Index(asciiLower(contentType), "charset=")
	if i < 0 {
		return ""
	}
	v := contentType[i+len("charset="):]
	if j := strings.IndexAny(v, "; "); j >= 0 {
		v = v[:j]
	}
	return strings.Trim(v, `"'`)
}

// xmlDecl locates the XML declaration at the start of doc (after optional
// whitespace) and, inside it, the value of its encoding pseudo-attribute.
// valStart and valEnd are -1 when there is no encoding.
func xmlDecl(doc []byte) (valStart, valEnd int, ok bool) {
	return xmlDeclAttr(doc, "encoding")
}

// xmlDeclAttr is xmlDecl for the pseudo-attribute attr ("version",
// "encoding").
func xmlDeclAttr(doc []byte, attr string) (valStart, valEnd int, ok bool) {
	i := 0
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\r' || doc[i] == '\n') {
		i++
	}
	if !bytes.HasPrefix(doc[i:], []byte("<?xml")) || len(doc) <= i+5 || !isXMLSpace(doc[i+5]) {
		return -1, -1, false
	}
	end := bytes.Index(doc[i:], []byte("?>"))
	if end < 0 || end > 512 {
		return -1, -1, false
	}
	decl := doc[i : i+end]
	k := bytes.Index(decl, []byte(attr))
	if k < 0 {
		return -1, -1, true
	}
	j := k + len(attr)
	for j < len(decl) && isXMLSpace(decl[j]) {
		j++
	}
	if j >= len(decl) || decl[j] != '=' {
		return -1, -1, true
	}
	j++
	for j < len(decl) && isXMLSpace(decl[j]) {
		j++
	}
	if j >= len(decl) || (decl[j] != '"' && decl[j] != '\'') {
		return -1, -1, true
	}
	q := decl[j]
	closing := bytes.IndexByte(decl[j+1:], q)
	if closing < 0 {
		return -1, -1, true
	}
	return i + j + 1, i + j + 1 + closing, true
}

// setVersion10 rewrites an XML declaration that names a version other than
// 1.0 ("1.1" in practice) to say 1.0: the XML reader knows only 1.0, and
// what 1.1 adds (more control characters, other line ends) is cleaned up
// anyway. Without it a feed that says 1.1 reads as "not a feed".
func setVersion10(doc []byte) []byte {
	s, e, _ := xmlDeclAttr(doc, "version")
	if s < 0 || string(doc[s:e]) == "1.0" {
		return doc
	}
	out := make([]byte, 0, len(doc)-(e-s)+3)
	out = append(out, doc[:s]...)
	out = append(out, "1.0"...)
	return append(out, doc[e:]...)
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// declaredEncoding returns the encoding named in doc's XML declaration.
func declaredEncoding(doc []byte) string {
	s, e, _ := xmlDecl(doc)
	if s < 0 {
		return ""
	}
	return string(doc[s:e])
}

// setDeclaredEncodingUTF8 rewrites the XML declaration of an already
// transcoded document to say UTF-8, so the XML parser does not decode it a
// second time.
func setDeclaredEncodingUTF8(doc []byte) []byte {
	s, e, _ := xmlDecl(doc)
	if s < 0 || strings.EqualFold(string(doc[s:e]), "utf-8") {
		return doc
	}
	out := make([]byte, 0, len(doc)-(e-s)+5)
	out = append(out, doc[:s]...)
	out = append(out, "UTF-8"...)
	return append(out, doc[e:]...)
}

// cleanXML replaces invalid UTF-8 with U+FFFD and drops the characters
// XML 1.0 does not allow (C0 controls other than tab, LF and CR; U+FFFE
// and U+FFFF). It returns doc itself when there is nothing to change.
func cleanXML(doc []byte) []byte {
	if isCleanXML(doc) {
		return doc
	}
	clean := true
	for i := 0; i < len(doc); {
		c := doc[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				clean = false
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(doc[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return doc
	}
	out := make([]byte, 0, len(doc))
	for i := 0; i < len(doc); {
		r, n := utf8.DecodeRune(doc[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			out = utf8.AppendRune(out, utf8.RuneError)
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}

// isCleanXML is a quick check that cleanXML has nothing to change: valid
// UTF-8 (checked by utf8.Valid, which is fast on ASCII), no C0 control
// other than tab, LF and CR, no U+FFFE or U+FFFF. A false result only
// means that cleanXML must look closer.
func isCleanXML(doc []byte) bool {
	for _, c := range doc {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return utf8.Valid(doc) && !bytes.Contains(doc, []byte("\uFFFE")) && !bytes.Contains(doc, []byte("\uFFFF"))
}

// isJSON reports whether doc (after a UTF-8 BOM and whitespace) starts
// with "{".
func isJSON(doc []byte) bool {
	doc = bytes.TrimPrefix(doc, []byte("\xEF\xBB\xBF"))
	doc = bytes.TrimLeft(doc, " \t\r\n")
	return len(doc) > 0 && doc[0] == '{'
}

// asciiLower lower-cases the ASCII letters of s byte by byte, leaving every
// other byte, valid UTF-8 or not, as it is.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
