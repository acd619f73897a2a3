package article

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The boilerplate filter runs on readability's output and removes the
// site furniture that readability's class-name heuristics miss (sites
// whose class names are "box-4", "col-md-8" or hashes say nothing). It
// knows three short lists, in English and Arabic, matched on normalised
// text (see normalize): labels that head a block of furniture, sentences
// that only furniture says, and the words of share bars. The rules are in
// the package documentation; keep the lists short and generic — a phrase
// belongs here only if no news article would use it as its own text.

// blockLabels head a block of site furniture when they are the whole text
// of an element ("Related articles", "التعليقات (3)"), and mark a teaser
// when a short, mostly-link element starts with them ("Read more: ...").
var blockLabels = []string{
	// English
	"related", "related articles", "related stories", "related news",
	"related posts", "related content", "related coverage", "related topics",
	"read more", "read also", "also read", "see also", "more on this story",
	"you may also like", "you might also like", "recommended",
	"recommended for you", "most read", "most popular", "trending now",
	"comments", "comment", "leave a comment", "leave a reply",
	"post a comment", "join the conversation",
	"share", "share this", "share this article", "share this story",
	"follow us", "newsletter", "sign up for our newsletter",
	"subscribe to our newsletter", "tags", "advertisement", "advertising",
	"sponsored",
	// Arabic
	"اقرأ أيضا", "اقرأ المزيد", "ذات صلة", "مقالات ذات صلة", "أخبار ذات صلة",
	"مواضيع ذات صلة", "قد يعجبك أيضا", "الأكثر قراءة", "الأكثر مشاهدة",
	"التعليقات", "تعليقات", "أضف تعليقا", "أضف تعليقك", "اترك تعليقا",
	"شارك", "شارك الخبر", "شارك المقال", "مشاركة", "تابعونا", "تابعنا",
	"النشرة البريدية", "اشترك في النشرة البريدية", "الوسوم", "كلمات مفتاحية",
	"إعلان",
}

// boilerplateSentences are what comment forms, newsletter boxes and page
// footers say. An element is removed when it is the smallest one holding
// such a sentence and it is short.
var boilerplateSentences = []string{
	// English
	"comments are moderated", "comments are closed",
	"your email address will not be published", "required fields are marked",
	"must be logged in to post a comment", "log in to comment",
	"login to comment", "sign in to comment", "log in to leave a comment",
	"sign up for our newsletter", "subscribe to our newsletter",
	"by signing up you agree", "enter your email address",
	"all rights reserved",
	// Arabic
	"التعليقات تخضع للمراجعة", "تخضع التعليقات للمراجعة",
	"تخضع للمراجعة قبل النشر", "التعليقات المنشورة لا تعبر",
	"لن يتم نشر عنوان بريدك الإلكتروني", "الحقول الإلزامية مشار إليها",
	"يجب تسجيل الدخول للتعليق", "سجل الدخول للتعليق",
	"يجب عليك تسجيل الدخول", "اشترك في نشرتنا البريدية",
	"اشترك في النشرة البريدية", "أدخل بريدك الإلكتروني", "جميع الحقوق محفوظة",
}

// shareWords name share targets; shareFiller are the words share bars
// put between them. A short element made only of these words, at least
// two of them and one a share word, is a share bar.
var (
	shareWords = []string{
		"share", "facebook", "twitter", "x", "whatsapp", "telegram",
		"linkedin", "reddit", "pinterest", "messenger", "email", "e-mail",
		"print", "copy", "link",
		"شارك", "مشاركة", "فيسبوك", "فيس", "بوك", "تويتر", "واتساب", "واتس",
		"اب", "تلغرام", "تيليجرام", "تليجرام", "لينكدإن", "بريد", "طباعة",
		"نسخ", "الرابط",
	}
	shareFiller = []string{
		"this", "article", "story", "on", "via", "send", "to", "a", "friend",
		"الخبر", "المقال", "عبر", "على", "ارسل", "أرسل", "لصديق",
	}
)

// Limits of the filter, in characters of text (whitespace excluded).
const (
	// maxLabelChars bounds an element that can be a label.
	maxLabelChars = 60
	// maxFurnitureChars bounds an element removed as a teaser, a share
	// bar or the holder of a boilerplate sentence.
	maxFurnitureChars = 300
	// minTeaserLinkDensity is the share of a teaser's text inside links.
	minTeaserLinkDensity = 0.5
)

// filterWords is the normalised form of the lists, built once.
type filterWords struct {
	labels     map[string]bool
	labelList  []string
	sentences  []string
	share      map[string]bool
	shareOrNot map[string]bool
}

