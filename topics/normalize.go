package topics

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Token is one word of a text as the matcher sees it. The package
// documentation ("Normalisation") describes how text is cut into words and
// how each word is folded.
type Token struct {
	// Term is the word normalised and case-folded: what a query word is
	// compared with ("iran" for "Iran’s").
	Term string
	// Cased is the word normalised with its case kept: what a =word is
	// compared with ("US" for "U.S.", "Erdogan" for "Erdoğan").
	Cased string
	// Surface is the word as written, after NFKC ("Iran’s", "U.S.",
	// "لإيران"); for an Alt token, the whole word or compound it came from.
	Surface string
	// Pos is the word's position: 0 for the first word, consecutive for
	// the words that follow one another, the parts of a compound included.
	// A paragraph break (U+2029) leaves a gap, so phrases do not span it.
	Pos int
	// Alt marks another form of the word at Pos — the word without an
	// Arabic attached prefix, or a compound with its parts joined — which
	// matches like the word itself but is not a word of its own.
	Alt bool
}

// Tokenize cuts text into words and normalises each, in the order of the
// text, each word followed by its Alt forms. Items are tokenised the same
// way by NewDoc, and the words of a query by Parse.
func Tokenize(text string) []Token {
	text = toNFKC(text)
	var tz tokenizer
	tz.run(text)
	buf := string(tz.buf)
	out := make([]Token, len(tz.toks))
	for i, t := range tz.toks {
		out[i] = Token{
			Term:    t.term.in(text, buf),
			Cased:   t.cased.in(text, buf),
			Surface: t.surf.in(text, buf),
			Pos:     int(t.pos),
			Alt:     t.alt,
		}
	}
	return out
}

// maxText is the most bytes of one field that are tokenised; an item's
// text beyond it is not searched. It keeps positions within int32 and the
// work per item bounded.
const maxText = 1 << 20

// minStem is the fewest letters an Arabic word must keep when an attached
// prefix is stripped from it.
const minStem = 3

// ref locates a string in the tokenised text or in the tokenizer's buffer
// of normalised forms, so that tokenising allocates no string per word.
type ref struct {
	off, n int32
	buf    bool
}

func (r ref) in(text, buf string) string {
	if r.buf {
		return buf[r.off : r.off+r.n]
	}
	return text[r.off : r.off+r.n]
}

// rawTok is a Token whose strings are refs.
type rawTok struct {
	term, cased, surf ref
	pos               int32
	alt               bool
}

// tokenizer holds the buffers of one tokenisation; reusing a tokenizer
// (reset) reuses them. It is not safe for concurrent use.
type tokenizer struct {
	text  string
	buf   []byte
	toks  []rawTok
	parts []rawTok // the parts of the current compound
	caser cases.Caser
	fold  bool // caser is set
	// limit, when positive, stops run at the first word after limit
	// words (parts of compounds, not Alt forms) have been read; words
	// counts them.
	limit, words int
	// noAlt leaves out the Alt forms (for Words).
	noAlt bool
	// voc, when set, keeps out of toks the words (and Alt forms) that no
	// query of voc can match; seen then collects the hashes of the
	// vocab's words and prefixes that the kept ones match (vocab.match).
	voc  *vocab
	seen *bloom
}

// emit appends t to toks, unless it is a word voc cannot match.
func (tz *tokenizer) emit(t rawTok) {
	if tz.voc != nil {
		r := t.term
		if r.buf && !tz.voc.matchBytes(tz.buf[r.off:r.off+r.n], tz.seen) ||
			!r.buf && !tz.voc.match(tz.text[r.off:r.off+r.n], tz.seen) {
			return
		}
	}
	tz.toks = append(tz.toks, t)
}

func (tz *tokenizer) reset() {
	tz.text = ""
	tz.words = 0
	tz.buf = tz.buf[:0]
	tz.toks = tz.toks[:0]
	tz.parts = tz.parts[:0]
}

// appendRef appends the string at r to the buffer.
func (tz *tokenizer) appendRef(r ref) {
	if r.buf {
		tz.buf = append(tz.buf, tz.buf[r.off:r.off+r.n]...)
		return
	}
	tz.buf = append(tz.buf, tz.text[r.off:r.off+r.n]...)
}

