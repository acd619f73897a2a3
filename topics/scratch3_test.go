package topics

import ("testing";"fmt";"os";"encoding/csv"; "github.com/aggregatord/aggregatord/news")

func TestScratchOthers(t *testing.T) {
	tg := loadExample(t)
	f, _ := os.Open(corpusCSV)
	recs, _ := csv.NewReader(f).ReadAll()
	for _, r := range recs[1:] {
		it := &news.Item{Title: r[3], Summary: r[4]}
		tg.Tag(it)
		for _, id := range it.Topics { if id != "us-iran" { fmt.Printf("%-14s %s\n", id, r[3]) } }
	}
}
