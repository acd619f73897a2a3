package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/ingest"
	"github.com/aggregatord/aggregatord/news"
)

// recorder is a Runner that records calls and tracks concurrency.
type recorder struct {
	mu       sync.Mutex
	calls    map[string]int
	inFlight atomic.Int32
	peak     atomic.Int32
	delay    time.Duration
}

func (r *recorder) Run(ctx context.Context, src config.Source) ingest.Result {
	n := r.inFlight.Add(1)
	defer r.inFlight.Add(-1)
	for {
		p := r.peak.Load()
		if n <= p || r.peak.CompareAndSwap(p, n) {
			break
		}
	}
	select {
	case <-time.After(r.delay):
	case <-ctx.Done():
		return ingest.Result{Source: src.Name, Status: ingest.StatusFailed, Err: ctx.Err()}
	}
	r.mu.Lock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[src.Name]++
	r.mu.Unlock()
	return ingest.Result{Source: src.Name, Status: ingest.StatusOK}
}

func (r *recorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[name]
}

// states is an in-memory States.
type states map[string]news.SourceState

func (s states) SourceState(name string) (news.SourceState, error) {
	st, ok := s[name]
	if !ok {
		st.Name = name
	}
	return st, nil
}

func testConfig(n int, schedule string) *config.Config {
	cfg := &config.Config{Fetch: config.Fetch{Schedule: schedule, Concurrency: 2}}
	for i := range n {
		name := string(rune('a' + i))
		cfg.Sources = append(cfg.Sources, config.Source{Name: name, URL: "http://127.0.0.1/" + name, Enabled: true})
	}
	return cfg
}

func TestSpreadSpreadsSameSchedule(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 0, 30, 0, time.UTC)
	for _, spec := range []string{"*/15 * * * *", "@every 10m", "@hourly"} {
		t.Run(spec, func(t *testing.T) {
			base, err := cron.ParseStandard(spec)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[time.Time]bool{}
			for _, name := range []string{"rudaw", "kurdistan24", "shafaq", "al-monitor", "aljazeera", "asharq", "tehran-times", "bbc"} {
				s := Spread(base, name, 5*time.Minute, now)
				next := s.Next(now)
				if !next.After(now) {
					t.Fatalf("%s: next %v not after now", name, next)
				}
				if again := Spread(base, name, 5*time.Minute, now.Add(time.Hour)).Next(now); !again.Equal(next) {
					t.Errorf("%s: offset not stable: %v vs %v", name, next, again)
				}
				seen[next] = true
			}
			if len(seen) < 6 {
				t.Errorf("8 sources fire at only %d distinct times", len(seen))
			}
		})
	}
}

func TestSpreadKeepsPeriod(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	for _, spec := range []string{"*/15 * * * *", "@every 10m", "@every 90s"} {
		base, _ := cron.ParseStandard(spec)
		s := Spread(base, "rudaw", 5*time.Minute, now)
		a := s.Next(now)
		b := s.Next(a)
		c := s.Next(b)
		if b.Sub(a) != c.Sub(b) || b.Sub(a) <= 0 {
			t.Errorf("%s: uneven period %v, %v", spec, b.Sub(a), c.Sub(b))
		}
		if a.Sub(now) > b.Sub(a) {
			t.Errorf("%s: first run %v later than one period %v", spec, a.Sub(now), b.Sub(a))
		}
	}
}