func (tz *tokenizer) bufRef(start int) ref {
	return ref{off: int32(start), n: int32(len(tz.buf) - start), buf: true}
}

func textRef(start, end int) ref {
	return ref{off: int32(start), n: int32(end - start)}
}

// run tokenises text, which must be in NFKC form, appending to tz.toks
// with positions from 0. Only the first maxText bytes are read.
func (tz *tokenizer) run(text string) {
	if len(text) > maxText {
		n := maxText
		for n > 0 && !utf8.RuneStart(text[n]) {
			n--
		}
		text = text[:n]
	}
	tz.text = text
	pos := 0
	for i := 0; i < len(text); {
		if tz.limit > 0 && tz.words >= tz.limit {
			return
		}
		c := text[i]
		if c < utf8.RuneSelf {
			if isASCIIAlnum(c) {
				i, pos = tz.compound(i, pos)
			} else {
				i++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\u2029': // paragraph separator: a gap in positions
			pos++
			i += size
		case isWordStart(r):
			i, pos = tz.compound(i, pos)
		default:
			i += size
		}
	}
}

// compound reads the word or hyphenated compound starting at i, emits its
// parts at consecutive positions from pos, and returns the index after it
// and the next free position.
func (tz *tokenizer) compound(i, pos int) (int, int) {
	text := tz.text
	start := i
	// The parts, for joined: first, then tz.parts once there are two.
	var first rawTok
	nparts := 0
	end := i
	for {
		normEnd, surfEnd, ascii := tz.scanPart(i)
		if surfEnd <= i { // a word start that is also an apostrophe (ʼ): skip it
			_, size := utf8.DecodeRuneInString(text[i:])
			normEnd, surfEnd, ascii = i+size, i+size, false
		}
		next, more := tz.nextPart(surfEnd)
		if tz.voc != nil && ascii && nparts == 0 && !more && tz.voc.rejectsASCII(text[i:normEnd]) {
			// A word of its own that no query can match: it only takes
			// its position.
			pos++
			tz.words++
			end = surfEnd
			break
		}
		term, cased := tz.normalize(text[i:normEnd], i)
		if term.n > 0 {
			t := rawTok{term: term, cased: cased, surf: textRef(i, surfEnd), pos: int32(pos)}
			switch nparts {
			case 0:
				first = t
			case 1:
				tz.parts = append(tz.parts[:0], first, t)
			default:
				tz.parts = append(tz.parts, t)
			}
			nparts++
			tz.emit(t)
			if !tz.noAlt {
				tz.arabicForms(t)
			}
			pos++
			tz.words++
		}
		i, end = surfEnd, surfEnd
		if more {
			i = next
			continue
		}
		break
	}
	if nparts > 1 && !tz.noAlt {
		tz.joined(start, end)
	}
	return end, pos
}

// nextPart reports whether a joiner at i continues the compound with
// another part, and returns the index of that part.
func (tz *tokenizer) nextPart(i int) (int, bool) {
	text := tz.text
	if i < len(text) && (text[i] == '-' || text[i] >= utf8.RuneSelf) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if isJoiner(r) && i+size < len(text) {
			if r2, _ := utf8.DecodeRuneInString(text[i+size:]); isWordStart(r2) {
				return i + size, true
			}
		}
	}
	return 0, false
}

// joined emits the compound's parts joined as one Alt word at the position
// of the first part.
func (tz *tokenizer) joined(start, end int) {
	tstart := len(tz.buf)
	same := true
	for _, t := range tz.parts {
		same = same && t.cased == t.term
		tz.appendRef(t.term)
	}
	term := tz.bufRef(tstart)
	cased := term
	if !same {
		cstart := len(tz.buf)
		for _, t := range tz.parts {
			tz.appendRef(t.cased)
		}
		cased = tz.bufRef(cstart)
	}
	tz.emit(rawTok{term: term, cased: cased, surf: textRef(start, end), pos: tz.parts[0].pos, alt: true})
}

