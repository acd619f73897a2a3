package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/daemon"
	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/storage"
	"github.com/aggregatord/aggregatord/topics"
)

func newLineScanner(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	return sc
}

// bench is one run's state.
type bench struct {
	ctx     context.Context
	o       options
	h       *helper
	prof    *profiler
	rep     *report
	dir     string
	topics  string // the [[topic]] tables, as TOML
	example string // where they came from
	log     *slog.Logger
}

// storyWindow mirrors [dedupe] window's default, for the stores the
// benchmark fills itself.
const storyWindow = 72 * time.Hour

func run(ctx context.Context, o options) (*report, error) {
	if o.out == nil {
		o.out = io.Discard
	}
	b := &bench{ctx: ctx, o: o, prof: &profiler{o: o}, rep: &report{Options: o}, log: slog.New(slog.DiscardHandler)}
	b.rep.Machine = describeMachine()
	var err error
	b.example = o.topicsFrom
	if b.example == "" {
		if b.example, err = findExample(); err != nil {
			return nil, err
		}
	}
	ex, err := os.ReadFile(b.example)
	if err != nil {
		return nil, fmt.Errorf("read topics: %w", err)
	}
	i := bytes.Index(ex, []byte("\n[[topic]]"))
	if i < 0 {
		return nil, fmt.Errorf("%s has no [[topic]] tables", b.example)
	}
	b.topics = string(ex[i:])

	b.dir = o.dir
	if b.dir == "" {
		if b.dir, err = os.MkdirTemp("", "aggbench-"); err != nil {
			return nil, err
		}
		if !o.keep {
			defer os.RemoveAll(b.dir)
		}
	} else if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return nil, err
	}

	fmt.Fprintf(o.out, "aggregatord benchmark: %d feeds × %d items, churn %.0f%% × %d, %d clients × %s, growth %v\n",
		o.Feeds, o.Items, o.ChurnFrac*100, o.ChurnK, o.Clients, o.Duration, sizeNames(o.Growth))
	m := b.rep.Machine
	fmt.Fprintf(o.out, "machine: %d CPUs, %s, %s, %s, load average %s\n\n", m.CPUs, m.CPUModel, m.GoVersion, m.OS, m.LoadStart)

	if b.h, err = startHelper(o); err != nil {
		return nil, err
	}
	defer b.h.close()

	if err := b.mainPhases(); err != nil {
		return b.rep, err
	}
	if err := b.tagging(); err != nil {
		return b.rep, err
	}
	for _, n := range o.Growth {
		if err := b.growth(n); err != nil {
			return b.rep, fmt.Errorf("growth %s: %w", sizeName(n), err)
		}
	}
	b.rep.Machine.LoadEnd = loadAvg()
	b.rep.evaluate()
	b.rep.print(o.out)
	if o.jsonPath != "" {
		data, err := json.MarshalIndent(b.rep, "", "  ")
		if err != nil {
			return b.rep, err
		}
		if err := os.WriteFile(o.jsonPath, append(data, '\n'), 0o644); err != nil {
			return b.rep, err
		}
	}
	return b.rep, nil
}

