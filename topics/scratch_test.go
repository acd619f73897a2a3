package topics

import ("testing";"fmt"; "github.com/aggregatord/aggregatord/news")

func TestScratch(t *testing.T) {
	for _, q := range []string{"a OR b AND c", "a b OR c", "NOT a b", "title:(iran OR =US) -film", "\"us iran*\" source:rudaw tag:\"middle east\"", "US-Iran", "(a OR (b OR c)) AND (d AND e)", "a)", "(a", "()", "a OR", "OR a", "and", "x*y", "i*", "title: x", "src:x", "\"abc", "= US", "-", "# comment\niran # x\n OR iraq"} {
		qq, err := Parse(q)
		fmt.Printf("%-40q -> %v | %v\n", q, qq, err)
	}
	q, _ := Parse(`(=US OR washington) AND (iran* OR ايران) -film`)
	d := NewDoc(&news.Item{Title: "U.S. warns Iran’s leaders", Summary: "<p>Washington said <b>لإيران</b> the Iranian...</p>"})
	fmt.Println(q.Explain(d))
}
