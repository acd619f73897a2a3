package daemon

// Feed validation: the Atom, RSS and JSON Feed output of a real daemon,
// checked the way the W3C feed validator (https://validator.w3.org/feed/)
// checks feeds, or more strictly.
//
//   - Atom 1.0: the RELAX NG schema of RFC 4287 (testdata/atom.rnc), run by
//     Debian's jing, plus in Go the validator's checks that RELAX NG cannot
//     express (ids, dates, authors, links, self, escaped HTML, languages).
//   - RSS 2.0 has no schema: the validator's RSS 2.0 rules for the elements
//     we emit are implemented here in Go.
//   - JSON Feed 1.1: testdata/jsonfeed-1.1.schema.json (JSON Schema
//     draft-07, written from https://jsonfeed.org/version/1.1, with our
//     "_aggregatord" extension), run by Debian's python3-jsonschema.
//
// The Go checkers report the validator's own event names (InvalidRFC2822Date,
// MissingSelf, ...). They are shown to be as strict as the validator on the
// rules they cover by running them over the validator's own test cases
// (/work/shared/corpus/w3c-feedvalidator, each file stating the event it
// expects). Rules of our own, stricter than the validator's, report event
// names starting with "Strict" and are not compared with the corpus.
//
// The lists of HTML elements, attributes and CSS properties, the URI and
// date patterns and the link relations below are transcribed from the
// validator's source (github.com/w3c/feedvalidator, src/feedvalidator,
// MIT-style licence, Copyright (c) 2002-2006 Sam Ruby, Mark Pilgrim, Joseph
// Walton, Phil Ringnalda).
//
// jing and python3-jsonschema are Debian packages (apt-get install jing
// python3-jsonschema): a missing one skips its part locally and fails it
// when CI=true.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/aggregatord/aggregatord/config"
)

const (
	nsAtom  = "http://www.w3.org/2005/Atom"
	nsXML   = "http://www.w3.org/XML/1998/namespace"
	nsXHTML = "http://www.w3.org/1999/xhtml"
	nsDC    = "http://purl.org/dc/elements/1.1/"
)

// ---------------------------------------------------------------------------
// Findings

// finding is one event a checker reports: the validator's event class (or
// one of ours, named Strict...), where it is, and why.
type finding struct {
	Kind    string
	Parent  string
	Element string
	Attr    string
	Line    int
	Msg     string
}

func (f finding) String() string {
	where := f.Element
	if f.Parent != "" {
		where = f.Parent + "/" + where
	}
	if f.Attr != "" {
		where += "@" + f.Attr
	}
	return fmt.Sprintf("line %d: %s %s (%s): %s", f.Line, severity(f.Kind), f.Kind, where, f.Msg)
}

// w3cClass is the validator's event class hierarchy (logging.py) for the
// events the checkers report: an expectation of a class is met by any of
// its subclasses, as in the validator's own test harness.
var w3cClass = map[string]string{
	// errors
	"SAXError": "Error", "UndefinedElement": "Error", "MissingAttribute": "Error",
	"UnexpectedAttribute": "Error", "DuplicateElement": "Error", "InvalidValue": "Error",
	"InvalidLink": "InvalidValue", "UriNotIri": "InvalidLink", "InvalidIRI": "InvalidLink",
	"InvalidFullLink": "InvalidLink", "InvalidUriChar": "InvalidLink",
	"InvalidURIAttribute": "InvalidLink", "InvalidURLAttribute": "InvalidURIAttribute",
	"InvalidRFC2822Date": "InvalidValue", "IncorrectDOW": "InvalidRFC2822Date",
	"InvalidRFC3339Date": "InvalidValue", "InvalidBooleanAttribute": "InvalidValue",
	"InvalidHttpGUID": "InvalidValue", "InvalidLanguage": "InvalidValue",
	"InvalidTextType": "InvalidValue", "InvalidNonNegativeInteger": "InvalidValue",
	"InvalidURN": "InvalidValue", "InvalidUUID": "InvalidValue", "InvalidTAG": "InvalidValue",
	"DuplicateValue": "InvalidValue", "InvalidMediaRange": "Error", "InvalidMIMEType": "InvalidMediaRange",
	"MissingElement": "Error", "MissingDescription": "MissingElement", "MissingLink": "MissingElement",
	"MissingTitle": "MissingElement", "ItemMustContainTitleOrDescription": "MissingElement",
	"MissingXhtmlDiv": "MissingElement", "MissingContentOrAlternate": "MissingElement",
	"MissingHref": "MissingAttribute", "DuplicateAtomLink": "Error", "UnexpectedText": "Error",
	"InvalidPermalink": "Error", "DuplicateIds": "Error", "MissingSummary": "Error",
	// warnings
	"ContainsHTML": "Warning", "ContainsUndeclaredHTML": "ContainsHTML", "CharacterData": "ContainsHTML",
	"NotHtml": "Warning", "SecurityRisk": "Warning", "SecurityRiskAttr": "SecurityRisk",
	"DangerousStyleAttr": "SecurityRiskAttr", "ContainsRelRef": "Warning",
	"MissingSelf": "Warning", "MissingAtomSelfLink": "MissingSelf", "SelfDoesntMatchLocation": "Warning",
	"RelativeSelf": "Warning", "SelfNotAtom": "Warning", "NotSufficientlyUnique": "Warning",
	"ImplausibleDate": "Warning", "ProblematicalRFC822Date": "Warning", "BadCharacters": "Warning",
	"NotBlank": "Warning", "AttrNotBlank": "Warning", "MissingGuid": "Warning",
	"DuplicateEntries": "Warning", "SchemeNotIANARegistered": "Warning",
	"UnregisteredAtomLinkRel": "Warning", "NonCanonicalURI": "Warning", "AtomLinkNotEmpty": "Warning",
	"MissingSourceElement": "Warning", "MissingTypeAttr": "Warning", "MissingTextualContent": "Warning",
	"Error": "Message", "Warning": "Message",
}

// isA reports whether kind is want or one of its subclasses.
func isA(kind, want string) bool {
	for k := kind; k != ""; k = w3cClass[k] {
		if k == want {
			return true
		}
	}
	return false
}

// severity is "error", "warning" or, for our own stricter rules, "strict".
func severity(kind string) string {
	switch {
	case strings.HasPrefix(kind, "Strict"):
		return "strict"
	case isA(kind, "Error"):
		return "error"
	case isA(kind, "Warning"):
		return "warning"
	}
	return "unknown"
}

// report collects findings.
type report struct {
	list []finding
}

