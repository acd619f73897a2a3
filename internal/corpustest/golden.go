package corpustest

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/aggregatord/aggregatord/news"
)

// Golden is a golden file of comment lines, then one line per item of
// Items.
type Golden struct {
	// Path is the file, relative to the test's package.
	Path string
	// Header is the number of comment lines before the items' lines.
	Header int
	// Update makes Compare write the file instead (the tests' -update).
	Update bool
	// Stride, when above 1, says that the test computes only every
	// Stride-th item (under the race detector) and takes the other lines
	// from the file (Known).
	Stride int
}

// Known returns the file's lines, for the items a strided run does not
// compute; nil when the test computes every item. Updating needs every
// item.
func (g Golden) Known(tb testing.TB) []string {
	tb.Helper()
	if g.Stride <= 1 {
		return nil
	}
	if g.Update {
		tb.Fatal("-update needs every item: run it without -race")
	}
	b, err := os.ReadFile(g.Path)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// Compare compares got with the file, or writes it when Update is set,
// and names the first items whose lines differ.
func (g Golden) Compare(tb testing.TB, got []byte, items []news.Item) {
	tb.Helper()
	if g.Update {
		if err := os.WriteFile(g.Path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(g.Path)
	if err != nil {
		tb.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gs, ws := bufio.NewScanner(bytes.NewReader(got)), bufio.NewScanner(bytes.NewReader(want))
	line, bad := 0, 0
	for {
		okG, okW := gs.Scan(), ws.Scan()
		if !okG || !okW {
			if okG != okW {
				tb.Errorf("%s: different number of lines", g.Path)
			}
			break
		}
		line++
		if gs.Text() != ws.Text() {
			bad++
			if bad <= 10 {
				idx := line - 1 - g.Header
				var title string
				if idx >= 0 && idx < len(items) {
					title = items[idx].Title
				}
				tb.Errorf("%s:%d (item %d %.60q): got %s, want %s", g.Path, line, idx, title, gs.Text(), ws.Text())
			}
		}
	}
	tb.Errorf("%s: %d lines differ", g.Path, bad)
}
