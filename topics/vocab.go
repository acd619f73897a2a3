package topics

// vocab is every word a set of queries looks for: the words of their
// terms and phrases, and the prefixes of their prefix terms. A Doc built
// for the queries of a Tagger keeps only the words of the item that one of
// them can match (see docBuilder.field), so that it is small and quick to
// build and to search; matching such a Doc with those queries gives the
// result a full Doc gives.
type vocab struct {
	// exactKeys has bit exactKey(w) set for every word w, and
	// prefixLens[prefixBucket(wordKey(p))] bit len(p) for every prefix p
	// shorter than 64 bytes: most words of an item are rejected by these
	// two tests.
	exactKeys  [1 << 16 / 64]uint64
	prefixLens [1 << 12]uint64
	// slots is an open-addressing hash table (linear probing, by
	// wordHash) of the words and prefixes; its length is a power of two,
	// at least twice their number.
	slots []vocabSlot
	// longPrefixes are the prefixes of 64 bytes or more.
	longPrefixes []string
}

// vocabSlot is a word or prefix of a vocab, or an empty slot.
type vocabSlot struct {
	word          string
	hash          uint32
	exact, prefix bool
}

// newVocab returns the vocabulary of the queries; nil queries are skipped.
func newVocab(queries ...*Query) *vocab {
	type use struct{ exact, prefix bool }
	words := make(map[string]use)
	var add func(n node)
	add = func(n node) {
		switch n := n.(type) {
		case *boolNode:
			for _, k := range n.kids {
				add(k)
			}
		case *notNode:
			add(n.kid)
		case *termNode:
			for k, w := range n.words {
				u := words[w]
				if n.prefix && k == len(n.words)-1 {
					u.prefix = true
				} else {
					u.exact = true
				}
				words[w] = u
			}
		}
	}
	for _, q := range queries {
		if q != nil && q.root != nil {
			add(q.root)
		}
	}
	size := 16
	for size < 2*len(words) {
		size *= 2
	}
	v := &vocab{slots: make([]vocabSlot, size)}
	for w, u := range words {
		if u.exact {
			key := exactKey(w)
			v.exactKeys[key/64] |= 1 << (key % 64)
		}
		h := wordHash(w)
		i := h & uint32(size-1)
		for v.slots[i].word != "" {
			i = (i + 1) & uint32(size-1)
		}
		v.slots[i] = vocabSlot{word: w, hash: h, exact: u.exact, prefix: u.prefix}
		if u.prefix {
			if len(w) < 64 {
				v.prefixLens[prefixBucket(wordKey(w))] |= 1 << len(w)
			} else {
				v.longPrefixes = append(v.longPrefixes, w)
			}
		}
	}
	return v
}

// wordKey is the first two bytes of a (non-empty) word, or its one byte.
func wordKey(w string) uint16 {
	if len(w) >= 2 {
		return uint16(w[0])<<8 | uint16(w[1])
	}
	if len(w) == 1 {
		return uint16(w[0]) // no word starts with a NUL byte
	}
	return 0
}

// exactKey is a 16-bit hash of the first two bytes, the last byte and
// the length of a (non-empty) word.
func exactKey(w string) uint16 {
	return exactKeyOf(wordKey(w), w[len(w)-1], len(w))
}

// exactKeyOf is exactKey of a word of n bytes, whose wordKey is key and
// whose last byte is last.
func exactKeyOf(key uint16, last byte, n int) uint16 {
	x := uint32(key) | uint32(last)<<16 | uint32(n)<<24
	return uint16((x * 0x9e3779b1) >> 16)
}

// prefixBucket maps a wordKey to an index of vocab.prefixLens.
func prefixBucket(key uint16) uint32 {
	return (uint32(key) * 0x9e3779b1) >> 20
}

// wordHash is FNV-1a over w; Docs built for a vocab record the hashes of
// the words and prefixes they contain, so that a query term absent from a
// Doc is rejected without a search.
func wordHash(w string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(w); i++ {
		h ^= uint32(w[i])
		h *= 16777619
	}
	return h
}

// bloomBits is the size of a field's set of word hashes.
const bloomBits = 512

// bloom is a set of word hashes that may have false positives and has no
// false negatives.
type bloom [bloomBits / 64]uint64

func (b *bloom) add(h uint32) { b[h%bloomBits/64] |= 1 << (h % 64) }

func (b *bloom) has(h uint32) bool { return b[h%bloomBits/64]&(1<<(h%64)) != 0 }

// match reports whether a word of an item (a normalised term) is one that
// a query of v can match, and adds to seen the hashes of the vocab's word
// and prefixes it matches.
func (v *vocab) match(term string, seen *bloom) bool {
	return vocabMatch(v, term, seen)
}

// matchBytes is match for a term held in a byte slice.
func (v *vocab) matchBytes(term []byte, seen *bloom) bool {
	return vocabMatch(v, term, seen)
}

// vocabMatch is vocab.match for a term of either type.
func vocabMatch[S string | []byte](v *vocab, term S, seen *bloom) bool {
	if len(term) == 0 {
		return false
	}
	var key uint16 // wordKey(term)
	if len(term) >= 2 {
		key = uint16(term[0])<<8 | uint16(term[1])
	} else {
		key = uint16(term[0])
	}
	lens := v.prefixLens[prefixBucket(key)]
	if len(term) < 63 {
		lens &= 1<<(len(term)+1) - 1 // the prefixes the term is long enough for
	}
	ek := exactKeyOf(key, term[len(term)-1], len(term))
	exact := v.exactKeys[ek/64]&(1<<(ek%64)) != 0
	ok := false
	if lens != 0 || exact {
		h := uint32(2166136261) // wordHash, a byte at a time
		for i := 0; i < len(term); i++ {
			h ^= uint32(term[i])
			h *= 16777619
			if n := i + 1; n < 64 && lens&(1<<n) != 0 && vocabHas(v, term[:n], h, true) {
				seen.add(h)
				ok = true
			}
		}
		if exact && vocabHas(v, term, h, false) {
			seen.add(h)
			ok = true
		}
	}
	for _, p := range v.longPrefixes {
		if len(term) >= len(p) && string(term[:len(p)]) == p {
			seen.add(wordHash(p))
			ok = true
		}
	}
	return ok
}

// rejectsASCII reports, for a word s made of ASCII letters and digits,
// that its folded form (s in lower case, its Term) is neither a word of v
// nor starts with a prefix of v: the quick tests of match reject it, and
// match would return false without adding to seen.
func (v *vocab) rejectsASCII(s string) bool {
	if len(s) == 0 || len(v.longPrefixes) > 0 {
		return false
	}
	key := uint16(lowerASCII(s[0]))
	if len(s) >= 2 {
		key = key<<8 | uint16(lowerASCII(s[1]))
	}
	lens := v.prefixLens[prefixBucket(key)]
	if len(s) < 63 {
		lens &= 1<<(len(s)+1) - 1
	}
	ek := exactKeyOf(key, lowerASCII(s[len(s)-1]), len(s))
	return lens == 0 && v.exactKeys[ek/64]&(1<<(ek%64)) == 0
}

// vocabHas reports whether w, whose wordHash is h, is a prefix (prefix set)
// or a word (not set) of v.
func vocabHas[S string | []byte](v *vocab, w S, h uint32, prefix bool) bool {
	mask := uint32(len(v.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &v.slots[i]
		if s.word == "" {
			return false
		}
		if s.hash == h && s.word == string(w) {
			if prefix {
				return s.prefix
			}
			return s.exact
		}
	}
}
