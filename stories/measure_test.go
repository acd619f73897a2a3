package stories

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"testing"
)

// counts is a confusion matrix over the labelled pairs: same-story pairs
// are the positives, topic and event pairs the negatives.
type counts struct{ tp, fp, fn, tn, eventFP int }

func (c *counts) add(l label, grouped bool) {
	switch {
	case l == labelSame && grouped:
		c.tp++
	case l == labelSame:
		c.fn++
	case grouped:
		c.fp++
		if l == labelEvent {
			c.eventFP++
		}
	default:
		c.tn++
	}
}

func (c counts) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c counts) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

func (c counts) String() string {
	return fmt.Sprintf("TP %2d FP %2d FN %2d  P %.3f  R %.3f  (event pairs grouped: %d)", c.tp, c.fp, c.fn, c.precision(), c.recall(), c.eventFP)
}

// sharesKey reports whether the key samples of a and b meet, as a store
// indexing both would find one from the other.
func sharesKey(a, b Sketch) bool {
	ka, kb := a.Keys(), b.Keys()
	for _, k := range ka {
		if _, ok := slices.BinarySearch(kb, k); ok {
			return true
		}
	}
	return false
}

// grouped is the decision a store makes for a pair: both groupable, found
// through a shared key, similar enough.
func grouped(a, b Sketch, threshold float64) bool {
	return a.Groupable() && b.Groupable() && sharesKey(a, b) && Similarity(a, b) >= threshold
}

// simhash folds 32-bit shingle hashes, spread to 64 bits, into a 64-bit
// SimHash: the fingerprint measured first and rejected (see the package
// documentation).
func simhash(s Sketch) uint64 {
	var v [64]int
	for _, h := range s {
		x := fmix64(uint64(h))
		for b := range 64 {
			if x&(1<<b) != 0 {
				v[b]++
			} else {
				v[b]--
			}
		}
	}
	var fp uint64
	for b := range 64 {
		if v[b] > 0 {
			fp |= 1 << b
		}
	}
	return fp
}

