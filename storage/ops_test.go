package storage

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

// runOps interprets data as a sequence of store operations over a small
// space of sources, keys, links and times, so that copies, link changes,
// promotions and deletions collide often, and checks every invariant after
// each operation.
func runOps(t *testing.T, data []byte) {
	s := mustOpen(t)
	for len(data) >= 4 {
		op, a, b, c := data[0], data[1], data[2], data[3]
		data = data[4:]
		switch op % 8 {
		case 6:
			if _, err := s.Prune(time.Duration(a%12)*time.Hour, 0); err != nil {
				t.Fatalf("Prune: %v", err)
			}
		case 7:
			if b%2 == 0 {
				if _, err := s.Prune(0, int(a%4)+1); err != nil {
					t.Fatalf("Prune: %v", err)
				}
			} else {
				if _, err := s.Retag(func(it *news.Item) []string {
					if len(it.Title)%2 == int(c%2) {
						return []string{"odd"}
					}
					return []string{fmt.Sprintf("t%d", it.ID%3)}
				}, nil); err != nil {
					t.Fatalf("Retag: %v", err)
				}
			}
		default:
			source := fmt.Sprintf("s%d", op%3)
			var items []news.Item
			for i := range int(c%3) + 1 {
				x := a + byte(i)*b
				link := ""
				if x%5 != 4 {
					link = fmt.Sprintf("https://example.com/%d", x%5)
				}
				it := item(fmt.Sprintf("k%d", (x/5)%4), link, fmt.Sprintf("title %d", (x+c)%3), t0.Add(-time.Duration(int(x+c)%10)*time.Hour))
				if x%3 == 0 {
					it.Topics = []string{"t0"}
				}
				it.Tags = []string{fmt.Sprintf("tag%d", b%2)}
				items = append(items, it)
			}
			res := s.save(source, items...)
			if res.New+res.Updated+res.Duplicate != len(items) {
				t.Fatalf("counts %+v for %d items", res, len(items))
			}
		}
		if err := s.Check(); err != nil {
			t.Fatalf("after op %d %d %d %d: %v", op, a, b, c, err)
		}
		s.clock.Advance(time.Hour)
	}
	// Every item's own copies are reachable by key and show their source.
	for _, it := range s.latest(AllIndex()) {
		for _, c := range it.Copies {
			got := s.byKey(c.Source, c.Key)
			if got.ID != it.ID || got.Source != c.Source {
				t.Fatalf("copy %s/%s of item %d found as %d/%s", c.Source, c.Key, it.ID, got.ID, got.Source)
			}
		}
	}
}

func TestRandomOps(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 42))
			data := make([]byte, 4*60)
			for i := range data {
				data[i] = byte(r.UintN(256))
			}
			runOps(t, data)
		})
	}
}

func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 1, 1, 2, 3, 2, 7, 7, 2, 6, 3, 0, 0, 7, 1, 0, 0})
	f.Add([]byte{0, 4, 0, 0, 1, 4, 1, 1, 0, 9, 3, 2, 7, 0, 1, 1, 6, 1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4*40 {
			data = data[:4*40]
		}
		runOps(t, data)
	})
}
