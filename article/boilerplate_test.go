package article

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// filterFragment runs the boilerplate filter on an HTML fragment wrapped in
// a root <div> and returns the plain text that is left.
func filterFragment(t *testing.T, fragment string) string {
	t.Helper()
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), root)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	removeBoilerplate(root, newFilterWords())
	var b strings.Builder
	if err := html.Render(&b, root); err != nil {
		t.Fatal(err)
	}
	return plainText(b.String())
}

// body is article text long enough that furniture is a small part of it.
const body = `<p>The delegation from Erbil met officials of the federal finance ministry in Baghdad on Tuesday to settle the salaries of the region's public employees, which have been paid late for months.</p>
<p>Officials said a joint committee would meet every month to check that oil revenue is handed over and salaries are transferred on time, and would report to both prime ministers.</p>`

func TestRemoveBoilerplate(t *testing.T) {
	tests := []struct {
		name     string
		fragment string
		keep     []string // must stay
		drop     []string // must go
	}{
		{
			name:     "labelled block heads a list",
			fragment: body + `<div class="box-4"><div class="box-4-hd">Related articles</div><ul><li><a href="/a">Budget deal</a></li><li><a href="/b">Oil talks</a></li></ul></div>`,
			keep:     []string{"joint committee"},
			drop:     []string{"Related articles", "Budget deal", "Oil talks"},
		},
		{
			name:     "labelled block with a count and comments that are not links",
			fragment: body + `<section><h3>Comments (2)</h3><div><b>Ali</b><p>Same story every year, nothing will change.</p></div><div><b>Sara</b><p>The committee will never meet.</p></div></section>`,
			keep:     []string{"joint committee"},
			drop:     []string{"Comments", "Same story every year", "will never meet"},
		},
		{
			name:     "nested label climbs to the block it begins",
			fragment: body + `<div><div><span>مقالات ذات صلة</span></div><ul><li><a href="/a">وفد الإقليم في بغداد</a></li></ul></div>`,
			keep:     []string{"joint committee"},
			drop:     []string{"ذات صلة", "وفد الإقليم"},
		},
		{
			name:     "label in the article flow takes the link lists after it, not the paragraphs",
			fragment: `<p>First paragraph of the article, which is long enough to be the article text in this test case and more.</p><h3>Read also</h3><ul><li><a href="/a">Other headline</a></li></ul><p>` + strings.Repeat("Last paragraph of the article text. ", 8) + `</p>`,
			keep:     []string{"First paragraph", "Last paragraph"},
			drop:     []string{"Read also", "Other headline"},
		},
		{
			name:     "teaser paragraph",
			fragment: body + `<p><strong>Read more:</strong> <a href="/x">Revolutionary Guards seize tanker near Bandar Abbas</a></p>`,
			keep:     []string{"joint committee"},
			drop:     []string{"Read more", "Revolutionary Guards"},
		},
		{
			name:     "Arabic teaser with tanween and hamza variants",
			fragment: body + `<p><b>إقرأ أيضاً:</b> <a href="/x">الحرس الثوري يحتجز ناقلة نفط</a></p>`,
			keep:     []string{"joint committee"},
			drop:     []string{"أيضاً", "الحرس الثوري"},
		},
		{
			name:     "share bar without a label",
			fragment: body + `<div><a href="https://facebook.com/s">Facebook</a> <a href="https://x.com/s">X</a> <a href="https://wa.me/s">WhatsApp</a> <a href="mailto:?">Email</a></div>`,
			keep:     []string{"joint committee"},
			drop:     []string{"Facebook", "WhatsApp"},
		},
		{
			name:     "Arabic share bar",
			fragment: body + `<div>شارك الخبر عبر <a href="https://facebook.com/s">فيسبوك</a> <a href="https://twitter.com/s">تويتر</a></div>`,
			keep:     []string{"joint committee"},
			drop:     []string{"شارك", "فيسبوك"},
		},
		{
			name:     "moderation notice: only the smallest element holding it",
			fragment: `<div>` + body + `<p>Comments are moderated and will appear after approval.</p></div>`,
			keep:     []string{"joint committee", "delegation from Erbil"},
			drop:     []string{"Comments are moderated"},
		},
		{
			name:     "comment form notes",
			fragment: body + `<div><p>You must be logged in to post a comment.</p><p>Your email address will not be published. Required fields are marked *</p></div>`,
			keep:     []string{"joint committee"},
			drop:     []string{"logged in", "email address"},
		},
		{
			name:     "Arabic moderation notice",
			fragment: body + `<div>التعليقات المنشورة لا تعبر عن رأي الموقع وتخضع للمراجعة قبل النشر<br>الاسم:</div>`,
			keep:     []string{"joint committee"},
			drop:     []string{"لا تعبر عن رأي الموقع"},
		},
		{
			name:     "advertisement label",
			fragment: body + `<p id="div-gpt-ad-1"><span>Advertisement</span></p>`,
			keep:     []string{"joint committee"},
			drop:     []string{"Advertisement"},
		},
		// What must stay.
		{
			name:     "paragraph starting with a label word is article text",
			fragment: body + `<p>Comments by the finance minister on Tuesday suggested that the deal could still fall apart if oil exports do not resume.</p>`,
			keep:     []string{"Comments by the finance minister"},
		},
		{
			name:     "paragraph that mentions sharing is article text",
			fragment: body + `<p>Share prices on the Iraq Stock Exchange rose after the announcement.</p><p>Facebook and Twitter were blocked in the region for two days.</p>`,
			keep:     []string{"Share prices", "Facebook and Twitter were blocked"},
		},
		{
			name:     "long paragraph quoting a boilerplate sentence is kept",
			fragment: body + `<p>` + strings.Repeat("The ministry said its website was hacked and the attackers replaced the notice that comments are moderated with their own message, a spokesman said. ", 3) + `</p>`,
			keep:     []string{"comments are moderated with their own message"},
		},
		{
			name:     "a subheading that only contains a label word",
			fragment: body + `<h2>Related talks in Muscat</h2><p>Omani mediators have hosted indirect talks between the two sides three times this year.</p>`,
			keep:     []string{"Related talks in Muscat", "Omani mediators"},
		},
		{
			name:     "a label that heads most of the article does not take the article",
			fragment: `<div><h2>Comments</h2>` + body + `</div>`,
			keep:     []string{"joint committee", "delegation from Erbil"},
			drop:     []string{"Comments"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := filterFragment(t, tt.fragment)
			for _, s := range tt.keep {
				if !strings.Contains(got, s) {
					t.Errorf("%q was removed; text left:\n%s", s, got)
				}
			}
			for _, s := range tt.drop {
				if strings.Contains(got, s) {
					t.Errorf("%q was kept; text left:\n%s", s, got)
				}
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Related Articles:", "related articles"},
		{"  READ   more…", "read more"},
		{"إقرأ أيضاً", "اقرا ايضا"},
		{"اقرأ ايضا", "اقرا ايضا"},
		{"التعليقات (2)", "التعليقات 2"},
		{"مقالات ذات صلة »", "مقالات ذات صله"},
		{"الأخبار ـــ العاجلة", "الاخبار العاجله"},
		{"E-mail", "e-mail"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := normalize(tt.in); got != tt.want {
				t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStripDigits(t *testing.T) {
	for in, want := range map[string]string{
		"3 comments":    "comments",
		"التعليقات 2":   "التعليقات",
		"comments":      "comments",
		"covid19 cases": "covid19 cases",
	} {
		if got := stripDigits(in); got != want {
			t.Errorf("stripDigits(%q) = %q, want %q", in, got, want)
		}
	}
}