// arabicPrefixes are the attached prefixes stripped from Arabic words, in
// their normalised spelling, longest first; arabicForms reads them by
// first letter (arabicPrefixesOf).
var arabicPrefixes = [...]string{
	"وبال", "وكال", "فبال", "فكال",
	"ولل", "فلل", "وال", "فال", "بال", "كال",
	"لل", "ال", "وب", "وك", "ول", "فب", "فك", "فل",
	"و", "ف", "ب", "ك", "ل",
}

// arabicPrefixesOf returns the arabicPrefixes that start with the rune
// r, in their order (TestArabicPrefixesOf).
func arabicPrefixesOf(r rune) []string {
	switch r {
	case 'و':
		return arabicPrefixesWaw[:]
	case 'ف':
		return arabicPrefixesFa[:]
	case 'ب':
		return arabicPrefixesBa[:]
	case 'ك':
		return arabicPrefixesKaf[:]
	case 'ل':
		return arabicPrefixesLam[:]
	case 'ا':
		return arabicPrefixesAlef[:]
	}
	return nil
}

// The arabicPrefixes by their first letter (arabicPrefixesOf).
var (
	arabicPrefixesWaw  = [...]string{"وبال", "وكال", "ولل", "وال", "وب", "وك", "ول", "و"}
	arabicPrefixesFa   = [...]string{"فبال", "فكال", "فلل", "فال", "فب", "فك", "فل", "ف"}
	arabicPrefixesBa   = [...]string{"بال", "ب"}
	arabicPrefixesKaf  = [...]string{"كال", "ك"}
	arabicPrefixesLam  = [...]string{"لل", "ل"}
	arabicPrefixesAlef = [...]string{"ال"}
)

// arabicForms emits the Alt forms of the word t without each Arabic
// attached prefix it starts with, keeping at least minStem letters. A
// prefix ending in لل (ل + ال) also gives the form with ال.
func (tz *tokenizer) arabicForms(t rawTok) {
	if t.term.n < 8 || t.cased != t.term {
		return // 8 bytes: a one-letter prefix and minStem letters
	}
	// The term, from the text or the buffer; only one is set.
	var (
		text string
		buf  []byte
	)
	if t.term.buf {
		buf = tz.buf[t.term.off : t.term.off+t.term.n]
	} else {
		text = tz.text[t.term.off : t.term.off+t.term.n]
	}
	at := func(k int) byte {
		if buf != nil {
			return buf[k]
		}
		return text[k]
	}
	if c := at(0); c != 0xd8 && c != 0xd9 { // U+0600..U+067F
		return
	}
	// Every prefix starts with one of و ف ب ك ل ا, all two bytes long.
	prefixes := arabicPrefixesOf(rune(at(0)&0x1f)<<6 | rune(at(1)&0x3f))
	for _, p := range prefixes {
		var rest int // letters after the prefix
		if buf != nil {
			if len(buf) <= len(p) || string(buf[:len(p)]) != p {
				continue
			}
			rest = utf8.RuneCount(buf[len(p):])
		} else {
			if len(text) <= len(p) || text[:len(p)] != p {
				continue
			}
			rest = utf8.RuneCountInString(text[len(p):])
		}
		if rest < minStem {
			continue
		}
		n := int32(len(p))
		r := ref{off: t.term.off + n, n: t.term.n - n, buf: t.term.buf}
		tz.emit(rawTok{term: r, cased: r, surf: t.surf, pos: t.pos, alt: true})
		if strings.HasSuffix(p, "لل") {
			s := len(tz.buf)
			tz.buf = append(tz.buf, "ال"...)
			tz.appendRef(r)
			r = tz.bufRef(s)
			tz.emit(rawTok{term: r, cased: r, surf: t.surf, pos: t.pos, alt: true})
		}
	}
}

