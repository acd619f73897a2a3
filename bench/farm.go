package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmcdole/gofeed"
)

// The helper process. The benchmark runs the feed farm, the gofeed floor
// and the HTTP load generator in a second process (this binary, started
// again with childEnv set), so that the process under test — the one that
// runs the daemon — pays for none of them in CPU or memory: its getrusage
// figures are the daemon's own. The parent drives the helper with one JSON
// command per line on its standard input and reads one JSON answer per line
// from its standard output.

// childEnv names the environment variable that makes this binary the helper.
const childEnv = "AGGBENCH_HELPER"

// farmFeed is one feed of the farm, as served now.
type farmFeed struct {
	spec      feedSpec
	items     []genItem // newest first
	nextSeq   int
	doc, gz   []byte
	etag      string
	lastMod   time.Time
	itemBytes int
	version   int
}

func (f *farmFeed) render(gzipOn bool) {
	updated := f.lastMod
	f.doc, f.itemBytes = f.spec.feedDoc(f.items, updated)
	f.version++
	h := fnv.New64a()
	h.Write(f.doc)
	f.etag = fmt.Sprintf(`"%x-%d"`, h.Sum64(), f.version)
	f.gz = nil
	if gzipOn {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
		zw.Write(f.doc)
		zw.Close()
		f.gz = b.Bytes()
	}
}

// farm serves generated feeds under /SET/INDEX.xml.
type farm struct {
	seed   uint64
	gzipOn bool

	mu   sync.RWMutex
	sets map[string][]*farmFeed
	// wire maps each set's wire copies ever generated (churn included:
	// the store keeps items the feeds have dropped) from link to wire
	// story: the ground truth of story grouping.
	wire map[string]map[string]string

	ok200, ok304, other atomic.Int64
}

func (fm *farm) addSet(set string, n, m int, clock time.Time) (docs, items, docBytes, itemBytes int) {
	feeds := make([]*farmFeed, n)
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				spec := newFeedSpec(fm.seed, set, i, n)
				f := &farmFeed{spec: spec, nextSeq: m, lastMod: clock.Add(-spec.Offset).Truncate(time.Second)}
				for seq := m - 1; seq >= 0; seq-- {
					pub := clock.Add(-spec.Offset - time.Duration(m-1-seq)*30*time.Minute)
					f.items = append(f.items, spec.item(seq, pub))
				}
				f.render(fm.gzipOn)
				feeds[i] = f
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	fm.mu.Lock()
	fm.sets[set] = feeds
	wire := map[string]string{}
	for _, f := range feeds {
		for _, it := range f.items {
			if it.Wire != "" {
				wire[it.Link] = it.Wire
			}
		}
	}
	fm.wire[set] = wire
	fm.mu.Unlock()
	for _, f := range feeds {
		docs++
		items += len(f.items)
		docBytes += len(f.doc)
		itemBytes += f.itemBytes
	}
	return
}

// churn adds k new items to a fraction of the set's feeds (chosen by a
// seeded hash of the pass), dropping as many old ones so that each feed
// keeps its length, as a real feed does.
func (fm *farm) churn(set string, frac float64, k, pass int, now time.Time) (feeds, items int) {
	fm.mu.Lock()
	defer fm.mu.Unlock()
	for _, f := range fm.sets[set] {
		h := fnv.New64a()
		fmt.Fprintf(h, "%d/%s/%d/%d", fm.seed, set, pass, f.spec.Index)
		if float64(h.Sum64()%1_000_000)/1e6 >= frac {
			continue
		}
		var fresh []genItem
		for j := range k {
			pub := now.Add(-time.Duration(k-1-j) * time.Minute)
			it := f.spec.item(f.nextSeq, pub)
			if it.Wire != "" && fm.wire[set] != nil {
				fm.wire[set][it.Link] = it.Wire
			}
			fresh = append([]genItem{it}, fresh...)
			f.nextSeq++
		}
		keep := len(f.items)
		f.items = append(fresh, f.items...)[:keep]
		f.lastMod = now.Truncate(time.Second)
		f.render(fm.gzipOn)
		feeds++
		items += k
	}
	return
}