func (r *report) add(kind string, n *xnode, parent, element, attr, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.line
	}
	r.list = append(r.list, finding{Kind: kind, Parent: parent, Element: element, Attr: attr, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// ---------------------------------------------------------------------------
// A small XML tree with namespaces, line numbers, xml:base and xml:lang.

type xnode struct {
	space, local string
	attrs        []xml.Attr
	kids         []*xnode
	parent       *xnode
	text         string // character data directly inside
	hexRef       bool   // its source spells a character as a hex reference (&#x..;)
	line         int
	base         string // xml:base in scope, resolved
	lang         string // xml:lang in scope
}

func (n *xnode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (n *xnode) xmlAttr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == nsXML && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// all returns the children in namespace space named local.
func (n *xnode) all(space, local string) []*xnode {
	var out []*xnode
	for _, k := range n.kids {
		if k.space == space && k.local == local {
			out = append(out, k)
		}
	}
	return out
}

func (n *xnode) first(space, local string) *xnode {
	for _, k := range n.kids {
		if k.space == space && k.local == local {
			return k
		}
	}
	return nil
}

func (n *xnode) value() string { return strings.TrimSpace(n.text) }

// parseTree parses an XML document. location is its URL, the base of
// relative references.
func parseTree(body []byte, location string) (*xnode, error) {
	// Work on UTF-8 so that byte offsets point into the text parsed.
	if m := reXMLEncoding.FindSubmatch(body); m != nil && !strings.EqualFold(string(m[1]), "utf-8") {
		r, err := charset.NewReaderLabel(string(m[1]), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		if body, err = io.ReadAll(r); err != nil {
			return nil, err
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	if bytes.Contains(body, []byte("<!DOCTYPE")) {
		dec.Entity = xml.HTMLEntity // the RSS 0.91 DTD's entities; we emit no DOCTYPE
	}
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil }
	var root *xnode
	var stack []*xnode
	var contentStart []int64
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := dec.InputPos()
			if undeclaredPrefix(t) {
				return nil, fmt.Errorf("line %d: undeclared namespace prefix in <%s>", line, t.Name.Local)
			}
			n := &xnode{space: t.Name.Space, local: t.Name.Local, attrs: t.Attr, line: line, base: location}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				n.parent, n.base, n.lang = p, p.base, p.lang
				p.kids = append(p.kids, n)
			} else if root == nil {
				root = n
			}
			if b, ok := n.xmlAttr("base"); ok {
				n.base = resolveRef(n.base, b)
			}
			if l, ok := n.xmlAttr("lang"); ok {
				n.lang = l
			}
			stack = append(stack, n)
			contentStart = append(contentStart, dec.InputOffset())
		case xml.EndElement:
			n := stack[len(stack)-1]
			if start := contentStart[len(contentStart)-1]; start <= before && before <= int64(len(body)) {
				n.hexRef = bytes.Contains(body[start:before], []byte("&#x"))
			}
			stack, contentStart = stack[:len(stack)-1], contentStart[:len(contentStart)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// undeclaredPrefix reports a prefixed name whose prefix is not declared:
// encoding/xml leaves the prefix where the namespace URI belongs.
func undeclaredPrefix(t xml.StartElement) bool {
	bad := func(n xml.Name) bool { return n.Space != "" && n.Space != "xmlns" && !strings.Contains(n.Space, ":") }
	if bad(t.Name) {
		return true
	}
	return slices.ContainsFunc(t.Attr, func(a xml.Attr) bool { return bad(a.Name) })
}

var reXMLEncoding = regexp.MustCompile(`^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']`)

func resolveRef(base, ref string) string {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil || base == "" {
		return r.String()
	}
	return b.ResolveReference(r).String()
}

// ---------------------------------------------------------------------------
// URIs (validators.py rfc2396, rfc2396_full, rfc3987, canonicaluri; uri.py)

var (
	reURI        = regexp.MustCompile(`^([a-zA-Z][0-9a-zA-Z+\-.]*:)?/{0,2}(\[[0-9A-Fa-f:]+\])?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]*$`)
	reURIFull    = regexp.MustCompile(`^[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$`)
	reURN        = regexp.MustCompile(`^[Uu][Rr][Nn]:[a-zA-Z0-9][a-zA-Z0-9-]{1,31}:([a-zA-Z0-9()+,.:=@;$_!*'\-]|%[0-9A-Fa-f]{2})+$`)
	reUUID       = regexp.MustCompile(`^[Uu][Rr][Nn]:[Uu][Uu][Ii][Dd]:[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$`)
	reTagURI     = regexp.MustCompile(`^tag:([a-z0-9\-._]+?@)?[a-z0-9.\-]+?,\d{4}(-\d{2}(-\d{2})?)?:[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*(#[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*)?$`)
	reHTTPPrefix = regexp.MustCompile(`^\w+://[^/]`)
	uriChars     = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ;/?:@&=+$.-_!~*'()%,#"
)

var ianaSchemes = strings.Fields(`ftp http gopher mailto news nntp telnet wais file prospero z39.50s z39.50r
	cid mid vemmi service imap nfs acap rtsp tip pop data dav opaquelocktoken sip sips tel fax modem ldap
	https soap.beep soap.beeps xmlrpc.beep xmlrpc.beeps urn go h323 ipp tftp mupdate pres im mtqp
	iris.beep dict snmp crid tag dns info aaa aaas cap iax icap iris iris.xpc iris.xpcs iris.lwz msrp
	msrps shttp thismessage tv xmpp`)

// iriToURI maps an IRI to a URI (RFC 3987 3.1): UTF-8 octets of characters
// outside ASCII become percent escapes.
func iriToURI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// checkURI applies the validator's rfc2396 family to v and returns the
// event it logs ("" when valid). full requires an absolute URI
// (rfc2396_full); iri accepts characters outside ASCII (rfc3987). errKind
// is the error for a value that does not match.
func checkURI(v string, full, iri bool, errKind string) string {
	scheme := strings.ToLower(strings.SplitN(v, ":", 2)[0])
	re := reURI
	if full {
		re = reURIFull
	}
	w := v
	if iri {
		w = iriToURI(v)
	}
	switch {
	case scheme == "tag":
		if !reTagURI.MatchString(w) {
			return "InvalidTAG"
		}
	case scheme == "urn":
		if strings.HasPrefix(strings.ToLower(v), "urn:uuid:") && !reUUID.MatchString(v) {
			return "InvalidUUID"
		}
		if !reURN.MatchString(w) {
			return "InvalidURN"
		}
	case !re.MatchString(w):
		for _, c := range v {
			if c < 128 && !strings.ContainsRune(uriChars, c) {
				return "InvalidUriChar"
			}
		}
		return errKind
	case scheme == "http" || scheme == "ftp":
		if !reHTTPPrefix.MatchString(v) {
			return errKind
		}
	case strings.Contains(v, ":") && isAlpha(scheme) && !slices.Contains(ianaSchemes, scheme):
		return "SchemeNotIANARegistered"
	}
	return ""
}

func isAlpha(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') })
}

var defaultPorts = map[string]string{"ftp": "21", "telnet": "23", "http": "80", "gopher": "70", "news": "119",
	"nntp": "119", "prospero": "191", "https": "443", "snews": "563", "snntp": "563"}

var reURIParts = regexp.MustCompile(`^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?$`)

// canonicalURI is uri.py's canonicalForm: the spelling of u under which
// equivalent URIs compare equal ("" when u cannot be normalised).
func canonicalURI(u string) string {
	m := reURIParts.FindStringSubmatchIndex(u)
	if m == nil {
		return ""
	}
	group := func(i int) (string, bool) {
		if m[2*i] < 0 {
			return "", false
		}
		return u[m[2*i]:m[2*i+1]], true
	}
	schemeRaw, hasScheme := group(2)
	scheme := strings.ToLower(schemeRaw)
	auth, hasAuth := group(4)
	p, _ := group(5)
	var out strings.Builder
	if hasScheme {
		out.WriteString(scheme + ":")
	}
	ok := true
	q := func(s, safe string) string {
		r, good := requote(s, safe)
		ok = ok && good
		return r
	}
	const subDelims = "!$&'()*+,;="
	const pchar = "-._~" + subDelims + ":@"
	if !hasAuth {
		if !hasScheme && !strings.HasPrefix(p, "/") {
			return ""
		}
		if !hasScheme || strings.HasPrefix(p, "/") {
			out.WriteString(normPath(p, q, pchar))
		} else {
			out.WriteString(q(p, pchar+"/"))
		}
	} else {
		// Authority: drop an empty "user:" part, lower-case the host and
		// drop the scheme's default port.
		cred, host := "", auth
		if i := strings.LastIndexByte(auth, '@'); i >= 0 {
			cred, host = auth[:i], auth[i+1:]
			if cred == ":" {
				cred = ""
			}
		}
		host = strings.ToLower(host)
		port := defaultPorts[scheme]
		if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
			if host[i+1:] != "" {
				port = host[i+1:]
			}
			host = host[:i]
		}
		if strings.HasSuffix(host, ".") && strings.LastIndex(host[:max(len(host)-2, 0)], ".") >= 0 {
			host = host[:len(host)-1]
		}
		if strings.HasPrefix(host, "[") != strings.HasSuffix(host, "]") {
			return ""
		}
		if port != defaultPorts[scheme] {
			host += ":" + port
		}
		out.WriteString("//")
		if cred != "" {
			out.WriteString(cred + "@")
		}
		out.WriteString(host)
		out.WriteString(normPath(p, q, pchar))
	}
	if query, has := group(7); has {
		out.WriteString("?" + q(query, pchar+"/?"))
	}
	if frag, has := group(9); has {
		out.WriteString("#" + q(frag, pchar+"/?"))
	}
	if !ok {
		return ""
	}
	return out.String()
}

// normPath removes dot segments and requotes each segment (uri.py _normPath).
func normPath(p string, q func(s, safe string) string, pchar string) string {
	l := strings.Split(p, "/")
	i := 0
	if len(l) > 0 && l[0] != "" {
		i = len(l)
	}
	for i < len(l) {
		switch l[i] {
		case ".", "..":
			dots := l[i] == ".."
			if i < len(l)-1 {
				l = slices.Delete(l, i, i+1)
			} else {
				l[i] = ""
			}
			if dots && (i > 1 || (i > 0 && l[0] != "")) {
				i--
				l = slices.Delete(l, i, i+1)
			}
		default:
			i++
		}
	}
	if len(l) == 1 && l[0] == "" {
		l = []string{"", ""}
	}
	for i := range l {
		l[i] = q(l[i], pchar)
	}
	return strings.Join(l, "/")
}

// requote decodes percent escapes of characters that need none and encodes
// characters that need one, with upper-case hex digits, after NFC (uri.py
// _qnu).
func requote(s, safe string) (string, bool) {
	const reserved = ":/?#[]@" + "!$&'()*+,;="
	const always = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
	var out strings.Builder
	var pending []byte
	ok := true
	flush := func() {
		if !utf8.Valid(pending) {
			ok = false
		}
		for _, c := range norm.NFC.Bytes(pending) {
			if c < 0x80 && (strings.IndexByte(always, c) >= 0 || strings.IndexByte(safe, c) >= 0) {
				out.WriteByte(c)
			} else {
				fmt.Fprintf(&out, "%%%02X", c)
			}
		}
		pending = pending[:0]
	}
	for i := 0; i < len(s); i++ {
		c, lit := s[i], s[i:i+1]
		if c == '%' {
			if i+2 >= len(s) {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", false
			}
			c, lit = byte(v), strings.ToUpper(s[i:i+3])
			i += 2
		}
		if strings.IndexByte(reserved, c) >= 0 && strings.IndexByte(safe, c) >= 0 {
			flush()
			out.WriteString(lit)
		} else {
			pending = append(pending, c)
		}
	}
	flush()
	return out.String(), ok
}

// ---------------------------------------------------------------------------
// Dates (validators.py rfc3339, rfc822, implausible_*)

var (
	reRFC3339 = regexp.MustCompile(`^(\d\d\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d*)?(Z|([+-])(\d\d):(\d\d))$`)
	reRFC2822 = regexp.MustCompile(`^(((Mon)|(Tue)|(Wed)|(Thu)|(Fri)|(Sat)|(Sun)), )?(\d\d?) ((Jan)|(Feb)|(Mar)|(Apr)|(May)|(Jun)|(Jul)|(Aug)|(Sep)|(Oct)|(Nov)|(Dec)) (\d\d\d\d) (\d\d):(\d\d)(:(\d\d))? (([+-]?\d\d[03]0)|(UT)|(GMT)|(EST)|(EDT)|(CST)|(CDT)|(MST)|(MDT)|(PST)|(PDT)|Z)$`)
	reRFC822  = regexp.MustCompile(`^(((mon)|(tue)|(wed)|(thu)|(fri)|(sat)|(sun))\s*,\s*)?\d\d?\s+((jan)|(feb)|(mar)|(apr)|(may)|(jun)|(jul)|(aug)|(sep)|(oct)|(nov)|(dec))\s+\d\d(\d\d)?\s+\d\d:\d\d(:\d\d)?\s+(([+-]\d\d\d\d)|(ut)|(gmt)|(est)|(edt)|(cst)|(cdt)|(mst)|(mdt)|(pst)|(pdt)|[a-ik-z])?$`)
	reComment = regexp.MustCompile(`\([^(]*?\)`)
	reQuoted  = regexp.MustCompile(`\\.`)
)

var earliestPlausible = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// checkRFC3339 returns "" for a valid, plausible RFC 3339 date-time with a
// time zone, else the validator's event.
func checkRFC3339(v string, now time.Time) string {
	m := reRFC3339.FindStringSubmatch(v)
	if m == nil {
		return "InvalidRFC3339Date"
	}
	n := func(i int) int { x, _ := strconv.Atoi(m[i]); return x }
	y, mo, d, h, mi, s := n(1), n(2), n(3), n(4), n(5), n(6)
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60 {
		return "InvalidRFC3339Date"
	}
	if m[9] != "" && (n(10) > 23 || n(11) > 59) {
		return "InvalidRFC3339Date"
	}
	t, err := time.Parse(time.RFC3339, strings.Replace(v, ":60", ":59", 1))
	if err != nil {
		return "InvalidRFC3339Date"
	}
	if t.Before(earliestPlausible) || t.After(now.Add(10*time.Minute)) {
		return "ImplausibleDate"
	}
	return ""
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

var rfc822Zones = map[string]int{"UT": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}

// checkRFC822 returns "" for a valid, plausible RFC 2822 date with a
// four-digit year and a valid zone, else the validator's event.
func checkRFC822(v string, now time.Time) string {
	m := reRFC2822.FindStringSubmatch(v)
	if m == nil {
		w := reQuoted.ReplaceAllString(v, "")
		for {
			x := reComment.ReplaceAllString(w, " ")
			if x == w {
				break
			}
			w = x
		}
		if reRFC822.MatchString(strings.ToLower(strings.TrimSpace(w))) {
			return "ProblematicalRFC822Date"
		}
		return "InvalidRFC2822Date"
	}
	day, _ := strconv.Atoi(m[10])
	month := 1 + slices.Index(strings.Fields("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"), m[11])
	year, _ := strconv.Atoi(m[24])
	hour, _ := strconv.Atoi(m[25])
	minute, _ := strconv.Atoi(m[26])
	sec, _ := strconv.Atoi(m[28])
	if day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 60 {
		return "InvalidRFC2822Date"
	}
	zone := m[29]
	offset := 0
	if h, ok := rfc822Zones[zone]; ok {
		offset = h * 3600
	} else {
		sign, digits := 1, zone
		if digits[0] == '+' || digits[0] == '-' {
			if digits[0] == '-' {
				sign = -1
			}
			digits = digits[1:]
		}
		hh, _ := strconv.Atoi(digits[:2])
		mm, _ := strconv.Atoi(digits[2:])
		offset = sign * (hh*3600 + mm*60)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, min(sec, 59), 0, time.FixedZone("", offset))
	if m[2] != "" && !strings.EqualFold(t.Weekday().String()[:3], m[2]) {
		return "IncorrectDOW"
	}
	if year < 1990 || t.After(now.Add(10*time.Minute)) {
		return "ImplausibleDate"
	}
	return ""
}

// ---------------------------------------------------------------------------
// Language tags

// reBCP47 is the well-formed langtag of RFC 5646 (private use and
// grandfathered tags aside): language, extlang, script, region, variants,
// extensions, private use.
var reBCP47 = regexp.MustCompile(`^(?i)([a-z]{2,3}(-[a-z]{3}){0,3}|[a-z]{4,8})(-[a-z]{4})?(-([a-z]{2}|[0-9]{3}))?(-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(-[0-9a-wy-z](-[a-z0-9]{2,8})+)*(-x(-[a-z0-9]{1,8})+)?$`)

// validLang reports whether s is a well-formed and valid BCP 47 tag.
func validLang(s string) bool {
	if !reBCP47.MatchString(s) {
		return false
	}
	_, err := language.Parse(s)
	return err == nil
}

// ---------------------------------------------------------------------------
// Text and HTML (validators.py nonhtml, safeHtml, HTMLValidator, checkStyle,
// absUrlMixin)

var htmlTags = strings.Fields(`a abbr acronym address applet area article aside audio b base basefont bdi
	bdo big blockquote body br button canvas caption center cite code col colgroup command data datagrid
	datalist dd del details dfn dialog dir div dl dt em eventsource fieldset figcaption figure font footer
	form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins isindex kbd
	label legend li link m main mark map menu meta meter nav noframes noscript object ol optgroup option
	output p param picture pre progress q rp rt ruby s samp script section select slot small source span
	strike strong style sub summary sup table tbody td template textarea tfoot th thead time title tr
	track tt u ul var xmp plaintext embed comment listing video wbr`)

var acceptableElements = strings.Fields(`a abbr acronym address area article aside audio b bdi big
	blockquote br button canvas caption center cite code col colgroup command data datagrid datalist dd
	del details dfn dialog dir div dl dt em eventsource fieldset figcaption figure footer font form header
	h1 h2 h3 h4 h5 h6 hgroup hr i img input ins keygen kbd label legend li m main map mark menu meter
	multicol nav nextid ol output optgroup option p picture pre progress q rp rt ruby s samp section
	select small sound source spacer span strike strong sub summary sup table tbody td template textarea
	time tfoot th thead tr track tt u ul var video noscript wbr`)

var acceptableAttributes = strings.Fields(`abbr accept accept-charset accesskey action align allow
	allowfullscreen allowpaymentrequest alt as autoplay autocapitalize autocomplete autofocus axis
	background balance bgcolor bgproperties border bordercolor bordercolordark bordercolorlight
	bottompadding cellpadding cellspacing ch challenge char charoff choff charset checked cite class
	clear color cols colspan compact contenteditable coords crossorigin data datafld datapagesize
	datasrc datetime decoding default delay dir dirname disabled download draggable dynsrc enctype end
	enterkeyhint face for form formenctype frame galleryimg gutter headers height hidefocus hidden high
	href hreflang hspace icon id inputmode is ismap itemid itemprop itemref itemscope itemtype kind
	keytype label lang leftspacing loading list longdesc loop loopcount loopend loopstart low lowsrc max
	maxlength media method min minlength multiple muted name nohref nonce noshade nowrap open optimum
	pattern ping placeholder playsinline point-size poster preload prompt pqg radiogroup readonly
	referrerpolicy rel repeat-max repeat-min replace required rev reversed rightspacing rows rowspan
	rules scope selected shape size sizes span spellcheck src srclang srcset start step summary suppress
	tabindex target template title toppadding translate type unselectable usemap urn valign value
	variable volume vspace vrml width wrap xml:lang xmlns`)

var acceptableCSSProperties = strings.Fields(`azimuth background background-color border border-bottom
	border-bottom-color border-bottom-style border-bottom-width border-collapse border-color border-left
	border-left-color border-left-style border-left-width border-right border-right-color
	border-right-style border-right-width border-spacing border-style border-top border-top-color
	border-top-style border-top-width border-width clear color cursor direction display elevation float
	font font-family font-size font-style font-variant font-weight height letter-spacing line-height
	list-style-type margin margin-bottom margin-left margin-right margin-top overflow padding
	padding-bottom padding-left padding-right padding-top pause pause-after pause-before pitch
	pitch-range richness speak speak-header speak-numeral speak-punctuation speech-rate stress
	text-align text-decoration text-indent unicode-bidi vertical-align voice-family volume white-space
	width`)

var acceptableCSSKeywords = strings.Fields(`aqua auto black block blue bold both bottom brown center
	collapse dashed dotted fuchsia gray green !important italic left lime maroon medium none navy normal
	nowrap olive pointer purple red right solid silver teal top transparent underline white yellow`)

var (
	reCSSChars    = regexp.MustCompile(`^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*$`)
	reCSSDecls    = regexp.MustCompile(`^(\s*[-\w]+\s*:\s*[^:;]*(;|$))*$`)
	reCSSDecl     = regexp.MustCompile(`([-\w]+)\s*:\s*([^:;]*)`)
	reCSSValue    = regexp.MustCompile(`^(#[0-9a-f]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d?\.?\d?\d(cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$`)
	reHTMLEndTag  = regexp.MustCompile(`</(\w+)>`)
	reHTMLEntity  = regexp.MustCompile(`&(#?\w+)`)
	reRSSProfile  = regexp.MustCompile(`&#[x0-9]|<[/a-zA-Z]`)
	reAnchorHref  = regexp.MustCompile(`(?i)<a\s+href=(?:"(.*?)"|'(.*?)'|([\w-]+))[\s>]`)
	reImgSrc      = regexp.MustCompile(`(?i)<img\s+[^>]*src=(?:"(.*?)"|'(.*?)'|([\w-]+))[\s>]`)
	reAbsRef      = regexp.MustCompile(`^\w+:`)
	reUnsafeStyle = regexp.MustCompile(`(?i)expression|javascript:|url\s*\(|@import|behavior|-moz-binding`)
)

// checkStyle returns the unsafe parts of a style attribute.
func checkStyle(style string) []string {
	if !reCSSChars.MatchString(style) || !reCSSDecls.MatchString(style) {
		return []string{style}
	}
	var unsafe []string
	for _, m := range reCSSDecl.FindAllStringSubmatch(strings.ToLower(style), -1) {
		prop, value := m[1], m[2]
		if !slices.Contains(acceptableCSSProperties, prop) {
			unsafe = append(unsafe, prop)
			continue
		}
		switch strings.Split(prop, "-")[0] {
		case "background", "border", "margin", "padding":
			for _, kw := range strings.Fields(value) {
				if !slices.Contains(acceptableCSSKeywords, kw) && !reCSSValue.MatchString(kw) {
					unsafe = append(unsafe, kw)
				}
			}
		}
	}
	return unsafe
}

// isHTMLEntityName reports whether &name; is a named character reference.
func isHTMLEntityName(name string) bool {
	return name == "apos" || html.UnescapeString("&"+name+";") != "&"+name+";"
}

// nonHTML is the validator's check of plain-text elements: end tags of HTML
// elements and character references mean the text holds HTML, reported as
// kind; rss2 adds the RSS profile's check of "&#" and "<" followed by a
// letter or slash. Text that spells a character as a hexadecimal reference
// (the RSS profile's advice) is exempt from the last two.
func nonHTML(n *xnode, value, kind string, rss2 bool) (string, string) {
	for _, m := range reHTMLEndTag.FindAllStringSubmatch(value, -1) {
		if slices.Contains(htmlTags, strings.ToLower(m[1])) {
			return kind, "end tag </" + m[1] + ">"
		}
	}
	if reHTMLEntity.MatchString(value) {
		for _, m := range reHTMLEntity.FindAllStringSubmatch(value, -1) {
			v := m[1]
			if (isHTMLEntityName(v) || !isAlpha(v)) && !n.hexRef {
				return kind, "character reference &" + v + ";"
			}
		}
		return "", ""
	}
	if rss2 && reRSSProfile.MatchString(value) && !n.hexRef {
		return "CharacterData", "markup-like text outside CDATA"
	}
	return "", ""
}

// badCharacters reports C1 controls and U+FFFD (validators.py eater).
func badCharacters(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && r <= 0x9F || r == utf8.RuneError })
}

// htmlProblem is one problem checkHTML found.
type htmlProblem struct{ kind, msg string }

// urlAttrs are the HTML attributes holding URLs.
var urlAttrs = []string{"href", "src", "cite", "action", "formaction", "poster", "longdesc", "background", "lowsrc", "dynsrc", "usemap", "data", "codebase", "ping"}

// checkHTML checks an HTML fragment as the validator does (HTMLValidator:
// parse errors, unknown and unsafe elements and attributes, dangerous
// styles; absUrlMixin: relative references when relRefs), plus our own
// stricter rules: every URL absolute http(s) or mailto, no event handlers,
// no code-running elements, no style that can load or run anything.
func checkHTML(fragment string, relRefs bool) []htmlProblem {
	var out []htmlProblem
	add := func(kind, format string, args ...any) {
		out = append(out, htmlProblem{kind, fmt.Sprintf(format, args...)})
	}
	if strings.Contains(strings.ToLower(fragment), "<?import ") {
		add("SecurityRisk", "<?import")
	}
	z := xhtml.NewTokenizer(strings.NewReader(fragment))
	var open []string
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			if len(z.Raw()) > 0 {
				add("NotHtml", "unterminated markup %q", truncate(string(z.Raw()), 40))
			}
			break
		}
		raw := string(z.Raw()) // before Token, which unescapes in place
		tok := z.Token()
		switch tt {
		case xhtml.TextToken:
			text := raw
			if len(open) > 0 && (open[len(open)-1] == "script" || open[len(open)-1] == "style") {
				continue
			}
			if strings.Contains(text, "<") {
				add("NotHtml", "unescaped < in text %q", truncate(text, 40))
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name := tok.Data
			switch {
			case !slices.Contains(htmlTags, name):
				add("NotHtml", "non-HTML element <%s>", name)
			case !slices.Contains(acceptableElements, name):
				add("SecurityRisk", "element <%s>", name)
			default:
				seen := map[string]bool{}
				for _, a := range tok.Attr {
					key := strings.ToLower(a.Key)
					if seen[key] {
						add("NotHtml", "duplicate attribute %s on <%s>", key, name)
					}
					seen[key] = true
					switch {
					case key == "style":
						for _, evil := range checkStyle(a.Val) {
							add("DangerousStyleAttr", "<%s style=%q>: %s", name, a.Val, evil)
						}
						if reUnsafeStyle.MatchString(a.Val) {
							add("StrictUnsafeStyle", "<%s style=%q>", name, a.Val)
						}
					case !slices.Contains(acceptableAttributes, key) && !strings.HasPrefix(key, "data-"):
						add("SecurityRiskAttr", "attribute %s on <%s>", key, name)
					}
					if strings.HasPrefix(key, "on") {
						add("StrictEventHandler", "attribute %s on <%s>", key, name)
					}
					if slices.Contains(urlAttrs, key) {
						checkContentURL(a.Val, name, key, add)
					}
					if key == "srcset" {
						for _, c := range strings.Split(a.Val, ",") {
							if f := strings.Fields(c); len(f) > 0 {
								checkContentURL(f[0], name, key, add)
							}
						}
					}
				}
			}
			if tt == xhtml.StartTagToken && !voidElement(name) {
				open = append(open, name)
			}
		case xhtml.EndTagToken:
			if i := lastIndex(open, tok.Data); i >= 0 {
				open = open[:i]
			} else {
				add("NotHtml", "end tag </%s> without a start tag", tok.Data)
			}
		}
	}
	if relRefs {
		refs := append(reImgSrc.FindAllStringSubmatch(fragment, -1), reAnchorHref.FindAllStringSubmatch(fragment, -1)...)
		for _, m := range refs {
			ref := strings.TrimSpace(html.UnescapeString(m[1] + m[2] + m[3]))
			if reAbsRef.MatchString(ref) {
				continue
			}
			kind := "ContainsRelRef"
			for _, c := range ref {
				if c < 128 && !strings.ContainsRune(uriChars, c) {
					kind = "InvalidUriChar"
					break
				}
			}
			add(kind, "relative reference %q", ref)
		}
	}
	return out
}

func lastIndex(s []string, v string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == v {
			return i
		}
	}
	return -1
}

// checkContentURL is our rule for URLs in content: absolute http(s) (or
// mailto:), never javascript:, data: or relative.
func checkContentURL(v, elem, attr string, add func(kind, format string, args ...any)) {
	v = strings.TrimSpace(v)
	u, err := url.Parse(v)
	switch {
	case err != nil:
		add("StrictContentURL", "<%s %s=%q>: %v", elem, attr, v, err)
	case u.Scheme == "mailto":
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
	default:
		add("StrictContentURL", "<%s %s=%q>: not an absolute http(s) URL", elem, attr, v)
	}
}

func voidElement(name string) bool {
	return slices.Contains(strings.Fields("area base br col embed hr img input keygen link meta param source track wbr"), name)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// ---------------------------------------------------------------------------
// Atom 1.0: the validator's checks beyond the RELAX NG schema

var atomLinkRels = strings.Fields(`alternate current describedby edit edit-media enclosure first hub last
	license next next-archive payment prev-archive previous related replies search self service up via`)

var reMIME = regexp.MustCompile(`^[^\s()<>,;:\\"/\[\]?=]+/[^\s()<>,;:\\"/\[\]?=]+(\s*;\s*[^\s()<>,;:\\"/\[\]?=]+=("(\\"|[^"])*"|[^\s()<>,;:\\"/\[\]?=]+))*$`)

// atomAttrs are the attributes without a namespace each Atom element may
// carry.
var atomAttrs = map[string][]string{
	"link": {"href", "rel", "type", "hreflang", "title", "length"}, "category": {"term", "scheme", "label"},
	"content": {"type", "src"}, "title": {"type"}, "subtitle": {"type"}, "summary": {"type"}, "rights": {"type"},
	"generator": {"uri", "version"},
}

type atomChecker struct {
	report
	location string
	now      time.Time
}

// checkAtom checks an Atom document fetched from location.
func checkAtom(body []byte, location string, now time.Time) []finding {
	c := &atomChecker{location: location, now: now}
	root, err := parseTree(body, location)
	switch {
	case err != nil:
		c.add("SAXError", nil, "", "", "", "%v", err)
	case root.space == nsAtom && root.local == "feed":
		c.feed(root)
	case root.space == nsAtom && root.local == "entry":
		c.entry(root, false)
	default:
		c.add("StrictNotAtom", root, "", root.local, "", "root element {%s}%s", root.space, root.local)
	}
	return c.list
}

// common checks what every Atom element shares: xml:lang, xml:base, the
// attributes it may carry, characters.
func (c *atomChecker) common(n *xnode) {
	if l, ok := n.xmlAttr("lang"); ok && l != "" && !validLang(l) {
		c.add("InvalidLanguage", n, n.local, "xml:lang", "", "xml:lang=%q is not a valid BCP 47 tag", l)
	}
	if b, ok := n.xmlAttr("base"); ok {
		if k := checkURI(b, false, true, "InvalidIRI"); k != "" {
			c.add(k, n, n.local, "xml:base", "", "xml:base=%q", b)
		}
	}
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local != "xmlns" && !slices.Contains(atomAttrs[n.local], a.Name.Local) {
			c.add("UnexpectedAttribute", n, n.parentName(), n.local, a.Name.Local, "attribute %s", a.Name.Local)
		}
		if badCharacters(a.Value) {
			c.add("BadCharacters", n, n.parentName(), n.local, a.Name.Local, "C1 control or U+FFFD in attribute %s", a.Name.Local)
		}
	}
}

// plain checks an element holding plain text: no HTML in it, not blank.
func (c *atomChecker) plain(n *xnode, kind string) {
	if k, why := nonHTML(n, n.text, kind, false); k != "" {
		c.add(k, n, n.parentName(), n.local, "", "%s in %q", why, truncate(n.value(), 60))
	}
	if n.value() == "" && len(n.kids) == 0 {
		c.add("NotBlank", n, n.parentName(), n.local, "", "blank <%s>", n.local)
	}
	if badCharacters(n.text) {
		c.add("BadCharacters", n, n.parentName(), n.local, "", "C1 control or U+FFFD")
	}
}

func (c *atomChecker) singletons(n *xnode, names string) {
	for _, name := range strings.Fields(names) {
		if all := n.all(nsAtom, name); len(all) > 1 {
			c.add("DuplicateElement", all[1], n.local, name, "", "more than one <%s>", name)
		}
	}
}

func (c *atomChecker) required(n *xnode, names string) {
	for _, name := range strings.Fields(names) {
		if n.first(nsAtom, name) == nil {
			c.add("MissingElement", n, n.local, name, "", "<%s> lacks <%s>", n.local, name)
		}
	}
}

func (c *atomChecker) unexpectedText(n *xnode) {
	if n.value() != "" {
		c.add("UnexpectedText", n, n.parentName(), n.local, "", "text %q", truncate(n.value(), 30))
	}
}

func (n *xnode) parentName() string {
	if n.parent == nil {
		return ""
	}
	return n.parent.local
}

func (c *atomChecker) feed(n *xnode) {
	c.common(n)
	c.unexpectedText(n)
	c.singletons(n, "generator icon id logo rights subtitle title updated")
	c.required(n, "id title updated")
	hasAuthor := n.first(nsAtom, "author") != nil
	c.metadata(n, hasAuthor)
	c.links(n)
	selfs := 0
	for _, l := range n.all(nsAtom, "link") {
		rel, _ := l.attr("rel")
		href, ok := l.attr("href")
		if strings.TrimPrefix(rel, "http://www.iana.org/assignments/relation/") != "self" || !ok {
			continue
		}
		selfs++
		resolved := resolveRef(l.base, href)
		if !absoluteInScope(l, href) {
			c.add("RelativeSelf", l, "feed", "link", "href", "self link %q is relative", href)
		}
		if canonicalURI(resolved) != canonicalURI(c.location) && stripFragment(resolved) != stripFragment(l.base) {
			c.add("SelfDoesntMatchLocation", l, "feed", "link", "href", "self link %q, document at %q", href, c.location)
		}
		if href != c.location {
			c.add("StrictSelfMismatch", l, "feed", "link", "href", "self link %q is not the request URL %q", href, c.location)
		}
	}
	if selfs == 0 {
		c.add("MissingSelf", n, "", "feed", "", "no link rel=\"self\"")
	}
	// Entry ids: the validator warns about entries sharing id and updated
	// (DuplicateEntries) and fails a feed whose entries all share one id
	// (DuplicateIds); we want every id unique (StrictDuplicateID).
	entries := n.all(nsAtom, "entry")
	type idAt struct{ id, updated string }
	seen, seenAt := map[string]int{}, map[idAt]bool{}
	for _, e := range entries {
		idn := e.first(nsAtom, "id")
		if idn == nil {
			continue
		}
		id, upd := idn.value(), ""
		if u := e.first(nsAtom, "updated"); u != nil {
			upd = u.value()
		}
		if seenAt[idAt{id, upd}] {
			c.add("DuplicateEntries", idn, "entry", "id", "", "id %q and updated %q repeated", id, upd)
		}
		seenAt[idAt{id, upd}] = true
		if seen[id] > 0 {
			c.add("StrictDuplicateID", idn, "entry", "id", "", "id %q repeated", id)
		}
		seen[id]++
	}
	if len(entries) > 1 && len(seen) == 1 {
		for id, k := range seen {
			if k == len(entries) {
				c.add("DuplicateIds", n, "feed", "id", "", "every entry has id %q", id)
			}
		}
	}
}

// absoluteInScope reports whether href, or an xml:base in scope, names a
// host (the validator's test for a relative self link).
func absoluteInScope(n *xnode, href string) bool {
	if u, err := url.Parse(href); err == nil && u.Host != "" {
		return true
	}
	for e := n; e != nil; e = e.parent {
		if b, ok := e.xmlAttr("base"); ok {
			if u, err := url.Parse(b); err == nil && u.Host != "" {
				return true
			}
		}
	}
	return false
}

func stripFragment(s string) string {
	s, _, _ = strings.Cut(s, "#")
	return s
}

// atomChildren are the Atom elements a feed, entry or source may contain.
var atomChildren = map[string][]string{
	"feed":   strings.Fields("author category contributor generator icon id link logo rights subtitle title updated entry"),
	"source": strings.Fields("author category contributor generator icon id link logo rights subtitle title updated"),
	"entry":  strings.Fields("author category content contributor id link published rights source summary title updated"),
}

// metadata checks the children of a feed, entry or source.
func (c *atomChecker) metadata(n *xnode, feedHasAuthor bool) {
	for _, k := range n.kids {
		if k.space != nsAtom {
			continue // extension elements
		}
		if !slices.Contains(atomChildren[n.local], k.local) {
			c.add("UndefinedElement", k, n.local, k.local, "", "<%s> may not contain <%s>", n.local, k.local)
			continue
		}
		switch k.local {
		case "author", "contributor":
			c.person(k)
		case "category":
			c.category(k)
		case "generator":
			c.common(k)
			if u, ok := k.attr("uri"); ok {
				if kind := checkURI(u, false, true, "InvalidIRI"); kind != "" {
					c.add(kind, k, n.local, "generator", "uri", "uri=%q", u)
				}
			}
			c.plain(k, "ContainsHTML")
			for _, g := range k.kids {
				c.add("UndefinedElement", g, "generator", g.local, "", "markup in <generator>")
			}
		case "icon", "logo":
			c.common(k)
			if kind := checkURI(k.value(), false, true, "InvalidIRI"); kind != "" {
				c.add(kind, k, n.local, k.local, "", "%q", k.value())
			}
		case "id":
			c.id(k)
		case "link":
			c.link(k)
		case "rights", "subtitle", "title", "summary":
			c.text(k, false)
		case "content":
			c.text(k, true)
		case "updated", "published":
			c.date(k)
		case "entry":
			c.entry(k, feedHasAuthor)
		case "source":
			c.source(k)
		}
	}
}

func (c *atomChecker) entry(n *xnode, feedHasAuthor bool) {
	c.common(n)
	c.unexpectedText(n)
	c.singletons(n, "content id published rights source summary title updated")
	c.required(n, "id title updated")
	hasAuthor := n.first(nsAtom, "author") != nil || feedHasAuthor
	if s := n.first(nsAtom, "source"); s != nil && s.first(nsAtom, "author") != nil {
		hasAuthor = true
	}
	if !hasAuthor {
		c.add("MissingElement", n, "entry", "author", "", "no author in the entry, its source or the feed")
	}
	content := n.first(nsAtom, "content")
	alternate := false
	for _, l := range n.all(nsAtom, "link") {
		if rel, ok := l.attr("rel"); !ok || rel == "alternate" {
			alternate = true
		}
	}
	if content == nil && !alternate {
		c.add("MissingContentOrAlternate", n, "feed", "entry", "", "neither content nor an alternate link")
	}
	if content != nil && n.first(nsAtom, "summary") == nil {
		typ, _ := content.attr("type")
		_, src := content.attr("src")
		textual := typ == "" || typ == "text" || typ == "html" || typ == "xhtml" || strings.HasPrefix(typ, "text/") || strings.HasSuffix(typ, "+xml") || strings.HasSuffix(typ, "/xml")
		if src || !textual {
			c.add("MissingSummary", n, n.parentName(), "entry", "", "content is not inline text and there is no summary")
		}
	}
	c.metadata(n, feedHasAuthor)
	c.links(n)
}

func (c *atomChecker) source(n *xnode) {
	c.common(n)
	c.unexpectedText(n)
	c.singletons(n, "generator icon id logo rights subtitle title updated")
	for _, name := range []string{"id", "title", "updated"} {
		if n.first(nsAtom, name) == nil {
			c.add("MissingSourceElement", n, "source", name, "", "<source> lacks <%s>", name)
		}
	}
	c.metadata(n, true)
	c.links(n)
}

// links checks a feed's, entry's or source's links together: no two
// alternates with the same type and hreflang.
func (c *atomChecker) links(n *xnode) {
	seen := map[string]bool{}
	for _, l := range n.all(nsAtom, "link") {
		rel, ok := l.attr("rel")
		if ok && rel != "alternate" {
			continue
		}
		typ, _ := l.attr("type")
		lang, _ := l.attr("hreflang")
		if seen[typ+"\x00"+lang] {
			c.add("DuplicateAtomLink", l, n.local, "link", "", "two alternate links with type %q and hreflang %q", typ, lang)
		}
		seen[typ+"\x00"+lang] = true
	}
}

func (c *atomChecker) person(n *xnode) {
	c.common(n)
	c.singletons(n, "name uri email")
	c.required(n, "name")
	for _, k := range n.kids {
		if k.space != nsAtom {
			continue
		}
		switch k.local {
		case "name":
			c.plain(k, "ContainsHTML")
		case "email":
		case "uri":
			if kind := checkURI(k.value(), false, true, "InvalidIRI"); kind != "" {
				c.add(kind, k, n.local, "uri", "", "%q", k.value())
			} else if u, err := url.Parse(k.value()); err != nil || !u.IsAbs() {
				c.add("StrictRelativeLink", k, n.local, "uri", "", "%q is not absolute", k.value())
			}
		default:
			c.add("UndefinedElement", k, n.local, k.local, "", "<%s> in a person", k.local)
		}
	}
}

func (c *atomChecker) category(n *xnode) {
	c.common(n)
	term, ok := n.attr("term")
	switch {
	case !ok:
		c.add("MissingAttribute", n, n.parentName(), "category", "term", "no term")
	case strings.TrimSpace(term) == "":
		c.add("NotBlank", n, n.parentName(), "category", "term", "blank term")
	}
	if s, ok := n.attr("scheme"); ok {
		if kind := checkURI(s, true, true, "InvalidFullLink"); kind != "" {
			c.add(kind, n, n.parentName(), "category", "scheme", "scheme=%q", s)
		}
	}
	if l, ok := n.attr("label"); ok {
		if kind, why := nonHTML(n, l, "ContainsHTML", false); kind != "" {
			c.add(kind, n, n.parentName(), "category", "label", "%s in label %q", why, l)
		}
	}
}

func (c *atomChecker) link(n *xnode) {
	c.common(n)
	parent := n.parentName()
	rel, hasRel := n.attr("rel")
	rel = strings.TrimPrefix(rel, "http://www.iana.org/assignments/relation/")
	if hasRel {
		switch {
		case rel == "":
			c.add("AttrNotBlank", n, parent, "link", "rel", "blank rel")
		case slices.Contains(atomLinkRels, rel):
		case checkURI(iriToURI(rel), true, false, "x") == "":
		default:
			c.add("UnregisteredAtomLinkRel", n, parent, "link", "rel", "rel=%q", rel)
		}
	} else {
		rel = "alternate"
	}
	if t, ok := n.attr("type"); ok {
		if !reMIME.MatchString(t) {
			c.add("InvalidMIMEType", n, parent, "link", "type", "type=%q", t)
		} else if base, _, _ := strings.Cut(t, ";"); rel == "self" && !slices.Contains([]string{"application/atom+xml", "application/rss+xml", "application/rdf+xml"}, base) {
			c.add("SelfNotAtom", n, parent, "link", "type", "self link of type %q", t)
		}
	}
	if t, ok := n.attr("title"); ok {
		if t == "" {
			c.add("AttrNotBlank", n, parent, "link", "title", "blank title")
		}
		if kind, why := nonHTML(n, t, "ContainsHTML", false); kind != "" {
			c.add(kind, n, parent, "link", "title", "%s in title %q", why, t)
		}
	}
	if l, ok := n.attr("length"); ok {
		if v, err := strconv.Atoi(l); err != nil || v < 0 {
			c.add("InvalidNonNegativeInteger", n, parent, "length", "", "length=%q", l)
		}
	}
	if l, ok := n.attr("hreflang"); ok && !validLang(l) {
		c.add("InvalidLanguage", n, parent, "hreflang", "", "hreflang=%q", l)
	}
	href, ok := n.attr("href")
	if !ok {
		c.add("MissingHref", n, parent, "link", "href", "no href")
	} else if kind := checkURI(href, false, true, "InvalidIRI"); kind != "" {
		c.add(kind, n, parent, "link", "href", "href=%q", href)
	} else if u, err := url.Parse(href); err != nil || !u.IsAbs() || (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
		c.add("StrictRelativeLink", n, parent, "link", "href", "href=%q is not an absolute IRI", href)
	}
	if n.value() != "" {
		c.add("AtomLinkNotEmpty", n, parent, "link", "", "text in <link>")
	}
}

// id checks an atom:id: an absolute IRI (rfc3987_full) in canonical form.
func (c *atomChecker) id(n *xnode) {
	c.common(n)
	v := strings.TrimSpace(n.text)
	if v == "" {
		c.add("NotBlank", n, n.parentName(), "id", "", "blank id")
	}
	if kind := checkURI(v, true, true, "InvalidFullLink"); kind != "" {
		c.add(kind, n, n.parentName(), "id", "", "%q", v)
		return
	}
	if cv := canonicalURI(v); cv == "" || cv != n.text {
		c.add("NonCanonicalURI", n, n.parentName(), "id", "", "%q, canonically %q", n.text, cv)
	}
}

func (c *atomChecker) date(n *xnode) {
	c.common(n)
	if kind := checkRFC3339(n.text, c.now); kind != "" {
		c.add(kind, n, n.parentName(), n.local, "", "%q", n.text)
	}
}

// text checks a text construct, or atom:content when content.
func (c *atomChecker) text(n *xnode, content bool) {
	c.common(n)
	parent := n.parentName()
	typ := "text"
	src, hasSrc := n.attr("src")
	if hasSrc {
		typ = ""
	}
	if t, ok := n.attr("type"); ok {
		typ = t
		if t == "" {
			c.add("AttrNotBlank", n, parent, n.local, "type", "blank type")
		}
	}
	if !content && strings.Contains(typ, "/") {
		c.add("InvalidTextType", n, parent, n.local, "type", "type=%q", typ)
	}
	if content && typ == "multipart/alternative" {
		c.add("InvalidMIMEType", n, parent, n.local, "type", "type=%q", typ)
	}
	if (hasSrc || !slices.Contains([]string{"text", "html", "xhtml"}, typ)) && typ != "" && !reMIME.MatchString(typ) {
		c.add("InvalidMIMEType", n, parent, n.local, "type", "type=%q", typ)
	}
	value := n.text
	if hasSrc {
		if kind := checkURI(src, false, false, "InvalidURIAttribute"); kind != "" {
			c.add(kind, n, parent, n.local, "src", "src=%q", src)
		}
		if _, ok := n.attr("type"); !ok {
			c.add("MissingTypeAttr", n, parent, n.local, "type", "src without type")
		}
		if strings.TrimSpace(value) != "" {
			c.add("UnexpectedText", n, parent, n.local, "", "text in content with src")
		}
		for _, k := range n.kids {
			c.add("UndefinedElement", k, n.local, k.local, "", "markup in content with src")
		}
		return
	}
	xmlType := strings.HasSuffix(typ, "+xml") || strings.HasSuffix(typ, "/xml")
	for _, k := range n.kids {
		if typ != "xhtml" && !xmlType {
			c.add("UndefinedElement", k, n.local, k.local, "", "markup in a %q construct: escape it", typ)
		}
	}
	if xmlType && len(n.kids) > 0 && strings.TrimSpace(value) != "" {
		c.add("UnexpectedText", n, parent, n.local, "", "text beside the XML content")
	}
	if typ == "xhtml" {
		if len(n.kids) != 1 || n.kids[0].local != "div" || n.kids[0].space != nsXHTML || strings.TrimSpace(value) != "" {
			c.add("MissingXhtmlDiv", n, parent, n.local, "", "xhtml content not in one xhtml:div")
		}
		for _, k := range n.kids {
			if k.local == "div" && k.space != nsXHTML {
				c.add("NotHtml", k, parent, n.local, "", "div in namespace %q", k.space)
			}
			c.xhtml(k, parent, n.local)
		}
	}
	if badCharacters(value) {
		c.add("BadCharacters", n, parent, n.local, "", "C1 control or U+FFFD")
	}
	base64Type := strings.Contains(typ, "/") && !xmlType && !strings.HasPrefix(typ, "text/")
	switch {
	case typ == "html" || strings.HasSuffix(typ, "/html"):
		for _, p := range checkHTML(value, false) {
			c.add(p.kind, n, parent, n.local, "", "%s", p.msg)
		}
	case typ == "xhtml" || base64Type:
	default:
		if kind, why := nonHTML(n, value, "ContainsUndeclaredHTML", false); kind != "" {
			c.add(kind, n, parent, n.local, "", "%s in %q", why, truncate(value, 60))
		}
	}
	if strings.TrimSpace(value) == "" && len(n.kids) == 0 {
		c.add("NotBlank", n, parent, n.local, "", "blank <%s>", n.local)
	}
}

// xhtml checks inline XHTML as the validator does: HTML elements only, no
// unsafe ones, no event handlers or dangerous styles.
func (c *atomChecker) xhtml(n *xnode, parent, element string) {
	if n.space == nsXHTML {
		switch {
		case !slices.Contains(htmlTags, n.local):
			c.add("NotHtml", n, parent, element, "", "non-HTML element <%s>", n.local)
		case !slices.Contains(acceptableElements, n.local):
			c.add("SecurityRisk", n, parent, element, "", "element <%s>", n.local)
		}
		for _, a := range n.attrs {
			if a.Name.Space != "" {
				continue
			}
			if a.Name.Local == "style" {
				for _, evil := range checkStyle(a.Value) {
					c.add("DangerousStyleAttr", n, parent, element, "", "style %q: %s", a.Value, evil)
				}
			} else if strings.HasPrefix(a.Name.Local, "on") {
				c.add("SecurityRiskAttr", n, parent, element, a.Name.Local, "attribute %s", a.Name.Local)
			}
		}
	}
	for _, k := range n.kids {
		c.xhtml(k, parent, element)
	}
}

// ---------------------------------------------------------------------------
// RSS 2.0: the validator's rules for the elements we emit

// rssAttrs are the attributes without a namespace RSS elements may carry.
var rssAttrs = map[string][]string{
	"rss": {"version"}, "guid": {"isPermaLink"}, "source": {"url"}, "category": {"domain"},
	"enclosure": {"url", "length", "type"}, "cloud": {"domain", "port", "path", "registerProcedure", "protocol"},
}

var (
	rssChannelElements = strings.Fields(`title link description language copyright managingEditor webMaster
		pubDate lastBuildDate category generator docs cloud ttl image rating textInput skipHours skipDays item`)
	rssChannelSingletons = strings.Fields(`title link description language copyright managingEditor webMaster
		pubDate lastBuildDate generator docs cloud ttl image rating textInput skipHours skipDays`)
	rssItemElements   = strings.Fields(`title link description author category comments enclosure guid pubDate source`)
	rssItemSingletons = strings.Fields(`title link description author comments guid pubDate source`)
)

type rssChecker struct {
	report
	location string
	now      time.Time
}

// checkRSS checks an RSS 2.0 document fetched from location.
func checkRSS(body []byte, location string, now time.Time) []finding {
	c := &rssChecker{location: location, now: now}
	root, err := parseTree(body, location)
	if err != nil {
		c.add("SAXError", nil, "", "", "", "%v", err)
		return c.list
	}
	if root.space != "" || root.local != "rss" {
		c.add("StrictNotRSS", root, "", root.local, "", "root element {%s}%s", root.space, root.local)
		return c.list
	}
	c.attrs(root)
	if _, ok := root.attr("version"); !ok {
		c.add("MissingAttribute", root, "", "rss", "version", "no version")
	}
	channels := root.all("", "channel")
	switch {
	case len(channels) == 0:
		c.add("MissingElement", root, "rss", "channel", "", "no channel")
	case len(channels) > 1:
		c.add("DuplicateElement", channels[1], "rss", "channel", "", "two channels")
	}
	for _, k := range root.kids {
		if k.space == "" && k.local != "channel" {
			c.add("UndefinedElement", k, "rss", k.local, "", "<%s> in <rss>", k.local)
		}
	}
	for _, ch := range channels {
		c.channel(ch)
	}
	return c.list
}

// attrs reports attributes without a namespace an element may not carry.
func (c *rssChecker) attrs(n *xnode) {
	if n.space != "" {
		return
	}
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local != "xmlns" && !slices.Contains(rssAttrs[n.local], a.Name.Local) {
			c.add("UnexpectedAttribute", n, n.parentName(), n.local, a.Name.Local, "attribute %s", a.Name.Local)
		}
	}
}

func (c *rssChecker) singletons(n *xnode, names []string) {
	for _, name := range names {
		if all := n.all("", name); len(all) > 1 {
			c.add("DuplicateElement", all[1], n.local, name, "", "more than one <%s>", name)
		}
	}
}

// plain checks an element that holds plain text.
func (c *rssChecker) plain(n *xnode) {
	if kind, why := nonHTML(n, n.value(), "ContainsHTML", true); kind != "" {
		c.add(kind, n, n.parentName(), n.local, "", "%s in %q", why, truncate(n.value(), 60))
	}
	c.noMarkup(n)
}

// noMarkup reports child elements of a text-only element.
func (c *rssChecker) noMarkup(n *xnode) {
	for _, k := range n.kids {
		c.add("UndefinedElement", k, n.local, k.local, "", "markup inside <%s>", n.local)
	}
}

// fullURI checks an element or attribute that must hold an absolute URI.
func (c *rssChecker) fullURI(n *xnode, parent, element, v string) {
	kind := checkURI(v, true, false, "InvalidFullLink")
	if kind == "InvalidFullLink" && checkURI(iriToURI(v), true, false, "x") == "" {
		kind = "UriNotIri"
	}
	if kind != "" {
		c.add(kind, n, parent, element, "", "%q", v)
	}
}

func (c *rssChecker) date(n *xnode) {
	c.noMarkup(n)
	if kind := checkRFC822(n.value(), c.now); kind != "" {
		c.add(kind, n, n.parentName(), n.local, "", "%q", n.value())
	}
}

func (c *rssChecker) channel(ch *xnode) {
	c.attrs(ch)
	c.singletons(ch, rssChannelSingletons)
	for _, req := range []struct{ name, kind string }{{"title", "MissingTitle"}, {"link", "MissingLink"}, {"description", "MissingDescription"}} {
		if ch.first("", req.name) == nil {
			c.add(req.kind, ch, "channel", req.name, "", "channel lacks <%s>", req.name)
		}
	}
	selfs := 0
	guids := map[string]bool{}
	itemSeen := false
	for _, k := range ch.kids {
		c.attrs(k)
		if k.space == nsAtom && k.local == "link" {
			if rel, _ := k.attr("rel"); rel == "self" {
				selfs++
				c.self(k)
			}
			c.atomLink(k)
			continue
		}
		if k.space != "" {
			continue // extensions: dc:, content:, ...
		}
		if k.local == "item" {
			itemSeen = true
			c.item(k, guids)
			continue
		}
		if itemSeen {
			c.add("MisplacedItem", k, "channel", "item", "", "<%s> after the items", k.local)
			itemSeen = false
		}
		switch k.local {
		case "title":
			c.plain(k)
			if k.value() == "" {
				c.add("NotBlank", k, "channel", "title", "", "blank title")
			}
		case "description", "copyright", "category":
			c.plain(k)
		case "link", "docs":
			c.noMarkup(k)
			c.fullURI(k, "channel", k.local, k.value())
		case "pubDate", "lastBuildDate":
			c.date(k)
		case "language":
			c.noMarkup(k)
			if !validLang(k.value()) {
				c.add("InvalidLanguage", k, "channel", "language", "", "%q", k.value())
			}
		case "generator":
			c.noMarkup(k)
		default:
			if !slices.Contains(rssChannelElements, k.local) {
				c.add("UndefinedElement", k, "channel", k.local, "", "<%s> is not an RSS 2.0 channel element", k.local)
			}
		}
	}
	if selfs == 0 {
		c.add("MissingAtomSelfLink", ch, "", "channel", "", "no atom:link rel=\"self\"")
	}
}

// self checks the channel's atom:link rel="self": absolute, with a type,
// and (ours) the very URL the document was fetched from.
func (c *rssChecker) self(k *xnode) {
	href, _ := k.attr("href")
	resolved := resolveRef(k.base, href)
	if !absoluteInScope(k, href) {
		c.add("RelativeSelf", k, "channel", "atom:link", "href", "self link %q is relative", href)
	}
	if canonicalURI(resolved) != canonicalURI(c.location) && stripFragment(resolved) != stripFragment(k.base) {
		c.add("SelfDoesntMatchLocation", k, "channel", "atom:link", "href", "self link %q, document at %q", href, c.location)
	}
	if href != c.location {
		c.add("StrictSelfMismatch", k, "channel", "atom:link", "href", "self link %q is not the request URL %q", href, c.location)
	}
	if t, _ := k.attr("type"); t != "application/rss+xml" {
		c.add("StrictSelfType", k, "channel", "atom:link", "type", "self link type %q, want application/rss+xml", t)
	}
}

// atomLink checks an atom:link in RSS as the validator's Atom link rules do.
func (c *rssChecker) atomLink(k *xnode) {
	a := &atomChecker{location: c.location, now: c.now}
	a.link(k)
	for _, f := range a.list {
		if f.Kind == "UnexpectedAttribute" {
			continue
		}
		c.list = append(c.list, f)
	}
}

func (c *rssChecker) item(it *xnode, guids map[string]bool) {
	c.singletons(it, rssItemSingletons)
	if all := it.all("", "enclosure"); len(all) > 1 {
		c.add("DuplicateEnclosure", all[1], "item", "enclosure", "", "more than one enclosure")
	}
	if it.first("", "title") == nil && it.first("", "description") == nil {
		c.add("ItemMustContainTitleOrDescription", it, "channel", "item", "", "item without title and description")
	}
	if it.first("", "guid") == nil {
		c.add("MissingGuid", it, "item", "guid", "", "item without guid")
	}
	for _, k := range it.kids {
		c.attrs(k)
		if k.space == nsDC && k.local == "creator" {
			c.noMarkup(k)
			continue
		}
		if k.space != "" {
			continue
		}
		switch k.local {
		case "title":
			c.plain(k)
			if k.value() == "" {
				c.add("NotBlank", k, "item", "title", "", "blank title")
			}
		case "link", "comments":
			c.noMarkup(k)
			c.fullURI(k, "item", k.local, k.value())
		case "description":
			c.noMarkup(k)
			for _, p := range checkHTML(k.value(), true) {
				c.add(p.kind, k, "item", "description", "", "%s", p.msg)
			}
		case "category":
			c.plain(k)
			if k.value() == "" {
				c.add("NotBlank", k, "item", "category", "", "blank category")
			}
		case "pubDate":
			c.date(k)
		case "guid":
			c.guid(k, guids)
		case "source":
			c.plain(k)
			if u, ok := k.attr("url"); !ok {
				c.add("MissingAttribute", k, "", "source", "url", "source without url")
			} else {
				c.fullURI(k, "source", "url", u)
			}
		default:
			if !slices.Contains(rssItemElements, k.local) {
				c.add("UndefinedElement", k, "item", k.local, "", "<%s> is not an RSS 2.0 item element", k.local)
			}
		}
	}
}

func (c *rssChecker) guid(k *xnode, guids map[string]bool) {
	c.noMarkup(k)
	v := k.value()
	permalink := true
	if p, ok := k.attr("isPermaLink"); ok {
		if p != "true" && p != "false" {
			c.add("InvalidBooleanAttribute", k, "item", "guid", "isPermaLink", "isPermaLink=%q", p)
		}
		permalink = p == "true"
	}
	if permalink {
		if kind := checkURI(v, true, false, "InvalidHttpGUID"); kind != "" {
			c.add(kind, k, "item", "guid", "", "permalink %q", v)
			return
		}
		if lv := strings.ToLower(v); strings.HasPrefix(lv, "tag:") || strings.HasPrefix(lv, "urn:uuid:") {
			c.add("InvalidPermalink", k, "item", "guid", "", "%q is not a permalink", v)
			return
		}
	} else if _, err := strconv.Atoi(v); err == nil && len(v) < 9 && !strings.ContainsAny(v, "+-") {
		c.add("NotSufficientlyUnique", k, "item", "guid", "", "%q", v)
	}
	if v == "" {
		c.add("NotBlank", k, "item", "guid", "", "blank guid")
	} else if guids[v] {
		c.add("DuplicateValue", k, "item", "guid", "", "guid %q repeated", v)
	}
	guids[v] = true
}

// ---------------------------------------------------------------------------
// The validator's own test cases

const w3cCorpus = "../../shared/corpus/w3c-feedvalidator"

// expectation is a test case's "Expect:" line: an event class that must
// (or, negated, must not) be logged, with optional parameters.
type expectation struct {
	not    bool
	kind   string
	params map[string]string
}

var reExpect = regexp.MustCompile(`Expect:\s*(!?)(\w+)(?:\{([^}]*)\})?`)

func parseExpect(body []byte) (expectation, bool) {
	m := reExpect.FindSubmatch(body)
	if m == nil {
		return expectation{}, false
	}
	e := expectation{not: len(m[1]) > 0, kind: string(m[2]), params: map[string]string{}}
	for _, p := range strings.Split(string(m[3]), ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(p), ":"); ok {
			e.params[k] = v
		}
	}
	return e, true
}

