// Command bench measures aggregatord against its performance targets
// (BENCHMARKS.md): a feed farm on loopback, ingest through the real
// daemon (cold, warm and churn passes), the gofeed floor, serving under
// concurrent clients against a static-file baseline, and growth of the
// store to 10k, 100k and 1M items. It prints a table and, with -json, a
// machine-readable report.
//
//	go run ./bench              # the full run (a few minutes)
//	go run ./bench -quick       # a small run, under a minute
//	go run ./bench -growth=10k,100k,1M -json bench.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// options are the benchmark's knobs (the flags).
type options struct {
	Feeds       int           `json:"feeds"`
	Items       int           `json:"items"`
	ChurnFrac   float64       `json:"churn"`
	ChurnK      int           `json:"churn_items"`
	Duration    time.Duration `json:"duration_ns"`
	Clients     int           `json:"clients"`
	Growth      []int         `json:"growth"`
	GrowthFeeds int           `json:"growth_feeds"`
	Seed        uint64        `json:"seed"`
	FarmGzip    bool          `json:"farm_gzip"`
	FloorMin    time.Duration `json:"floor_min_ns"`
	Quick       bool          `json:"quick"`
	Stories     bool          `json:"stories"`

	jsonPath   string
	cpuProfile string
	memProfile string
	profile    string // phase the CPU profile covers
	topicsFrom string
	dir        string
	keep       bool
	out        io.Writer
	// helperCmd starts the helper process; nil means this executable.
	helperCmd func() *exec.Cmd
}

func main() {
	if os.Getenv(childEnv) != "" {
		os.Exit(helperMain())
	}
	o, err := parseFlags(os.Args[1:], os.Stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if _, err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, out io.Writer) (options, error) {
	o := options{out: out}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.IntVar(&o.Feeds, "feeds", 2000, "number of generated feeds")
	fs.IntVar(&o.Items, "items", 50, "items per feed")
	fs.Float64Var(&o.ChurnFrac, "churn", 0.1, "fraction of feeds that gain new items before the churn pass")
	fs.IntVar(&o.ChurnK, "churn-items", 5, "new items per churned feed")
	fs.DurationVar(&o.Duration, "duration", 5*time.Second, "length of each serving load run")
	fs.IntVar(&o.Clients, "clients", 16, "concurrent keep-alive clients of the load generator")
	growth := fs.String("growth", "10k,100k", "store sizes for the growth runs (comma-separated, k and M suffixes; \"\" for none)")
	fs.IntVar(&o.GrowthFeeds, "growth-feeds", 100, "fresh feeds ingested into each grown store")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the generated text")
	fs.BoolVar(&o.FarmGzip, "farm-gzip", true, "the farm sends gzip bodies to clients that accept them (as most servers do)")
	fs.DurationVar(&o.FloorMin, "floor-time", 2*time.Second, "minimum time of each floor measurement (the documents are parsed again until it has passed)")
	fs.BoolVar(&o.Stories, "stories", true, "[dedupe] stories: group near-duplicate items (false measures the pipeline without grouping)")
	fs.BoolVar(&o.Quick, "quick", false, "a small run (under a minute): 100 feeds × 20 items, 1s loads, growth 2k,10k")
	fs.StringVar(&o.jsonPath, "json", "", "write the results as JSON to `FILE`")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of one phase (-profile) to `FILE`")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile (allocations and live heap) after the cold pass to `FILE`")
	fs.StringVar(&o.profile, "profile", "cold", "phase profiled by -cpuprofile: cold, warm, churn, serve, fill or growth")
	fs.StringVar(&o.topicsFrom, "topics", "", "config file whose [[topic]] tables are used (default: config.example.toml of the module)")
	fs.StringVar(&o.dir, "dir", "", "directory for the databases (default: a new temporary directory, removed at the end)")
	fs.BoolVar(&o.keep, "keep", false, "keep the databases")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.Quick {
		def := func(name string, apply func()) {
			if !set[name] {
				apply()
			}
		}
		def("feeds", func() { o.Feeds = 100 })
		def("items", func() { o.Items = 20 })
		def("duration", func() { o.Duration = time.Second })
		def("clients", func() { o.Clients = 8 })
		def("growth", func() { *growth = "2k,10k" })
		def("growth-feeds", func() { o.GrowthFeeds = 20 })
		def("floor-time", func() { o.FloorMin = 300 * time.Millisecond })
	}
	var err error
	if o.Growth, err = parseSizes(*growth); err != nil {
		return o, err
	}
	switch {
	case o.Feeds < 1 || o.Items < 1:
		return o, errors.New("-feeds and -items must be at least 1")
	case o.ChurnFrac < 0 || o.ChurnFrac > 1:
		return o, errors.New("-churn must be between 0 and 1")
	case o.Clients < 1 || o.Duration <= 0:
		return o, errors.New("-clients and -duration must be positive")
	}
	switch o.profile {
	case "cold", "warm", "churn", "serve", "fill", "growth":
	default:
		return o, fmt.Errorf("-profile %q: want cold, warm, churn, serve, fill or growth", o.profile)
	}
	return o, nil
}