func (fm *farm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	set, file, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	i, err := strconv.Atoi(strings.TrimSuffix(file, ".xml"))
	fm.mu.RLock()
	feeds := fm.sets[set]
	if err != nil || i < 0 || i >= len(feeds) {
		fm.mu.RUnlock()
		fm.other.Add(1)
		http.NotFound(w, r)
		return
	}
	f := feeds[i]
	doc, gz, etag, lastMod, atom := f.doc, f.gz, f.etag, f.lastMod, f.spec.Atom
	fm.mu.RUnlock()

	hdr := w.Header()
	hdr.Set("ETag", etag)
	hdr.Set("Last-Modified", lastMod.UTC().Format(http.TimeFormat))
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if inm == etag {
			fm.ok304.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !lastMod.After(ims) {
		fm.ok304.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if atom {
		hdr.Set("Content-Type", "application/atom+xml; charset=utf-8")
	} else {
		hdr.Set("Content-Type", "application/rss+xml; charset=utf-8")
	}
	body := doc
	if gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		body = gz
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	fm.ok200.Add(1)
	w.Write(body)
}

// floorResult is the cost of parsing documents from memory on one goroutine.
type floorResult struct {
	Docs       int     `json:"docs"`
	Items      int     `json:"items"`
	Bytes      int64   `json:"bytes"`
	Reps       int     `json:"reps"`
	WallSec    float64 `json:"wall_s"`
	CPUSec     float64 `json:"cpu_s"`
	ItemsPerS  float64 `json:"items_per_s"`
	CPUPer1000 float64 `json:"cpu_s_per_1000_items"`
	MBPerS     float64 `json:"mb_per_s"`
}

func finishFloor(r floorResult, d delta) floorResult {
	r.WallSec, r.CPUSec = d.Wall.Seconds(), d.CPU.Seconds()
	if r.WallSec > 0 {
		r.ItemsPerS = float64(r.Items) / r.WallSec
		r.MBPerS = float64(r.Bytes) / 1e6 / r.WallSec
	}
	if r.Items > 0 {
		r.CPUPer1000 = r.CPUSec / float64(r.Items) * 1000
	}
	return r
}

// floor parses every document of set with gofeed (one parser, one
// goroutine), repeating the whole set until minDur has passed, and does the
// same with a bare encoding/xml token scan.
func (fm *farm) floor(set string, minDur time.Duration) (gf, scan floorResult, err error) {
	fm.mu.RLock()
	var docs [][]byte
	for _, f := range fm.sets[set] {
		docs = append(docs, f.doc)
	}
	fm.mu.RUnlock()
	if len(docs) == 0 {
		return gf, scan, fmt.Errorf("floor: no set %q", set)
	}
	p := gofeed.NewParser()
	runtime.GC()
	u := snap()
	for gf.Reps == 0 || time.Since(u.wall) < minDur {
		for _, d := range docs {
			feed, err := p.Parse(bytes.NewReader(d))
			if err != nil {
				return gf, scan, fmt.Errorf("gofeed: %w", err)
			}
			gf.Items += len(feed.Items)
			gf.Bytes += int64(len(d))
		}
		gf.Reps++
	}
	gf = finishFloor(gf, since(u))
	gf.Docs = len(docs)

	runtime.GC()
	u = snap()
	for scan.Reps == 0 || time.Since(u.wall) < minDur {
		for _, d := range docs {
			dec := xml.NewDecoder(bytes.NewReader(d))
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					return gf, scan, fmt.Errorf("xml scan: %w", err)
				}
				if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "item" || se.Name.Local == "entry") {
					scan.Items++
				}
			}
			scan.Bytes += int64(len(d))
		}
		scan.Reps++
	}
	scan = finishFloor(scan, since(u))
	scan.Docs = len(docs)
	return gf, scan, nil
}

// helperCmd is one command from the parent.
type helperCmd struct {
	Op    string  `json:"op"`
	Set   string  `json:"set,omitempty"`
	Feeds int     `json:"feeds,omitempty"`
	Items int     `json:"items,omitempty"`
	Clock int64   `json:"clock,omitempty"` // UnixNano
	Frac  float64 `json:"frac,omitempty"`
	K     int     `json:"k,omitempty"`
	Pass  int     `json:"pass,omitempty"`
	MinMS int     `json:"min_ms,omitempty"`
	Load  loadSpec
}

