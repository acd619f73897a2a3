package topics

import (
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
	"testing"

	"github.com/aggregatord/aggregatord/internal/corpustest"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// goldenTag is the golden file of TestGoldenTag.
const goldenTag = "testdata/golden_tag.txt"

// goldenQueries are queries besides the example topics that exercise
// every feature of the language on the corpus.
var goldenQueries = []string{
	`"us iran"`, `iran*`, `=US`, `="US Navy"`, `=Ira*`, `title:iran*`, `body:"prime minister"`,
	`source:guardian OR source:rudaw`, `tag:world OR tag:"middle east"`, `NOT sport`, `trump -impeachment`,
	`"revolutionary guard*"`, `ايران`, `ايران*`, `"الحرس الثوري"`, `کرمانشاه OR تهران OR الولايات`,
	`"boris johnson" OR brexit`, `corona* AND (china OR wuhan)`, `=UK OR =U.N. OR =UN`, `shiite OR kataib`,
	`erdogan OR istanbul`, `2020 OR "1,000" OR 3.5`, `proiran OR "pro iran"`, `title:(fire* NOT =Fire)`,
	`"of the" AND NOT "in the"`, `th* AND NOT the`, `ישראל OR россия* OR ελλαδα`, `title:("us" body:iran)`,
	`=IRAN OR ="Quds Force"`, `"a a"`, `us-iran`, `u.s.`, `"straße"`, `finance`, `"iran iran iran"`,
}

// goldenTagger returns the example topics and one topic per golden query,
// named q00, q01...
func goldenTagger(t testing.TB) *Tagger {
	t.Helper()
	topics := loadExample(t).Topics()
	for i, s := range goldenQueries {
		q, err := Parse(s)
		if err != nil {
			t.Fatalf("parse %q: %v", s, err)
		}
		topics = append(topics, Topic{ID: fmt.Sprintf("q%02d", i), Query: q})
	}
	return NewTagger(topics...)
}

// TestGoldenTag pins, for every corpus item, the topics Tag gives it with
// the example topics and the golden queries, and a hash of what Tokenize
// returns for its title and summary and of the Explanation of every query.
// The file is written by the code before any optimisation (go test -run
// GoldenTag -update ./topics); matching must never change it.
func TestGoldenTag(t *testing.T) {
	items := corpusItems(t)
	tg := goldenTagger(t)
	topics := tg.Topics()
	var out bytes.Buffer
	fmt.Fprintf(&out, "# %d items, %d topics: the hex mask of matching topics (bit i: Topics()[i]),\n", len(items), len(topics))
	fmt.Fprintf(&out, "# then a hash of Tokenize of title and summary and of every Explanation.\n")
	golden := corpustest.Golden{Path: goldenTag, Header: 2, Update: *update, Stride: goldenStride}
	known := golden.Known(t)
	for i := range items {
		if i%goldenStride != 0 && 2+i < len(known) {
			fmt.Fprintln(&out, known[2+i])
			continue
		}
		it := items[i] // a copy: Tag sets Topics
		tg.Tag(&it)
		mask := make([]byte, (len(topics)+7)/8)
		k := 0
		for j, tp := range topics {
			if k < len(it.Topics) && it.Topics[k] == tp.ID {
				mask[j/8] |= 1 << (j % 8)
				k++
			}
		}
		if k != len(it.Topics) {
			t.Fatalf("item %d: Topics %q not sorted like Topics()", i, it.Topics)
		}
		if m := tg.Match(&items[i], nil); strings.Join(m, ",") != strings.Join(it.Topics, ",") {
			t.Errorf("item %d: Match %q, Tag %q", i, m, it.Topics)
		}
		h := fnv.New32a()
		for _, s := range []string{items[i].Title, items[i].Summary} {
			for _, tok := range Tokenize(s) {
				fmt.Fprintf(h, "%q %q %q %d %v\n", tok.Term, tok.Cased, tok.Surface, tok.Pos, tok.Alt)
			}
		}
		d := NewDoc(&items[i])
		for j, tp := range topics {
			e := tp.Query.Explain(d)
			if e.Match != tp.Query.Match(d) || e.Match != (mask[j/8]&(1<<(j%8)) != 0) {
				t.Errorf("item %d, topic %s: Explain %v, Match %v, Tag %v", i, tp.ID, e.Match, tp.Query.Match(d), mask[j/8]&(1<<(j%8)) != 0)
			}
			writeExplain(h, e.Root)
		}
		fmt.Fprintf(&out, "%x %06x\n", mask, h.Sum32()&0xffffff)
	}
	golden.Compare(t, out.Bytes(), items)
}

// writeExplain writes the results and hits of the nodes of an explained
// query.
func writeExplain(w io.Writer, n ExplainNode) {
	fmt.Fprintf(w, "%v", n.Match)
	for _, h := range n.Hits {
		fmt.Fprintf(w, " %s:%q", h.Field, h.Text)
	}
	io.WriteString(w, "(")
	for _, k := range n.Kids {
		writeExplain(w, k)
	}
	io.WriteString(w, ")")
}
