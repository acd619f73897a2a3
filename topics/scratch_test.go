package topics

import ("testing";"fmt";"os";"encoding/csv";"regexp"; "github.com/aggregatord/aggregatord/news")

func TestScratchCorpus(t *testing.T) {
	tg := loadExample(t)
	f, _ := os.Open(corpusCSV)
	recs, _ := csv.NewReader(f).ReadAll()
	re := regexp.MustCompile(`(?i)iran|tehran|soleimani|suleimani|hezbollah|houthi|hormuz|khamenei|zarif|irgc|embassy`)
	for _, r := range recs[1:] {
		it := &news.Item{Title: r[3], Summary: r[4]}
		tg.Tag(it)
		in := false
		for _, id := range it.Topics { if id == "us-iran" { in = true } }
		rel := re.MatchString(r[3]+" "+r[4])
		if in { fmt.Println("TAG ", r[3]) } else if rel { fmt.Println("MISS", r[3]) }
	}
}
