package simpletag

import (
	"testing"

	"golang.org/x/net/html/atom"
)

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		in   string
		end  int
		name string
		ok   bool
	}{
		{"<p>", 3, "p", true},
		{"</P>", 4, "P", true},
		{`<a href="x" title='y' data-z=1>`, 31, "a", true},
		{"<br/>", 5, "br", true},
		{"<img src=x />", 13, "img", true},
		{"< p>", -1, "", true}, // text
		{"<3", -1, "", true},   // text
		{"<!-- c -->", 0, "", false},
		{"<?xml?>", 0, "", false},
		{"<p", 0, "", false},
		{`<a href="x>`, 0, "", false},
		{"<a b=>", 0, "", false},
		{"<averyveryverylongname>", 0, "", false},
		{"<a `x`>", 0, "", false},
		{"</>", 0, "", false},
	} {
		end, name, ok := Read(tc.in, 0)
		if end != tc.end || name != tc.name || ok != tc.ok {
			t.Errorf("Read(%q) = %d, %q, %v; want %d, %q, %v", tc.in, end, name, ok, tc.end, tc.name, tc.ok)
		}
	}
}

func TestAppend(t *testing.T) {
	if got := string(AppendUnescaped([]byte("x "), "a &amp; b &#233;")); got != "x a & b é" {
		t.Errorf("AppendUnescaped: %q", got)
	}
	if got := string(AppendLowerName(nil, "DiV1")); got != "div1" {
		t.Errorf("AppendLowerName: %q", got)
	}
}

func TestAppendText(t *testing.T) {
	space := func(b []byte, a atom.Atom) ([]byte, bool) {
		if a == atom.Script {
			return b, false
		}
		return append(b, '|'), true
	}
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"plain &amp; text", "plain & text", true},
		{"<p>a</p><p>b &lt; c</p>", "|a||b < c|", true},
		{"x < y", "x < y", true},
		{"a<script>b</script>", "a", false},
		{"a<!-- c -->b", "a", false},
	} {
		got, ok := AppendText(nil, tc.in, space)
		if ok != tc.ok || ok && string(got) != tc.want {
			t.Errorf("AppendText(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
