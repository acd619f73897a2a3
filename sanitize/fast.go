package sanitize

import (
	"bytes"
	"cmp"
	"io"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The first pass of HTML (prepare) builds the HTML5 tree of the fragment
// and renders it again, so that the policy sees what a browser would
// build. For most feed HTML, which is a plain tree of paragraphs, links
// and emphasis written with every tag closed in order, building the tree
// changes nothing: the tree is the tags as written. prepareTokens handles
// that case in one pass over the tokens, without building the tree, and
// writes exactly what Render would write for it; anything else (a tag the
// tree builder treats specially, a tag closed out of order, an element
// that would close another implicitly) makes it give up, and prepare does
// the work. prepareScan (scan.go) does the same with a scanner cheaper
// than the HTML tokenizer, for fragments in a strict subset of the
// syntax, and gives up to prepareTokens. TestPrepareTokensMatchesTree and
// FuzzPrepareTokens hold all three to the same output; feeds'
// TestCorpusGolden holds the whole of HTML to its output on real feeds.

// maxFastDepth bounds the nesting the token pass accepts; deeper
// fragments go through the tree (which refuses more than 512).
const maxFastDepth = 100

// fastClass says how the tree builder ("in body" insertion mode) treats a
// start tag, for the elements the token pass accepts.
type fastClass uint8

const (
	// fastOther is an element inserted as it is ("any other start tag").
	fastOther fastClass = iota + 1
	// fastFormatting is a formatting element: inserted, and pushed on the
	// list of active formatting elements (harmless while every element is
	// closed in order), which sorts its attributes.
	fastFormatting
	// fastClosesP is inserted after closing an open <p> (the token pass
	// gives up when one is open).
	fastClosesP
	// fastHeading is fastClosesP, and closes a heading that is the current
	// node.
	fastHeading
	// fastListItem is <li>: fastClosesP, and closes open list items; the
	// token pass takes it only as a child of <ul> or <ol>.
	fastListItem
	// fastDefItem is <dd> or <dt>: as fastListItem, in <dl>.
	fastDefItem
	// fastAnchor is <a>: closes an open <a>, and is a formatting element.
	fastAnchor
	// fastVoid is inserted and popped at once (no content, no end tag).
	fastVoid
	// fastVoidClosesP is <hr>: fastVoid and fastClosesP.
	fastVoidClosesP
)

// fastElements are the elements the token pass accepts, by atom. Elements
// without an atom (unknown names) are inserted as they are too; every
// other known element is left to the tree.
var fastElements = map[atom.Atom]fastClass{
	// Closes an open <p>.
	atom.Address: fastClosesP, atom.Article: fastClosesP, atom.Aside: fastClosesP,
	atom.Blockquote: fastClosesP, atom.Center: fastClosesP, atom.Details: fastClosesP,
	atom.Dialog: fastClosesP, atom.Dir: fastClosesP, atom.Div: fastClosesP,
	atom.Dl: fastClosesP, atom.Fieldset: fastClosesP, atom.Figcaption: fastClosesP,
	atom.Figure: fastClosesP, atom.Footer: fastClosesP, atom.Header: fastClosesP,
	atom.Hgroup: fastClosesP, atom.Main: fastClosesP, atom.Menu: fastClosesP,
	atom.Nav: fastClosesP, atom.Ol: fastClosesP, atom.P: fastClosesP,
	atom.Search: fastClosesP, atom.Section: fastClosesP, atom.Summary: fastClosesP,
	atom.Ul: fastClosesP,
	atom.H1: fastHeading, atom.H2: fastHeading, atom.H3: fastHeading,
	atom.H4: fastHeading, atom.H5: fastHeading, atom.H6: fastHeading,
	atom.Li: fastListItem, atom.Dd: fastDefItem, atom.Dt: fastDefItem,
	atom.A: fastAnchor,
	// Formatting elements.
	atom.B: fastFormatting, atom.Big: fastFormatting, atom.Code: fastFormatting,
	atom.Em: fastFormatting, atom.Font: fastFormatting, atom.I: fastFormatting,
	atom.S: fastFormatting, atom.Small: fastFormatting, atom.Strike: fastFormatting,
	atom.Strong: fastFormatting, atom.Tt: fastFormatting, atom.U: fastFormatting,
	// Void elements.
	atom.Br: fastVoid, atom.Img: fastVoid, atom.Wbr: fastVoid, atom.Area: fastVoid,
	atom.Hr: fastVoidClosesP,
	// Other phrasing and grouping elements with no rule of their own.
	atom.Abbr: fastOther, atom.Acronym: fastOther, atom.Bdi: fastOther, atom.Bdo: fastOther,
	atom.Cite: fastOther, atom.Data: fastOther, atom.Del: fastOther, atom.Dfn: fastOther,
	atom.Ins: fastOther, atom.Kbd: fastOther, atom.Label: fastOther, atom.Mark: fastOther,
	atom.Q: fastOther, atom.Samp: fastOther, atom.Span: fastOther, atom.Sub: fastOther,
	atom.Sup: fastOther, atom.Time: fastOther, atom.Var: fastOther,
}

// openElement is an element on flatTree's stack.
type openElement struct {
	name string
	a    atom.Atom
}

// flatTree writes, token by token, what Render writes for the tree the
// tree builder would make of the tokens, as long as that tree is the tags
// as written; its methods report false as soon as it would not be.
type flatTree struct {
	b            strings.Builder
	base         *url.URL
	stack        []openElement
	openP, openA int
}

func newFlatTree(s string, base *url.URL) *flatTree {
	t := &flatTree{base: base}
	t.b.Grow(len(s) + len(s)/8)
	return t
}

// text takes a text token's data (unescaped).
func (t *flatTree) text(s string) { writeEscaped(&t.b, s) }

// startTag takes a start tag (self-closing or not) named name (lower
// case, as html.Token's Data) with its attributes, which it may change.
func (t *flatTree) startTag(name string, a atom.Atom, attrs []html.Attribute, selfClosing bool) bool {
	class, ok := fastElements[a]
	if a == 0 {
		class, ok = fastOther, true
	}
	if !ok {
		return false
	}
	void := class == fastVoid || class == fastVoidClosesP
	if selfClosing && !void {
		return false // <p/> opens a <p>: left to the tree
	}
	var current atom.Atom
	if len(t.stack) > 0 {
		current = t.stack[len(t.stack)-1].a
	}
	switch class {
	case fastClosesP, fastVoidClosesP:
		if t.openP > 0 {
			return false
		}
	case fastHeading:
		if t.openP > 0 || isHeading(current) {
			return false
		}
	case fastListItem:
		if t.openP > 0 || (current != atom.Ul && current != atom.Ol) {
			return false
		}
	case fastDefItem:
		if t.openP > 0 || current != atom.Dl {
			return false
		}
	case fastAnchor:
		if t.openA > 0 {
			return false
		}
	}
	if class == fastFormatting || class == fastAnchor {
		// The tree builder sorts them, for its Noah's Ark clause.
		slices.SortFunc(attrs, func(a, b html.Attribute) int {
			return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Val, b.Val))
		})
	}
	n := html.Node{Type: html.ElementNode, Data: name, DataAtom: a, Attr: attrs}
	rewriteAttrs(&n, t.base)
	if void {
		if !uselessImage(&n) {
			writeStartTag(&t.b, &n)
			t.b.WriteString("/>")
		}
		return true
	}
	if len(t.stack) >= maxFastDepth {
		return false
	}
	t.stack = append(t.stack, openElement{name: name, a: a})
	switch a {
	case atom.P:
		t.openP++
	case atom.A:
		t.openA++
	}
	writeStartTag(&t.b, &n)
	t.b.WriteByte('>')
	return true
}

