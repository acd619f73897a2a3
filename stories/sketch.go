package stories

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/topics"
)

// The parameters of the fingerprint. The package documentation says how
// they were chosen; changing any of them requires a new sketch version.
const (
	// ShingleWords is the number of consecutive words in a shingle.
	ShingleWords = 3
	// LeadWords is how many words of an item's text (besides its title)
	// the fingerprint reads.
	LeadWords = 60
	// NumKeys is the most keys Keys returns.
	NumKeys = 12
	// MinShingles is the fewest shingles a sketch must have to be
	// Groupable.
	MinShingles = 20
	// DefaultThreshold is the Similarity from which two items are near
	// duplicates.
	DefaultThreshold = 0.12
)

// sketchV1 is the first byte of an encoded sketch of this algorithm.
const sketchV1 = 0x01

// ErrBadSketch is returned (wrapped) by ParseSketch when its input is not
// a sketch encoded by AppendBinary of this version.
var ErrBadSketch = errors.New("not a story sketch of this version")

// Sketch is an item's near-duplicate fingerprint: the sorted, distinct
// 32-bit hashes of its shingles (see the package documentation). A nil
// Sketch is the sketch of an item without words.
type Sketch []uint32

// Fingerprint returns the sketch of an item's title and lead text. It
// reads Title, Content and Summary and nothing else, and returns the same
// sketch for the same text in every process.
func Fingerprint(it *news.Item) Sketch {
	return fingerprint(it, ShingleWords, LeadWords)
}

// fingerprint is Fingerprint with k-word shingles over the title and the
// first lead words of the text (0: all of it). The measurement test
// compares settings through it.
func fingerprint(it *news.Item, k, lead int) Sketch {
	var hs []uint32
	hs = appendShingles(hs, words(plainText(it.Title), 0), k)
	ws := leadWords(it.Content, lead)
	if len(ws) == 0 {
		ws = leadWords(it.Summary, lead)
	}
	hs = appendShingles(hs, ws, k)
	if len(hs) == 0 {
		return nil
	}
	slices.Sort(hs)
	return Sketch(slices.Clip(slices.Compact(hs)))
}

// leadWords returns the first max words (0: all) of the text of the HTML
// fragment h. It reads a growing prefix of h, so that a long article costs
// no more than its opening: a word cut off by the prefix can only be the
// last one read, and is dropped when more than max words were read.
func leadWords(h string, max int) []string {
	for n := 2048; ; n *= 2 {
		part := h
		if max > 0 && n < len(h) {
			part = h[:n]
			for len(part) > 0 && !utf8.RuneStart(h[len(part)]) {
				part = part[:len(part)-1]
			}
		}
		limit := 0
		if max > 0 {
			limit = max + 1 // more than max words: enough read
		}
		ws := words(plainText(part), limit)
		if max > 0 && len(ws) > max {
			return ws[:max]
		}
		if len(part) == len(h) {
			return ws
		}
	}
}

// plainText is the text of the HTML fragment s (see appendPlainText).
func plainText(s string) string {
	if s == "" {
		return ""
	}
	return string(appendPlainText(make([]byte, 0, len(s)), s))
}

// words returns the normalised words of text (topics.Tokenize without the
// alternative forms it adds for matching: topics.Words), at most max of
// them; 0 means all.
func words(text string, max int) []string {
	if text == "" {
		return nil
	}
	return topics.Words(text, max)
}

// appendShingles appends the hash of every run of k words of ws, or of
// all of ws when it is shorter.
func appendShingles(hs []uint32, ws []string, k int) []uint32 {
	if len(ws) == 0 {
		return hs
	}
	n := min(k, len(ws))
	for i := 0; i+n <= len(ws); i++ {
		hs = append(hs, hashShingle(ws[i:i+n]))
	}
	return hs
}

// hashShingle is FNV-1a 64 over the words separated by 0x1F, finished
// with the MurmurHash3 fmix64 mixer so that every bit depends on every
// input byte, truncated to its low 32 bits. Stored sketches depend on it.
func hashShingle(ws []string) uint32 {
	const (
		offset64 = 14695981039346656037
		prime64  = 1099511628211
	)
	h := uint64(offset64)
	for i, w := range ws {
		if i > 0 {
			h ^= 0x1f
			h *= prime64
		}
		for j := 0; j < len(w); j++ {
			h ^= uint64(w[j])
			h *= prime64
		}
	}
	return uint32(fmix64(h))
}

func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// Groupable reports whether s is long enough to be compared: at least
// MinShingles shingles.
func (s Sketch) Groupable() bool { return len(s) >= MinShingles }

// Keys returns the keys to index s under: its NumKeys smallest hashes (all
// of them when it has fewer), ascending. Near duplicates share a key with
// high probability. The result shares memory with s.
func (s Sketch) Keys() []uint32 { return s[:min(NumKeys, len(s))] }

// Similarity returns the Jaccard index of a and b: the number of hashes
// they share divided by the number of distinct hashes in either; 0 when
// both are empty. Both must be sorted and distinct, as Fingerprint and
// ParseSketch return them.
func Similarity(a, b Sketch) float64 {
	i, j, n := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	u := len(a) + len(b) - n
	if u == 0 {
		return 0
	}
	return float64(n) / float64(u)
}

// AppendBinary appends the encoding of s to b: a version byte, then each
// hash as 4 big-endian bytes.
func (s Sketch) AppendBinary(b []byte) ([]byte, error) {
	b = slices.Grow(b, 1+4*len(s))
	b = append(b, sketchV1)
	for _, h := range s {
		b = binary.BigEndian.AppendUint32(b, h)
	}
	return b, nil
}

// ParseSketch decodes a sketch encoded by AppendBinary. It fails with an
// error wrapping ErrBadSketch on another version, a truncated input or
// hashes that are not sorted and distinct. The result does not share
// memory with b.
func ParseSketch(b []byte) (Sketch, error) {
	return ParseSketchInto(nil, b)
}

// ParseSketchInto is ParseSketch decoding into dst's memory when it is
// large enough (a caller comparing many stored sketches reuses one
// buffer); the result shares memory with dst, not with b.
func ParseSketchInto(dst Sketch, b []byte) (Sketch, error) {
	if len(b) == 0 || b[0] != sketchV1 || (len(b)-1)%4 != 0 {
		return nil, fmt.Errorf("parse sketch of %d bytes: %w", len(b), ErrBadSketch)
	}
	s := slices.Grow(dst[:0], (len(b)-1)/4)[:(len(b)-1)/4]
	for i := range s {
		s[i] = binary.BigEndian.Uint32(b[1+4*i:])
		if i > 0 && s[i] <= s[i-1] {
			return nil, fmt.Errorf("parse sketch: hashes out of order at %d: %w", i, ErrBadSketch)
		}
	}
	return s, nil
}
