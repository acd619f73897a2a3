package publish

import (
	"errors"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

// IndexKind says which items an Index selects.
type IndexKind int

const (
	// IndexAll selects every stored item: the merged feed. Index.Name is "".
	IndexAll IndexKind = iota
	// IndexSource selects the items one source carried; Index.Name is the
	// source's configured name.
	IndexSource
	// IndexTopic selects the items tagged with one topic; Index.Name is the
	// topic's id.
	IndexTopic
)

// String returns "all", "source" or "topic".
func (k IndexKind) String() string {
	switch k {
	case IndexAll:
		return "all"
	case IndexSource:
		return "source"
	case IndexTopic:
		return "topic"
	}
	return "unknown"
}

// Index names which items a feed shows.
type Index struct {
	Kind IndexKind
	// Name is the source name (IndexSource) or topic id (IndexTopic); ""
	// for IndexAll.
	Name string
}

// ErrBadCursor is returned (wrapped) by a Store's Scan when the cursor it is
// given is not one the store handed out. The handler answers it with 400.
var ErrBadCursor = errors.New("bad cursor")

// Store is what the publisher reads. Implementations must be safe for
// concurrent use.
type Store interface {
	// Scan calls fn for the items of idx, newest first, starting with the
	// first item strictly older than the cursor after ("" starts at the
	// newest item). at is the item's own cursor: opaque, URL-safe, and
	// valid as a later after. Scan stops when fn returns false or the items
	// run out, and returns nil then. A malformed after yields an error
	// wrapping ErrBadCursor; an index with no items is not an error.
	Scan(idx Index, after string, fn func(it news.Item, at string) bool) error
	// Generation returns a number that changes whenever the stored items
	// change. The publisher serves cached renderings while it is unchanged.
	Generation() uint64
	// LastChange returns when the stored items last changed; zero if never.
	LastChange() time.Time
	// SourceStates returns the fetch state of every source the store knows.
	SourceStates() ([]news.SourceState, error)
}
