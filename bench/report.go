package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report is everything one run measured; it is also the -json output.
type report struct {
	Machine machine  `json:"machine"`
	Options options  `json:"options"`
	Notes   []string `json:"notes,omitempty"`

	Farm        farmResult    `json:"farm"`
	Floor       floorResults  `json:"floor"`
	Concurrency int           `json:"fetch_concurrency"`
	Cold        passResult    `json:"cold"`
	Warm        passResult    `json:"warm"`
	Churn       passResult    `json:"churn"`
	Storage     storageResult `json:"storage"`
	// GroupingCold and GroupingChurn are the quality of story grouping
	// after the cold and the churn pass.
	GroupingCold  groupingResult `json:"grouping_cold"`
	GroupingChurn groupingResult `json:"grouping_churn"`
	Memory        memResult      `json:"memory"`

	ServeTopic      string        `json:"serve_topic"`
	ServeTopicItems int           `json:"serve_topic_items"`
	FeedBytes       int           `json:"feed_bytes"`
	FeedGzipBytes   int           `json:"feed_gzip_bytes"`
	GzipCPUus       float64       `json:"gzip_cpu_us"` // compressing the merged feed once
	Serving         []serveResult `json:"serving"`
	PageWalk        pageWalk      `json:"page_walk"`

	Tagging tagResult      `json:"tagging"`
	Growth  []growthResult `json:"growth,omitempty"`
	Targets []target       `json:"targets"`
}

func (r *report) note(s string) {
	if !slices.Contains(r.Notes, s) {
		r.Notes = append(r.Notes, s)
	}
}

type farmResult struct {
	Docs         int     `json:"docs"`
	Items        int     `json:"items"`
	DocBytes     int64   `json:"doc_bytes"`
	GzipBytes    int64   `json:"gzip_bytes"`
	ItemBytes    int64   `json:"item_bytes"`
	BytesPerItem float64 `json:"bytes_per_item"`
}

type floorResults struct {
	Gofeed  floorResult `json:"gofeed"`
	XMLScan floorResult `json:"xml_scan"`
}

// passResult is one FetchOnce over the sources.
type passResult struct {
	Name         string         `json:"name"`
	Sources      int            `json:"sources"`
	Status       map[string]int `json:"status"`
	Failed       int            `json:"failed"`
	FirstErr     string         `json:"first_error,omitempty"`
	Items        int            `json:"items"` // items in the documents parsed
	New          int            `json:"new"`
	Updated      int            `json:"updated"`
	Duplicate    int            `json:"duplicate"`
	Served200    int64          `json:"farm_200"`
	Served304    int64          `json:"farm_304"`
	WallSec      float64        `json:"wall_s"`
	CPUSec       float64        `json:"cpu_s"`
	UserSec      float64        `json:"user_s"`
	SysSec       float64        `json:"sys_s"`
	ItemsPerS    float64        `json:"items_per_s"`
	CPUPer1000   float64        `json:"cpu_s_per_1000_items"`
	CPUPerFeedMs float64        `json:"cpu_ms_per_feed"`
	WrittenBytes int64          `json:"written_bytes"` // ru_oublock × 512
	DBBytes      int64          `json:"db_bytes"`
	ChangedFeeds int            `json:"changed_feeds,omitempty"`
	NewItems     int            `json:"new_items,omitempty"`
}

func (p *passResult) set(d delta) {
	p.WallSec, p.CPUSec, p.UserSec, p.SysSec = d.Wall.Seconds(), d.CPU.Seconds(), d.User.Seconds(), d.Sys.Seconds()
	p.WrittenBytes = d.OutBlk * 512
	if p.WallSec > 0 {
		p.ItemsPerS = float64(p.Items) / p.WallSec
	}
	if p.Items > 0 {
		p.CPUPer1000 = p.CPUSec / float64(p.Items) * 1000
	}
	if p.Sources > 0 {
		p.CPUPerFeedMs = p.CPUSec * 1000 / float64(p.Sources)
	}
}

