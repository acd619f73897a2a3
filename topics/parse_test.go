package topics

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseString(t *testing.T) {
	tests := []struct{ in, want string }{
		// Precedence: NOT > AND (explicit or implicit) > OR.
		{"a OR b AND c", "a OR (b AND c)"},
		{"a AND b OR c", "(a AND b) OR c"},
		{"a b OR c", "(a AND b) OR c"},
		{"a OR b c", "a OR (b AND c)"},
		{"a b c", "a AND b AND c"},
		{"NOT a b", "NOT a AND b"},
		{"NOT a OR b", "NOT a OR b"},
		{"NOT (a OR b)", "NOT (a OR b)"},
		{"NOT NOT a", "NOT NOT a"},
		{"a AND NOT b", "a AND NOT b"},
		{"a NOT b", "a AND NOT b"},
		{"a -b", "a AND NOT b"},
		{"-(a OR b) c", "NOT (a OR b) AND c"},
		{"-\"us iran\"", `NOT "us iran"`},
		// Parentheses group and flatten.
		{"(a OR b) c", "(a OR b) AND c"},
		{"(a OR (b OR c)) AND (d AND e)", "(a OR b OR c) AND d AND e"},
		{"((a))", "a"},
		{"(a b) OR (c d)", "(a AND b) OR (c AND d)"},
		// Words are normalised; compounds and abbreviations become phrases or words.
		{"Iran", "iran"},
		{"Iran's", "iran"},
		{"US-Iran", `"us iran"`},
		{"U.S.", "us"},
		{"Erdoğan", "erdogan"},
		{"لإيران", "لايران"},
		{"ایران", "ايران"},
		// Phrases.
		{`"Quds Force"`, `"quds force"`},
		{`“Quds Force”`, `"quds force"`},
		{`«الحرس الثوري»`, `"الحرس الثوري"`},
		{`"iran"`, "iran"},
		{`"and"`, `"and"`},
		{`"revolutionary guard*"`, `"revolutionary guard*"`},
		// Prefixes.
		{"iran*", "iran*"},
		{"Ira*", "ira*"},
		{"ايران*", "ايران*"},
		// Case-sensitive terms.
		{"=US", "=US"},
		{"=U.S.", "=US"},
		{`="US Navy"`, `="US Navy"`},
		{"=Ira*", "=Ira*"},
		{`="AND"`, `="AND"`},
		// Scopes.
		{"title:iran", "title:iran"},
		{"Title:iran", "title:iran"},
		{"title:(iran OR =US)", "title:iran OR title:=US"},
		{"title:(iran OR =US) film", "(title:iran OR title:=US) AND film"},
		{`title:"quds force"`, `title:"quds force"`},
		{"title:iran*", "title:iran*"},
		{"body:iran", "body:iran"},
		{"title:-film", "NOT title:film"},
		{"title:(a body:b)", "title:a AND body:b"},
		{"source:rudaw", "source:rudaw"},
		{"source:bbc-arabic", "source:bbc-arabic"},
		{`tag:"middle east"`, `tag:"middle east"`},
		{"title:source:rudaw", "source:rudaw"},
		// Layout and comments.
		{"iran\n\tOR   iraq", "iran OR iraq"},
		{"# the Iran side\niran # Iran\nOR tehran #", "iran OR tehran"},
		{"#iran", "iran"},
		{"Iran: strikes", "iran AND strikes"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			q2, err := Parse(q.String())
			if err != nil {
				t.Fatalf("re-parse %q: %v", q.String(), err)
			}
			if q2.String() != q.String() {
				t.Errorf("re-parse of %q gives %q", q.String(), q2.String())
			}
			if q.Source() != tt.in {
				t.Errorf("Source() = %q, want %q", q.Source(), tt.in)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in      string
		off     int
		msgPart string
	}{
		{"", 0, "empty query"},
		{"   ", 0, "empty query"},
		{"# just a comment", 0, "empty query"},
		{"(iran", 0, "( is not closed"},
		{"a (b OR (c)", 2, "( is not closed"},
		{"iran)", 4, ") closes no ("},
		{")", 0, ") closes no ("},
		{"()", 1, "empty parentheses"},
		{"iran OR", 5, "OR at the end"},
		{"iran AND", 5, "AND at the end"},
		{"iran NOT", 5, "NOT at the end"},
		{"NOT", 0, "NOT at the end"},
		{"OR iran", 0, "OR needs a term before it"},
		{"AND iran", 0, "AND needs a term before it"},
		{"iran AND OR iraq", 9, "expected a term after AND, found OR"},
		{"iran OR OR iraq", 8, "expected a term after OR, found OR"},
		{"(OR iran)", 1, "expected a term after (, found OR"},
		{"iran OR )", 8, "expected a term after OR, found )"},
		{`"quds force`, 0, "phrase is not closed"},
		{`iran "quds force`, 5, "phrase is not closed"},
		{`“quds force"`, 0, "phrase is not closed: ” missing"},
		{`""`, 0, "has no letters or digits"},
		{`" ... "`, 0, "has no letters or digits"},
		{"!!!", 0, "has no letters or digits"},
		{"title:", 0, "title: must be followed"},
		{"title: iran", 0, "title: must be followed"},
		{"iran title:", 5, "title: must be followed"},
		{"title:)", 0, "title: must be followed"},
		{"title:OR", 0, "title: must be followed"},
		{"source:", 0, "source: must be followed"},
		{`source:""`, 0, "source: needs a name"},
		{"source:(a b)", 0, "takes a name, not a (group)"},
		{`tag:"middle east`, 4, "name is not closed"},
		{"src:rudaw", 0, `unknown field "src:"`},
		{"iran http://example.com", 5, `unknown field "http:"`},
		{"i*", 1, "at least 2 letters"},
		{"*", 0, "has no letters or digits"},
		{"ir*an", 2, "* is allowed only at the end of a word"},
		{"iran**", 4, "* is allowed only at the end of a word"},
		{`"ira* deal"`, 4, "* is allowed only at the end of the last word"},
		{"= US", 0, "= must be followed directly"},
		{"=", 0, "= must be followed directly"},
		{"=(US)", 0, "= must be followed directly by a word or a phrase"},
		{"- iran", 0, "- must be followed directly"},
		{"iran -", 5, "- must be followed directly"},
		{"iran or iraq", 5, `"or": operators are written in capitals (OR)`},
		{"iran and iraq", 5, `"and": operators are written in capitals (AND)`},
		{"Not iran", 0, `"Not": operators are written in capitals (NOT)`},
		{`"` + strings.Repeat("w ", MaxPhraseWords+1) + `"`, 0, "phrase is too long"},
		{"a " + strings.Repeat("x", MaxQueryLen), MaxQueryLen, "query is too long"},
		{strings.Repeat("(", 101) + "a" + strings.Repeat(")", 101), 100, "nested too deeply"},
		{strings.Repeat("NOT ", 101) + "a", 400, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", tt.in, q)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): error %T %v, want *SyntaxError", tt.in, err, err)
			}
			if se.Offset != tt.off || !strings.Contains(se.Msg, tt.msgPart) {
				t.Errorf("Parse(%q): offset %d %q, want offset %d and a message containing %q", tt.in, se.Offset, se.Msg, tt.off, tt.msgPart)
			}
			if !strings.Contains(err.Error(), se.Msg) {
				t.Errorf("Error() = %q does not contain the message", err.Error())
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"a OR b AND c", "NOT a b", `"us iran" -film`, "title:(iran OR =US) body:x*",
		"source:rudaw tag:\"middle east\"", "US-Iran U.S. Iran's", "ايران* OR «الحرس الثوري»",
		"(((a)))", "a)", "(a", `"abc`, "i*", "x*y", "= US", "and", "# c\niran",
		"=\"US Navy\"", "title:source:x", "–-=", "\u200c\u2029", "ŉ", "source:“a\"b”",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): %T, want *SyntaxError", s, err)
			}
			if se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Parse(%q): offset %d out of range", s, se.Offset)
			}
			return
		}
		canon := q.String()
		if !utf8.ValidString(s) {
			return // the canonical form of invalid UTF-8 need not be stable
		}
		q2, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", s, canon, err)
		}
		if q2.String() != canon {
			t.Fatalf("Parse(%q).String() = %q, re-parsed %q", s, canon, q2.String())
		}
		// Matching never panics either.
		d := NewDoc(newItem(s, s))
		if q.Match(d) != q2.Match(d) {
			t.Fatalf("%q and its canonical form %q disagree on %q", s, canon, s)
		}
		_ = q.Explain(d).String()
	})
}
