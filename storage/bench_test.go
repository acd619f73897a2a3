package storage

import (
	"fmt"
	"sync"
	"testing"
	"time"

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
