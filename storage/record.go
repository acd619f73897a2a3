package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/stories"
)

// recordV1 is the first byte of every value in the items bucket: the
// encoding of what follows (JSON of record).
const recordV1 = 0x01

// record is one stored item: item-wide fields and every copy in full.
type record struct {
	FirstSeen time.Time `json:"first_seen"`
	Updated   time.Time `json:"updated"`
	// Copies are ordered by Published, non-decreasing; Copies[0] is shown.
	Copies []copyRec `json:"copies"`

	// Story is the id of the item's story, 0 when it is in none. It is
	// set once, when the item (or the first item to join it) is stored,
	// and never changes.
	Story uint64 `json:"story,omitempty"`
	// Lead marks the story's leader: its member whose shown copy was
	// published first (lowest ID among equals). Only the leader carries
	// the two fields below.
	Lead bool `json:"lead,omitempty"`
	// StoryTopics is the sorted union of the topics of every member.
	StoryTopics []string `json:"story_topics,omitempty"`
	// StoryUpdated is when the story last gained or lost a member or
	// changed leader.
	StoryUpdated time.Time `json:"story_updated,omitzero"`
	// SketchIndexed, in a stored record, says that the shown copy's
	// sketch was left out of it because it is the item's value in the
	// sketches bucket (where every groupable shown copy's sketch is):
	// txn.load puts it back. It is never set on a record in use.
	SketchIndexed bool `json:"skx,omitempty"`
}

// copyRec is one source's copy of an item.
type copyRec struct {
	Source     string    `json:"s"`
	Key        string    `json:"k"`
	GUID       string    `json:"g,omitempty"`
	Link       string    `json:"l,omitempty"`
	Title      string    `json:"t,omitempty"`
	Summary    string    `json:"sum,omitempty"`
	Content    string    `json:"c,omitempty"`
	Authors    []string  `json:"a,omitempty"`
	Categories []string  `json:"cat,omitempty"`
	Language   string    `json:"lang,omitempty"`
	Published  time.Time `json:"p"`
	Hash       string    `json:"h,omitempty"`
	Tags       []string  `json:"tags,omitempty"`
	Topics     []string  `json:"topics,omitempty"`
	// FullText and FullTextTries are news.Item's: whether Content is the
	// extracted article text, and how often extraction was tried.
	FullText      bool `json:"ft,omitempty"`
	FullTextTries int  `json:"ftt,omitempty"`
	// Sketch is the encoded stories.Fingerprint of the copy (see
	// stories.Sketch.AppendBinary); absent for copies stored before schema
	// 2 and for copies without words.
	Sketch []byte `json:"sk,omitempty"`
}