func TestOverdue(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	base, _ := cron.ParseStandard("@every 15m")
	src := config.Source{Name: "rudaw", URL: "http://127.0.0.1/feed", Enabled: true}
	sched := Spread(base, src.Name, 5*time.Minute, now)
	tests := []struct {
		name string
		st   news.SourceState
		want bool
	}{
		{"never fetched", news.SourceState{}, true},
		{"fetched a minute ago", news.SourceState{URL: src.URL, LastAttempt: now.Add(-time.Minute)}, false},
		{"fetched an hour ago", news.SourceState{URL: src.URL, LastAttempt: now.Add(-time.Hour)}, true},
		{"url changed", news.SourceState{URL: "http://127.0.0.1/old", LastAttempt: now.Add(-time.Minute)}, true},
		{"backing off", news.SourceState{URL: src.URL, LastAttempt: now.Add(-time.Hour), NextDue: now.Add(time.Hour)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.st.Name = src.Name
			s := New(Options{States: states{src.Name: tt.st}, Now: func() time.Time { return now }})
			if got := s.overdue(src, sched, now); got != tt.want {
				t.Errorf("overdue = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStartFetchesOnlyOverdue(t *testing.T) {
	now := time.Now()
	cfg := testConfig(3, "@every 1h")
	st := states{
		"a": {Name: "a", URL: cfg.Sources[0].URL, LastAttempt: now.Add(-time.Minute)},   // fresh
		"b": {Name: "b", URL: cfg.Sources[1].URL, LastAttempt: now.Add(-3 * time.Hour)}, // overdue
		// "c" never fetched
	}
	r := &recorder{}
	s := New(Options{Runner: r, States: st})
	if err := s.Start(cfg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return r.count("b") == 1 && r.count("c") == 1 })
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.count("a") != 0 {
		t.Errorf("fresh source a fetched at start")
	}
}

func TestRunNowConcurrencyLimit(t *testing.T) {
	cfg := testConfig(6, "@every 1h")
	r := &recorder{delay: 30 * time.Millisecond}
	// Every source fresh, so Start fetches nothing by itself.
	st := states{}
	for _, src := range cfg.Sources {
		st[src.Name] = news.SourceState{Name: src.Name, URL: src.URL, LastAttempt: time.Now()}
	}
	s := New(Options{Runner: r, States: st})
	if err := s.Start(cfg); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	res, err := s.RunNow(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 6 {
		t.Fatalf("%d results, want 6", len(res))
	}
	for i, r := range res {
		if r.Source != cfg.Sources[i].Name || r.Status != ingest.StatusOK {
			t.Errorf("result %d = %+v", i, r)
		}
	}
	if p := r.peak.Load(); p > 2 {
		t.Errorf("peak concurrency %d > limit 2", p)
	}
	if _, err := s.RunNow(context.Background(), []string{"nope"}); err == nil {
		t.Error("unknown source accepted")
	}
}

func TestTickSkipsWhileBackingOff(t *testing.T) {
	cfg := testConfig(1, "@every 1h")
	src := cfg.Sources[0]
	st := states{src.Name: {Name: src.Name, URL: src.URL, LastAttempt: time.Now(), NextDue: time.Now().Add(time.Hour)}}
	r := &recorder{}
	s := New(Options{Runner: r, States: st})
	if err := s.Start(cfg); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	s.tick(src)
	if r.count(src.Name) != 0 {
		t.Error("tick fetched a source that is backing off")
	}
	st[src.Name] = news.SourceState{Name: src.Name, URL: src.URL, LastAttempt: time.Now()}
	s.tick(src)
	if r.count(src.Name) != 1 {
		t.Error("tick did not fetch once backoff ended")
	}
}

func TestStopCancelsFetches(t *testing.T) {
	cfg := testConfig(2, "@every 1h")
	r := &recorder{delay: time.Hour}
	s := New(Options{Runner: r, States: states{}})
	if err := s.Start(cfg); err != nil { // both never fetched: start now
		t.Fatal(err)
	}
	waitFor(t, func() bool { return r.inFlight.Load() == 2 })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if r.inFlight.Load() != 0 {
		t.Error("fetches still in flight after Stop")
	}
	if _, err := s.RunNow(context.Background(), nil); err == nil {
		t.Error("RunNow after Stop succeeded")
	}
}

func TestReloadAddsSource(t *testing.T) {
	cfg := testConfig(1, "@every 1h")
	st := states{"a": {Name: "a", URL: cfg.Sources[0].URL, LastAttempt: time.Now()}}
	r := &recorder{}
	s := New(Options{Runner: r, States: st})
	if err := s.Start(cfg); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	cfg2 := testConfig(2, "@every 1h")
	if err := s.Reload(cfg2); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return r.count("b") == 1 })
	if r.count("a") != 0 {
		t.Error("reload refetched a fresh source")
	}
	if s.NextDue("b").IsZero() {
		t.Error("new source has no next due time")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
