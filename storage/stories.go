package storage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/stories"
)

// DefaultStoryWindow is the Stories.Window used when it is zero: the
// default of [dedupe] window.
const DefaultStoryWindow = 72 * time.Hour

// Stories configures near-duplicate story grouping (see the package
// documentation). The zero value turns it off.
type Stories struct {
	// Enabled makes SaveFetch put each new item into the story of its
	// closest near duplicate from another source, and makes Scan, Latest,
	// Item and ItemByKey present stories: IndexAll and IndexTopic list a
	// story once, as its leader, and every member carries StoryID and the
	// other members' copies in Story. Off, nothing is grouped and nothing
	// is presented as a story; the stories already stored are kept, and
	// are presented again when it is turned back on.
	Enabled bool
	// Window is how far apart the Published dates of two items of one
	// story may be, either way. Zero or negative means DefaultStoryWindow.
	Window time.Duration
	// Threshold is the stories.Similarity from which an item joins the
	// story of another. Zero or negative means stories.DefaultThreshold;
	// above 1 nothing is grouped.
	Threshold float64
}

// effective returns o with its defaults filled in.
func (o Stories) effective() *Stories {
	if o.Window <= 0 {
		o.Window = DefaultStoryWindow
	}
	if o.Threshold <= 0 {
		o.Threshold = stories.DefaultThreshold
	}
	return &o
}

// SetStories replaces the story grouping settings for the transactions
// and reads that start from now on; for a config reload. It is safe to
// call at any time. Turning grouping on or off changes what Scan returns,
// so it advances Generation.
func (s *Store) SetStories(o Stories) {
	eff := o.effective()
	old := s.stories.Swap(eff)
	s.near.setWindow(eff.Window)
	if old == nil || old.Enabled != o.Enabled {
		s.gen.Add(1)
	}
}

// Stories returns the story grouping settings in force, defaults filled in.
func (s *Store) Stories() Stories { return *s.stories.Load() }

// nearKey returns the near-index key prefix of sketch key k followed by
// rest.
func nearKey(k uint32, rest []byte) []byte {
	b := make([]byte, 4, 4+len(rest))
	binary.BigEndian.PutUint32(b, k)
	return append(b, rest...)
}

// Candidate search bounds. A sketch key that is a common phrase ("the
// white house", "said on sunday") is shared by a fixed fraction of all
// items, so reading every item of the window under it would make each new
// item cost in proportion to the window's population. group therefore
// reads, under each key, only the nearSide entries nearest in time on each
// side of the new item (copies of one story are published close together,
// and joining any member joins the story), weighs each entry by how
// specific its key is (1/entries read under that key: a key shared by two
// items says more than one shared by thirty), and compares only the
// maxExamined candidates of highest total weight.
const (
	nearSide    = 8
	maxExamined = 16
)

// candidate is an item found through the near index.
type candidate struct {
	id     uint64
	weight float64
	dist   uint32 // smallest |Published − e's Published| seen, in minutes
}

