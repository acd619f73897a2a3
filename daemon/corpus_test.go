package daemon

// The real-world corpus (issue 5): every feed document under
// ../shared/corpus goes through fetch, parse, normalise and store, and then
// out again through the published feeds, which must be well-formed and
// parse again.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/aggregatord/aggregatord/feeds"
	"github.com/aggregatord/aggregatord/ingest"
)

const (
	// corpusBatch is how many files one daemon (one config, one db) takes.
	corpusBatch = 25
	// corpusBatchTimeout bounds one batch's fetch pass; a file that hangs
	// the parser shows up as a batch that does not finish.
	corpusBatchTimeout = 3 * time.Minute
	// corpusRaceStride: under the race detector only every corpusRaceStride-th
	// file is run (unless AGGREGATORD_CORPUS_FULL=1). The whole corpus took
	// 3m20s with -race on a loaded 2-CPU machine, 37s without; the stride
	// keeps CI's `go test -race ./...` well under a minute for this test,
	// and the ordinary (non-race) run covers every file.
	corpusRaceStride = 5
)

// corpusDir finds the shared corpus: $AGGREGATORD_CORPUS, else
// ../shared/corpus beside the repository (../../shared/corpus from this
// package). Absent, the test is skipped, except under CI=true.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("AGGREGATORD_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		msg := fmt.Sprintf("feed corpus not found at %s (clone it as shared/ beside the repository, or set AGGREGATORD_CORPUS)", dir)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// corpusFile is one document of the corpus and the source that serves it.
type corpusFile struct {
	rel         string // path under the corpus, with slashes
	abs         string
	contentType string
	name        string // source name
	url         string
}

