// Package ingest runs one fetch of one source through every stage: fetch
// (conditional GET), parse and normalise, tag, and store in a single write
// transaction, then records the outcome in the source's persisted state,
// including failure backoff.
//
// It owns the policy that ties the stages together (when to skip re-parsing,
// how long to back off, when a source is gone) and nothing else: the stages
// themselves live in feeds, topics and storage.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/feeds"
	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/storage"
)

// Fetcher performs HTTP fetches. *feeds.Fetcher implements it.
type Fetcher interface {
	Fetch(ctx context.Context, r feeds.Request) (*feeds.Response, error)
}

// Store persists items and source state. *storage.Store implements it.
type Store interface {
	SourceState(name string) (news.SourceState, error)
	PutSourceState(st news.SourceState) error
	SaveFetch(st news.SourceState, items []news.Item) (storage.SaveResult, error)
	// ItemByKey finds an item's stored copy, so that article text already
	// extracted is reused rather than fetched again.
	ItemByKey(source, key string) (news.Item, bool, error)
}

// Tagger sets an item's Topics. A nil Tagger leaves Topics empty.
type Tagger interface {
	Tag(it *news.Item)
}

// Status is the outcome of one fetch of a source.
type Status string

// Outcomes of Ingester.Run.
const (
	StatusOK          Status = "ok"           // fetched, parsed and stored
	StatusNotModified Status = "not-modified" // 304: nothing to do
	StatusUnchanged   Status = "unchanged"    // 200 with the same body as last time: not re-parsed
	StatusFailed      Status = "failed"       // see Result.Err
	StatusGone        Status = "gone"         // 410 now or before: not fetched until its URL changes
	StatusSkipped     Status = "skipped"      // backing off (see Result.NextDue) or disabled
)

// Result reports one run for one source.
type Result struct {
	Source     string        `json:"source"`
	Status     Status        `json:"status"`
	HTTPStatus int           `json:"http_status,omitempty"`
	New        int           `json:"new"`
	Updated    int           `json:"updated"`
	Duplicate  int           `json:"duplicate"`
	Duration   time.Duration `json:"-"`
	NextDue    time.Time     `json:"next_due,omitzero"`
	Err        error         `json:"-"`
	// Stored is true when the outcome (items and source state) was
	// committed to the store.
	Stored bool `json:"-"`
	// StoreErr is non-nil when writing the outcome to the store failed (a
	// full disk, a file size limit, an I/O error). Err then wraps it too.
	// The daemon reports it on /readyz until a later write succeeds.
	StoreErr error `json:"-"`
	// Changed holds the items that were new or updated, as stored.
	Changed []news.Item `json:"-"`
	// ParseDuration is how long parsing the feed took, a part of
	// Duration; zero when the body was not parsed (304, unchanged body,
	// failed fetch).
	ParseDuration time.Duration `json:"-"`
}

// Failed reports whether the run counts as a failure of the source.
func (r Result) Failed() bool { return r.Status == StatusFailed || r.Status == StatusGone }

// Backoff is the delay policy after consecutive failures: Base doubled per
// failure, capped at Max. A Retry-After from the server lengthens it, up to
// MaxRetryAfter.
type Backoff struct {
	Base          time.Duration
	Max           time.Duration
	MaxRetryAfter time.Duration
}

// DefaultBackoff is used when Options.Backoff is zero: 1m, 2m, 4m … capped at 6h;
// Retry-After honoured up to 24h.
var DefaultBackoff = Backoff{Base: time.Minute, Max: 6 * time.Hour, MaxRetryAfter: 24 * time.Hour}