// matches reports whether f is an event of class kind (or, for the
// validator's DuplicateEntries, our stricter DuplicateIds) at the place
// the parameters name.
func (e expectation) matches(f finding, kind string) bool {
	if !isA(f.Kind, kind) && !(kind == "DuplicateEntries" && f.Kind == "DuplicateIds") {
		return false
	}
	return e.at(f)
}

// at reports whether f is where the expectation's parameters point: each of
// parent, element and attr names one of the finding's parent, element or
// attribute (the validator names attribute events inconsistently).
func (e expectation) at(f finding) bool {
	for _, k := range []string{"parent", "element", "attr"} {
		v, ok := e.params[k]
		if !ok {
			continue
		}
		if v != f.Parent && v != f.Element && v != f.Attr && "atom:"+v != f.Element {
			return false
		}
	}
	return true
}

// corpusScope says which expectations a checker is tested on: events it
// reports, at elements it checks.
type corpusScope struct {
	dirs     []string          // the folders of test cases about what the checker covers
	kinds    []string          // event classes the checker reports
	valid    map[string]string // success classes ("Valid...") it checks, with the element meant when none is named
	parents  []string          // parent parameters it covers
	elements []string          // element parameters it covers
	skip     map[string]string // test cases not compared, and why
}

func (s corpusScope) covers(e expectation) bool {
	if p, ok := e.params["parent"]; ok && !slices.Contains(s.parents, p) {
		return false
	}
	if el, ok := e.params["element"]; ok && !slices.Contains(s.elements, el) {
		return false
	}
	if e.kind == "Error" {
		return e.not
	}
	_, valid := s.valid[e.kind]
	return slices.Contains(s.kinds, e.kind) || valid
}

