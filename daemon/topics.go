package daemon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/topics"
)

// topicsSetting is the store setting that holds the digest of the topic
// definitions the stored items were last tagged with.
const topicsSetting = "topics-digest"

// TopicsDigest identifies cfg's topic definitions: ids and queries. Items
// tagged under one digest need re-tagging under another.
func TopicsDigest(cfg *config.Config) string {
	h := sha256.New()
	for _, t := range cfg.Topics {
		fmt.Fprintf(h, "%q %q\n", t.ID, t.Query)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// retagger re-tags stored items in the background after the topics change,
// one run at a time; a newer run cancels an older one.
type retagger struct {
	d      *Daemon
	mu     sync.Mutex
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// start re-tags every stored item with tagger unless the store was last
// tagged under digest. It returns at once.
func (r *retagger) start(tagger *topics.Tagger, digest string) {
	stored, err := r.d.store.Setting(topicsSetting)
	if err != nil {
		r.d.log.Error("read topics digest", slog.Any("error", err))
	}
	if err == nil && stored == digest {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		r.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Go(func() {
		defer cancel()
		r.run(ctx, tagger, digest)
	})
}

func (r *retagger) run(ctx context.Context, tagger *topics.Tagger, digest string) {
	log := r.d.log.With(slog.Int("topics", len(tagger.Topics())))
	log.Info("topics changed: re-tagging stored items in the background")
	start := time.Now()
	var dst []string
	changed, err := r.d.store.Retag(func(it *news.Item) []string {
		if ctx.Err() != nil {
			return it.Topics // cancelled: leave the rest as they are, cheaply
		}
		dst = tagger.Match(it, dst[:0])
		return slices.Clone(dst)
	}, func(done, total int) {
		log.Debug("re-tagging", slog.Int("done", done), slog.Int("total", total))
	})
	switch {
	case err != nil:
		log.Error("re-tagging failed; it runs again at the next start", slog.Any("error", err))
		r.d.storeFailed(err)
	case ctx.Err() != nil:
		log.Info("re-tagging superseded or stopped", slog.Int("items_changed", changed))
	default:
		if err := r.d.store.PutSetting(topicsSetting, digest); err != nil {
			log.Error("store topics digest", slog.Any("error", err))
		}
		log.Info("re-tagged", slog.Int("items_changed", changed), slog.Duration("duration", time.Since(start)))
	}
}

// stop cancels a run in flight and waits for it.
func (r *retagger) stop() {
	r.mu.Lock()
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Unlock()
	r.wg.Wait()
}
