package topics

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/news"
)

// exampleConfig is the repository's example configuration, whose topics
// are the ones an operator starts from.
const exampleConfig = "../config.example.toml"

func loadExample(t testing.TB) *Tagger {
	t.Helper()
	cfg, err := config.LoadFile(exampleConfig, config.WithQueryCheck(CheckQuery))
	if err != nil {
		t.Fatalf("load %s: %v", exampleConfig, err)
	}
	tg, err := Compile(cfg)
	if err != nil {
		t.Fatalf("compile %s: %v", exampleConfig, err)
	}
	return tg
}

// labelled is one hand-labelled item of testdata/headlines_*.txt.
type labelled struct {
	line  int
	want  bool
	title string
	text  string
}

// readLabelled reads a testdata/headlines_TOPIC.txt file: "+ title" or
// "- title", optionally followed by "|| summary"; # starts a comment line.
func readLabelled(t *testing.T, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) < 3 || (line[0] != '+' && line[0] != '-') || line[1] != ' ' {
			t.Fatalf("%s:%d: want \"+ title\" or \"- title\", got %q", path, n, line)
		}
		title, text, _ := strings.Cut(line[2:], "||")
		out = append(out, labelled{line: n, want: line[0] == '+', title: strings.TrimSpace(title), text: strings.TrimSpace(text)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExampleTopics classifies the hand-labelled headlines of
// testdata/headlines_TOPIC.txt with the example config's topics and checks
// precision and recall.
func TestExampleTopics(t *testing.T) {
	tg := loadExample(t)
	files, err := filepath.Glob("testdata/headlines_*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no labelled headlines: %v", err)
	}
	for _, path := range files {
		id := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "headlines_"), ".txt")
		t.Run(id, func(t *testing.T) {
			tp, ok := tg.Topic(id)
			if !ok {
				t.Fatalf("the example config has no topic %q", id)
			}
			items := readLabelled(t, path)
			var truePos, falsePos, falseNeg, trueNeg int
			for _, it := range items {
				d := NewDoc(&news.Item{Title: it.title, Summary: it.text})
				got := tp.Query.Match(d)
				switch {
				case got && it.want:
					truePos++
				case got && !it.want:
					falsePos++
					t.Logf("%s:%d: false positive: %s\n%s", path, it.line, it.title, tp.Query.Explain(d))
				case !got && it.want:
					falseNeg++
					t.Logf("%s:%d: false negative: %s", path, it.line, it.title)
				default:
					trueNeg++
				}
			}
			precision := float64(truePos) / float64(max(truePos+falsePos, 1))
			recall := float64(truePos) / float64(max(truePos+falseNeg, 1))
			t.Logf("%s: %d positives, %d negatives: precision %.3f, recall %.3f (tp %d, fp %d, fn %d, tn %d)",
				id, truePos+falseNeg, falsePos+trueNeg, precision, recall, truePos, falsePos, falseNeg, trueNeg)
			if truePos+falseNeg < 10 || falsePos+trueNeg < 10 {
				t.Errorf("want at least 10 positives and 10 negatives")
			}
			if id == "us-iran" && (truePos+falseNeg < 40 || falsePos+trueNeg < 40) {
				t.Errorf("us-iran: want at least 40 positives and 40 negatives")
			}
			if precision < 0.9 || recall < 0.9 {
				t.Errorf("precision %.3f, recall %.3f: want at least 0.9 each", precision, recall)
			}
		})
	}
}

// corpusCSV is the real headline corpus of January–February 2020 (see its
// SOURCES.md). It is used as a sanity check only: the log shows what
// us-iran tags, for a person to read; nothing is asserted on its labels.
const corpusCSV = "../../shared/corpus/headlines/rss-link-database-2020_2020-01-01_2020-02-29.csv"

func TestExampleTopicsOnCorpus(t *testing.T) {
	f, err := os.Open(corpusCSV)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("corpus not present: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tg := loadExample(t)
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	counts := map[string]int{}
	var usIran []string
	rows := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		it := &news.Item{Title: rec[col["title"]], Summary: rec[col["description"]]}
		tg.Tag(it)
		for _, id := range it.Topics {
			counts[id]++
			if id == "us-iran" {
				usIran = append(usIran, rec[col["date_published"]][:10]+" "+it.Title)
			}
		}
	}
	t.Logf("%d rows; tagged: %v", rows, counts)
	if counts["us-iran"] == 0 {
		t.Errorf("us-iran tagged nothing in the Soleimani-crisis corpus")
	}
	for i, h := range usIran {
		if i%5 == 0 { // a sample
			t.Logf("us-iran: %s", h)
		}
	}
}
