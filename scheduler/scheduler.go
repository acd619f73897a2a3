// Package scheduler decides when each source is fetched.
//
// Every enabled source gets a robfig/cron entry on its own schedule (the
// [fetch] default when it has none). Sources that share a schedule are
// spread: each is shifted by a fixed offset derived from its name, so forty
// sources on "*/15 * * * *" do not all fire in the same second. A tick does
// nothing while the source is backing off (its stored NextDue is in the
// future) or still being fetched. All fetches, scheduled or on demand, share
// one concurrency limit.
//
// On Start and Reload a source is fetched at once only if it is overdue: it
// was never fetched, or its schedule would have fired since its stored last
// attempt. Retention pruning runs on its own schedule.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/ingest"
	"github.com/aggregatord/aggregatord/news"
)

// Runner fetches one source. *ingest.Ingester implements it.
type Runner interface {
	Run(ctx context.Context, src config.Source) ingest.Result
}

// States reads persisted source state. *storage.Store implements it.
type States interface {
	SourceState(name string) (news.SourceState, error)
}

// Options configures a Scheduler.
type Options struct {
	Runner Runner
	States States
	// Prune is called on the config's [storage] prune_schedule. May be nil.
	Prune func(ctx context.Context)
	// OnResult, if set, is called after every fetch (scheduled or not).
	OnResult func(ingest.Result)
	// MaxSpread bounds the per-source offset; default 5 minutes, never more
	// than the schedule's own period.
	MaxSpread time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
}

// ErrStopped is returned by RunNow after Stop.
var ErrStopped = errors.New("scheduler stopped")

// Scheduler runs fetches on schedule. Create it with New, then Start it.
type Scheduler struct {
	o   Options
	log *slog.Logger
	now func() time.Time

	ctx    context.Context // cancelled by Stop: aborts fetches in flight
	cancel context.CancelFunc
	wg     sync.WaitGroup // fetch goroutines started outside cron

	mu       sync.Mutex
	cron     *cron.Cron
	cfg      *config.Config
	sem      chan struct{}
	running  map[string]bool // sources being fetched now
	schedule map[string]cron.Schedule
	started  bool
	stopped  bool
}

// New returns a Scheduler that is not yet running.
func New(o Options) *Scheduler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxSpread <= 0 {
		o.MaxSpread = 5 * time.Minute
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{o: o, log: o.Logger, now: o.Now, ctx: ctx, cancel: cancel, running: map[string]bool{}}
}

// Start schedules cfg's sources and fetches the overdue ones now.
func (s *Scheduler) Start(cfg *config.Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return errors.New("scheduler: Start called twice")
	}
	s.started = true
	return s.install(cfg)
}

// Reload replaces the sources and schedules with cfg's. Fetches in flight
// finish; sources that are new or overdue under cfg are fetched now.
func (s *Scheduler) Reload(cfg *config.Config) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return ErrStopped
	}
	old := s.cron
	if err := s.install(cfg); err != nil {
		return err
	}
	if old != nil {
		old.Stop() // running jobs finish on their own; no need to wait here
	}
	return nil
}

