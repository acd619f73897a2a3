// Package daemon wires the stages of aggregatord into a running service:
// the store, the fetcher and ingester, the scheduler, the public HTTP
// server (feeds, page, health, metrics) and the admin API. cmd/aggregatord
// parses flags and signals and calls into it; tests run it in-process.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/aggregatord/aggregatord/admin"
	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/feeds"
	"github.com/aggregatord/aggregatord/ingest"
	"github.com/aggregatord/aggregatord/publish"
	"github.com/aggregatord/aggregatord/scheduler"
	"github.com/aggregatord/aggregatord/storage"
)

// Options configures a Daemon beyond its config file.
type Options struct {
	// Version is reported in the User-Agent and /metrics.
	Version string
	Logger  *slog.Logger
	// ShutdownTimeout bounds how long Serve waits for requests and fetches
	// in flight after its context ends; default 15s.
	ShutdownTimeout time.Duration
}

// Daemon is aggregatord's store, pipeline and servers for one config.
type Daemon struct {
	opt      Options
	log      *slog.Logger
	store    *storage.Store
	ingester *ingest.Ingester
	sched    *scheduler.Scheduler
	public   *publish.Handler
	admin    *admin.Handler
	registry *prometheus.Registry
	metrics  *fetchMetrics

	mu  sync.Mutex
	cfg *config.Config
}

