// Package topics normalises text, parses the topic query language and tags
// news items with the topics whose queries match them.
//
// A topic is a boolean query over an item's words. The same normalisation
// (see Tokenize) is applied to the item's text and to the words of a query,
// so a query is written the way a reader would type it: case, diacritics,
// Arabic letter variants and Arabic attached prefixes do not matter, and
// words match on word boundaries only.
//
//	iran AND (sanctions OR strike*) AND NOT earthquake
//
// # Words
//
// A bare word matches an item containing that word, in its title or in its
// text (the summary and the content, HTML removed). It never matches inside
// another word: iran does not match "Tirana". Matching ignores case
// (iran matches "IRAN"), diacritics (erdogan matches "Erdoğan") and the
// English possessive (iran matches "Iran's" and "Iran’s").
//
//	iran              Iran, IRAN, Iran's, Iran’s, Pro-Iran, US-Iran
//	erdogan           Erdoğan, ERDOGAN
//	ايران             إيران, لإيران, وإيران, بإيران, والإيران (not الإيرانية: use ايران*)
//	کرمانشاه           كرمانشاه (Persian and Arabic kaf and yeh are one letter)
//
// A word that the normalisation splits into several words is a phrase:
// US-Iran is the same as "us iran", and U.S. is the single word us.
//
// # Phrases
//
// Words in double quotes match only when they appear in this order, next to
// each other, in the same field (title or text). Punctuation between the
// words of the item does not matter, and the parts of a hyphenated compound
// are separate words, so
//
//	"us iran"         US-Iran, U.S.–Iran, "the US. Iran said" (punctuation is ignored)
//	"quds force"      Quds Force, Quds-Force, QUDS FORCE
//	"الحرس الثوري"     الحرس الثوري, والحرس الثوري, للحرس الثوري
//
// Typographic quotes “…” and guillemets «…» work as well as "…". A phrase
// never spans two paragraphs, nor the summary and the content.
//
// # Prefixes
//
// A word ending in * matches every word that starts with it (after
// normalisation). At least two letters must come before the *.
//
//	iran*             Iran, Iranian, Iranians, Iran's
//	sanction*         sanction, sanctions, sanctioned
//	ايران*            إيران, الإيرانية, وللإيرانيين
//	"revolutionary guard*"   a phrase may end in a prefix
//
// # Case-sensitive words
//
// A word or phrase preceded by = matches only words written with exactly
// that case; everything else about normalisation still applies. The dotted
// abbreviations U.S., U.K., U.N. are read as the words US, UK, UN.
//
//	=US               US, U.S., US's, US-led — but not "us" or "Us"
//	="US Navy"        US Navy, U.S. Navy — not "us navy"
//	=Ira*             Iran, Iraq, Iranian — not "iran"
//
// A headline in capitals ("TELL US WHAT YOU THINK") still matches =US:
// the case is all there is to go on.
//
// # Combining: AND, OR, NOT, parentheses
//
// The operators are written in capitals. Two terms side by side must both
// match (an implicit AND). NOT binds tightest, then AND (written or
// implicit), then OR:
//
//	a b               a AND b
//	a OR b c          a OR (b AND c)
//	a b OR c          (a AND b) OR c          (unlike web search engines)
//	NOT a b           (NOT a) AND b
//	a AND NOT b       a, without b; also written  a NOT b  or  a -b
//	-b                NOT b: a "-" directly before a term, phrase or group
//	(a OR b) c        parentheses group
//
// The words and, or and not in lower or mixed case are a syntax error
// (write AND/OR/NOT for the operator, or "or" in quotes to look for the
// word): "iran or iraq" quietly meaning "iran AND or AND iraq" is never what
// was meant. A query may consist of a NOT alone (NOT sport) and then
// matches every item that lacks the term.
//
// # Fields
//
//	title:WORD        the word in the title only; also title:"phrase",
//	                  title:word*, title:=US and title:( group )
//	body:WORD         the same, in the summary and content only
//	source:NAME       items from the source NAME ([[source]] name), or
//	                  carried by it too (one of the item's copies)
//	tag:NAME          items from a source with tag NAME ([[source]] tags)
//
// source: and tag: compare the whole name, ignoring case; they are not
// tokenised (source:bbc-arabic is one name, not a phrase). A quoted name
// may contain spaces: tag:"middle east". Field names ignore case. Inside
// title:( ... ), an inner body: wins over the outer title:. Any other
// name followed by a colon and more text (src:rudaw, http://...) is an
// error, so that a misspelt field is not silently searched for as words:
// quote it to search for the text. A word that merely ends in a colon
// ("Iran: strikes") is a word.
//
// # Comments and layout
//
// Spaces, tabs and newlines separate terms, so a long query can be laid out
// over several lines (a TOML multi-line string). A # followed by a space or a line
// end starts a comment that runs to the end of the line; #hashtag is a word.
//
//	query = '''
//	# the US side
//	(=US OR washington OR pentagon)
//	# the Iran side
//	AND (iran* OR tehran OR irgc)
//	'''
//
// # Normalisation
//
// Tokenize spells out what a word is. Text is put in Unicode NFKC form
// (ligatures, full-width and presentation forms are unfolded), words are cut
// at anything that is not a letter, a digit or a combining mark, and each
// word is folded:
//
//   - case is folded (Unicode full case folding: "ß" is "ss");
//   - combining marks are removed after canonical decomposition, so Latin,
//     Greek and Cyrillic diacritics go (ğ→g, é→e); ı ł ø đ ħ become i l o d h;
//   - Arabic tashkeel (U+064B–U+065F, superscript alef U+0670) and tatweel
//     (U+0640) are removed;
//   - alef forms أ إ آ ٱ become ا; hamza on waw and yeh (ؤ ئ) become و ي, so
//     that spellings with and without hamza meet (مسؤول = مسوول, رئيس = رييس);
//     a standalone hamza ء is kept;
//   - alef maqsura ى, Persian yeh ی and Arabic yeh ي are one letter (ي);
//     Persian kaf ک and Arabic kaf ك are one letter (ك);
//   - taa marbuta ة and the heh forms ه ھ ہ ۀ ە are one letter (ه);
//   - Arabic-Indic (٠–٩) and Persian (۰–۹) digits become 0–9;
//   - apostrophes inside a word are dropped (Shi'ite = Shiite, Kata'ib =
//     Kataib) and a final 's is removed (Iran's = Iran);
//   - a dotted abbreviation of single letters (U.S., U.K., U.S.A.) is one
//     word (us, uk, usa); a point or comma between digits stays (3.5, 1,000).
//
// Hyphens and the zero-width non-joiner (U+200C, common inside Persian
// words) separate the parts of a compound: Pro-Iran gives the words pro and
// iran at consecutive positions, so iran and "pro iran" both match, and the
// joined form (proiran; the Persian word without its ZWNJ) matches too.
// Other invisible format characters (zero-width joiner, soft hyphen,
// direction marks) are ignored inside a word.
//
// Arabic attached prefixes. A word in Arabic script is also indexed without
// each attached prefix it may carry: the conjunctions و ف, the prepositions
// ب ك ل, the article ال and their combinations (وال بال فال كال لل ولل
// وبال ...), provided at least three letters remain. لل is ل followed by ال,
// so للولايات is also found as الولايات. A query word is not stripped:
// write the bare word (ايران matches إيران, لإيران, وإيران, بإيران; the
// adjective الإيرانية is another word, found by ايران*), or include ال to
// ask for the definite form only (الحرس matches الحرس and والحرس, not حرس).
//
// # Errors and limits
//
// Parse reports the first problem as a *SyntaxError with the byte offset
// of the offending token: an unclosed ( or an unmatched ), an operator with
// nothing after it (at the operator) or in the wrong place, an unclosed
// quote (at the opening quote), a misplaced or too short * (at the *), a
// field with nothing directly after it, an unknown field, a word with no
// letters or digits. Compile turns the offset into the FILE:LINE:COL of the
// character inside the config file's query string.
//
// A query is at most MaxQueryLen bytes, a phrase at most MaxPhraseWords
// words, and parentheses, NOT and fields nest at most 100 deep. Only the
// first MiB of an item's title and of its text is searched. Matching a
// query costs a few lookups per term; a phrase costs, at worst, the number
// of times its first word occurs times its length, so no query is slow on
// any item.
//
// # Use
//
// Compile parses the topics of a config into a Tagger, whose Tag sets an
// item's Topics; it tokenises each item once, whatever the number of
// topics. ParseFilter makes a predicate of an ad-hoc query (the ?q= of a
// feed). To see why a topic does or does not match, build a Doc with
// NewDoc and print Query.Explain:
//
//	MATCH  (=US OR washington) AND iran* AND NOT film
//	[x] AND
//	    [x] OR
//	        [x] =US  title: "U.S."
//	        [x] washington  body: "Washington"
//	    [x] iran*  title: "Iran’s"  body: "Iranian"
//	    [x] NOT
//	        [ ] film
//
// Query.String gives the canonical form of a query (normalised words,
// explicit operators), which parses back to the same query.
//
// # Caveats
//
// Matching is on words, not meanings: there is no stemming beyond the
// possessive and the Arabic prefixes (use word*), no synonyms, and no
// transliteration between scripts (write the Arabic and Persian spellings
// as separate terms). Stripping Arabic prefixes can make a rare word match
// another word that happens to start with و ف ب ك or ل; the three-letter
// minimum keeps short words out of it.
package topics