func newFilterWords() *filterWords {
	w := &filterWords{
		labels:     make(map[string]bool),
		share:      make(map[string]bool),
		shareOrNot: make(map[string]bool),
	}
	for _, l := range blockLabels {
		n := normalize(l)
		w.labels[n] = true
		w.labelList = append(w.labelList, n)
	}
	for _, s := range boilerplateSentences {
		w.sentences = append(w.sentences, normalize(s))
	}
	for _, s := range shareWords {
		w.share[normalize(s)] = true
		w.shareOrNot[normalize(s)] = true
	}
	for _, s := range shareFiller {
		w.shareOrNot[normalize(s)] = true
	}
	return w
}

// nodeStats are the text counts of one element's subtree.
type nodeStats struct {
	chars     int // non-space characters
	linkChars int // of which inside <a>
}

// boilerplateFilter removes furniture from one article tree.
type boilerplateFilter struct {
	words *filterWords
	root  *html.Node
	stats map[*html.Node]nodeStats
	total int
	// cut is set when a removal took out an ancestor of the element being
	// checked; the walk unwinds to the cut element's parent.
	cut *html.Node
}

// removeBoilerplate applies the rules of the package documentation to the
// subtree under root (never root itself) and reports how many elements it
// removed.
func removeBoilerplate(root *html.Node, words *filterWords) int {
	f := &boilerplateFilter{words: words, root: root, stats: make(map[*html.Node]nodeStats)}
	f.measure(root, false)
	f.total = f.stats[root].chars
	return f.walk(root)
}

// measure fills f.stats for n's subtree and returns n's counts.
func (f *boilerplateFilter) measure(n *html.Node, inLink bool) nodeStats {
	var st nodeStats
	switch n.Type {
	case html.TextNode:
		for _, r := range n.Data {
			if !unicode.IsSpace(r) {
				st.chars++
			}
		}
		if inLink {
			st.linkChars = st.chars
		}
		return st
	case html.ElementNode, html.DocumentNode:
	default:
		return st
	}
	if n.Type == html.ElementNode && n.DataAtom == atom.A {
		inLink = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		cs := f.measure(c, inLink)
		st.chars += cs.chars
		st.linkChars += cs.linkChars
	}
	f.stats[n] = st
	return st
}

// walk visits n's element children in document order, removing furniture
// and descending into the rest. It returns the number of removals.
func (f *boilerplateFilter) walk(n *html.Node) int {
	removed := 0
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type != html.ElementNode {
			c = next
			continue
		}
		after, k := f.check(c)
		if k > 0 {
			removed += k
			if f.cut != nil {
				return removed // an ancestor of c is gone: unwind
			}
			c = after
			continue
		}
		removed += f.walk(c)
		if f.cut != nil {
			if f.cut != c {
				return removed
			}
			f.cut = nil
		}
		c = next
	}
	return removed
}

// check removes c (and what it heads) if it is furniture. It returns the
// node to visit next and how many elements it removed; 0 means c stays.
func (f *boilerplateFilter) check(c *html.Node) (*html.Node, int) {
	st := f.stats[c]
	if st.chars == 0 || st.chars > maxFurnitureChars {
		return nil, 0
	}
	text := normalize(nodeText(c))
	if st.chars <= maxLabelChars && f.words.labels[stripDigits(text)] {
		return f.removeLabelled(c)
	}
	switch {
	case f.isTeaser(text, st), f.isShareBar(text), f.holdsSentence(c, text):
		next := c.NextSibling
		c.Parent.RemoveChild(c)
		return next, 1
	}
	return nil, 0
}

// isTeaser reports whether text starts with a label and is mostly links
// ("Read more: Other headline").
func (f *boilerplateFilter) isTeaser(text string, st nodeStats) bool {
	if float64(st.linkChars) < minTeaserLinkDensity*float64(st.chars) {
		return false
	}
	for _, l := range f.words.labelList {
		if strings.HasPrefix(text, l) && (len(text) == len(l) || text[len(l)] == ' ') {
			return true
		}
	}
	return false
}

// isShareBar reports whether text is made only of share words and filler,
// at least two words, one of them a share word.
func (f *boilerplateFilter) isShareBar(text string) bool {
	words := strings.Fields(text)
	if len(words) < 2 {
		return false
	}
	shares := 0
	for _, w := range words {
		if !f.words.shareOrNot[w] {
			return false
		}
		if f.words.share[w] {
			shares++
		}
	}
	return shares > 0
}

// holdsSentence reports whether text (c's normalised text) contains a
// boilerplate sentence that no element child of c holds whole: c is then
// the smallest element around it.
func (f *boilerplateFilter) holdsSentence(c *html.Node, text string) bool {
	for _, s := range f.words.sentences {
		if !containsWords(text, s) {
			continue
		}
		inChild := false
		for k := c.FirstChild; k != nil && !inChild; k = k.NextSibling {
			if k.Type == html.ElementNode && containsWords(normalize(nodeText(k)), s) {
				inChild = true
			}
		}
		if !inChild {
			return true
		}
	}
	return false
}

