package article

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// paragraphBlocks are elements rendered as paragraphs of their own,
// separated from what surrounds them by a blank line.
var paragraphBlocks = map[atom.Atom]bool{
	atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Blockquote: true, atom.Pre: true,
	atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Table: true,
	atom.Figure: true, atom.Hr: true,
}

// lineBlocks are elements that start and end a line.
var lineBlocks = map[atom.Atom]bool{
	atom.Div: true, atom.Li: true, atom.Dt: true, atom.Dd: true,
	atom.Tr: true, atom.Figcaption: true, atom.Section: true,
	atom.Article: true, atom.Header: true, atom.Footer: true,
	atom.Aside: true, atom.Nav: true, atom.Main: true, atom.Address: true,
	atom.Details: true, atom.Summary: true, atom.Caption: true,
	atom.Picture: true,
}

// noText are elements whose content is never text.
var noText = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true,
	atom.Noscript: true, atom.Head: true, atom.Title: true,
	atom.Svg: true, atom.Math: true, atom.Select: true, atom.Textarea: true,
	atom.Iframe: true, atom.Object: true, atom.Video: true, atom.Audio: true,
}

// plainText renders an HTML fragment as plain text: the text of each
// paragraph-level block (p, headings, lists, quotes, tables, figures) is
// separated from the next by a blank line, and list items, table rows,
// other blocks and <br> start a new line. Inside a line, runs of
// whitespace become one space. Control characters are dropped and every
// line is trimmed. The result is valid UTF-8 when s is.
func plainText(s string) string {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return ""
	}
	var tb textBuilder
	for _, n := range nodes {
		tb.render(n, false)
	}
	return tb.b.String()
}

// textBuilder accumulates text with pending separators, so that a
// separator is written only between two words and the strongest one
// asked for wins.
type textBuilder struct {
	b     strings.Builder
	nl    int  // pending newlines: 0, 1 or 2
	space bool // a pending space
}

func (tb *textBuilder) render(n *html.Node, pre bool) {
	switch n.Type {
	case html.TextNode:
		tb.text(n.Data, pre)
		return
	case html.ElementNode:
	case html.DocumentNode:
	default:
		return
	}
	a := n.DataAtom
	if n.Type == html.ElementNode {
		switch {
		case noText[a]:
			return
		case a == atom.Br:
			tb.breakLine(1)
			return
		case a == atom.Td || a == atom.Th:
			tb.space = true
		case paragraphBlocks[a]:
			tb.breakLine(2)
		case lineBlocks[a]:
			tb.breakLine(1)
		}
		if a == atom.Pre {
			pre = true
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		tb.render(c, pre)
	}
	switch {
	case paragraphBlocks[a]:
		tb.breakLine(2)
	case lineBlocks[a]:
		tb.breakLine(1)
	case a == atom.Td || a == atom.Th:
		tb.space = true
	}
}

// breakLine asks for n newlines before the next word.
func (tb *textBuilder) breakLine(n int) {
	tb.nl = max(tb.nl, n)
}

// text adds the words of s; inside <pre> (pre set) its line breaks are
// kept.
func (tb *textBuilder) text(s string, pre bool) {
	start := -1
	flush := func(end int) {
		if start >= 0 {
			tb.word(s[start:end])
			start = -1
		}
	}
	for i, r := range s {
		switch {
		case r == '\n' && pre:
			flush(i)
			tb.breakLine(1)
		case unicode.IsSpace(r):
			flush(i)
			tb.space = true
		case unicode.IsControl(r), r == '\uFFFE', r == '\uFFFF':
			flush(i)
		default:
			if start < 0 {
				start = i
			}
		}
	}
	flush(len(s))
}

// word writes w after the pending separator.
func (tb *textBuilder) word(w string) {
	if tb.b.Len() > 0 {
		switch {
		case tb.nl > 0:
			tb.b.WriteString("\n\n"[:tb.nl])
		case tb.space:
			tb.b.WriteByte(' ')
		}
	}
	tb.b.WriteString(w)
	tb.nl, tb.space = 0, false
}
