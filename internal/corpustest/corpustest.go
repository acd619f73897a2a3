// Package corpustest reads the shared corpus beside the repository
// (../shared/corpus, see its SOURCES.md files) into news items for tests:
// the golden tests of topics and stories pin their results on every item
// Items returns, and their corpus benchmarks read BenchItems. It is for
// tests only.
package corpustest

import (
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/encoding/charmap"

	"github.com/aggregatord/aggregatord/news"
)

// HeadlinesCSV is the real headline corpus of January–February 2020,
// relative to Root.
const HeadlinesCSV = "headlines/rss-link-database-2020_2020-01-01_2020-02-29.csv"

// feedDirs are the feed folders of the corpus whose items Items reads:
// real feeds, ill-formed ones, legacy encodings, entity tests and Hebrew
// and Turkish feeds.
var feedDirs = []string{"gofeed", "feedparser", "chardet-feeds", "news-feeds"}

// Root returns the corpus folder: shared/corpus beside the repository
// (the folder of go.mod, found from the working directory up). It skips
// the test when the corpus is not there.
func Root(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			tb.Skip("corpus not present: no go.mod above the working directory")
		}
		dir = up
	}
	root := filepath.Join(dir, "..", "shared", "corpus")
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("corpus not present: %v", err)
	}
	return root
}

// Items returns the items of the golden tests, in a fixed order: the rows
// of the headline CSV, the items of the corpus feeds (parsed with gofeed,
// HTML left in), the Arabic, Hebrew and Turkish samples of the corpus,
// then own (the calling package's items), then 3,000 generated
// adversarial items (Generated). The golden files depend on this order.
func Items(tb testing.TB, own []news.Item) []news.Item {
	tb.Helper()
	root := Root(tb)
	var items []news.Item

	f, err := os.Open(filepath.Join(root, HeadlinesCSV))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil { // header
		tb.Fatal(err)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		// date_published,source_feed,language,title,description,link
		items = append(items, news.Item{Source: rec[1], Tags: []string{rec[2]}, Title: rec[3], Summary: rec[4]})
	}

	p := gofeed.NewParser()
	for _, dir := range feedDirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".xml") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			feed, err := p.ParseString(string(b))
			if err != nil || feed == nil {
				return nil // not a feed gofeed reads
			}
			src := filepath.Base(path)
			for _, gi := range feed.Items {
				it := news.Item{Source: src, Title: gi.Title, Summary: gi.Description, Content: gi.Content, Tags: gi.Categories}
				if len(items)%7 == 0 {
					it.Copies = []news.Copy{{Source: src}, {Source: dir}}
				}
				items = append(items, it)
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}

	for _, s := range []struct {
		path string
		cm   *charmap.Charmap
	}{
		{"news-feeds/chardet-middle-east/windows-1256-arabic/_chromium_windows-1256_with_no_encoding_specified.html", charmap.Windows1256},
		{"news-feeds/chardet-middle-east/iso-8859-6-arabic/_chromium_ISO-8859-6_with_no_encoding_specified.html", charmap.ISO8859_6},
		{"news-feeds/chardet-middle-east/windows-1255-hebrew/_chromium_windows-1255_with_no_encoding_specified.html", charmap.Windows1255},
		{"news-feeds/chardet-middle-east/windows-1254-turkish/_chromium_windows-1254_with_no_encoding_specified.html", charmap.Windows1254},
	} {
		b, err := os.ReadFile(filepath.Join(root, s.path))
		if err != nil {
			tb.Fatal(err)
		}
		u, err := s.cm.NewDecoder().Bytes(b)
		if err != nil {
			tb.Fatal(err)
		}
		text := string(u)
		// The whole page, and each sentence as a headline.
		items = append(items, news.Item{Source: "sample", Title: "sample", Content: text})
		for _, sent := range strings.Split(text, ".") {
			items = append(items, news.Item{Source: "sample", Title: strings.TrimSpace(sent), Summary: "<p>" + sent + "</p>"})
		}
	}

	items = append(items, own...)
	items = append(items, Generated(3000)...)
	return items
}

