// Command aggregatord is a self-hosted news aggregator: it fetches RSS,
// Atom and JSON feeds on schedules, dedupes their items into a bbolt store,
// tags them with topics, and re-publishes merged feeds over HTTP.
//
// Run `aggregatord help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/topics"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes (SPEC.md).
const (
	exitOK      = 0
	exitFailure = 1 // some work failed (fetch), or the daemon could not run
	exitUsage   = 2 // bad flags or config
)

// env is what a subcommand may touch: its arguments and streams, and the
// environment. Tests build one instead of using os.*.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	ctx            context.Context
}

type command struct {
	name, args, summary string
	run                 func(e *env, args []string) int
}

func commands() []command {
	return []command{
		{"run", "-config FILE", "run the daemon: scheduler, public HTTP server and admin API", cmdRun},
		{"fetch", "-config FILE [-source NAME]...", "fetch all (or the named) sources once, store, and exit", cmdFetch},
		{"check", "-config FILE", "validate the config file and exit", cmdCheck},
		{"demo", "[-listen ADDR] [-db FILE]", "run the daemon on built-in sample feeds, no network or config needed", cmdDemo},
		{"retag", "-config FILE", "re-evaluate every topic on every stored item", cmdRetag},
		{"explain", "-config FILE -topic ID (TEXT | -item KEY)", "show which terms of a topic's query match", cmdExplain},
		{"import-opml", "FILE", "print [[source]] TOML for an OPML file's feeds (folders become tags)", cmdImportOPML},
		{"version", "", "print the version", cmdVersion},
		{"help", "", "show this help", cmdHelp},
	}
}

func main() {
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, ctx: context.Background()}
	os.Exit(dispatch(e, os.Args[1:]))
}

func dispatch(e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "aggregatord: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "aggregatord %s — a self-hosted news aggregator\n\nUsage:\n", version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  aggregatord %-8s %s\n", c.name, c.args)
		fmt.Fprintf(w, "      %s\n", c.summary)
	}
	fmt.Fprintf(w, "\n-config may be omitted when AGGREGATORD_CONFIG is set.\nRun 'aggregatord COMMAND -h' for a command's flags.\n")
}

func cmdHelp(e *env, args []string) int {
	usage(e.stdout)
	return exitOK
}

func cmdVersion(e *env, args []string) int {
	fs := newFlagSet(e, "version", "")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fmt.Fprintf(e.stdout, "aggregatord %s\n", version)
	return exitOK
}

// newFlagSet returns a FlagSet whose -h prints to stdout and whose errors go
// to stderr.
func newFlagSet(e *env, name, argsUsage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: aggregatord %s %s\n", name, argsUsage)
		for _, c := range commands() {
			if c.name == name {
				fmt.Fprintf(out, "%s\n", c.summary)
			}
		}
		fmt.Fprintln(out, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; ok is false when the command should exit now with
// code (0 after -h, 2 on a bad flag or stray argument).
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "aggregatord %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, false
	}
	return 0, true
}

// logFlags are the logging flags every long-running command takes.
type logFlags struct {
	level  string
	format string
}

func (l *logFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.level, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&l.format, "log-format", "auto", "log format: text, json, or auto (text on a terminal, JSON otherwise)")
}

func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", l.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	format := strings.ToLower(l.format)
	if format == "auto" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text, json or auto", l.format)
}

// configFlag registers -config, defaulting to $AGGREGATORD_CONFIG.
func configFlag(e *env, fs *flag.FlagSet) *string {
	return fs.String("config", e.getenv("AGGREGATORD_CONFIG"), "config `FILE` (default $AGGREGATORD_CONFIG)")
}

// loadConfig loads path and checks that its database file can be opened,
// printing FILE:LINE:COL errors to stderr. ok is false if the caller should
// exit with exitUsage.
func loadConfig(e *env, cmd, path string) (*config.Config, bool) {
	if path == "" {
		fmt.Fprintf(e.stderr, "aggregatord %s: no config: pass -config FILE or set AGGREGATORD_CONFIG\n", cmd)
		return nil, false
	}
	cfg, err := readConfig(path)
	if err == nil {
		err = checkStoragePath(cfg)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, strings.TrimRight(err.Error(), "\n"))
		return nil, false
	}
	return cfg, true
}

// readConfig loads and validates the config file at path, topic queries
// included. A reload reads the file the same way.
func readConfig(path string) (*config.Config, error) {
	return config.LoadFile(path, config.WithQueryCheck(topics.CheckQuery))
}
