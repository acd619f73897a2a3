package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/daemon"
	"github.com/aggregatord/aggregatord/demo"
)

func cmdDemo(e *env, args []string) int {
	fs := newFlagSet(e, "demo", "[-listen ADDR] [-db FILE]")
	listen := fs.String("listen", "127.0.0.1:8080", "public `ADDR`ess; if busy, a free port is used")
	dbPath := fs.String("db", "", "keep the demo's store in `FILE` (default: a temporary file, removed on exit)")
	var lf logFlags
	lf.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	log, err := lf.logger(e.stderr)
	if err != nil {
		fmt.Fprintf(e.stderr, "aggregatord demo: %v\n", err)
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(e.stderr, "aggregatord demo: %v\n", err)
		return exitFailure
	}

	feedsSrv, err := demo.Start(time.Now())
	if err != nil {
		return fail(err)
	}
	defer feedsSrv.Close()

	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "aggregatord-demo-")
		if err != nil {
			return fail(err)
		}
		defer os.RemoveAll(dir)
		*dbPath = filepath.Join(dir, "demo.db")
	}
	pub, err := listenOrAny(*listen)
	if err != nil {
		return fail(err)
	}
	adm, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pub.Close()
		return fail(err)
	}
	text := feedsSrv.Config(pub.Addr().String(), adm.Addr().String(), *dbPath)
	cfg, err := config.Load("demo.toml", strings.NewReader(text))
	if err != nil {
		pub.Close()
		adm.Close()
		return fail(fmt.Errorf("built-in demo config: %w", err))
	}
	d, err := daemon.Open(cfg, daemon.Options{Version: version, Logger: log})
	if err != nil {
		pub.Close()
		adm.Close()
		return fail(err)
	}
	fmt.Fprintf(e.stdout, `aggregatord demo is running with %d sample feeds served from %s

  Open:          %s
  Merged feed:   %sfeeds/all.atom  (also .rss, .json)
  Admin API:     http://%s/admin/sources
  Store:         %s

Press Ctrl-C to stop.
`, len(cfg.Sources), feedsSrv.URL(), cfg.Server.BaseURL, cfg.Server.BaseURL, adm.Addr(), *dbPath)
	return serve(e, d, daemon.Listeners{Public: pub, Admin: adm}, log,
		func() (*config.Config, error) { return config.Load("demo.toml", strings.NewReader(text)) })
}

// listenOrAny listens on addr, or on a free loopback port if addr is busy.
func listenOrAny(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	host, _, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	ln, err2 := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err2 != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return ln, nil
}