// corpusFiles lists the feed documents of the corpus: every .xml file,
// the .html pages (an HTML page where a feed should be), and the .json
// files in a directory named json that are not gofeed's expected outputs
// (the other .json files are gofeed's fixtures of its own results, not
// feeds). SOURCES.md, the CSV of headlines and the OPML files are left out.
func corpusFiles(t *testing.T, dir string) []corpusFile {
	t.Helper()
	var out []corpusFile
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		var ct string
		switch ext := strings.ToLower(filepath.Ext(p)); {
		case ext == ".xml":
			ct = "application/xml"
		case ext == ".html":
			ct = "text/html"
		case ext == ".json" && filepath.Base(filepath.Dir(p)) == "json" && !strings.HasSuffix(p, "_expected.json"):
			ct = "application/json"
		default:
			return nil
		}
		out = append(out, corpusFile{rel: rel, abs: p, contentType: ct})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

// corpusStats counts outcomes over the whole corpus.
type corpusStats struct {
	mu        sync.Mutex
	files     int
	withItems int
	items     int
	empty     int            // valid feeds without entries
	errKinds  map[string]int // failed files by kind of error
	samples   map[string][]string
	byDir     map[string][3]int // top directory: files, with items, errors
	// late counts items shown with a Published later than their
	// FirstSeen: see TestCorpus.
	late        int
	lateSamples []string
}

func (s *corpusStats) add(f corpusFile, items int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files++
	top, _, _ := strings.Cut(f.rel, "/")
	d := s.byDir[top]
	d[0]++
	switch {
	case err != nil:
		k := errorKind(err)
		s.errKinds[k]++
		if len(s.samples[k]) < 3 {
			s.samples[k] = append(s.samples[k], f.rel+": "+err.Error())
		}
		d[2]++
	case items > 0:
		s.withItems++
		s.items += items
		d[1]++
	default:
		s.empty++
	}
	s.byDir[top] = d
}

// errorKind sorts a failed file's error for the report.
func errorKind(err error) string {
	var nf *feeds.NotFeedError
	switch {
	case errors.As(err, &nf):
		return "HTML page, not a feed"
	case errors.Is(err, feeds.ErrNotFeed):
		return "not a feed (another document)"
	case errors.Is(err, feeds.ErrTooLarge):
		return "too large"
	case errors.Is(err, feeds.ErrTimeout):
		return "timeout"
	case strings.Contains(err.Error(), "malformed feed"):
		return "malformed feed"
	}
	return "other"
}

// TestCorpus runs the shared corpus through the daemon, corpusBatch files
// per daemon. Any panic, hang, unclear error, stored item that breaks the
// invariants, or published feed that is not well-formed or does not parse
// again fails it.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	files := corpusFiles(t, dir)
	if len(files) == 0 {
		t.Fatalf("no feed documents under %s", dir)
	}
	if raceEnabled && os.Getenv("AGGREGATORD_CORPUS_FULL") != "1" {
		var some []corpusFile
		for i := 0; i < len(files); i += corpusRaceStride {
			some = append(some, files[i])
		}
		t.Logf("race detector on: %d of %d files, every %dth (AGGREGATORD_CORPUS_FULL=1 runs all)", len(some), len(files), corpusRaceStride)
		files = some
	}
	byRel := map[string]*corpusFile{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := byRel[strings.TrimPrefix(r.URL.Path, "/corpus/")]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		http.ServeFile(w, r, f.abs)
	}))
	t.Cleanup(srv.Close)
	for i := range files {
		f := &files[i]
		f.name = fmt.Sprintf("c%04d", i)
		f.url = srv.URL + (&url.URL{Path: "/corpus/" + f.rel}).EscapedPath()
		byRel[f.rel] = f
	}

	stats := &corpusStats{errKinds: map[string]int{}, samples: map[string][]string{}, byDir: map[string][3]int{}}
	start := time.Now()
	for b := 0; b*corpusBatch < len(files); b++ {
		batch := files[b*corpusBatch : min((b+1)*corpusBatch, len(files))]
		t.Run(fmt.Sprintf("batch-%02d", b), func(t *testing.T) { runCorpusBatch(t, batch, stats) })
		if t.Failed() && testing.Short() {
			break
		}
	}

	t.Logf("corpus: %d files in %s: %d with items (%d items), %d valid feeds without entries, %d errors",
		stats.files, time.Since(start).Round(time.Millisecond), stats.withItems, stats.items, stats.empty, stats.files-stats.withItems-stats.empty)
	for _, k := range slices.Sorted(maps.Keys(stats.errKinds)) {
		t.Logf("  %-30s %4d  e.g. %s", k, stats.errKinds[k], strings.Join(stats.samples[k], " | "))
	}
	if stats.late > 0 {
		// A known storage issue, not a failure here: an undated copy of an
		// item another source carried first keeps its own fetch time as
		// Published, later than the item's FirstSeen (see the report on
		// issue 5). No date is in the future, which is what is checked.
		t.Logf("  %d items shown as published after they were first seen, e.g. %s", stats.late, strings.Join(stats.lateSamples, " | "))
	}
	for _, top := range slices.Sorted(maps.Keys(stats.byDir)) {
		d := stats.byDir[top]
		t.Logf("  %-20s %4d files, %4d with items, %4d errors", top, d[0], d[1], d[2])
	}
}

func runCorpusBatch(t *testing.T, batch []corpusFile, stats *corpusStats) {
	var src strings.Builder
	for _, f := range batch {
		fmt.Fprintf(&src, "[[source]]\nname = %q\nurl = %q\n", f.name, f.url)
	}
	cfg := loadConfig(t, writeConfig(t, t.TempDir(), src.String()))
	cfg.Fetch.Timeout = 10 * time.Second // per file
	cfg.Fetch.Concurrency = 8
	cfg.Fetch.Schedule = "@yearly"
	cfg.Storage.Retention = 0 // the corpus is mostly from the 2000s
	d, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })

	type passResult struct {
		res []ingest.Result
		err error
	}
	done := make(chan passResult, 1)
	go func() {
		res, err := d.FetchOnce(context.Background(), nil)
		done <- passResult{res, err}
	}()
	var res []ingest.Result
	select {
	case pr := <-done:
		if pr.err != nil {
			t.Fatal(pr.err)
		}
		res = pr.res
	case <-time.After(corpusBatchTimeout):
		var pending []string
		for _, f := range batch {
			if st, _ := d.Store().SourceState(f.name); st.LastAttempt.IsZero() {
				pending = append(pending, f.rel)
			}
		}
		t.Fatalf("batch did not finish in %s; files not done: %s", corpusBatchTimeout, strings.Join(pending, ", "))
	}

	pub := httptest.NewServer(d.public)
	t.Cleanup(pub.Close)
	base := pub.URL + "/"

	// Check the outcome of every file, four at a time.
	work := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range work {
				checkCorpusFile(t, d, base, batch[i], res[i], stats)
			}
		})
	}
	for i := range batch {
		work <- i
	}
	close(work)
	wg.Wait()
}