// scanPart finds the end of the word part starting at i (a word start).
// normEnd is where the part's letters end and surfEnd where its surface
// ends: they differ when a possessive 's follows. ascii reports that
// text[i:normEnd] is made of ASCII letters and digits only.
func (tz *tokenizer) scanPart(i int) (normEnd, surfEnd int, ascii bool) {
	text := tz.text
	// An abbreviation has a dot after its first letter.
	size := 1
	if text[i] >= utf8.RuneSelf {
		_, size = utf8.DecodeRuneInString(text[i:])
	}
	if i+size < len(text) && text[i+size] == '.' {
		if j := abbrevEnd(text, i); j > 0 {
			if k := possessiveEnd(text, j); k > 0 {
				return j, k, false
			}
			return j, j, false
		}
	}
	j := i
	ascii = true
	prevLetter, prevDigit := false, false
	for j < len(text) {
		if isASCIIAlnum(text[j]) {
			j++
			for j < len(text) && isASCIIAlnum(text[j]) {
				j++
			}
			prevDigit = text[j-1] <= '9'
			prevLetter = !prevDigit
			continue
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		switch {
		case isApostrophe(r):
			if !prevLetter && !prevDigit {
				return j, j, ascii
			}
			if k := possessiveEnd(text, j); k > 0 {
				return j, k, ascii
			}
			if !prevLetter || !isLetterAt(text, j+size) {
				return j, j, ascii
			}
		case plainArabic(r):
			prevDigit, prevLetter = false, true
		case isWordRune(r):
			prevDigit = unicode.IsDigit(r)
			prevLetter = !prevDigit
		case r == '.' || r == ',' || r == '\u066b' || r == '\u066c':
			if !prevDigit || !isDigitAt(text, j+size) {
				return j, j, ascii
			}
		case isIgnorable(r):
			if !isWordRuneAt(text, j+size) {
				return j, j, ascii
			}
		default:
			return j, j, ascii
		}
		ascii = false
		j += size
	}
	return j, j, ascii
}

// abbrevEnd returns the end of a dotted abbreviation of single letters
// starting at i ("U.S.", "U.K", "U.S.A."), or -1 if there is none there.
func abbrevEnd(text string, i int) int {
	j, n := i, 0
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if r < utf8.RuneSelf && !isASCIIAlnum(byte(r)) || !plainArabic(r) && !unicode.IsLetter(r) {
			break
		}
		k := j + size
		if k < len(text) && text[k] == '.' {
			n++
			j = k + 1
			continue
		}
		if n >= 1 && !isWordRuneAt(text, k) {
			n++
			j = k
		}
		break
	}
	if n < 2 || isWordRuneAt(text, j) {
		return -1
	}
	return j
}

// possessiveEnd returns the index after an English possessive 's whose
// apostrophe is at j, or -1 if text[j:] does not start one.
func possessiveEnd(text string, j int) int {
	r, size := utf8.DecodeRuneInString(text[j:])
	if !isApostrophe(r) {
		return -1
	}
	k := j + size
	if k >= len(text) || (text[k] != 's' && text[k] != 'S') {
		return -1
	}
	if isWordRuneAt(text, k+1) {
		return -1
	}
	return k + 1
}

