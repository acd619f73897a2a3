package storage

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestNearIndexModel drives the near index with random adds, removals,
// commits, rollbacks and compactions, and checks it against a map after
// every transaction: its committed entries, and what nearest returns for
// random lookups against a brute-force search.
func TestNearIndexModel(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := newNearIndex(func() time.Time { return now })
	n.span = 100 * time.Hour
	model := map[nearEntry]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	base := nearMinutes(timeBits(now))
	entry := func() nearEntry {
		return nearEntry{id: uint64(rng.IntN(5000)), key: uint32(rng.IntN(64)) << 26, at: base - uint32(rng.IntN(3000))}
	}
	var pool []nearEntry // entries ever committed, to pick removals from
	for tx := range 1500 {
		n.begin()
		adds, dels := map[nearEntry]bool{}, map[nearEntry]bool{}
		for range rng.IntN(40) {
			if rng.IntN(4) == 0 && len(pool) > 0 {
				e := pool[rng.IntN(len(pool))]
				if model[e] && !dels[e] {
					n.del(e) // remove a committed entry
					dels[e] = true
				}
				continue
			}
			e := entry()
			if model[e] || adds[e] {
				continue // the store never adds an entry twice
			}
			n.add(e)
			adds[e] = true
		}
		if rng.IntN(5) == 0 {
			n.rollback()
		} else {
			n.commit()
			for e := range dels {
				delete(model, e)
			}
			for e := range adds {
				model[e] = true
				pool = append(pool, e)
			}
		}
		if tx%100 == 99 {
			n.mu.Lock()
			n.compactLocked()
			n.mu.Unlock()
		}
		if tx%10 != 0 {
			continue
		}
		have, _ := n.snapshot()
		for e := range model {
			if !have[e] {
				t.Fatalf("tx %d: committed entry %+v missing", tx, e)
			}
		}
		if len(have) != len(model) {
			t.Fatalf("tx %d: index holds %d entries, want %d", tx, len(have), len(model))
		}
		// Lookups: the side nearest entries each way, within [lo, hi].
		for range 5 {
			key, at := uint32(rng.IntN(64))<<26, base-uint32(rng.IntN(3000))
			lo, hi := at-500, at+500
			got := n.nearest(nil, key, at, lo, hi, 4)
			var before, after []nearEntry
			for e := range model {
				switch {
				case e.key != key || e.at < lo || e.at > hi:
				case e.at >= at:
					after = append(after, e)
				default:
					before = append(before, e)
				}
			}
			byTime := func(a, b nearEntry) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.id, b.id)) }
			slices.SortFunc(before, byTime)
			slices.SortFunc(after, byTime)
			want := append(slices.Clone(before[max(0, len(before)-4):]), after[:min(4, len(after))]...)
			slices.SortFunc(got, byTime)
			slices.SortFunc(want, byTime)
			// Entries at the same minute may tie at the edge of a side:
			// compare the minutes.
			if len(got) != len(want) {
				t.Fatalf("tx %d: nearest(%x, %d) = %d entries, want %d", tx, key, at, len(got), len(want))
			}
			for i := range got {
				if got[i].at != want[i].at {
					t.Fatalf("tx %d: nearest(%x, %d) = %v, want %v", tx, key, at, got, want)
				}
			}
		}
	}
}
