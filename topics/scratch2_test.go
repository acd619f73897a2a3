package topics

import ("testing";"fmt";"os";"encoding/csv";"strings"; "github.com/aggregatord/aggregatord/news")

func TestScratchWhy(t *testing.T) {
	tg := loadExample(t)
	tp, _ := tg.Topic("us-iran")
	f, _ := os.Open(corpusCSV)
	recs, _ := csv.NewReader(f).ReadAll()
	for _, r := range recs[1:] {
		for _, w := range []string{"Brace yourself", "Brooklyn air", "Australian bushfires – podcast", "Stelter slams", "Sub Dom", "Saudi Aramco has lost", "tell us about your", "Outspoken Recep", "Trump's retweet", "Tuesday briefing", "Drivers 'may"} {
			if strings.Contains(r[3], w) {
				d := NewDoc(&news.Item{Title: r[3], Summary: r[4]})
				fmt.Println(r[4][:min(len(r[4]),400)])
				fmt.Println(tp.Query.Explain(d).String()[:0])
				e := tp.Query.Explain(d)
				var walk func(n ExplainNode)
				walk = func(n ExplainNode) { if n.Term != "" && n.Match { fmt.Printf("   %s %v\n", n.Term, n.Hits) }; for _, k := range n.Kids { walk(k) } }
				walk(e.Root)
				fmt.Println("----")
			}
		}
	}
}