// normalize appends the cased and the folded form of the part s (which is
// at text offset off) to the buffer and returns them; term.n == 0 when the
// part has no letters or digits left.
func (tz *tokenizer) normalize(s string, off int) (term, cased ref) {
	clean, upper := true, false
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c >= utf8.RuneSelf {
			if k == 0 && plainArabicWord(s) {
				// appendNorm and foldCase keep such a word as it is.
				cased = textRef(off, off+len(s))
				return cased, cased
			}
			clean = false
			break
		}
		if !isASCIIAlnum(c) {
			clean = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if clean {
		cased = textRef(off, off+len(s))
		if !upper {
			return cased, cased
		}
		start := len(tz.buf)
		for k := 0; k < len(s); k++ {
			tz.buf = append(tz.buf, lowerASCII(s[k]))
		}
		return tz.bufRef(start), cased
	}

	start := len(tz.buf)
	tz.appendNorm(s)
	cased = tz.bufRef(start)
	if cased.n == 0 {
		return ref{}, ref{}
	}
	return tz.foldCase(cased), cased
}

// appendNorm appends s with every rule but case folding applied.
func (tz *tokenizer) appendNorm(s string) {
	prevDigit := false
	for k := 0; k < len(s); {
		c := s[k]
		if c < utf8.RuneSelf {
			switch {
			case isASCIIAlnum(c):
				tz.buf = append(tz.buf, c)
				prevDigit = c <= '9'
			case c == '.' || c == ',':
				if prevDigit && isDigitAt(s, k+1) {
					tz.buf = append(tz.buf, c)
				}
				prevDigit = false
			}
			k++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[k:])
		if plainArabic(r) {
			tz.buf = append(tz.buf, s[k:k+size]...)
			prevDigit = false
			k += size
			continue
		}
		if m, ok := foldRune(r); ok {
			if m == '.' || m == ',' {
				if prevDigit && isDigitAt(s, k+size) {
					tz.buf = append(tz.buf, byte(m))
				}
				prevDigit = false
			} else if m != 0 {
				tz.buf = utf8.AppendRune(tz.buf, m)
				prevDigit = '0' <= m && m <= '9'
			}
			k += size
			continue
		}
		if dropRune(r) {
			k += size
			continue
		}
		prevDigit = unicode.IsDigit(r)
		if r < 0xac00 || r > 0xd7a3 { // Hangul syllables stay composed
			if d := norm.NFD.PropertiesString(s[k:]).Decomposition(); d != nil {
				for j := 0; j < len(d); {
					dr, ds := utf8.DecodeRune(d[j:])
					j += ds
					if m, ok := foldRune(dr); ok {
						if m != 0 && m != '.' && m != ',' {
							tz.buf = utf8.AppendRune(tz.buf, m)
						}
						continue
					}
					if !dropRune(dr) {
						tz.buf = utf8.AppendRune(tz.buf, dr)
					}
				}
				k += size
				continue
			}
		}
		tz.buf = utf8.AppendRune(tz.buf, r)
		k += size
	}
}

// foldCase returns the case-folded form of the buffered string at cased,
// which is cased itself when folding changes nothing.
func (tz *tokenizer) foldCase(cased ref) ref {
	b := tz.buf[cased.off : cased.off+cased.n]
	upper, other := false, false
	for k := 0; k < len(b); {
		c := b[k]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				upper = true
			}
			k++
			continue
		}
		r, size := utf8.DecodeRune(b[k:])
		if !plainArabic(r) && unicode.SimpleFold(r) != r {
			other = true
			break
		}
		k += size
	}
	if !upper && !other {
		return cased
	}
	start := len(tz.buf)
	if !other {
		for k := int32(0); k < cased.n; k++ {
			tz.buf = append(tz.buf, lowerASCII(tz.buf[cased.off+k]))
		}
		return tz.bufRef(start)
	}
	if !tz.fold {
		tz.caser = cases.Fold()
		tz.fold = true
	}
	// Lower-casing after folding makes the result stable under folding
	// again (x/text folds Cherokee letters back and forth).
	folded := strings.ToLower(tz.caser.String(string(b)))
	tz.appendNorm(folded)
	return tz.bufRef(start)
}

// foldRune maps the runes the normalisation replaces or removes: it
// returns the replacement (0 to remove the rune) and true, or false when
// r is kept as it is (subject to decomposition).
func foldRune(r rune) (rune, bool) {
	switch {
	case r >= 0x0660 && r <= 0x0669: // Arabic-Indic digits
		return '0' + r - 0x0660, true
	case r >= 0x06f0 && r <= 0x06f9: // Extended Arabic-Indic (Persian) digits
		return '0' + r - 0x06f0, true
	case r >= 0x064b && r <= 0x065f, r == 0x0670, r == 0x0640: // tashkeel, superscript alef, tatweel
		return 0, true
	}
	switch r {
	case 'آ', 'أ', 'إ', 'ٱ', 'ٲ', 'ٳ':
		return 'ا', true
	case 'ؤ':
		return 'و', true
	case 'ئ', 'ى', 'ی':
		return 'ي', true
	case 'ک', 'ڪ':
		return 'ك', true
	case 'ة', 'ھ', 'ہ', 'ۀ', 'ۂ', 'ە':
		return 'ه', true
	case '\u066b': // Arabic decimal separator
		return '.', true
	case '\u066c': // Arabic thousands separator
		return ',', true
	case 'ı':
		return 'i', true
	case 'ł':
		return 'l', true
	case 'Ł':
		return 'L', true
	case 'ø':
		return 'o', true
	case 'Ø':
		return 'O', true
	case 'đ', 'ð':
		return 'd', true
	case 'Đ', 'Ð':
		return 'D', true
	case 'ħ':
		return 'h', true
	case 'Ħ':
		return 'H', true
	case '\u2019', '\u2018', '\u02bc', '\u02bb', '\u02be', '\u02bf', '\u02b9', '\u00b4':
		return 0, true // apostrophes and transliteration marks for ʿayn and hamza
	}
	return 0, false
}