// install builds a cron for cfg and starts it. Caller holds s.mu.
func (s *Scheduler) install(cfg *config.Config) error {
	c := cron.New(
		cron.WithLocation(time.UTC),
		cron.WithChain(cron.Recover(cronLogger{s.log})),
		cron.WithLogger(cronLogger{s.log}),
	)
	schedules := map[string]cron.Schedule{}
	var overdue []config.Source
	now := s.now()
	for _, src := range cfg.Sources {
		if !src.Enabled {
			continue
		}
		spec := src.Schedule
		if spec == "" {
			spec = cfg.Fetch.Schedule
		}
		base, err := cron.ParseStandard(spec)
		if err != nil {
			return fmt.Errorf("source %s: schedule %q: %w", src.Name, spec, err)
		}
		sched := Spread(base, src.Name, s.o.MaxSpread, now)
		schedules[src.Name] = sched
		c.Schedule(sched, cron.FuncJob(func() { s.tick(src) }))
		if s.overdue(src, sched, now) {
			overdue = append(overdue, src)
		}
	}
	if s.o.Prune != nil && cfg.Storage.PruneSchedule != "" {
		if _, err := c.AddFunc(cfg.Storage.PruneSchedule, func() { s.o.Prune(s.ctx) }); err != nil {
			return fmt.Errorf("storage prune_schedule %q: %w", cfg.Storage.PruneSchedule, err)
		}
	}
	if s.sem == nil || cap(s.sem) != cfg.Fetch.Concurrency {
		// Fetches holding the old semaphore release into it; the new limit
		// applies to fetches that start from now on.
		s.sem = make(chan struct{}, max(cfg.Fetch.Concurrency, 1))
	}
	s.cron, s.cfg, s.schedule = c, cfg, schedules
	c.Start()
	for _, src := range overdue {
		s.log.Info("source overdue, fetching now", slog.String("source", src.Name))
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.tick(src)
		}()
	}
	return nil
}

// overdue reports whether src should be fetched now rather than at its
// next tick: never attempted, or a tick was missed since the last attempt.
func (s *Scheduler) overdue(src config.Source, sched cron.Schedule, now time.Time) bool {
	st, err := s.o.States.SourceState(src.Name)
	if err != nil {
		s.log.Warn("read source state", slog.String("source", src.Name), slog.Any("error", err))
		return true
	}
	if st.LastAttempt.IsZero() || st.URL != src.URL {
		return true
	}
	if now.Before(st.NextDue) {
		return false
	}
	return !sched.Next(st.LastAttempt).After(now)
}

// tick is one scheduled firing for src.
func (s *Scheduler) tick(src config.Source) {
	st, err := s.o.States.SourceState(src.Name)
	if err == nil && s.now().Before(st.NextDue) && st.URL == src.URL {
		s.log.Debug("backing off", slog.String("source", src.Name), slog.Time("next_due", st.NextDue))
		return
	}
	if _, ok := s.run(s.ctx, src, false); !ok {
		s.log.Debug("skipped: fetch already in flight", slog.String("source", src.Name))
	}
}

// run fetches src under the concurrency limit. If wait is false and src is
// already being fetched it returns at once with ok=false; if wait is true it
// waits for that fetch to finish and then fetches again.
func (s *Scheduler) run(ctx context.Context, src config.Source, wait bool) (ingest.Result, bool) {
	for {
		s.mu.Lock()
		if s.stopped {
			s.mu.Unlock()
			return ingest.Result{Source: src.Name, Status: ingest.StatusFailed, Err: ErrStopped}, true
		}
		if !s.running[src.Name] {
			s.running[src.Name] = true
			break
		}
		s.mu.Unlock()
		if !wait {
			return ingest.Result{}, false
		}
		select {
		case <-ctx.Done():
			return ingest.Result{Source: src.Name, Status: ingest.StatusFailed, Err: ctx.Err()}, true
		case <-time.After(50 * time.Millisecond):
		}
	}
	sem := s.sem
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, src.Name)
		s.mu.Unlock()
	}()

	select {
	case sem <- struct{}{}:
		defer func() { <-sem }()
	case <-ctx.Done():
		return ingest.Result{Source: src.Name, Status: ingest.StatusFailed, Err: ctx.Err()}, true
	}
	res := s.o.Runner.Run(ctx, src)
	if s.o.OnResult != nil {
		s.o.OnResult(res)
	}
	return res, true
}

// RunNow fetches the named sources (all enabled sources when names is
// empty) now, concurrently under the shared limit, and returns when all are
// done, in the order of the config. Unknown names are an error. A fetch of
// a source already in flight waits for it and then fetches again.
func (s *Scheduler) RunNow(ctx context.Context, names []string) ([]ingest.Result, error) {
	s.mu.Lock()
	cfg, stopped := s.cfg, s.stopped
	s.mu.Unlock()
	if stopped {
		return nil, ErrStopped
	}
	if cfg == nil {
		return nil, errors.New("scheduler: not started")
	}
	srcs, err := Select(cfg, names)
	if err != nil {
		return nil, err
	}
	// Stop also aborts on-demand fetches.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()

	results := make([]ingest.Result, len(srcs))
	var wg sync.WaitGroup
	for i, src := range srcs {
		wg.Go(func() {
			results[i], _ = s.run(ctx, src, true)
		})
	}
	wg.Wait()
	return results, nil
}

