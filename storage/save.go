package storage

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

// SaveResult reports what SaveFetch did with the items of one fetch. Every
// incoming item is counted once, as New, Updated or Duplicate.
type SaveResult struct {
	// New counts items stored for the first time.
	New int
	// Updated counts items whose stored copy from this source changed.
	Updated int
	// Duplicate counts items already stored: unchanged, recorded as a copy
	// of another source's item with the same link, or repeated in the batch.
	Duplicate int
	// Changed holds the New and Updated items as stored at commit (each as
	// its shown copy, with its ID and, when stories are on, its story), in
	// the order they were first met. An updated copy that moved to another
	// item (see the package documentation) is reported as that item.
	Changed []news.Item
}

type outcome int

const (
	outDuplicate outcome = iota
	outNew
	outUpdated
)

// SaveFetch stores the outcome of one successful fetch of the source
// st.Name in one write transaction: it upserts items by the rules in the
// package documentation and writes st. Each item's Source must be st.Name
// or "" (then it is set), and its Key must not be empty; otherwise nothing
// is written and the error wraps ErrInvalid. SaveFetch does not modify
// items.
func (s *Store) SaveFetch(st news.SourceState, items []news.Item) (SaveResult, error) {
	if err := checkName("source", st.Name); err != nil {
		return SaveResult{}, fmt.Errorf("save fetch: %w", err)
	}
	now := s.now()
	in := make([]news.Item, len(items))
	for i := range items {
		it, err := normalise(items[i], st.Name, now)
		if err != nil {
			return SaveResult{}, fmt.Errorf("save fetch of %s: item %d: %w", st.Name, i, err)
		}
		in[i] = it
	}
	stateJSON, err := encodeState(st)
	if err != nil {
		return SaveResult{}, fmt.Errorf("save fetch of %s: %w", st.Name, err)
	}
	var res SaveResult
	err = s.update(func(t *txn) error {
		res = SaveResult{}
		seen := make(map[string]bool, len(in))
		var changed []uint64
		for i := range in {
			it := &in[i]
			if seen[it.Key] {
				res.Duplicate++
				continue
			}
			seen[it.Key] = true
			out, id, err := t.save(it)
			if err != nil {
				return fmt.Errorf("item %q: %w", shorten(it.Key), err)
			}
			switch out {
			case outNew:
				res.New++
			case outUpdated:
				res.Updated++
			default:
				res.Duplicate++
				continue
			}
			if !slices.Contains(changed, id) {
				changed = append(changed, id)
			}
		}
		// Settle stories and indexes first, so that Changed shows them.
		if err := t.flush(); err != nil {
			return err
		}
		for _, id := range changed {
			if e := t.ents[id]; e != nil && e.rec != nil {
				res.Changed = append(res.Changed, present(t.tx, id, e.rec, 0, t.stories.Enabled))
			}
		}
		return putState(t.tx, st.Name, stateJSON)
	})
	if err != nil {
		return SaveResult{}, fmt.Errorf("save fetch of %s: %w", st.Name, err)
	}
	s.states.set(st.Name, stateJSON)
	return res, nil
}

// normalise checks an incoming item and returns the copy SaveFetch works
// on: strings valid UTF-8, times clamped, FirstSeen and Published set.
func normalise(it news.Item, source string, now time.Time) (news.Item, error) {
	switch it.Source {
	case "":
		it.Source = source
	case source:
	default:
		return it, fmt.Errorf("item of source %q in a fetch of %q: %w", shorten(it.Source), source, ErrInvalid)
	}
	it.Key = strings.ToValidUTF8(it.Key, "\uFFFD")
	if it.Key == "" {
		return it, fmt.Errorf("item without a key: %w", ErrInvalid)
	}
	it.GUID = strings.ToValidUTF8(it.GUID, "\uFFFD")
	it.Link = strings.ToValidUTF8(it.Link, "\uFFFD")
	it.Tags = cleanList(it.Tags)
	it.Topics = cleanTopics(it.Topics)
	for _, t := range it.Topics {
		if err := checkName("topic", t); err != nil {
			return it, err
		}
	}
	it.FirstSeen = clampTime(it.FirstSeen)
	if it.FirstSeen.IsZero() {
		it.FirstSeen = now
	}
	it.Published = clampTime(it.Published)
	if it.Published.IsZero() {
		it.Published = it.FirstSeen
	}
	it.Updated = clampTime(it.Updated)
	return it, nil
}

