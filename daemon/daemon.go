// Package daemon wires the stages of aggregatord into a running service:
// the store, the fetcher and ingester, the scheduler, the public HTTP
// server (feeds, page, health, metrics) and the admin API. cmd/aggregatord
// parses flags and signals and calls into it; tests run it in-process.
//
// # HTTP servers
//
// Both listeners run an http.Server with read-header, read, write and idle
// timeouts and a header size limit (HTTPLimits; oversized headers answer
// 431). In front of the routes, every request passes two checks:
//
//   - A request line longer than HTTPLimits.MaxURIBytes answers 414.
//   - The Host header must name this server: the host of [server] base_url,
//     the host of listen or admin_listen, "localhost", or an IP address of
//     the socket the request came in on (so 127.0.0.1:PORT, [::1]:PORT and
//     the machine's own address work). Ports are not compared. Any other
//     name answers 421 Misdirected Request. This defeats DNS rebinding (a
//     web page whose own name resolves to 127.0.0.1 cannot read the admin
//     API or the feeds through a visitor's browser). A reverse proxy in
//     front must pass the public Host (nginx: proxy_set_header Host $host),
//     which is base_url's host.
//
// The admin API is only ever served on admin_listen; /admin/ on the public
// listener is 404.
//
// # Store health
//
// /readyz answers 503 while the scheduler is not running, and while the
// store cannot write: from the first failed write (a full disk, a file size
// limit) until a later write succeeds. Feeds keep serving what is stored
// meanwhile.
//
// # Shutdown
//
// When Serve's context ends, the listeners stop accepting, fetches in
// flight are cancelled (a commit already under way completes; a cancelled
// fetch is not recorded as a failure, so it is redone at the next start),
// and requests in flight get up to Options.ShutdownTimeout to finish before
// their connections are closed.
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
	"github.com/aggregatord/aggregatord/article"
	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/feeds"
	"github.com/aggregatord/aggregatord/ingest"
	"github.com/aggregatord/aggregatord/publish"
	"github.com/aggregatord/aggregatord/scheduler"
	"github.com/aggregatord/aggregatord/storage"
	"github.com/aggregatord/aggregatord/topics"
)

// Options configures a Daemon beyond its config file.
type Options struct {
	// Version is reported in the User-Agent and /metrics.
	Version string
	Logger  *slog.Logger
	// ShutdownTimeout bounds how long Serve waits for requests and fetches
	// in flight after its context ends; default 15s. Connections still busy
	// then are closed; fetches still running then make Serve fail.
	ShutdownTimeout time.Duration
	// HTTP bounds what clients of both listeners may do; zero fields take
	// the defaults listed on HTTPLimits.
	HTTP HTTPLimits
	// FetchPolicy changes how the fetcher's address guard resolves and
	// classifies addresses (see feeds.AddrPolicy). Leave it zero outside
	// tests; tests use it to make a loopback server count as public.
	FetchPolicy feeds.AddrPolicy
}

// HTTPLimits are the timeouts and size limits of the HTTP servers. A zero
// field means its default.
type HTTPLimits struct {
	// ReadHeaderTimeout bounds reading a request's headers; default 10s.
	// A client that trickles its headers (slowloris) is cut off after it.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request; default 30s.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a public response; default 60s.
	WriteTimeout time.Duration
	// AdminWriteTimeout bounds an admin response (a refresh pass, a
	// backup); default 30m.
	AdminWriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections idle this long; default 2m.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps the request line and headers; default 64 KiB.
	// Larger requests answer 431.
	MaxHeaderBytes int
	// MaxURIBytes caps the request target (path and query); default 8 KiB.
	// Longer ones answer 414.
	MaxURIBytes int
}