// validExcludes maps the validator's success events to the failures each
// one excludes.
var validExcludes = map[string][]string{
	"ValidRFC2822Date":      {"InvalidRFC2822Date", "ProblematicalRFC822Date", "ImplausibleDate"},
	"ValidURI":              {"InvalidLink", "InvalidTAG", "InvalidURN", "InvalidUUID", "SchemeNotIANARegistered"},
	"ValidHttpGUID":         {"InvalidHttpGUID", "InvalidPermalink", "InvalidLink", "InvalidTAG", "InvalidURN", "InvalidUUID"},
	"ValidBooleanAttribute": {"InvalidBooleanAttribute"},
	"ValidLanguage":         {"InvalidLanguage"},
	"ValidTAG":              {"InvalidTAG", "InvalidLink"},
	"ValidURN":              {"InvalidURN", "InvalidUUID", "InvalidLink"},
	"ValidW3CDTFDate":       {"InvalidRFC3339Date"},
	"ValidAtomLinkRel":      {"UnregisteredAtomLinkRel", "AttrNotBlank"},
	"ValidMIMEAttribute":    {"InvalidMIMEType"},
	"ValidHtml":             {"NotHtml", "SecurityRisk"},
}

// corpusVerdict is how a checker fared on one test case: "" when it met
// the expectation.
func corpusVerdict(e expectation, scope corpusScope, got []finding) string {
	var w3c []finding
	for _, f := range got {
		if !strings.HasPrefix(f.Kind, "Strict") {
			w3c = append(w3c, f)
		}
	}
	switch {
	case e.kind == "Error" && e.not:
		for _, f := range w3c {
			if isA(f.Kind, "Error") {
				return "expected no error, got " + f.String()
			}
		}
	case validExcludes[e.kind] != nil:
		// A success event: the checker must not report the failures it
		// stands for at that element; negated, it must report one.
		var hit *finding
		for i, f := range w3c {
			if el := e.params["element"]; !e.at(f) || el != "" && f.Element != el && f.Attr != el {
				continue
			}
			if slices.ContainsFunc(validExcludes[e.kind], func(k string) bool { return isA(f.Kind, k) }) {
				hit = &w3c[i]
				break
			}
		}
		switch {
		case hit != nil && !e.not:
			return "expected " + e.kind + ", got " + hit.String()
		case hit == nil && e.not:
			return fmt.Sprintf("expected no %s%v, got %v", e.kind, e.params, w3c)
		}
	case e.not:
		for _, f := range w3c {
			if e.matches(f, e.kind) {
				return "expected no " + e.kind + ", got " + f.String()
			}
		}
	default:
		for _, f := range w3c {
			if e.matches(f, e.kind) {
				return ""
			}
		}
		return fmt.Sprintf("expected %s%v, got %v", e.kind, e.params, w3c)
	}
	return ""
}

