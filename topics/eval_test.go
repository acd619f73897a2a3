package topics

import (
	"strings"
	"testing"

	"github.com/aggregatord/aggregatord/news"
)

func newItem(title, summary string) *news.Item {
	return &news.Item{Source: "rudaw", Title: title, Summary: summary}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		title   string
		summary string
		want    bool
	}{
		{"word", "iran", "Iran fires missiles", "", true},
		{"word boundary", "iran", "Tirana hosts summit", "", false},
		{"not inside a word", "iran", "Iranshahr", "", false},
		{"possessive", "iran", "Iran's response", "", true},
		{"curly possessive", "iran", "Iran’s response", "", true},
		{"hyphen part", "iran", "Pro-Iran militia", "", true},
		{"hyphen part first", "pro", "Pro-Iran militia", "", true},
		{"phrase across hyphen", `"us iran"`, "US-Iran tensions", "", true},
		{"phrase across en dash", `"us iran"`, "US–Iran tensions", "", true},
		{"phrase across abbreviation", `"us iran"`, "U.S.-Iran talks", "", true},
		{"compound query", "US-Iran", "US and Iran talk", "", false},
		{"compound query matches", "US-Iran", "the US Iran talks", "", true},
		{"joined compound", "proiran", "Pro-Iran militia", "", true},
		{"phrase order", `"iran us"`, "US-Iran tensions", "", false},
		{"phrase gap", `"us iran"`, "US and Iran", "", false},
		{"case-insensitive term", "us", "Tell us your story", "", true},
		{"case-sensitive US", "=US", "Tell us your story", "", false},
		{"case-sensitive US matches", "=US", "US strikes Iraq", "", true},
		{"case-sensitive U.S.", "=US", "U.S. strikes Iraq", "", true},
		{"case-sensitive US's", "=US", "US's allies", "", true},
		{"case-sensitive compound", "=US", "US-led coalition", "", true},
		{"case-sensitive Us", "=US", "Us and them", "", false},
		{"case-sensitive phrase", `="US Navy"`, "US Navy seizes boat", "", true},
		{"case-sensitive phrase lower", `="US Navy"`, "join us navy fans", "", false},
		{"case-sensitive prefix", "=Ira*", "Iranian boats", "", true},
		{"case-sensitive prefix lower", "=Ira*", "iranian boats", "", false},
		{"prefix", "iran*", "Iranian general killed", "", true},
		{"prefix no match", "iran*", "Tirana", "", false},
		{"prefix phrase", `"revolutionary guard*"`, "Revolutionary Guards seize tanker", "", true},
		{"arabic prefix li", "ايران", "لإيران", "", true},
		{"arabic prefix wa", "ايران", "وإيران", "", true},
		{"arabic prefix bi", "إيران", "بإيران", "", true},
		{"arabic adjective needs a prefix query", "ايران", "والإيرانية", "", false},
		{"arabic adjective by prefix query", "ايران*", "والإيرانية", "", true},
		{"arabic phrase with lil", `"الولايات المتحدة"`, "للولايات المتحدة", "", true},
		{"arabic phrase with wa", `"الحرس الثوري"`, "والحرس الثوري", "", true},
		{"arabic tashkeel", "ايران", "إِيرَان", "", true},
		{"arabic tatweel", "ايران", "إيـــران", "", true},
		{"persian yeh", "ايران", "ایران", "", true},
		{"taa marbuta", "مدينة", "مدينه", "", true},
		{"alef maqsura", "مستشفى", "مستشفي", "", true},
		{"persian kaf", "كرمانشاه", "کرمانشاه", "", true},
		{"arabic short word not stripped", "لد", "ولد", "", false},
		{"persian zwnj word typed joined", "ميخواهد", "می‌خواهد", "", true},
		{"persian zwnj word typed with space", `"می خواهد"`, "می‌خواهد", "", true},
		{"diacritics", "erdogan", "Erdoğan meets Putin", "", true},
		{"diacritics in query", "Erdoğan", "ERDOGAN", "", true},
		{"digits", "2020", "٢٠٢٠", "", true},
		{"body", "iran", "Oil jumps", "<p>after <b>Iran</b> strike</p>", true},
		{"title scope", "title:iran", "Oil jumps", "after Iran strike", false},
		{"body scope", "body:iran", "Iran strike", "Oil jumps", false},
		{"body scope matches", "body:iran", "Oil jumps", "Iran strike", true},
		{"phrase across paragraphs", `"us iran"`, "x", "<p>the US</p><p>Iran said</p>", false},
		{"phrase not across title and body", `"us iran"`, "Oil and the US", "Iran said", false},
		{"html entity", `"at&t"`, "x", "AT&amp;T buys", true},
		{"script ignored", "iran", "x", "<script>iran()</script>hello", false},
		{"and", "iran strike", "Iran strike", "", true},
		{"and fails", "iran strike", "Iran talks", "", false},
		{"or", "iran OR iraq", "Iraq votes", "", true},
		{"not", "iran NOT film", "Iranian film festival", "", false},
		{"not passes", "iran* NOT film", "Iranian general", "", true},
		{"pure not", "NOT sport", "Iranian general", "", true},
		// The package documentation's examples.
		{"doc wal", "ايران", "والإيران", "", true},
		{"doc prefix wall", "ايران*", "وللإيرانيين", "", true},
		{"doc lil phrase", `"الحرس الثوري"`, "للحرس الثوري", "", true},
		{"doc definite only", "الحرس", "حرس", "", false},
		{"doc definite with wa", "الحرس", "والحرس", "", true},
		{"doc punctuation in phrase", `"us iran"`, "the US. Iran said", "", true},
		{"doc quds", `"quds force"`, "QUDS-FORCE", "", true},
		{"doc sanction", "sanction*", "sanctioned", "", true},
		{"doc =US-led", "=US", "US-led", "", true},
		{"doc capitals", "=US", "TELL US WHAT YOU THINK", "", true},
		{"doc hashtag", "#iran", "#Iran trends", "", true},
		{"source", "source:rudaw", "x", "", true},
		{"source case", "source:RUDAW", "x", "", true},
		{"source other", "source:bbc", "x", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.query, err)
			}
			d := NewDoc(newItem(tt.title, tt.summary))
			if got := q.Match(d); got != tt.want {
				t.Errorf("%q on %q / %q = %v, want %v\n%s", tt.query, tt.title, tt.summary, got, tt.want, q.Explain(d))
			}
			if e := q.Explain(d); e.Match != tt.want {
				t.Errorf("Explain disagrees with Match: %v", e.Match)
			}
		})
	}
}

