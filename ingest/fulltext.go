package ingest

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/aggregatord/aggregatord/article"
	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/news"
)

// Articles extracts the article text of a page. *article.Extractor
// implements it; it limits concurrent fetches per host itself.
type Articles interface {
	// ExtractLinked fetches pageURL, a link of the feed at origin, and
	// extracts its article; origin bounds the addresses it may reach.
	ExtractLinked(ctx context.Context, pageURL, origin string) (*article.Article, error)
}

// Full-text policy.
const (
	// MaxFullTextTries bounds extraction attempts per item. An item whose
	// extraction keeps failing keeps its feed text.
	MaxFullTextTries = 3
	// fullTextConcurrency bounds article fetches in flight for one feed;
	// the Extractor's per-host limit applies on top.
	fullTextConcurrency = 4
)

// fillFullText replaces the Content of items with their article text
// where it can: reusing the stored text of an unchanged item, else
// extracting it (at most MaxFullTextTries times per item). The Summary is
// kept. It returns how many items still lack their text and will be tried
// again. A failed extraction never fails the fetch.
func (in *Ingester) fillFullText(ctx context.Context, src config.Source, items []news.Item) (pending int) {
	source := src.Name
	sem := make(chan struct{}, fullTextConcurrency)
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for i := range items {
		it := &items[i]
		if it.Link == "" {
			continue
		}
		stored, ok, err := in.store.ItemByKey(source, it.Key)
		if err == nil && ok && stored.Hash == it.Hash {
			it.FullTextTries = stored.FullTextTries
			if stored.FullText {
				// Unchanged item, text already extracted: keep it, so
				// tagging sees the same text as before.
				it.Content, it.FullText = stored.Content, true
				continue
			}
			if stored.FullTextTries >= MaxFullTextTries {
				continue // given up: keeps its feed text
			}
		}
		it.FullTextTries++
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				return
			}
			a, err := in.articles.ExtractLinked(ctx, it.Link, src.URL)
			if err != nil {
				final := errors.Is(err, article.ErrNotArticle)
				if final {
					it.FullTextTries = MaxFullTextTries
				}
				if it.FullTextTries < MaxFullTextTries {
					mu.Lock()
					pending++
					mu.Unlock()
				}
				in.log.Info("article text not extracted; keeping the feed text",
					slog.String("source", source), slog.String("url", it.Link),
					slog.Int("try", it.FullTextTries), slog.Bool("final", final || it.FullTextTries >= MaxFullTextTries),
					slog.Any("error", err))
				return
			}
			it.Content, it.FullText = a.ContentHTML, true
			if it.Language == "" {
				it.Language = a.Lang
			}
		})
	}
	wg.Wait()
	return pending
}