// save applies the dedupe rules to one normalised item.
func (t *txn) save(it *news.Item) (outcome, uint64, error) {
	// (1) Known (source, key): duplicate or update of that copy.
	if id, ok, err := t.lookupKey(it.Source, it.Key); err != nil {
		return 0, 0, err
	} else if ok {
		e, err := t.load(id)
		if err != nil {
			return 0, 0, err
		}
		if e != nil && e.rec != nil {
			if i := e.rec.find(it.Source, it.Key); i >= 0 {
				return t.saveKnown(e, i, it)
			}
		}
		// A mapping to a missing item or copy: drop it, store afresh.
		if err := t.keys.Delete(keyOf(it.Source, it.Key)); err != nil {
			return 0, 0, fmt.Errorf("drop stale key: %w", err)
		}
	}
	// (2) Known link: a copy of an existing item.
	if id, ok, err := t.lookupLink(it.Link); err != nil {
		return 0, 0, err
	} else if ok {
		e, err := t.load(id)
		if err != nil {
			return 0, 0, err
		}
		if e != nil && e.rec != nil {
			if t.addCopy(e, it) == 0 {
				e.rec.Updated = later(e.rec.Updated, t.now)
			}
			return outDuplicate, id, t.mapKey(it.Source, it.Key, id)
		}
		if err := t.links.Delete(linkOf(it.Link)); err != nil {
			return 0, 0, fmt.Errorf("drop stale link: %w", err)
		}
	}
	// (3) New item.
	r := &record{FirstSeen: it.FirstSeen, Updated: it.Updated}
	if r.Updated.IsZero() {
		r.Updated = it.Published
	}
	r.Copies = []copyRec{copyFromItem(it)}
	e, err := t.create(r)
	if err != nil {
		return 0, 0, err
	}
	if err := t.mapKey(it.Source, it.Key, e.id); err != nil {
		return 0, 0, err
	}
	if t.stories.Enabled {
		if err := t.group(e); err != nil {
			return 0, 0, fmt.Errorf("find story: %w", err)
		}
	}
	return outNew, e.id, t.mapLink(it.Link, e.id)
}

// saveKnown handles an item whose (source, key) is copy i of e.
func (t *txn) saveKnown(e *entry, i int, it *news.Item) (outcome, uint64, error) {
	c := &e.rec.Copies[i]
	if c.Hash == it.Hash {
		if !slices.Equal(c.Tags, it.Tags) || !slices.Equal(c.Topics, it.Topics) {
			c.Tags, c.Topics = slices.Clone(it.Tags), slices.Clone(it.Topics)
			e.dirty = true
		}
		if it.FullTextTries != c.FullTextTries || it.FullText != c.FullText {
			// The feed's item is unchanged but an extraction of its
			// article was tried again: record the attempt and, if it
			// worked, the article text.
			c.FullTextTries = it.FullTextTries
			e.dirty = true
			if it.FullText && !c.FullText {
				c.FullText, c.Content = true, it.Content
				e.rec.Updated = later(it.Updated, t.now)
				return outUpdated, e.id, nil
			}
		}
		return outDuplicate, e.id, nil
	}
	if it.Link != "" && it.Link != c.Link {
		// The copy now carries a link another item holds: one canonical
		// link is one item, so the copy moves there.
		other, ok, err := t.lookupLink(it.Link)
		if err != nil {
			return 0, 0, err
		}
		if ok && other != e.id {
			oe, err := t.load(other)
			if err != nil {
				return 0, 0, err
			}
			if oe != nil && oe.rec != nil {
				if err := t.removeCopy(e, i); err != nil {
					return 0, 0, err
				}
				t.addCopy(oe, it)
				oe.rec.Updated = later(it.Updated, t.now)
				return outUpdated, other, t.mapKey(it.Source, it.Key, other)
			}
			if err := t.links.Delete(linkOf(it.Link)); err != nil {
				return 0, 0, fmt.Errorf("drop stale link: %w", err)
			}
		}
	}
	oldLink := c.Link
	e.rec.remove(i)
	t.addCopy(e, it)
	e.rec.Updated = later(it.Updated, t.now)
	if oldLink != it.Link {
		if err := t.unmapLink(e, oldLink); err != nil {
			return 0, 0, err
		}
		if err := t.mapLink(it.Link, e.id); err != nil {
			return 0, 0, err
		}
	}
	return outUpdated, e.id, nil
}

// addCopy inserts it as a copy of e and returns the copy's index.
func (t *txn) addCopy(e *entry, it *news.Item) int {
	e.dirty = true
	c := copyFromItem(it)
	if !e.rec.FirstSeen.IsZero() && c.Published.After(e.rec.FirstSeen) {
		// A copy carried later than the item was first seen (an undated
		// entry of a second outlet is "published" when fetched) is dated
		// when the item was first seen, keeping Published ≤ FirstSeen.
		c.Published = e.rec.FirstSeen
	}
	return e.rec.insert(c)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
