package main

import (
	"fmt"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/aggregatord/aggregatord/daemon"
	"github.com/aggregatord/aggregatord/ingest"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func cmdFetch(e *env, args []string) int {
	fs := newFlagSet(e, "fetch", "-config FILE [-source NAME]...")
	path := configFlag(e, fs)
	var names stringList
	fs.Var(&names, "source", "fetch only this source `NAME` (repeatable)")
	var lf logFlags
	lf.register(fs)
	lf.level = "warn"
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	log, err := lf.logger(e.stderr)
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord fetch: %v\n", err)
		return exitUsage
	}
	cfg, ok := loadConfig(e, "fetch", *path)
	if !ok {
		return exitUsage
	}
	d, err := daemon.Open(cfg, daemon.Options{Version: version, Logger: log})
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord fetch: %v\n", err)
		return exitFailure
	}
	defer d.Close()

	ctx, stop := signal.NotifyContext(e.ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var progress func(ingest.Result, int, int)
	if isTerminal(e.stderr) {
		items := 0
		progress = func(r ingest.Result, done, total int) {
			items += r.New + r.Updated
			fmt.Fprintf(e.stderr, "\rfetching: %d/%d sources, %d new or updated items ", done, total, items)
			if done == total {
				fmt.Fprintln(e.stderr)
			}
		}
	}
	results, err := d.FetchOnceProgress(ctx, names, progress)
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord fetch: %v\n", err)
		return exitUsage
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	code := exitOK
	for _, r := range results {
		msg := ""
		if r.Err != nil {
			msg = r.Err.Error()
			code = exitFailure
		} else if r.Failed() {
			code = exitFailure
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\tnew=%d\tupdated=%d\tduplicate=%d\t%s\n",
			r.Source, r.Status, httpStatus(r.HTTPStatus), r.New, r.Updated, r.Duplicate, msg)
	}
	tw.Flush()
	return code
}

func httpStatus(code int) string {
	if code == 0 {
		return "-"
	}
	return fmt.Sprint(code)
}
