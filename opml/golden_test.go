package opml

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aggregatord/aggregatord/config"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestGolden parses every testdata/*.opml, compares WriteTOML's output with
// testdata/NAME.golden, and loads that output with config.Load.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.opml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.opml")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".opml")
		t.Run(name, func(t *testing.T) {
			res := parseFile(t, file)
			var out bytes.Buffer
			if err := WriteTOML(&out, res, filepath.Base(file)); err != nil {
				t.Fatalf("WriteTOML: %v", err)
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := out.String(); got != string(want) {
				t.Errorf("output differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
			checkLoads(t, file, res, out.Bytes())
		})
	}
}

// parseFile parses the OPML file at path.
func parseFile(t *testing.T, path string) *Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return res
}

// checkLoads loads toml with config.Load and checks that it holds exactly
// res's sources.
func checkLoads(t *testing.T, name string, res *Result, toml []byte) {
	t.Helper()
	cfg, err := config.Load(name+".toml", bytes.NewReader(toml))
	if err != nil {
		t.Fatalf("config.Load of the output: %v\n%s", err, toml)
	}
	if len(cfg.Sources) != len(res.Sources) {
		t.Fatalf("config has %d sources, Parse found %d", len(cfg.Sources), len(res.Sources))
	}
	for i, want := range res.Sources {
		got := cfg.Sources[i]
		if got.Name != want.Name || got.Title != want.Title || got.URL != want.URL || !equalTags(got.Tags, want.Tags) {
			t.Errorf("source %d: config has {%q %q %q %q}, Parse gave {%q %q %q %q}",
				i, got.Name, got.Title, got.URL, got.Tags, want.Name, want.Title, want.URL, want.Tags)
		}
	}
}

func equalTags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
