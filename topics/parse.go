package topics

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Query is a parsed topic query. It is immutable and safe for concurrent
// use. The package documentation describes the language.
type Query struct {
	root node
	src  string
}

// SyntaxError is returned by Parse for a query that does not parse.
type SyntaxError struct {
	// Offset is the byte offset in the query of the offending token: the
	// unclosed parenthesis, the dangling operator, the opening quote of an
	// unterminated phrase, the misplaced *, ...
	Offset int
	// Msg says what is wrong, for a person.
	Msg string
}

// Error renders the problem as "query: at offset N: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("query: at offset %d: %s", e.Offset, e.Msg)
}

// Limits on queries, so that no query can make matching slow.
const (
	// MaxQueryLen is the longest query Parse accepts, in bytes.
	MaxQueryLen = 64 << 10
	// MaxPhraseWords is the most words a phrase may have.
	MaxPhraseWords = 32
	// maxDepth bounds the nesting of parentheses, NOT and fields.
	maxDepth = 100
)

// Parse parses a topic query. A query that does not parse gives a
// *SyntaxError.
func Parse(q string) (*Query, error) {
	if len(q) > MaxQueryLen {
		return nil, &SyntaxError{Offset: MaxQueryLen, Msg: fmt.Sprintf("query is too long (more than %d bytes)", MaxQueryLen)}
	}
	p := &parser{src: q}
	p.next()
	if p.err == nil && p.tok.kind == tEOF {
		p.failAt(0, "empty query: write at least one word")
	}
	var root node
	if p.err == nil {
		root = p.parseOr()
	}
	if p.err == nil && p.tok.kind != tEOF {
		// parseOr stops only at the end or at a ) that closes nothing.
		p.failAt(p.tok.off, ") closes no (")
	}
	if p.err != nil {
		return nil, p.err
	}
	return &Query{root: root, src: q}, nil
}

// String returns the query in canonical form: words normalised, operators
// written out, one space between terms, parentheses only where needed
// (and around an AND inside an OR, for the reader). Parsing the canonical
// form gives a query with the same canonical form and the same meaning.
func (q *Query) String() string {
	if q == nil || q.root == nil {
		return ""
	}
	var b strings.Builder
	q.root.write(&b)
	return b.String()
}

// Source returns the query as it was written.
func (q *Query) Source() string {
	if q == nil {
		return ""
	}
	return q.src
}

// The tokens of the query language.
type tokKind int

const (
	tEOF    tokKind = iota
	tLParen         // (
	tRParen         // )
	tAnd            // AND
	tOr             // OR
	tNot            // NOT
	tMinus          // - directly before a term
	tEq             // = directly before a word or phrase
	tScope          // title: or body:, directly before a term
	tMeta           // source:NAME or tag:NAME
	tWord           // a bare word
	tPhrase         // "a phrase"
)

type qtok struct {
	kind   tokKind
	off    int    // byte offset of the token in the query
	text   string // word or phrase text (without *), scope or meta name
	value  string // meta value
	prefix bool   // word or phrase ending in *
	star   int    // offset of the *, when prefix
}

func (t qtok) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the query"
	case tLParen:
		return "("
	case tRParen:
		return ")"
	case tAnd:
		return "AND"
	case tOr:
		return "OR"
	case tNot:
		return "NOT"
	case tMinus:
		return "-"
	case tEq:
		return "="
	case tScope, tMeta:
		return t.text + ":"
	case tPhrase:
		return "a phrase"
	}
	return fmt.Sprintf("%q", t.text)
}

// startsUnary reports whether a token of kind k can begin an operand.
func startsUnary(k tokKind) bool {
	switch k {
	case tLParen, tNot, tMinus, tEq, tScope, tMeta, tWord, tPhrase:
		return true
	}
	return false
}

type parser struct {
	src   string
	pos   int  // where the next token is lexed
	tok   qtok // current token
	depth int
	err   *SyntaxError
}

