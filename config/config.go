// Package config loads and validates aggregatord's TOML configuration.
//
// Load applies defaults, then per-field checks, then cross-field checks, and
// reports every problem at once, each with FILE:LINE:COL. It reads from an
// io.Reader and touches nothing else: no global state, no environment.
package config

import "time"

// Config is a loaded, validated configuration.
type Config struct {
	// File is the name given to Load, used in error messages.
	File    string
	Server  Server
	Storage Storage
	Fetch   Fetch
	Dedupe  Dedupe
	Sources []Source
	Topics  []Topic
}

// Server configures the HTTP listeners.
type Server struct {
	Listen      string        // public read-only listener; default "127.0.0.1:8080"
	BaseURL     string        // absolute, ends in "/"; default "http://" + Listen + "/"
	Title       string        // default "Regional news"
	CacheMaxAge time.Duration // default 60s
	AdminListen string        // default "127.0.0.1:8081"; "" disables the admin API
}

// Storage configures the bbolt store and its pruning.
type Storage struct {
	Path              string        // default "aggregatord.db"
	Retention         time.Duration // default 720h; 0 keeps items forever
	MaxItemsPerSource int           // default 2000; 0 means no cap
	PruneSchedule     string        // cron spec; default "@hourly"
}

// Fetch configures fetching for every source.
type Fetch struct {
	Schedule     string        // cron spec; default "*/15 * * * *"
	Timeout      time.Duration // default 30s
	Concurrency  int           // default 8
	MaxBodyBytes int64         // default 10485760
	UserAgent    string        // default "aggregatord/VERSION (+BASE_URL)"
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
	URL      string   // absolute http(s) URL
	Schedule string   // cron spec; defaults to Fetch.Schedule
	Tags     []string // attached to every item of the source
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
	Query string // the topic query, parsed by package topics
	// Pos maps each key written in the file ("id", "query", ...) to where
	// its value starts, and "" to the [[topic]] header.
	Pos map[string]Position
}

// Position is a place in the config file. Line and Col are 1-based; Col
// counts bytes... (see Load's documentation for the exact rule).
type Position struct {
	Line, Col int
}
