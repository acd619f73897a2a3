package topics

import (
	"fmt"
	"strconv"
	"strings"
)

// Explanation tells why a query does or does not match a document: the
// query's tree, each node with its result and, for words and phrases,
// where they were found. Print it with String.
type Explanation struct {
	// Query is the query in canonical form.
	Query string
	// Match is the overall result, the same as Query.Match.
	Match bool
	// Root is the explained query tree.
	Root ExplainNode
}

// ExplainNode is one node of an explained query.
type ExplainNode struct {
	// Op is "AND", "OR" or "NOT" for an operator, "" for a term.
	Op string
	// Term is a term in canonical form (title:"us iran", =US, source:rudaw);
	// "" for an operator.
	Term string
	// Match is the node's result.
	Match bool
	// Hits are where a word or phrase term was found (up to three per
	// field, without repeats).
	Hits []Hit
	// Kids are the operands of an operator.
	Kids []ExplainNode
}

// Hit is one place where a term was found.
type Hit struct {
	// Field is "title" or "body" (the summary and content).
	Field string
	// Text is the matched text as written in the item ("Iran’s",
	// "U.S.-Iran", "لإيران").
	Text string
}

// maxHits is how many distinct hits per field Explain reports for a term;
// it looks at no more than maxTries occurrences to find them.
const (
	maxHits  = 3
	maxTries = 64
)

// Explain evaluates the query on d like Match, without stopping early, and
// says which terms matched where.
func (q *Query) Explain(d *Doc) Explanation {
	if q == nil || q.root == nil || d == nil {
		return Explanation{Query: q.String()}
	}
	root := q.root.explain(d)
	return Explanation{Query: q.String(), Match: root.Match, Root: root}
}

func (n *boolNode) explain(d *Doc) ExplainNode {
	e := ExplainNode{Op: "AND", Match: !n.or, Kids: make([]ExplainNode, len(n.kids))}
	if n.or {
		e.Op = "OR"
	}
	for i, k := range n.kids {
		e.Kids[i] = k.explain(d)
		if e.Kids[i].Match == n.or {
			e.Match = n.or
		}
	}
	return e
}

func (n *notNode) explain(d *Doc) ExplainNode {
	kid := n.kid.explain(d)
	return ExplainNode{Op: "NOT", Match: !kid.Match, Kids: []ExplainNode{kid}}
}

func (n *metaNode) explain(d *Doc) ExplainNode {
	var b strings.Builder
	n.write(&b)
	return ExplainNode{Term: b.String(), Match: n.match(d)}
}

func (n *termNode) explain(d *Doc) ExplainNode {
	var b strings.Builder
	n.write(&b)
	e := ExplainNode{Term: b.String()}
	if n.scope != scopeBody {
		e.Hits = n.hits(&d.title, "title", e.Hits)
	}
	if n.scope != scopeTitle {
		e.Hits = n.hits(&d.body, "body", e.Hits)
	}
	e.Match = len(e.Hits) > 0
	return e
}

// hits appends the distinct places where n occurs in f.
func (n *termNode) hits(f *field, name string, hs []Hit) []Hit {
	found := 0
	for i, tries := lowerBound(f.entries, n.words[0]), 0; found < maxHits && tries < maxTries; i, tries = i+1, tries+1 {
		j, end := n.nextHit(f, i)
		if j < 0 {
			break
		}
		text := f.text[f.entries[j].s0:end]
		dup := false
		for _, h := range hs {
			if h.Field == name && h.Text == text {
				dup = true
			}
		}
		if !dup {
			hs = append(hs, Hit{Field: name, Text: text})
			found++
		}
		i = j
	}
	return hs
}

// String renders the explanation as an indented tree, one node a line:
//
//	MATCH  iran AND NOT film
//	[x] AND
//	    [x] iran  title: "Iran’s"
//	    [x] NOT
//	        [ ] film
func (e Explanation) String() string {
	var b strings.Builder
	if e.Match {
		b.WriteString("MATCH  ")
	} else {
		b.WriteString("NO MATCH  ")
	}
	b.WriteString(e.Query)
	b.WriteByte('\n')
	if e.Root.Op != "" || e.Root.Term != "" {
		e.Root.write(&b, 0)
	}
	return b.String()
}

func (n ExplainNode) write(b *strings.Builder, depth int) {
	b.WriteString(strings.Repeat("    ", depth))
	if n.Match {
		b.WriteString("[x] ")
	} else {
		b.WriteString("[ ] ")
	}
	if n.Op != "" {
		b.WriteString(n.Op)
	} else {
		b.WriteString(n.Term)
	}
	for i, h := range n.Hits {
		if i == 0 || n.Hits[i-1].Field != h.Field {
			b.WriteString("  ")
			b.WriteString(h.Field)
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(h.Text))
	}
	b.WriteByte('\n')
	for _, k := range n.Kids {
		k.write(b, depth+1)
	}
}

// Summary renders the explanation for a person tuning a query: the tree of
// String without the query text, where the terms that were not found are
// folded into one line per operator and an operator none of whose terms
// were found is one line:
//
//	[x] AND
//	    [x] OR
//	        [x] iran*  title: "Iran-backed"
//	        [ ] 31 other terms not found: tehran, irgc, "revolutionary guard*", …
//	    [ ] NOT  (34 terms, none found)
func (e Explanation) Summary() string {
	var b strings.Builder
	if e.Root.Op != "" || e.Root.Term != "" {
		e.Root.writeSummary(&b, 0)
	}
	return b.String()
}

// anyHit reports whether a term under n was found.
func (n ExplainNode) anyHit() bool {
	if n.Op == "" {
		return n.Match && (len(n.Hits) > 0 || n.Term != "")
	}
	for _, k := range n.Kids {
		if k.anyHit() {
			return true
		}
	}
	return false
}

// terms counts the terms under n.
func (n ExplainNode) terms() int {
	if n.Op == "" {
		return 1
	}
	c := 0
	for _, k := range n.Kids {
		c += k.terms()
	}
	return c
}

func (n ExplainNode) writeSummary(b *strings.Builder, depth int) {
	indent := strings.Repeat("    ", depth)
	if n.Op != "" && !n.anyHit() {
		mark := "[ ]"
		if n.Match {
			mark = "[x]"
		}
		fmt.Fprintf(b, "%s%s %s  (%d terms, none found)\n", indent, mark, n.Op, n.terms())
		return
	}
	if n.Op == "" {
		n.write(b, depth)
		return
	}
	mark := "[ ]"
	if n.Match {
		mark = "[x]"
	}
	fmt.Fprintf(b, "%s%s %s\n", indent, mark, n.Op)
	var missed []string
	for _, k := range n.Kids {
		if k.Op == "" && !k.Match {
			missed = append(missed, k.Term)
			continue
		}
		k.writeSummary(b, depth+1)
	}
	if len(missed) > 0 {
		shown := missed[:min(len(missed), 4)]
		more := ""
		if len(missed) > len(shown) {
			more = ", …"
		}
		fmt.Fprintf(b, "%s    [ ] %d other terms not found: %s%s\n", indent, len(missed), strings.Join(shown, ", "), more)
	}
}
