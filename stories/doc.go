/*
Package stories computes the near-duplicate fingerprint that lets
aggregatord show one wire story, carried by several outlets, once.

Regional outlets republish the same agency copy (AFP, Reuters, AP) with a
new headline, a trimmed ending, a sentence of their own or a dateline
dropped. Such copies share most of their opening word sequences; two
different stories share few, even on the same topic and the same day, and
so do two outlets' own reports of the same event. This package turns an
item into a Sketch of its word sequences, says how similar two sketches
are, and gives the few keys under which a store indexes a sketch so that
an item's near duplicates are found without reading every item.

# The sketch

	sk := stories.Fingerprint(&item)
	if sk.Groupable() { ... index sk.Keys() ... }
	if stories.Similarity(a, b) >= stories.DefaultThreshold { ... same story ... }

Fingerprint reads the item's title and the first LeadWords (60) words of
its text: its content, or its summary when it has no content, with the
markup removed (sanitize.Text). Words are those of topics.Tokenize (case,
diacritics, Arabic letter variants and tashkeel folded; the alternative
forms it adds for matching are not used), so an English and an Arabic item
are handled alike. Every run of ShingleWords (3) consecutive words of the
title, and of the text, is a shingle; a field shorter than that is one
shingle. Each shingle is hashed (FNV-1a 64 over the words separated by
0x1F, finished with the MurmurHash3 64-bit mixer, truncated to 32 bits) and
the Sketch is the sorted set of distinct hashes.

Similarity is the Jaccard index of two sketches: shared hashes over
distinct hashes in either, 0 to 1. Two items are near duplicates when it
is at least the threshold (DefaultThreshold, 0.12). An item with fewer than
MinShingles (20) shingles, such as a headline without a summary, is not
Groupable: a headline alone is too short to tell a reworded copy from a
different story on the same subject.

Keys are the NumKeys (12) smallest hashes of a sketch (a bottom-k sample
of its shingles, all drawn with one hash function, so that two sketches
sample alike). Two near duplicates share at least one key with high
probability; a store that indexes every sketch under its keys finds an
item's candidates by reading those keys' entries only, and then checks
each candidate's Similarity exactly. Items sharing no shingle never meet.

# Why these numbers

They come from the labelled pairs in testdata (see testdata/README.md and
TestMeasure, which logs the full table): 50 pairs of one wire story in two
outlets' copies (English and Arabic: headline rewritten, paragraphs trimmed
or reordered, a sentence added, a summary only, an agency write-through
with a new lede), 37 pairs of different stories on the same topic (among
them stories that reuse the agency's background paragraphs word for word)
and 22 pairs of one event reported independently, which must stay apart.

  - Reading only the lead: over the whole text, shared background
    paragraphs push different stories up to a Jaccard index of 0.28 and
    precision down to 0.88–0.93 at the thresholds that keep recall; over
    the title and the first 60 words the same-story pairs score 0.186 and
    above and the others 0.076 and below.
  - Three-word shingles separate better than two (shared phrases such as
    "the Iran-backed" are common across stories) and than four (a single
    edited word breaks too many shingles).
  - 0.12 sits in the gap; the measured precision and recall there are
    both 1.0 on this set. The set is small: read that as "no error in
    about a hundred pairs", not as a guarantee.
  - With 12 keys, a same-story pair shares a key with probability 0.999
    averaged over hash seeds (0.98 for the hardest pair); 8 keys give
    0.993 and 4 give 0.94. About a fifth of the other pairs share a key
    too, and are then rejected by the exact Similarity.
  - SimHash (64 bits over the same shingles) was measured first and
    rejected: within 3 bits, the distance that four exact 16-bit bands
    are sure to find, it finds none of the 50 same-story pairs; it needs
    21 bits to find three quarters of them, and there it already groups
    an independent report of the same event. Bands that find pairs 21
    bits apart match most of the window.

# Stability

Fingerprint is a pure function of the item's text: no random seeds, no
state, the same result in every process and after every restart. Sketches
are stored, so changing anything above — the hash, the shingle size, the
lead length — changes the sketches of new items only, and old and new
would no longer compare. The encoding (AppendBinary) therefore starts with
a version byte; ParseSketch refuses other versions, and a change to the
algorithm must come with a new version and a store migration.

# Caveats

  - Similarity is about words, not meaning: a translation of a wire story
    into another language is a different text and is not grouped.
  - A wire story whose later version rewrote most of the first 60 words is
    only grouped if enough of the lead survived: the write-through pairs
    of the test set score 0.19 to 0.42, the closest to the threshold of
    all same-story pairs.
  - A very common shingle may be among the keys of many items. The store
    (package storage) therefore reads only the entries nearest in time
    under each key and compares the candidates that share the most
    specific keys; a pair whose only shared key is a common phrase may be
    missed when many items share it (on the benchmark's wire stories the
    pair recall is 0.99 with precision 1.00, see BENCHMARKS.md).
*/
package stories