// runCorpus runs check over the test cases of one corpus folder that scope
// covers and reports how many it covered, by expected event.
func runCorpus(t *testing.T, dir string, scope corpusScope, check func(body []byte, location string) []finding) map[string]int {
	t.Helper()
	root := filepath.Join(w3cCorpus, dir)
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	covered := map[string]int{}
	err := filepath.WalkDir(root, func(path string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(path, ".xml") {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(w3cCorpus), path)
		rel = filepath.ToSlash(rel)
		if sub := strings.Split(rel, "/"); len(scope.dirs) > 0 && !slices.Contains(scope.dirs, sub[1]) {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		e, ok := parseExpect(body)
		if el := scope.valid[e.kind]; ok && el != "" && e.params["element"] == "" {
			e.params["element"] = el
		}
		// Every file, covered or not, must be checked without a panic.
		got := check(body, "http://www.feedvalidator.org/testcases/"+rel)
		if !ok || !scope.covers(e) {
			return nil
		}
		if why, skip := scope.skip[rel]; skip {
			t.Logf("%s: not compared: %s", rel, why)
			return nil
		}
		key := e.kind
		if e.not {
			key = "!" + key
		}
		covered[key]++
		if v := corpusVerdict(e, scope, got); v != "" {
			t.Errorf("%s: %s", rel, v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return covered
}

// TestW3CCorpusRSS runs the RSS 2.0 checker over the validator's RSS 2.0
// test cases about the elements we emit: it must log the event each case
// expects, and not the ones it rules out.
func TestW3CCorpusRSS(t *testing.T) {
	now := time.Now()
	got := runCorpus(t, "rss20", rssCorpusScope, func(b []byte, loc string) []finding { return checkRSS(b, loc, now) })
	total := 0
	for _, n := range got {
		total += n
	}
	if total < 150 || got["!Error"] == 0 || got["ValidRFC2822Date"] == 0 || got["InvalidRFC2822Date"] == 0 {
		t.Errorf("too few test cases compared (%d): %v", total, got)
	}
	t.Logf("%d test cases compared: %v", total, got)
}

// TestW3CCorpusAtom runs the Atom checker over the validator's Atom test
// cases.
func TestW3CCorpusAtom(t *testing.T) {
	now := time.Now()
	got := runCorpus(t, "atom", atomCorpusScope, func(b []byte, loc string) []finding { return checkAtom(b, loc, now) })
	total := 0
	for _, n := range got {
		total += n
	}
	if total < 500 || got["!Error"] < 50 || got["InvalidRFC3339Date"] == 0 || got["NonCanonicalURI"] == 0 {
		t.Errorf("too few test cases compared (%d): %v", total, got)
	}
	t.Logf("%d test cases compared: %v", total, got)
}

var rssCorpusScope = corpusScope{
	// Folders about channel metadata, items, dates, URLs, text and the
	// self link; not image, textInput, cloud, skipHours/Days, ttl,
	// enclosure, e-mail addresses, which we never emit.
	dirs: []string{"data-types-characterdata", "data-types-datetime", "data-types-url", "element-channel",
		"element-channel-item", "element-channel-item-category", "element-channel-item-description",
		"element-channel-item-guid", "element-channel-item-link", "element-channel-item-pubdate",
		"element-channel-item-source", "element-channel-item-title", "element-channel-language",
		"element-channel-lastbuilddate", "element-channel-link", "element-channel-title",
		"element-channel-description", "element-channel-docs", "element-rss", "namespace-elements-atom-link",
		"introduction"},
	kinds: []string{"SAXError", "MissingElement", "MissingTitle", "MissingLink", "MissingDescription", "MissingAttribute",
		"DuplicateElement", "UndefinedElement", "UnexpectedAttribute", "InvalidLink", "InvalidFullLink", "UriNotIri",
		"InvalidURLAttribute", "ItemMustContainTitleOrDescription", "InvalidRFC2822Date", "ProblematicalRFC822Date",
		"ImplausibleDate", "InvalidHttpGUID", "InvalidPermalink", "InvalidBooleanAttribute", "NotSufficientlyUnique",
		"DuplicateValue", "MissingGuid", "NotBlank", "ContainsHTML", "CharacterData", "SecurityRisk", "MissingSelf",
		"SchemeNotIANARegistered", "MisplacedItem", "InvalidLanguage"},
	valid: map[string]string{"ValidRFC2822Date": "", "ValidURI": "", "ValidHttpGUID": "guid",
		"ValidBooleanAttribute": "guid", "ValidLanguage": "language"},
	parents: []string{"rss", "channel", "item", "source", "guid"},
	elements: []string{"rss", "channel", "item", "title", "link", "description", "pubDate", "lastBuildDate", "docs",
		"category", "guid", "source", "url", "comments", "language", "isPermaLink", "foo", "textinput"},
}

var atomCorpusScope = corpusScope{
	kinds: []string{"SAXError", "MissingElement", "DuplicateElement", "UndefinedElement", "UnexpectedAttribute",
		"InvalidRFC3339Date", "ImplausibleDate", "InvalidLanguage", "InvalidFullLink", "InvalidIRI", "InvalidLink",
		"InvalidUriChar", "InvalidTAG", "InvalidURN", "InvalidUUID", "NonCanonicalURI", "SchemeNotIANARegistered",
		"DuplicateEntries", "DuplicateIds", "MissingSelf", "SelfDoesntMatchLocation", "RelativeSelf", "SelfNotAtom",
		"MissingHref", "MissingAttribute", "AttrNotBlank", "UnregisteredAtomLinkRel", "InvalidMIMEType",
		"InvalidNonNegativeInteger", "DuplicateAtomLink", "AtomLinkNotEmpty", "MissingContentOrAlternate",
		"MissingSummary", "MissingSourceElement", "InvalidTextType", "MissingTypeAttr", "MissingXhtmlDiv", "NotBlank",
		"BadCharacters", "ContainsHTML", "ContainsUndeclaredHTML", "NotHtml", "SecurityRisk", "SecurityRiskAttr",
		"DangerousStyleAttr", "UnexpectedText"},
	valid: map[string]string{"ValidURI": "", "ValidTAG": "id", "ValidURN": "id", "ValidW3CDTFDate": "",
		"ValidAtomLinkRel": "link", "ValidMIMEAttribute": "", "ValidHtml": ""},
	parents: []string{"feed", "entry", "source", "author", "contributor", "link", "category", "content", "summary",
		"title", "generator"},
	elements: []string{"feed", "entry", "source", "author", "contributor", "name", "uri", "link", "category", "content",
		"summary", "title", "subtitle", "rights", "id", "updated", "published", "generator", "icon", "logo", "xml:lang",
		"xml:base", "href", "rel", "type", "hreflang", "length", "term", "scheme", "label", "src", "email"},
	skip: map[string]string{
		"atom/3.1.1.3/bogus_mathml_attr.xml":               "MathML in xhtml content: we emit no xhtml content",
		"atom/3.1.1.3/bogus_mathml_element.xml":            "MathML in xhtml content: we emit no xhtml content",
		"atom/3.1.1.3/bogus_svg_attr.xml":                  "SVG in xhtml content: we emit no xhtml content",
		"atom/3.1.1.3/bogus_svg_element.xml":               "SVG in xhtml content: we emit no xhtml content",
		"atom/must/unknown_element_in_known_namespace.xml": "extension vocabularies are not checked: we emit no extension elements in Atom",
		"atom/should/content_contains_base64_script.xml":   `Atom 0.3 mode="base64" content`,
	},
}

// jingDisagrees lists the validator's test cases that the RFC 4287 schema
// judges differently from the validator, and why.
var jingDisagrees = map[string]string{
	"atom/2/xml-lang-blank.xml": `xml:lang="" (allowed by XML) does not match RFC 4287's atomLanguageTag pattern`,
}

// TestW3CCorpusJing checks testdata/atom.rnc, as jing runs it, against the
// validator's Atom test cases: documents the validator finds free of
// errors are valid, and the structural errors it expects (duplicate,
// missing and undefined elements, bad dates, text types and languages)
// make the schema fail at the element named.
func TestW3CCorpusJing(t *testing.T) {
	jing := requireTool(t, "jing")
	root := filepath.Join(w3cCorpus, "atom")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	type tcase struct {
		rel string
		e   expectation
	}
	var cases []tcase
	var files []string
	err := filepath.WalkDir(root, func(path string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(path, ".xml") {
			return err
		}
		rel, _ := filepath.Rel(w3cCorpus, path)
		rel = filepath.ToSlash(rel)
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		e, ok := parseExpect(body)
		if !ok || jingDisagrees[rel] != "" || strings.HasPrefix(rel, "atom/must/") || strings.HasPrefix(rel, "atom/should/") {
			return nil // must/ and should/ hold fragments, not documents
		}
		switch {
		case e.kind == "Error" && e.not:
		case !e.not && slices.Contains([]string{"DuplicateElement", "InvalidRFC3339Date", "InvalidTextType", "InvalidLanguage", "MissingXhtmlDiv"}, e.kind):
		case !e.not && e.kind == "MissingElement" && e.params["element"] != "author":
			// The author rule is Schematron, which jing does not run.
		default:
			return nil
		}
		cases = append(cases, tcase{rel, e})
		files = append(files, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res := runJing(t, jing, files)
	valid, invalid := 0, 0
	for i, c := range cases {
		msgs := res[files[i]]
		if c.e.not {
			valid++
			if len(msgs) > 0 {
				t.Errorf("%s: the validator finds no error, jing does: %v", c.rel, msgs)
			}
			continue
		}
		invalid++
		el := c.e.params["element"]
		switch {
		case len(msgs) == 0:
			t.Errorf("%s: the validator expects %s, jing accepts it", c.rel, c.e.kind)
		case el != "" && c.e.kind != "InvalidTextType" && !strings.Contains(strings.Join(msgs, "\n"), `"`+el+`"`):
			t.Errorf("%s: the validator expects %s at %s, jing says %v", c.rel, c.e.kind, el, msgs)
		}
	}
	if valid < 50 || invalid < 60 {
		t.Errorf("too few test cases: %d valid, %d invalid", valid, invalid)
	}
	t.Logf("jing agrees with the validator on %d valid and %d invalid Atom documents", valid, invalid)
}

// ---------------------------------------------------------------------------
// External validators

var reJingLine = regexp.MustCompile(`^(.*?):(\d+):(\d+): (error|fatal|warning): (.*)$`)

// runJing validates files against testdata/atom.rnc in one jing run and
// returns jing's messages by file.
func runJing(t *testing.T, jing string, files []string) map[string][]string {
	t.Helper()
	schema, err := filepath.Abs("testdata/atom.rnc")
	if err != nil {
		t.Fatal(err)
	}
	abs := make([]string, len(files))
	byAbs := map[string]string{}
	for i, f := range files {
		if abs[i], err = filepath.Abs(f); err != nil {
			t.Fatal(err)
		}
		byAbs[abs[i]] = f
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, jing, append([]string{"-c", schema}, abs...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("jing: %v\n%s", err, stderr.Bytes())
	}
	out := map[string][]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if line == "" {
			continue
		}
		m := reJingLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("jing: %s\n%s", line, stderr.Bytes())
		}
		f, ok := byAbs[filepath.Clean(m[1])]
		if !ok {
			t.Fatalf("jing: %s\n%s", line, stderr.Bytes())
		}
		out[f] = append(out[f], m[2]+":"+m[3]+": "+m[5])
	}
	if err != nil && len(out) == 0 {
		t.Fatalf("jing failed without a message: %v\n%s", err, stderr.Bytes())
	}
	return out
}

// requireJSONSchema returns a python3 that can import jsonschema (Debian's
// python3-jsonschema): it skips the test locally without one, and fails it
// in CI, whose script installs it.
func requireJSONSchema(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if p, err := exec.LookPath(py); err == nil && exec.Command(p, "-c", "import jsonschema").Run() == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("python3-jsonschema not installed (.ci/run installs it)")
	}
	t.Skip("python3-jsonschema not installed")
	return ""
}

const jsonSchemaScript = `
import json, sys
from jsonschema import Draft7Validator, FormatChecker
schema = json.load(open(sys.argv[1], encoding="utf-8"))
Draft7Validator.check_schema(schema)
v = Draft7Validator(schema, format_checker=FormatChecker())
out = {}
for f in sys.argv[2:]:
    with open(f, encoding="utf-8") as fh:
        doc = json.load(fh)
    out[f] = ["/" + "/".join(str(p) for p in e.absolute_path) + ": " + e.message for e in v.iter_errors(doc)]
json.dump(out, sys.stdout)
`

// runJSONSchema validates files against testdata/jsonfeed-1.1.schema.json
// in one run and returns the schema violations by file.
func runJSONSchema(t *testing.T, python string, files []string) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{"-c", jsonSchemaScript, "testdata/jsonfeed-1.1.schema.json"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jsonschema: %v\n%s", err, stderr.Bytes())
	}
	res := map[string][]string{}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("jsonschema output: %v\n%s", err, out)
	}
	return res
}

// TestJSONFeedSchema shows the schema has teeth: the specification's
// example is valid, documents breaking one of its rules each are not.
func TestJSONFeedSchema(t *testing.T) {
	python := requireJSONSchema(t)
	item := `{"id": "1", "url": "https://example.org/1", "content_text": "Hi", "date_published": "2020-08-07T11:44:36-05:00",
		"_aggregatord": {"source": "rudaw", "source_title": "Rudaw", "also": [{"source": "bbc", "source_title": "BBC", "title": "T", "url": "https://bbc.example/x"}], "story": 3}}`
	feed := func(items string) string {
		return `{"version": "https://jsonfeed.org/version/1.1", "title": "My Example Feed", "home_page_url": "https://example.org/",
			"feed_url": "https://example.org/feed.json", "authors": [{"name": "A"}], "language": "en-US", "items": [` + items + `]}`
	}
	cases := []struct {
		name, doc string
		valid     bool
	}{
		{"spec example", `{"version": "https://jsonfeed.org/version/1.1", "title": "My Example Feed", "home_page_url": "https://example.org/",
			"feed_url": "https://example.org/feed.json", "items": [{"id": "2", "content_text": "This is a second item.", "url": "https://example.org/second-item"},
			{"id": "1", "content_html": "<p>Hello, world!</p>", "url": "https://example.org/initial-post"}]}`, true},
		{"ours", feed(item), true},
		{"extension", `{"version": "https://jsonfeed.org/version/1.1", "title": "T", "_blue_shed": {"about": "x"}, "items": []}`, true},
		{"version 1", `{"version": "https://jsonfeed.org/version/1", "title": "T", "items": []}`, false},
		{"no title", `{"version": "https://jsonfeed.org/version/1.1", "items": []}`, false},
		{"no items", `{"version": "https://jsonfeed.org/version/1.1", "title": "T"}`, false},
		{"unknown key", `{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [], "generator": "x"}`, false},
		{"item without id", feed(`{"content_text": "x"}`), false},
		{"numeric id", feed(`{"id": 1, "content_text": "x"}`), false},
		{"item without content", feed(`{"id": "1", "title": "x"}`), false},
		{"relative url", feed(`{"id": "1", "content_text": "x", "url": "/relative"}`), false},
		{"url with a space", feed(`{"id": "1", "content_text": "x", "url": "https://x.example/a b"}`), false},
		{"url with a trailing newline", feed(`{"id": "1", "content_text": "x", "url": "https://x.example/\n"}`), false},
		{"url with raw Arabic", feed(`{"id": "1", "content_text": "x", "url": "https://x.example/?q=عاجل"}`), false},
		{"url with a bad escape", feed(`{"id": "1", "content_text": "x", "url": "https://x.example/%zz"}`), false},
		{"date without zone", feed(`{"id": "1", "content_text": "x", "date_published": "2020-08-07T11:44:36"}`), false},
		{"RFC 822 date", feed(`{"id": "1", "content_text": "x", "date_modified": "Fri, 07 Aug 2020 11:44:36 GMT"}`), false},
		{"empty author", feed(`{"id": "1", "content_text": "x", "authors": [{}]}`), false},
		{"tags not strings", feed(`{"id": "1", "content_text": "x", "tags": [1]}`), false},
		{"extension without source", feed(`{"id": "1", "content_text": "x", "_aggregatord": {"source_title": "R"}}`), false},
		{"extension with unknown key", feed(`{"id": "1", "content_text": "x", "_aggregatord": {"source": "r", "source_title": "R", "x": 1}}`), false},
		{"bad source name", feed(`{"id": "1", "content_text": "x", "_aggregatord": {"source": "R R", "source_title": "R"}}`), false},
	}
	dir := t.TempDir()
	var files []string
	for i, c := range cases {
		f := filepath.Join(dir, fmt.Sprintf("%02d.json", i))
		if err := os.WriteFile(f, []byte(c.doc), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	res := runJSONSchema(t, python, files)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := res[files[i]]
			if c.valid && len(errs) > 0 {
				t.Errorf("valid document refused: %v", errs)
			}
			if !c.valid && len(errs) == 0 {
				t.Error("invalid document accepted")
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Our feeds

// validation collects the feed pages of one test for the external
// validators, and the entry ids each page showed.
type validation struct {
	t      *testing.T
	fetch  string // base URL the daemon is reached at
	public string // its base_url: where readers fetch the feeds, as behind a proxy
	dir    string
	now    time.Time
	atoms  map[string]string // file → request URL
	jsons  map[string]string
	ids    map[string][]string // request URL → entry ids in order

	knownWarnings []knownWarning
	knownSeen     map[int]bool
}

func newValidation(t *testing.T, fetch, public string) *validation {
	return &validation{t: t, fetch: fetch, public: public, dir: t.TempDir(), now: time.Now(), atoms: map[string]string{},
		jsons: map[string]string{}, ids: map[string][]string{}, knownSeen: map[int]bool{}}
}

// get fetches the feed page at public URL u, checks it with the Go
// checkers, keeps it for the external ones and returns it.
func (v *validation) get(u string) []byte {
	t := v.t
	t.Helper()
	if !strings.HasPrefix(u, v.public) {
		t.Fatalf("%s is not under base_url %s", u, v.public)
	}
	resp, err := http.Get(v.fetch + strings.TrimPrefix(u, v.public))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", u, resp.Status, body)
	}
	if !utf8.Valid(body) {
		t.Errorf("%s: not UTF-8", u)
	}
	path := strings.TrimPrefix(u, v.public)
	ext := strings.TrimPrefix(filepath.Ext(strings.SplitN(path, "?", 2)[0]), ".")
	wantType := map[string]string{"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}[ext]
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, wantType) {
		t.Errorf("%s: Content-Type %q, want %s", path, ct, wantType)
	}
	file := filepath.Join(v.dir, fmt.Sprintf("%03d.%s", len(v.atoms)+len(v.jsons)+len(v.ids), ext))
	// VALIDATE_DUMP=dir keeps every page fetched, say to try them on
	// https://validator.w3.org/feed/ by hand.
	if d := os.Getenv("VALIDATE_DUMP"); d != "" {
		os.WriteFile(filepath.Join(d, strings.NewReplacer("/", "_", "?", "_").Replace(path)), body, 0o644)
	}
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	var got []finding
	switch ext {
	case "atom":
		got = checkAtom(body, u, v.now)
		v.atoms[file] = u
		v.ids[u] = xmlIDs(t, body, nsAtom, "entry", "id")
	case "rss":
		got = checkRSS(body, u, v.now)
		v.ids[u] = xmlIDs(t, body, "", "item", "guid")
	case "json":
		var ids []string
		got, ids = checkJSONFeed(body, u, v.now)
		v.jsons[file] = u
		v.ids[u] = ids
	}
	for _, f := range got {
		if why := v.known(path, f); why != "" {
			t.Logf("%s: %s (known: %s)", path, f, why)
			continue
		}
		t.Errorf("%s: %s", path, f)
	}
	return body
}

// knownWarning is a W3C warning a test expects its feeds to draw, and why
// it is left.
type knownWarning struct {
	kind     string // event class (or a subclass)
	query    string // a substring of the page's path and query
	elements []string
	why      string
}

// known returns why f is an expected warning, or "".
func (v *validation) known(path string, f finding) string {
	for i, k := range v.knownWarnings {
		if severity(f.Kind) == "warning" && isA(f.Kind, k.kind) && strings.Contains(path, k.query) && (k.elements == nil || slices.Contains(k.elements, f.Element)) {
			v.knownSeen[i] = true
			return k.why
		}
	}
	return ""
}

// xmlIDs returns the text of each entry's id element.
func xmlIDs(t *testing.T, body []byte, space, entry, id string) []string {
	t.Helper()
	root, err := parseTree(body, "")
	if err != nil {
		return nil
	}
	parent := root
	if space == "" {
		if parent = root.first("", "channel"); parent == nil {
			return nil
		}
	}
	var ids []string
	for _, e := range parent.all(space, entry) {
		if n := e.first(space, id); n != nil {
			ids = append(ids, n.value())
		} else {
			ids = append(ids, "")
		}
	}
	return ids
}

// feed fetches the three formats of a feed at limit, checks that they list
// the same entries under the same ids, and follows the Atom feed's next
// link once.
func (v *validation) feed(name string, limit int) {
	v.t.Helper()
	var urls []string
	for _, ext := range []string{"atom", "rss", "json"} {
		u := fmt.Sprintf("%sfeeds/%s.%s?limit=%d", v.public, name, ext, limit)
		body := v.get(u)
		urls = append(urls, u)
		if ext == "atom" {
			if root, err := parseTree(body, u); err == nil {
				for _, l := range root.all(nsAtom, "link") {
					if rel, _ := l.attr("rel"); rel == "next" {
						href, _ := l.attr("href")
						v.get(href)
					}
				}
			}
		}
	}
	atom, rss, js := v.ids[urls[0]], v.ids[urls[1]], v.ids[urls[2]]
	if len(atom) == 0 {
		v.t.Errorf("%s: no entries", urls[0])
	}
	if !slices.Equal(atom, rss) || !slices.Equal(atom, js) {
		v.t.Errorf("%s: entry ids differ between formats:\natom %q\nrss  %q\njson %q", name, atom, rss, js)
	}
}

// external runs jing on every Atom page and the JSON Feed schema on every
// JSON page collected.
func (v *validation) external() {
	t := v.t
	t.Helper()
	t.Run("jing", func(t *testing.T) {
		jing := requireTool(t, "jing")
		files := slices.Sorted(maps.Keys(v.atoms))
		for file, msgs := range runJing(t, jing, files) {
			for _, m := range msgs {
				t.Errorf("RELAX NG (RFC 4287): %s: %s", v.atoms[file], m)
			}
		}
	})
	t.Run("jsonschema", func(t *testing.T) {
		python := requireJSONSchema(t)
		files := slices.Sorted(maps.Keys(v.jsons))
		for file, msgs := range runJSONSchema(t, python, files) {
			for _, m := range msgs {
				t.Errorf("JSON Feed 1.1 schema: %s: %s", v.jsons[file], m)
			}
		}
	})
}

// checkJSONFeed checks what the JSON Feed schema cannot: feed_url is the
// request URL, ids are unique, links are absolute http(s), dates are
// plausible, content is safe HTML. It returns the item ids too.
func checkJSONFeed(body []byte, location string, now time.Time) ([]finding, []string) {
	var r report
	var f struct {
		FeedURL     string `json:"feed_url"`
		HomePageURL string `json:"home_page_url"`
		NextURL     string `json:"next_url"`
		Title       string `json:"title"`
		Items       []struct {
			ID            string `json:"id"`
			URL           string `json:"url"`
			Title         string `json:"title"`
			ContentHTML   string `json:"content_html"`
			Summary       string `json:"summary"`
			DatePublished string `json:"date_published"`
			DateModified  string `json:"date_modified"`
			Language      string `json:"language"`
			Authors       []struct {
				Name string `json:"name"`
				URL  string `json:"url"`
			} `json:"authors"`
			Ext *struct {
				Source string `json:"source"`
			} `json:"_aggregatord"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		r.add("StrictJSON", nil, "", "", "", "%v", err)
		return r.list, nil
	}
	if f.FeedURL != location {
		r.add("StrictSelfMismatch", nil, "", "feed_url", "", "feed_url %q is not the request URL %q", f.FeedURL, location)
	}
	absolute := func(where, u string) {
		if u == "" {
			return
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7F }) {
			r.add("StrictRelativeLink", nil, "", where, "", "%q is not an absolute http(s) URL", u)
		}
	}
	absolute("home_page_url", f.HomePageURL)
	absolute("next_url", f.NextURL)
	seen := map[string]bool{}
	var ids []string
	for i, it := range f.Items {
		where := fmt.Sprintf("items[%d]", i)
		ids = append(ids, it.ID)
		switch {
		case strings.TrimSpace(it.ID) == "":
			r.add("StrictBlankID", nil, where, "id", "", "blank id")
		case seen[it.ID]:
			r.add("StrictDuplicateID", nil, where, "id", "", "id %q repeated", it.ID)
		}
		seen[it.ID] = true
		absolute(where+".url", it.URL)
		for _, a := range it.Authors {
			absolute(where+".authors.url", a.URL)
		}
		for _, d := range []string{it.DatePublished, it.DateModified} {
			if d != "" {
				if k := checkRFC3339(d, now); k != "" {
					r.add("Strict"+k, nil, where, "date", "", "%q", d)
				}
			}
		}
		if it.Language != "" && !validLang(it.Language) {
			r.add("StrictInvalidLanguage", nil, where, "language", "", "%q", it.Language)
		}
		for _, s := range []string{it.Title, it.Summary, it.ContentHTML} {
			if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r >= 0x7F && r <= 0x9F }) {
				r.add("StrictControlCharacters", nil, where, "text", "", "control character in %q", truncate(s, 40))
			}
			if strings.ContainsRune(s, utf8.RuneError) {
				r.add("BadCharacters", nil, where, "text", "", "U+FFFD in %q", truncate(s, 40))
			}
		}
		if strings.TrimSpace(it.Title) == "" {
			r.add("StrictBlankTitle", nil, where, "title", "", "blank title")
		}
		for _, p := range checkHTML(it.ContentHTML, true) {
			r.add("Strict"+p.kind, nil, where, "content_html", "", "%s", p.msg)
		}
		if it.Ext == nil || it.Ext.Source == "" {
			r.add("StrictNoSource", nil, where, "_aggregatord", "", "no source")
		}
	}
	return r.list, ids
}

// TestValidateDemoFeeds validates the merged, a topic and a source feed of
// a daemon serving the built-in demo feeds, in every format, with a page
// followed through its next link: the W3C validator's checks for Atom and
// RSS (in Go), RFC 4287's RELAX NG schema (jing) and the JSON Feed 1.1
// schema (python3-jsonschema).
func TestValidateDemoFeeds(t *testing.T) {
	base, feeds := demoDaemon(t)
	// demoDaemon's config listens on 127.0.0.1:0, so its base_url (by
	// default "http://" + listen + "/") is not where it is reached: read
	// it from the merged feed, and check every page as fetched from there.
	var home struct {
		HomePageURL string `json:"home_page_url"`
	}
	if err := json.Unmarshal(fetchBody(t, base+"feeds/all.json?limit=1"), &home); err != nil || home.HomePageURL == "" {
		t.Fatalf("no home_page_url: %v", err)
	}
	v := newValidation(t, base, home.HomePageURL)
	for _, f := range feeds {
		v.feed(f.name, 500)
		v.feed(f.name, 7) // a first page with a next link
	}
	// Ids are stable: another rendering (limit is part of the cache key)
	// gives every entry the id it had.
	for _, f := range feeds {
		a, b := v.ids[v.public+"feeds/"+f.name+".atom?limit=500"], v.ids[v.public+"feeds/"+f.name+".atom?limit=7"]
		if len(b) == 0 || !slices.Equal(a[:min(len(a), len(b))], b) {
			t.Errorf("%s: ids changed between renderings:\n%q\n%q", f.name, a, b)
		}
	}
	v.external()
	t.Run("defects are caught", func(t *testing.T) {
		checkMutations(t, base, v.public)
	})
}

// mutation is a defect put into a real feed page, and the event a checker
// (or, with jing set, the RELAX NG schema) must report for it.
type mutation struct {
	name string
	edit func(string) string
	want string
	jing bool
}

// replaceNth replaces the n-th (from 1) occurrence of old in s.
func replaceNth(s, old, new string, n int) string {
	i := -1
	for ; n > 0; n-- {
		j := strings.Index(s[i+1:], old)
		if j < 0 {
			return s
		}
		i += 1 + j
	}
	return s[:i] + new + s[i+len(old):]
}

// replaceFirst replaces the first match of the regular expression re.
func replaceFirst(s, re, repl string) string {
	r := regexp.MustCompile(re)
	m := r.FindStringSubmatchIndex(s)
	if m == nil {
		return s
	}
	return s[:m[0]] + string(r.ExpandString(nil, repl, s, m)) + s[m[1]:]
}

// checkMutations shows the checkers are not blind: defects put into the
// demo daemon's real merged feed are reported.
func checkMutations(t *testing.T, base, public string) {
	now := time.Now()
	atomURL, rssURL := public+"feeds/all.atom?limit=500", public+"feeds/all.rss?limit=500"
	atom := string(fetchBody(t, base+"feeds/all.atom?limit=500"))
	rss := string(fetchBody(t, base+"feeds/all.rss?limit=500"))
	ids := xmlIDs(t, []byte(atom), nsAtom, "entry", "id")
	guids := xmlIDs(t, []byte(rss), "", "item", "guid")
	if len(ids) < 2 || len(guids) < 2 {
		t.Fatalf("too few entries: %d, %d", len(ids), len(guids))
	}
	atomCases := []mutation{
		{"no self link", func(s string) string { return strings.Replace(s, `rel="self"`, `rel="related"`, 1) }, "MissingSelf", false},
		{"self elsewhere", func(s string) string {
			return strings.Replace(s, `href="`+atomURL+`"`, `href="`+atomURL+`&amp;x=1"`, 1)
		}, "SelfDoesntMatchLocation", false},
		{"date without zone", func(s string) string { return replaceNth(s, "Z</updated>", "</updated>", 2) }, "InvalidRFC3339Date", false},
		{"date with lower-case t", func(s string) string { return replaceFirst(s, `(<published>\d{4}-\d\d-\d\d)T`, "${1}t") }, "InvalidRFC3339Date", true},
		{"duplicate id", func(s string) string { return replaceNth(s, "<id>"+ids[1]+"</id>", "<id>"+ids[0]+"</id>", 1) }, "StrictDuplicateID", false},
		{"relative id", func(s string) string { return replaceNth(s, "<id>"+ids[0]+"</id>", "<id>item/1</id>", 1) }, "InvalidFullLink", false},
		{"relative link", func(s string) string {
			return replaceNth(s, `type="text/html" href="https://`, `type="text/html" href="/`, 2)
		}, "StrictRelativeLink", false},
		{"script in content", func(s string) string {
			return strings.Replace(s, `<content type="html">`, `<content type="html">&lt;script&gt;alert(1)&lt;/script&gt;`, 1)
		}, "SecurityRisk", false},
		{"javascript: link in content", func(s string) string {
			return strings.Replace(s, `<content type="html">`, `<content type="html">&lt;a href="javascript:x()"&gt;x&lt;/a&gt;`, 1)
		}, "StrictContentURL", false},
		{"unescaped markup in content", func(s string) string {
			return strings.Replace(s, `<content type="html">`, `<content type="html"><b>bold</b>`, 1)
		}, "UndefinedElement", true},
		{"no authors", func(s string) string { return regexp.MustCompile(`(?s)<author>.*?</author>`).ReplaceAllString(s, "") }, "MissingElement", false},
		{"bad language", func(s string) string {
			return regexp.MustCompile(`xml:lang="[^"]*"`).ReplaceAllString(s, `xml:lang="english"`)
		}, "InvalidLanguage", false},
		{"entry without title", func(s string) string {
			return replaceFirst(s, `(?s)(<entry[^>]*>.*?)<title type="text">(.*?)</title>`, `${1}<rights type="text">${2}</rights>`)
		}, "MissingElement", true},
		{"unknown Atom element", func(s string) string { return replaceNth(s, "</entry>", "<bogus/></entry>", 1) }, "UndefinedElement", true},
		{"category without term", func(s string) string {
			return regexp.MustCompile(`<category term="[^"]*"`).ReplaceAllString(s, `<category`)
		}, "MissingAttribute", true},
	}
	rssCases := []mutation{
		{"no self link", func(s string) string {
			return strings.Replace(s, `<atom:link rel="self"`, `<atom:link rel="related"`, 1)
		}, "MissingSelf", false},
		{"two-digit year", func(s string) string { return replaceFirst(s, `(<pubDate>\w{3}, \d\d \w{3} )\d\d(\d\d)`, "${1}${2}") }, "ProblematicalRFC822Date", false},
		{"ISO date", func(s string) string {
			return replaceFirst(s, `<pubDate>[^<]*</pubDate>`, "<pubDate>2026-01-02T03:04:05Z</pubDate>")
		}, "InvalidRFC2822Date", false},
		{"wrong weekday", func(s string) string {
			return replaceFirst(s, `<pubDate>(Mon|Tue|Wed|Thu|Fri|Sat|Sun)`, "<pubDate>${1}X")
		}, "InvalidRFC2822Date", false},
		{"bad isPermaLink", func(s string) string { return strings.Replace(s, `isPermaLink="false"`, `isPermaLink="maybe"`, 1) }, "InvalidBooleanAttribute", false},
		{"duplicate guid", func(s string) string { return replaceNth(s, ">"+guids[1]+"</guid>", ">"+guids[0]+"</guid>", 1) }, "DuplicateValue", false},
		{"relative link", func(s string) string { return replaceNth(s, "<link>https://", "<link>/", 1) }, "InvalidLink", false},
		{"unknown element", func(s string) string { return strings.Replace(s, "</item>", "<foo>bar</foo></item>", 1) }, "UndefinedElement", false},
		{"script in description", func(s string) string {
			return replaceNth(s, "<description>", "<description>&lt;script&gt;x&lt;/script&gt;", 2)
		}, "SecurityRisk", false},
		{"HTML in title", func(s string) string { return replaceNth(s, "<title>", "<title>&lt;b&gt;x&lt;/b&gt; ", 2) }, "ContainsHTML", false},
		{"no channel description", func(s string) string { return replaceFirst(s, `<description>[^<]*</description>`, "") }, "MissingDescription", false},
		{"source without url", func(s string) string { return regexp.MustCompile(`<source url="[^"]*"`).ReplaceAllString(s, "<source") }, "MissingAttribute", false},
	}
	dir := t.TempDir()
	var jingFiles []string
	var jingCases []mutation
	for _, set := range []struct {
		body, location string
		cases          []mutation
		check          func([]byte, string, time.Time) []finding
	}{{atom, atomURL, atomCases, checkAtom}, {rss, rssURL, rssCases, checkRSS}} {
		for _, m := range set.cases {
			doc := m.edit(set.body)
			if doc == set.body {
				t.Errorf("%s: the edit changed nothing", m.name)
				continue
			}
			got := set.check([]byte(doc), set.location, now)
			if !slices.ContainsFunc(got, func(f finding) bool { return isA(f.Kind, m.want) }) {
				t.Errorf("%s: want %s, got %v", m.name, m.want, got)
			}
			if m.jing {
				f := filepath.Join(dir, fmt.Sprintf("%02d.atom", len(jingFiles)))
				if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
					t.Fatal(err)
				}
				jingFiles, jingCases = append(jingFiles, f), append(jingCases, m)
			}
		}
	}
	t.Run("jing", func(t *testing.T) {
		jing := requireTool(t, "jing")
		res := runJing(t, jing, jingFiles)
		for i, f := range jingFiles {
			if len(res[f]) == 0 {
				t.Errorf("%s: jing accepts it", jingCases[i].name)
			}
		}
	})
}

// nastyRSS is an RSS feed of items built to break writers: script in
// titles and descriptions, event handlers, javascript: and data: links,
// relative links, C1 controls, bidirectional text, Arabic in URLs, missing
// and odd dates, a very long title, items without link, title or both.
func nastyRSS(now time.Time) string {
	day := func(h int) string { return now.Add(-time.Duration(h) * time.Hour).UTC().Format(time.RFC1123Z) }
	long := strings.Repeat("Very long headline about Iran and the US, again and again; ", 80)
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Evil &lt;b&gt;outlet&lt;/b&gt; &amp;amp; co</title><link>https://evil.example.com/</link>
<description>&lt;script&gt;alert(1)&lt;/script&gt;</description><language>english</language>
<item><title>&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;Breaking: &lt;b onmouseover="x()"&gt;bold&lt;/b&gt; news &amp;amp; more &lt;/p&gt;</title>
<link>https://evil.example.com/news/1?a=1&amp;b=&lt;2&gt;&amp;c=x y|z</link><guid isPermaLink="false">xss-1</guid><pubDate>` + day(1) + `</pubDate>
<author>evil@example.com (&lt;script&gt;alert(1)&lt;/script&gt;)</author><dc:creator>&lt;i&gt;Mallory&lt;/i&gt; &amp;lt;m@example.com&amp;gt;</dc:creator>
<category>&lt;script&gt;</category>
<description><![CDATA[<p onclick="alert(1)">Hi <script>alert(2)</script><img src="pics/x.png" onerror="alert(3)" srcset="a.png 1x, /b.png 2x">
<a href="javascript:alert(4)">js</a> <a href="/relative/path">rel</a> <a href="//evil.example.net/proto">proto</a>
<iframe src="https://evil.example/"></iframe><form action="/steal"><input name="q"></form><style>body{display:none}</style>
<p style="background:url(javascript:alert(5))">styled</p><a href="data:text/html,<script>alert(6)</script>">data</a>
<svg onload="alert(7)"><circle r="1"/></svg><object data="x.swf"></object><embed src="y.swf"><base href="https://evil.example/">
<meta http-equiv="refresh" content="0;url=https://evil.example/"><math><mtext>x</mtext></math>
<a href="JaVaScRiPt&#58;alert(8)">entity js</a> <a href=" javascript:alert(9)">space js</a> 1 < 2 & 3 > 2</p>]]></description></item>
<item><title>عاجل: إيران والولايات المتحدة تستأنفان المحادثات&#x200F; &#x202E;txet desrever&#x202C;</title>
<link>https://ar.example.com/أخبار/إيران?q=عاجل#فقرة</link><guid>https://ar.example.com/أخبار/إيران?q=عاجل</guid>
<pubDate>` + day(2) + `</pubDate><description>&lt;p dir="rtl"&gt;التقى المبعوثون في مسقط &lt;a href="../relative"&gt;المزيد&lt;/a&gt;&lt;/p&gt;</description></item>
<item><title>C1 controls&#x85;NEL&#x9C;ST&#x80; and U+FFFD &#xFFFD; and LSEP&#x2028;</title><link>https://evil.example.com/c1</link>
<description>Body&#x85;with&#x9F;controls</description></item>
<item><title>` + long + `</title><link>https://evil.example.com/long</link><pubDate>` + day(3) + `</pubDate><description>Long one.</description></item>
<item><title>No link, no date</title><description>Only text here.</description><guid isPermaLink="false">no-link-1</guid></item>
<item><description>No title: the description &lt;b&gt;alone&lt;/b&gt; carries this item about Iran.</description><guid isPermaLink="false">no-title-1</guid><pubDate>` + day(4) + `</pubDate></item>
<item><link>https://evil.example.com/only-link</link></item>
<item><title>Relative link</title><link>/relative/only</link><description>x</description><pubDate>` + day(5) + `</pubDate></item>
<item><title>Future date</title><link>https://evil.example.com/future</link><pubDate>Fri, 31 Dec 2099 23:59:59 GMT</pubDate></item>
<item><title>Ancient date</title><link>https://evil.example.com/ancient</link><pubDate>Mon, 01 Jan 1979 00:00:00 GMT</pubDate></item>
<item><title>Two-digit year and odd zone</title><link>https://evil.example.com/y2k</link><pubDate>` + now.Add(-6*time.Hour).UTC().Format("Mon, 02 Jan 06 15:04:05 -0700") + `</pubDate></item>
<item><title>Garbage date</title><link>https://evil.example.com/garbage</link><pubDate>yesterday-ish</pubDate></item>
<item><title>Non-canonical GUID</title><link>HTTPS://Evil.Example.COM:443/./canon/../canon?x=%7e</link><guid>HTTP://Evil.Example.COM:80/./guid?id=%7e#frag</guid><pubDate>` + day(7) + `</pubDate></item>
<item><title>Short numeric GUID</title><link>https://evil.example.com/n</link><guid isPermaLink="false">42</guid><pubDate>` + day(8) + `</pubDate></item>
<item><title>tag: GUID</title><link>https://evil.example.com/tag</link><guid isPermaLink="false">tag:evil.example.com,2026:Item One</guid><pubDate>` + day(9) + `</pubDate></item>
<item><title>Upper-case tag: GUID</title><link>https://evil.example.com/tag2</link><guid isPermaLink="false">tag:Evil.Example.COM,2026:Item-Two</guid><pubDate>` + day(11) + `</pubDate></item>
<item><title>Bad UUID URN GUID</title><link>https://evil.example.com/uuid</link><guid isPermaLink="false">urn:uuid:not-a-uuid</guid><pubDate>` + day(12) + `</pubDate></item>
<item><title>RFC 8141 URN GUID</title><link>https://evil.example.com/urn</link><guid isPermaLink="false">urn:isbn:978-0/451~450523</guid><pubDate>` + day(13) + `</pubDate></item>
<item><title>Brackets in link</title><link>https://evil.example.com/a[1]/b?c[]=d#e[f]</link><guid isPermaLink="false">urn:example:brackets</guid><pubDate>` + day(14) + `</pubDate></item>
<item><title>Empty description</title><link>https://evil.example.com/empty</link><description></description><pubDate>` + day(10) + `</pubDate></item>
</channel></rss>`
}

// nastyJSON is a JSON Feed carrying what XML cannot: C0 controls, lone
// surrogates, noncharacters.
func nastyJSON(now time.Time) string {
	at := func(h int) string { return now.Add(-time.Duration(h) * time.Hour).UTC().Format(time.RFC3339) }
	return `{"version": "https://jsonfeed.org/version/1.1", "title": "JSON \u0001 outlet\u0008", "home_page_url": "https://json.example.com/",
"language": "zz-ZZ",
"items": [
{"id": "1", "url": "https://json.example.com/1", "title": "Control\u0001chars\u0007in\u000btitle\u001f and DEL\u007f",
 "content_html": "<p>ctl\u0002 <b>bold</b></p>", "date_published": "` + at(1) + `", "authors": [{"name": "\u0003Bob <script>x</script>"}]},
{"id": "2", "url": "https://json.example.com/2", "title": "Lone \ud800 surrogate and \ufffe\uffff nonchars, C1 \u0085\u009c\u0080 raw",
 "content_text": "text \ud83d only", "date_published": "` + at(2) + `"},
{"id": "3", "url": "/relative", "title": "Relative URL", "content_text": "x", "date_published": "not a date"},
{"id": "4", "title": "", "content_html": "", "date_published": "` + at(3) + `"},
{"id": "5", "url": "https://json.example.com/5", "title": "Iran \"quotes\" ]]> & <tags>", "content_html": "]]><![CDATA[ x", "date_published": "` + at(4) + `",
 "language": "ar"}
]}`
}

// nastyAtom is an Atom feed with xml:base, relative links, xhtml content,
// languages, HTML titles and an entry with nothing but an id.
func nastyAtom(now time.Time) string {
	at := func(h int) string { return now.Add(-time.Duration(h) * time.Hour).UTC().Format(time.RFC3339) }
	return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example.com/news/" xml:lang="en_US">
<title type="html">&lt;b&gt;Atom&lt;/b&gt; outlet</title><id>urn:x:nasty</id><updated>` + at(0) + `</updated>
<link rel="alternate" href="./"/>
<entry xml:lang="ar"><title type="html">&lt;em&gt;إيران&lt;/em&gt; &amp;amp; breaking</title><id>urn:x:nasty:1</id>
 <link href="story/1"/><updated>` + at(1) + `</updated>
 <author><name>&lt;script&gt;alert(1)&lt;/script&gt;</name><email>not-an-email</email></author>
 <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>See <a href="../other">other</a> <img src="img/p.png" onerror="x()"/></p></div></content></entry>
<entry><title>Only an id</title><id>urn:x:nasty:2</id><updated>` + at(2) + `</updated></entry>
<entry><title type="text">Plain &lt;/b&gt; end tag &amp;amp; entity</title><id>not a uri at all</id><updated>` + at(3) + `</updated>
 <link href="javascript:alert(1)"/><summary type="html">&lt;script&gt;x&lt;/script&gt;&lt;p&gt;Summary&lt;/p&gt;</summary></entry>
</feed>`
}

// TestValidateHostileFeeds serves feeds of hostile items through a real
// daemon and validates what it publishes: merged, topic and source feeds,
// every format, a ?q= search, and a second rendering after new items
// arrive, whose ids must not have changed.
func TestValidateHostileFeeds(t *testing.T) {
	now := time.Now()
	fs := newFeedServer(t)
	fs.set("/nasty.rss", "application/rss+xml", []byte(nastyRSS(now)))
	fs.set("/nasty.json", "application/feed+json", []byte(nastyJSON(now)))
	fs.set("/nasty.atom", "application/atom+xml", []byte(nastyAtom(now)))
	const public = "https://news.example.org/aggregator/"
	text := fmt.Sprintf(`
[server]
listen = "127.0.0.1:0"
admin_listen = ""
base_url = %q
title = "Hostile \"news\" & co — عاجل"

[storage]
path = %q

[fetch]
timeout = "5s"
schedule = "@every 1h"

[[source]]
name = "nasty-rss"
title = "Evil & \"Co\" — شركة"
url = "%[3]s/nasty.rss"
tags = ["<b>tag</b>", "عربي"]

[[source]]
name = "nasty-json"
url = "%[3]s/nasty.json"

[[source]]
name = "nasty-atom"
url = "%[3]s/nasty.atom"

[[topic]]
id = "breaking"
title = "Breaking & \"alerts\" — عاجل"
query = 'breaking OR عاجل OR iran OR control OR title'
`, public, filepath.Join(t.TempDir(), "hostile.db"), fs.URL)
	cfg, err := config.Load("hostile.toml", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx := context.Background()
	res, err := d.FetchOnce(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Source, r.Err)
		}
	}
	base := serveDaemon(t, d)
	v := newValidation(t, base, public)
	v.knownWarnings = []knownWarning{
		{kind: "BadCharacters", why: "U+FFFD in a source's own text (a lone surrogate in its JSON decodes to it) is passed through"},
		{kind: "ContainsHTML", query: "q=", elements: []string{"title", "description"},
			why: "?q= is echoed verbatim (escaped) into the channel title and description, so a query with markup-like text draws the RSS profile's warning"},
	}
	names := []string{"all", "topics/breaking", "sources/nasty-rss", "sources/nasty-json", "sources/nasty-atom"}
	for _, name := range names {
		v.feed(name, 500)
	}
	v.feed("all", 3)
	for _, ext := range []string{"atom", "rss", "json"} {
		v.get(public + "feeds/all." + ext + "?" + url.Values{"q": {`iran OR "<script>"`}}.Encode())
	}
	before := map[string][]string{}
	for _, name := range names {
		before[name] = v.ids[public+"feeds/"+name+".atom?limit=500"]
	}

	// New items arrive: every page is rendered again, and every entry
	// keeps its id.
	fs.set("/nasty.rss", "application/rss+xml", []byte(strings.Replace(nastyRSS(now), "<item>",
		`<item><title>Breaking: a newer item</title><link>https://evil.example.com/newer</link><pubDate>`+now.UTC().Format(time.RFC1123Z)+`</pubDate></item><item>`, 1)))
	if _, err := d.FetchOnce(ctx, []string{"nasty-rss"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		v.feed(name, 499)
		after := v.ids[public+"feeds/"+name+".atom?limit=499"]
		for _, id := range before[name] {
			if !slices.Contains(after, id) && len(after) < 499 {
				t.Errorf("%s: entry id %q gone after new items arrived: %q", name, id, after)
			}
		}
	}
	for i, k := range v.knownWarnings {
		if !v.knownSeen[i] {
			t.Errorf("known warning %s no longer seen: remove it (%s)", k.kind, k.why)
		}
	}
	v.external()
}