// Open opens the store named by cfg and builds every stage. The caller
// must Close the Daemon; Serve runs it.
func Open(cfg *config.Config, o Options) (*Daemon, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 15 * time.Second
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	st, err := storage.Open(cfg.Storage.Path, storage.Options{Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	d := &Daemon{opt: o, log: o.Logger, store: st, cfg: cfg, registry: prometheus.NewRegistry()}
	d.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	d.metrics = newFetchMetrics(d.registry, st)

	d.ingester = ingest.New(ingest.Options{
		Fetcher: feeds.NewFetcher(feeds.FetcherOptions{
			UserAgent:    UserAgent(cfg, o.Version),
			Timeout:      cfg.Fetch.Timeout,
			MaxBodyBytes: cfg.Fetch.MaxBodyBytes,
		}),
		Store:  st,
		Policy: policy(cfg),
		Logger: o.Logger,
	})
	d.sched = scheduler.New(scheduler.Options{
		Runner:   d.ingester,
		States:   st,
		Prune:    d.prune,
		OnResult: d.metrics.observe,
		Logger:   o.Logger,
	})
	d.public = publish.NewHandler(publish.Options{
		Store:   storeAdapter{st},
		Site:    site(cfg),
		Logger:  o.Logger,
		Ready:   d.ready,
		Metrics: promhttp.HandlerFor(d.registry, promhttp.HandlerOpts{}),
	})
	d.admin = admin.NewHandler(admin.Options{Refresher: d.sched, Store: st, Sources: cfg.Sources, Logger: o.Logger})
	return d, nil
}

// UserAgent is the User-Agent header for cfg: [fetch] user_agent, else
// "aggregatord/VERSION (+BASE_URL)".
func UserAgent(cfg *config.Config, version string) string {
	if cfg.Fetch.UserAgent != "" {
		return cfg.Fetch.UserAgent
	}
	return fmt.Sprintf("aggregatord/%s (+%s)", version, cfg.Server.BaseURL)
}

// Store returns the daemon's open store.
func (d *Daemon) Store() *storage.Store { return d.store }

// Config returns the config in force.
func (d *Daemon) Config() *config.Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg
}

// FetchOnce fetches the named sources (all enabled ones if names is empty)
// once, without starting the scheduler, and returns their results in
// config order.
func (d *Daemon) FetchOnce(ctx context.Context, names []string) ([]ingest.Result, error) {
	cfg := d.Config()
	srcs, err := scheduler.Select(cfg, names)
	if err != nil {
		return nil, err
	}
	return scheduler.RunPass(ctx, d.ingester, srcs, cfg.Fetch.Concurrency), nil
}

// Reload switches to cfg: new sources, schedules, topics and site details.
// Listener addresses and the storage path are fixed for the life of the
// process; a change to them is logged and ignored until restart.
func (d *Daemon) Reload(cfg *config.Config) error {
	d.mu.Lock()
	old := d.cfg
	d.mu.Unlock()
	if cfg.Server.Listen != old.Server.Listen || cfg.Server.AdminListen != old.Server.AdminListen || cfg.Storage.Path != old.Storage.Path {
		d.log.Warn("listen, admin_listen and storage path changes take effect at restart")
	}
	if err := d.sched.Reload(cfg); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	d.ingester.SetPolicy(policy(cfg))
	d.public.SetSite(site(cfg))
	d.admin.SetSources(cfg.Sources)
	d.mu.Lock()
	d.cfg = cfg
	d.mu.Unlock()
	d.log.Info("config reloaded", slog.Int("sources", len(cfg.Sources)), slog.Int("topics", len(cfg.Topics)))
	return nil
}

// Serve listens on the configured addresses, starts the scheduler, and
// blocks until ctx ends; then it shuts down gracefully. Use Listen to bind
// first when the caller needs the addresses (tests, the demo).
func (d *Daemon) Serve(ctx context.Context) error {
	ls, err := d.Listen()
	if err != nil {
		return err
	}
	return d.ServeListeners(ctx, ls)
}

// Listeners are the bound sockets of the public and admin servers. Admin
// is nil when the admin API is off.
type Listeners struct {
	Public, Admin net.Listener
}

// Listen binds the configured public and admin addresses.
func (d *Daemon) Listen() (Listeners, error) {
	cfg := d.Config()
	var ls Listeners
	var err error
	if ls.Public, err = net.Listen("tcp", cfg.Server.Listen); err != nil {
		return ls, fmt.Errorf("listen %s: %w", cfg.Server.Listen, err)
	}
	if cfg.Server.AdminListen != "" {
		if ls.Admin, err = net.Listen("tcp", cfg.Server.AdminListen); err != nil {
			ls.Public.Close()
			return ls, fmt.Errorf("admin_listen %s: %w", cfg.Server.AdminListen, err)
		}
	}
	return ls, nil
}

// ServeListeners is Serve on already bound listeners.
func (d *Daemon) ServeListeners(ctx context.Context, ls Listeners) error {
	if err := d.sched.Start(d.Config()); err != nil {
		ls.Public.Close()
		if ls.Admin != nil {
			ls.Admin.Close()
		}
		return err
	}
	servers := []*http.Server{newServer(d.public, d.log, time.Minute)}
	listeners := []net.Listener{ls.Public}
	if ls.Admin != nil {
		// Refresh and backup can take a while: longer write timeout.
		servers = append(servers, newServer(d.admin, d.log, 30*time.Minute))
		listeners = append(listeners, ls.Admin)
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		d.log.Info("listening", slog.String("addr", listeners[i].Addr().String()), slog.Bool("admin", i == 1))
		go func() {
			if err := srv.Serve(listeners[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	d.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), d.opt.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
			srv.Close()
		}
	}
	if err := d.sched.Stop(sctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(append([]error{serveErr}, errs...)...)
}

// Close closes the store. Call it after Serve returns.
func (d *Daemon) Close() error { return d.store.Close() }

func newServer(h http.Handler, log *slog.Logger, writeTimeout time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

func (d *Daemon) ready() error {
	if !d.sched.Running() {
		return errors.New("scheduler not running")
	}
	return nil
}

func (d *Daemon) prune(ctx context.Context) {
	cfg := d.Config()
	n, err := d.store.Prune(cfg.Storage.Retention, cfg.Storage.MaxItemsPerSource)
	if err != nil {
		d.log.Error("prune failed", slog.Any("error", err))
		return
	}
	d.log.Info("pruned", slog.Int("items", n))
}

// policy is the ingest policy of cfg.
func policy(cfg *config.Config) ingest.Policy {
	return ingest.Policy{Retention: cfg.Storage.Retention}
}

// site describes cfg to the publisher.
func site(cfg *config.Config) publish.Site {
	s := publish.Site{Title: cfg.Server.Title, BaseURL: cfg.Server.BaseURL, CacheMaxAge: cfg.Server.CacheMaxAge}
	for _, src := range cfg.Sources {
		s.Sources = append(s.Sources, publish.SourceInfo{Name: src.Name, Title: src.Title, URL: src.URL, Tags: src.Tags, Enabled: src.Enabled})
	}
	for _, t := range cfg.Topics {
		s.Topics = append(s.Topics, publish.TopicInfo{ID: t.ID, Title: t.Title})
	}
	return s
}