type storageResult struct {
	Items           int     `json:"items"`
	DBBytes         int64   `json:"db_bytes"`
	BytesPerItem    float64 `json:"db_bytes_per_item"`
	UsedBytes       int64   `json:"used_bytes"` // bbolt's extent: a backup's length
	UsedPerItem     float64 `json:"used_bytes_per_item"`
	UsedRatio       float64 `json:"used_ratio"`
	RawBytesPerItem float64 `json:"raw_bytes_per_item"`
	Ratio           float64 `json:"ratio"`
}

type memResult struct {
	PeakRSS  int64 `json:"peak_rss_bytes"` // VmHWM since the daemon was opened
	MaxRSS   int64 `json:"maxrss_bytes"`   // getrusage: whole process life
	RSSNow   int64 `json:"rss_bytes"`
	RSSAnon  int64 `json:"rss_anon_bytes"`  // at the end: Go heap and stacks
	RSSFile  int64 `json:"rss_file_bytes"`  // at the end: mapped pages of the db file (and the binary)
	PeakAnon int64 `json:"peak_anon_bytes"` // highest RssAnon seen (sampled every 50ms)
	PeakFile int64 `json:"peak_file_bytes"` // highest RssFile seen (sampled every 50ms)
	HWMReset bool  `json:"hwm_reset"`
}

type serveResult struct {
	Name         string         `json:"name"`
	Target       string         `json:"target"`
	Variant      string         `json:"variant"`
	Requests     int            `json:"requests"`
	Status       map[string]int `json:"status"`
	Errors       int            `json:"errors"`
	RPS          float64        `json:"req_per_s"`
	P50us        float64        `json:"p50_us"`
	P99us        float64        `json:"p99_us"`
	MaxUs        float64        `json:"max_us"`
	BytesPerResp float64        `json:"bytes_per_response"`
	ServerCPUus  float64        `json:"server_cpu_us_per_request"`
	WallSec      float64        `json:"wall_s"`
	CPUSec       float64        `json:"server_cpu_s"`
	Rounds       int            `json:"rounds"`
	FirstErr     string         `json:"first_error,omitempty"`
}

type pageWalk struct {
	Pages int     `json:"pages"`
	Limit int     `json:"limit"`
	P50us float64 `json:"p50_us"`
	P99us float64 `json:"p99_us"`
}

type tagResult struct {
	Topics       int            `json:"topics"`
	Items        int            `json:"items"`
	Tagged       int            `json:"tagged"`
	Hits         map[string]int `json:"hits"`
	ItemsPerS    float64        `json:"items_per_s"`
	ItemsPerCPUs float64        `json:"items_per_cpu_s"`
	EvalsPerCPUs float64        `json:"item_topic_evaluations_per_cpu_s"`
	UsPerItem    float64        `json:"cpu_us_per_item"`
}

type growthResult struct {
	Size        int           `json:"size"`
	SizeName    string        `json:"size_name"`
	FillWallSec float64       `json:"fill_wall_s"`
	FillCPUSec  float64       `json:"fill_cpu_s"`
	FillDBBytes int64         `json:"fill_db_bytes"`
	Stored      int           `json:"stored"`
	DBBytes     int64         `json:"db_bytes"`   // after the ingest
	UsedBytes   int64         `json:"used_bytes"` // bbolt's extent after the ingest
	Ingest      passResult    `json:"ingest"`
	Serving     []serveResult `json:"serving"`
	PageWalk    pageWalk      `json:"page_walk"`
}

