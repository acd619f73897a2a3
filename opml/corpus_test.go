package opml

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDirs are the shared corpus's OPML files (read-only, outside the
// repo); the test is skipped where they are absent.
var corpusDirs = []string{
	"/work/shared/corpus/opml",
	"/work/shared/corpus/w3c-feedvalidator/opml",
}

// corpusErrors are the corpus files Parse must refuse, and what the error
// must say.
var corpusErrors = map[string]string{
	"errors/invalidCharacters.opml": "invalid UTF-8", // declares UTF-8, holds windows-1252 quotes
	"errors/missingOpml.opml":       "<haha>",
	"rss/twittergram.xml":           "<rss>",
}

// TestCorpus parses every OPML file of the corpus and loads the TOML
// written for it with config.Load: every name must be valid and unique,
// every URL valid, and the config must hold exactly the parsed sources.
func TestCorpus(t *testing.T) {
	var files []string
	for _, dir := range corpusDirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".opml") || strings.HasSuffix(path, ".xml")) {
				files = append(files, path)
			}
			return nil
		})
		if errors.Is(err, fs.ErrNotExist) {
			t.Skipf("corpus not available: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var nSources, nSkipped, nFailed int
	for _, path := range files {
		rel := path
		for _, dir := range corpusDirs {
			if r, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(r, "..") {
				rel = r
			}
		}
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Parse(bytes.NewReader(data))
			if want, ok := corpusErrors[rel]; ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Parse error = %v, want one containing %q", err, want)
				}
				nFailed++
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			nSources += len(res.Sources)
			nSkipped += len(res.Skipped)
			if strings.Contains(rel, "awesome-rss-feeds") && len(res.Sources) == 0 {
				t.Errorf("no sources in a subscription list")
			}
			checkResult(t, res)
		})
	}
	t.Logf("%d files: %d sources, %d outlines skipped, %d files refused", len(files), nSources, nSkipped, nFailed)
}
