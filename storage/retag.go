package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aggregatord/aggregatord/news"
)

// retagBatch is how many items one Retag transaction handles.
const retagBatch = 256

// Retag re-evaluates the topics of every stored item and returns how many
// items' Topics changed. fn is called once per copy of each item (for most
// items: once) with the item as that copy presents it, and returns the
// topic ids that apply to that copy; the item's Topics become their union
// and its topic index entries follow. Changes fn makes to the item are not
// stored. Items are handled in ID order, 256 per write transaction, so
// fetches can commit in between; fn runs inside the transaction and must
// not call methods of s. progress, if not nil, is called after each batch
// with the items done so far and the item count at the start (or done, if
// larger). A returned topic id that is empty is dropped; one longer than
// 255 bytes or holding a NUL fails with ErrInvalid, leaving the batches
// before it applied.
func (s *Store) Retag(fn func(it *news.Item) []string, progress func(done, total int)) (int, error) {
	total, err := s.Count(AllIndex())
	if err != nil {
		return 0, fmt.Errorf("retag: %w", err)
	}
	var last []byte // ID key of the last item handled; nil before the first
	done, changed := 0, 0
	for {
		var n, nChanged int
		var batchLast []byte
		err := s.update(func(t *txn) error {
			var ids []uint64
			c := t.items.Cursor()
			k, _ := c.First()
			if last != nil {
				if k, _ = c.Seek(last); k != nil && bytes.Equal(k, last) {
					k, _ = c.Next()
				}
			}
			for ; k != nil && len(ids) < retagBatch; k, _ = c.Next() {
				if len(k) == 8 {
					ids = append(ids, binary.BigEndian.Uint64(k))
					batchLast = bytes.Clone(k)
				}
			}
			n = len(ids)
			for _, id := range ids {
				e, err := t.load(id)
				if err != nil {
					return err
				}
				if e == nil || e.rec == nil {
					continue
				}
				before := e.rec.topics()
				for i := range e.rec.Copies {
					it := e.rec.view(id, i)
					topics := cleanTopics(fn(&it))
					for _, tp := range topics {
						if err := checkName("topic", tp); err != nil {
							return fmt.Errorf("item %d: %w", id, err)
						}
					}
					if !slices.Equal(topics, e.rec.Copies[i].Topics) {
						e.rec.Copies[i].Topics = topics
						e.dirty = true
					}
				}
				if !slices.Equal(before, e.rec.topics()) {
					nChanged++
				}
			}
			return nil
		})
		if err != nil {
			return changed, fmt.Errorf("retag: %w", err)
		}
		done += n
		changed += nChanged
		last = batchLast
		if progress != nil && n > 0 {
			progress(done, max(total, done))
		}
		if n > 0 {
			s.log.Debug("storage: retagged", slog.Int("items", done), slog.Int("changed", changed))
		}
		if n < retagBatch {
			return changed, nil
		}
	}
}