// withDefaults returns l with every zero field set to its default.
func (l HTTPLimits) withDefaults() HTTPLimits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.ReadHeaderTimeout, 10*time.Second)
	def(&l.ReadTimeout, 30*time.Second)
	def(&l.WriteTimeout, time.Minute)
	def(&l.AdminWriteTimeout, 30*time.Minute)
	def(&l.IdleTimeout, 2*time.Minute)
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = 64 << 10
	}
	if l.MaxURIBytes <= 0 {
		l.MaxURIBytes = 8 << 10
	}
	return l
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
	metrics  *serviceMetrics
	health   storeHealth
	hosts    *hostGuard
	retag    retagger
	tagger   *topics.Tagger

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
	o.HTTP = o.HTTP.withDefaults()
	st, err := storage.Open(cfg.Storage.Path, storage.Options{Logger: o.Logger, Stories: storyOptions(cfg)})
	if err != nil {
		return nil, err
	}
	tagger, err := topics.Compile(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	d := &Daemon{opt: o, log: o.Logger, store: st, cfg: cfg, registry: prometheus.NewRegistry(), hosts: newHostGuard(cfg), tagger: tagger}
	d.retag.d = d
	// An empty store holds nothing tagged under other topics: record the
	// current ones, so that items a first `fetch` stores (tagged as they
	// arrive) are not all re-tagged by the first `run`.
	if v, err := st.Setting(topicsSetting); err == nil && v == "" {
		if n, err := st.Count(storage.AllIndex()); err == nil && n == 0 {
			if err := st.PutSetting(topicsSetting, TopicsDigest(cfg)); err != nil {
				o.Logger.Warn("record topics digest", slog.Any("error", err))
			}
		}
	}
	d.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	d.metrics = newMetrics(d.registry, st, o.Version)
	d.metrics.setTopics(cfg)

	// One fetcher, with its limits and address guard, for feeds and
	// article pages alike.
	fetcher := feeds.NewFetcher(feeds.FetcherOptions{
		UserAgent:    UserAgent(cfg, o.Version),
		Timeout:      cfg.Fetch.Timeout,
		MaxBodyBytes: cfg.Fetch.MaxBodyBytes,
		AddrPolicy:   o.FetchPolicy,
	})
	d.ingester = ingest.New(ingest.Options{
		Fetcher:  fetcher,
		Articles: article.New(article.Options{Fetcher: fetcher, Logger: o.Logger}),
		Store:    st,
		Policy:   policy(cfg, tagger),
		Logger:   o.Logger,
	})
	d.sched = scheduler.New(scheduler.Options{
		Runner:   d.ingester,
		States:   st,
		Prune:    d.prune,
		OnResult: d.observe,
		Logger:   o.Logger,
	})
	d.public = publish.NewHandler(publish.Options{
		Store:   storeAdapter{st},
		Site:    site(cfg),
		Logger:  o.Logger,
		Ready:   d.ready,
		Metrics: promhttp.HandlerFor(d.registry, promhttp.HandlerOpts{}),
		Query:   topics.ParseFilter,
		SourceStats: func(name string) (int, time.Time) {
			n, err := st.CountSource(name)
			if err != nil {
				d.log.Warn("counting a source's items", slog.String("source", name), slog.Any("error", err))
			}
			return n, d.sched.NextDue(name)
		},
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
	return d.FetchOnceProgress(ctx, names, nil)
}

// FetchOnceProgress is FetchOnce calling progress (if not nil) as each
// source finishes, with how many of how many are done. progress is called
// from one goroutine at a time.
func (d *Daemon) FetchOnceProgress(ctx context.Context, names []string, progress func(r ingest.Result, done, total int)) ([]ingest.Result, error) {
	cfg := d.Config()
	srcs, err := scheduler.Select(cfg, names)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	done := 0
	return scheduler.RunPass(ctx, d.ingester, srcs, cfg.Fetch.Concurrency, func(r ingest.Result) {
		d.observe(r)
		if progress != nil {
			mu.Lock()
			defer mu.Unlock()
			done++
			progress(r, done, len(srcs))
		}
	}), nil
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
	tagger, err := topics.Compile(cfg)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	// New items are tagged with the new topics before the schedule can
	// fetch any, and old items are re-tagged in the background.
	d.ingester.SetPolicy(policy(cfg, tagger))
	d.store.SetStories(storyOptions(cfg))
	if TopicsDigest(cfg) != TopicsDigest(old) && d.sched.Running() {
		d.retag.start(tagger, TopicsDigest(cfg))
	}
	if err := d.sched.Reload(cfg); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	d.public.SetSite(site(cfg))
	d.metrics.setTopics(cfg)
	d.admin.SetSources(cfg.Sources)
	d.hosts.set(cfg)
	d.mu.Lock()
	d.cfg, d.tagger = cfg, tagger
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
	cfg := d.Config()
	if err := d.sched.Start(cfg); err != nil {
		ls.Public.Close()
		if ls.Admin != nil {
			ls.Admin.Close()
		}
		return err
	}
	d.mu.Lock()
	tagger := d.tagger
	d.mu.Unlock()
	d.retag.start(tagger, TopicsDigest(cfg))
	defer d.retag.stop()
	lim := d.opt.HTTP
	servers := []*http.Server{d.newServer(d.publicHandler(), lim.WriteTimeout)}
	listeners := []net.Listener{ls.Public}
	if ls.Admin != nil {
		// Refresh and backup can take a while: longer write timeout.
		servers = append(servers, d.newServer(d.hosts.wrap(d.admin, lim.MaxURIBytes), lim.AdminWriteTimeout))
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
	// Stop the scheduler while the servers drain, not after: an admin
	// refresh in flight waits for its fetches, which only the scheduler's
	// Stop cancels.
	var stopErr error
	var wg sync.WaitGroup
	wg.Go(func() { stopErr = d.sched.Stop(sctx) })
	for i, srv := range servers {
		wg.Go(func() {
			if err := srv.Shutdown(sctx); err != nil {
				// Slow clients are not the daemon's failure: cut them.
				d.log.Warn("requests still in flight at the shutdown timeout; closing their connections",
					slog.String("addr", listeners[i].Addr().String()), slog.Duration("timeout", d.opt.ShutdownTimeout))
				srv.Close()
			}
		})
	}
	wg.Wait()
	return errors.Join(serveErr, stopErr)
}

// Close closes the store. Call it after Serve returns.
func (d *Daemon) Close() error { return d.store.Close() }

// publicHandler is the public listener's handler: the publisher's routes
// behind the URI and Host checks, every request counted in the metrics,
// those the checks refuse too.
func (d *Daemon) publicHandler() http.Handler {
	return d.metrics.instrument(d.hosts.wrap(d.public, d.opt.HTTP.MaxURIBytes), d.public.Route)
}

// newServer returns an http.Server for h (already behind the URI and Host
// checks) with the configured limits.
func (d *Daemon) newServer(h http.Handler, writeTimeout time.Duration) *http.Server {
	lim := d.opt.HTTP
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelWarn),
	}
}

// ready reports why the daemon should not receive traffic, or nil.
func (d *Daemon) ready() error {
	if !d.sched.Running() {
		return errors.New("scheduler not running")
	}
	return d.health.err()
}

// observe records one fetch result in the metrics and the store health.
func (d *Daemon) observe(r ingest.Result) {
	d.metrics.observe(r)
	switch {
	case r.StoreErr != nil:
		d.storeFailed(r.StoreErr)
	case r.Stored:
		if d.health.ok() {
			d.log.Info("store writes succeed again", slog.String("source", r.Source))
		}
	}
}

// storeFailed records a failed store write, logging the first of a run of
// failures as an error.
func (d *Daemon) storeFailed(err error) {
	if d.health.failed(time.Now(), err) {
		d.log.Error("store write failed", slog.String("db", d.store.Path()), slog.Any("error", err),
			slog.String("hint", "fetched items are not stored until a write succeeds; feeds keep serving what is stored and /readyz answers 503 meanwhile; check free disk space, file size limits and the file's permissions"))
	}
}

func (d *Daemon) prune(ctx context.Context) {
	cfg := d.Config()
	n, err := d.store.Prune(cfg.Storage.Retention, cfg.Storage.MaxItemsPerSource)
	if err != nil {
		d.log.Error("prune failed", slog.Any("error", err))
		d.storeFailed(err)
		return
	}
	d.log.Info("pruned", slog.Int("items", n))
}

// policy is the ingest policy of cfg.
func policy(cfg *config.Config, tagger *topics.Tagger) ingest.Policy {
	return ingest.Policy{Retention: cfg.Storage.Retention, Tagger: tagger}
}

// storyOptions are the story grouping settings of cfg.
func storyOptions(cfg *config.Config) storage.Stories {
	return storage.Stories{Enabled: cfg.Dedupe.Stories, Window: cfg.Dedupe.Window}
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
