package scheduler

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/ingest"
	"github.com/aggregatord/aggregatord/news"
)

// changedRunner reports one changed item per source.
type changedRunner struct{}

func (changedRunner) Run(_ context.Context, src config.Source) ingest.Result {
	return ingest.Result{Source: src.Name, Status: ingest.StatusOK, New: 1, Changed: []news.Item{{Source: src.Name, Key: "k"}}}
}

// TestRunPass checks the order of the results, that onResult sees every
// result whole, and that the results returned do not hold the changed
// items.
func TestRunPass(t *testing.T) {
	for _, tt := range []struct {
		name        string
		sources     int
		concurrency int
	}{
		{"serial", 5, 1},
		{"concurrent", 40, 8},
		{"zero concurrency means one", 3, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var srcs []config.Source
			for i := range tt.sources {
				srcs = append(srcs, config.Source{Name: fmt.Sprintf("s%02d", i)})
			}
			var mu sync.Mutex
			seen := map[string]int{}
			res := RunPass(context.Background(), changedRunner{}, srcs, tt.concurrency, func(r ingest.Result) {
				mu.Lock()
				defer mu.Unlock()
				seen[r.Source] += len(r.Changed)
			})
			if len(res) != len(srcs) {
				t.Fatalf("%d results for %d sources", len(res), len(srcs))
			}
			for i, r := range res {
				if r.Source != srcs[i].Name || r.New != 1 {
					t.Errorf("result %d = %+v, want source %s with New 1", i, r, srcs[i].Name)
				}
				if r.Changed != nil {
					t.Errorf("result %d keeps %d changed items", i, len(r.Changed))
				}
				if seen[r.Source] != 1 {
					t.Errorf("onResult saw %d changed items of %s, want 1", seen[r.Source], r.Source)
				}
			}
		})
	}
}
