package daemon

import (
	"maps"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/ingest"
)

// serviceMetrics are the daemon's Prometheus series, registered on the daemon's
// own registry (never the global default one). Every label takes values
// from a bounded set: configured source names and topic ids, fixed
// outcomes, the publisher's route names, HTTP status codes.
//
//	aggregatord_build_info{version,goversion}                 1
//	aggregatord_fetches_total{source,result}                  fetches by outcome
//	aggregatord_fetch_duration_seconds{source}                fetch start to items stored
//	aggregatord_parse_duration_seconds{source}                parsing a changed feed body
//	aggregatord_items_total{source,kind}                      new, updated, duplicate
//	aggregatord_items_grouped_total{source}                   stored items in a multi-outlet story
//	aggregatord_topic_matches_total{topic}                    stored items tagged with a topic
//	aggregatord_store_writes_total                            committed item changes
//	aggregatord_store_size_bytes                              size of the bbolt file
//	aggregatord_http_requests_total{route,code}               public requests
//	aggregatord_http_request_duration_seconds{route}          public request latency
//
// The topic and grouping counters count at ingest: an item counts each
// time a fetch stores it new or updated (an edited item counts again), and
// re-tagging after a topic change does not count.
type serviceMetrics struct {
	fetches  *prometheus.CounterVec
	items    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	parse    *prometheus.HistogramVec
	grouped  *prometheus.CounterVec
	matches  *prometheus.CounterVec

	requests    *prometheus.CounterVec
	reqDuration *prometheus.HistogramVec
	// httpSeries caches the series of requests and reqDuration by route
	// and status code, so that counting a request resolves no labels: an
	// immutable map, replaced whole (under httpMu) when a pair is first
	// seen. A series is created when its first request is counted, as
	// WithLabelValues would.
	httpSeries atomic.Pointer[map[httpSeriesKey]httpSeries]
	httpMu     sync.Mutex

	mu     sync.Mutex
	topics map[string]bool // the configured topic ids: the values of the topic label
}

// metricsStore is what the metrics read from the store.
type metricsStore interface {
	Generation() uint64
	Path() string
}

func newMetrics(reg prometheus.Registerer, st metricsStore, version string) *serviceMetrics {
	m := &serviceMetrics{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aggregatord_fetches_total",
			Help: "Fetches of a source by outcome (ok, not-modified, unchanged, failed, gone, skipped).",
		}, []string{"source", "result"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aggregatord_items_total",
			Help: "Items seen in fetched feeds by what storing them did (new, updated, duplicate).",
		}, []string{"source", "kind"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aggregatord_fetch_duration_seconds",
			Help:    "Time from the start of a fetch to its items being stored.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 10),
		}, []string{"source"}),
		parse: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aggregatord_parse_duration_seconds",
			Help:    "Time spent parsing a fetched feed body (only bodies that changed are parsed).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 8),
		}, []string{"source"}),
		grouped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aggregatord_items_grouped_total",
			Help: "Items stored new or updated as part of a story with other outlets' near-duplicate items.",
		}, []string{"source"}),
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aggregatord_topic_matches_total",
			Help: "Items stored new or updated that a topic's query matched, by configured topic.",
		}, []string{"topic"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aggregatord_http_requests_total",
			Help: "Requests to the public listener by route (home, topics, topic, sources, source, feed, topic_feed, source_feed, opml, healthz, readyz, metrics, other) and status code.",
		}, []string{"route", "code"}),
		reqDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aggregatord_http_request_duration_seconds",
			Help:    "Time to answer a request to the public listener, by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 8),
		}, []string{"route"}),
		topics: map[string]bool{},
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "aggregatord_build_info",
		Help:        "Always 1; the labels name the running version.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	build.Set(1)
	reg.MustRegister(m.fetches, m.items, m.duration, m.parse, m.grouped, m.matches, m.requests, m.reqDuration, build,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "aggregatord_store_writes_total",
			Help: "Committed changes to stored items since the process started.",
		}, func() float64 { return float64(st.Generation()) }),
		fileSize{
			path: st.Path,
			desc: prometheus.NewDesc("aggregatord_store_size_bytes", "Size of the bbolt database file (absent when it cannot be read).", nil, nil),
		})
	return m
}