func sizeNames(ns []int) string {
	var s []string
	for _, n := range ns {
		s = append(s, sizeName(n))
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// source is one [[source]] of a generated config.
type source struct {
	name, url string
	enabled   bool
	tags      []string
}

// loadConfig writes and loads a config for db with the given sources and
// the example topics.
func (b *bench) loadConfig(name, db string, srcs []source) (*config.Config, error) {
	return b.loadConfigRetention(name, db, srcs, "720h")
}

// loadConfigRetention is loadConfig with [storage] retention set.
func (b *bench) loadConfigRetention(name, db string, srcs []source, retention string) (*config.Config, error) {
	var t strings.Builder
	fmt.Fprintf(&t, `[server]
listen = "127.0.0.1:0"
base_url = "http://127.0.0.1/"
title = "Benchmark"
admin_listen = ""

[storage]
path = %q
retention = %q
prune_schedule = "0 0 1 1 *"   # never during a run

[fetch]
schedule = "0 0 1 1 *"         # the benchmark fetches with FetchOnce

[dedupe]
stories = %t
window = "72h"
`, db, retention, b.o.Stories)
	for _, s := range srcs {
		fmt.Fprintf(&t, "\n[[source]]\nname = %q\nurl = %q\n", s.name, s.url)
		if !s.enabled {
			t.WriteString("enabled = false\n")
		}
		if len(s.tags) > 0 {
			fmt.Fprintf(&t, "tags = [%q]\n", s.tags[0])
		}
	}
	t.WriteString(b.topics)
	path := filepath.Join(b.dir, name+".toml")
	if err := os.WriteFile(path, []byte(t.String()), 0o644); err != nil {
		return nil, err
	}
	return config.LoadFile(path, config.WithQueryCheck(topics.CheckQuery))
}

// openDaemon opens the daemon for cfg, with story grouping as configured.
func (b *bench) openDaemon(cfg *config.Config) (*daemon.Daemon, error) {
	d, err := daemon.Open(cfg, daemon.Options{Version: "bench", Logger: b.log})
	if err != nil {
		return nil, err
	}
	if st := d.Store(); st.Stories().Enabled != cfg.Dedupe.Stories {
		// The daemon does not (yet) pass [dedupe] to the store: do it here,
		// so that the figures include story grouping, and say so.
		b.rep.note("daemon.Open left story grouping off although [dedupe] stories = true; the benchmark turned it on with Store.SetStories")
		st.SetStories(storage.Stories{Enabled: cfg.Dedupe.Stories, Window: cfg.Dedupe.Window})
	}
	return d, nil
}

// farmSources lists n farm feeds of set as sources.
func (b *bench) farmSources(set string, n int, prefix string) []source {
	srcs := make([]source, n)
	for i := range srcs {
		srcs[i] = source{name: fmt.Sprintf("%s%04d", prefix, i), url: fmt.Sprintf("http://%s/%s/%d.xml", b.h.addr, set, i), enabled: true}
		if i%5 == 4 {
			srcs[i].tags = []string{"arabic"}
		}
	}
	return srcs
}

// pass fetches names (all enabled sources when empty) once and measures it.
func (b *bench) pass(name string, d *daemon.Daemon, names []string) (passResult, error) {
	if _, err := b.h.do(helperCmd{Op: "stats"}); err != nil {
		return passResult{}, err
	}
	gcNow()
	b.prof.start(name)
	u := snap()
	results, err := d.FetchOnce(b.ctx, names)
	dl := since(u)
	b.prof.stop(name)
	if err != nil {
		return passResult{}, fmt.Errorf("%s pass: %w", name, err)
	}
	st, err := b.h.do(helperCmd{Op: "stats"})
	if err != nil {
		return passResult{}, err
	}
	p := passResult{Name: name, Sources: len(results), Status: map[string]int{}, Served200: st.Served200, Served304: st.Served304}
	for _, r := range results {
		p.Status[string(r.Status)]++
		p.New += r.New
		p.Updated += r.Updated
		p.Duplicate += r.Duplicate
		if r.Err != nil {
			p.Failed++
			if p.FirstErr == "" {
				p.FirstErr = r.Source + ": " + r.Err.Error()
			}
		}
	}
	p.Items = p.New + p.Updated + p.Duplicate
	p.set(dl)
	if p.Failed == len(results) && len(results) > 0 {
		return p, fmt.Errorf("%s pass: every fetch failed, first: %s", name, p.FirstErr)
	}
	return p, nil
}

// usedBytes is the extent of the store that bbolt uses (a backup's
// length): the file minus the space bbolt preallocates at its end.
func usedBytes(st *storage.Store) int64 {
	n, err := st.Backup(io.Discard)
	if err != nil {
		return -1
	}
	return n
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// mainPhases: farm, floor, cold/warm/churn passes, storage, serving, memory.
func (b *bench) mainPhases() error {
	o, r := b.o, b.rep
	clock := time.Now().Truncate(time.Minute)
	b.progress("generating %d feeds × %d items", o.Feeds, o.Items)
	fr, err := b.h.do(helperCmd{Op: "addset", Set: "main", Feeds: o.Feeds, Items: o.Items, Clock: clock.UnixNano()})
	if err != nil {
		return err
	}
	r.Farm = farmResult{Docs: fr.Docs, Items: fr.Items, DocBytes: int64(fr.DocBytes), GzipBytes: int64(fr.GzBytes), ItemBytes: int64(fr.ItemBytes)}
	if fr.Items > 0 {
		r.Farm.BytesPerItem = float64(fr.ItemBytes) / float64(fr.Items)
	}

	b.progress("floor: gofeed parsing the same documents")
	fl, err := b.h.do(helperCmd{Op: "floor", Set: "main", MinMS: int(o.FloorMin / time.Millisecond)})
	if err != nil {
		return err
	}
	r.Floor.Gofeed, r.Floor.XMLScan = *fl.Gofeed, *fl.XMLScan

	db := filepath.Join(b.dir, "main.db")
	srcs := b.farmSources("main", o.Feeds, "f")
	cfg, err := b.loadConfig("main", db, srcs)
	if err != nil {
		return err
	}
	gcNow()
	hwmReset := resetPeakRSS()
	sampler := startRSSSampler()
	d, err := b.openDaemon(cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	r.Concurrency = cfg.Fetch.Concurrency

	b.progress("cold pass")
	if r.Cold, err = b.pass("cold", d, nil); err != nil {
		return err
	}
	if o.memProfile != "" {
		if err := writeHeapProfile(o.memProfile); err != nil {
			return err
		}
	}
	r.Cold.DBBytes = fileSize(db)
	coldWire, err := b.wireTruth("main")
	if err != nil {
		return err
	}
	coldEnd := time.Now()
	b.progress("warm pass")
	if r.Warm, err = b.pass("warm", d, nil); err != nil {
		return err
	}
	r.Warm.DBBytes = fileSize(db)
	ch, err := b.h.do(helperCmd{Op: "churn", Set: "main", Frac: o.ChurnFrac, K: o.ChurnK, Pass: 1, Clock: time.Now().UnixNano()})
	if err != nil {
		return err
	}
	b.progress("churn pass: %d feeds gained %d items", ch.Feeds, ch.Items)
	if r.Churn, err = b.pass("churn", d, nil); err != nil {
		return err
	}
	r.Churn.DBBytes = fileSize(db)
	r.Churn.ChangedFeeds, r.Churn.NewItems = ch.Feeds, ch.Items
	churnWire, err := b.wireTruth("main")
	if err != nil {
		return err
	}

	// Storage.
	stored, err := d.Store().Count(storage.AllIndex())
	if err != nil {
		return err
	}
	ib, err := b.h.do(helperCmd{Op: "itembytes", Set: "main"})
	if err != nil {
		return err
	}
	r.Storage = storageResult{Items: stored, DBBytes: fileSize(db), UsedBytes: usedBytes(d.Store())}
	if stored > 0 && ib.Items > 0 {
		r.Storage.BytesPerItem = float64(r.Storage.DBBytes) / float64(stored)
		r.Storage.UsedPerItem = float64(r.Storage.UsedBytes) / float64(stored)
		r.Storage.RawBytesPerItem = float64(ib.ItemBytes) / float64(ib.Items)
		r.Storage.Ratio = r.Storage.BytesPerItem / r.Storage.RawBytesPerItem
		r.Storage.UsedRatio = r.Storage.UsedPerItem / r.Storage.RawBytesPerItem
	}

	// Serving.
	b.progress("serving")
	if err := b.serving(d, cfg); err != nil {
		return err
	}
	r.Memory = memResult{PeakRSS: procStatus("VmHWM"), MaxRSS: maxRSS(), HWMReset: hwmReset, RSSNow: procStatus("VmRSS"),
		RSSAnon: procStatus("RssAnon"), RSSFile: procStatus("RssFile")}
	r.Memory.PeakAnon, r.Memory.PeakFile = sampler.peaks()

	// After the memory figures: reading every item back maps the whole
	// store and decodes every record, which is the benchmark's work, not
	// the daemon's.
	b.progress("story grouping")
	if r.GroupingCold, err = b.grouping("cold", d.Store(), coldWire, coldEnd, srcs); err != nil {
		return err
	}
	if r.GroupingChurn, err = b.grouping("churn", d.Store(), churnWire, time.Time{}, srcs); err != nil {
		return err
	}
	return nil
}

// server runs the daemon's listeners until stop is called.
type server struct {
	addr string
	stop func() error
}

func (b *bench) serve(d *daemon.Daemon, cfg *config.Config) (*server, error) {
	// A store filled by fetch passes holds items tagged with these topics,
	// but only a completed re-tag records that: without this, the daemon
	// would re-tag every stored item in the background while we measure.
	if err := d.Store().PutSetting("topics-digest", daemon.TopicsDigest(cfg)); err != nil {
		return nil, err
	}
	ls, err := d.Listen()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(b.ctx)
	errc := make(chan error, 1)
	go func() { errc <- d.ServeListeners(ctx, ls) }()
	s := &server{addr: ls.Public.Addr().String(), stop: func() error { cancel(); return <-errc }}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("daemon not ready after 10s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var plainClient = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}, Timeout: 60 * time.Second}

// get fetches path from addr and returns the body (as sent), the ETag and
// the Content-Type.
func get(addr, path string, gz bool) (body []byte, etag, ctype string, err error) {
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := plainClient.Do(req)
	if err != nil {
		return nil, "", "", err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", "", err
	}
	if resp.StatusCode != 200 {
		return nil, "", "", fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
	}
	return body, resp.Header.Get("ETag"), resp.Header.Get("Content-Type"), nil
}

// staticFile is a feed served from memory by http.ServeContent: the
// baseline.
type staticFile struct {
	body, gz []byte
	etag     string
	ctype    string
	mod      time.Time
}

func startStatic(files map[string]*staticFile) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := files[r.URL.Path]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		hdr := w.Header()
		hdr.Set("ETag", f.etag)
		hdr.Set("Content-Type", f.ctype)
		hdr.Set("Vary", "Accept-Encoding")
		hdr.Set("Cache-Control", "public, max-age=60")
		body := f.body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			// Precompressed, like nginx's gzip_static.
			body = f.gz
			hdr.Set("Content-Encoding", "gzip")
		}
		http.ServeContent(w, r, "", f.mod, bytes.NewReader(body))
	})
	// The daemon's public server's limits (daemon.HTTPLimits defaults), so
	// that the comparison is of the handlers alone.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// load runs the load generator against addr and measures this process's
// CPU meanwhile (the server's).
func (b *bench) load(name, target, variant, addr string, paths []string, gz bool, inm string, dur time.Duration) (serveResult, error) {
	spec := loadSpec{Addr: addr, Host: "127.0.0.1", Paths: paths, Clients: b.o.Clients, Duration: int64(dur),
		Warmup: int64(min(dur/10, 500*time.Millisecond)), Gzip: gz, INM: inm}
	gcNow()
	u := snap()
	rep, err := b.h.do(helperCmd{Op: "load", Load: spec})
	dl := since(u)
	if err != nil {
		return serveResult{}, err
	}
	lr := rep.Load
	s := serveResult{Name: name, Target: target, Variant: variant, Requests: lr.Requests, Status: lr.Status, Errors: lr.Errors,
		RPS: lr.RPS, P50us: lr.P50us, P99us: lr.P99us, MaxUs: lr.MaxUs, FirstErr: lr.FirstErr, WallSec: lr.WallSec, Rounds: 1}
	if lr.Requests > 0 {
		s.BytesPerResp = float64(lr.BodyBytes) / float64(lr.Requests)
		// The warm-up's requests are not counted but their CPU is: count
		// the share of the CPU that fell in the measured time.
		s.CPUSec = dl.CPU.Seconds() * lr.WallSec / max(dl.Wall.Seconds(), 1e-9)
		s.ServerCPUus = s.CPUSec * 1e6 / float64(lr.Requests)
	}
	want := "200"
	if variant == "304" {
		want = "304"
	}
	if lr.Requests == 0 || lr.Status[want] != lr.Requests {
		return s, fmt.Errorf("load %s %s: want only %s, got %v (%d errors, %s)", name, variant, want, lr.Status, lr.Errors, lr.FirstErr)
	}
	return s, nil
}

var nextLinkRE = regexp.MustCompile(`<link[^>]*\brel="next"[^>]*>`)
var hrefRE = regexp.MustCompile(`\bhref="([^"]*)"`)

// walkPages follows rel="next" from path for up to n pages, timing each
// request (each is a cache miss: a different cursor), then requests the
// same pages once more (still misses when there are more of them than the
// response cache holds), and returns the paths of the pages and the
// latencies of both walks.
func walkPages(addr, path string, n int) ([]string, []time.Duration, error) {
	paths, lat, err := walkNext(addr, path, n)
	if err != nil {
		return paths, lat, err
	}
	for _, p := range paths {
		t0 := time.Now()
		if _, _, _, err := get(addr, p, true); err != nil {
			return paths, lat, err
		}
		lat = append(lat, time.Since(t0))
	}
	return paths, lat, nil
}

// walkNext is the first walk of walkPages.
func walkNext(addr, path string, n int) ([]string, []time.Duration, error) {
	var paths []string
	var lat []time.Duration
	for len(paths) < n && path != "" {
		t0 := time.Now()
		body, _, _, err := get(addr, path, true)
		if err != nil {
			return paths, lat, err
		}
		lat = append(lat, time.Since(t0))
		paths = append(paths, path)
		path = ""
		if l := nextLinkRE.Find(gunzipMaybe(body)); l != nil {
			if m := hrefRE.FindSubmatch(l); m != nil {
				u, err := url.Parse(html.UnescapeString(string(m[1])))
				if err == nil {
					path = u.RequestURI()
				}
			}
		}
	}
	return paths, lat, nil
}

func gunzipMaybe(b []byte) []byte {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return b
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return b
	}
	out, _ := io.ReadAll(zr)
	return out
}

func quantiles(lat []time.Duration) (p50, p99 float64) {
	if len(lat) == 0 {
		return 0, 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	at := func(p float64) float64 { return float64(s[int(p*float64(len(s)-1))]) / 1e3 }
	return at(0.5), at(0.99)
}

// busiestTopic is the topic with the most stored items.
func busiestTopic(st *storage.Store, cfg *config.Config) (string, int) {
	best, bestN := "", -1
	for _, t := range cfg.Topics {
		n, err := st.Count(storage.TopicIndex(t.ID))
		if err == nil && n > bestN {
			best, bestN = t.ID, n
		}
	}
	return best, bestN
}

// pageLimit is the page size of the uncached-page measurement: 20 items,
// fewer for stores too small to give walkPagesN distinct pages.
func pageLimit(stored int) int { return max(1, min(20, stored/walkPagesN)) }

// serveRounds is how many turns the static file and the daemon take.
const serveRounds = 3

// walkPagesN pages are walked: more than the response cache holds (256),
// so that cycling through them never hits the cache.
const walkPagesN = 320

func (b *bench) serving(d *daemon.Daemon, cfg *config.Config) error {
	r := b.rep
	srv, err := b.serve(d, cfg)
	if err != nil {
		return err
	}
	defer srv.stop()
	topic, tn := busiestTopic(d.Store(), cfg)
	r.ServeTopic, r.ServeTopicItems = topic, tn
	allPath, topicPath := "/feeds/all.atom", "/feeds/topics/"+topic+".atom"
	files := map[string]*staticFile{}
	for _, p := range []string{allPath, topicPath} {
		body, etag, ctype, err := get(srv.addr, p, false)
		if err != nil {
			return err
		}
		gz, etag2, _, err := get(srv.addr, p, true)
		if err != nil {
			return err
		}
		if etag != etag2 {
			return fmt.Errorf("%s: ETag changed between two requests (%s, %s): is something writing?", p, etag, etag2)
		}
		files[p] = &staticFile{body: body, gz: gz, etag: etag, ctype: ctype, mod: time.Now().Add(-time.Hour)}
		if p == allPath {
			r.FeedBytes, r.FeedGzipBytes = len(body), len(gz)
			// What compressing on every request would cost.
			u := snap()
			n := 0
			for time.Since(u.wall) < 300*time.Millisecond {
				gzipBytes(body)
				n++
			}
			r.GzipCPUus = since(u).CPU.Seconds() * 1e6 / float64(n)
		}
	}
	staticAddr, stopStatic, err := startStatic(files)
	if err != nil {
		return err
	}
	defer stopStatic()
	b.prof.start("serve")
	defer b.prof.stop("serve")
	// The machine is shared and two runs of the same thing differ by up to
	// a tenth: the static file and the daemon take turns, in serveRounds
	// rounds, and each figure sums its rounds.
	type run struct {
		variant            string
		gz, inm            bool
		name, target, addr string
		path               string
	}
	var runs []run
	for _, v := range []run{{variant: "200"}, {variant: "200 gzip", gz: true}, {variant: "304", gz: true, inm: true}} {
		for _, t := range []run{
			{name: "static file (all)", target: "static", addr: staticAddr, path: allPath},
			{name: "daemon /feeds/all.atom", target: "all", addr: srv.addr, path: allPath},
			{name: "static file (topic)", target: "static-topic", addr: staticAddr, path: topicPath},
			{name: "daemon topic " + topic, target: "topic", addr: srv.addr, path: topicPath},
		} {
			t.variant, t.gz, t.inm = v.variant, v.gz, v.inm
			runs = append(runs, t)
		}
	}
	results := make([]serveResult, len(runs))
	per := max(b.o.Duration/serveRounds, 100*time.Millisecond)
	for round := range serveRounds {
		for i, t := range runs {
			inm := ""
			if t.inm {
				inm = files[t.path].etag
			}
			s, err := b.load(t.name, t.target, t.variant, t.addr, []string{t.path}, t.gz, inm, per)
			if err != nil {
				return err
			}
			if round == 0 {
				results[i] = s
			} else {
				results[i].merge(s)
			}
		}
	}
	r.Serving = append(r.Serving, results...)
	// Pages that are not in the cache: distinct cursors, rendered per request.
	stored, _ := d.Store().Count(storage.AllIndex())
	limit := pageLimit(stored)
	paths, lat, err := walkPages(srv.addr, fmt.Sprintf("%s?limit=%d", allPath, limit), walkPagesN)
	if err != nil {
		return err
	}
	p50, p99 := quantiles(lat)
	r.PageWalk = pageWalk{Pages: len(paths), Limit: limit, P50us: p50, P99us: p99}
	s, err := b.load("daemon all.atom pages (uncached)", "pages", "200 gzip", srv.addr, paths, true, "", b.o.Duration)
	if err != nil {
		return err
	}
	r.Serving = append(r.Serving, s)
	return nil
}

// tagging measures topic tagging on one goroutine with the example topics,
// on generated items of the main set.
func (b *bench) tagging() error {
	cfg, err := b.loadConfig("tagging", filepath.Join(b.dir, "unused.db"), nil)
	if err != nil {
		return err
	}
	tg, err := topics.Compile(cfg)
	if err != nil {
		return err
	}
	clock := time.Now()
	var items []news.Item
	for i := range min(b.o.Feeds, 100) {
		spec := newFeedSpec(b.o.Seed, "main", i, b.o.Feeds)
		for seq := range min(b.o.Items, 20) {
			g := spec.item(seq, clock)
			items = append(items, news.Item{Source: fmt.Sprintf("f%04d", i), Title: g.Title, Summary: g.HTML, Link: g.Link})
		}
	}
	hits := map[string]int{}
	tagged := 0
	for i := range items {
		tg.Tag(&items[i])
		if len(items[i].Topics) > 0 {
			tagged++
		}
		for _, t := range items[i].Topics {
			hits[t]++
		}
	}
	runtime.LockOSThread()
	gcNow()
	u := snap()
	n := 0
	for time.Since(u.wall) < max(b.o.FloorMin, 300*time.Millisecond) {
		for i := range items {
			tg.Tag(&items[i])
		}
		n += len(items)
	}
	dl := since(u)
	runtime.UnlockOSThread()
	t := tagResult{Topics: len(tg.Topics()), Items: len(items), Tagged: tagged, Hits: hits}
	t.ItemsPerCPUs = float64(n) / dl.CPU.Seconds()
	t.ItemsPerS = float64(n) / dl.Wall.Seconds()
	t.EvalsPerCPUs = t.ItemsPerCPUs * float64(t.Topics)
	t.UsPerItem = dl.CPU.Seconds() * 1e6 / float64(n)
	b.rep.Tagging = t
	return nil
}

// fillStep is the interval between the publication times of the items
// of a filled store: the rate at which 10,000 items fall in one story
// window (72h), about 70 feeds' worth. The window then holds the same
// number of items whatever the store's size, so that the growth runs
// measure the store's size and nothing else.
const fillStep = storyWindow / 10_000

// fill writes n generated items into a new store at path through
// storage.SaveFetch, one batch per source (at most 2,000 items, the
// default max_items_per_source), tagged with the example topics, published
// one every fillStep up to an hour ago, round-robin over the sources. It
// returns the fill sources.
func (b *bench) fill(path string, n int, tg *topics.Tagger) ([]source, error) {
	st, err := storage.Open(path, storage.Options{Stories: storage.Stories{Enabled: b.o.Stories, Window: storyWindow}})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	const perSource = 2000
	nsrc := (n + perSource - 1) / perSource
	srcs := make([]source, nsrc)
	clock := time.Now().Add(-time.Hour).Truncate(time.Minute)
	type batch struct {
		i     int
		items []news.Item
	}
	work := make(chan int)
	out := make(chan batch, 2)
	var wg sync.WaitGroup
	set := fmt.Sprintf("fill%d", n)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				spec := newFeedSpec(b.o.Seed, set, i, nsrc)
				var items []news.Item
				for seq, g := 0, i; g < n; seq, g = seq+1, g+nsrc {
					// Item g of the store, counting from the newest.
					pub := clock.Add(-time.Duration(g) * fillStep)
					gi := spec.item(seq, pub)
					lang := "en"
					if spec.Lang == arabic {
						lang = "ar"
					}
					it := news.Item{Key: gi.GUID, GUID: gi.GUID, Link: gi.Link, Title: gi.Title, Summary: gi.HTML,
						Language: lang, Published: pub, Updated: pub, FirstSeen: pub}
					it.Hash = fmt.Sprintf("%x", setHash(gi.Title+gi.HTML))
					tg.Tag(&it)
					items = append(items, it) // newest first, as feeds list them
				}
				out <- batch{i, items}
			}
		})
	}
	go func() {
		for i := range nsrc {
			work <- i
		}
		close(work)
		wg.Wait()
		close(out)
	}()
	var saveErr error
	for bt := range out {
		if saveErr != nil {
			continue
		}
		name := fmt.Sprintf("g%04d", bt.i)
		srcs[bt.i] = source{name: name, url: "http://127.0.0.1:1/fill/" + name}
		state := news.SourceState{Name: name, URL: srcs[bt.i].url, LastAttempt: clock, LastSuccess: clock, Status: 200}
		if _, err := st.SaveFetch(state, bt.items); err != nil {
			saveErr = err
		}
	}
	return srcs, saveErr
}

