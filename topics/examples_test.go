package topics_test

import (
	"fmt"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/topics"
)

func ExampleParse() {
	q, err := topics.Parse(`title:(=US OR washington) iran* -"film festival" OR لإيران`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)

	_, err = topics.Parse(`iran AND (sanctions OR`)
	fmt.Println(err)
	// Output:
	// ((title:=US OR title:washington) AND iran* AND NOT "film festival") OR لايران
	// query: at offset 20: OR at the end needs a term after it
}

func ExampleQuery_Explain() {
	q, _ := topics.Parse(`(=US OR واشنطن) AND (iran* OR ايران)`)
	d := topics.NewDoc(&news.Item{
		Title:   "U.S. warns Iran’s leaders",
		Summary: "<p>قالت واشنطن إن على <b>إيران</b>…</p>",
	})
	fmt.Print(q.Explain(d))
	// Output:
	// MATCH  (=US OR واشنطن) AND (iran* OR ايران)
	// [x] AND
	//     [x] OR
	//         [x] =US  title: "U.S."
	//         [x] واشنطن  body: "واشنطن"
	//     [x] OR
	//         [x] iran*  title: "Iran’s"
	//         [x] ايران  body: "إيران"
}

func ExampleTokenize() {
	for _, t := range topics.Tokenize("U.S.-Iran talks; لإيران") {
		fmt.Printf("%d %q %q alt=%v\n", t.Pos, t.Term, t.Cased, t.Alt)
	}
	// Output:
	// 0 "us" "US" alt=false
	// 1 "iran" "Iran" alt=false
	// 0 "usiran" "USIran" alt=true
	// 2 "talks" "talks" alt=false
	// 3 "لايران" "لايران" alt=false
	// 3 "ايران" "ايران" alt=true
}