// helperReply is the answer to a command; fields are set by op.
type helperReply struct {
	Err       string       `json:"err,omitempty"`
	Addr      string       `json:"addr,omitempty"`
	Docs      int          `json:"docs,omitempty"`
	Items     int          `json:"items,omitempty"`
	Feeds     int          `json:"feeds,omitempty"`
	DocBytes  int          `json:"doc_bytes,omitempty"`
	ItemBytes int          `json:"item_bytes,omitempty"`
	GzBytes   int          `json:"gz_bytes,omitempty"`
	Gofeed    *floorResult `json:"gofeed,omitempty"`
	XMLScan   *floorResult `json:"xml_scan,omitempty"`
	Load      *loadResult  `json:"load,omitempty"`
	Served200 int64        `json:"served_200,omitempty"`
	Served304 int64        `json:"served_304,omitempty"`
	Other     int64        `json:"other,omitempty"`
	// Wire maps the link of every wire copy generated in the set to its
	// wire story (op "wire").
	Wire map[string]string `json:"wire,omitempty"`
}

// helperMain runs the helper: it serves the farm on 127.0.0.1 and answers
// commands until its standard input closes.
func helperMain() int {
	seed, _ := strconv.ParseUint(os.Getenv(childEnv+"_SEED"), 10, 64)
	fm := &farm{seed: seed, gzipOn: os.Getenv(childEnv+"_GZIP") != "0", sets: map[string][]*farmFeed{}, wire: map[string]map[string]string{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	srv := &http.Server{Handler: fm, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go srv.Serve(ln)
	defer srv.Close()

	out := json.NewEncoder(os.Stdout)
	out.Encode(helperReply{Addr: ln.Addr().String()})
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	for in.Scan() {
		var c helperCmd
		var rep helperReply
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			rep.Err = err.Error()
			out.Encode(rep)
			continue
		}
		switch c.Op {
		case "addset":
			rep.Docs, rep.Items, rep.DocBytes, rep.ItemBytes = fm.addSet(c.Set, c.Feeds, c.Items, time.Unix(0, c.Clock))
			fm.mu.RLock()
			for _, f := range fm.sets[c.Set] {
				rep.GzBytes += len(f.gz)
			}
			fm.mu.RUnlock()
		case "churn":
			rep.Feeds, rep.Items = fm.churn(c.Set, c.Frac, c.K, c.Pass, time.Unix(0, c.Clock))
		case "floor":
			gf, sc, err := fm.floor(c.Set, time.Duration(c.MinMS)*time.Millisecond)
			if err != nil {
				rep.Err = err.Error()
			}
			rep.Gofeed, rep.XMLScan = &gf, &sc
		case "load":
			lr, err := runLoad(c.Load)
			if err != nil {
				rep.Err = err.Error()
			}
			rep.Load = &lr
		case "stats":
			rep.Served200, rep.Served304, rep.Other = fm.ok200.Swap(0), fm.ok304.Swap(0), fm.other.Swap(0)
		case "wire":
			fm.mu.RLock()
			rep.Wire = maps.Clone(fm.wire[c.Set])
			fm.mu.RUnlock()
			rep.Items = len(rep.Wire)
		case "itembytes":
			fm.mu.RLock()
			for _, f := range fm.sets[c.Set] {
				rep.ItemBytes += f.itemBytes
				rep.Items += len(f.items)
				rep.DocBytes += len(f.doc)
			}
			fm.mu.RUnlock()
		default:
			rep.Err = "unknown op " + c.Op
		}
		if err := out.Encode(rep); err != nil {
			return 1
		}
	}
	return 0
}

// helper is the parent's handle on the helper process.
type helper struct {
	addr string
	in   io.WriteCloser
	out  *bufio.Scanner
	wait func() error
	mu   sync.Mutex
}

func (h *helper) do(c helperCmd) (helperReply, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var rep helperReply
	line, _ := json.Marshal(c)
	if _, err := h.in.Write(append(line, '\n')); err != nil {
		return rep, fmt.Errorf("helper %s: %w", c.Op, err)
	}
	if !h.out.Scan() {
		return rep, fmt.Errorf("helper %s: no answer: %v", c.Op, h.out.Err())
	}
	if err := json.Unmarshal(h.out.Bytes(), &rep); err != nil {
		return rep, fmt.Errorf("helper %s: %w", c.Op, err)
	}
	if rep.Err != "" {
		return rep, fmt.Errorf("helper %s: %s", c.Op, rep.Err)
	}
	return rep, nil
}

func (h *helper) close() error {
	h.in.Close()
	if err := h.wait(); err != nil {
		var ee interface{ ExitCode() int }
		if errors.As(err, &ee) {
			return fmt.Errorf("helper exited with %d", ee.ExitCode())
		}
		return err
	}
	return nil
}
