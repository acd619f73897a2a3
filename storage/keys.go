package storage

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// IndexKind says which items an Index selects.
type IndexKind uint8

const (
	// IndexAll selects every item once, as its shown copy. Index.Name is "".
	IndexAll IndexKind = iota
	// IndexSource selects the items a source carried, each as that
	// source's copy. Index.Name is the source's name.
	IndexSource
	// IndexTopic selects the items whose Topics hold a topic, each as its
	// shown copy. Index.Name is the topic id.
	IndexTopic
)

// The store's internal indexes, kept like the public ones (see doc.go).
// They are not valid in an Index.
const (
	// kindLead: idx_lead, one entry per story (its leader) or item in no
	// story, at its shown copy's Published.
	kindLead IndexKind = 16 + iota
	// kindLeadTopic: idx_lead_topic/NAME, like kindLead for the stories
	// one of whose members has topic NAME.
	kindLeadTopic
	// kindStory: stories, story id + ikey of each member.
	kindStory
	// kindNear: the in-memory near index (near.go), sketch key + ikey of
	// each groupable item; never a bucket since schema 3.
	kindNear
	// kindSketch: sketches, item id -> encoded sketch of its shown copy.
	kindSketch
)

// String returns "all", "source" or "topic" (or the name of an internal
// index).
func (k IndexKind) String() string {
	switch k {
	case IndexAll:
		return "all"
	case IndexSource:
		return "source"
	case IndexTopic:
		return "topic"
	case kindLead:
		return "lead"
	case kindLeadTopic:
		return "lead-topic"
	case kindStory:
		return "story"
	case kindNear:
		return "near"
	case kindSketch:
		return "sketch"
	}
	return fmt.Sprintf("IndexKind(%d)", uint8(k))
}

// named reports whether entries of kind live in per-name buckets.
func (k IndexKind) named() bool {
	return k == IndexSource || k == IndexTopic || k == kindLeadTopic
}

// keyLen is the length of the keys of an index of kind.
func (k IndexKind) keyLen() int {
	switch k {
	case kindStory:
		return 8 + ikeyLen
	case kindNear:
		return 4 + ikeyLen
	case kindSketch:
		return 8
	}
	return ikeyLen
}

// Index names an ordered set of items: all of them, one source's or one
// topic's. Items in an index are ordered newest Published first.
type Index struct {
	Kind IndexKind
	// Name is the source name (IndexSource) or topic id (IndexTopic).
	Name string
}

// AllIndex returns the index of every item.
func AllIndex() Index { return Index{Kind: IndexAll} }

// SourceIndex returns the index of the items source carried.
func SourceIndex(source string) Index { return Index{Kind: IndexSource, Name: source} }

// TopicIndex returns the index of the items tagged with topic.
func TopicIndex(topic string) Index { return Index{Kind: IndexTopic, Name: topic} }

// String returns "all", "source:NAME" or "topic:ID".
func (i Index) String() string {
	if !i.Kind.named() {
		return i.Kind.String()
	}
	return i.Kind.String() + ":" + i.Name
}

func (i Index) validate() error {
	switch i.Kind {
	case IndexAll:
		return nil
	case IndexSource, IndexTopic:
		if err := checkName(i.Kind.String(), i.Name); err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("index kind %d: %w", i.Kind, ErrInvalid)
}

// ErrBadCursor is returned (wrapped) by ParseCursor, Scan and Latest when a
// cursor is not one the store handed out.
var ErrBadCursor = errors.New("bad cursor")

// Cursor is a position in an index: opaque, URL-safe, ordered with the
// index. The empty Cursor is the position before the newest item.
type Cursor string

// ParseCursor checks that s is a cursor the store could have handed out
// (or "") and returns it. Errors wrap ErrBadCursor.
func ParseCursor(s string) (Cursor, error) {
	if _, err := Cursor(s).key(); err != nil {
		return "", err
	}
	return Cursor(s), nil
}

// key decodes c into an ikey; nil for "".
func (c Cursor) key() ([]byte, error) {
	if c == "" {
		return nil, nil
	}
	if len(c) != base64.RawURLEncoding.EncodedLen(ikeyLen) {
		return nil, fmt.Errorf("cursor %q: %w", shorten(string(c)), ErrBadCursor)
	}
	k, err := base64.RawURLEncoding.Strict().DecodeString(string(c))
	if err != nil || len(k) != ikeyLen {
		return nil, fmt.Errorf("cursor %q: %w", shorten(string(c)), ErrBadCursor)
	}
	return k, nil
}

func cursorOf(ikey []byte) Cursor {
	return Cursor(base64.RawURLEncoding.EncodeToString(ikey))
}

func shorten(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// ikeyLen is the length of an index key: time, then item ID.
const ikeyLen = 16

var (
	minNano = time.Unix(0, math.MinInt64)
	maxNano = time.Unix(0, math.MaxInt64)
)

// clampTime limits t to the range an int64 of nanoseconds since 1970 can
// hold (1677-09-21 to 2262-04-11), so that UnixNano is defined for it and
// it survives JSON.
func clampTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	if t.Before(minNano) {
		return minNano.UTC()
	}
	if t.After(maxNano) {
		return maxNano.UTC()
	}
	return t
}

// timeBits maps t to a uint64 whose big-endian bytes sort like t.
func timeBits(t time.Time) uint64 {
	var n int64
	switch {
	case t.Before(minNano):
		n = math.MinInt64
	case t.After(maxNano):
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	return uint64(n) ^ (1 << 63)
}

// ikey returns the index key for an item published at t.
func ikey(t time.Time, id uint64) []byte {
	k := make([]byte, ikeyLen)
	binary.BigEndian.PutUint64(k[:8], timeBits(t))
	binary.BigEndian.PutUint64(k[8:], id)
	return k
}

// ikeyID returns the item ID in an index key.
func ikeyID(k []byte) uint64 { return binary.BigEndian.Uint64(k[8:]) }

func idKey(id uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, id)
	return k
}

// maxPlainKey is the longest key or link stored as is in the keys and
// links buckets; longer ones are hashed.
const maxPlainKey = 512

// mapPart returns s as it appears in a keys or links bucket key.
func mapPart(s string) string {
	if len(s) <= maxPlainKey {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "\xffsha256:" + hex.EncodeToString(sum[:])
}

// keyOf returns the keys-bucket key of (source, key).
func keyOf(source, key string) []byte {
	return []byte(source + "\x00" + mapPart(key))
}

// linkOf returns the links-bucket key of a canonical link.
func linkOf(link string) []byte { return []byte(mapPart(link)) }

// maxName is the longest source name or topic id accepted.
const maxName = 255

// checkName validates a source name or topic id used as a bucket name and
// key prefix: 1 to 255 bytes, no NUL.
func checkName(what, s string) error {
	if s == "" || len(s) > maxName || strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%s name %q: must be 1 to %d bytes without NUL: %w", what, shorten(s), maxName, ErrInvalid)
	}
	return nil
}
