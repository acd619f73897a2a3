package stories

import (
	"bufio"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aggregatord/aggregatord/news"
)

// label is a pair's expected outcome; see testdata/pairs.txt.
type label string

const (
	labelSame  label = "same"  // one wire story, two outlets: should group
	labelTopic label = "topic" // different stories, same topic: must not
	labelEvent label = "event" // one event, independent reports: must not
	labelShort label = "short" // title only: never grouped
)

// pair is one labelled pair of the test set.
type pair struct {
	label label
	a, b  string
	note  string
}

// loadItems reads the items files of testdata: blocks that start with
// "=== ID", then "title:", optional "summary:" and "text:" followed by
// paragraphs separated by blank lines, which become the item's content as
// <p> elements. Lines starting with # outside a text are comments.
func loadItems(t testing.TB) map[string]*news.Item {
	t.Helper()
	items := make(map[string]*news.Item)
	files, err := filepath.Glob(filepath.Join("testdata", "items_*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no items files: %v", err)
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		var cur *news.Item
		var paras []string
		inText := false
		flush := func() {
			if cur != nil && len(paras) > 0 {
				var b strings.Builder
				for _, p := range paras {
					b.WriteString("<p>" + html.EscapeString(p) + "</p>")
				}
				cur.Content = b.String()
			}
			paras, inText = nil, false
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		line := 0
		for sc.Scan() {
			line++
			s := strings.TrimSpace(sc.Text())
			switch {
			case strings.HasPrefix(s, "=== "):
				flush()
				id := strings.TrimSpace(strings.TrimPrefix(s, "=== "))
				if items[id] != nil {
					t.Fatalf("%s:%d: duplicate id %s", name, line, id)
				}
				cur = &news.Item{Key: id, Source: id}
				items[id] = cur
			case inText:
				if s != "" {
					paras = append(paras, s)
				}
			case s == "" || strings.HasPrefix(s, "#"):
			case cur == nil:
				t.Fatalf("%s:%d: text outside an item", name, line)
			case strings.HasPrefix(s, "title:"):
				cur.Title = strings.TrimSpace(strings.TrimPrefix(s, "title:"))
			case strings.HasPrefix(s, "summary:"):
				cur.Summary = "<p>" + html.EscapeString(strings.TrimSpace(strings.TrimPrefix(s, "summary:"))) + "</p>"
			case s == "text:":
				inText = true
			default:
				t.Fatalf("%s:%d: unexpected line %q", name, line, s)
			}
		}
		flush()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return items
}

// loadPairs reads testdata/pairs.txt and checks that every id exists.
func loadPairs(t testing.TB, items map[string]*news.Item) []pair {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "pairs.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []pair
	for n, l := range strings.Split(string(b), "\n") {
		l, note, _ := strings.Cut(l, "#")
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			t.Fatalf("pairs.txt:%d: want label a b", n+1)
		}
		p := pair{label: label(f[0]), a: f[1], b: f[2], note: strings.TrimSpace(note)}
		switch p.label {
		case labelSame, labelTopic, labelEvent, labelShort:
		default:
			t.Fatalf("pairs.txt:%d: unknown label %q", n+1, p.label)
		}
		if items[p.a] == nil || items[p.b] == nil {
			t.Fatalf("pairs.txt:%d: unknown item in %s %s", n+1, p.a, p.b)
		}
		out = append(out, p)
	}
	return out
}

var _ = fmt.Sprint