// setTopics makes cfg's topics the values of the topic label: each starts
// at 0, so that rate() works from the first match, and the series of
// topics no longer configured are dropped.
func (m *serviceMetrics) setTopics(cfg *config.Config) {
	m.mu.Lock()
	defer m.mu.Unlock()
	next := make(map[string]bool, len(cfg.Topics))
	for _, t := range cfg.Topics {
		next[t.ID] = true
		m.matches.WithLabelValues(t.ID)
	}
	for id := range m.topics {
		if !next[id] {
			m.matches.DeleteLabelValues(id)
		}
	}
	m.topics = next
}

// observe records one fetch result.
func (m *serviceMetrics) observe(r ingest.Result) {
	m.fetches.WithLabelValues(r.Source, string(r.Status)).Inc()
	m.items.WithLabelValues(r.Source, "new").Add(float64(r.New))
	m.items.WithLabelValues(r.Source, "updated").Add(float64(r.Updated))
	m.items.WithLabelValues(r.Source, "duplicate").Add(float64(r.Duplicate))
	m.duration.WithLabelValues(r.Source).Observe(r.Duration.Seconds())
	if r.ParseDuration > 0 {
		m.parse.WithLabelValues(r.Source).Observe(r.ParseDuration.Seconds())
	}
	grouped := 0
	for _, it := range r.Changed {
		if it.StoryID != 0 {
			grouped++
		}
	}
	if grouped > 0 {
		m.grouped.WithLabelValues(r.Source).Add(float64(grouped))
	}
	if len(r.Changed) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range r.Changed {
		for _, t := range it.Topics {
			if m.topics[t] {
				m.matches.WithLabelValues(t).Inc()
			}
		}
	}
}

// instrument counts the requests next answers, by route (from a fixed
// set, never the raw path) and status code. The route is the name next
// reports through publish.RouteRecorder, else route(r).
func (m *serviceMetrics) instrument(next http.Handler, route func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		code := sw.status
		if code == 0 {
			code = http.StatusOK
		}
		name := sw.route
		if name == "" {
			name = route(r)
		}
		s := m.httpSeriesFor(name, code)
		s.requests.Inc()
		s.duration.Observe(time.Since(start).Seconds())
	})
}

// maxHTTPSeries bounds the cached (route, code) pairs; pairs beyond it
// are resolved at each request.
const maxHTTPSeries = 1024

// httpSeriesKey is a route and a status code.
type httpSeriesKey struct {
	route string
	code  int
}

// httpSeries are the series a request of one route and code counts in.
type httpSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// httpSeriesFor returns the series of route and code, from the cache.
func (m *serviceMetrics) httpSeriesFor(route string, code int) httpSeries {
	k := httpSeriesKey{route, code}
	if p := m.httpSeries.Load(); p != nil {
		if s, ok := (*p)[k]; ok {
			return s
		}
	}
	s := httpSeries{
		requests: m.requests.WithLabelValues(route, strconv.Itoa(code)),
		duration: m.reqDuration.WithLabelValues(route),
	}
	m.httpMu.Lock()
	defer m.httpMu.Unlock()
	var old map[httpSeriesKey]httpSeries
	if p := m.httpSeries.Load(); p != nil {
		old = *p
	}
	if _, ok := old[k]; ok || len(old) >= maxHTTPSeries {
		return s
	}
	next := make(map[httpSeriesKey]httpSeries, len(old)+1)
	maps.Copy(next, old)
	next[k] = s
	m.httpSeries.Store(&next)
	return s
}

// statusWriter remembers the status code of a response and the route
// that served it.
type statusWriter struct {
	http.ResponseWriter
	status int
	route  string // "" until SetRoute
}

// SetRoute records the route serving the request (publish.RouteRecorder).
func (w *statusWriter) SetRoute(name string) { w.route = name }

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 { // 1xx are interim
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// fileSize is a gauge of a file's size, read at each scrape; it is left
// out of the scrape when the file cannot be read.
type fileSize struct {
	path func() string
	desc *prometheus.Desc
}

func (f fileSize) Describe(ch chan<- *prometheus.Desc) { ch <- f.desc }

func (f fileSize) Collect(ch chan<- prometheus.Metric) {
	fi, err := os.Stat(f.path())
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(f.desc, prometheus.GaugeValue, float64(fi.Size()))
}
