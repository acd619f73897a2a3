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
// that fetched it (so it must be safe for concurrent use). It sees the
// whole Result; the Results returned have Changed set to nil, so that a
// pass over thousands of sources does not keep every item it stored in
// memory until it ends (with 2,000 sources of 50 items that was 200 MB of
// live heap, and twice that in peak memory).
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
			res := r.Run(ctx, src)
			if onResult != nil {
				onResult(res)
			}
			res.Changed = nil
			results[i] = res
		})
	}
	wg.Wait()
	return results
}
