package article

import "testing"

func TestPlainText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs", "<p>One  two\n three.</p><p>Four.</p>", "One two three.\n\nFour."},
		{"heading and list", "<h2>Title</h2><ul><li>a</li><li>b <b>c</b></li></ul><p>d</p>", "Title\n\na\nb c\n\nd"},
		{"br", "<p>line one<br>line two</p>", "line one\nline two"},
		{"inline elements do not split words", "<p>Hor<b>muz</b> <a href=\"x\">strait</a></p>", "Hormuz strait"},
		{"divs are lines", "<div>a</div><div>b</div>", "a\nb"},
		{"nested blocks collapse", "<div><div><p>a</p></div></div><div><p>b</p></div>", "a\n\nb"},
		{"figure", "<p>a</p><figure><img src=\"x\"><figcaption>cap</figcaption></figure><p>b</p>", "a\n\ncap\n\nb"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"pre keeps lines", "<pre>a\n  b</pre>", "a\nb"},
		{"controls dropped", "<p>a\x01b\x07c\u0085d</p>", "abc d"},
		{"no text elements", "<p>a<script>x()</script><style>p{}</style>b</p>", "ab"},
		{"entities", "<p>Iran&#39;s &amp; Iraq&rsquo;s</p>", "Iran's & Iraq’s"},
		{"arabic", "<p dir=\"rtl\">دعا رئيس   الوزراء</p>", "دعا رئيس الوزراء"},
		{"empty", "", ""},
		{"whitespace only", "<p> \n </p>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plainText(tt.in); got != tt.want {
				t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
