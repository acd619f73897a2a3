package feeds

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCases are the documents in testdata whose whole normalised output
// is pinned in testdata/golden/<case>.json. Run
//
//	go test ./feeds -run TestGolden -update
//
// after an intended change, and read the diff.
var goldenCases = []struct {
	file, contentType string
}{
	{"rss091_windows1255.xml", "text/xml"},
	{"rss10.xml", "application/rdf+xml"},
	{"rss20.xml", "application/rss+xml"},
	{"rss20_iso88599.xml", "text/xml"},
	{"atom03_shift_jis.xml", "application/atom+xml"},
	{"atom10.xml", "application/atom+xml"},
	{"jsonfeed10.json", "application/feed+json"},
	{"jsonfeed11.json", "application/feed+json"},
	{"normalize_cases.xml", "application/rss+xml; charset=utf-8"},
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		name := strings.TrimSuffix(c.file, filepath.Ext(c.file))
		t.Run(name, func(t *testing.T) {
			f := mustParse(t, readTestdata(t, c.file), ParseOptions{
				ContentType: c.contentType,
				URL:         "https://feeds.example.com/" + c.file,
				Source:      "golden",
				Tags:        []string{"test"},
			})
			got, err := json.MarshalIndent(f, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update and read the diff):\n%s", path, got)
			}
		})
	}
}
