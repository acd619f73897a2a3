package demo

import (
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/aggregatord/aggregatord"
)

// demoSchedule is how often the demo config fetches each sample feed: often
// enough that the sources page shows conditional GETs (304) within a minute.
const demoSchedule = "@every 1m"

// Config returns a complete aggregatord config, in TOML, for the demo: the
// public listener on listen, the admin API on adminListen ("" leaves it
// disabled), the store at dbPath, one [[source]] per sample feed fetching
// from s.URL() every minute, and the topics of config.example.toml (us-iran,
// kurdistan, iraq-politics, syria, gulf-security). Every value is quoted as
// TOML requires, so any path or address may be passed.
func (s *Server) Config(listen, adminListen, dbPath string) string {
	var b strings.Builder
	b.WriteString("# aggregatord demo configuration, written by `aggregatord demo`.\n")
	b.WriteString("# The sources are sample feeds of fictional outlets, served from inside the\n")
	b.WriteString("# binary on " + s.URL() + ". Not real reporting.\n\n")

	b.WriteString("[server]\n")
	fmt.Fprintf(&b, "listen = %s\n", tomlString(listen))
	fmt.Fprintf(&b, "admin_listen = %s\n", tomlString(adminListen))
	fmt.Fprintf(&b, "title = %s\n\n", tomlString("Regional news (demo)"))

	b.WriteString("[storage]\n")
	fmt.Fprintf(&b, "path = %s\n", tomlString(dbPath))

	for _, f := range s.feeds {
		b.WriteString("\n[[source]]\n")
		fmt.Fprintf(&b, "name = %s\n", tomlString(f.Name))
		fmt.Fprintf(&b, "title = %s\n", tomlString(f.Title))
		fmt.Fprintf(&b, "url = %s\n", tomlString(s.FeedURL(f.Name)))
		fmt.Fprintf(&b, "schedule = %s\n", tomlString(demoSchedule))
		b.WriteString("tags = [")
		for i, t := range f.Tags {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tomlString(t))
		}
		b.WriteString("]\n")
	}

	for _, t := range exampleTopics() {
		b.WriteString("\n[[topic]]\n")
		fmt.Fprintf(&b, "id = %s\n", tomlString(t.id))
		fmt.Fprintf(&b, "title = %s\n", tomlString(t.title))
		fmt.Fprintf(&b, "query = %s\n", tomlString(t.query))
	}
	return b.String()
}

// FeedURL returns the URL the sample feed whose [[source]] name is name is
// served at, or "" if there is no such feed.
func (s *Server) FeedURL(name string) string {
	for _, f := range s.feeds {
		if f.Name == name {
			return strings.TrimSuffix(s.url, "/") + f.Path()
		}
	}
	return ""
}

// topic is one example [[topic]] table.
type topic struct{ id, title, query string }

// exampleTopics returns the demo's topics: the [[topic]] tables of
// config.example.toml (embedded in the binary), so the demo shows the
// topics an operator starts from.
func exampleTopics() []topic {
	var doc struct {
		Topic []struct{ ID, Title, Query string }
	}
	// The file is part of the build and tested to load; a failure here
	// would be a broken build, and leaves the demo without topics.
	if err := toml.Unmarshal(aggregatord.ExampleConfig(), &doc); err != nil {
		return nil
	}
	out := make([]topic, 0, len(doc.Topic))
	for _, t := range doc.Topic {
		out = append(out, topic{t.ID, t.Title, t.Query})
	}
	return out
}

// tomlString returns s as a TOML string: a literal string ('...', or
// ”'...”' over several lines) when s allows one, so that queries stay
// readable, else a basic string with escapes. Invalid UTF-8, which TOML
// cannot hold, becomes U+FFFD.
func tomlString(s string) string {
	literal, multiline := true, false
	for _, r := range s {
		switch {
		case r == '\n':
			multiline = true
		case r == '\'' || r == 0x7f || (r < 0x20 && r != '\t') || r == '\uFFFD':
			literal = false
		}
	}
	switch {
	case literal && !multiline:
		return "'" + s + "'"
	case literal:
		// The newline after the opening delimiter is not part of the value.
		return "'''\n" + s + "'''"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