func checkCorpusFile(t *testing.T, d *Daemon, base string, f corpusFile, r ingest.Result, stats *corpusStats) {
	if r.Source != f.name {
		t.Errorf("%s: result for %s", f.rel, r.Source)
		return
	}
	if r.Err != nil {
		msg := r.Err.Error()
		if strings.TrimSpace(msg) == "" || !strings.Contains(msg, f.url) {
			t.Errorf("%s: unclear error %q (it must name %s)", f.rel, msg, f.url)
		}
		if r.Status != ingest.StatusFailed {
			t.Errorf("%s: status %s with error %v", f.rel, r.Status, r.Err)
		}
		stats.add(f, 0, r.Err)
		return
	}
	if r.Status != ingest.StatusOK {
		t.Errorf("%s: status %s", f.rel, r.Status)
	}
	n, err := d.Store().CountSource(f.name)
	if err != nil {
		t.Errorf("%s: count: %v", f.rel, err)
		return
	}
	checkStoredCorpus(t, d, f, stats)
	if n == 0 {
		// A feed without entries must really have none: gofeed on the raw
		// bytes agrees (when it can read them at all).
		raw, err := os.ReadFile(f.abs)
		if err == nil {
			if gf, err := gofeed.NewParser().Parse(bytes.NewReader(raw)); err == nil && len(gf.Items) > 0 {
				t.Errorf("%s: no item stored, but the document has %d entries", f.rel, len(gf.Items))
			}
		}
	}
	stats.add(f, n, nil)

	for _, ext := range []string{"atom", "rss", "json"} {
		u := base + "feeds/sources/" + f.name + "." + ext
		body, err := corpusGet(u)
		if err != nil {
			t.Errorf("%s: %v", f.rel, err)
			continue
		}
		if err := wellFormed(body, ext); err != nil {
			t.Errorf("%s: published .%s is not well-formed: %v", f.rel, ext, err)
			continue
		}
		out, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Errorf("%s: published .%s does not parse again: %v", f.rel, ext, err)
			continue
		}
		if want := min(n, 50); len(out.Items) != want {
			t.Errorf("%s: published .%s has %d entries, want %d", f.rel, ext, len(out.Items), want)
		}
	}
}

// checkStoredCorpus checks the invariants of f's stored items. Items
// published after they were first seen are only counted: see lateCopies.
func checkStoredCorpus(t *testing.T, d *Daemon, f corpusFile, stats *corpusStats) {
	items, err := scanSource(d, f.name)
	if err != nil {
		t.Errorf("%s: scan: %v", f.rel, err)
		return
	}
	problems, late := itemProblems(items, time.Now())
	for _, p := range problems {
		t.Errorf("%s: %s", f.rel, p)
	}
	if len(late) > 0 {
		stats.mu.Lock()
		stats.late += len(late)
		if len(stats.lateSamples) < 3 {
			stats.lateSamples = append(stats.lateSamples, f.rel+": "+late[0])
		}
		stats.mu.Unlock()
	}
}

func corpusGet(u string) ([]byte, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", u, resp.Status, buf.Bytes())
	}
	return buf.Bytes(), nil
}
