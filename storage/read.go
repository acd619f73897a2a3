package storage

import (
	"fmt"
	"log/slog"

	bolt "go.etcd.io/bbolt"

	"github.com/aggregatord/aggregatord/news"
)

// indexBucket returns idx's bucket in tx, or nil when the index has no
// entries. With grouped set, IndexAll and IndexTopic are read from their
// story-leader counterparts.
func indexBucket(tx *bolt.Tx, idx Index, grouped bool) *bolt.Bucket {
	switch idx.Kind {
	case IndexAll:
		if grouped {
			return tx.Bucket(bIdxLead)
		}
		return tx.Bucket(bIdxAll)
	case IndexSource:
		return tx.Bucket(bIdxSrc).Bucket([]byte(idx.Name))
	case IndexTopic:
		if grouped {
			return tx.Bucket(bIdxLeadTopic).Bucket([]byte(idx.Name))
		}
		return tx.Bucket(bIdxTopic).Bucket([]byte(idx.Name))
	}
	return nil
}

// Scan calls fn for the items of idx, newest first, starting with the
// first item strictly older than the cursor after ("" starts at the newest
// item). at is the item's own cursor, valid as a later after. Items in a
// source index are presented as that source's copy; elsewhere as their
// shown copy (see the package documentation). When stories are enabled
// (see Stories), IndexAll and IndexTopic yield each story once, as its
// leader, and every item carries its story. Scan stops when fn returns
// false or the items run out, and returns nil then. A malformed after
// yields an error wrapping ErrBadCursor; an index that has no items (an
// unknown source or topic included) is not an error.
//
// Scan reads in one read transaction, so fn sees a consistent state; fn
// must not call methods of s that write. Items are copied out of the
// database: fn may keep them.
func (s *Store) Scan(idx Index, after Cursor, fn func(it news.Item, at Cursor) bool) error {
	if err := idx.validate(); err != nil {
		return fmt.Errorf("scan %s: %w", idx, err)
	}
	start, err := after.key()
	if err != nil {
		return fmt.Errorf("scan %s: %w", idx, err)
	}
	grouped := s.stories.Load().Enabled
	err = s.db.View(func(tx *bolt.Tx) error {
		b := indexBucket(tx, idx, grouped)
		if b == nil {
			return nil
		}
		items := tx.Bucket(bItems)
		c := b.Cursor()
		var k []byte
		if start == nil {
			k, _ = c.Last()
		} else {
			// Seek lands on the first key >= start, or past the end when
			// every key is older; the key before that position is the
			// first one strictly older than start.
			if k, _ = c.Seek(start); k == nil {
				k, _ = c.Last()
			} else {
				k, _ = c.Prev()
			}
		}
		for ; k != nil; k, _ = c.Prev() {
			if len(k) != ikeyLen {
				s.log.Warn("storage: malformed index key skipped", slog.String("index", idx.String()))
				continue
			}
			id := ikeyID(k)
			v := items.Get(idKey(id))
			if v == nil {
				s.log.Warn("storage: index entry for a missing item skipped", slog.String("index", idx.String()), slog.Uint64("id", id))
				continue
			}
			r, err := decodeRecord(v)
			if err != nil {
				s.log.Warn("storage: unreadable item skipped", slog.Uint64("id", id), slog.Any("error", err))
				continue
			}
			i := 0
			if idx.Kind == IndexSource {
				if i = r.firstOf(idx.Name); i < 0 {
					s.log.Warn("storage: source index entry for an item without that source skipped", slog.String("index", idx.String()), slog.Uint64("id", id))
					continue
				}
			}
			if !fn(present(tx, id, r, i, grouped), cursorOf(k)) {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan %s: %w", idx, err)
	}
	return nil
}

// Latest returns up to limit items of idx, newest first, starting strictly
// after the cursor after, and the cursor to pass for the next page: "" when
// there are no more items. limit <= 0 returns nothing. Errors are as for
// Scan.
func (s *Store) Latest(idx Index, after Cursor, limit int) ([]news.Item, Cursor, error) {
	if limit <= 0 {
		return nil, "", nil
	}
	out := make([]news.Item, 0, min(limit, 64))
	var next, last Cursor
	err := s.Scan(idx, after, func(it news.Item, at Cursor) bool {
		if len(out) == limit {
			next = last
			return false
		}
		out = append(out, it)
		last = at
		return true
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// Item returns the item with id as its shown copy presents it (with its
// story when stories are enabled), and whether it exists.
func (s *Store) Item(id uint64) (news.Item, bool, error) {
	var it news.Item
	var ok bool
	grouped := s.stories.Load().Enabled
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bItems).Get(idKey(id))
		if v == nil {
			return nil
		}
		r, err := decodeRecord(v)
		if err != nil {
			return err
		}
		it, ok = present(tx, id, r, 0, grouped), true
		return nil
	})
	if err != nil {
		return news.Item{}, false, fmt.Errorf("read item %d: %w", id, err)
	}
	return it, ok, nil
}

// ItemByKey returns the item that source carried under key, as that copy
// presents it (with its story when stories are enabled), and whether there
// is one.
func (s *Store) ItemByKey(source, key string) (news.Item, bool, error) {
	var it news.Item
	var ok bool
	grouped := s.stories.Load().Enabled
	err := s.db.View(func(tx *bolt.Tx) error {
		id, found, err := getID(tx.Bucket(bKeys), keyOf(source, key))
		if err != nil || !found {
			return err
		}
		v := tx.Bucket(bItems).Get(idKey(id))
		if v == nil {
			return nil
		}
		r, err := decodeRecord(v)
		if err != nil {
			return fmt.Errorf("item %d: %w", id, err)
		}
		if i := r.find(source, key); i >= 0 {
			it, ok = present(tx, id, r, i, grouped), true
		}
		return nil
	})
	if err != nil {
		return news.Item{}, false, fmt.Errorf("read item %s/%q: %w", source, shorten(key), err)
	}
	return it, ok, nil
}

// Count returns the number of items in idx without walking it; 0 for an
// unknown source or topic. It counts items, not stories: the members of a
// story that Scan shows once are each counted.
func (s *Store) Count(idx Index) (int, error) {
	if err := idx.validate(); err != nil {
		return 0, fmt.Errorf("count %s: %w", idx, err)
	}
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := indexBucket(tx, idx, false); b != nil {
			n = b.Sequence()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", idx, err)
	}
	return int(n), nil
}

// CountSource returns the number of items source carried that are still
// stored: Count(SourceIndex(name)).
func (s *Store) CountSource(name string) (int, error) {
	return s.Count(SourceIndex(name))
}
