package scheduler

import (
	"context"
	"sync"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/ingest"
)

// RunPass fetches srcs once with at most concurrency fetches in flight and
// returns their results in the order of srcs. It is the one-shot pass of
// `aggregatord fetch`; a running daemon uses Scheduler.RunNow, which shares
// the daemon's limit and never fetches one source twice at once.
//
// onResult, if not nil, is called after each source, from the goroutine
// that fetched it (so it must be safe for concurrent use).
func RunPass(ctx context.Context, r Runner, srcs []config.Source, concurrency int, onResult func(ingest.Result)) []ingest.Result {
	results := make([]ingest.Result, len(srcs))
	sem := make(chan struct{}, max(concurrency, 1))
	var wg sync.WaitGroup
	for i, src := range srcs {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				results[i] = ingest.Result{Source: src.Name, Status: ingest.StatusFailed, Err: ctx.Err()}
				return
			}
			results[i] = r.Run(ctx, src)
			if onResult != nil {
				onResult(results[i])
			}
		})
	}
	wg.Wait()
	return results
}