// parseSizes reads "10k,100k,1M".
func parseSizes(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		mult := 1
		switch {
		case strings.HasSuffix(f, "k"), strings.HasSuffix(f, "K"):
			mult, f = 1000, f[:len(f)-1]
		case strings.HasSuffix(f, "M"), strings.HasSuffix(f, "m"):
			mult, f = 1000_000, f[:len(f)-1]
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-growth: bad size %q", f)
		}
		out = append(out, n*mult)
	}
	return out, nil
}

func sizeName(n int) string {
	switch {
	case n >= 1000_000 && n%1000_000 == 0:
		return fmt.Sprintf("%dM", n/1000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}

// startHelper starts the helper process and reads its address.
func startHelper(o options) (*helper, error) {
	var cmd *exec.Cmd
	if o.helperCmd != nil {
		cmd = o.helperCmd()
	} else {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("start helper: %w", err)
		}
		cmd = exec.Command(exe)
	}
	gz := "1"
	if !o.FarmGzip {
		gz = "0"
	}
	cmd.Env = append(os.Environ(), childEnv+"=1", childEnv+"_SEED="+strconv.FormatUint(o.Seed, 10), childEnv+"_GZIP="+gz)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start helper: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start helper: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start helper: %w", err)
	}
	h := &helper{in: in, wait: cmd.Wait}
	h.out = newLineScanner(out)
	if !h.out.Scan() {
		in.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("start helper: no address: %v", h.out.Err())
	}
	var rep helperReply
	if err := json.Unmarshal(h.out.Bytes(), &rep); err != nil || rep.Addr == "" {
		in.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("start helper: bad first line %q", h.out.Bytes())
	}
	h.addr = rep.Addr
	return h, nil
}

// findExample locates config.example.toml: in the working directory or
// one of its parents (the module root).
func findExample() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "config.example.toml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("config.example.toml not found in the working directory or its parents; use -topics FILE")
		}
		dir = parent
	}
}

// profiler starts and stops the CPU profile around the chosen phase.
type profiler struct {
	o    options
	file *os.File
}

func (p *profiler) start(phase string) {
	if p.o.cpuProfile == "" || phase != p.o.profile || p.file != nil {
		return
	}
	f, err := os.Create(p.o.cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpuprofile:", err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpuprofile:", err)
		f.Close()
		return
	}
	p.file = f
}

func (p *profiler) stop(phase string) {
	if p.file == nil || phase != p.o.profile {
		return
	}
	pprof.StopCPUProfile()
	p.file.Close()
	p.file = nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("memprofile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("memprofile: %w", err)
	}
	return nil
}

// gcNow settles the heap between phases so that one phase's garbage is not
// collected on another's account.
func gcNow() {
	runtime.GC()
	runtime.GC()
}
