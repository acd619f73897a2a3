package stories

import (
	"slices"
	"testing"

	"github.com/aggregatord/aggregatord/internal/corpustest"
	"github.com/aggregatord/aggregatord/news"
)

// corpusItems returns the items of the golden tests (corpustest.Items),
// with the items of the package's test set, sorted by id, in the place of
// the calling package's own.
func corpusItems(t testing.TB) []news.Item {
	t.Helper()
	set := loadItems(t)
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	own := make([]news.Item, 0, len(ids))
	for _, id := range ids {
		own = append(own, *set[id])
	}
	return corpustest.Items(t, own)
}

// benchCorpus returns the items of the corpus benchmarks
// (corpustest.BenchItems).
func benchCorpus(tb testing.TB) []news.Item {
	tb.Helper()
	return corpustest.BenchItems(tb, "testdata/items_ar.txt")
}