// encodeRecord encodes r for the items bucket. The shown copy's sketch is
// left out when it is groupable: the sketches bucket holds it (see
// record.SketchIndexed).
func encodeRecord(r *record) ([]byte, error) {
	if _, ok := r.sketch(); ok {
		short := *r
		short.Copies = slices.Clone(r.Copies)
		short.Copies[0].Sketch = nil
		short.SketchIndexed = true
		r = &short
	}
	var buf bytes.Buffer
	buf.Grow(2048)
	buf.WriteByte(recordV1)
	enc := json.NewEncoder(&buf)
	// Summaries and contents are HTML: json.Marshal would write every <, >
	// and & as a six-byte \u escape. Both forms decode alike.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("encode item: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decodeRecord decodes a value of the items bucket. The result shares no
// memory with v.
func decodeRecord(v []byte) (*record, error) {
	if len(v) == 0 || v[0] != recordV1 {
		return nil, fmt.Errorf("decode item: unknown record encoding: %w", ErrCorrupt)
	}
	r := new(record)
	if err := json.Unmarshal(v[1:], r); err != nil {
		return nil, fmt.Errorf("decode item: %w: %w", ErrCorrupt, err)
	}
	if len(r.Copies) == 0 {
		return nil, fmt.Errorf("decode item: no copies: %w", ErrCorrupt)
	}
	return r, nil
}

// copyFromItem builds the copy an incoming item contributes, with its
// sketch. The item has been normalised by SaveFetch.
func copyFromItem(it *news.Item) copyRec {
	c := copyRec{
		Source: it.Source, Key: it.Key, GUID: it.GUID, Link: it.Link,
		Title: it.Title, Summary: it.Summary, Content: it.Content,
		Authors: slices.Clone(it.Authors), Categories: slices.Clone(it.Categories),
		Language: it.Language, Published: it.Published, Hash: it.Hash,
		Tags: slices.Clone(it.Tags), Topics: slices.Clone(it.Topics),
		FullText: it.FullText, FullTextTries: it.FullTextTries,
	}
	if sk := stories.Fingerprint(it); len(sk) > 0 {
		c.Sketch, _ = sk.AppendBinary(nil)
	}
	return c
}

// sketch returns the sketch of the shown copy when it is groupable.
func (r *record) sketch() (stories.Sketch, bool) {
	if r == nil || len(r.Copies) == 0 || r.Copies[0].Sketch == nil {
		return nil, false
	}
	sk, err := stories.ParseSketch(r.Copies[0].Sketch)
	if err != nil || !sk.Groupable() {
		return nil, false
	}
	return sk, true
}

// leads reports whether the item is shown for its story: it is the
// story's leader or in no story.
func (r *record) leads() bool { return r.Story == 0 || r.Lead }

// view returns the item as copy i presents it.
func (r *record) view(id uint64, i int) news.Item {
	c := &r.Copies[i]
	it := news.Item{
		ID: id, Source: c.Source, Key: c.Key, GUID: c.GUID, Link: c.Link,
		Title: c.Title, Summary: c.Summary, Content: c.Content,
		Authors: slices.Clone(c.Authors), Categories: slices.Clone(c.Categories),
		Language: c.Language, Published: c.Published, Updated: r.Updated,
		FirstSeen: r.FirstSeen, Hash: c.Hash,
		FullText: c.FullText, FullTextTries: c.FullTextTries,
		Tags: r.tags(), Topics: r.topics(),
		Copies: make([]news.Copy, len(r.Copies)),
	}
	for j := range r.Copies {
		cj := &r.Copies[j]
		it.Copies[j] = news.Copy{Source: cj.Source, Key: cj.Key, Link: cj.Link, Title: cj.Title, Published: cj.Published}
	}
	return it
}

// firstOf returns the index of source's earliest copy, or -1.
func (r *record) firstOf(source string) int {
	for i := range r.Copies {
		if r.Copies[i].Source == source {
			return i
		}
	}
	return -1
}

// find returns the index of copy (source, key), or -1.
func (r *record) find(source, key string) int {
	for i := range r.Copies {
		if r.Copies[i].Source == source && r.Copies[i].Key == key {
			return i
		}
	}
	return -1
}

// hasLink reports whether a copy has link.
func (r *record) hasLink(link string) bool {
	for i := range r.Copies {
		if r.Copies[i].Link == link {
			return true
		}
	}
	return false
}

func (r *record) tags() []string {
	var out []string
	for i := range r.Copies {
		out = union(out, r.Copies[i].Tags)
	}
	return out
}

// topics returns the sorted union of the copies' topics.
func (r *record) topics() []string {
	var out []string
	for i := range r.Copies {
		out = union(out, r.Copies[i].Topics)
	}
	slices.Sort(out)
	return out
}

// cleanTopics returns topic ids deduplicated, without "", sorted.
func cleanTopics(in []string) []string {
	out := cleanList(in)
	slices.Sort(out)
	return out
}

// insert adds c after every copy published at or before it and returns its
// index.
func (r *record) insert(c copyRec) int {
	i := len(r.Copies)
	for i > 0 && r.Copies[i-1].Published.After(c.Published) {
		i--
	}
	r.Copies = slices.Insert(r.Copies, i, c)
	return i
}

// remove deletes copy i.
func (r *record) remove(i int) { r.Copies = slices.Delete(r.Copies, i, i+1) }

// union appends to a the strings of b that a lacks, keeping order.
func union(a, b []string) []string {
	for _, s := range b {
		if !slices.Contains(a, s) {
			a = append(a, s)
		}
	}
	return a
}

// cleanList drops empty and repeated strings, keeping first occurrences.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.ToValidUTF8(s, "\uFFFD")
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// ientry is one index entry: which bucket, which key, and the value for
// indexes that have one (sketches).
type ientry struct {
	kind IndexKind
	name string
	key  string // ikey bytes, or as keyLen says
	val  string
}

// entries returns the index entries record r with ID id must have.
func (r *record) entries(id uint64) []ientry {
	if r == nil || len(r.Copies) == 0 {
		return nil
	}
	shownKey := string(ikey(r.Copies[0].Published, id))
	out := []ientry{{kind: IndexAll, key: shownKey}}
	for i := range r.Copies {
		s := r.Copies[i].Source
		if r.firstOf(s) == i {
			out = append(out, ientry{kind: IndexSource, name: s, key: string(ikey(r.Copies[i].Published, id))})
		}
	}
	for _, t := range r.topics() {
		out = append(out, ientry{kind: IndexTopic, name: t, key: shownKey})
	}
	if r.leads() {
		out = append(out, ientry{kind: kindLead, key: shownKey})
		lt := r.StoryTopics
		if r.Story == 0 {
			lt = r.topics()
		}
		for _, t := range lt {
			out = append(out, ientry{kind: kindLeadTopic, name: t, key: shownKey})
		}
	}
	if r.Story != 0 {
		out = append(out, ientry{kind: kindStory, key: string(idKey(r.Story)) + shownKey})
	}
	if sk, ok := r.sketch(); ok {
		out = append(out, ientry{kind: kindSketch, key: string(idKey(id)), val: string(r.Copies[0].Sketch)})
		for _, k := range sk.Keys() {
			out = append(out, ientry{kind: kindNear, key: string(nearKey(k, nil)) + shownKey})
		}
	}
	return out
}
