package feeds

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusRoot holds the shared corpus of real feed documents (read-only).
const corpusRoot = "/work/shared/corpus"

// corpusGoldenFile records, for each document of corpusGoldenDocs, a hash
// of everything Parse returns for it (the feed and every field of every
// item, as JSON) or of its error. Rewrite it with
//
//	go test ./feeds -run TestCorpusGolden -update
//
// only after an intended change of output.
const corpusGoldenFile = "testdata/corpus_golden.txt"

// corpusGoldenDirs are the corpus folders whose documents are pinned, and
// for each a stride: every stride-th file (in path order) is taken.
var corpusGoldenDirs = []struct {
	dir    string
	stride int
}{
	{"chardet-feeds", 1},              // real feeds in many encodings, with HTML content
	{"news-feeds", 1},                 // Middle-East feeds in legacy encodings, and pages
	{"feedparser/encoding", 1},        // encoding declarations and BOMs
	{"feedparser/wellformed/base", 1}, // xml:base and relative links
	{"feedparser/wellformed/sanitize", 4},
	{"feedparser/wellformed/rss", 4},
	{"w3c-feedvalidator/atom", 8},
}

// corpusGoldenDocs lists the pinned documents, relative to corpusRoot.
func corpusGoldenDocs(t *testing.T) []string {
	var out []string
	for _, d := range corpusGoldenDirs {
		var files []string
		err := filepath.WalkDir(filepath.Join(corpusRoot, d.dir), func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.Type().IsRegular() && !strings.HasSuffix(p, ".md") {
				rel, _ := filepath.Rel(corpusRoot, p)
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			t.Skipf("corpus not available: %v", err)
		}
		slices.Sort(files)
		for i := 0; i < len(files); i += d.stride {
			out = append(out, files[i])
		}
	}
	return out
}

// corpusDigest parses body as ingest does and returns a short hash of
// the result: the whole Feed as JSON, or the error.
func corpusDigest(body []byte, contentType, url string) string {
	f, err := Parse(body, ParseOptions{
		ContentType: contentType,
		URL:         url,
		Source:      "corpus",
		Tags:        []string{"a", "b"},
		Now:         testNow,
	})
	var data []byte
	if err != nil {
		data = []byte("error: " + err.Error())
	} else {
		data, err = json.Marshal(f)
		if err != nil {
			return "marshal: " + err.Error()
		}
		data = fmt.Appendf(data, " items=%d", len(f.Items))
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}

// corpusContentTypes are cycled through the documents, so that the
// charset of the HTTP header plays its part in some of them.
var corpusContentTypes = []string{"", "application/rss+xml", "text/xml; charset=utf-8"}

// TestCorpusGolden pins Parse's output on a few hundred real documents
// and on the generated benchmark feeds, so that optimisations can be
// shown not to change it.
func TestCorpusGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus golden test skipped in -short mode")
	}
	var lines []string
	for i, rel := range corpusGoldenDocs(t) {
		body, err := os.ReadFile(filepath.Join(corpusRoot, rel))
		if err != nil {
			t.Fatal(err)
		}
		ct := corpusContentTypes[i%len(corpusContentTypes)]
		lines = append(lines, rel+" "+corpusDigest(body, ct, "https://feeds.example.com/"+rel))
	}
	for _, d := range benchFeeds(20, 50) {
		lines = append(lines, "generated"+d.path+" "+corpusDigest(d.body, "application/xml; charset=utf-8", "https://example.com"+d.path))
	}
	got := strings.Join(lines, "\n") + "\n"
	if *update {
		if err := os.WriteFile(corpusGoldenFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(corpusGoldenFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	wantLines := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(want))
	for sc.Scan() {
		name, sum, _ := strings.Cut(sc.Text(), " ")
		wantLines[name] = sum
	}
	if len(wantLines) != len(lines) {
		t.Errorf("%d documents, %s has %d", len(lines), corpusGoldenFile, len(wantLines))
	}
	bad := 0
	for _, l := range lines {
		name, sum, _ := strings.Cut(l, " ")
		if w := wantLines[name]; w != sum {
			bad++
			if bad <= 20 {
				t.Errorf("%s: output hash %s, want %s", name, sum, w)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d documents changed", bad, len(lines))
	}
}