// candidates returns the items that share keys of sk within [lo, hi],
// best first (see nearSide), at most maxExamined of them, e excluded.
func (t *txn) candidates(e *entry, sk stories.Sketch, at, lo, hi uint32) []candidate {
	if t.candIdx == nil {
		t.candIdx = make(map[uint64]int)
	}
	idx := t.candIdx
	clear(idx)
	out := t.candBuf[:0]
	found := t.nearBuf[:0]
	defer func() { t.candBuf, t.nearBuf = out[:0], found[:0] }()
	for _, key := range sk.Keys() {
		found = t.near.nearest(found[:0], key, at, lo, hi, nearSide)
		if len(found) == 0 {
			continue
		}
		t.examined += len(found)
		w := 1 / float64(len(found))
		for _, ne := range found {
			if ne.id == e.id {
				continue
			}
			d := max(ne.at, at) - min(ne.at, at)
			j, ok := idx[ne.id]
			if !ok {
				idx[ne.id] = len(out)
				out = append(out, candidate{id: ne.id, weight: w, dist: d})
				continue
			}
			out[j].weight += w
			out[j].dist = min(out[j].dist, d)
		}
	}
	if len(out) <= maxExamined {
		return out // all are compared; the order does not matter
	}
	slices.SortFunc(out, func(a, b candidate) int {
		if a.weight != b.weight {
			return cmp.Compare(b.weight, a.weight)
		}
		if c := cmp.Compare(a.dist, b.dist); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return out[:maxExamined]
}

// maxOlder bounds the items olderCandidates reads on each side of the new
// item's time.
const maxOlder = 5000

// olderCandidates appends to cands the items published within the story
// window of pub but before the near index's horizon (minute h), found
// through idx_all: up to maxOlder nearest in time on each side of pub
// (the near index does not hold them, so every one is compared). Only a
// new item published more than Window + NearKeep before the newest one
// pays for this.
func (t *txn) olderCandidates(e *entry, cands []candidate, pub time.Time, h uint32) []candidate {
	seen := make(map[uint64]bool, len(cands))
	for _, c := range cands {
		seen[c.id] = true
	}
	lo := timeBits(pub.Add(-t.stories.Window))
	hi := min(timeBits(pub.Add(t.stories.Window)), timeBits(time.Unix(int64(h)*60, 0)))
	from := min(timeBits(pub), hi)
	c := t.idxAll.Cursor()
	var seek [8]byte
	binary.BigEndian.PutUint64(seek[:], from)
	add := func(k []byte) {
		if id := ikeyID(k); id != e.id && !seen[id] {
			seen[id] = true
			cands = append(cands, candidate{id: id})
		}
	}
	// Forward from pub, up to the horizon.
	n := 0
	k, _ := c.Seek(seek[:])
	for ; k != nil && n < maxOlder; k, _ = c.Next() {
		if len(k) != ikeyLen || binary.BigEndian.Uint64(k[:8]) >= hi {
			break
		}
		add(k)
		n++
	}
	// Backward from pub (past the end of idx_all: from its last entry).
	if k, _ = c.Seek(seek[:]); k != nil {
		k, _ = c.Prev()
	} else {
		k, _ = c.Last()
	}
	for n = 0; k != nil && n < maxOlder; k, _ = c.Prev() {
		if len(k) != ikeyLen || binary.BigEndian.Uint64(k[:8]) < lo {
			break
		}
		add(k)
		n++
	}
	return cands
}

// group puts the new item e into the story of its closest near duplicate
// from another source published within the window, if there is one:
// highest similarity, then earliest Published, then lowest ID. A candidate
// is never from e's source, nor in a story that has an item from it.
// Candidates are found through the near index (committed sketches sharing
// a key with e's, bounded as candidates describes) and checked against
// their current record.
func (t *txn) group(e *entry) error {
	sk, ok := e.rec.sketch()
	if !ok {
		return nil
	}
	shown := &e.rec.Copies[0]
	at := nearMinutes(timeBits(shown.Published))
	lo := nearMinutes(timeBits(shown.Published.Add(-t.stories.Window)))
	hi := nearMinutes(timeBits(shown.Published.Add(t.stories.Window))) + 1

	cands := t.candidates(e, sk, at, lo, hi)
	if h := t.near.horizonMinute(); lo < h {
		// The window reaches back before the near index's horizon (a
		// late item, a backlog): look there through idx_all.
		cands = t.olderCandidates(e, cands, shown.Published, h)
	}
	var best *entry
	var bestSim float64
	for _, cand := range cands {
		id := cand.id
		// A cheap first look at the committed sketch, before the
		// record is decoded.
		osk, err := stories.ParseSketchInto(t.sketchBuf, t.sketches.Get(idKey(id)))
		if err == nil {
			t.sketchBuf = osk
		}
		if err != nil || stories.Similarity(sk, osk) < t.stories.Threshold {
			continue
		}
		ce, err := t.load(id)
		if err != nil {
			return err
		}
		if ce == nil || ce.rec == nil {
			continue
		}
		csk, ok := ce.rec.sketch()
		if !ok {
			continue
		}
		sim := stories.Similarity(sk, csk)
		if sim < t.stories.Threshold || !within(ce.rec.Copies[0].Published, shown.Published, t.stories.Window) {
			continue
		}
		if best != nil && !better(sim, ce, bestSim, best) {
			continue
		}
		ok, err = t.eligible(ce, shown.Source)
		if err != nil {
			return err
		}
		if ok {
			best, bestSim = ce, sim
		}
	}
	if best == nil {
		return nil
	}
	sid := best.rec.Story
	if sid == 0 {
		sid = best.id
		best.rec.Story = sid
		best.dirty = true
	}
	e.rec.Story = sid
	t.joined[sid] = true
	return nil
}

// better reports whether candidate a (similarity sa) ranks before b.
func better(sa float64, a *entry, sb float64, b *entry) bool {
	if sa != sb {
		return sa > sb
	}
	if c := cmpMember(a, b); c != 0 {
		return c < 0
	}
	return false
}

// within reports whether a and b are at most w apart.
func within(a, b time.Time, w time.Duration) bool {
	d := a.Sub(b)
	return d <= w && d >= -w
}

// eligible reports whether an item from source may join the story of
// candidate ce: neither ce nor any member of its story has a copy from
// source.
func (t *txn) eligible(ce *entry, source string) (bool, error) {
	if ce.rec.firstOf(source) >= 0 {
		return false, nil
	}
	if ce.rec.Story == 0 {
		return true, nil
	}
	members, err := t.storyMembers(ce.rec.Story)
	if err != nil {
		return false, err
	}
	for _, m := range members {
		if m.rec.firstOf(source) >= 0 {
			return false, nil
		}
	}
	return true, nil
}

// cmpMember orders story members: earlier shown copy first, then lower ID.
func cmpMember(a, b *entry) int {
	if c := cmp.Compare(timeBits(a.rec.Copies[0].Published), timeBits(b.rec.Copies[0].Published)); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// storyMembers returns the live members of story sid as this transaction
// sees them (committed members and those changed in it), leader first.
func (t *txn) storyMembers(sid uint64) ([]*entry, error) {
	var ids []uint64
	prefix := idKey(sid)
	c := t.storyIdx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == kindStory.keyLen() {
			ids = append(ids, ikeyID(k[8:]))
		}
	}
	for _, id := range t.order {
		if e := t.ents[id]; e.rec != nil && e.rec.Story == sid {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]*entry, 0, len(ids))
	for _, id := range ids {
		e, err := t.load(id)
		if err != nil {
			return nil, err
		}
		if e != nil && e.rec != nil && e.rec.Story == sid {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, cmpMember)
	return out, nil
}

// fixStories re-establishes the story invariants for every story that an
// item changed in this transaction belongs or belonged to: one leader (the
// earliest member), carrying the union of the members' topics and the time
// the story last changed members or leader.
func (t *txn) fixStories() error {
	var sids []uint64
	left := make(map[uint64]bool)
	for _, id := range t.order {
		e := t.ents[id]
		if !e.dirty {
			continue
		}
		if e.story != 0 {
			sids = append(sids, e.story)
			if e.rec == nil {
				left[e.story] = true
			}
		}
		if e.rec != nil && e.rec.Story != 0 {
			sids = append(sids, e.rec.Story)
		}
	}
	slices.Sort(sids)
	for _, sid := range slices.Compact(sids) {
		if err := t.fixStory(sid, t.joined[sid] || left[sid]); err != nil {
			return fmt.Errorf("story %d: %w", sid, err)
		}
	}
	return nil
}

// fixStory settles story sid; changed says that it gained or lost a
// member in this transaction.
func (t *txn) fixStory(sid uint64, changed bool) error {
	members, err := t.storyMembers(sid)
	if err != nil || len(members) == 0 {
		return err
	}
	var updated time.Time
	var topics []string
	for _, m := range members {
		updated = later(updated, m.rec.StoryUpdated)
		topics = union(topics, m.rec.topics())
	}
	slices.Sort(topics)
	if !members[0].rec.Lead {
		changed = true // a new leader
	}
	if changed {
		updated = later(updated, t.now)
	}
	for i, m := range members {
		r := m.rec
		if i == 0 {
			if !r.Lead || !slices.Equal(r.StoryTopics, topics) || !r.StoryUpdated.Equal(updated) {
				r.Lead, r.StoryTopics, r.StoryUpdated = true, slices.Clone(topics), updated
				m.dirty = true
			}
			continue
		}
		if r.Lead || r.StoryTopics != nil || !r.StoryUpdated.IsZero() {
			r.Lead, r.StoryTopics, r.StoryUpdated = false, nil, time.Time{}
			m.dirty = true
		}
	}
	return nil
}

// storyView is a story's members as a read transaction sees them, leader
// first.
type storyView struct {
	ids  []uint64
	recs []*record
}

// readStory reads the members of story sid in tx. Unreadable members are
// skipped.
func readStory(tx *bolt.Tx, sid uint64) storyView {
	var v storyView
	items := tx.Bucket(bItems)
	prefix := idKey(sid)
	c := tx.Bucket(bStories).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != kindStory.keyLen() {
			continue
		}
		id := ikeyID(k[8:])
		r, err := decodeRecord(items.Get(idKey(id)))
		if err != nil {
			continue
		}
		v.ids = append(v.ids, id)
		v.recs = append(v.recs, r)
	}
	return v
}

// present returns item id (record r) as copy i presents it, with its story
// when grouping is on: StoryID and the other members' copies when it has
// company, and Updated moved to when the story last changed.
func present(tx *bolt.Tx, id uint64, r *record, i int, grouped bool) news.Item {
	it := r.view(id, i)
	if !grouped || r.Story == 0 {
		return it
	}
	v := readStory(tx, r.Story)
	for j, m := range v.recs {
		if m.Lead {
			it.Updated = later(it.Updated, m.StoryUpdated)
		}
		if v.ids[j] == id {
			continue
		}
		for k := range m.Copies {
			c := &m.Copies[k]
			it.Story = append(it.Story, news.Copy{Source: c.Source, Key: c.Key, Link: c.Link, Title: c.Title, Published: c.Published})
		}
	}
	if len(it.Story) > 0 {
		it.StoryID = r.Story
	}
	return it
}
