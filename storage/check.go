package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/stories"
)

// maxProblems caps how many problems Check reports.
const maxProblems = 50

// Check verifies the whole file in one read transaction: bbolt's own page
// checks, then every invariant listed in the package documentation (every
// index entry points at an existing item whose fields produce that entry,
// every item is in each index it belongs to, keys and links mappings agree
// with the items, index counters are right, every story has one leader,
// its earliest member, carrying the members' topics). It returns nil, or an error
// wrapping ErrCorrupt that lists up to 50 problems. It reads every page:
// use it in tests and repair tools, not on a request path.
func (s *Store) Check() error {
	var problems []error
	add := func(format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	// No write commits while Check runs, so that the in-memory near index
	// and the file are seen in the same state.
	s.writes.running.Lock()
	defer s.writes.running.Unlock()
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			add("bbolt: %w", err)
		}
		checkMeta(tx, add)
		want := checkItems(tx, add)
		flat, named := checkedIndexes()
		for _, ix := range flat {
			checkIndex(tx.Bucket(ix.bucket), ientry{kind: ix.kind}, want, add)
		}
		for _, ix := range named {
			kind, parent := ix.kind, tx.Bucket(ix.bucket)
			_ = parent.ForEach(func(k, v []byte) error {
				b := parent.Bucket(k)
				if b == nil {
					add("%s index: %q is not a bucket", kind, k)
					return nil
				}
				checkIndex(b, ientry{kind: kind, name: string(k)}, want, add)
				return nil
			})
		}
		checkNear(s.near, want, add)
		for ie := range want {
			add("item %d: missing %s index entry", entryID(ie), Index{Kind: ie.kind, Name: ie.name})
		}
		checkMappings(tx, add)
		_ = tx.Bucket(bSources).ForEach(func(k, v []byte) error {
			var st news.SourceState
			if err := json.Unmarshal(v, &st); err != nil {
				add("source state %q: %w", k, err)
			}
			return nil
		})
		return nil
	})
	if err != nil {
		return fmt.Errorf("check %s: %w", s.path, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("check %s: %w: %w", s.path, ErrCorrupt, errors.Join(problems...))
	}
	return nil
}

// checkNear compares the in-memory near index with the near entries the
// items need (removing those from want): it must hold exactly those at or
// after its horizon.
func checkNear(n *nearIndex, want map[ientry]bool, add func(string, ...any)) {
	have, horizon := n.snapshot()
	for ie := range want {
		if ie.kind != kindNear {
			continue
		}
		e := nearFromIentry(ie)
		switch {
		case e.at < horizon:
		case have[e]:
			delete(have, e)
		default:
			add("item %d: near index lacks key %08x", e.id, e.key)
		}
		delete(want, ie)
	}
	for e := range have {
		add("near index: item %d has no key %08x at minute %d", e.id, e.key, e.at)
	}
}

// indexBucketName names one index bucket Check walks.
type indexBucketName struct {
	kind   IndexKind
	bucket []byte
}

// checkedIndexes returns the index buckets Check walks: flat ones hold
// entries, named ones a bucket of entries per source or topic.
func checkedIndexes() (flat, named []indexBucketName) {
	return []indexBucketName{{IndexAll, bIdxAll}, {kindLead, bIdxLead}, {kindStory, bStories}, {kindSketch, bSketches}},
		[]indexBucketName{{IndexSource, bIdxSrc}, {IndexTopic, bIdxTopic}, {kindLeadTopic, bIdxLeadTopic}}
}

func checkMeta(tx *bolt.Tx, add func(string, ...any)) {
	for _, name := range topBuckets() {
		if tx.Bucket(name) == nil {
			add("bucket %s missing", name)
		}
	}
	if v := tx.Bucket(bMeta).Get(kSchema); len(v) != 4 {
		add("meta: schema version missing or malformed")
	}
}

// checkItems checks each record on its own and against the keys and links
// buckets, and returns the index entries the items need.
func checkItems(tx *bolt.Tx, add func(string, ...any)) map[ientry]bool {
	items, keys, links := tx.Bucket(bItems), tx.Bucket(bKeys), tx.Bucket(bLinks)
	want := make(map[ientry]bool)
	storiesSeen := make(map[uint64]*storyCheck)
	seq := items.Sequence()
	_ = items.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			add("items: key %x is not an 8-byte id", k)
			return nil
		}
		id := binary.BigEndian.Uint64(k)
		r, err := decodeRecord(v)
		if err != nil {
			add("item %d: %w", id, err)
			return nil
		}
		if id == 0 || id > seq {
			add("item %d: id outside 1..%d (the bucket sequence)", id, seq)
		}
		for i := range r.Copies {
			c := &r.Copies[i]
			if i > 0 && c.Published.Before(r.Copies[i-1].Published) {
				add("item %d: copy %d published before copy %d", id, i, i-1)
			}
			if checkName("source", c.Source) != nil || c.Key == "" {
				add("item %d: copy %d has source %q, key %q", id, i, c.Source, c.Key)
				continue
			}
			switch got, ok, err := getID(keys, keyOf(c.Source, c.Key)); {
			case err != nil:
				add("item %d: key %s/%q: %w", id, c.Source, c.Key, err)
			case !ok:
				add("item %d: key %s/%q not mapped", id, c.Source, c.Key)
			case got != id:
				add("item %d: key %s/%q maps to item %d", id, c.Source, c.Key, got)
			}
			if c.Link != "" {
				switch got, ok, err := getID(links, linkOf(c.Link)); {
				case err != nil:
					add("item %d: link %q: %w", id, c.Link, err)
				case !ok:
					add("item %d: link %q not mapped", id, c.Link)
				case got != id:
					add("item %d: link %q maps to item %d", id, c.Link, got)
				}
			}
		}
		if r.Story != 0 {
			st := storiesSeen[r.Story]
			if st == nil {
				st = &storyCheck{}
				storiesSeen[r.Story] = st
			}
			st.members = append(st.members, &entry{id: id, rec: r})
		} else if r.Lead || r.StoryTopics != nil || !r.StoryUpdated.IsZero() {
			add("item %d: in no story but has a leader's fields", id)
		}
		if r.SketchIndexed && r.Copies[0].Sketch != nil {
			add("item %d: shown copy's sketch both stored and left out", id)
		}
		if r.SketchIndexed {
			// Left out as the sketches bucket's value: the entries
			// below want what it must be.
			if sk := stories.Fingerprint(&news.Item{Title: r.Copies[0].Title, Summary: r.Copies[0].Summary, Content: r.Copies[0].Content}); sk.Groupable() {
				r.Copies[0].Sketch, _ = sk.AppendBinary(nil)
			} else {
				add("item %d: shown copy's sketch left out, but it has no groupable sketch", id)
			}
			r.SketchIndexed = false
		}
		for i := range r.Copies {
			if sk := r.Copies[i].Sketch; sk != nil {
				if _, err := stories.ParseSketch(sk); err != nil {
					add("item %d: copy %d: %w", id, i, err)
				}
			}
		}
		for _, ie := range r.entries(id) {
			want[ie] = true
		}
		return nil
	})
	for sid, st := range storiesSeen {
		checkStory(sid, st.members, add)
	}
	return want
}