func TestMatchSourcesAndTags(t *testing.T) {
	it := &news.Item{
		Source: "rudaw", Title: "Erbil airport attacked", Tags: []string{"iraq", "Kurdistan"},
		Copies: []news.Copy{{Source: "rudaw"}, {Source: "kurdistan24"}},
	}
	d := NewDoc(it)
	for q, want := range map[string]bool{
		"source:rudaw":             true,
		"source:kurdistan24":       true, // a copy
		"source:shafaq-en":         false,
		"tag:kurdistan":            true,
		"tag:syria":                false,
		"erbil source:kurdistan24": true,
		"erbil -tag:iraq":          false,
	} {
		if got := mustParse(t, q).Match(d); got != want {
			t.Errorf("%q = %v, want %v", q, got, want)
		}
	}
}

func mustParse(t testing.TB, q string) *Query {
	t.Helper()
	p, err := Parse(q)
	if err != nil {
		t.Fatalf("Parse(%q): %v", q, err)
	}
	return p
}

func TestMatchNil(t *testing.T) {
	var q *Query
	if q.Match(NewDoc(newItem("x", ""))) {
		t.Error("nil query matched")
	}
	if mustParse(t, "x").Match(nil) {
		t.Error("query matched a nil Doc")
	}
	if q.String() != "" || q.Explain(nil).Match {
		t.Error("nil query: String or Explain not empty")
	}
}

func TestMatchAllocs(t *testing.T) {
	q := mustParse(t, `(=US OR washington) AND (iran* OR "quds force" OR ايران) AND NOT film title:x OR source:rudaw`)
	d := NewDoc(newItem("US warns Iran’s Quds Force", "<p>Washington said لإيران</p>"))
	if n := testing.AllocsPerRun(100, func() { q.Match(d) }); n != 0 {
		t.Errorf("Match allocates %v times, want 0", n)
	}
}

func TestExplain(t *testing.T) {
	q := mustParse(t, `(=US OR washington) AND iran* AND NOT film`)
	d := NewDoc(newItem("U.S. warns Iran’s leaders", "<p>Washington said the <b>Iranian</b> navy...</p>"))
	e := q.Explain(d)
	if !e.Match {
		t.Fatalf("no match:\n%s", e)
	}
	want := `MATCH  (=US OR washington) AND iran* AND NOT film
[x] AND
    [x] OR
        [x] =US  title: "U.S."
        [x] washington  body: "Washington"
    [x] iran*  title: "Iran’s"  body: "Iranian"
    [x] NOT
        [ ] film
`
	if got := e.String(); got != want {
		t.Errorf("Explain:\n%s\nwant:\n%s", got, want)
	}
	d = NewDoc(newItem("Iranian film festival opens", ""))
	if e := q.Explain(d); e.Match || !strings.HasPrefix(e.String(), "NO MATCH") {
		t.Errorf("Explain on a miss:\n%s", e)
	}
}

func TestExplainPhraseHit(t *testing.T) {
	e := mustParse(t, `"us iran"`).Explain(NewDoc(newItem("U.S.-Iran talks resume; US-Iran deal near", "")))
	if len(e.Root.Hits) != 2 || e.Root.Hits[0].Text != "U.S.-Iran" || e.Root.Hits[1].Text != "US-Iran" {
		t.Errorf("hits = %+v, want U.S.-Iran and US-Iran", e.Root.Hits)
	}
}

func TestAppendText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"AT&amp;T", "AT&T"},
		{"<p>one</p><p>two</p>", "\u2029one\u2029\u2029two\u2029"},
		{"a<br>b", "a\u2029b"},
		{"<b>Ira</b>n", "Iran"},
		{"x<script>alert(1)</script>y<style>p{}</style>z", "xyz"},
		{"<a href='x'>link</a> &lt;tag&gt;", "link <tag>"},
		{"<p>unclosed", "\u2029unclosed"},
	}
	for _, tt := range tests {
		if got := string(appendText(nil, tt.in)); got != tt.want {
			t.Errorf("appendText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewDocSummaryInContent(t *testing.T) {
	d := NewDoc(&news.Item{Title: "t", Summary: "<p>Iran said</p>", Content: "<p>Iran said</p><p>more text</p>"})
	if strings.Count(d.body.text, "Iran said") != 1 {
		t.Errorf("summary repeated in body text: %q", d.body.text)
	}
	d = NewDoc(&news.Item{Title: "t", Summary: "a summary", Content: "<p>Iran said</p>"})
	if !strings.Contains(d.body.text, "a summary") || !strings.Contains(d.body.text, "Iran said") {
		t.Errorf("body text %q lacks summary or content", d.body.text)
	}
}