// pieces are the fragments generated items are made of: words, Arabic and
// Persian spellings, HTML, entities, invisible and control characters,
// invalid UTF-8 and the corner cases of the normalisation.
var pieces = []string{
	"Iran", "IRAN", "iran", "Iran's", "Iran’s", "Iranian", "U.S.", "U.S.A.", "U.K", "US", "us", "Us", "US-led",
	"pro-Iran", "US-Iran", "Shi'ite", "Kata'ib", "Erdoğan", "ERDOGAN", "straße", "ﬁnance", "Ｕ Ｓ", "ＩＲＡＮ",
	"3.5", "1,000", "3.", ",5", "٣٫٥", "۱۲۳", "٢٠٢٠", "Quds Force", "Quds-Force", "revolutionary guards",
	"Revolutionary Guard", "the", "of", "a", "strike", "strikes", "sanctions", "Hormuz", "Erbil", "KRG", "KRI",
	"Kurdistan Region", "Baghdad", "Syria", "Damascus", "Assad", "Ain al-Asad", "Houthi", "Red Sea", "Trump",
	"Soleimani", "Suleimani", "Tehran", "missile", "drone", "Iraqi parliament", "prime minister", "PM", "MPs",
	"إيران", "ايران", "لإيران", "وإيران", "بإيران", "والإيرانية", "الإيرانية", "للولايات", "الولايات",
	"کرمانشاه", "كرمانشاه", "مسؤول", "رئيس", "الحرس", "الثوري", "والحرس", "للحرس", "إقليم", "كردستان",
	"العراق", "بغداد", "أربيل", "دمشق", "الحوثي", "سليماني", "تهران", "ی", "ى", "ة", "ـ", "َ", "ٌ", "ٰ",
	"می\u200cخواهد", "ב", "ישראל", "Россия", "Ελλάδα", "İstanbul", "ǅ", "Ꭰ", "ꭰ", "한국", "日本語", "ı", "Ł", "Ø",
	"ʼ", "'", "‘", "’", "´", "e\u0301", "\u0301", "\u0308a", "x", "ab", "X", "*", "=", ".", ",", ":", "?",
	"\u200c", "\u200d", "\u00ad", "\u200f", "\ufeff", "-", "‐", "‑", "–", "—", " ", " ", " ", " ", "\t", "\n", "\r\n",
	"\x00", "\x01", "\x7f", "\u0085", "\u00a0", "\u2028", "\u2029", "\u3000", "\ufffe", "\uffff", "\ufffd",
	"\xff", "\xe2\x80", "\xd8", "<p>", "</p>", "<p class=\"x\">", "<br>", "<br/>", "<b>", "</b>",
	"<strong>", "</strong>", "<a href='https://example.com/iran'>", "</a>", "<wbr>", "<img src=x alt=Iran>",
	"<script>var iran = 1;</script>", "<style>p{}</style>", "<textarea>Iran</textarea>", "<head>", "</head>",
	"<title>Iran</title>", "<noscript>", "</noscript>", "<label>", "</label>", "<x-foo>", "</x-foo>", "<div>",
	"</div>", "<li>", "<td>", "<hr>", "<!-- Iran -->", "<![CDATA[Iran]]>", "&amp;", "&amp;amp;", "&lt;b&gt;",
	"&#39;", "&#x2019;", "&nbsp;", "&bogus;", "&", "<", ">", "&#0;", "&#x110000;", "<span>", "</span>",
	"<em>", "</em>", "<sup>", "</sup>", "<P>", "<BR>", "<Script>", "</SCRIPT>", "<p", "<a href=\"",
}

// Pieces returns the fragments Generated makes items of, for fuzz seeds.
func Pieces() []string { return slices.Clone(pieces) }

// Generated returns n items made of random pieces, from a fixed
// seed, some with texts longer than the 2 KiB a fingerprint first reads.
func Generated(n int) []news.Item {
	state := uint64(0x9e3779b97f4a7c15)
	next := func(k int) int { // splitmix64
		state += 0x9e3779b97f4a7c15
		z := state
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		return int(z % uint64(k))
	}
	text := func(maxPieces int) string {
		var b strings.Builder
		for range next(maxPieces + 1) {
			b.WriteString(pieces[next(len(pieces))])
			if next(3) > 0 {
				b.WriteByte(' ')
			}
		}
		return b.String()
	}
	out := make([]news.Item, n)
	for i := range out {
		it := &out[i]
		it.Source = []string{"bbc", "rudaw", "guardian", "aljazeera-ar"}[next(4)]
		it.Tags = []string{[]string{"world", "middle east", "sport"}[next(3)]}
		it.Title = text(12)
		long := 100
		if next(8) == 0 {
			long = 1500
		}
		switch next(4) {
		case 0:
			it.Summary = text(long)
		case 1:
			it.Content = text(long)
		case 2:
			it.Summary, it.Content = text(40), text(long)
		case 3:
			it.Content = text(long)
			it.Summary = it.Content[:len(it.Content)/2]
		}
	}
	return out
}

// BenchItems returns the items of the corpus benchmarks: the first 300
// rows of the headline CSV whose description is an HTML text of 60 to 100
// words (Guardian items: <p> paragraphs and links), and 50 Arabic items of
// about 80 words in <p> paragraphs with a <strong> and a link, made from
// the Arabic test set in the file arabic (stories' testdata/items_ar.txt).
// BenchmarkTagCorpus of topics and BenchmarkFingerprint of stories read
// them.
func BenchItems(tb testing.TB, arabic string) []news.Item {
	tb.Helper()
	f, err := os.Open(filepath.Join(Root(tb), HeadlinesCSV))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var items []news.Item
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		tb.Fatal(err)
	}
	for len(items) < 300 {
		rec, err := r.Read()
		if err != nil {
			tb.Fatal(err)
		}
		desc := rec[4]
		if !strings.HasPrefix(desc, "<p>") {
			continue
		}
		var plain strings.Builder
		in := false
		for _, c := range desc {
			switch {
			case c == '<':
				in = true
				plain.WriteByte(' ')
			case c == '>':
				in = false
			case !in:
				plain.WriteRune(c)
			}
		}
		if n := len(strings.Fields(plain.String())); n < 60 || n > 100 {
			continue
		}
		items = append(items, news.Item{Source: rec[1], Title: rec[3], Summary: desc})
	}

	b, err := os.ReadFile(arabic)
	if err != nil {
		tb.Fatal(err)
	}
	for _, block := range strings.Split(string(b), "\n=== ")[1:] {
		title, text := "", []string(nil)
		inText := false
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, "title: "):
				title = strings.TrimPrefix(line, "title: ")
			case line == "text:":
				inText = true
			case inText:
				text = append(text, strings.Fields(line)...)
			}
		}
		if len(text) < 80 {
			continue
		}
		text = text[:80]
		text[2] = "<strong>" + text[2] + "</strong>"
		summary := "<p>" + strings.Join(text[:40], " ") + "</p><p>" + strings.Join(text[40:], " ") +
			` <a href="https://example.com/ar">المزيد</a></p>`
		items = append(items, news.Item{Source: "aljazeera-ar", Title: title, Summary: summary})
	}
	return items
}