// storyCheck gathers the members of one story for checkStory.
type storyCheck struct{ members []*entry }

// checkStory checks that a story has exactly one leader, its earliest
// member, carrying the union of the members' topics.
func checkStory(sid uint64, members []*entry, add func(string, ...any)) {
	slices.SortFunc(members, cmpMember)
	var topics []string
	for _, m := range members {
		topics = union(topics, m.rec.topics())
	}
	slices.Sort(topics)
	for i, m := range members {
		r := m.rec
		switch {
		case i == 0 && !r.Lead:
			add("story %d: its earliest member, item %d, is not its leader", sid, m.id)
		case i == 0 && !slices.Equal(r.StoryTopics, topics):
			add("story %d: leader %d has story topics %v, members have %v", sid, m.id, r.StoryTopics, topics)
		case i == 0 && r.StoryUpdated.IsZero() && len(members) > 1:
			add("story %d: leader %d has no story update time", sid, m.id)
		case i > 0 && (r.Lead || r.StoryTopics != nil || !r.StoryUpdated.IsZero()):
			add("story %d: item %d is marked as leader but item %d is earlier", sid, m.id, members[0].id)
		}
	}
}

// entryID returns the item ID an index entry names.
func entryID(ie ientry) uint64 {
	k := []byte(ie.key)
	if len(k) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k[len(k)-8:])
}

// checkIndex checks every entry of b (entries like proto) against want,
// crossing off the ones it finds, and checks b's counter.
func checkIndex(b *bolt.Bucket, proto ientry, want map[ientry]bool, add func(string, ...any)) {
	idx := Index{Kind: proto.kind, Name: proto.name}
	n := 0
	_ = b.ForEach(func(k, v []byte) error {
		n++
		if v == nil && b.Bucket(k) != nil {
			add("%s index: nested bucket %q", idx, k)
			return nil
		}
		ie := proto
		ie.key = string(k)
		if proto.kind == kindSketch {
			ie.val = string(v)
		}
		if len(k) != proto.kind.keyLen() {
			add("%s index: key %x is not %d bytes", idx, k, proto.kind.keyLen())
			return nil
		}
		if !want[ie] {
			add("%s index: entry %x for item %d matches no stored item's fields", idx, k, entryID(ie))
			return nil
		}
		delete(want, ie)
		return nil
	})
	if uint64(n) != b.Sequence() {
		add("%s index: %d entries, counter says %d", idx, n, b.Sequence())
	}
	if n == 0 && proto.kind.named() {
		add("%s index: empty bucket not deleted", idx)
	}
}

// checkMappings checks that every keys and links entry points at an item
// with a matching copy.
func checkMappings(tx *bolt.Tx, add func(string, ...any)) {
	items := tx.Bucket(bItems)
	load := func(v []byte) (uint64, *record) {
		if len(v) != 8 {
			return 0, nil
		}
		id := binary.BigEndian.Uint64(v)
		r, err := decodeRecord(items.Get(idKey(id)))
		if err != nil {
			return id, nil
		}
		return id, r
	}
	_ = tx.Bucket(bKeys).ForEach(func(k, v []byte) error {
		id, r := load(v)
		sep := bytes.IndexByte(k, 0)
		if r == nil || sep < 0 {
			add("keys: %q maps to missing item %d", k, id)
			return nil
		}
		src, part := string(k[:sep]), string(k[sep+1:])
		for i := range r.Copies {
			if r.Copies[i].Source == src && mapPart(r.Copies[i].Key) == part {
				return nil
			}
		}
		add("keys: %q maps to item %d, which has no such copy", k, id)
		return nil
	})
	_ = tx.Bucket(bLinks).ForEach(func(k, v []byte) error {
		id, r := load(v)
		if r == nil {
			add("links: %q maps to missing item %d", k, id)
			return nil
		}
		for i := range r.Copies {
			if r.Copies[i].Link != "" && mapPart(r.Copies[i].Link) == string(k) {
				return nil
			}
		}
		add("links: %q maps to item %d, which has no copy with that link", k, id)
		return nil
	})
}