// endTag takes an end tag named name (lower case).
func (t *flatTree) endTag(name []byte) bool {
	if len(t.stack) == 0 || t.stack[len(t.stack)-1].name != string(name) {
		return false
	}
	top := t.stack[len(t.stack)-1]
	t.stack = t.stack[:len(t.stack)-1]
	switch top.a {
	case atom.P:
		t.openP--
	case atom.A:
		t.openA--
	}
	t.b.WriteString("</")
	t.b.WriteString(top.name)
	t.b.WriteByte('>')
	return true
}

// finish returns the output. The tree builder leaves elements open at the
// end; Render closes them.
func (t *flatTree) finish() string {
	for i := len(t.stack) - 1; i >= 0; i-- {
		t.b.WriteString("</")
		t.b.WriteString(t.stack[i].name)
		t.b.WriteByte('>')
	}
	return t.b.String()
}

// prepareTokens is prepare for fragments whose tree is the tags as
// written, read with the HTML tokenizer; it reports false for any other.
func prepareTokens(s string, base *url.URL) (string, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", false // the tree builder drops NUL from text
	}
	z := html.NewTokenizerFragment(strings.NewReader(s), "div")
	t := newFlatTree(s, base)
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				return "", false
			}
			return t.finish(), true
		case html.TextToken:
			writeEscapedBytes(&t.b, z.Text())
		case html.CommentToken:
			t.b.WriteString(z.Token().String()) // as Render writes a comment
		case html.DoctypeToken:
			return "", false
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !t.startTag(tok.Data, tok.DataAtom, tok.Attr, tok.Type == html.SelfClosingTagToken) {
				return "", false
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if !t.endTag(name) {
				return "", false
			}
		}
	}
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// writeStartTag writes "<name" and the attributes as Render does, without
// the closing ">" or "/>".
func writeStartTag(b *strings.Builder, n *html.Node) {
	b.WriteByte('<')
	b.WriteString(n.Data)
	for _, a := range n.Attr {
		b.WriteByte(' ')
		b.WriteString(a.Key)
		b.WriteString(`="`)
		writeEscaped(b, a.Val)
		b.WriteByte('"')
	}
}

// writeEscaped writes s escaped as Render escapes text and attribute
// values.
func writeEscaped(b *strings.Builder, s string) {
	for {
		i := strings.IndexAny(s, escapedChars)
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		b.WriteString(escapeOf(s[i]))
		s = s[i+1:]
	}
}

// writeEscapedBytes is writeEscaped for a byte slice.
func writeEscapedBytes(b *strings.Builder, s []byte) {
	for {
		i := bytes.IndexAny(s, escapedChars)
		if i < 0 {
			b.Write(s)
			return
		}
		b.Write(s[:i])
		b.WriteString(escapeOf(s[i]))
		s = s[i+1:]
	}
}

// escapedChars are the bytes Render escapes in text and attribute values.
const escapedChars = "&'<>\"\r"

// escapeOf returns the escape Render writes for c, one of escapedChars.
func escapeOf(c byte) string {
	switch c {
	case '&':
		return "&amp;"
	case '\'':
		return "&#39;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	case '"':
		return "&#34;"
	}
	return "&#13;"
}
