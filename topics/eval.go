package topics

import (
	"strings"
)

// Match reports whether the query matches the document. A nil query or
// Doc matches nothing. Match only looks things up in d: it allocates
// nothing and is safe for concurrent use.
func (q *Query) Match(d *Doc) bool {
	if q == nil || q.root == nil || d == nil {
		return false
	}
	return q.root.match(d)
}

func (n *boolNode) match(d *Doc) bool {
	for _, k := range n.kids {
		if k.match(d) == n.or {
			return n.or
		}
	}
	return !n.or
}

func (n *notNode) match(d *Doc) bool { return !n.kid.match(d) }

func (n *metaNode) match(d *Doc) bool {
	list := d.sources
	if n.tag {
		list = d.tags
	}
	for _, v := range list {
		if strings.EqualFold(v, n.value) {
			return true
		}
	}
	return false
}

func (n *termNode) match(d *Doc) bool {
	switch n.scope {
	case scopeTitle:
		return n.first(&d.title) >= 0
	case scopeBody:
		return n.first(&d.body) >= 0
	}
	return n.first(&d.title) >= 0 || n.first(&d.body) >= 0
}

// first returns the index in f.entries of the first word of the first
// occurrence of n in f, or -1.
func (n *termNode) first(f *field) int {
	if !f.mayHave(n.hash) {
		return -1
	}
	i, _ := n.nextHit(f, lowerBound(f.entries, n.words[0]))
	return i
}

// nextHit finds the first occurrence of n whose first word is at index i or
// later in f.entries, and returns the index of its first word and the end
// of its surface in f.text; -1 when there is none. The later words of a
// phrase are looked up by position, so the cost is linear in the
// occurrences of the first word times the length of the phrase.
func (n *termNode) nextHit(f *field, i int) (int, int32) {
	es := f.entries
	for ; i < len(es) && n.wordIs(0, es[i].term); i++ {
		e := &es[i]
		if !n.casedIs(0, e.cased) {
			continue
		}
		end, ok := e.s1, true
		for k := 1; k < len(n.words) && ok; k++ {
			end, ok = n.wordAt(f, k, e.pos+int32(k))
		}
		if ok {
			return i, end
		}
	}
	return -1, 0
}

// wordAt looks for word k of n at position pos, and returns the end of its
// surface.
func (n *termNode) wordAt(f *field, k int, pos int32) (int32, bool) {
	for _, j := range f.at(pos) {
		e := &f.entries[j]
		if n.wordIs(k, e.term) && n.casedIs(k, e.cased) {
			return e.s1, true
		}
	}
	return 0, false
}

// wordIs reports whether term matches word k of n.
func (n *termNode) wordIs(k int, term string) bool {
	if n.prefix && k == len(n.words)-1 {
		return strings.HasPrefix(term, n.words[k])
	}
	return term == n.words[k]
}

// casedIs reports whether the cased form of a word matches word k of a
// case-sensitive n; always true for a term that ignores case.
func (n *termNode) casedIs(k int, cased string) bool {
	if n.cased == nil {
		return true
	}
	if n.prefix && k == len(n.cased)-1 {
		return strings.HasPrefix(cased, n.cased[k])
	}
	return cased == n.cased[k]
}
