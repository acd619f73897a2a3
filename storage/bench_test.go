package storage

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aggregatord/aggregatord/news"
)

// fill stores n items from 10 sources, 1000 per SaveFetch, one second
// apart, with realistic text sizes.
func fill(tb testing.TB, s *testStore, n int) {
	tb.Helper()
	body := "Lorem ipsum dolor sit amet, consectetur adipiscing elit. "
	for len(body) < 1500 {
		body += body
	}
	for start := 0; start < n; start += 1000 {
		batch := make([]news.Item, 0, 1000)
		for i := start; i < min(n, start+1000); i++ {
			k := fmt.Sprintf("fill-%d", i)
			it := item(k, "https://example.com/fill/"+k, "Filler headline number "+k, t0.Add(-time.Duration(n-i)*time.Second))
			it.Summary = body
			it.Topics = []string{fmt.Sprintf("topic-%d", i%5)}
			batch = append(batch, it)
		}
		s.save(fmt.Sprintf("src-%d", start/1000%10), batch...)
	}
}

func BenchmarkSaveFetch(b *testing.B) {
	for _, kind := range []string{"new", "duplicate"} {
		b.Run(kind+"/50-into-10k", func(b *testing.B) {
			s := mustOpen(b)
			fill(b, s, 10_000)
			dup := feed("dup", 50, t0)
			s.save("feed", dup...)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				items := dup
				if kind == "new" {
					items = feed(fmt.Sprintf("n%d-", i), 50, t0)
				}
				if _, err := s.SaveFetch(news.SourceState{Name: "feed"}, items); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLatest(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		s := mustOpen(b)
		fill(b, s, n)
		for _, idx := range []Index{AllIndex(), SourceIndex("src-3"), TopicIndex("topic-2")} {
			b.Run(fmt.Sprintf("%s/%dk/first-page", idx, n/1000), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					items, _, err := s.Latest(idx, "", 50)
					if err != nil || len(items) != 50 {
						b.Fatal(len(items), err)
					}
				}
			})
		}
		// A page from deep inside the index costs the same as the first.
		_, deep, err := s.Latest(AllIndex(), "", n/2)
		if err != nil || deep == "" {
			b.Fatal(deep, err)
		}
		b.Run(fmt.Sprintf("all/%dk/middle-page", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				items, _, err := s.Latest(AllIndex(), deep, 50)
				if err != nil || len(items) != 50 {
					b.Fatal(len(items), err)
				}
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	s := mustOpen(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				items := feed(fmt.Sprintf("w%d-%d-", w, i), 20, t0.Add(-time.Duration(i)*time.Hour))
				// Every writer shares some links with the others.
				items[0].Link = fmt.Sprintf("https://example.com/shared/%d", i)
				if _, err := s.SaveFetch(news.SourceState{Name: fmt.Sprintf("w%d", w)}, items); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				var after Cursor
				for {
					page, next, err := s.Latest(AllIndex(), after, 7)
					if err != nil {
						t.Error(err)
						return
					}
					_ = page
					if next == "" {
						break
					}
					after = next
				}
				_ = s.Generation()
				_ = s.LastChange()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 5 {
			if _, err := s.Prune(5*time.Hour, 30); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	s.mustCheck()
}

// newsText returns n words drawn from a Zipf-distributed vocabulary of
// 3000 words, so that texts share common words and phrases as news does.
func newsText(z *rand.Zipf, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = fmt.Sprintf("w%d", z.Uint64())
	}
	return strings.Join(ws, " ")
}

// fillStories stores n items from 20 sources with grouping on, one a
// minute up to t0, 500 per SaveFetch; every 10th item is another outlet's
// copy of the item before it.
func fillStories(tb testing.TB, s *testStore, n int) {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.1, 2, 2999)
	var prev news.Item
	batches := make([][]news.Item, 20)
	for i := range n {
		k := fmt.Sprintf("fill-%d", i)
		it := news.Item{Key: k, Link: "https://example.com/fill/" + k, Published: t0.Add(-time.Duration(n-i) * time.Minute)}
		if i%10 == 9 {
			it.Title, it.Content = "Another headline for "+prev.Title, prev.Content
		} else {
			it.Title, it.Content = newsText(z, 8), "<p>"+newsText(z, 80)+"</p>"
		}
		it.Hash = "h:" + k
		batches[i%20] = append(batches[i%20], it)
		prev = it
		if i%500 == 499 || i == n-1 {
			for j, items := range batches {
				s.save(fmt.Sprintf("src-%d", j), items...)
				batches[j] = nil
			}
		}
	}
}

// BenchmarkStoryLookup measures finding the story of a new item (the
// candidate search SaveFetch runs for each new item) in stores of 10k and
// 100k items published one a minute: the window (72h, 4,320 items before
// the newest) is the same, and so is the work. "examined/op" counts the
// near-index entries read; 200 probes, other outlets' copies of recent
// items, take turns.
func BenchmarkStoryLookup(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			s := mustOpen(b)
			s.SetStories(Stories{Enabled: true})
			s.db.NoSync = true // filling only; the file is thrown away
			fillStories(b, s, n)
			s.db.NoSync = false
			// 200 probes: other outlets' copies of recent items.
			var probes []copyRec
			for j := range 200 {
				it, ok, err := s.Item(uint64(n - 3*j))
				if !ok || err != nil {
					b.Fatalf("item %d: %v, %v", n-3*j, ok, err)
				}
				p := news.Item{Source: "probe", Key: "probe", Title: "Probe " + it.Title, Content: it.Content, Published: it.Published}
				probes = append(probes, copyFromItem(&p))
			}
			opt := *s.stories.Load()
			errRollback := errors.New("rollback")
			examined, found := 0, 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				err := s.db.Update(func(tx *bolt.Tx) error {
					t := newTxn(tx, t0, opt, s.near)
					e := &entry{id: 1 << 62, rec: &record{Copies: []copyRec{probes[i%len(probes)]}}}
					if err := t.group(e); err != nil {
						return err
					}
					examined += t.examined
					if e.rec.Story != 0 {
						found++
					}
					return errRollback
				})
				if !errors.Is(err, errRollback) {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(examined)/float64(b.N), "examined/op")
			if found != b.N {
				b.Fatalf("probe found its story %d of %d times", found, b.N)
			}
		})
	}
}
