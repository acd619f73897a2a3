package topics

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/news"
)

// badTopics has a broken query in each of several TOML string forms; the
// comments give where the offending character is.
const badTopics = `[[topic]]
id = "a"
query = 'iran AND (sanctions'
[[topic]]
id = "b"
query = '''
iran OR
  tehran AND OR x'''
[[topic]]
id = "c"
query = 'ايران AND ('
[[topic]]
id = "d"
query = "iran \"unterminated"
[[topic]]
id = "ok"
query = 'iran'
`

var wantBadTopics = []string{
	`bad.toml:3:19: topic.query: ( is not closed`,                     // the ( at offset 9
	`bad.toml:8:14: topic.query: expected a term after AND, found OR`, // line 2 of a ''' string
	`bad.toml:11:20: topic.query: ( at the end needs a term after it`, // columns count characters
	`bad.toml:14:15: topic.query: phrase is not closed: " missing`,    // at the \" escape
}

func TestCompileErrors(t *testing.T) {
	// Without the query check, config.Load accepts the file and Compile
	// reports the queries.
	cfg, err := config.Load("bad.toml", strings.NewReader(badTopics))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tg, err := Compile(cfg)
	if err == nil {
		t.Fatalf("Compile = %v, want errors", tg)
	}
	var errs *config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Compile: %T %v, want *config.Errors", err, err)
	}
	if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, wantBadTopics) {
		t.Errorf("Compile errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantBadTopics, "\n"))
	}

	// With CheckQuery, config.Load reports the same lines itself.
	_, err = config.Load("bad.toml", strings.NewReader(badTopics), config.WithQueryCheck(CheckQuery))
	if got := strings.Split(fmt.Sprint(err), "\n"); !slices.Equal(got, wantBadTopics) {
		t.Errorf("Load with CheckQuery:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantBadTopics, "\n"))
	}
}

func TestCompileFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aggregatord.toml")
	const file = "[[topic]]\nid = \"x\"\nquery = '''\n# comment\n  iran OR\n  (iraq'''\n"
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(cfg)
	if want := path + ":6:3: topic.query: ( is not closed"; fmt.Sprint(err) != want {
		t.Errorf("Compile: %v, want %s", err, want)
	}
	if _, err := Compile(nil); err == nil {
		t.Error("Compile(nil) succeeded")
	}
}

func TestCheckQuery(t *testing.T) {
	if off, err := CheckQuery("iran OR"); off != 5 || err == nil || err.Error() != "OR at the end needs a term after it" {
		t.Errorf("CheckQuery = %d, %v", off, err)
	}
	if _, err := CheckQuery("iran"); err != nil {
		t.Errorf("CheckQuery(iran) = %v", err)
	}
}

func testTagger(t testing.TB) *Tagger {
	t.Helper()
	cfg, err := config.Load("t.toml", strings.NewReader(`
[[topic]]
id = "us-iran"
title = "US–Iran tensions"
query = '(=US OR washington OR واشنطن) AND (iran* OR ايران*)'
[[topic]]
id = "iraq"
query = 'iraq* OR العراق'
[[topic]]
id = "kurdistan"
query = 'erbil OR tag:kurdistan'
`))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestTag(t *testing.T) {
	tg := testTagger(t)
	tests := []struct {
		item news.Item
		want []string
	}{
		{news.Item{Title: "US strikes Iran-backed militia in Iraq"}, []string{"iraq", "us-iran"}},
		{news.Item{Title: "واشنطن تحذر إيران", Summary: "<p>قوات في العراق</p>"}, []string{"iraq", "us-iran"}},
		{news.Item{Title: "Drone hits Erbil airport"}, []string{"kurdistan"}},
		{news.Item{Title: "Cabinet meets", Tags: []string{"kurdistan"}}, []string{"kurdistan"}},
		{news.Item{Title: "Tell us about Tirana"}, nil},
		{news.Item{Title: "Stale", Topics: []string{"old"}}, nil},
	}
	for _, tt := range tests {
		it := tt.item
		tg.Tag(&it)
		if !slices.Equal(it.Topics, tt.want) {
			t.Errorf("Tag(%q).Topics = %q, want %q", it.Title, it.Topics, tt.want)
		}
		if got := tg.Match(&tt.item, nil); !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %q, want %q", it.Title, got, tt.want)
		}
	}
	var nilTagger *Tagger
	nilTagger.Tag(&news.Item{})
	tg.Tag(nil)
}

func TestTaggerTopics(t *testing.T) {
	tg := testTagger(t)
	var ids []string
	for _, tp := range tg.Topics() {
		ids = append(ids, tp.ID)
	}
	if want := []string{"iraq", "kurdistan", "us-iran"}; !slices.Equal(ids, want) {
		t.Errorf("Topics() ids = %q, want %q", ids, want)
	}
	tp, ok := tg.Topic("us-iran")
	if !ok || tp.Title != "US–Iran tensions" || tp.Query.String() != "(=US OR washington OR واشنطن) AND (iran* OR ايران*)" {
		t.Errorf("Topic(us-iran) = %+v, %v", tp, ok)
	}
	if tp, ok := tg.Topic("iraq"); !ok || tp.Title != "iraq" {
		t.Errorf("Topic(iraq) = %+v, %v; want the id as title", tp, ok)
	}
	if _, ok := tg.Topic("nope"); ok {
		t.Error("Topic(nope) found")
	}
	// Topics returns a copy.
	tg.Topics()[0].ID = "changed"
	if tg.Topics()[0].ID != "iraq" {
		t.Error("Topics() exposes the Tagger's slice")
	}
}

