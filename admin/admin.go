// Package admin serves the admin API of SPEC.md on the admin listener only:
// refresh sources now, back up the live store, and report source health.
// It must never be mounted on the public listener.
package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/ingest"
	"github.com/aggregatord/aggregatord/news"
)

// Refresher fetches sources on demand. *scheduler.Scheduler implements it.
type Refresher interface {
	RunNow(ctx context.Context, names []string) ([]ingest.Result, error)
	NextDue(name string) time.Time
}

// Store is what the admin API reads. *storage.Store implements it.
type Store interface {
	SourceStates() ([]news.SourceState, error)
	CountSource(name string) (int, error)
	Backup(w io.Writer) (int64, error)
	Path() string
}

// Options configures the admin Handler.
type Options struct {
	Refresher Refresher
	Store     Store
	Sources   []config.Source
	Logger    *slog.Logger
}

// Handler serves /admin/refresh, /admin/backup and /admin/sources.
type Handler struct {
	refresher Refresher
	store     Store
	log       *slog.Logger
	sources   atomic.Pointer[[]config.Source]
	mux       *http.ServeMux
}

// NewHandler returns the admin API handler.
func NewHandler(o Options) *Handler {
	h := &Handler{refresher: o.Refresher, store: o.Store, log: o.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.SetSources(o.Sources)
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("POST /admin/refresh", h.refresh)
	h.mux.HandleFunc("GET /admin/backup", h.backup)
	h.mux.HandleFunc("GET /admin/sources", h.listSources)
	return h
}

// SetSources replaces the configured sources (after a config reload).
func (h *Handler) SetSources(srcs []config.Source) {
	cp := append([]config.Source(nil), srcs...)
	h.sources.Store(&cp)
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// RefreshResult is one source's outcome in the /admin/refresh answer.
type RefreshResult struct {
	Source     string `json:"source"`
	Status     string `json:"status"`
	HTTPStatus int    `json:"http_status"`
	New        int    `json:"new"`
	Updated    int    `json:"updated"`
	Duplicate  int    `json:"duplicate"`
	Error      string `json:"error"`
	DurationMS int64  `json:"duration_ms"`
}

func (h *Handler) refresh(w http.ResponseWriter, r *http.Request) {
	names := r.URL.Query()["source"]
	results, err := h.refresher.RunNow(r.Context(), names)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	out := make([]RefreshResult, 0, len(results))
	for _, res := range results {
		rr := RefreshResult{
			Source: res.Source, Status: string(res.Status), HTTPStatus: res.HTTPStatus,
			New: res.New, Updated: res.Updated, Duplicate: res.Duplicate,
			DurationMS: res.Duration.Milliseconds(),
		}
		if res.Err != nil {
			rr.Error = res.Err.Error()
		}
		out = append(out, rr)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) backup(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(path.Base(h.store.Path()), ".db") + "-" + time.Now().UTC().Format("20060102T150405Z") + ".db"
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	n, err := h.store.Backup(w)
	if err != nil {
		// Headers are gone; all we can do is cut the body short and log.
		h.log.Error("backup failed", slog.Int64("bytes", n), slog.Any("error", err))
		panic(http.ErrAbortHandler)
	}
	h.log.Info("backup written", slog.Int64("bytes", n))
}

// SourceStatus is one object of the /admin/sources answer (SPEC.md).
type SourceStatus struct {
	Name        string     `json:"name"`
	URL         string     `json:"url"`
	Enabled     bool       `json:"enabled"`
	LastAttempt *time.Time `json:"last_attempt"`
	LastSuccess *time.Time `json:"last_success"`
	Status      int        `json:"status"`
	Error       string     `json:"error"`
	NextDue     *time.Time `json:"next_due"`
	Items       int        `json:"items"`
	Failures    int        `json:"failures"`
}

func (h *Handler) listSources(w http.ResponseWriter, r *http.Request) {
	states, err := h.store.SourceStates()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	byName := make(map[string]news.SourceState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	srcs := *h.sources.Load()
	out := make([]SourceStatus, 0, len(srcs))
	for _, src := range srcs {
		st := byName[src.Name]
		n, err := h.store.CountSource(src.Name)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		s := SourceStatus{
			Name: src.Name, URL: src.URL, Enabled: src.Enabled,
			LastAttempt: timePtr(st.LastAttempt), LastSuccess: timePtr(st.LastSuccess),
			Status: st.Status, Error: st.Error, Items: n, Failures: st.Failures,
		}
		if src.Enabled {
			s.NextDue = timePtr(h.refresher.NextDue(src.Name))
		}
		out = append(out, s)
	}
	writeJSON(w, http.StatusOK, out)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}
