package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aggregatord/aggregatord/stories"
)

// txn is one write transaction over items. Records are loaded into a cache,
// changed there, and written by flush together with the index entries that
// changed; keys and links mappings are written at once, so later lookups in
// the same transaction see them.
type txn struct {
	tx  *bolt.Tx
	now time.Time
	// stories is the story grouping in force for this transaction.
	stories Stories

	items, keys, links, idxAll, idxSrc, idxTopic *bolt.Bucket
	idxLead, idxLeadTopic, storyIdx, sketches    *bolt.Bucket
	// near is the store's in-memory near index (see near.go).
	near *nearIndex

	ents  map[uint64]*entry
	order []uint64
	// emptied names per-name index buckets that lost their last entry.
	emptied map[ientry]bool
	// joined holds the stories an item joined in this transaction.
	joined map[uint64]bool
	// examined counts the near-index entries group read (for benchmarks).
	examined int
	// Scratch space of group, reused from item to item.
	candIdx   map[uint64]int
	candBuf   []candidate
	nearBuf   []nearEntry
	sketchBuf stories.Sketch
	// changed is set by flush when an item was written or deleted.
	changed bool
}

// entry is a cached record.
type entry struct {
	id  uint64
	rec *record // nil once every copy was removed
	// old is the index entries as stored when loaded; nil for a new item.
	old []ientry
	// story is the record's story when loaded (0 for a new item), so that
	// a deleted member's story is still known at flush.
	story uint64
	dirty bool
	// fresh marks an item created in this transaction and not yet
	// flushed: its index entries all contain its new ID, so none exists.
	fresh bool
}

func newTxn(tx *bolt.Tx, now time.Time, stories Stories, near *nearIndex) *txn {
	t := &txn{
		tx: tx, now: now, stories: stories, near: near,
		items: tx.Bucket(bItems), keys: tx.Bucket(bKeys), links: tx.Bucket(bLinks),
		idxAll: tx.Bucket(bIdxAll), idxSrc: tx.Bucket(bIdxSrc), idxTopic: tx.Bucket(bIdxTopic),
		idxLead: tx.Bucket(bIdxLead), idxLeadTopic: tx.Bucket(bIdxLeadTopic),
		storyIdx: tx.Bucket(bStories), sketches: tx.Bucket(bSketches),
		ents: make(map[uint64]*entry), emptied: make(map[ientry]bool), joined: make(map[uint64]bool),
	}
	// items and sketches are keyed by item ID, which only grows: new keys
	// are appended. bbolt splits a page at FillPercent (default half), so
	// appends would leave every page half empty; fill them instead. (Not
	// persisted by bbolt: it is set for every write transaction.)
	t.items.FillPercent = appendFill
	t.sketches.FillPercent = appendFill
	return t
}

// appendFill is the FillPercent of buckets whose keys are appended.
const appendFill = 0.95

// load returns the cached entry for id, reading it if needed; nil if there
// is no such item.
func (t *txn) load(id uint64) (*entry, error) {
	if e, ok := t.ents[id]; ok {
		return e, nil
	}
	v := t.items.Get(idKey(id))
	if v == nil {
		return nil, nil
	}
	r, err := decodeRecord(v)
	if err != nil {
		return nil, fmt.Errorf("item %d: %w", id, err)
	}
	if r.SketchIndexed {
		r.Copies[0].Sketch = bytes.Clone(t.sketches.Get(idKey(id)))
		r.SketchIndexed = false
	}
	e := &entry{id: id, rec: r, old: r.entries(id), story: r.Story}
	t.ents[id] = e
	t.order = append(t.order, id)
	return e, nil
}

// create adds a new item with a fresh ID.
func (t *txn) create(r *record) (*entry, error) {
	id, err := t.items.NextSequence()
	if err != nil {
		return nil, fmt.Errorf("next item id: %w", err)
	}
	e := &entry{id: id, rec: r, dirty: true, fresh: true}
	t.ents[id] = e
	t.order = append(t.order, id)
	return e, nil
}

func getID(b *bolt.Bucket, k []byte) (uint64, bool, error) {
	v := b.Get(k)
	if v == nil {
		return 0, false, nil
	}
	if len(v) != 8 {
		return 0, false, fmt.Errorf("mapping %q: value of %d bytes: %w", shorten(string(k)), len(v), ErrCorrupt)
	}
	return binary.BigEndian.Uint64(v), true, nil
}

func (t *txn) lookupKey(source, key string) (uint64, bool, error) {
	return getID(t.keys, keyOf(source, key))
}

func (t *txn) lookupLink(link string) (uint64, bool, error) {
	if link == "" {
		return 0, false, nil
	}
	return getID(t.links, linkOf(link))
}

func (t *txn) mapKey(source, key string, id uint64) error {
	if err := t.keys.Put(keyOf(source, key), idKey(id)); err != nil {
		return fmt.Errorf("map key of %s: %w", source, err)
	}
	return nil
}

// mapLink maps link to id unless link is "" or already mapped.
func (t *txn) mapLink(link string, id uint64) error {
	if link == "" {
		return nil
	}
	k := linkOf(link)
	if t.links.Get(k) != nil {
		return nil
	}
	if err := t.links.Put(k, idKey(id)); err != nil {
		return fmt.Errorf("map link: %w", err)
	}
	return nil
}

// unmapLink removes link's mapping if it points at e and no copy of e
// still has the link.
func (t *txn) unmapLink(e *entry, link string) error {
	if link == "" || (e.rec != nil && e.rec.hasLink(link)) {
		return nil
	}
	k := linkOf(link)
	id, ok, err := getID(t.links, k)
	if err != nil || !ok || id != e.id {
		return err
	}
	if err := t.links.Delete(k); err != nil {
		return fmt.Errorf("unmap link: %w", err)
	}
	return nil
}