func (p *parser) failAt(off int, format string, args ...any) {
	if p.err == nil {
		p.err = &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
}

// fields are the field names the language knows.
var fields = [...]string{"title", "body", "source", "tag"}

// closingQuote returns the quote that ends a phrase opened by r, or 0 when
// r opens none.
func closingQuote(r rune) rune {
	switch r {
	case '"':
		return '"'
	case '“':
		return '”'
	case '«':
		return '»'
	}
	return 0
}

// endsWord reports whether r ends a bare word.
func endsWord(r rune) bool {
	return unicode.IsSpace(r) || r == '(' || r == ')' || closingQuote(r) != 0
}

// next lexes the token at p.pos into p.tok. After an error it yields tEOF.
func (p *parser) next() {
	if p.err != nil {
		p.tok = qtok{kind: tEOF, off: len(p.src)}
		return
	}
	src := p.src
	i := p.pos
	// Skip space and comments.
	for i < len(src) {
		r, size := utf8.DecodeRuneInString(src[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		if r == '#' && (i+1 == len(src) || isSpaceAt(src, i+1)) {
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		}
		break
	}
	p.tok = qtok{off: i}
	if i >= len(src) {
		p.tok.kind = tEOF
		p.pos = i
		return
	}
	r, size := utf8.DecodeRuneInString(src[i:])
	switch {
	case r == '(':
		p.tok.kind, p.pos = tLParen, i+1
		return
	case r == ')':
		p.tok.kind, p.pos = tRParen, i+1
		return
	case closingQuote(r) != 0:
		p.lexPhrase(i, r, size)
		return
	case r == '-' || r == '=':
		if i+1 >= len(src) || endsWordAt(src, i+1) && !quoteAt(src, i+1) && src[i+1] != '(' {
			p.failAt(i, "%c must be followed directly (no space) by a word, a phrase or a (group)", r)
			p.tok = qtok{kind: tEOF, off: i}
			return
		}
		p.tok.kind, p.pos = tMinus, i+1
		if r == '=' {
			p.tok.kind = tEq
		}
		return
	}
	p.lexWord(i)
}

func (p *parser) lexPhrase(i int, open rune, size int) {
	src := p.src
	closeq := closingQuote(open)
	j := strings.IndexRune(src[i+size:], closeq)
	if j < 0 {
		p.failAt(i, "phrase is not closed: %c missing", closeq)
		p.tok = qtok{kind: tEOF, off: i}
		return
	}
	body := src[i+size : i+size+j]
	p.pos = i + size + j + utf8.RuneLen(closeq)
	p.tok = qtok{kind: tPhrase, off: i, text: body}
	trimmed := strings.TrimRightFunc(body, unicode.IsSpace)
	if strings.HasSuffix(trimmed, "*") {
		star := len(trimmed) - 1
		if star > 0 {
			if r, _ := utf8.DecodeLastRuneInString(trimmed[:star]); isWordRune(r) {
				p.tok.prefix = true
				p.tok.star = i + size + star
				p.tok.text = trimmed[:star]
			}
		}
	}
	if k := strings.IndexByte(p.tok.text, '*'); k >= 0 {
		p.failAt(i+size+k, "* is allowed only at the end of the last word of a phrase")
	}
}

// lexWord lexes a bare word, a keyword, or a field starting at i.
func (p *parser) lexWord(i int) {
	src := p.src
	j := i
	for j < len(src) {
		r, size := utf8.DecodeRuneInString(src[j:])
		if endsWord(r) {
			break
		}
		j += size
	}
	w := src[i:j]
	p.pos = j
	switch w {
	case "AND":
		p.tok.kind = tAnd
		return
	case "OR":
		p.tok.kind = tOr
		return
	case "NOT":
		p.tok.kind = tNot
		return
	}
	if strings.EqualFold(w, "and") || strings.EqualFold(w, "or") || strings.EqualFold(w, "not") {
		p.failAt(i, "%q: operators are written in capitals (%s); to look for the word, quote it: \"%s\"",
			w, strings.ToUpper(w), strings.ToLower(w))
		return
	}
	if c := strings.IndexByte(w, ':'); c > 0 && isASCIILetters(w[:c]) {
		if c < len(w)-1 || knownField(w[:c]) != "" {
			p.lexField(i, w[:c])
			return
		}
		// "Iran:" with nothing after the colon is a word.
	}
	p.tok.kind = tWord
	p.tok.text = w
	if k := strings.IndexByte(w, '*'); k >= 0 {
		if k != len(w)-1 {
			p.failAt(i+k, "* is allowed only at the end of a word")
			return
		}
		p.tok.prefix = true
		p.tok.star = i + k
		p.tok.text = w[:k]
	}
}

// lexField lexes "name:" at i, and for source: and tag: the name after it.
func (p *parser) lexField(i int, name string) {
	src := p.src
	known := knownField(name)
	if known == "" {
		p.failAt(i, "unknown field %q: the fields are title:, body:, source: and tag: (quote the text to look for it)", name+":")
		return
	}
	after := i + len(name) + 1
	p.pos = after
	p.tok.text = known
	if after >= len(src) || endsWordAt(src, after) && !quoteAt(src, after) && src[after] != '(' {
		p.failAt(i, "%s: must be followed directly (no space) by what to look for", known)
		return
	}
	if known == "title" || known == "body" {
		p.tok.kind = tScope
		return
	}
	p.tok.kind = tMeta
	if r, size := utf8.DecodeRuneInString(src[after:]); closingQuote(r) != 0 {
		closeq := closingQuote(r)
		j := strings.IndexRune(src[after+size:], closeq)
		if j < 0 {
			p.failAt(after, "name is not closed: %c missing", closeq)
			return
		}
		p.tok.value = src[after+size : after+size+j]
		p.pos = after + size + j + utf8.RuneLen(closeq)
	} else if r == '(' {
		p.failAt(i, "%s: takes a name, not a (group): write (%s:a OR %s:b)", known, known, known)
		return
	} else {
		j := after
		for j < len(src) {
			r, size := utf8.DecodeRuneInString(src[j:])
			if endsWord(r) {
				break
			}
			j += size
		}
		p.tok.value = src[after:j]
		p.pos = j
	}
	if strings.TrimSpace(p.tok.value) == "" {
		p.failAt(i, "%s: needs a name", known)
	}
}

// knownField returns the field called name (ignoring case), or "".
func knownField(name string) string {
	for _, f := range fields {
		if strings.EqualFold(name, f) {
			return f
		}
	}
	return ""
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

func endsWordAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return endsWord(r)
}

func quoteAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return closingQuote(r) != 0
}

// expectOperand checks that the current token can start the operand of
// op, and reports a syntax error if not.
func (p *parser) expectOperand(op qtok) bool {
	if p.err != nil {
		return false
	}
	if startsUnary(p.tok.kind) {
		return true
	}
	switch {
	case p.tok.kind == tEOF:
		p.failAt(op.off, "%s at the end needs a term after it", op.describe())
	case op.kind == tLParen && p.tok.kind == tRParen:
		p.failAt(p.tok.off, "empty parentheses")
	default:
		p.failAt(p.tok.off, "expected a term after %s, found %s", op.describe(), p.tok.describe())
	}
	return false
}

// parseOr parses: and { OR and }.
func (p *parser) parseOr() node {
	if !startsUnary(p.tok.kind) {
		switch p.tok.kind {
		case tAnd, tOr:
			p.failAt(p.tok.off, "%s needs a term before it", p.tok.describe())
		case tRParen:
			p.failAt(p.tok.off, ") closes no (")
		default:
			p.failAt(p.tok.off, "expected a term, found %s", p.tok.describe())
		}
		return nil
	}
	first := p.parseAnd()
	if p.err != nil || p.tok.kind != tOr {
		return first
	}
	kids := appendFlat(nil, first, true)
	for p.err == nil && p.tok.kind == tOr {
		op := p.tok
		p.next()
		if !p.expectOperand(op) {
			return nil
		}
		kids = appendFlat(kids, p.parseAnd(), true)
	}
	return &boolNode{or: true, kids: kids}
}

// parseAnd parses: unary { [AND] unary }.
func (p *parser) parseAnd() node {
	first := p.parseUnary()
	if p.err != nil || (p.tok.kind != tAnd && !startsUnary(p.tok.kind)) {
		return first
	}
	kids := appendFlat(nil, first, false)
	for p.err == nil {
		if p.tok.kind == tAnd {
			op := p.tok
			p.next()
			if !p.expectOperand(op) {
				return nil
			}
		} else if !startsUnary(p.tok.kind) {
			break
		}
		kids = appendFlat(kids, p.parseUnary(), false)
	}
	return &boolNode{kids: kids}
}

// appendFlat appends n to kids, splicing in the kids of a node of the same
// operator.
func appendFlat(kids []node, n node, or bool) []node {
	if b, ok := n.(*boolNode); ok && b.or == or {
		return append(kids, b.kids...)
	}
	return append(kids, n)
}

func (p *parser) enter(off int) bool {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(off, "query is nested too deeply (more than %d levels)", maxDepth)
		return false
	}
	return true
}

// parseUnary parses: (NOT | -) unary | primary.
func (p *parser) parseUnary() node {
	if p.err != nil {
		return nil
	}
	if p.tok.kind != tNot && p.tok.kind != tMinus {
		return p.parsePrimary()
	}
	op := p.tok
	if !p.enter(op.off) {
		return nil
	}
	defer func() { p.depth-- }()
	p.next()
	if !p.expectOperand(op) {
		return nil
	}
	kid := p.parseUnary()
	if p.err != nil {
		return nil
	}
	return &notNode{kid: kid}
}

// parsePrimary parses a group, a scoped operand, a meta term, or a
// (case-sensitive) word or phrase.
func (p *parser) parsePrimary() node {
	tok := p.tok
	switch tok.kind {
	case tLParen:
		if !p.enter(tok.off) {
			return nil
		}
		defer func() { p.depth-- }()
		p.next()
		if !p.expectOperand(tok) {
			return nil
		}
		n := p.parseOr()
		if p.err != nil {
			return nil
		}
		if p.tok.kind != tRParen {
			p.failAt(tok.off, "( is not closed")
			return nil
		}
		p.next()
		return n
	case tScope:
		if !p.enter(tok.off) {
			return nil
		}
		defer func() { p.depth-- }()
		p.next()
		if !startsUnary(p.tok.kind) {
			p.failAt(tok.off, "%s: must be followed directly by a word, a phrase or a (group)", tok.text)
			return nil
		}
		n := p.parseUnary()
		if p.err != nil {
			return nil
		}
		sc := scopeTitle
		if tok.text == "body" {
			sc = scopeBody
		}
		setScope(n, sc)
		return n
	case tMeta:
		p.next()
		return &metaNode{tag: tok.text == "tag", value: tok.value}
	case tEq:
		p.next()
		if p.tok.kind != tWord && p.tok.kind != tPhrase || p.tok.off != tok.off+1 {
			p.failAt(tok.off, "= must be followed directly by a word or a phrase")
			return nil
		}
		w := p.tok
		p.next()
		return p.term(w, true)
	case tWord, tPhrase:
		p.next()
		return p.term(tok, false)
	}
	p.failAt(tok.off, "expected a term, found %s", tok.describe())
	return nil
}

// term builds the leaf for a word or phrase token.
func (p *parser) term(tok qtok, cased bool) node {
	words, caseds := queryWords(tok.text)
	if len(words) == 0 {
		what := "word"
		if tok.kind == tPhrase {
			what = "phrase"
		}
		p.failAt(tok.off, "%s %q has no letters or digits", what, tok.text)
		return nil
	}
	if len(words) > MaxPhraseWords {
		p.failAt(tok.off, "phrase is too long (more than %d words)", MaxPhraseWords)
		return nil
	}
	if tok.prefix && utf8.RuneCountInString(words[len(words)-1]) < 2 {
		p.failAt(tok.star, "* needs at least 2 letters before it")
		return nil
	}
	t := &termNode{words: words, prefix: tok.prefix, hash: wordHash(words[0])}
	if cased {
		t.cased = caseds
	}
	return t
}

// queryWords normalises the words of a query term or phrase as item text
// is normalised (Alt forms left out).
func queryWords(s string) (words, cased []string) {
	s = norm.NFKC.String(s)
	var tz tokenizer
	tz.run(s)
	buf := string(tz.buf)
	for _, t := range tz.toks {
		if !t.alt {
			words = append(words, t.term.in(s, buf))
			cased = append(cased, t.cased.in(s, buf))
		}
	}
	return words, cased
}

// setScope scopes every leaf under n that has no scope yet.
func setScope(n node, sc scope) {
	switch n := n.(type) {
	case *boolNode:
		for _, k := range n.kids {
			setScope(k, sc)
		}
	case *notNode:
		setScope(n.kid, sc)
	case *termNode:
		if n.scope == scopeAny {
			n.scope = sc
		}
	}
}

// scope is where a term is looked for.
type scope uint8

const (
	scopeAny   scope = iota // title or body
	scopeTitle              // title only
	scopeBody               // summary and content only
)

// node is a node of a parsed query.
type node interface {
	match(d *Doc) bool
	write(b *strings.Builder)
	explain(d *Doc) ExplainNode
}

// boolNode is an AND or an OR of two or more operands.
type boolNode struct {
	or   bool
	kids []node
}

// notNode negates its operand.
type notNode struct{ kid node }

// termNode is a word, a phrase, or a prefix, maybe case-sensitive, maybe
// scoped.
type termNode struct {
	words  []string // folded words, in order; more than one is a phrase
	cased  []string // for a case-sensitive term, the cased words; else nil
	prefix bool     // the last word is a prefix
	scope  scope
	hash   uint32 // wordHash of words[0]
}

// metaNode is source:NAME or tag:NAME.
type metaNode struct {
	tag   bool
	value string
}

func (n *boolNode) write(b *strings.Builder) {
	op := " AND "
	if n.or {
		op = " OR "
	}
	for i, k := range n.kids {
		if i > 0 {
			b.WriteString(op)
		}
		if _, ok := k.(*boolNode); ok {
			b.WriteByte('(')
			k.write(b)
			b.WriteByte(')')
		} else {
			k.write(b)
		}
	}
}

func (n *notNode) write(b *strings.Builder) {
	b.WriteString("NOT ")
	if _, ok := n.kid.(*boolNode); ok {
		b.WriteByte('(')
		n.kid.write(b)
		b.WriteByte(')')
		return
	}
	n.kid.write(b)
}

func (n *termNode) write(b *strings.Builder) {
	switch n.scope {
	case scopeTitle:
		b.WriteString("title:")
	case scopeBody:
		b.WriteString("body:")
	}
	words := n.words
	if n.cased != nil {
		b.WriteByte('=')
		words = n.cased
	}
	quote := len(words) > 1 || isKeywordLike(words[0])
	if quote {
		b.WriteByte('"')
	}
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	if n.prefix {
		b.WriteByte('*')
	}
	if quote {
		b.WriteByte('"')
	}
}

func isKeywordLike(w string) bool {
	return strings.EqualFold(w, "and") || strings.EqualFold(w, "or") || strings.EqualFold(w, "not")
}

func (n *metaNode) write(b *strings.Builder) {
	if n.tag {
		b.WriteString("tag:")
	} else {
		b.WriteString("source:")
	}
	b.WriteString(quoteName(n.value))
}

// quoteName returns v as written after source: or tag:, quoted when a bare
// word would not read back as v.
func quoteName(v string) string {
	bare := v != ""
	for _, r := range v {
		if endsWord(r) {
			bare = false
			break
		}
	}
	if bare {
		return v
	}
	for _, q := range [...][2]string{{`"`, `"`}, {"“", "”"}, {"«", "»"}} {
		if !strings.Contains(v, q[1]) {
			return q[0] + v + q[1]
		}
	}
	return `"` + v + `"` // unreachable: a name read from a query lacks one closing quote
}
