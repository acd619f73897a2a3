package topics

import (
	"testing"

	"github.com/aggregatord/aggregatord/internal/corpustest"
	"github.com/aggregatord/aggregatord/news"
)

// corpusItems returns the items of the golden tests (corpustest.Items),
// with the package's benchmark items in the place of the calling
// package's own.
func corpusItems(t testing.TB) []news.Item {
	t.Helper()
	return corpustest.Items(t, benchItems)
}

// benchCorpus returns the items of the corpus benchmarks
// (corpustest.BenchItems, with stories' Arabic test set).
func benchCorpus(tb testing.TB) []news.Item {
	tb.Helper()
	return corpustest.BenchItems(tb, "../stories/testdata/items_ar.txt")
}

// pieces and generatedItems are corpustest's, for fuzz seeds and
// generated items.
var pieces = corpustest.Pieces()

func generatedItems(n int) []news.Item { return corpustest.Generated(n) }
