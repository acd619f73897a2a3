package config

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// This file turns TOML text into a tree of nodes that remember where each
// key and value was written. go-toml's decoder checks the document first
// (syntax, and TOML's rules about redefining keys and tables); the tree is
// then built from go-toml's unstable AST, whose nodes carry byte ranges.

// kind classifies a node of the document tree.
type kind int

const (
	kTable kind = iota
	kArray
	kString
	kInteger
	kFloat
	kBool
	kDateTime
)

// node is a table, an array or a scalar value of the document.
type node struct {
	kind   kind
	pos    Position // the value's start; for a table its header or '{'
	keyPos Position // the key that names the node in its parent

	str    stringLayout // kString: how it was written
	sval   string       // kString: the decoded value
	ival   int64        // kInteger
	ierr   bool         // kInteger: out of range
	bval   bool         // kBool
	dtName string       // kDateTime: "a date", "a time" or "a date-time"

	keys   []string // kTable: keys in order of definition
	fields map[string]*node
	header bool // kTable: defined by a [header]; kArray: by [[header]]

	elems []*node // kArray
}

func newTable(pos Position) *node {
	return &node{kind: kTable, pos: pos, keyPos: pos, fields: map[string]*node{}}
}

func (t *node) set(key string, n *node) {
	if _, ok := t.fields[key]; !ok {
		t.keys = append(t.keys, key)
	}
	t.fields[key] = n
}

// describe names the node's type for messages ("a string").
func (n *node) describe() string {
	switch n.kind {
	case kTable:
		return "a table"
	case kArray:
		if n.header {
			return "an array of tables"
		}
		return "an array"
	case kString:
		return "a string"
	case kInteger:
		return "an integer"
	case kFloat:
		return "a float"
	case kBool:
		return "a boolean"
	default:
		return n.dtName
	}
}

// text maps byte offsets of the document to positions.
type text struct {
	data  []byte
	lines []int // byte offset of each line's start

	// The last offset mapped and its position: offsets mostly come in
	// increasing order, so counting on from there keeps long lines linear.
	lastOff int
	lastPos Position
}

func newText(data []byte) *text {
	t := &text{data: data, lines: []int{0}}
	for i, c := range data {
		if c == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	return t
}

// pos returns the position of byte offset off.
func (t *text) pos(off int) Position {
	off = min(max(off, 0), len(t.data))
	line, found := slices.BinarySearch(t.lines, off)
	if !found {
		line--
	}
	from, col := t.lines[line], 1
	if t.lastPos.Line == line+1 && t.lastOff <= off {
		from, col = t.lastOff, t.lastPos.Col
	}
	p := Position{Line: line + 1, Col: col + utf8.RuneCount(t.data[from:off])}
	t.lastOff, t.lastPos = off, p
	return p
}

// lineColPos converts a 1-based line and byte column to a position.
func (t *text) lineColPos(line, col int) Position {
	if line < 1 {
		return Position{Line: 1, Col: 1}
	}
	if line > len(t.lines) {
		return t.pos(len(t.data))
	}
	start := t.lines[line-1]
	end := len(t.data)
	if line < len(t.lines) {
		end = t.lines[line]
	}
	return t.pos(min(start+max(col-1, 0), end))
}

// docError is a problem with the TOML document itself.
type docError struct {
	pos Position
	msg string
}

// parseDocument checks data as TOML and builds its tree. On a TOML error it
// returns the error and no tree.
func parseDocument(t *text) (*node, *docError) {
	var m map[string]any
	if err := toml.Unmarshal(t.data, &m); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, &docError{pos: t.lineColPos(line, col), msg: "invalid TOML: " + trimTOMLPrefix(de.Error())}
		}
		return nil, &docError{pos: Position{Line: 1, Col: 1}, msg: "invalid TOML: " + trimTOMLPrefix(err.Error())}
	}
	b := &builder{t: t}
	b.root = newTable(Position{Line: 1, Col: 1})
	b.cur = b.root
	b.p.Reset(t.data)
	for b.p.NextExpression() {
		b.expression(b.p.Expression())
	}
	if err := b.p.Error(); err != nil {
		// go-toml's decoder accepted the document, so this should not
		// happen; report it rather than trust a partial tree.
		pos := Position{Line: 1, Col: 1}
		var pe *unstable.ParserError
		if errors.As(err, &pe) {
			pos = t.pos(cap(t.data) - cap(pe.Highlight))
		}
		return nil, &docError{pos: pos, msg: "invalid TOML: " + err.Error()}
	}
	return b.root, nil
}

func trimTOMLPrefix(s string) string {
	if len(s) > 6 && s[:6] == "toml: " {
		return s[6:]
	}
	return s
}

// builder builds the tree from the AST, one top-level expression at a time.
type builder struct {
	t    *text
	p    unstable.Parser
	root *node
	cur  *node // the table that key/values go into
}

// keyPart is one part of a possibly dotted key.
type keyPart struct {
	name string
	pos  Position
	end  int // byte offset just past the part
}