// removeLabelled removes the block that label element c heads: the
// highest ancestor that c begins (c being the first thing in it, at every
// level) and that holds at most half of the article's text, or else c
// itself together with the mostly-link siblings that follow it (a heading
// "Related" over a list of links, inside the article's own flow).
func (f *boilerplateFilter) removeLabelled(c *html.Node) (*html.Node, int) {
	block := c
	for p := block.Parent; p != nil && p != f.root && firstContent(p) == block &&
		2*f.stats[p].chars <= f.total; p = block.Parent {
		block = p
	}
	if block != c {
		// The walk is inside block: it unwinds to block's parent and
		// goes on with block's next sibling.
		block.Parent.RemoveChild(block)
		f.cut = block
		return nil, 1
	}
	removed := 1
	next := c.NextSibling
	for next != nil {
		if next.Type == html.TextNode && strings.TrimSpace(next.Data) == "" {
			next = next.NextSibling
			continue
		}
		if next.Type != html.ElementNode || !f.mostlyLinks(next) {
			break
		}
		after := next.NextSibling
		next.Parent.RemoveChild(next)
		removed++
		next = after
	}
	c.Parent.RemoveChild(c)
	return next, removed
}

// mostlyLinks reports whether element n is a list of links or a form:
// text that is at least half links, or no text and some link or form
// control inside.
func (f *boilerplateFilter) mostlyLinks(n *html.Node) bool {
	st := f.stats[n]
	if st.chars > 0 {
		return float64(st.linkChars) >= minTeaserLinkDensity*float64(st.chars)
	}
	return hasElement(n, atom.A, atom.Form, atom.Input, atom.Button)
}

// firstContent returns p's first child that is an element or non-blank
// text.
func firstContent(p *html.Node) *html.Node {
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case html.ElementNode:
			return c
		case html.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				return c
			}
		}
	}
	return nil
}

// hasElement reports whether n's subtree holds one of the elements.
func hasElement(n *html.Node, atoms ...atom.Atom) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		for _, a := range atoms {
			if c.DataAtom == a {
				return true
			}
		}
		if hasElement(c, atoms...) {
			return true
		}
	}
	return false
}

// nodeText returns the text of n's subtree, with a space at the edges of
// every element that is not phrasing content.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			if noText[n.DataAtom] {
				return
			}
		}
		block := n.Type == html.ElementNode && !phrasing[n.DataAtom]
		if block {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteByte(' ')
		}
	}
	walk(n)
	return b.String()
}

// phrasing are the elements that do not separate words.
var phrasing = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true,
	atom.Bdo: true, atom.Cite: true, atom.Code: true, atom.Del: true,
	atom.Dfn: true, atom.Em: true, atom.Font: true, atom.I: true,
	atom.Ins: true, atom.Kbd: true, atom.Mark: true, atom.Q: true,
	atom.S: true, atom.Samp: true, atom.Small: true, atom.Span: true,
	atom.Strong: true, atom.Sub: true, atom.Sup: true, atom.Time: true,
	atom.U: true, atom.Var: true, atom.Wbr: true,
}

// containsWords reports whether the normalised text contains the
// normalised phrase on word boundaries.
func containsWords(text, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(phrase)
		if (j == 0 || text[j-1] == ' ') && (end == len(text) || text[end] == ' ') {
			return true
		}
		i = j + 1
	}
}

// stripDigits removes the words that are numbers ("3 comments",
// "التعليقات (2)").
func stripDigits(text string) string {
	if !strings.ContainsFunc(text, unicode.IsDigit) {
		return text
	}
	words := strings.Fields(text)
	out := words[:0]
	for _, w := range words {
		if !strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) {
			continue
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// normalize folds text for matching: letters and digits lower-cased,
// Arabic tashkeel and tatweel removed, the hamza forms of alef and the
// Persian/Urdu letter variants folded to one letter, and every run of
// other characters (spaces, punctuation, symbols) made one space.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640:
			continue // tashkeel, superscript alef, tatweel
		case r == 'أ', r == 'إ', r == 'آ', r == 'ٱ':
			r = 'ا'
		case r == 'ى', r == 'ی', r == 'ئ':
			r = 'ي'
		case r == 'ة':
			r = 'ه'
		case r == 'ؤ':
			r = 'و'
		case r == 'ک':
			r = 'ك'
		case r == '-' || r == '\u200c':
			// Hyphen and ZWNJ join a word ("e-mail").
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.Mn, r):
			r = unicode.ToLower(r)
		default:
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