// target is one target of the issue, checked.
type target struct {
	Name     string `json:"name"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	Holds    bool   `json:"holds"`
}

// merge adds another round of the same run.
func (s *serveResult) merge(o serveResult) {
	n := s.Requests + o.Requests
	if n > 0 {
		w := func(a, b float64) float64 { return (a*float64(s.Requests) + b*float64(o.Requests)) / float64(n) }
		s.P50us, s.P99us, s.BytesPerResp = w(s.P50us, o.P50us), w(s.P99us, o.P99us), w(s.BytesPerResp, o.BytesPerResp)
	}
	s.MaxUs = max(s.MaxUs, o.MaxUs)
	s.Requests, s.Errors = n, s.Errors+o.Errors
	s.WallSec += o.WallSec
	s.CPUSec += o.CPUSec
	s.Rounds += o.Rounds
	for k, v := range o.Status {
		s.Status[k] += v
	}
	if s.WallSec > 0 {
		s.RPS = float64(s.Requests) / s.WallSec
	}
	if s.Requests > 0 {
		s.ServerCPUus = s.CPUSec * 1e6 / float64(s.Requests)
	}
	if s.FirstErr == "" {
		s.FirstErr = o.FirstErr
	}
}

func (r *report) serve(target, variant string) serveResult {
	for _, s := range r.Serving {
		if s.Target == target && s.Variant == variant {
			return s
		}
	}
	return serveResult{}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// evaluate checks the targets of the issue against the figures.
func (r *report) evaluate() {
	add := func(name, tgt string, holds bool, format string, args ...any) {
		r.Targets = append(r.Targets, target{Name: name, Target: tgt, Measured: fmt.Sprintf(format, args...), Holds: holds})
	}
	gf := r.Floor.Gofeed
	cold := ratio(r.Cold.CPUPer1000, gf.CPUPer1000)
	add("cold ingest CPU", "≤ 2× gofeed", cold <= 2 && cold > 0,
		"%.2f× (%.3f vs %.3f CPU-s per 1,000 items)", cold, r.Cold.CPUPer1000, gf.CPUPer1000)

	warm := ratio(r.Warm.CPUSec, r.Cold.CPUSec)
	add("warm pass CPU", "≤ 10% of cold", warm <= 0.10 && r.Warm.Served304 == int64(r.Warm.Sources),
		"%.1f%% (%.3f vs %.3f CPU-s; %d of %d answered 304)", warm*100, r.Warm.CPUSec, r.Cold.CPUSec, r.Warm.Served304, r.Warm.Sources)

	// Churn: what changed is the changed feeds' documents (parsed whole)
	// and their new items; the rest answer 304. The budget is what those
	// cost in the cold and warm passes.
	if r.Churn.ChangedFeeds > 0 && r.Cold.Sources > 0 {
		unchanged := r.Churn.Sources - r.Churn.ChangedFeeds
		budget := float64(r.Churn.ChangedFeeds)*r.Cold.CPUPerFeedMs/1000 + float64(unchanged)*r.Warm.CPUPerFeedMs/1000
		ok := r.Churn.Updated == 0 && r.Churn.New == r.Churn.NewItems && r.Churn.CPUSec <= budget*1.1
		add("churn pass", "cost ∝ change; unchanged items not rewritten", ok,
			"%.3f CPU-s vs %.3f re-ingesting the %d changed feeds; new %d (want %d), updated %d; db grew %s",
			r.Churn.CPUSec, budget, r.Churn.ChangedFeeds, r.Churn.New, r.Churn.NewItems, r.Churn.Updated,
			mib(r.Churn.DBBytes-r.Warm.DBBytes))
	}

	for _, v := range []string{"200", "200 gzip"} {
		d, s := r.serve("all", v), r.serve("static", v)
		q := ratio(d.RPS, s.RPS)
		add("serve all.atom "+v, "≥ 80% of static", q >= 0.8, "%.0f%% (%.0f vs %.0f req/s; server CPU %.1f vs %.1f µs/req)",
			q*100, d.RPS, s.RPS, d.ServerCPUus, s.ServerCPUus)
	}
	d, s := r.serve("all", "304"), r.serve("static", "304")
	q := ratio(d.RPS, s.RPS)
	add("serve all.atom 304", "≥ 100% of static", q >= 1, "%.0f%% (%.0f vs %.0f req/s; server CPU %.1f vs %.1f µs/req)",
		q*100, d.RPS, s.RPS, d.ServerCPUus, s.ServerCPUus)

	dg, dp := r.serve("all", "200 gzip"), r.serve("all", "200")
	add("no compression per request", "gzip served from cache", dg.ServerCPUus < r.GzipCPUus/2,
		"%.0f µs CPU per gzip response vs %.0f per identity; compressing the feed once costs %.0f µs",
		dg.ServerCPUus, dp.ServerCPUus, r.GzipCPUus)

	add("peak RSS", "< 150 MB (2,000 feeds × 50 items, ingest and serve)", r.Memory.PeakRSS > 0 && r.Memory.PeakRSS < 150e6,
		"%s for %d feeds × %d items (peaks: anonymous %s, file-backed %s; db %s)", mib(r.Memory.PeakRSS), r.Options.Feeds,
		r.Options.Items, mib(r.Memory.PeakAnon), mib(r.Memory.PeakFile), mib(r.Storage.DBBytes))
	add("db size", "< 2.5× raw item bytes", r.Storage.Ratio > 0 && r.Storage.Ratio < 2.5,
		"file %.2f× (%.0f vs %.0f bytes per item); bbolt's used extent %.2f×", r.Storage.Ratio, r.Storage.BytesPerItem,
		r.Storage.RawBytesPerItem, r.Storage.UsedRatio)

	t := r.Tagging
	add("topic tagging", "≥ 100,000 item evaluations/s/core", t.EvalsPerCPUs >= 100_000,
		"%.0f item×topic evaluations per CPU-s (%d topics; %.0f items per CPU-s, %.1f µs per item)",
		t.EvalsPerCPUs, t.Topics, t.ItemsPerCPUs, t.UsPerItem)

	if len(r.Growth) >= 2 {
		a, z := r.Growth[0], r.Growth[len(r.Growth)-1]
		ic := ratio(z.Ingest.CPUPer1000, a.Ingest.CPUPer1000)
		add("growth: ingest CPU/item", fmt.Sprintf("%s within 1.3× of %s", z.SizeName, a.SizeName), ic <= 1.3,
			"%.2f× (%.3f vs %.3f CPU-s per 1,000 items)", ic, z.Ingest.CPUPer1000, a.Ingest.CPUPer1000)
		for i, name := range []string{"all.atom", "topic"} {
			if i < len(a.Serving) && i < len(z.Serving) {
				pc := ratio(z.Serving[i].P99us, a.Serving[i].P99us)
				add("growth: "+name+" p99 (cached)", fmt.Sprintf("%s within 1.3× of %s", z.SizeName, a.SizeName), pc <= 1.3,
					"%.2f× (%.0f vs %.0f µs)", pc, z.Serving[i].P99us, a.Serving[i].P99us)
			}
		}
		pc := ratio(z.PageWalk.P99us, a.PageWalk.P99us)
		add("growth: uncached page p99", fmt.Sprintf("%s within 1.3× of %s", z.SizeName, a.SizeName), pc <= 1.3,
			"%.2f× (%.0f vs %.0f µs)", pc, z.PageWalk.P99us, a.PageWalk.P99us)
	}
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

// print writes the human-readable report.
func (r *report) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	defer tw.Flush()
	line := func(cells ...any) {
		for i, c := range cells {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprint(tw, "\t\n")
	}
	section := func(title string) {
		tw.Flush()
		fmt.Fprintf(w, "\n== %s\n", title)
	}
	o := r.Options
	f := r.Farm
	section("feed farm")
	line("feeds", "items", "doc MB", "gzip MB", "bytes/item (XML)")
	line(f.Docs, f.Items, fmt.Sprintf("%.1f", float64(f.DocBytes)/1e6), fmt.Sprintf("%.1f", float64(f.GzipBytes)/1e6), fmt.Sprintf("%.0f", f.BytesPerItem))

	section("floor: parsing the same documents from memory, one goroutine")
	line("parser", "items/s", "MB/s", "CPU-s/1k items", "reps")
	for _, x := range []struct {
		n string
		f floorResult
	}{{"gofeed", r.Floor.Gofeed}, {"encoding/xml tokens", r.Floor.XMLScan}} {
		line(x.n, fmt.Sprintf("%.0f", x.f.ItemsPerS), fmt.Sprintf("%.1f", x.f.MBPerS), fmt.Sprintf("%.3f", x.f.CPUPer1000), x.f.Reps)
	}

	stories := "on"
	if !o.Stories {
		stories = "off"
	}
	section(fmt.Sprintf("ingest: daemon.FetchOnce, %d sources, concurrency %d, stories %s", r.Cold.Sources, r.Concurrency, stories))
	line("pass", "farm 200/304", "items", "new", "upd", "dup", "wall s", "items/s", "CPU s", "user/sys", "CPU-s/1k items", "CPU ms/feed", "× gofeed", "written MB")
	for _, p := range []passResult{r.Cold, r.Warm, r.Churn} {
		line(p.Name, fmt.Sprintf("%d/%d", p.Served200, p.Served304), p.Items, p.New, p.Updated, p.Duplicate,
			fmt.Sprintf("%.2f", p.WallSec), fmt.Sprintf("%.0f", p.ItemsPerS), fmt.Sprintf("%.2f", p.CPUSec),
			fmt.Sprintf("%.2f/%.2f", p.UserSec, p.SysSec), fmt.Sprintf("%.3f", p.CPUPer1000), fmt.Sprintf("%.2f", p.CPUPerFeedMs),
			fmt.Sprintf("%.2f", ratio(p.CPUPer1000, r.Floor.Gofeed.CPUPer1000)), fmt.Sprintf("%.1f", float64(p.WrittenBytes)/1e6))
	}
	for _, p := range []passResult{r.Cold, r.Warm, r.Churn} {
		if p.Failed > 0 {
			tw.Flush()
			fmt.Fprintf(w, "  %s: %d fetches failed, first: %s\n", p.Name, p.Failed, p.FirstErr)
		}
	}
	tw.Flush()
	for _, g := range []groupingResult{r.GroupingCold, r.GroupingChurn} {
		if g.Pass != "" {
			fmt.Fprintf(w, "  %s\n", g.line())
		}
	}

	section("storage and memory")
	s := r.Storage
	line("items stored", "db file MB", "used MB", "file bytes/item", "used bytes/item", "raw bytes/item", "file/raw", "used/raw")
	line(s.Items, fmt.Sprintf("%.1f", float64(s.DBBytes)/1e6), fmt.Sprintf("%.1f", float64(s.UsedBytes)/1e6), fmt.Sprintf("%.0f", s.BytesPerItem),
		fmt.Sprintf("%.0f", s.UsedPerItem), fmt.Sprintf("%.0f", s.RawBytesPerItem), fmt.Sprintf("%.2f", s.Ratio), fmt.Sprintf("%.2f", s.UsedRatio))
	line("peak RSS (VmHWM)", "peak anon", "peak file-backed", "maxrss", "RSS at end", "anon at end", "file at end", "")
	line(mib(r.Memory.PeakRSS), mib(r.Memory.PeakAnon), mib(r.Memory.PeakFile), mib(r.Memory.MaxRSS), mib(r.Memory.RSSNow),
		mib(r.Memory.RSSAnon), mib(r.Memory.RSSFile), "")

	section(fmt.Sprintf("serving: %d keep-alive clients, %s per figure in %d alternating rounds; all.atom %d bytes (%d gzip); topic %q (%d items)",
		o.Clients, o.Duration, serveRounds, r.FeedBytes, r.FeedGzipBytes, r.ServeTopic, r.ServeTopicItems))
	line("what", "response", "req/s", "p50 µs", "p99 µs", "server CPU µs/req", "bytes/resp", "vs static")
	for _, x := range r.Serving {
		vs := ""
		switch x.Target {
		case "all":
			vs = fmt.Sprintf("%.0f%%", 100*ratio(x.RPS, r.serve("static", x.Variant).RPS))
		case "topic":
			vs = fmt.Sprintf("%.0f%%", 100*ratio(x.RPS, r.serve("static-topic", x.Variant).RPS))
		}
		line(x.Name, x.Variant, fmt.Sprintf("%.0f", x.RPS), fmt.Sprintf("%.0f", x.P50us), fmt.Sprintf("%.0f", x.P99us),
			fmt.Sprintf("%.0f", x.ServerCPUus), fmt.Sprintf("%.0f", x.BytesPerResp), vs)
	}
	tw.Flush()
	fmt.Fprintf(w, "  uncached pages, one client: %d pages of %d items, p50 %.0f µs, p99 %.0f µs; compressing all.atom once: %.0f µs CPU\n",
		r.PageWalk.Pages, r.PageWalk.Limit, r.PageWalk.P50us, r.PageWalk.P99us, r.GzipCPUus)

	section("topic tagging: example topics, one goroutine")
	t := r.Tagging
	line("topics", "items", "tagged", "items/CPU-s", "item×topic evals/CPU-s", "µs/item")
	line(t.Topics, t.Items, t.Tagged, fmt.Sprintf("%.0f", t.ItemsPerCPUs), fmt.Sprintf("%.0f", t.EvalsPerCPUs), fmt.Sprintf("%.1f", t.UsPerItem))
	var hits []string
	for k, v := range t.Hits {
		hits = append(hits, fmt.Sprintf("%s %d", k, v))
	}
	slices.Sort(hits)
	tw.Flush()
	fmt.Fprintf(w, "  items per topic: %s\n", strings.Join(hits, ", "))

	if len(r.Growth) > 0 {
		section("growth: fresh feeds ingested into a filled store, then served")
		line("stored", "fill s", "fill CPU s", "db file/used MB", "ingest CPU-s/1k", "ingest wall ms/feed", "all p50/p99 µs", "topic p50/p99 µs", "uncached page p50/p99 µs", "uncached loaded req/s")
		for _, g := range r.Growth {
			cell := func(i int) string {
				if i >= len(g.Serving) {
					return "-"
				}
				return fmt.Sprintf("%.0f/%.0f", g.Serving[i].P50us, g.Serving[i].P99us)
			}
			pages := "-"
			if len(g.Serving) > 2 {
				pages = fmt.Sprintf("%.0f", g.Serving[2].RPS)
			}
			line(fmt.Sprintf("%s (%d)", g.SizeName, g.Stored), fmt.Sprintf("%.1f", g.FillWallSec), fmt.Sprintf("%.1f", g.FillCPUSec),
				fmt.Sprintf("%.0f/%.0f", float64(g.DBBytes)/1e6, float64(g.UsedBytes)/1e6), fmt.Sprintf("%.3f", g.Ingest.CPUPer1000),
				fmt.Sprintf("%.1f", g.Ingest.WallSec*1000/float64(max(g.Ingest.Sources, 1))), cell(0), cell(1),
				fmt.Sprintf("%.0f/%.0f", g.PageWalk.P50us, g.PageWalk.P99us), pages)
		}
	}

	section("targets")
	tw2 := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, t := range r.Targets {
		fmt.Fprintf(tw2, "%s\t%s\t%s\t%s\n", yes(t.Holds), t.Name, t.Target, t.Measured)
	}
	tw2.Flush()
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "\nload average: %s at start, %s at end (%s)\n", r.Machine.LoadStart, r.Machine.LoadEnd, time.Now().UTC().Format(time.RFC3339))
}
