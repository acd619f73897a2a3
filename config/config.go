// Package config loads and validates aggregatord's TOML configuration.
//
// Load applies defaults, then per-field checks, then cross-field checks, and
// reports every problem at once, each with FILE:LINE:COL. It reads from an
// io.Reader and touches nothing else: no global state, no environment.
//
// # Positions
//
// Every problem is an *Error carrying a Position: Line and Col are 1-based,
// and Col counts Unicode characters (code points) from the start of the line,
// so a tab counts as one column and an Arabic letter as one. A UTF-8 byte
// order mark at the start of the file is skipped and not counted. Errors
// about a value point at its first character (the opening quote of a
// string); errors about a key that does not belong (unknown keys and tables)
// point at the key; a missing required key is reported at the header of its
// [[source]] or [[topic]] table.
//
// # Defaults and meanings
//
// Every key has a default except [[source]] name and url, and [[topic]] id
// and query. Durations use Go syntax ("90s", "15m", "720h"); negative
// durations are rejected. Schedules are robfig/cron v3 standard specs: five
// fields, or a descriptor such as "@hourly" or "@every 10m", optionally
// preceded by "CRON_TZ=Zone ". Sizes are bytes. [storage] path is kept as
// written: a relative path is relative to the daemon's working directory,
// not to the config file. An empty [fetch] user_agent means "the default",
// which needs the program's version: see Config.UserAgent.
package config

import "time"

// Config is a loaded, validated configuration.
//
// A Config returned by Load is complete: defaults are filled in, so callers
// need no further checks. Treat it as read-only; reloading builds a new one.
type Config struct {
	// File is the name given to Load, used in error messages.
	File    string
	Server  Server
	Storage Storage
	Fetch   Fetch
	Dedupe  Dedupe
	Sources []Source
	Topics  []Topic
	// Pos maps each key written in the [server], [storage], [fetch] and
	// [dedupe] tables, as "fetch.schedule", to where its value starts, and
	// each of those table names ("fetch") to where the table was defined.
	// Keys left to their defaults are absent.
	Pos map[string]Position
}

// Server configures the HTTP listeners.
type Server struct {
	Listen      string        // public read-only listener, host:port with a numeric port; default "127.0.0.1:8080"
	BaseURL     string        // absolute http(s), ends in "/"; default "http://" + Listen + "/" (an empty or unspecified host becomes "localhost")
	Title       string        // default "Regional news"; never empty
	CacheMaxAge time.Duration // default 60s
	AdminListen string        // default "127.0.0.1:8081"; "" disables the admin API
}

// Storage configures the bbolt store and its pruning.
type Storage struct {
	Path              string        // default "aggregatord.db"; relative to the working directory, never empty
	Retention         time.Duration // default 720h; 0 keeps items forever
	MaxItemsPerSource int           // default 2000; 0 means no cap
	PruneSchedule     string        // cron spec; default "@hourly"
}

// Fetch configures fetching for every source.
type Fetch struct {
	Schedule     string        // cron spec; default "*/15 * * * *"
	Timeout      time.Duration // default 30s; always positive
	Concurrency  int           // default 8; at least 1
	MaxBodyBytes int64         // default 10485760; at least 1024
	// UserAgent is the User-Agent header as written in the file; "" (the
	// default) means "aggregatord/VERSION (+BASE_URL)", which
	// Config.UserAgent builds.
	UserAgent string
}

// Dedupe configures near-duplicate story grouping.
type Dedupe struct {
	Stories bool          // default true
	Window  time.Duration // default 72h
}

// Source is one configured feed.
type Source struct {
	Name     string   // [a-z0-9-]+, unique
	Title    string   // optional; "" means use the feed's own title
	URL      string   // absolute http(s) URL with a host
	Schedule string   // cron spec; defaults to Fetch.Schedule
	Tags     []string // attached to every item of the source; non-empty, no repeats
	FullText bool
	Enabled  bool // default true
	// Pos maps each key written in the file ("name", "url", ...) to where
	// its value starts, and "" to the [[source]] header.
	Pos map[string]Position
}

// Topic is one configured topic.
type Topic struct {
	ID    string // [a-z0-9-]+, unique
	Title string // default: ID
	Query string // the topic query, parsed by package topics; never blank
	// Pos maps each key written in the file ("id", "query", ...) to where
	// its value starts, and "" to the [[topic]] header.
	Pos map[string]Position

	// query is the query's layout in the file, for QueryOffsetPos.
	query stringLayout
}

// Position is a place in the config file. Line and Col are 1-based; Col
// counts Unicode characters (not bytes) from the start of the line, a tab
// being one. The zero Position means "unknown".
type Position struct {
	Line, Col int
}
