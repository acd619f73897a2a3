package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pruneBatch is how many items one Prune transaction handles.
const pruneBatch = 500

// Prune removes old copies and returns how many items were deleted
// outright. First every copy published before now-retention goes
// (retention 0 keeps everything); then, for each source whose index holds
// more than maxPerSource items (0: no cap), that source's copies of its
// oldest items go. Removing an item's shown copy promotes the next one;
// removing its last copy deletes the item with its keys, links and index
// entries. Prune works in transactions of at most 500 items, so fetches
// can commit in between; an error leaves the batches before it applied.
func (s *Store) Prune(retention time.Duration, maxPerSource int) (int, error) {
	deleted := 0
	if retention > 0 {
		n, err := s.pruneRetention(s.now().Add(-retention))
		deleted += n
		if err != nil {
			return deleted, fmt.Errorf("prune by retention %s: %w", retention, err)
		}
	}
	if maxPerSource > 0 {
		var names []string
		err := s.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bIdxSrc).ForEachBucket(func(k []byte) error {
				names = append(names, string(k))
				return nil
			})
		})
		if err != nil {
			return deleted, fmt.Errorf("prune: list sources: %w", err)
		}
		for _, name := range names {
			n, err := s.pruneSource(name, maxPerSource)
			deleted += n
			if err != nil {
				return deleted, fmt.Errorf("prune %s to %d items: %w", name, maxPerSource, err)
			}
		}
	}
	return deleted, nil
}

// pruneRetention removes every copy published before cutoff. The items
// with such a copy are those whose idx_all entry (at their earliest copy)
// sorts below cutoff; each batch moves or deletes them, so the next batch
// starts afresh at the first entry.
func (s *Store) pruneRetention(cutoff time.Time) (int, error) {
	var limit [8]byte
	cut := timeBits(cutoff)
	binary.BigEndian.PutUint64(limit[:], cut)
	deleted := 0
	for {
		var seen, gone, progress int
		err := s.update(func(t *txn) error {
			var keys [][]byte
			c := t.idxAll.Cursor()
			for k, _ := c.First(); k != nil && len(keys) < pruneBatch && bytes.Compare(k[:min(8, len(k))], limit[:]) < 0; k, _ = c.Next() {
				keys = append(keys, bytes.Clone(k))
			}
			seen = len(keys)
			for _, k := range keys {
				e, err := t.loadEntry(ientry{kind: IndexAll, key: string(k)})
				if err != nil {
					return err
				}
				if e == nil { // a stale entry, dropped
					progress++
					continue
				}
				for i := len(e.rec.Copies) - 1; i >= 0 && e.rec != nil; i-- {
					if timeBits(e.rec.Copies[i].Published) < cut {
						if err := t.removeCopy(e, i); err != nil {
							return err
						}
						progress++
					}
				}
				if e.rec == nil {
					gone++
				}
			}
			return nil
		})
		if err != nil {
			return deleted, err
		}
		deleted += gone
		if seen > 0 {
			s.log.Debug("storage: pruned by retention", slog.Int("items", seen), slog.Int("items_deleted", gone))
		}
		// A short batch was the last; a batch without progress means an
		// index that contradicts its items (Check reports it): stop.
		if seen < pruneBatch || progress == 0 {
			return deleted, nil
		}
	}
}

// pruneSource removes source's copies of its oldest items until its index
// holds max items.
func (s *Store) pruneSource(source string, max int) (int, error) {
	deleted := 0
	for {
		var seen, gone int
		err := s.update(func(t *txn) error {
			b := t.idxSrc.Bucket([]byte(source))
			if b == nil {
				return nil
			}
			excess := int(b.Sequence()) - max
			if excess <= 0 {
				return nil
			}
			var keys [][]byte
			c := b.Cursor()
			for k, _ := c.First(); k != nil && len(keys) < min(excess, pruneBatch); k, _ = c.Next() {
				keys = append(keys, bytes.Clone(k))
			}
			seen = len(keys)
			for _, k := range keys {
				ie := ientry{kind: IndexSource, name: source, key: string(k)}
				e, err := t.loadEntry(ie)
				if err != nil {
					return err
				}
				if e == nil {
					continue
				}
				removed := false
				for i := len(e.rec.Copies) - 1; i >= 0 && e.rec != nil; i-- {
					if e.rec.Copies[i].Source == source {
						if err := t.removeCopy(e, i); err != nil {
							return err
						}
						removed = true
					}
				}
				if !removed {
					// The entry names an item without a copy from source.
					if err := t.dropStale(ie); err != nil {
						return err
					}
				}
				if e.rec == nil {
					gone++
				}
			}
			return nil
		})
		if err != nil {
			return deleted, err
		}
		deleted += gone
		if seen == 0 {
			return deleted, nil
		}
		s.log.Debug("storage: pruned by cap", slog.String("source", source), slog.Int("items", seen), slog.Int("items_deleted", gone))
	}
}

// loadEntry loads the item an index entry points at. An entry that is
// malformed or names a missing item is deleted and nil returned.
func (t *txn) loadEntry(ie ientry) (*entry, error) {
	if len(ie.key) != ikeyLen {
		return nil, t.dropStale(ie)
	}
	e, err := t.load(ikeyID([]byte(ie.key)))
	if err != nil {
		return nil, err
	}
	if e == nil || e.rec == nil {
		return nil, t.dropStale(ie)
	}
	return e, nil
}

// dropStale deletes an index entry that matches no item.
func (t *txn) dropStale(ie ientry) error {
	t.changed = true
	return t.delEntry(ie)
}