// growth fills a store with n items, then ingests fresh feeds into it and
// serves from it.
func (b *bench) growth(n int) error {
	o := b.o
	g := growthResult{Size: n, SizeName: sizeName(n)}
	cfg0, err := b.loadConfig("tagging", filepath.Join(b.dir, "unused.db"), nil)
	if err != nil {
		return err
	}
	tg, err := topics.Compile(cfg0)
	if err != nil {
		return err
	}
	db := filepath.Join(b.dir, "growth-"+sizeName(n)+".db")
	os.Remove(db)
	if !o.keep {
		defer os.Remove(db)
	}
	b.progress("growth %s: filling the store", sizeName(n))
	gcNow()
	b.prof.start("fill")
	u := snap()
	fillSrcs, err := b.fill(db, n, tg)
	dl := since(u)
	b.prof.stop("fill")
	if err != nil {
		return err
	}
	g.FillWallSec, g.FillCPUSec = dl.Wall.Seconds(), dl.CPU.Seconds()
	g.FillDBBytes = fileSize(db)

	set := "g" + sizeName(n)
	if _, err := b.h.do(helperCmd{Op: "addset", Set: set, Feeds: o.GrowthFeeds, Items: o.Items, Clock: time.Now().Truncate(time.Minute).UnixNano()}); err != nil {
		return err
	}
	fresh := b.farmSources(set, o.GrowthFeeds, "n")
	// Retention off: the filled items span more than 720h at the larger
	// sizes, and no prune runs during the benchmark anyway.
	cfg, err := b.loadConfigRetention("growth-"+sizeName(n), db, append(fillSrcs, fresh...), "0s")
	if err != nil {
		return err
	}
	d, err := b.openDaemon(cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	names := make([]string, len(fresh))
	for i, s := range fresh {
		names[i] = s.name
	}
	b.progress("growth %s: ingesting %d fresh feeds", sizeName(n), len(fresh))
	b.prof.start("growth")
	p, err := b.pass("growth-"+sizeName(n), d, names)
	b.prof.stop("growth")
	if err != nil {
		return err
	}
	g.Ingest = p
	g.Stored, _ = d.Store().Count(storage.AllIndex())
	g.DBBytes, g.UsedBytes = fileSize(db), usedBytes(d.Store())

	srv, err := b.serve(d, cfg)
	if err != nil {
		return err
	}
	defer srv.stop()
	topic, _ := busiestTopic(d.Store(), cfg)
	dur := max(o.Duration/2, 500*time.Millisecond)
	for _, t := range []struct{ target, path string }{
		{"all", "/feeds/all.atom"},
		{"topic", "/feeds/topics/" + topic + ".atom"},
	} {
		if _, _, _, err := get(srv.addr, t.path, true); err != nil {
			return err
		}
		s, err := b.load(t.path, t.target, "200 gzip", srv.addr, []string{t.path}, true, "", dur)
		if err != nil {
			return err
		}
		g.Serving = append(g.Serving, s)
	}
	limit := 20 // the same page size at every size
	paths, lat, err := walkPages(srv.addr, fmt.Sprintf("/feeds/all.atom?limit=%d", limit), walkPagesN)
	if err != nil {
		return err
	}
	p50, p99 := quantiles(lat)
	g.PageWalk = pageWalk{Pages: len(paths), Limit: limit, P50us: p50, P99us: p99}
	s, err := b.load("all.atom pages (uncached)", "pages", "200 gzip", srv.addr, paths, true, "", dur)
	if err != nil {
		return err
	}
	g.Serving = append(g.Serving, s)
	b.rep.Growth = append(b.rep.Growth, g)
	return nil
}