func (b *builder) keyParts(it unstable.Iterator) []keyPart {
	var parts []keyPart
	for it.Next() {
		k := it.Node()
		parts = append(parts, keyPart{
			name: string(k.Data),
			pos:  b.t.pos(int(k.Raw.Offset)),
			end:  int(k.Raw.Offset + k.Raw.Length),
		})
	}
	return parts
}

// headerPos finds the '[' (or "[[") that opens the header whose first key
// starts at byte offset off.
func (b *builder) headerPos(off int) Position {
	i := off
	for i > 0 && (b.t.data[i-1] == ' ' || b.t.data[i-1] == '\t') {
		i--
	}
	for n := 0; n < 2 && i > 0 && b.t.data[i-1] == '['; n++ {
		i--
	}
	return b.t.pos(i)
}

func (b *builder) expression(e *unstable.Node) {
	switch e.Kind {
	case unstable.Table:
		parts := b.keyParts(e.Key())
		if len(parts) == 0 {
			return
		}
		hdr := b.headerPos(int(e.Child().Raw.Offset))
		t := b.descend(b.root, parts[:len(parts)-1])
		last := parts[len(parts)-1]
		child := t.fields[last.name]
		switch {
		case child == nil:
			child = newTable(hdr)
			child.keyPos = last.pos
			t.set(last.name, child)
		case child.kind == kTable:
			// Defined before as the parent of another header.
			child.pos = hdr
		default:
			child = newTable(hdr) // not reachable in a valid document
		}
		child.header = true
		b.cur = child
	case unstable.ArrayTable:
		parts := b.keyParts(e.Key())
		if len(parts) == 0 {
			return
		}
		hdr := b.headerPos(int(e.Child().Raw.Offset))
		t := b.descend(b.root, parts[:len(parts)-1])
		last := parts[len(parts)-1]
		arr := t.fields[last.name]
		if arr == nil {
			arr = &node{kind: kArray, pos: hdr, keyPos: last.pos, header: true}
			t.set(last.name, arr)
		}
		elem := newTable(hdr)
		elem.keyPos = last.pos
		elem.header = true
		if arr.kind == kArray {
			arr.elems = append(arr.elems, elem)
		}
		b.cur = elem
	case unstable.KeyValue:
		b.keyValue(b.cur, e)
	}
}

// descend walks (and creates) the tables named by parts under t. An array
// of tables stands for its last element.
func (b *builder) descend(t *node, parts []keyPart) *node {
	for _, k := range parts {
		child := t.fields[k.name]
		if child == nil {
			child = newTable(k.pos)
			child.keyPos = k.pos
			t.set(k.name, child)
		}
		if child.kind == kArray && len(child.elems) > 0 {
			child = child.elems[len(child.elems)-1]
		}
		if child.kind != kTable {
			return newTable(k.pos) // not reachable in a valid document
		}
		t = child
	}
	return t
}

func (b *builder) keyValue(t *node, kv *unstable.Node) {
	parts := b.keyParts(kv.Key())
	if len(parts) == 0 {
		return
	}
	last := parts[len(parts)-1]
	// The value starts after "=" and blanks; arrays carry no range.
	i := last.end
	for i < len(b.t.data) && (b.t.data[i] == ' ' || b.t.data[i] == '\t' || b.t.data[i] == '=') {
		i++
	}
	t = b.descend(t, parts[:len(parts)-1])
	v := b.value(kv.Value(), b.t.pos(i))
	v.keyPos = last.pos
	t.set(last.name, v)
}

// value converts an AST value; start is where it begins when the AST does
// not say (arrays).
func (b *builder) value(n *unstable.Node, start Position) *node {
	pos := start
	switch n.Kind {
	case unstable.Array:
	default:
		pos = b.t.pos(int(n.Raw.Offset))
	}
	v := &node{pos: pos}
	switch n.Kind {
	case unstable.String:
		v.kind = kString
		v.sval = string(n.Data)
		v.str = stringLayout{pos: pos, raw: string(b.p.Raw(n.Raw))}
	case unstable.Integer:
		v.kind = kInteger
		i, err := strconv.ParseInt(string(n.Data), 0, 64)
		v.ival, v.ierr = i, err != nil
	case unstable.Float:
		v.kind = kFloat
	case unstable.Bool:
		v.kind = kBool
		v.bval = bytes.Equal(n.Data, []byte("true"))
	case unstable.LocalDate:
		v.kind, v.dtName = kDateTime, "a date"
	case unstable.LocalTime:
		v.kind, v.dtName = kDateTime, "a time"
	case unstable.LocalDateTime, unstable.DateTime:
		v.kind, v.dtName = kDateTime, "a date-time"
	case unstable.Array:
		v.kind = kArray
		for it := n.Children(); it.Next(); {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			// A nested array has no range of its own: use the outer one.
			v.elems = append(v.elems, b.value(c, pos))
		}
	case unstable.InlineTable:
		v.kind = kTable
		v.fields = map[string]*node{}
		for it := n.Children(); it.Next(); {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				b.keyValue(v, c)
			}
		}
	default:
		v.kind, v.dtName = kDateTime, "an unknown value"
	}
	return v
}