// dropRune reports whether r is removed from words: combining marks that do
// not take space, enclosing marks and invisible format characters.
func dropRune(r rune) bool {
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r)
}

func isASCIIAlnum(c byte) bool {
	// c|0x20 maps A-Z, and no other byte, to a-z.
	return (c|0x20)-'a' < 26 || c-'0' < 10
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// isWordStart reports whether a word may start with r.
func isWordStart(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r))
	}
	if plainArabic(r) {
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isWordRune reports whether r continues a word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r))
	}
	if plainArabic(r) {
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// isApostrophe reports whether r is read as an apostrophe inside a word.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u2018' || r == '\u02bc'
}

// isJoiner reports whether r joins the parts of a compound: hyphens and
// the zero-width non-joiner.
func isJoiner(r rune) bool {
	return r == '-' || r == '\u2010' || r == '\u2011' || r == '\u200c'
}

// isIgnorable reports whether r is an invisible character that neither
// ends a word nor belongs to it (zero-width joiner, soft hyphen, marks of
// direction...).
func isIgnorable(r rune) bool {
	return r != '\u200c' && unicode.Is(unicode.Cf, r)
}

func isWordRuneAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isWordRune(r) && !isApostrophe(r)
}

func isLetterAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return plainArabic(r) || unicode.IsLetter(r) && !isApostrophe(r)
}

func isDigitAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsDigit(r)
}

// plainArabicWord reports whether s is made only of plainArabic letters.
func plainArabicWord(s string) bool {
	for i := 0; i < len(s); i += 2 {
		// plainArabic runes are U+0621..U+064A: 0xd8 0xa1 to 0xd9 0x8a.
		if s[i] != 0xd8 && s[i] != 0xd9 || i+1 >= len(s) {
			return false
		}
		if r := rune(s[i]&0x1f)<<6 | rune(s[i+1]&0x3f); s[i+1]&0xc0 != 0x80 || !plainArabic(r) {
			return false
		}
	}
	return true
}

// plainArabic reports whether r is an Arabic letter that the
// normalisation keeps as it is: a letter (not a digit or a mark) without
// case, without a decomposition, not folded to another letter and not
// dropped. It is a fast path for the general tests (unicode.IsLetter,
// foldRune, the NFD decomposition, case folding), whose results it
// shares (TestPlainArabic).
func plainArabic(r rune) bool {
	switch {
	case r < 0x0621 || r > 0x064a:
		return false
	case r >= 0x0622 && r <= 0x0626, r == 0x0629, r == 0x0649, r >= 0x063b && r <= 0x0640:
		return false
	}
	return true
}

// toNFKC returns s in Unicode NFKC form. Text made of ASCII, of runes that
// are alone in NFKC form and never reordered or composed with what
// precedes them (nfkcInert) and of Arabic diacritics in canonical order
// (nfkcArabicMark) is returned as it is without consulting the
// normalisation tables: it passes the NFKC quick check of UAX #15 (every
// rune has NFKC_Quick_Check Yes and the combining classes of consecutive
// marks do not decrease), so it is in NFKC form.
func toNFKC(s string) string {
	if toNFKCFast(s) {
		return s
	}
	return norm.NFKC.String(s)
}