func TestNewTagger(t *testing.T) {
	tg := NewTagger(Topic{ID: "b", Query: mustParse(t, "x")}, Topic{ID: "a", Query: mustParse(t, "x")}, Topic{ID: "c"})
	it := &news.Item{Title: "x"}
	tg.Tag(it)
	if !slices.Equal(it.Topics, []string{"a", "b"}) {
		t.Errorf("Topics = %q", it.Topics)
	}
}

func TestTagConcurrent(t *testing.T) {
	tg := testTagger(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				it := &news.Item{Title: fmt.Sprintf("US warns Iran %d %d", g, i), Summary: "<p>in Erbil</p>"}
				tg.Tag(it)
				if !slices.Equal(it.Topics, []string{"kurdistan", "us-iran"}) {
					t.Errorf("Topics = %q", it.Topics)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestParseFilter(t *testing.T) {
	f, err := ParseFilter("source:rudaw OR (iran -film)")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		it   *news.Item
		want bool
	}{
		{&news.Item{Source: "rudaw", Title: "anything"}, true},
		{&news.Item{Source: "bbc", Title: "Iran talks"}, true},
		{&news.Item{Source: "bbc", Title: "Iran film"}, false},
		{&news.Item{Source: "bbc", Title: "x", Copies: []news.Copy{{Source: "bbc"}, {Source: "rudaw"}}}, true},
		{nil, false},
	} {
		if got := f(tt.it); got != tt.want {
			t.Errorf("filter(%+v) = %v, want %v", tt.it, got, tt.want)
		}
	}
	if _, err := ParseFilter("iran OR"); err == nil {
		t.Error("ParseFilter accepted a bad query")
	} else if se := (*SyntaxError)(nil); !errors.As(err, &se) || se.Offset != 5 {
		t.Errorf("ParseFilter error = %v", err)
	}
}

// benchItems are realistic items: a headline and a summary of about sixty
// words, in English and Arabic, some with HTML.
var benchItems = []news.Item{
	{Source: "bbc-middle-east", Title: "Iran fires ballistic missiles at Iraqi bases housing US troops",
		Summary: "Iran has fired more than a dozen ballistic missiles at two air bases in Iraq that house US military personnel, the Pentagon says. The attack on Ain al-Asad and Erbil came days after a US drone strike killed General Qasem Soleimani in Baghdad. Iran's Revolutionary Guards said the strikes were revenge, and warned Washington against any response."},
	{Source: "rudaw", Title: "Kurdistan Region parliament sets date for long-delayed elections",
		Summary: "<p>The Kurdistan Region's parliament on Sunday voted to hold elections in October, ending months of dispute between the <b>KDP</b> and the PUK over the electoral law. The federal court in Baghdad had annulled parts of the law, and the two parties have traded accusations over salaries, oil revenues and the <a href=\"https://example.com\">budget</a> with the federal government.</p>"},
	{Source: "aljazeera-ar", Title: "الحوثيون يستهدفون سفينة تجارية في البحر الأحمر بطائرات مسيرة",
		Summary: "قالت جماعة الحوثي إنها استهدفت سفينة تجارية في البحر الأحمر بطائرات مسيرة وصواريخ، في أحدث هجوم على الملاحة الدولية. وأعلنت القيادة المركزية الأمريكية أن مدمرة تابعة للبحرية اعترضت عددا من المسيرات، فيما ارتفعت أسعار التأمين على السفن المارة عبر مضيق باب المندب إلى مستويات قياسية منذ بداية الأزمة."},
	{Source: "guardian", Title: "Premier League: late winner keeps title race alive",
		Summary: "<p>A stoppage-time header settled a tense match on Saturday and kept the title race open going into the final weeks of the season. The manager praised his side's resilience after a difficult spell, while the visitors were left to rue missed chances and a disallowed goal in the first half that would have changed the game entirely.</p>"},
	{Source: "asharq-al-awsat", Title: "دمشق: غارات إسرائيلية تستهدف محيط العاصمة السورية",
		Summary: "أفادت وسائل إعلام رسمية سورية بأن غارات إسرائيلية استهدفت مواقع في محيط دمشق فجر اليوم، وأن الدفاعات الجوية تصدت لعدد من الصواريخ. ولم تعلق إسرائيل على الهجوم، فيما قال المرصد السوري لحقوق الإنسان إن الغارات طالت مستودعات أسلحة تابعة لمجموعات مدعومة من إيران قرب مطار دمشق الدولي."},
	{Source: "iran-international", Title: "Iranian cinema: Fajr film festival opens amid boycott",
		Summary: "The Fajr International Film Festival opened in Tehran on Thursday with several prominent directors staying away in protest. Organisers said more than a hundred films from forty countries would be screened, including works from Iraq, Syria and Lebanon, while critics said the state's grip on the industry had tightened since the protests."},
}

// BenchmarkTag tags realistic items with every topic of the example
// config; items/s is reported.
func BenchmarkTag(b *testing.B) {
	tg := loadExample(b)
	items := slices.Clone(benchItems)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tg.Tag(&items[i%len(items)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkNewDoc measures tokenising an item alone.
func BenchmarkNewDoc(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		NewDoc(&benchItems[i%len(benchItems)])
	}
}

// BenchmarkMatch measures evaluating the us-iran query on a prepared Doc.
func BenchmarkMatch(b *testing.B) {
	tg := loadExample(b)
	tp, _ := tg.Topic("us-iran")
	docs := make([]*Doc, len(benchItems))
	for i := range benchItems {
		docs[i] = NewDoc(&benchItems[i])
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		tp.Query.Match(docs[i%len(docs)])
	}
}

// BenchmarkTagCorpus tags realistic corpus items (see benchCorpus) with
// every topic of the example config; items/s is reported.
func BenchmarkTagCorpus(b *testing.B) {
	tg := loadExample(b)
	items := benchCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tg.Tag(&items[i%len(items)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
