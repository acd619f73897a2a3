package stories

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"testing"

	"github.com/aggregatord/aggregatord/news"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// goldenSketch is the golden file of TestGoldenFingerprint.
const goldenSketch = "testdata/golden_sketch.txt"

// TestGoldenFingerprint pins the sketch of every corpus item: one line an
// item, the number of hashes and a hash of the encoded sketch. Sketches are
// stored, so the file must never change; it was written by the code
// before any optimisation (go test ./stories -run GoldenFingerprint -args
// -update).
func TestGoldenFingerprint(t *testing.T) {
	items := corpusItems(t)
	var out bytes.Buffer
	fmt.Fprintf(&out, "# %d items: the number of hashes of Fingerprint and a hash of its encoding.\n", len(items))
	known := goldenLines(t, goldenSketch)
	for i := range items {
		if i%goldenStride != 0 && 1+i < len(known) {
			fmt.Fprintln(&out, known[1+i])
			continue
		}
		sk := Fingerprint(&items[i])
		b, err := sk.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		h := fnv.New32a()
		h.Write(b)
		fmt.Fprintf(&out, "%d %06x\n", len(sk), h.Sum32()&0xffffff)
	}
	compareGolden(t, goldenSketch, out.Bytes(), items)
}

// goldenLines returns the lines of the golden file at path, for the items
// a strided run (goldenStride) does not compute; nil when it computes all.
func goldenLines(t *testing.T, path string) []string {
	t.Helper()
	if goldenStride == 1 {
		return nil
	}
	if *update {
		t.Fatal("-update needs every item: run it without -race")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// compareGolden compares got with the golden file, or writes it with
// -update, and names the first items that differ.
func compareGolden(t *testing.T, path string, got []byte, items []news.Item) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	g, w := bufio.NewScanner(bytes.NewReader(got)), bufio.NewScanner(bytes.NewReader(want))
	line, bad := 0, 0
	for {
		okG, okW := g.Scan(), w.Scan()
		if !okG || !okW {
			if okG != okW {
				t.Errorf("%s: different number of lines", path)
			}
			break
		}
		line++
		if g.Text() != w.Text() {
			bad++
			if bad <= 10 {
				idx := line - 2 // one comment line
				var title string
				if idx >= 0 && idx < len(items) {
					title = items[idx].Title
				}
				t.Errorf("%s:%d (item %d %.60q): got %s, want %s", path, line, idx, title, g.Text(), w.Text())
			}
		}
	}
	t.Errorf("%s: %d lines differ", path, bad)
}