// Delay returns how long to wait after the n-th consecutive failure (n ≥ 1).
func (b Backoff) Delay(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := b.Base
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Policy is the part of an Ingester's configuration that a config reload
// may change.
type Policy struct {
	// Tagger tags items before they are stored; nil tags nothing.
	Tagger Tagger
	// Retention drops items published longer ago than this before they are
	// stored, so an item pruned from the store does not come back as new
	// while its feed still lists it. 0 keeps everything.
	Retention time.Duration
}

// Options configures an Ingester.
type Options struct {
	Fetcher Fetcher
	Store   Store
	// Articles extracts article text for sources with full_text = true;
	// nil turns full text off.
	Articles Articles
	Policy   Policy
	Backoff  Backoff
	Logger   *slog.Logger
	Now      func() time.Time
}

// Ingester fetches sources into the store. It is safe for concurrent use by
// different sources; the caller must not run the same source twice at once.
type Ingester struct {
	fetcher  Fetcher
	store    Store
	articles Articles
	policy   atomic.Pointer[Policy]
	backoff  Backoff
	log      *slog.Logger
	now      func() time.Time
}

// New returns an Ingester.
func New(o Options) *Ingester {
	in := &Ingester{fetcher: o.Fetcher, store: o.Store, articles: o.Articles, backoff: o.Backoff, log: o.Logger, now: o.Now}
	in.SetPolicy(o.Policy)
	if in.backoff == (Backoff{}) {
		in.backoff = DefaultBackoff
	}
	if in.log == nil {
		in.log = slog.New(slog.DiscardHandler)
	}
	if in.now == nil {
		in.now = time.Now
	}
	return in
}

// SetPolicy replaces the tagger and retention for fetches that start from
// now on. It is safe to call while fetches run.
func (in *Ingester) SetPolicy(p Policy) { in.policy.Store(&p) }

// Run fetches src once, whatever its backoff says, and stores what it finds.
// Errors are reported in the Result and in the source's stored state; Run
// itself never fails. A fetch cut short because ctx ended (the daemon is
// stopping) is reported as failed but not recorded: the source is neither
// marked failed nor backed off, so it is fetched again at the next start.
func (in *Ingester) Run(ctx context.Context, src config.Source) Result {
	start := in.now()
	res := Result{Source: src.Name}
	st, err := in.store.SourceState(src.Name)
	if err != nil {
		res.Status, res.Err = StatusFailed, fmt.Errorf("read state of %s: %w", src.Name, err)
		return in.finish(res, start)
	}
	if st.URL != src.URL {
		// A new or changed URL: forget what we knew about the old one.
		st = news.SourceState{Name: src.Name, URL: src.URL, LastAttempt: st.LastAttempt, LastSuccess: st.LastSuccess}
	}
	if st.Gone {
		res.Status, res.HTTPStatus = StatusGone, http.StatusGone
		res.Err = fmt.Errorf("%s answered 410 Gone: source disabled until its url changes in the config", src.URL)
		return in.finish(res, start)
	}
	st.LastAttempt = start

	req := feeds.Request{URL: src.URL, ETag: st.ETag, LastModified: st.LastModified}
	retryFullText := src.FullText && in.articles != nil && st.FullTextPending > 0
	if retryFullText {
		// Articles are waiting for another extraction attempt: parse the
		// feed even if it has not changed.
		req.ETag, req.LastModified, st.BodyHash = "", "", ""
	}
	resp, err := in.fetcher.Fetch(ctx, req)
	if err != nil && ctx.Err() != nil {
		// Not the source's fault: leave its state as it was.
		res.Status, res.Err = StatusFailed, fmt.Errorf("fetch %s: cancelled: %w", src.Name, err)
		return in.finish(res, start)
	}
	if err != nil {
		return in.fail(res, st, err, start)
	}
	res.HTTPStatus = resp.Status
	st.Status = resp.Status
	if resp.NotModified {
		res.Status = StatusNotModified
		return in.succeed(res, st, nil, start)
	}
	sum := sha256.Sum256(resp.Body)
	bodyHash := hex.EncodeToString(sum[:])
	if bodyHash == st.BodyHash {
		// Same bytes as last time (a server that ignores validators):
		// nothing can have changed, so skip parsing and storing items.
		st.ETag, st.LastModified = resp.ETag, resp.LastModified
		res.Status = StatusUnchanged
		return in.succeed(res, st, nil, start)
	}
	parseStart := time.Now()
	feed, err := feeds.Parse(resp.Body, feeds.ParseOptions{
		ContentType: resp.ContentType,
		URL:         resp.FinalURL,
		Source:      src.Name,
		Tags:        src.Tags,
		Now:         start,
	})
	res.ParseDuration = time.Since(parseStart)
	if err != nil {
		return in.fail(res, st, err, start)
	}
	items := in.prepare(ctx, src, &st, feed.Items, start)
	st.ETag, st.LastModified, st.BodyHash = resp.ETag, resp.LastModified, bodyHash
	st.FeedTitle, st.FeedLink, st.FeedID = feed.Title, feed.Link, feed.ID
	res.Status = StatusOK
	return in.succeed(res, st, items, start)
}

// prepare drops items older than the retention, fetches article text for
// full_text sources, and tags the items, in place.
func (in *Ingester) prepare(ctx context.Context, src config.Source, st *news.SourceState, items []news.Item, now time.Time) []news.Item {
	p := in.policy.Load()
	if p.Retention > 0 {
		cutoff := now.Add(-p.Retention)
		items = slices.DeleteFunc(items, func(it news.Item) bool { return it.Published.Before(cutoff) })
	}
	if src.FullText && in.articles != nil {
		st.FullTextPending = in.fillFullText(ctx, src, items)
	} else {
		st.FullTextPending = 0
	}
	if p.Tagger != nil {
		for i := range items {
			p.Tagger.Tag(&items[i])
		}
	}
	return items
}

// succeed stores items and the state of a successful fetch in one
// transaction.
func (in *Ingester) succeed(res Result, st news.SourceState, items []news.Item, start time.Time) Result {
	st.LastSuccess = start
	st.Error = ""
	st.Failures = 0
	st.NextDue = time.Time{}
	saved, err := in.store.SaveFetch(st, items)
	if err != nil {
		res.Status, res.StoreErr = StatusFailed, err
		res.Err = fmt.Errorf("store %s: %w", res.Source, err)
		return in.finish(res, start)
	}
	res.Stored = true
	res.New, res.Updated, res.Duplicate, res.Changed = saved.New, saved.Updated, saved.Duplicate, saved.Changed
	return in.finish(res, start)
}

// fail records a failed fetch: the error, the backoff and, for 410, that
// the source is gone.
func (in *Ingester) fail(res Result, st news.SourceState, err error, start time.Time) Result {
	res.Status, res.Err = StatusFailed, err
	st.Error = err.Error()
	st.Failures++
	st.Status = 0
	next := start.Add(in.backoff.Delay(st.Failures))
	var se *feeds.StatusError
	if errors.As(err, &se) {
		st.Status, res.HTTPStatus = se.Status, se.Status
		if se.Status == http.StatusGone {
			st.Gone = true
			res.Status = StatusGone
			st.Error = fmt.Sprintf("%s answered 410 Gone: source disabled until its url changes in the config", st.URL)
			res.Err = errors.New(st.Error)
		}
		if !se.RetryAfter.IsZero() {
			ra := se.RetryAfter
			if limit := start.Add(in.backoff.MaxRetryAfter); ra.After(limit) {
				ra = limit
			}
			if ra.After(next) {
				next = ra
			}
		}
	}
	st.NextDue = next
	res.NextDue = next
	if perr := in.store.PutSourceState(st); perr != nil {
		res.StoreErr = perr
		res.Err = errors.Join(err, fmt.Errorf("store state of %s: %w", res.Source, perr))
	} else {
		res.Stored = true
	}
	return in.finish(res, start)
}

func (in *Ingester) finish(res Result, start time.Time) Result {
	res.Duration = in.now().Sub(start)
	attrs := []any{
		slog.String("source", res.Source),
		slog.String("result", string(res.Status)),
		slog.Int("status", res.HTTPStatus),
		slog.Duration("duration", res.Duration),
	}
	if res.Err != nil {
		in.log.Warn("fetch failed", append(attrs, slog.Any("error", res.Err), slog.Time("next_due", res.NextDue))...)
		return res
	}
	in.log.Info("fetched", append(attrs,
		slog.Int("items_new", res.New),
		slog.Int("items_updated", res.Updated),
		slog.Int("items_duplicate", res.Duplicate))...)
	if len(res.Changed) > 0 && in.log.Enabled(context.Background(), slog.LevelDebug) {
		// After the commit: every key listed here is in the store.
		keys := make([]string, len(res.Changed))
		for i, it := range res.Changed {
			keys[i] = it.Key
		}
		in.log.Debug("stored", slog.String("source", res.Source), slog.Any("keys", keys))
	}
	return res
}
