package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// load is Load on a string, named "t.toml".
func load(doc string, opts ...Option) (*Config, error) {
	return Load("t.toml", strings.NewReader(doc), opts...)
}

// mustErrors loads doc and returns its problems, failing if there are none
// or the error is not a *Errors.
func mustErrors(t *testing.T, doc string, opts ...Option) Errors {
	t.Helper()
	c, err := load(doc, opts...)
	if err == nil {
		t.Fatalf("Load succeeded, want errors; config: %+v", c)
	}
	if c != nil {
		t.Errorf("Load returned a config with errors")
	}
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %T %q is not a *Errors", err, err)
	}
	return *errs
}

func TestLoadErrors(t *testing.T) {
	const src = "[[source]]\nname = \"a\"\nurl = \"https://e.com/rss\"\n"
	tests := []struct {
		name string
		doc  string
		want string // "t.toml:LINE:COL: message" or a prefix of it
	}{
		// TOML itself
		{"syntax", "[server]\nlisten = 8080 x\n",
			"t.toml:2:15: invalid TOML: expected newline but got U+0078 'x'"},
		{"syntax after non-ASCII counts runes", "[server]\ntitle = \"ééé\" x\n",
			"t.toml:2:15: invalid TOML: expected newline"},
		{"syntax unterminated string", "[server]\ntitle = \"abc\n",
			"t.toml:2:13: invalid TOML: basic strings cannot have new lines"},
		{"syntax bad header", "[[source]\n",
			"t.toml:1:9: invalid TOML: expected ']]' to close array table name"},
		{"TOML duplicate key", "[fetch]\ntimeout = \"1s\"\ntimeout = \"2s\"\n",
			"t.toml:3:1: invalid TOML: key timeout is already defined"},
		{"TOML table twice", "[server]\n[fetch]\n[server]\n",
			"t.toml:3:2: invalid TOML: table server already exists"},
		{"TOML integer overflow", "[fetch]\nconcurrency = 99999999999999999999\n",
			"t.toml:2:15: invalid TOML: decimal number is too large"},
		{"BOM is skipped", "\ufeff[fetch]\nconcurrency = 0\n",
			"t.toml:2:15: fetch.concurrency: must be at least 1, got 0"},
		{"CRLF line ends", "[fetch]\r\nconcurrency = 0\r\n",
			"t.toml:2:15: fetch.concurrency: must be at least 1, got 0"},

		// unknown keys
		{"unknown key typo", "[fetch]\nscheudle = \"@hourly\"\n",
			`t.toml:2:1: unknown key "scheudle" in [fetch] (did you mean "schedule"?)`},
		{"unknown array table", "[[sources]]\nname = \"a\"\nurl = \"https://e.com/\"\n",
			"t.toml:1:3: unknown table [[sources]] (did you mean [[source]]?)"},
		{"unknown table", "[servr]\nlisten = \":1\"\n",
			"t.toml:1:2: unknown table [servr] (did you mean [server]?)"},
		{"unknown nested table", "[fetch.extra]\n",
			"t.toml:1:8: unknown table [fetch.extra]"},
		{"unknown root key", "titel = \"x\"\n",
			`t.toml:1:1: unknown key "titel"`},
		{"unknown dotted key", "fetch.timeot = \"1s\"\n",
			`t.toml:1:7: unknown key "timeot" in [fetch] (did you mean "timeout"?)`},
		{"unknown source key", src + "titel = \"x\"\n",
			`t.toml:4:1: unknown key "titel" in [[source]] (did you mean "title"?)`},
		{"unknown key case", "[server]\nListen = \":1\"\n",
			`t.toml:2:1: unknown key "Listen" in [server] (did you mean "listen"?)`},
		{"unknown quoted key after tab", "[[topic]]\nid = \"x\"\nquery = \"ايران\"\n\t\"عنوان\" = \"x\"\n",
			`t.toml:4:2: unknown key "عنوان" in [[topic]]`},
		{"unknown key in inline table", "source = [{name = \"a\", url = \"https://e.com/\", bogus = 1}]\n",
			`t.toml:1:48: unknown key "bogus" in [[source]]`},

		// wrong types
		{"string for int", "[fetch]\nconcurrency = \"8\"\n",
			"t.toml:2:15: fetch.concurrency: expected an integer, found a string"},
		{"string for bool", "[dedupe]\nstories = \"yes\"\n",
			"t.toml:2:11: dedupe.stories: expected a boolean (true or false), found a string"},
		{"int for duration", "[fetch]\ntimeout = 30\n",
			`t.toml:2:11: fetch.timeout: expected a duration string such as "90s", "15m" or "720h", found an integer`},
		{"date for duration", "[fetch]\ntimeout = 1979-05-27\n",
			"t.toml:2:11: fetch.timeout: expected a duration string such as \"90s\", \"15m\" or \"720h\", found a date"},
		{"float for int", "[storage]\nmax_items_per_source = 1.5\n",
			"t.toml:2:24: storage.max_items_per_source: expected an integer, found a float"},
		{"int for string", "[server]\ntitle = 5\n",
			"t.toml:2:9: server.title: expected a string, found an integer"},
		{"array for string", "[server]\nlisten = [\"a\"]\n",
			"t.toml:2:10: server.listen: expected a string, found an array"},
		{"string for table", "server = \"x\"\n",
			"t.toml:1:10: server: expected a table ([server]), found a string"},
		{"array table for table", "[[server]]\n",
			"t.toml:1:1: server: expected a table ([server]), found an array of tables"},
		{"table for array of tables", "[source]\nname = \"a\"\n",
			"t.toml:1:1: source: expected an array of tables ([[source]]), found a table"},
		{"string in source array", "source = [\"a\"]\n",
			"t.toml:1:11: source: element 1: expected a table, found a string"},
		{"string for tags", src + "tags = \"iraq\"\n",
			"t.toml:4:8: source.tags: expected an array of strings, found a string"},
		{"int in tags", src + "tags = [\"a\", 1]\n",
			"t.toml:4:14: source.tags: element 2: expected a string, found an integer"},
		{"empty tag", src + "tags = [\"a\", \" \"]\n",
			"t.toml:4:14: source.tags: element 2: tag must not be empty"},
		{"string for enabled", src + "enabled = \"no\"\n",
			"t.toml:4:11: source.enabled: expected a boolean (true or false), found a string"},
		{"table for query", "[[topic]]\nid = \"a\"\nquery = {a = 1}\n",
			"t.toml:3:9: topic.query: expected a string, found a table"},

		// durations
		{"duration without unit", "[server]\ncache_max_age = \"60\"\n",
			`t.toml:2:17: server.cache_max_age: invalid duration "60": use Go syntax such as "90s", "15m" or "720h"`},
		{"duration garbage", "[dedupe]\nwindow = \"3 days\"\n",
			`t.toml:2:10: dedupe.window: invalid duration "3 days"`},
		{"negative duration", "[storage]\nretention = \"-1h\"\n",
			`t.toml:2:13: storage.retention: duration "-1h" must not be negative`},
		{"zero timeout", "[fetch]\ntimeout = \"0s\"\n",
			`t.toml:2:11: fetch.timeout: duration must be positive, got "0s"`},

		// cron
		{"cron fields", "[fetch]\nschedule = \"* * *\"\n",
			`t.toml:2:12: fetch.schedule: invalid cron spec "* * *": expected exactly 5 fields, found 3`},
		{"cron range", "[storage]\nprune_schedule = \"61 * * * *\"\n",
			`t.toml:2:18: storage.prune_schedule: invalid cron spec "61 * * * *": end of range (61) above maximum (59)`},
		{"cron descriptor", src + "schedule = \"@every 10x\"\n",
			`t.toml:4:12: source.schedule: invalid cron spec "@every 10x"`},
		{"cron unknown descriptor", src + "schedule = \"@sometimes\"\n",
			`t.toml:4:12: source.schedule: invalid cron spec "@sometimes": unrecognized descriptor`},
		{"cron every zero", "[fetch]\nschedule = \"@every 0s\"\n",
			`t.toml:2:12: fetch.schedule: invalid cron spec "@every 0s": @every interval must be at least 1s`},
		{"cron every negative", "[fetch]\nschedule = \"@every -5m\"\n",
			`t.toml:2:12: fetch.schedule: invalid cron spec "@every -5m": @every interval must be at least 1s`},
		{"cron zone alone", "[fetch]\nschedule = \"CRON_TZ=UTC\"\n",
			`t.toml:2:12: fetch.schedule: invalid cron spec "CRON_TZ=UTC": time zone prefix must be followed by a schedule`},
		{"cron empty", "[fetch]\nschedule = \"\"\n",
			`t.toml:2:12: fetch.schedule: invalid cron spec "": empty spec`},

		// URLs
		{"url scheme", "[[source]]\nname = \"a\"\nurl = \"ftp://e.com/rss\"\n",
			`t.toml:3:7: source.url: "ftp://e.com/rss" is not an http or https URL`},
		{"url relative", "[[source]]\nname = \"a\"\nurl = \"/rss\"\n",
			`t.toml:3:7: source.url: "/rss" is not an absolute URL`},
		{"url no scheme", "[[source]]\nname = \"a\"\nurl = \"e.com/rss\"\n",
			`t.toml:3:7: source.url: "e.com/rss" is not an absolute URL`},
		{"url no host", "[[source]]\nname = \"a\"\nurl = \"https:///rss\"\n",
			`t.toml:3:7: source.url: URL "https:///rss" has no host`},
		{"url opaque", "[[source]]\nname = \"a\"\nurl = \"http:e.com\"\n",
			`t.toml:3:7: source.url: URL "http:e.com" has no host`},
		{"url unparsable", "[[source]]\nname = \"a\"\nurl = \"http://e.com:x/\"\n",
			`t.toml:3:7: source.url: invalid URL "http://e.com:x/"`},
		{"url bad port", "[[source]]\nname = \"a\"\nurl = \"http://e.com:99999/\"\n",
			`t.toml:3:7: source.url: URL "http://e.com:99999/" has an invalid port`},
		{"base_url relative", "[server]\nbase_url = \"example.com\"\n",
			`t.toml:2:12: server.base_url: "example.com" is not an absolute URL`},
		{"base_url query", "[server]\nbase_url = \"https://e.com/?a=1\"\n",
			`t.toml:2:12: server.base_url: "https://e.com/?a=1" must not have a query or fragment`},

		// names and ids
		{"name upper case", "[[source]]\nname = \"Rudaw\"\nurl = \"https://e.com/\"\n",
			`t.toml:2:8: source.name: "Rudaw" is not a valid name: use only lower-case letters a-z, digits and '-'`},
		{"name empty", "[[source]]\nname = \"\"\nurl = \"https://e.com/\"\n",
			`t.toml:2:8: source.name: must not be empty`},
		{"topic id underscore", "[[topic]]\nid = \"us_iran\"\nquery = \"iran\"\n",
			`t.toml:2:6: topic.id: "us_iran" is not a valid name`},
		{"duplicate source", src + "\n[[source]]\ntitle = \"again\"\nname = \"a\"\nurl = \"https://e.com/2\"\n",
			`t.toml:7:8: source.name: duplicate source name "a" (first defined on line 2)`},
		{"duplicate topic", "[[topic]]\nid = \"x\"\nquery = \"a\"\n[[topic]]\nid = \"x\"\nquery = \"b\"\n",
			`t.toml:5:6: topic.id: duplicate topic id "x" (first defined on line 2)`},

		// required keys
		{"source without name", "[[source]]\nurl = \"https://e.com/\"\n",
			`t.toml:1:1: [[source]] is missing required key "name"`},
		{"source without url", "\n  [[source]]\nname = \"a\"\n",
			`t.toml:2:3: [[source]] "a" is missing required key "url"`},
		{"inline source without url", "source = [ {name = \"a\"} ]\n",
			`t.toml:1:12: [[source]] "a" is missing required key "url"`},
		{"topic without id", "[[topic]]\nquery = \"a\"\n",
			`t.toml:1:1: [[topic]] is missing required key "id"`},
		{"topic without query", "[[topic]]\nid = \"x\"\n",
			`t.toml:1:1: [[topic]] "x" is missing required key "query"`},
		{"empty query", "[[topic]]\nid = \"x\"\nquery = '  '\n",
			`t.toml:3:9: topic.query: must not be empty`},
		{"empty topic title", "[[topic]]\nid = \"x\"\nquery = 'a'\ntitle = \"\"\n",
			`t.toml:4:9: topic.title: must not be empty`},

		// numbers
		{"concurrency zero", "[fetch]\nconcurrency = 0\n",
			"t.toml:2:15: fetch.concurrency: must be at least 1, got 0"},
		{"max_body_bytes small", "[fetch]\nmax_body_bytes = 1023\n",
			"t.toml:2:18: fetch.max_body_bytes: must be at least 1024, got 1023"},
		{"max_items negative", "[storage]\nmax_items_per_source = -1\n",
			"t.toml:2:24: storage.max_items_per_source: must not be negative (0 means no cap), got -1"},

		// strings
		{"empty server title", "[server]\ntitle = \" \"\n",
			"t.toml:2:9: server.title: must not be empty"},
		{"empty storage path", "[storage]\npath = \"\"\n",
			"t.toml:2:8: storage.path: must not be empty"},
		{"user agent newline", "[fetch]\nuser_agent = \"a\\nb\"\n",
			"t.toml:2:14: fetch.user_agent: must not contain control characters"},

		// listeners
		{"listen without port", "[server]\nlisten = \"8080\"\n",
			`t.toml:2:10: server.listen: "8080" is not a host:port address`},
		{"listen named port", "[server]\nlisten = \"localhost:http\"\n",
			`t.toml:2:10: server.listen: "localhost:http": port "http" is not a number from 0 to 65535`},
		{"admin listen bad", "[server]\nadmin_listen = \"127.0.0.1\"\n",
			`t.toml:2:16: server.admin_listen: "127.0.0.1" is not a host:port address`},
		{"listen equals admin", "[server]\nlisten = \"127.0.0.1:9000\"\nadmin_listen = \"127.0.0.1:9000\"\n",
			`t.toml:3:16: server.admin_listen: must differ from server.listen (both are "127.0.0.1:9000")`},
		{"admin equals default listen", "[server]\nadmin_listen = \"127.0.0.1:8080\"\n",
			`t.toml:2:16: server.admin_listen: must differ from server.listen (both are "127.0.0.1:8080")`},
		{"listen wildcard overlaps admin", "[server]\nadmin_listen = \"127.0.0.1:8080\"\nlisten = \":8080\"\n",
			`t.toml:2:16: server.admin_listen: "127.0.0.1:8080" and server.listen ":8080" use the same port`},
		{"listen moved onto default admin", "[server]\nlisten = \"127.0.0.1:8081\"\n",
			`t.toml:2:10: server.admin_listen: must differ from server.listen (both are "127.0.0.1:8081")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := mustErrors(t, tt.doc)
			var lines []string
			for _, e := range errs {
				lines = append(lines, e.Error())
			}
			found := false
			for _, l := range lines {
				if strings.HasPrefix(l, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("errors:\n  %s\nwant one starting with:\n  %s", strings.Join(lines, "\n  "), tt.want)
			}
		})
	}
}

// TestLoadErrorsOnlyOne checks that a problem is reported once, without
// knock-on errors.
func TestLoadErrorsOnlyOne(t *testing.T) {
	docs := map[string]string{
		"bad listen, no base_url":     "[server]\nlisten = \"x\"\n",
		"bad listen vs admin":         "[server]\nlisten = \"x\"\nadmin_listen = \"127.0.0.1:8080\"\n",
		"wrong-typed name":            "[[source]]\nname = 1\nurl = \"https://e.com/\"\n",
		"unknown table, its contents": "[extra]\na = 1\nb = 2\n[extra.sub]\nc = 3\n",
		"bad fetch schedule":          "[fetch]\nschedule = \"x\"\n[[source]]\nname = \"a\"\nurl = \"https://e.com/\"\n",
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			if errs := mustErrors(t, doc); len(errs) != 1 {
				t.Errorf("got %d errors, want 1:\n%s", len(errs), errs.lines())
			}
		})
	}
}

func (e Errors) lines() string { return (&e).Error() }

func TestLoadManyErrorsAtOnce(t *testing.T) {
	doc := `[server]
listen = "nope"
title = 3

[fetch]
concurrency = 0
scheudle = "@hourly"

[[source]]
name = "Bad Name"
url = "ftp://x/"

[[source]]
url = "https://e.com/"

[[topic]]
id = "t"
query = ""

[[topic]]
id = "t"
query = "x"
`
	errs := mustErrors(t, doc)
	want := []string{
		`t.toml:2:10: server.listen: "nope" is not a host:port address (for example "127.0.0.1:8080" or ":8080")`,
		`t.toml:3:9: server.title: expected a string, found an integer`,
		`t.toml:6:15: fetch.concurrency: must be at least 1, got 0`,
		`t.toml:7:1: unknown key "scheudle" in [fetch] (did you mean "schedule"?)`,
		`t.toml:10:8: source.name: "Bad Name" is not a valid name: use only lower-case letters a-z, digits and '-'`,
		`t.toml:11:7: source.url: "ftp://x/" is not an http or https URL`,
		`t.toml:13:1: [[source]] is missing required key "name"`,
		`t.toml:18:9: topic.query: must not be empty`,
		`t.toml:21:6: topic.id: duplicate topic id "t" (first defined on line 17)`,
	}
	if got := errs.lines(); got != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	// The *Errors also unwraps to its first *Error.
	_, err := load(doc)
	var one *Error
	if !errors.As(err, &one) || one.Pos != (Position{2, 10}) || one.File != "t.toml" {
		t.Errorf("errors.As(*Error) = %v", one)
	}
}

// fullDoc sets every key to a value other than its default.
const fullDoc = `# every key
[server]
listen = "0.0.0.0:9000"
base_url = "https://news.example.org/regional"
title = "Kurdistan & Iraq"
cache_max_age = "2m"
admin_listen = ""

[storage]
path = "/var/lib/aggregatord/news.db"
retention = "0s"
max_items_per_source = 0
prune_schedule = "CRON_TZ=UTC 30 3 * * *"

[fetch]
schedule = "@every 20m"
timeout = "1m30s"
concurrency = 2
max_body_bytes = 1_048_576
user_agent = "regional-bot/1.0 (+https://news.example.org/)"

[dedupe]
stories = false
window = "24h"

[[source]]
name = "rudaw"
title = "Rudaw English"
url = "https://www.rudaw.net/english/rss"
schedule = "@every 10m"
tags = ["iraq", "kurdistan", "iraq"]
full_text = true
enabled = false

[[source]]
name = "k24"
url = "https://www.kurdistan24.net/en/rss"

[[topic]]
id = "us-iran"
title = "US–Iran tensions"
query = '(iran OR ايران) AND =US'

[[topic]]
id = "syria"
query = """
syria* OR دمشق"""
`

func TestLoadFull(t *testing.T) {
	c, err := load(fullDoc)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		File: "t.toml",
		Server: Server{
			Listen:      "0.0.0.0:9000",
			BaseURL:     "https://news.example.org/regional/",
			Title:       "Kurdistan & Iraq",
			CacheMaxAge: 2 * time.Minute,
			AdminListen: "",
		},
		Storage: Storage{
			Path:              "/var/lib/aggregatord/news.db",
			Retention:         0,
			MaxItemsPerSource: 0,
			PruneSchedule:     "CRON_TZ=UTC 30 3 * * *",
		},
		Fetch: Fetch{
			Schedule:     "@every 20m",
			Timeout:      90 * time.Second,
			Concurrency:  2,
			MaxBodyBytes: 1 << 20,
			UserAgent:    "regional-bot/1.0 (+https://news.example.org/)",
		},
		Dedupe: Dedupe{Stories: false, Window: 24 * time.Hour},
		Sources: []Source{
			{Name: "rudaw", Title: "Rudaw English", URL: "https://www.rudaw.net/english/rss",
				Schedule: "@every 10m", Tags: []string{"iraq", "kurdistan"}, FullText: true, Enabled: false},
			{Name: "k24", URL: "https://www.kurdistan24.net/en/rss", Schedule: "@every 20m", Enabled: true},
		},
		Topics: []Topic{
			{ID: "us-iran", Title: "US–Iran tensions", Query: "(iran OR ايران) AND =US"},
			{ID: "syria", Title: "syria", Query: "syria* OR دمشق"},
		},
	}
	got := *c
	// Positions are checked below.
	got.Pos = nil
	got.Sources = slicesClone(got.Sources)
	for i := range got.Sources {
		got.Sources[i].Pos = nil
	}
	got.Topics = slicesClone(got.Topics)
	for i := range got.Topics {
		got.Topics[i].Pos = nil
		got.Topics[i].query = stringLayout{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	positions := []struct {
		what string
		got  Position
		want Position
	}{
		{"server table", c.Pos["server"], Position{2, 1}},
		{"server.listen", c.Pos["server.listen"], Position{3, 10}},
		{"fetch.user_agent", c.Pos["fetch.user_agent"], Position{20, 14}},
		{"dedupe.window", c.Pos["dedupe.window"], Position{24, 10}},
		{"source 1 header", c.Sources[0].Pos[""], Position{26, 1}},
		{"source 1 url", c.Sources[0].Pos["url"], Position{29, 7}},
		{"source 1 tags", c.Sources[0].Pos["tags"], Position{31, 8}},
		{"source 2 name", c.Sources[1].Pos["name"], Position{36, 8}},
		{"topic 1 query", c.Topics[0].Pos["query"], Position{42, 9}},
	}
	for _, p := range positions {
		if p.got != p.want {
			t.Errorf("%s at %v, want %v", p.what, p.got, p.want)
		}
	}
	if _, ok := c.Sources[1].Pos["schedule"]; ok {
		t.Errorf("defaulted source schedule has a position")
	}
	if _, ok := c.Pos["storage.nonsense"]; ok {
		t.Errorf("unexpected position")
	}

	if s, ok := c.Source("k24"); !ok || s.URL != "https://www.kurdistan24.net/en/rss" {
		t.Errorf("Source(k24) = %+v, %v", s, ok)
	}
	if _, ok := c.Source("nope"); ok {
		t.Errorf("Source(nope) found")
	}
	if tp, ok := c.Topic("syria"); !ok || tp.Title != "syria" {
		t.Errorf("Topic(syria) = %+v, %v", tp, ok)
	}
	if _, ok := c.Topic("nope"); ok {
		t.Errorf("Topic(nope) found")
	}
	if ua := c.UserAgent("1.2.3"); ua != "regional-bot/1.0 (+https://news.example.org/)" {
		t.Errorf("UserAgent = %q", ua)
	}
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

func TestLoadInlineAndDottedForms(t *testing.T) {
	doc := `fetch.concurrency = 3
server = { title = "Inline", listen = "[::1]:7000" }
source = [
  { name = "a", url = "https://a.example/rss", tags = ["x"] },
  { name = "b", url = "https://b.example/rss" },
]
[dedupe]
stories.x = 1
`
	errs := mustErrors(t, doc)
	if got, want := errs.lines(), `t.toml:8:1: dedupe.stories: expected a boolean (true or false), found a table`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}

	c, err := load(strings.TrimSuffix(doc, "[dedupe]\nstories.x = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Fetch.Concurrency != 3 || c.Server.Title != "Inline" || c.Server.BaseURL != "http://[::1]:7000/" ||
		len(c.Sources) != 2 || c.Sources[1].Name != "b" || c.Sources[0].Pos[""] != (Position{4, 3}) {
		t.Errorf("got %+v", c)
	}
}

func TestDefaults(t *testing.T) {
	c, err := load("")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		File: "t.toml",
		Server: Server{
			Listen:      "127.0.0.1:8080",
			BaseURL:     "http://127.0.0.1:8080/",
			Title:       "Regional news",
			CacheMaxAge: 60 * time.Second,
			AdminListen: "127.0.0.1:8081",
		},
		Storage: Storage{
			Path:              "aggregatord.db",
			Retention:         720 * time.Hour,
			MaxItemsPerSource: 2000,
			PruneSchedule:     "@hourly",
		},
		Fetch: Fetch{
			Schedule:     "*/15 * * * *",
			Timeout:      30 * time.Second,
			Concurrency:  8,
			MaxBodyBytes: 10485760,
		},
		Dedupe: Dedupe{Stories: true, Window: 72 * time.Hour},
		Pos:    map[string]Position{},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	d := Default()
	d.File = "t.toml"
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Default() = %+v", d)
	}
	if ua := c.UserAgent("1.2.3"); ua != "aggregatord/1.2.3 (+http://127.0.0.1:8080/)" {
		t.Errorf("UserAgent = %q", ua)
	}

	t.Run("source and topic defaults", func(t *testing.T) {
		c, err := load("[fetch]\nschedule = \"@every 5m\"\n[[source]]\nname = \"a\"\nurl = \"https://e.com/\"\n[[topic]]\nid = \"t\"\nquery = \"x\"\n")
		if err != nil {
			t.Fatal(err)
		}
		s, tp := c.Sources[0], c.Topics[0]
		if s.Schedule != "@every 5m" || !s.Enabled || s.FullText || s.Title != "" || s.Tags != nil {
			t.Errorf("source = %+v", s)
		}
		if tp.Title != "t" {
			t.Errorf("topic title = %q", tp.Title)
		}
	})

	baseURLs := []struct{ server, want string }{
		{`listen = "0.0.0.0:9000"`, "http://localhost:9000/"},
		{`listen = ":9000"`, "http://localhost:9000/"},
		{`listen = "[::]:9000"`, "http://localhost:9000/"},
		{`listen = "[::1]:9000"`, "http://[::1]:9000/"},
		{`listen = "news.lan:80"`, "http://news.lan:80/"},
		{`base_url = "https://e.com"`, "https://e.com/"},
		{`base_url = "https://e.com/news/"`, "https://e.com/news/"},
		{`base_url = "HTTP://E.com/a"`, "HTTP://E.com/a/"},
	}
	for _, b := range baseURLs {
		t.Run(b.server, func(t *testing.T) {
			c, err := load("[server]\nadmin_listen = \"\"\n" + b.server + "\n")
			if err != nil {
				t.Fatal(err)
			}
			if c.Server.BaseURL != b.want {
				t.Errorf("BaseURL = %q, want %q", c.Server.BaseURL, b.want)
			}
		})
	}
}

func TestValidValues(t *testing.T) {
	docs := []string{
		"[fetch]\nschedule = \"@hourly\"",
		"[fetch]\nschedule = \"@every 1s\"",
		"[fetch]\nschedule = \"0 */2 * * MON-FRI\"",
		"[fetch]\nschedule = \"TZ=UTC @daily\"",
		"[fetch]\nmax_body_bytes = 1024",
		"[fetch]\nconcurrency = 0x10",
		"[server]\nlisten = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:0\"",
		"[server]\nlisten = \"127.0.0.1:9000\"\nadmin_listen = \"127.0.0.2:9000\"",
		"[server]\ncache_max_age = \"0s\"",
		"[storage]\nretention = \"0\"",
		"[[source]]\nname = \"a-1\"\nurl = \"HTTPS://User@E.com:8443/rss?x=1#frag\"",
		"source = []\ntopic = []",
	}
	for _, doc := range docs {
		t.Run(doc, func(t *testing.T) {
			if _, err := load(doc); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestQueryOffsetPos(t *testing.T) {
	tests := []struct {
		name  string
		query string // the text after "query = " on line 3
		offs  []int
		want  []Position
	}{
		{"basic with escapes", `"ab \"c\" \u00e9x"`,
			[]int{-1, 0, 3, 4, 7, 8, 9, 10, 99},
			[]Position{{3, 10}, {3, 10}, {3, 13}, {3, 15}, {3, 19}, {3, 19}, {3, 25}, {3, 26}, {3, 26}}},
		{"literal with Persian", `'ایران AND x'`,
			[]int{0, 2, 10, 11, 15},
			[]Position{{3, 10}, {3, 11}, {3, 15}, {3, 16}, {3, 20}}},
		{"multi-line basic", "\"\"\"\niran AND \\\n    trump\nOR x\"\"\"",
			[]int{0, 5, 9, 14, 15, 19},
			[]Position{{4, 1}, {4, 6}, {5, 5}, {5, 10}, {6, 1}, {6, 5}}},
		{"multi-line basic CRLF", "\"\"\"\r\nab\r\ncd\"\"\"",
			[]int{0, 2, 4, 6},
			[]Position{{4, 1}, {4, 3}, {5, 1}, {5, 3}}},
		{"multi-line literal", "'''\n(iran\n OR tehran)'''",
			[]int{0, 5, 6, 7},
			[]Position{{4, 1}, {4, 6}, {5, 1}, {5, 2}}},
		{"multi-line literal on one line", "'''x \"y\"'''",
			[]int{0, 2, 5},
			[]Position{{3, 12}, {3, 14}, {3, 17}}},
		{"multi-line basic with inner quotes", `"""a "b" ""c"""""`,
			[]int{0, 2, 9, 10, 11},
			[]Position{{3, 12}, {3, 14}, {3, 21}, {3, 22}, {3, 23}}},
		{"basic with \\U and \\x and \\e", `"\U0001F600z\x41\ey"`,
			[]int{0, 2, 4, 5, 6, 7},
			[]Position{{3, 10}, {3, 10}, {3, 20}, {3, 21}, {3, 25}, {3, 27}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := "[[topic]]\nid = \"x\"\nquery = " + tt.query + "\n"
			c, err := load(doc)
			if err != nil {
				t.Fatal(err)
			}
			tp := c.Topics[0]
			if d := tp.query.decoded(); d != tp.Query {
				t.Fatalf("layout decodes to %q, TOML to %q", d, tp.Query)
			}
			for i, off := range tt.offs {
				if got := tp.QueryOffsetPos(off); got != tt.want[i] {
					t.Errorf("QueryOffsetPos(%d) = %v, want %v (query %q)", off, got, tt.want[i], tp.Query)
				}
			}
		})
	}

	t.Run("hand-made topic", func(t *testing.T) {
		tp := Topic{Query: "x", Pos: map[string]Position{"query": {7, 3}}}
		if got := tp.QueryOffsetPos(0); got != (Position{7, 3}) {
			t.Errorf("got %v", got)
		}
	})
}

func TestWithQueryCheck(t *testing.T) {
	check := func(q string) (int, error) {
		if i := strings.Index(q, ")"); i >= 0 {
			return i, errors.New(`unexpected ")"`)
		}
		return 0, nil
	}
	doc := "[[topic]]\nid = \"a\"\nquery = '''\niran\nAND x)'''\n[[topic]]\nid = \"b\"\nquery = \"fine\"\n"
	errs := mustErrors(t, doc, WithQueryCheck(check))
	if got, want := errs.lines(), `t.toml:5:6: topic.query: unexpected ")"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := load(doc); err != nil {
		t.Errorf("without the check: %v", err)
	}
}

func TestErrorsFormat(t *testing.T) {
	c := &Config{File: "/etc/aggregatord.toml"}
	e := c.Errorf(Position{3, 14}, "topic.query: unexpected %q", ")")
	if got, want := e.Error(), `/etc/aggregatord.toml:3:14: topic.query: unexpected ")"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	errs := Errors{e, c.Errorf(Position{1, 1}, "b")}
	if got, want := (&errs).Error(), e.Error()+"\n/etc/aggregatord.toml:1:1: b"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if (*Config)(nil).Errorf(Position{1, 1}, "x").Error() != ":1:1: x" {
		t.Errorf("nil config Errorf")
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.toml")
	if err := os.WriteFile(path, []byte("[fetch]\nconcurrency = -1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":2:15: ") {
		t.Errorf("LoadFile error = %v, want it to name %s:2:15", err, path)
	}

	missing := filepath.Join(dir, "missing.toml")
	_, err = LoadFile(missing)
	var errs *Errors
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) || errors.As(err, &errs) {
		t.Errorf("LoadFile(missing) error = %v", err)
	}

	if _, err := LoadFile(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("LoadFile(dir) error = %v", err)
	}
}

func TestLoadTooLarge(t *testing.T) {
	big := strings.NewReader("#" + strings.Repeat("x", MaxSize) + "\n")
	_, err := Load("big.toml", big)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "big.toml") {
		t.Errorf("error = %v, want ErrTooLarge naming the file", err)
	}
}

func TestLoadReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Load("r.toml", errReader{boom})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "r.toml") {
		t.Errorf("error = %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestExampleConfig(t *testing.T) {
	c, err := LoadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) < 10 || len(c.Topics) != 5 {
		t.Errorf("example has %d sources and %d topics", len(c.Sources), len(c.Topics))
	}
	for _, id := range []string{"us-iran", "kurdistan", "iraq-politics", "syria", "gulf-security"} {
		tp, ok := c.Topic(id)
		if !ok {
			t.Errorf("example lacks topic %s", id)
			continue
		}
		if d := tp.query.decoded(); d != tp.Query {
			t.Errorf("topic %s: layout decodes to %q, TOML to %q", id, d, tp.Query)
		}
	}
	// The example shows every default: apart from sources and topics it
	// loads to the same values as an empty file.
	d := Default()
	if c.Server != d.Server || c.Storage != d.Storage || c.Fetch != d.Fetch || c.Dedupe != d.Dedupe {
		t.Errorf("example defaults differ:\n%+v\n%+v", c, d)
	}
	// And it writes every key.
	for _, key := range []string{
		"server.listen", "server.base_url", "server.title", "server.cache_max_age", "server.admin_listen",
		"storage.path", "storage.retention", "storage.max_items_per_source", "storage.prune_schedule",
		"fetch.schedule", "fetch.timeout", "fetch.concurrency", "fetch.max_body_bytes", "fetch.user_agent",
		"dedupe.stories", "dedupe.window",
	} {
		if _, ok := c.Pos[key]; !ok {
			t.Errorf("example lacks %s", key)
		}
	}
	for _, key := range []string{"name", "title", "url", "schedule", "tags", "full_text", "enabled"} {
		if _, ok := c.Sources[0].Pos[key]; !ok {
			t.Errorf("example's first source lacks %s", key)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"scheudle", "schedule", 1},
		{"sources", "source", 1},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func FuzzLoad(f *testing.F) {
	f.Add(fullDoc)
	f.Add("")
	f.Add("[[source]]\nname = \"a\"\nurl = \"https://e.com/\"\n[[source]]\nname = \"a\"\n")
	f.Add("[fetch]\nschedule = \"CRON_TZ=UTC\"\n")
	f.Add("[[topic]]\nid = \"x\"\nquery = \"\"\"\r\na\\\r\n  b\\u00e9\\\"\"\"\"\"\n")
	f.Add("a = [[1, [2]], {x = 1}]\n[b.c]\n[[d.e]]\n")
	f.Add("\ufeffsource = [{name = \"a\", url = \"http://x\"}]")
	if data, err := os.ReadFile("../config.example.toml"); err == nil {
		f.Add(string(data))
	}
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := load(doc)
		if err != nil {
			var errs *Errors
			if !errors.As(err, &errs) || len(*errs) == 0 {
				t.Fatalf("error %T %v is not a non-empty *Errors", err, err)
			}
			lines := strings.Count(doc, "\n") + 1
			for _, e := range *errs {
				if e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.Line > lines {
					t.Fatalf("error at impossible position: %v", e)
				}
			}
			return
		}
		for _, tp := range c.Topics {
			if d := tp.query.decoded(); d != tp.Query {
				t.Fatalf("layout decodes to %q, TOML to %q", d, tp.Query)
			}
			for off := 0; off <= len(tp.Query); off += 1 + len(tp.Query)/64 {
				if p := tp.QueryOffsetPos(off); !p.IsValid() {
					t.Fatalf("QueryOffsetPos(%d) = %v", off, p)
				}
			}
		}
	})
}

func BenchmarkLoadExample(b *testing.B) {
	data, err := os.ReadFile("../config.example.toml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Load("example.toml", strings.NewReader(string(data))); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzQueryLayout checks the string layout against go-toml's decoding for
// any way of writing a query.
func FuzzQueryLayout(f *testing.F) {
	for _, tok := range []string{
		`"ab \"c\" \u00e9x"`, `'ایران AND x'`, "\"\"\"\niran AND \\\n    trump\nOR x\"\"\"",
		"\"\"\"\r\nab\r\ncd\"\"\"", "'''\n(iran\n OR tehran)'''", `"""a "b" ""c"""""`,
		`"\U0001F600z\x41\ey"`, "'''''x'''''", `"\t\\"`,
	} {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := load("[[topic]]\nid = \"x\"\nquery = " + tok + "\n")
		if err != nil || len(c.Topics) != 1 {
			return
		}
		tp := c.Topics[0]
		if d := tp.query.decoded(); d != tp.Query {
			t.Fatalf("layout decodes %s to %q, TOML to %q", tok, d, tp.Query)
		}
		raw := tp.query.raw
		for off, r := range tp.Query {
			idx := tp.query.rawIndex(off)
			if raw[idx] != '\\' && !strings.HasPrefix(raw[idx:], string(r)) {
				t.Fatalf("offset %d (%q) maps to raw %d (%q) in %s", off, r, idx, raw[idx:], tok)
			}
			if p := tp.QueryOffsetPos(off); p.Line < 3 || p.Col < 1 {
				t.Fatalf("QueryOffsetPos(%d) = %v", off, p)
			}
		}
	})
}