// Select returns the sources of cfg named by names, in config order; all
// enabled sources when names is empty. Naming a disabled source selects it.
func Select(cfg *config.Config, names []string) ([]config.Source, error) {
	if len(names) == 0 {
		var out []config.Source
		for _, src := range cfg.Sources {
			if src.Enabled {
				out = append(out, src)
			}
		}
		return out, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		if _, ok := cfg.Source(n); !ok {
			return nil, fmt.Errorf("unknown source %q", n)
		}
		want[n] = true
	}
	var out []config.Source
	for _, src := range cfg.Sources {
		if want[src.Name] {
			out = append(out, src)
		}
	}
	return out, nil
}

// NextDue returns when src will next be fetched: its next schedule tick,
// or later if it is backing off. Zero if the source is not scheduled.
func (s *Scheduler) NextDue(name string) time.Time {
	s.mu.Lock()
	sched, ok := s.schedule[name]
	s.mu.Unlock()
	if !ok {
		return time.Time{}
	}
	now := s.now()
	next := sched.Next(now)
	if st, err := s.o.States.SourceState(name); err == nil {
		if st.Gone {
			return time.Time{}
		}
		for next.Before(st.NextDue) {
			next = sched.Next(next)
		}
	}
	return next
}

// Running reports whether the scheduler has been started and not stopped.
func (s *Scheduler) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started && !s.stopped
}

// Stop stops scheduling, cancels fetches in flight and waits for them to
// return, or for ctx to end.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	c := s.cron
	s.mu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() {
		if c != nil {
			<-c.Stop().Done()
		}
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("scheduler stop: %w", ctx.Err())
	}
}

// Spread returns sched shifted later by a fixed offset derived from name,
// less than both maxSpread and the schedule's period (measured at now).
func Spread(sched cron.Schedule, name string, maxSpread time.Duration, now time.Time) cron.Schedule {
	h := fnv.New64a()
	h.Write([]byte(name))
	sum := h.Sum64()
	if every, ok := sched.(cron.ConstantDelaySchedule); ok {
		// "@every D" counts from whenever the entry was added, so every
		// source added at start-up would fire together. Anchor it instead to
		// a phase of its own, which also keeps it stable across restarts.
		period := max(every.Delay, time.Second)
		offset := time.Duration(sum%uint64(min(maxSpread, period)/time.Second+1)) * time.Second
		return phased{period: period, offset: offset}
	}
	first := sched.Next(now)
	period := sched.Next(first).Sub(first)
	window := min(maxSpread, period)
	if window < 2*time.Second {
		return sched
	}
	offset := time.Duration(sum%uint64(window/time.Second)) * time.Second
	return spread{sched: sched, offset: offset}
}

// phased fires every period, at offset past each multiple of period since
// the Unix epoch.
type phased struct {
	period, offset time.Duration
}

// Next returns the first firing strictly after t.
func (p phased) Next(t time.Time) time.Time {
	since := t.Sub(time.Unix(0, 0).Add(p.offset))
	n := since / p.period
	if since >= 0 {
		n++
	}
	return time.Unix(0, 0).Add(p.offset).Add(n * p.period).In(t.Location())
}

type spread struct {
	sched  cron.Schedule
	offset time.Duration
}

// Next returns the inner schedule's next time after t-offset, plus offset.
func (s spread) Next(t time.Time) time.Time {
	return s.sched.Next(t.Add(-s.offset)).Add(s.offset)
}

// cronLogger adapts slog to cron.Logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, slog.Any("error", err))...)
}