// TestMeasure measures precision and recall on the labelled pairs for a
// range of settings, logs the tables (go test -run Measure -v), and holds
// the chosen setting (the package's constants) to its measured quality.
func TestMeasure(t *testing.T) {
	items := loadItems(t)
	pairs := loadPairs(t, items)
	var nSame, nTopic, nEvent int
	for _, p := range pairs {
		switch p.label {
		case labelSame:
			nSame++
		case labelTopic:
			nTopic++
		case labelEvent:
			nEvent++
		}
	}
	t.Logf("test set: %d items; pairs: %d same story, %d same topic, %d same event (independent reports)", len(items), nSame, nTopic, nEvent)
	if nSame < 30 || nTopic+nEvent < 40 {
		t.Fatalf("test set too small: %d positive, %d negative pairs", nSame, nTopic+nEvent)
	}

	sketchesWith := func(k, lead int) map[string]Sketch {
		out := make(map[string]Sketch, len(items))
		for id, it := range items {
			out[id] = fingerprint(it, k, lead)
		}
		return out
	}

	// 1. Jaccard over k-word shingles of the title and the first lead
	// words, keys as the store uses them.
	var tab strings.Builder
	fmt.Fprintf(&tab, "\nJaccard, %d keys, groupable from %d shingles\n  k  lead  threshold  result\n", NumKeys, MinShingles)
	for _, k := range []int{2, 3, 4} {
		for _, lead := range []int{40, 60, 80, 0} {
			sk := sketchesWith(k, lead)
			for _, thr := range []float64{0.06, 0.09, 0.12, 0.15, 0.20, 0.25, 0.30} {
				var c counts
				for _, p := range pairs {
					if p.label != labelShort {
						c.add(p.label, grouped(sk[p.a], sk[p.b], thr))
					}
				}
				leadS := fmt.Sprint(lead)
				if lead == 0 {
					leadS = "all"
				}
				fmt.Fprintf(&tab, "  %d  %4s  %9.2f  %s\n", k, leadS, thr, c)
			}
		}
	}

	// 2. SimHash over the chosen shingles, by Hamming distance. No band
	// index is assumed (the best case for it).
	sk := sketchesWith(ShingleWords, LeadWords)
	fmt.Fprintf(&tab, "\nSimHash-64 over the same shingles (k=%d, lead=%d), no banding\n  distance<=  result\n", ShingleWords, LeadWords)
	for _, d := range []int{3, 6, 9, 12, 15, 18, 21, 24} {
		var c counts
		for _, p := range pairs {
			if p.label != labelShort {
				c.add(p.label, bits.OnesCount64(simhash(sk[p.a])^simhash(sk[p.b])) <= d)
			}
		}
		fmt.Fprintf(&tab, "  %10d  %s\n", d, c)
	}

	// 3. How often the key sample finds a pair, averaged over hash seeds.
	fmt.Fprintf(&tab, "\nKey sample: P(pair shares a key), 100 seeds (k=%d, lead=%d)\n  keys  same-story (worst pair)  others\n", ShingleWords, LeadWords)
	const seeds = 100
	nks := []int{4, 8, 12, 16}
	hitSame, hitOther := make([]int, len(nks)), make([]int, len(nks))
	worst := make([]float64, len(nks))
	var nS, nO int
	for i := range worst {
		worst[i] = 1
	}
	for _, p := range pairs {
		if p.label == labelShort {
			continue
		}
		h := make([]int, len(nks))
		for seed := uint64(1); seed <= seeds; seed++ {
			a, b := reseed(sk[p.a], seed), reseed(sk[p.b], seed)
			for i, nk := range nks {
				if sharesAny(a[:min(nk, len(a))], b[:min(nk, len(b))]) {
					h[i]++
				}
			}
		}
		if p.label == labelSame {
			nS += seeds
		} else {
			nO += seeds
		}
		for i := range nks {
			if p.label == labelSame {
				hitSame[i] += h[i]
				worst[i] = min(worst[i], float64(h[i])/seeds)
			} else {
				hitOther[i] += h[i]
			}
		}
	}
	for i, nk := range nks {
		fmt.Fprintf(&tab, "  %4d  %.3f (%.3f)           %.3f\n", nk, float64(hitSame[i])/float64(nS), worst[i], float64(hitOther[i])/float64(nO))
	}
	t.Log(tab.String())

	// 4. The chosen setting, as the package exports it.
	var all counts
	byLang := map[string]*counts{"en": {}, "ar": {}}
	for _, p := range pairs {
		a, b := Fingerprint(items[p.a]), Fingerprint(items[p.b])
		g := grouped(a, b, DefaultThreshold)
		if p.label == labelShort {
			if g {
				t.Errorf("title-only pair %s %s grouped", p.a, p.b)
			}
			continue
		}
		all.add(p.label, g)
		byLang[p.a[:2]].add(p.label, g)
		if g != (p.label == labelSame) {
			t.Logf("misjudged %s pair %s %s (similarity %.3f): %s", p.label, p.a, p.b, Similarity(a, b), p.note)
		}
	}
	t.Logf("chosen: k=%d lead=%d keys=%d threshold=%.2f min shingles=%d\n  all %s\n  en  %s\n  ar  %s",
		ShingleWords, LeadWords, NumKeys, DefaultThreshold, MinShingles, all, byLang["en"], byLang["ar"])
	if all.precision() < 0.95 || all.recall() < 0.8 {
		t.Errorf("chosen setting: precision %.3f, recall %.3f; want at least 0.95 and 0.8", all.precision(), all.recall())
	}
	if all.eventFP > 0 {
		t.Errorf("chosen setting groups %d independent reports of one event; they must stay separate", all.eventFP)
	}
}

// reseed rehashes a sketch's hashes with a seed and sorts them: the key
// sample another hash function would draw.
func reseed(s Sketch, seed uint64) []uint32 {
	out := make([]uint32, len(s))
	for i, h := range s {
		out[i] = uint32(fmix64(uint64(h) ^ seed*0x9e3779b97f4a7c15))
	}
	slices.Sort(out)
	return out
}

func sharesAny(a, b []uint32) bool {
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); ok {
			return true
		}
	}
	return false
}
