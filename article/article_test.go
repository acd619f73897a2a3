package article

import (
	"errors"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.txt from the current output")

// page is a test page in testdata and what its extraction must give.
type page struct {
	name        string // golden file name: testdata/<name>.golden.txt
	file        string
	contentType string
	url         string // where the page was served
	title       string
	lang        string
	byline      string
	paragraphs  []string // must be in Text, each whole
	boilerplate []string // must not be in Text
	urls        []string // must be in ContentHTML (absolute forms of relative links and images)
	root        string   // how ContentHTML must start
}

// englishBoilerplate is every piece of chrome on the English page.
var englishBoilerplate = []string{
	"Comments are moderated", "Your email address will not be published",
	"Required fields", "Log in to comment", "logged in", "Leave a Reply",
	"Related articles", "Read more", "Sudani to visit Washington",
	"Sign up", "newsletter", "Gulf Briefing", "privacy policy",
	"Share", "Facebook", "Twitter", "WhatsApp", "Telegram", "Print",
	"Breaking", "Baghdad hit by fresh power cuts", "OPEC+",
	"Most read", "Iranian rial hits record low", "All rights reserved",
	"cookies", "Advertisement", "Home", "Opinion", "Tags:",
	"Same story every winter", "escort operation will be the real test",
	"Reader in Basra", "3 comments", "googletag", "gtag", "Subscribe",
	"Gulf tensions", // the kicker
}

// arabicBoilerplate is every piece of chrome on the Arabic pages.
var arabicBoilerplate = []string{
	"التعليقات", "تعليق", "تخضع للمراجعة", "لا تعبر عن رأي",
	"لن يتم نشر عنوان بريدك", "الحقول الإلزامية", "يجب تسجيل الدخول",
	"تسجيل الدخول", "اقرأ أيضاً", "اقرأ أيضا", "مقالات ذات صلة",
	"أخبار ذات صلة", "شارك:", "شارك الخبر", "فيسبوك", "تويتر", "واتساب",
	"تلغرام", "أرسل لصديق", "الأكثر قراءة", "النشرة البريدية",
	"اشترك", "بريدك الإلكتروني", "جميع الحقوق محفوظة", "عاجل",
	"آخر الأخبار", "الرئيسية", "اتصل بنا", "سياسة الخصوصية", "تابعونا",
	"كل مرة ندفع نحن الثمن", "مواطن من الموصل", "كاروان", "سردار من دهوك",
	"مجلس النواب يؤجل جلسة", "وفد من وزارة الموارد المائية",
	"السوداني يتلقى دعوة رسمية", "موظفو السليمانية يتظاهرون",
	"ارتفاع أسعار الذهب", "__VIEWSTATE", "MM_swapImage", "_gaq",
}

var articlePages = []page{
	{
		name:        "en_levant",
		file:        "en_levant.html",
		contentType: "text/html; charset=utf-8",
		url:         "https://www.levantpost.example/middle-east/2026/01/14/iran-warns-us-over-tanker-seizures",
		title:       "Iran warns US over tanker seizures in Strait of Hormuz",
		lang:        "en-GB",
		byline:      "Sara Haddad",
		paragraphs: []string{
			`TEHRAN/WASHINGTON — Iran's foreign ministry on Wednesday warned the United States that any attempt to stop or seize Iranian tankers in the Strait of Hormuz would be met with a "proportionate and immediate" response, as a second American aircraft carrier group headed for the Gulf.`,
			`In Washington, a Pentagon spokesperson said the deployment of the USS Abraham Lincoln strike group was "defensive in nature" and intended to guarantee freedom of navigation.`,
			"Iraq caught in the middle",
			`Details of the earlier incidents are in our 2019 report.`,
			`Iran has repeatedly threatened to close the strait in response to sanctions or military pressure but has never done so. Its navy and the Revolutionary Guards' naval arm hold exercises in the area several times a year.`,
		},
		boilerplate: englishBoilerplate,
		root:        `<div lang="en-GB">`,
		urls: []string{
			`href="https://www.levantpost.example/gulf/2019/06/13/fujairah-tanker-attacks"`,
			`src="https://www.levantpost.example/uploads/2026/01/lincoln-carrier-640.jpg"`,
			`https://www.levantpost.example/uploads/2026/01/lincoln-carrier-1280.jpg 1280w`,
		},
	},
	{
		name:        "ar_rafidain",
		file:        "ar_rafidain_1256_header.html",
		contentType: "text/html; charset=windows-1256",
		url:         "http://www.alrafidain-news.example/ar/NewsDetails.aspx?id=91544",
		title:       "السوداني يدعو واشنطن وطهران إلى ضبط النفس",
		lang:        "ar",
		paragraphs: []string{
			"دعا رئيس مجلس الوزراء العراقي محمد شياع السوداني، اليوم الأربعاء، الولايات المتحدة وإيران إلى ضبط النفس وتغليب لغة الحوار، مؤكدا أن العراق لن يسمح باستخدام أراضيه منطلقا للاعتداء على أي من دول الجوار.",
			`إن "التصعيد الحاصل في مياه الخليج ومضيق هرمز ينعكس بشكل مباشر على أمن المنطقة واقتصادها`,
			"مع الجانبين الأمريكي والإيراني ومع سلطنة عُمان",
			"خريطة توضح موقع مضيق هرمز",
			"من جهته، قال النائب عن لجنة العلاقات الخارجية في مجلس النواب إن البرلمان سيستضيف وزير الخارجية الأسبوع المقبل للاطلاع على موقف الحكومة من التطورات الأخيرة وخططها لحماية المصالح العراقية.",
		},
		boilerplate: arabicBoilerplate,
		root:        `<div lang="ar" dir="rtl">`,
		urls: []string{
			`href="http://www.alrafidain-news.example/ar/Tags.aspx?tag=مضيق_هرمز"`,
			`src="http://www.alrafidain-news.example/Uploads/News/2026/01/hormuz-map-91544.jpg"`,
		},
	},
	{
		name:        "ar_sawt",
		file:        "ar_sawt_1256_meta.html",
		contentType: "text/html",
		url:         "http://www.sawt-alshamal.example/news.php?id=20732",
		title:       "أربيل وبغداد تتفقان على آلية جديدة لتمويل رواتب موظفي الإقليم :: موقع صوت الشمال",
		paragraphs: []string{
			"توصلت حكومة إقليم كردستان والحكومة الاتحادية في بغداد، يوم الثلاثاء، إلى اتفاق على آلية جديدة لتمويل رواتب موظفي الإقليم، تنهي أشهرا من التأخير في صرف المستحقات الشهرية لأكثر من مليون موظف ومتقاعد.",
			"شركة تسويق النفط الوطنية (سومو)",
			"وكانت صادرات نفط الإقليم عبر خط الأنابيب الممتد إلى ميناء جيهان التركي قد توقفت منذ آذار 2023",
			"ويأمل موظفو الإقليم أن يضع الاتفاق حدا لمعاناتهم المستمرة، إذ اضطر كثيرون منهم خلال العامين الماضيين إلى الاقتراض أو العمل في وظائف إضافية لتأمين نفقات أسرهم.",
		},
		boilerplate: arabicBoilerplate,
		root:        `<div dir="rtl">`,
		urls: []string{
			`src="http://www.sawt-alshamal.example/upload/news/20732_2.jpg"`,
		},
	},
	{
		// The same page, served by a server that labels everything UTF-8:
		// the <meta> must win, and the text must come out the same.
		name:        "ar_sawt",
		file:        "ar_sawt_1256_meta.html",
		contentType: "text/html; charset=UTF-8",
		url:         "http://www.sawt-alshamal.example/news.php?id=20732",
		title:       "أربيل وبغداد تتفقان على آلية جديدة لتمويل رواتب موظفي الإقليم :: موقع صوت الشمال",
		paragraphs: []string{
			"توصلت حكومة إقليم كردستان والحكومة الاتحادية في بغداد",
		},
		boilerplate: arabicBoilerplate,
		root:        `<div dir="rtl">`,
	},
}

func readPage(t testing.TB, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkArticle asserts everything a clean extraction of p promises.
func checkArticle(t *testing.T, p page, a *Article, base string) {
	t.Helper()
	if a.Title != p.title {
		t.Errorf("Title = %q, want %q", a.Title, p.title)
	}
	if a.Lang != p.lang {
		t.Errorf("Lang = %q, want %q", a.Lang, p.lang)
	}
	if a.Byline != p.byline {
		t.Errorf("Byline = %q, want %q", a.Byline, p.byline)
	}
	if !utf8.ValidString(a.Text) || !utf8.ValidString(a.ContentHTML) {
		t.Error("output is not valid UTF-8")
	}
	if strings.ContainsRune(a.Text, utf8.RuneError) {
		t.Error("Text has U+FFFD: the page was decoded with the wrong encoding")
	}
	paras := strings.Split(a.Text, "\n\n")
	for _, want := range p.paragraphs {
		found := false
		for _, para := range paras {
			if strings.Contains(para, want) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("Text lacks the article's paragraph %q", want)
		}
	}
	for _, bad := range p.boilerplate {
		if strings.Contains(a.Text, bad) {
			t.Errorf("Text contains boilerplate %q", bad)
		}
	}
	for _, u := range p.urls {
		if base != "" {
			u = strings.Replace(u, origin(p.url), base, 1)
		}
		if !strings.Contains(a.ContentHTML, u) {
			t.Errorf("ContentHTML lacks %s", u)
		}
	}
	if err := unsafeMarkup(a.ContentHTML); err != nil {
		t.Errorf("%v in ContentHTML", err)
	}
	if !strings.HasPrefix(a.ContentHTML, p.root) {
		t.Errorf("ContentHTML starts %.60q, want %q", a.ContentHTML, p.root)
	}
	if strings.Contains(a.ContentHTML, " id=") || strings.Contains(a.ContentHTML, " class=") {
		t.Error("ContentHTML keeps the page's id or class attributes")
	}
	checkAbsoluteURLs(t, a.ContentHTML)
}

// origin returns the scheme://host of u.
func origin(u string) string {
	pu, _ := url.Parse(u)
	return pu.Scheme + "://" + pu.Host
}

// checkAbsoluteURLs asserts that every URL attribute in the fragment is an
// absolute http(s) URL.
func checkAbsoluteURLs(t *testing.T, fragment string) {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for _, a := range n.Attr {
			var urls []string
			switch a.Key {
			case "href", "src":
				urls = []string{a.Val}
			case "srcset":
				for _, c := range strings.Split(a.Val, ",") {
					urls = append(urls, strings.Fields(c)[0])
				}
			}
			for _, v := range urls {
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					t.Errorf("<%s %s=%q> is not an absolute http(s) URL", n.Data, a.Key, v)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

// checkGolden compares text with testdata/<name>.golden.txt, or rewrites
// it under -update.
func checkGolden(t *testing.T, name, text string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.txt")
	if *update {
		if err := os.WriteFile(path, []byte(text+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if text+"\n" != string(want) {
		t.Errorf("Text differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, text, want)
	}
}

func TestExtractHTML(t *testing.T) {
	for _, p := range articlePages {
		t.Run(p.name+"/"+p.contentType, func(t *testing.T) {
			a, err := ExtractHTML(readPage(t, p.file), p.contentType, p.url)
			if err != nil {
				t.Fatal(err)
			}
			checkArticle(t, p, a, "")
			checkGolden(t, p.name, a.Text)
		})
	}
}

func TestExtractHTMLNotArticle(t *testing.T) {
	tests := []struct {
		name        string
		page        []byte
		contentType string
		why         string // in the error message
	}{
		{"liveblog shell", readPage(t, "live_gaza_shell.html"), "text/html; charset=utf-8", "characters of text"},
		{"pdf", readPage(t, "report.pdf"), "application/pdf", "application/pdf, not HTML"},
		{"pdf sniffed", readPage(t, "report.pdf"), "", "application/pdf, not HTML"},
		{"pdf as octet-stream", readPage(t, "report.pdf"), "application/octet-stream", "application/pdf, not HTML"},
		{"json", []byte(`{"title":"Iran warns US"}`), "application/json", "application/json, not HTML"},
		{"image", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png", "image/png, not HTML"},
		{"empty", nil, "text/html", "no article content"},
		{"index page", indexPage(), "text/html", "mostly links"},
	}
	const u = "https://www.example.org/news/1"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ExtractHTML(tt.page, tt.contentType, u)
			if !errors.Is(err, ErrNotArticle) {
				t.Fatalf("got %v, %v; want ErrNotArticle", a, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "extract article: "+u+": not an article: ") || !strings.Contains(msg, tt.why) {
				t.Errorf("error %q: want the URL and %q", msg, tt.why)
			}
		})
	}
}

// indexPage is a section front: a long list of headlines and nothing else.
func indexPage() []byte {
	var b strings.Builder
	b.WriteString("<html><body><main><h1>Iraq</h1><div class=\"listing\">")
	for i := range 30 {
		b.WriteString(`<div class="item"><a href="/iraq/story-`)
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(`">Baghdad and Erbil officials meet again over the budget, salaries and oil exports, sources say</a></div>`)
	}
	b.WriteString("</div></main></body></html>")
	return []byte(b.String())
}

func TestExtractHTMLBaseHref(t *testing.T) {
	body := strings.Repeat("<p>The delegation from Erbil met officials of the federal finance ministry in Baghdad on Tuesday to settle the salaries of the region's public employees.</p>", 3)
	page := `<html><head><base href="https://cdn.example.net/site/"></head><body><article>` +
		`<p>See <a href="more/story.html">the earlier story</a> and the map.</p><img src="img/map.png" alt="map">` + body + `</article></body></html>`
	a, err := ExtractHTML([]byte(page), "text/html", "https://www.example.org/news/1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="https://cdn.example.net/site/more/story.html"`, `src="https://cdn.example.net/site/img/map.png"`} {
		if !strings.Contains(a.ContentHTML, want) {
			t.Errorf("ContentHTML lacks %s:\n%s", want, a.ContentHTML)
		}
	}
}

func TestExtractHTMLNoBase(t *testing.T) {
	// Without a usable page URL, relative URLs are dropped, never kept
	// relative.
	a, err := ExtractHTML(readPage(t, "en_levant.html"), "text/html", "")
	if err != nil {
		t.Fatal(err)
	}
	checkAbsoluteURLs(t, a.ContentHTML)
}
