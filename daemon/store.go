package daemon

import (
	"errors"
	"fmt"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/publish"
	"github.com/aggregatord/aggregatord/storage"
)

// storeAdapter lets the publisher read a *storage.Store through its own
// string-cursor Store interface.
type storeAdapter struct{ *storage.Store }

var _ publish.Store = storeAdapter{}

// Scan implements publish.Store.
func (a storeAdapter) Scan(idx publish.Index, after string, fn func(it news.Item, at string) bool) error {
	var sidx storage.Index
	switch idx.Kind {
	case publish.IndexAll:
		sidx = storage.AllIndex()
	case publish.IndexSource:
		sidx = storage.SourceIndex(idx.Name)
	case publish.IndexTopic:
		sidx = storage.TopicIndex(idx.Name)
	default:
		return fmt.Errorf("scan: unknown index kind %v", idx.Kind)
	}
	err := a.Store.Scan(sidx, storage.Cursor(after), func(it news.Item, at storage.Cursor) bool {
		return fn(it, string(at))
	})
	if errors.Is(err, storage.ErrBadCursor) {
		return fmt.Errorf("%w: %w", publish.ErrBadCursor, err)
	}
	return err
}