// removeCopy deletes copy i of e with its key and link mappings; removing
// the last copy deletes the item at flush.
func (t *txn) removeCopy(e *entry, i int) error {
	c := e.rec.Copies[i]
	e.rec.remove(i)
	e.dirty = true
	if err := t.keys.Delete(keyOf(c.Source, c.Key)); err != nil {
		return fmt.Errorf("unmap key of %s: %w", c.Source, err)
	}
	if len(e.rec.Copies) == 0 {
		e.rec = nil
	}
	return t.unmapLink(e, c.Link)
}

// flush settles the stories of changed items (see fixStories), then
// writes every dirty record and its index changes.
func (t *txn) flush() error {
	if err := t.fixStories(); err != nil {
		return err
	}
	for _, id := range t.order {
		e := t.ents[id]
		if !e.dirty {
			continue
		}
		t.changed = true
		k := idKey(id)
		if e.rec == nil {
			if err := t.items.Delete(k); err != nil {
				return fmt.Errorf("delete item %d: %w", id, err)
			}
		} else {
			v, err := encodeRecord(e.rec)
			if err != nil {
				return fmt.Errorf("item %d: %w", id, err)
			}
			if err := t.items.Put(k, v); err != nil {
				return fmt.Errorf("write item %d: %w", id, err)
			}
		}
		now := e.rec.entries(id)
		if len(e.old) == 0 {
			// A new item (or one without entries): nothing to compare.
			for _, ie := range now {
				if err := t.addEntry(ie, e.fresh); err != nil {
					return fmt.Errorf("item %d: %w", id, err)
				}
			}
			e.old, e.dirty, e.fresh = now, false, false
			continue
		}
		keep := make(map[ientry]bool, len(now))
		for _, ie := range now {
			keep[ie] = true
		}
		had := make(map[ientry]bool, len(e.old))
		for _, ie := range e.old {
			had[ie] = true
			if keep[ie] {
				continue
			}
			if err := t.delEntry(ie); err != nil {
				return fmt.Errorf("item %d: %w", id, err)
			}
		}
		for _, ie := range now {
			if had[ie] {
				continue
			}
			if err := t.addEntry(ie, e.fresh); err != nil {
				return fmt.Errorf("item %d: %w", id, err)
			}
		}
		e.old, e.dirty, e.fresh = now, false, false
	}
	for ie := range t.emptied {
		parent := t.parent(ie.kind)
		b := parent.Bucket([]byte(ie.name))
		if b != nil && b.Sequence() == 0 {
			if err := parent.DeleteBucket([]byte(ie.name)); err != nil {
				return fmt.Errorf("delete empty %s index %s: %w", ie.kind, ie.name, err)
			}
		}
	}
	return nil
}

// parent returns the bucket holding per-name index buckets of kind.
func (t *txn) parent(kind IndexKind) *bolt.Bucket {
	switch kind {
	case IndexSource:
		return t.idxSrc
	case kindLeadTopic:
		return t.idxLeadTopic
	}
	return t.idxTopic
}

// ibucket returns the bucket for index entries like ie, creating it if
// create is set; nil if absent.
func (t *txn) ibucket(ie ientry, create bool) (*bolt.Bucket, error) {
	switch ie.kind {
	case IndexAll:
		return t.idxAll, nil
	case kindLead:
		return t.idxLead, nil
	case kindStory:
		return t.storyIdx, nil
	case kindSketch:
		return t.sketches, nil
	}
	p := t.parent(ie.kind)
	if !create {
		return p.Bucket([]byte(ie.name)), nil
	}
	b, err := p.CreateBucketIfNotExists([]byte(ie.name))
	if err != nil {
		return nil, fmt.Errorf("create %s index %s: %w", ie.kind, ie.name, err)
	}
	return b, nil
}

func exists(b *bolt.Bucket, k []byte) bool {
	got, _ := b.Cursor().Seek(k)
	return got != nil && bytes.Equal(got, k)
}

// addEntry writes ie and counts it in its bucket's sequence, unless it is
// there already (which is not looked up for a fresh item's entries). Near
// entries go to the in-memory near index.
func (t *txn) addEntry(ie ientry, fresh bool) error {
	if ie.kind == kindNear {
		t.near.add(nearFromIentry(ie))
		return nil
	}
	b, err := t.ibucket(ie, true)
	if err != nil {
		return err
	}
	k := []byte(ie.key)
	if !fresh && exists(b, k) {
		return nil
	}
	if err := b.Put(k, []byte(ie.val)); err != nil {
		return fmt.Errorf("write %s index entry: %w", ie.kind, err)
	}
	if err := b.SetSequence(b.Sequence() + 1); err != nil {
		return fmt.Errorf("count %s index entry: %w", ie.kind, err)
	}
	return nil
}

// delEntry deletes ie and uncounts it. A per-name bucket left empty is
// deleted by flush.
func (t *txn) delEntry(ie ientry) error {
	if ie.kind == kindNear {
		t.near.del(nearFromIentry(ie))
		return nil
	}
	b, err := t.ibucket(ie, false)
	if err != nil || b == nil {
		return err
	}
	k := []byte(ie.key)
	if !exists(b, k) {
		return nil
	}
	if err := b.Delete(k); err != nil {
		return fmt.Errorf("delete %s index entry: %w", ie.kind, err)
	}
	n := b.Sequence()
	if n > 0 {
		n--
	}
	if err := b.SetSequence(n); err != nil {
		return fmt.Errorf("count %s index entry: %w", ie.kind, err)
	}
	if n == 0 && ie.kind.named() {
		t.emptied[ientry{kind: ie.kind, name: ie.name}] = true
	}
	return nil
}
