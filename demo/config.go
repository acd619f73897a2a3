package demo

import (
	"fmt"
	"strings"
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
// config.example.toml, copied (TestExampleTopicsMatchConfigExample keeps
// the copy in step), so the demo shows the topics an operator starts from.
func exampleTopics() []topic {
	return []topic{
		{
			id:    "us-iran",
			title: "US–Iran tensions",
			query: `(iran OR iranian OR tehran OR ايران OR إيران) AND (=US OR "united states" OR washington OR american* OR pentagon OR trump OR واشنطن OR أمريكا OR الأمريكية)`,
		},
		{
			id:    "kurdistan",
			title: "Kurdistan Region",
			query: `kurd* OR krg OR erbil OR arbil OR sulaymaniyah OR duhok OR halabja
OR peshmerga OR "kurdistan region"
OR كردستان OR كرد* OR أربيل OR اربيل OR السليمانية OR دهوك OR البيشمركة
`,
		},
		{
			id:    "iraq-politics",
			title: "Iraqi politics",
			query: `(iraq* OR baghdad OR العراق OR العراقية OR بغداد)
AND (parliament OR election* OR "prime minister" OR cabinet OR sudani
     OR "federal court" OR coalition OR budget
     OR البرلمان OR الانتخابات OR "رئيس الوزراء" OR الحكومة OR السوداني)
AND NOT (football OR "premier league" OR كرة)
`,
		},
		{
			id:    "syria",
			title: "Syria",
			query: `syria* OR damascus OR aleppo OR idlib OR homs OR "deir ez-zor" OR =SDF
OR سوريا OR سورية OR السوري* OR دمشق OR حلب OR إدلب OR حمص
`,
		},
		{
			id:    "gulf-security",
			title: "Gulf security",
			query: `(title:gulf OR hormuz OR "red sea" OR houthi* OR saudi* OR emirat* OR =UAE
 OR qatar OR bahrain OR kuwait OR oman
 OR الخليج OR هرمز OR "البحر الأحمر" OR الحوثي* OR السعودية OR الإمارات)
AND (attack* OR missile* OR drone* OR navy OR naval OR tanker* OR seiz*
     OR militar* OR security OR هجوم OR صاروخ OR مسيرة OR ناقلة OR أمن)
`,
		},
	}
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