// toNFKCFast reports whether toNFKC returns s without consulting the
// tables, s being in NFKC form.
func toNFKCFast(s string) bool {
	var ccc uint8 // combining class of the previous rune
	for i := 0; i < len(s); {
		// Skip ASCII eight bytes at a time.
		for i+8 <= len(s) && (uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56)&0x8080808080808080 == 0 {
			ccc = 0
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			ccc = 0
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case nfkcInert(r):
			ccc = 0
		case nfkcArabicMark(r) && arabicMarkCCC(r) >= ccc:
			ccc = arabicMarkCCC(r)
		default:
			return false
		}
		i += size
	}
	return true
}

// nfkcInert reports whether r is one of the common non-ASCII runes of
// news text (Arabic, Persian, Latin, Cyrillic and Hebrew letters,
// punctuation, typographic quotes and dashes, currency signs, the
// paragraph separator) whose NFKC quick check is Yes and whose canonical
// combining class is 0: a text made only of them and of ASCII is in NFKC
// form (TestNFKCInert checks each against the tables).
func nfkcInert(r rune) bool {
	switch {
	case r >= 0x0621 && r <= 0x064a, r >= 0x0660 && r <= 0x066d, r >= 0x0671 && r <= 0x0674,
		r >= 0x0679 && r <= 0x06d3:
		return true
	case r < 0x0621:
		switch {
		case r >= 0x00bf && r <= 0x0131, r >= 0x0134 && r <= 0x013e, r >= 0x0141 && r <= 0x0148,
			r >= 0x014a && r <= 0x017e, r >= 0x0180 && r <= 0x01c3, r >= 0x01cd && r <= 0x01f0,
			r >= 0x01f4 && r <= 0x024f, r >= 0x00a1 && r <= 0x00a7, r >= 0x00ab && r <= 0x00ae,
			r >= 0x00b0 && r <= 0x00b1, r >= 0x00b6 && r <= 0x00b7, r >= 0x0400 && r <= 0x0482,
			r >= 0x05d0 && r <= 0x05ea:
			return true
		}
		switch r {
		case 0x00a9, 0x00bb, 0x060c, 0x061b, 0x061f:
			return true
		}
		return false
	case r >= 0x200b && r <= 0x2010, r >= 0x2012 && r <= 0x2016, r >= 0x2018 && r <= 0x2023,
		r >= 0x2027 && r <= 0x202e, r >= 0x2030 && r <= 0x2032, r >= 0x20a9 && r <= 0x20c0:
		return true
	}
	return false
}

// nfkcArabicMark reports whether r is one of the Arabic diacritics
// U+064B..U+0652 (fathatan to sukun). Each has NFKC quick check Yes (no
// decomposition, and no composite ends in it) and the combining class
// arabicMarkCCC; TestNFKCArabicMarks checks both against the tables.
func nfkcArabicMark(r rune) bool {
	return r >= 0x064b && r <= 0x0652
}

// arabicMarkCCC returns the canonical combining class of the Arabic
// diacritic r (nfkcArabicMark): 27 for U+064B to 34 for U+0652.
func arabicMarkCCC(r rune) uint8 {
	return uint8(27 + r - 0x064b)
}

// Words returns the first max normalised words of text (all of them when
// max is 0 or less), in order: the Term of every Token of Tokenize(text)
// that is not Alt. It is cheaper than Tokenize when only the words are
// wanted, and stops reading text once it has max words (package stories
// fingerprints items with it).
func Words(text string, max int) []string {
	text = toNFKC(text)
	ntoks := len(text)/5 + 8
	if max > 0 {
		ntoks = min(ntoks, max+8) // the tokenizer stops after max words
	}
	tz := tokenizer{
		buf:   make([]byte, 0, min(len(text)/4+16, 16*ntoks)),
		toks:  make([]rawTok, 0, ntoks),
		noAlt: true,
	}
	if max > 0 {
		tz.limit = max
	}
	tz.run(text)
	n := 0
	for _, t := range tz.toks {
		if !t.alt {
			n++
		}
	}
	if max > 0 {
		n = min(n, max)
	}
	if n == 0 {
		return nil
	}
	buf := string(tz.buf)
	out := make([]string, 0, n)
	for _, t := range tz.toks {
		if !t.alt && len(out) < n {
			out = append(out, t.term.in(text, buf))
		}
	}
	return out
}
