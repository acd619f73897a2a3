package topics

import (
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

// maxHits is how many distinct hits per field Explain reports for a term.
const maxHits = 3

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
	for i := lowerBound(f.entries, n.words[0]); found < maxHits; i++ {
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
