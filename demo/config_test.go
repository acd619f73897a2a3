package demo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

func TestConfig(t *testing.T) {
	s := startServer(t)
	tests := []struct {
		name                  string
		listen, admin, dbPath string
	}{
		{"plain", "127.0.0.1:8080", "127.0.0.1:8081", "/tmp/aggregatord-demo-123/demo.db"},
		{"no admin", "127.0.0.1:0", "", "demo.db"},
		{"awkward path", "[::1]:8080", "127.0.0.1:8081", `C:\Users\o'brien\"demo"` + "\tdb\n.db"},
		{"unicode path", "127.0.0.1:8080", "127.0.0.1:8081", "/home/هه‌ولێر/demo.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := s.Config(tc.listen, tc.admin, tc.dbPath)
			var doc map[string]any
			if err := toml.Unmarshal([]byte(text), &doc); err != nil {
				t.Fatalf("not valid TOML: %v\n%s", err, text)
			}
			server, _ := doc["server"].(map[string]any)
			if server["listen"] != tc.listen || server["admin_listen"] != tc.admin {
				t.Errorf("[server] = %v", server)
			}
			storage, _ := doc["storage"].(map[string]any)
			if storage["path"] != tc.dbPath {
				t.Errorf("[storage] path = %q, want %q", storage["path"], tc.dbPath)
			}

			sources, _ := doc["source"].([]any)
			if len(sources) != len(catalog()) {
				t.Fatalf("%d sources, want %d", len(sources), len(catalog()))
			}
			for i, info := range catalog() {
				src, _ := sources[i].(map[string]any)
				want := s.URL() + "feeds/" + info.File
				if src["name"] != info.Name || src["title"] != info.Title || src["url"] != want ||
					src["schedule"] != "@every 1m" {
					t.Errorf("source %d = %v, want name %s, url %s", i, src, info.Name, want)
				}
				if !strings.Contains(text, want) {
					t.Errorf("config does not contain %s", want)
				}
				tags, _ := src["tags"].([]any)
				if len(tags) != len(info.Tags) {
					t.Errorf("source %s tags = %v, want %v", info.Name, tags, info.Tags)
				}
			}

			topics, _ := doc["topic"].([]any)
			var ids []string
			for _, tp := range topics {
				m, _ := tp.(map[string]any)
				id, _ := m["id"].(string)
				ids = append(ids, id)
				if q, _ := m["query"].(string); q == "" {
					t.Errorf("topic %s has no query", id)
				}
				if ti, _ := m["title"].(string); ti == "" {
					t.Errorf("topic %s has no title", id)
				}
			}
			want := []string{"us-iran", "kurdistan", "iraq-politics", "syria", "gulf-security"}
			if !slices.Equal(ids, want) {
				t.Errorf("topic ids %v, want %v", ids, want)
			}
			if len(doc) != 4 {
				t.Errorf("top-level keys %v, want server, storage, source, topic", keys(doc))
			}
		})
	}
}

// TestExampleTopicsMatchConfigExample checks that the demo's topics are
// those of config.example.toml.
func TestExampleTopicsMatchConfigExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "config.example.toml"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no ../config.example.toml")
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Topic []struct{ ID, Title, Query string }
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
	var want []topic
	for _, tp := range doc.Topic {
		want = append(want, topic{tp.ID, tp.Title, tp.Query})
	}
	if len(want) < 5 {
		t.Fatalf("config.example.toml has %d topics", len(want))
	}
	if got := exampleTopics(); !slices.Equal(got, want) {
		t.Errorf("demo topics differ from config.example.toml's; copy them again\n got %q\nwant %q", got, want)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestTOMLString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "demo.db", "'demo.db'"},
		{"query", `(Iran* OR "United States") AND =US`, `'(Iran* OR "United States") AND =US'`},
		{"backslash", `C:\db`, `'C:\db'`},
		{"quote", `o'brien`, `"o'brien"`},
		{"both", `o'b "x" \`, `"o'b \"x\" \\"`},
		{"controls", "a\nb\x00c\x7f", `"a\nb\u0000c\u007F"`},
		{"tab literal", "a\tb", "'a\tb'"},
		{"arabic", "إيران*", "'إيران*'"},
		{"empty", "", "''"},
		{"multi-line", "a OR b\nAND NOT \"c\"\n", "'''\na OR b\nAND NOT \"c\"\n'''"},
		{"multi-line leading newline", "\nx", "'''\n\nx'''"},
		{"multi-line quote", "a'\nb", `"a'\nb"`},
		{"multi-line backslash", "a\\\nb", "'''\na\\\nb'''"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tomlString(tc.in)
			if got != tc.want {
				t.Errorf("tomlString(%q) = %s, want %s", tc.in, got, tc.want)
			}
			var doc struct{ V string }
			if err := toml.Unmarshal([]byte("V = "+got), &doc); err != nil {
				t.Fatalf("not TOML: %v", err)
			}
			if doc.V != tc.in {
				t.Errorf("round trip %q, want %q", doc.V, tc.in)
			}
		})
	}
	t.Run("invalid utf-8", func(t *testing.T) {
		var doc struct{ V string }
		if err := toml.Unmarshal([]byte("V = "+tomlString("a\xffb")), &doc); err != nil {
			t.Fatalf("not TOML: %v", err)
		}
		if doc.V != "a\uFFFDb" {
			t.Errorf("got %q", doc.V)
		}
	})
}

// FuzzTOMLString checks that every string quotes to valid TOML that reads
// back as the string (invalid UTF-8 aside).
func FuzzTOMLString(f *testing.F) {
	for _, s := range []string{"", "demo.db", `o'b "x" \`, "a\nb", "\x00", "إيران*", `'''`, `"""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := tomlString(s)
		var doc struct{ V string }
		if err := toml.Unmarshal([]byte("V = "+q), &doc); err != nil {
			t.Fatalf("tomlString(%q) = %s: not TOML: %v", s, q, err)
		}
		if want := string([]rune(s)); doc.V != want {
			t.Fatalf("round trip %q, want %q", doc.V, want)
		}
	})
}
