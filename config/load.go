package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"time"
)

// Option adjusts what Load checks.
type Option func(*options)

type options struct {
	checkQuery func(query string) (off int, err error)
}

// WithQueryCheck makes Load check every topic query with check, so that a
// query that does not parse is reported with the other problems. check
// returns nil when the query is valid; otherwise the byte offset in query
// where the problem is and an error whose text becomes the message. The
// config package does not know the query language: package topics provides
// the check.
func WithQueryCheck(check func(query string) (off int, err error)) Option {
	return func(o *options) { o.checkQuery = check }
}

// Defaults of the keys that have one.
const (
	DefaultListen            = "127.0.0.1:8080"
	DefaultAdminListen       = "127.0.0.1:8081"
	DefaultTitle             = "Regional news"
	DefaultCacheMaxAge       = 60 * time.Second
	DefaultStoragePath       = "aggregatord.db"
	DefaultRetention         = 720 * time.Hour
	DefaultMaxItemsPerSource = 2000
	DefaultPruneSchedule     = "@hourly"
	DefaultSchedule          = "*/15 * * * *"
	DefaultTimeout           = 30 * time.Second
	DefaultConcurrency       = 8
	DefaultMaxBodyBytes      = 10 << 20
	DefaultDedupeWindow      = 72 * time.Hour
)

// Default returns the configuration of an empty config file: every default,
// no sources and no topics. File is "(defaults)".
func Default() *Config {
	c := &Config{
		File: "(defaults)",
		Server: Server{
			Listen:      DefaultListen,
			Title:       DefaultTitle,
			CacheMaxAge: DefaultCacheMaxAge,
			AdminListen: DefaultAdminListen,
		},
		Storage: Storage{
			Path:              DefaultStoragePath,
			Retention:         DefaultRetention,
			MaxItemsPerSource: DefaultMaxItemsPerSource,
			PruneSchedule:     DefaultPruneSchedule,
		},
		Fetch: Fetch{
			Schedule:     DefaultSchedule,
			Timeout:      DefaultTimeout,
			Concurrency:  DefaultConcurrency,
			MaxBodyBytes: DefaultMaxBodyBytes,
		},
		Dedupe: Dedupe{Stories: true, Window: DefaultDedupeWindow},
		Pos:    map[string]Position{},
	}
	c.Server.BaseURL = defaultBaseURL(c.Server.Listen)
	return c
}

// Load reads a TOML config from r and returns it with defaults applied and
// every check passed. name is the file name used in messages.
//
// When the config has problems, Load returns a nil Config and a *Errors
// listing all of them in file order, each as "NAME:LINE:COL: message" (see
// the package documentation for what positions mean). When r cannot be
// read, or holds more than MaxSize bytes (ErrTooLarge), the error is not a
// *Errors.
func Load(name string, r io.Reader, opts ...Option) (*Config, error) {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("read config %s: %w (more than %d bytes)", name, ErrTooLarge, MaxSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	t := newText(data)
	root, derr := parseDocument(t)
	if derr != nil {
		errs := Errors{{File: name, Pos: derr.pos, Msg: derr.msg}}
		return nil, &errs
	}
	l := &loader{file: name, opts: o}
	c := l.load(root)
	if len(l.errs) > 0 {
		l.errs.sort()
		return nil, &l.errs
	}
	return c, nil
}

// LoadFile opens the file at path and loads it with Load, naming it path in
// messages. An unreadable file gives an error naming the path and wrapping
// the cause (so errors.Is(err, fs.ErrNotExist) works).
func LoadFile(path string, opts ...Option) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	defer f.Close()
	return Load(path, f, opts...)
}

// Source returns the source called name.
func (c *Config) Source(name string) (Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return Source{}, false
}

// Topic returns the topic with the given id.
func (c *Config) Topic(id string) (Topic, bool) {
	for _, t := range c.Topics {
		if t.ID == id {
			return t, true
		}
	}
	return Topic{}, false
}

// UserAgent returns the User-Agent header for fetches: [fetch] user_agent
// when set, else "aggregatord/VERSION (+BASE_URL)" with the given version.
func (c *Config) UserAgent(version string) string {
	if c.Fetch.UserAgent != "" {
		return c.Fetch.UserAgent
	}
	return "aggregatord/" + version + " (+" + c.Server.BaseURL + ")"
}
