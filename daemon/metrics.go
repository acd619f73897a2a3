package daemon

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/aggregatord/aggregatord/ingest"
)

// fetchMetrics are the Prometheus series about fetching.
type fetchMetrics struct {
	fetches  *prometheus.CounterVec
	items    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newFetchMetrics(reg prometheus.Registerer, gen interface{ Generation() uint64 }) *fetchMetrics {
	m := &fetchMetrics{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aggregatord_fetches_total",
			Help: "Fetches of a source by outcome (ok, not-modified, unchanged, failed, gone).",
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
	}
	reg.MustRegister(m.fetches, m.items, m.duration,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "aggregatord_store_writes_total",
			Help: "Committed changes to stored items since the process started.",
		}, func() float64 { return float64(gen.Generation()) }))
	return m
}

func (m *fetchMetrics) observe(r ingest.Result) {
	m.fetches.WithLabelValues(r.Source, string(r.Status)).Inc()
	m.items.WithLabelValues(r.Source, "new").Add(float64(r.New))
	m.items.WithLabelValues(r.Source, "updated").Add(float64(r.Updated))
	m.items.WithLabelValues(r.Source, "duplicate").Add(float64(r.Duplicate))
	m.duration.WithLabelValues(r.Source).Observe(r.Duration.Seconds())
}
