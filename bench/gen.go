package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"
)

// This file generates the benchmark's news: deterministic (every text is a
// function of the seed, the feed set, the feed and the item's sequence
// number), realistic in length and vocabulary (regional news: places,
// officials, organisations, many of which trigger the example topics), in
// English and, for one feed in five, Arabic. About one item in ten is a
// copy of a wire story that several other feeds carry too, reworded in its
// headline and trimmed at its end, so that story grouping has real work.

// genItem is one generated news item, before it is written as XML.
type genItem struct {
	Seq       int
	Title     string
	HTML      string // the description: HTML, about 80 words
	Link      string
	GUID      string
	Permalink bool // RSS: the GUID is the link
	Published time.Time
}

// lang is a language's vocabulary.
type lang struct {
	code      string
	officials []string
	orgs      []string
	places    []string
	verbs     []string // past tense, "X <verb> Y"
	topicsN   []string // noun phrases: what the story is about
	times     []string
	fillers   []string // whole clauses that make sentences longer
	quotes    []string
	titleVerb []string // present tense for headlines
	sections  []string
	connect   []string // "and", "while" ...
	said      string
	in        string
	on        string
	after     string
}

var english = &lang{
	code: "en",
	officials: []string{
		"Prime Minister Mohammed Shia al-Sudani", "President Masoud Pezeshkian", "Foreign Minister Abbas Araghchi",
		"Kurdistan Region Prime Minister Masrour Barzani", "KRG President Nechirvan Barzani", "PUK leader Bafel Talabani",
		"Secretary of State Marco Rubio", "US envoy Steve Witkoff", "Defense Secretary Pete Hegseth",
		"President Donald Trump", "Supreme Leader Ali Khamenei", "Speaker Mahmoud al-Mashhadani",
		"Sadrist leader Muqtada al-Sadr", "UN envoy Mohammed al-Hassan", "IAEA chief Rafael Grossi",
		"Syrian President Ahmed al-Sharaa", "SDF commander Mazloum Abdi", "Turkish President Recep Tayyip Erdogan",
		"Saudi Crown Prince Mohammed bin Salman", "Qatar's Emir Tamim bin Hamad", "Oman's Foreign Minister Badr Albusaidi",
		"Houthi spokesman Yahya Saree", "Governor Omed Khoshnaw", "MP Sarwa Abdulwahid", "Finance Minister Taif Sami",
		"Interior Minister Reber Ahmed", "General Qasem Soleimani's successor Esmail Qaani", "CENTCOM commander Michael Kurilla",
	},
	orgs: []string{
		"the Kurdistan Regional Government", "the Iraqi parliament", "the Federal Supreme Court", "the Pentagon",
		"the White House", "the State Department", "Iran's Revolutionary Guards", "the Quds Force", "the Houthis",
		"the Syrian Democratic Forces", "Hayat Tahrir al-Sham", "the Popular Mobilization Forces", "Kataib Hezbollah",
		"the Coordination Framework", "the UN Security Council", "the International Atomic Energy Agency",
		"the central bank", "the oil ministry", "the Peshmerga ministry", "the electoral commission", "Aramco",
		"the Gulf Cooperation Council", "the US Navy", "the Iraqi Football Association", "the Fajr Film Festival",
		"the Kurdistan Democratic Party", "the Patriotic Union of Kurdistan", "Baghdad's municipality", "the health ministry",
	},
	places: []string{
		"Baghdad", "Erbil", "Sulaymaniyah", "Duhok", "Kirkuk", "Mosul", "Basra", "Najaf", "Karbala", "Halabja", "Zakho",
		"Tehran", "Isfahan", "Natanz", "Fordow", "Damascus", "Aleppo", "Idlib", "Raqqa", "Deir ez-Zor", "Qamishli",
		"Beirut", "Riyadh", "Jeddah", "Doha", "Dubai", "Abu Dhabi", "Muscat", "Sanaa", "Aden", "Amman", "Ankara",
		"the Strait of Hormuz", "the Red Sea", "the Gulf of Oman", "Ain al-Asad air base", "Washington", "Geneva", "Vienna",
	},
	verbs: []string{
		"announced", "warned against", "rejected", "called for", "discussed", "criticised", "welcomed", "denied reports of",
		"postponed", "approved", "condemned", "defended", "questioned", "pledged support for", "raised concerns about",
		"signed an agreement on", "ordered an investigation into", "demanded clarity on", "played down", "confirmed",
	},
	topicsN: []string{
		"the federal budget", "oil exports through Turkey", "salaries of public employees", "electricity shortages",
		"the water crisis along the Tigris", "the upcoming parliamentary elections", "drone attacks on US forces",
		"new sanctions on Tehran", "uranium enrichment at Fordow", "tanker seizures in the Gulf", "the nuclear talks",
		"rocket attacks on the embassy", "the withdrawal of American troops", "the return of displaced families",
		"corruption in the customs service", "the Peshmerga unification plan", "gas field attacks in Chamchamal",
		"the reconstruction of Mosul's old city", "border crossings with Syria", "the detention of ISIS families at al-Hol",
		"Houthi missile launches at shipping", "the ceasefire in Gaza", "a new football stadium", "an earthquake near Kermanshah",
		"the film festival's opening night", "protests in Tahrir Square", "the dinar's exchange rate", "wheat harvest prices",
		"Turkish airstrikes in Duhok province", "the census results", "the Development Road project",
	},
	times: []string{"on Sunday", "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday",
		"late on Tuesday", "earlier this week", "last month", "on Thursday evening", "this morning"},
	fillers: []string{
		"according to a statement published by the government's media office",
		"two officials who spoke on condition of anonymity told reporters",
		"the move comes amid weeks of tension between the two sides",
		"local media reported, citing security sources",
		"in remarks broadcast live on state television",
		"a decision that analysts say could reshape the region's politics",
		"after months of negotiations that stalled over revenue sharing",
		"as lawmakers from rival blocs traded accusations in the chamber",
		"while residents complained about rising prices and power cuts",
		"citing the need to protect civilians and critical infrastructure",
		"a claim that could not be independently verified",
		"in a phone call with his counterpart",
		"days after a drone struck a checkpoint near the border",
	},
	quotes: []string{
		"We will not accept any violation of our sovereignty",
		"The door to dialogue remains open",
		"This is a matter for the courts to decide",
		"Our forces are ready to respond to any threat",
		"The people deserve services, not slogans",
		"We expect the payments to resume within weeks",
	},
	titleVerb: []string{"warns", "rejects", "calls for", "discusses", "announces", "slams", "welcomes", "delays",
		"approves", "defends", "eyes", "backs"},
	sections: []string{"politics", "middle-east", "kurdistan", "iraq", "world", "economy", "security"},
	connect:  []string{"while", "and", "as", "after"},
	said:     "said",
	in:       "in",
	on:       "on",
	after:    "after",
}

var arabic = &lang{
	code: "ar",
	officials: []string{
		"رئيس الوزراء محمد شياع السوداني", "الرئيس الإيراني مسعود بزشكيان", "وزير الخارجية عباس عراقجي",
		"رئيس حكومة إقليم كردستان مسرور بارزاني", "رئيس الإقليم نيجيرفان بارزاني", "زعيم التيار الصدري مقتدى الصدر",
		"وزير الخارجية الأمريكي ماركو روبيو", "الرئيس الأمريكي دونالد ترامب", "المرشد الإيراني علي خامنئي",
		"رئيس مجلس النواب محمود المشهداني", "الرئيس السوري أحمد الشرع", "قائد قسد مظلوم عبدي",
		"ولي العهد السعودي محمد بن سلمان", "المتحدث باسم الحوثيين يحيى سريع", "مدير الوكالة الذرية رافائيل غروسي",
		"محافظ أربيل أوميد خوشناو", "وزيرة المالية طيف سامي", "قائد فيلق القدس إسماعيل قاآني",
	},
	orgs: []string{
		"حكومة إقليم كردستان", "البرلمان العراقي", "المحكمة الاتحادية العليا", "البنتاغون", "البيت الأبيض",
		"الحرس الثوري الإيراني", "فيلق القدس", "جماعة الحوثي", "قوات سوريا الديمقراطية", "هيئة تحرير الشام",
		"الحشد الشعبي", "كتائب حزب الله", "الإطار التنسيقي", "مجلس الأمن الدولي", "الوكالة الدولية للطاقة الذرية",
		"البنك المركزي", "وزارة النفط", "وزارة البيشمركة", "المفوضية العليا للانتخابات", "مجلس التعاون الخليجي",
		"البحرية الأمريكية", "الاتحاد العراقي لكرة القدم", "الحزب الديمقراطي الكردستاني", "الاتحاد الوطني الكردستاني",
	},
	places: []string{
		"بغداد", "أربيل", "السليمانية", "دهوك", "كركوك", "الموصل", "البصرة", "النجف", "كربلاء", "حلبجة", "زاخو",
		"طهران", "أصفهان", "نطنز", "دمشق", "حلب", "إدلب", "الرقة", "دير الزور", "القامشلي", "بيروت", "الرياض",
		"جدة", "الدوحة", "دبي", "أبوظبي", "مسقط", "صنعاء", "عدن", "عمان", "أنقرة", "مضيق هرمز", "البحر الأحمر",
		"قاعدة عين الأسد", "واشنطن", "جنيف", "فيينا",
	},
	verbs: []string{
		"أعلن", "حذر من", "رفض", "دعا إلى", "ناقش", "انتقد", "رحب بـ", "نفى تقارير عن", "أجل", "وافق على",
		"أدان", "دافع عن", "تعهد بدعم", "أبدى قلقه من", "وقع اتفاقا بشأن", "أمر بالتحقيق في", "أكد",
	},
	topicsN: []string{
		"الموازنة الاتحادية", "صادرات النفط عبر تركيا", "رواتب موظفي الإقليم", "أزمة الكهرباء", "شح المياه في دجلة",
		"الانتخابات البرلمانية المقبلة", "الهجمات بطائرات مسيرة على القوات الأمريكية", "العقوبات الجديدة على طهران",
		"تخصيب اليورانيوم في فوردو", "احتجاز ناقلات النفط في الخليج", "المفاوضات النووية", "الهجوم بالصواريخ على السفارة",
		"انسحاب القوات الأمريكية", "عودة النازحين", "الفساد في المنافذ الحدودية", "توحيد قوات البيشمركة",
		"إعادة إعمار الموصل القديمة", "المعابر الحدودية مع سوريا", "الصواريخ الحوثية على السفن", "وقف إطلاق النار في غزة",
		"ملعب كرة القدم الجديد", "زلزال قرب كرمانشاه", "افتتاح مهرجان الفيلم", "التظاهرات في ساحة التحرير",
		"سعر صرف الدينار", "أسعار محصول القمح", "القصف التركي في محافظة دهوك", "مشروع طريق التنمية",
	},
	times: []string{"يوم الأحد", "يوم الاثنين", "يوم الثلاثاء", "يوم الأربعاء", "يوم الخميس", "يوم الجمعة", "يوم السبت",
		"مساء الثلاثاء", "في وقت سابق من هذا الأسبوع", "الشهر الماضي", "صباح اليوم"},
	fillers: []string{
		"بحسب بيان صادر عن المكتب الإعلامي للحكومة",
		"وفق ما قاله مسؤولان طلبا عدم الكشف عن هويتهما",
		"وتأتي هذه الخطوة وسط توتر متصاعد بين الجانبين منذ أسابيع",
		"بحسب ما نقلته وسائل إعلام محلية عن مصادر أمنية",
		"في تصريحات بثها التلفزيون الرسمي",
		"في قرار يرى محللون أنه قد يعيد رسم المشهد السياسي في المنطقة",
		"بعد أشهر من المفاوضات المتعثرة حول تقاسم الإيرادات",
		"فيما تبادل نواب من كتل متنافسة الاتهامات داخل القاعة",
		"بينما اشتكى السكان من ارتفاع الأسعار وانقطاع التيار الكهربائي",
		"ولم يتسن التحقق من هذه الرواية بشكل مستقل",
		"خلال اتصال هاتفي مع نظيره",
	},
	quotes: []string{
		"لن نقبل بأي انتهاك لسيادتنا", "باب الحوار ما زال مفتوحا", "هذه مسألة يحسمها القضاء",
		"قواتنا مستعدة للرد على أي تهديد", "المواطنون يستحقون الخدمات لا الشعارات",
	},
	titleVerb: []string{"يحذر من", "يرفض", "يدعو إلى", "يناقش", "يعلن", "ينتقد", "يرحب بـ", "يؤجل", "يقر", "يدافع عن"},
	sections:  []string{"iraq", "kurdistan", "arab-world", "politics", "economy"},
	connect:   []string{"فيما", "و", "بينما", "بعد أن"},
	said:      "وقال",
	in:        "في",
	on:        "",
	after:     "بعد",
}

// textGen draws words from a seeded source.
type textGen struct {
	r *rand.Rand
	l *lang
}

func newTextGen(l *lang, seed ...uint64) *textGen {
	h := fnv.New64a()
	for _, s := range seed {
		fmt.Fprintf(h, "%d/", s)
	}
	a := h.Sum64()
	return &textGen{r: rand.New(rand.NewPCG(a, a^0x9e3779b97f4a7c15)), l: l}
}

func (g *textGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// subject is an official, an organisation or "officials in PLACE".
func (g *textGen) subject() string {
	switch g.r.IntN(3) {
	case 0:
		return g.pick(g.l.officials)
	case 1:
		return g.pick(g.l.orgs)
	}
	if g.l == arabic {
		return "مسؤولون في " + g.pick(g.l.places)
	}
	return "officials in " + g.pick(g.l.places)
}

// sentence is one sentence of a story.
func (g *textGen) sentence() string {
	l := g.l
	var s string
	switch g.r.IntN(5) {
	case 0, 1:
		s = g.subject() + " " + g.pick(l.verbs) + " " + g.pick(l.topicsN) + " " + l.in + " " + g.pick(l.places) + " " + g.pick(l.times)
	case 2:
		s = g.subject() + " " + g.pick(l.verbs) + " " + g.pick(l.topicsN) + ", " + g.pick(l.fillers)
	case 3:
		if l == arabic {
			s = l.said + " " + g.pick(l.officials) + " إن \"" + g.pick(l.quotes) + "\"، " + g.pick(l.fillers)
		} else {
			s = "\"" + g.pick(l.quotes) + ",\" " + g.pick(l.officials) + " " + l.said + " " + g.pick(l.times) + ", " + g.pick(l.fillers)
		}
	default:
		s = g.subject() + " " + g.pick(l.verbs) + " " + g.pick(l.topicsN) + " " + g.pick(l.connect) + " " +
			g.subject() + " " + g.pick(l.verbs) + " " + g.pick(l.topicsN)
	}
	if l == english {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s + "."
}

// story returns sentences totalling at least words words.
func (g *textGen) story(words int) []string {
	var out []string
	n := 0
	for n < words {
		s := g.sentence()
		out = append(out, s)
		n += strings.Count(s, " ") + 1
	}
	return out
}

// title is a headline.
func (g *textGen) title() string {
	l := g.l
	switch g.r.IntN(3) {
	case 0:
		return g.pick(l.orgs) + " " + g.pick(l.titleVerb) + " " + g.pick(l.topicsN)
	case 1:
		return g.pick(l.places) + ": " + g.pick(l.orgs) + " " + g.pick(l.titleVerb) + " " + g.pick(l.topicsN)
	}
	return g.pick(l.officials) + " " + g.pick(l.titleVerb) + " " + g.pick(l.topicsN)
}

// html renders sentences as the paragraphs of a description, with a link
// and some emphasis, the way outlets write them.
func (g *textGen) html(sentences []string, base string) string {
	var b strings.Builder
	b.WriteString("<p>")
	for i, s := range sentences {
		if i > 0 && i%3 == 0 {
			b.WriteString("</p><p>")
		} else if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case i == 1:
			b.WriteString(`<a href="/tag/` + g.pick(g.l.sections) + `">`)
			xmlEscapeTo(&b, s)
			b.WriteString("</a>")
		case i == 2 && g.r.IntN(2) == 0:
			b.WriteString("<strong>")
			xmlEscapeTo(&b, s)
			b.WriteString("</strong>")
		default:
			xmlEscapeTo(&b, s)
		}
	}
	b.WriteString("</p>")
	if g.r.IntN(4) == 0 {
		b.WriteString(`<p><img src="` + base + `/images/` + fmt.Sprint(g.r.IntN(1e6)) + `.jpg" alt="" width="640" height="360"></p>`)
	}
	return b.String()
}

func xmlEscapeTo(b *strings.Builder, s string) {
	var buf bytes.Buffer
	_ = xml.EscapeText(&buf, []byte(s))
	b.Write(buf.Bytes())
}

// feedSpec describes one generated feed of a set.
type feedSpec struct {
	Set    string // "main", "g10k", ...: separates the items of different sets
	Index  int
	Lang   *lang
	Atom   bool
	Host   string // the outlet's own host name
	Wire   int    // number of wire stories per time slot in this set
	Seed   uint64
	Offset time.Duration // how much older than the set's clock this feed's newest item is
}

// newFeedSpec returns the spec of feed i of a set of n feeds.
func newFeedSpec(seed uint64, set string, i, n int) feedSpec {
	fs := feedSpec{Set: set, Index: i, Lang: english, Atom: i%3 == 2, Seed: seed}
	if i%5 == 4 {
		fs.Lang = arabic
	}
	fs.Host = fmt.Sprintf("outlet%d.%s.example", i, set)
	fs.Wire = max(1, n/50)
	fs.Offset = time.Duration(i%97) * 13 * time.Second
	return fs
}

func setHash(set string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(set))
	return h.Sum64()
}

// item returns item seq of the feed, published at pub.
func (fs feedSpec) item(seq int, pub time.Time) genItem {
	g := newTextGen(fs.Lang, fs.Seed, setHash(fs.Set), uint64(fs.Index), uint64(seq))
	var title string
	var sentences []string
	if g.r.IntN(10) == 0 {
		// A wire copy: the story's text from the wire, this outlet's
		// headline, the ending trimmed.
		slot := pub.Unix() / 3600
		w := newTextGen(fs.Lang, fs.Seed, setHash(fs.Set), 0xC0FFEE, uint64(slot), uint64(g.r.IntN(fs.Wire)))
		sentences = w.story(95)
		if cut := g.r.IntN(3); cut > 0 && len(sentences) > cut+3 {
			sentences = sentences[:len(sentences)-cut]
		}
		title = w.title()
		if g.r.IntN(2) == 0 {
			title = g.title()
		}
	} else {
		title = g.title()
		sentences = g.story(80)
	}
	slug := fmt.Sprintf("%s-%d-%d", g.pick(fs.Lang.sections), fs.Index, seq)
	it := genItem{
		Seq:       seq,
		Title:     title,
		Link:      fmt.Sprintf("https://%s/%s/%d/%s", fs.Host, g.pick(fs.Lang.sections), pub.Year(), slug),
		Published: pub,
	}
	it.HTML = g.html(sentences, "https://"+fs.Host)
	switch {
	case fs.Atom:
		it.GUID = fmt.Sprintf("tag:%s,2026:%d", fs.Host, seq)
	case g.r.IntN(3) == 0:
		it.GUID = fmt.Sprintf("%s-%d-%d", fs.Set, fs.Index, seq)
	default:
		it.GUID, it.Permalink = it.Link, true
	}
	return it
}

// feedDoc renders the feed with items (newest first) and returns the
// document and the byte length of each item's element.
func (fs feedSpec) feedDoc(items []genItem, updated time.Time) ([]byte, int) {
	var b bytes.Buffer
	var itemBytes int
	esc := func(s string) {
		_ = xml.EscapeText(&b, []byte(s))
	}
	title := fmt.Sprintf("Outlet %d (%s)", fs.Index, fs.Set)
	if fs.Lang == arabic {
		title = fmt.Sprintf("أخبار المنفذ %d", fs.Index)
	}
	home := "https://" + fs.Host + "/"
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if fs.Atom {
		b.WriteString(`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="` + fs.Lang.code + `">` + "\n<title>")
		esc(title)
		b.WriteString("</title>\n<id>" + home + "</id>\n<link href=\"" + home + "\"/>\n<link rel=\"self\" href=\"" + home + "feed.atom\"/>\n<updated>" +
			updated.UTC().Format(time.RFC3339) + "</updated>\n")
		for _, it := range items {
			start := b.Len()
			b.WriteString("<entry>\n<title>")
			esc(it.Title)
			b.WriteString("</title>\n<id>")
			esc(it.GUID)
			b.WriteString("</id>\n<link rel=\"alternate\" href=\"")
			esc(it.Link)
			b.WriteString("\"/>\n<published>" + it.Published.UTC().Format(time.RFC3339) + "</published>\n<updated>" +
				it.Published.UTC().Format(time.RFC3339) + "</updated>\n<author><name>Staff</name></author>\n<summary type=\"html\">")
			esc(it.HTML)
			b.WriteString("</summary>\n</entry>\n")
			itemBytes += b.Len() - start
		}
		b.WriteString("</feed>\n")
		return b.Bytes(), itemBytes
	}
	b.WriteString(`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">` + "\n<channel>\n<title>")
	esc(title)
	b.WriteString("</title>\n<link>" + home + "</link>\n<description>Latest news</description>\n<language>" + fs.Lang.code +
		"</language>\n<lastBuildDate>" + updated.UTC().Format(time.RFC1123Z) + "</lastBuildDate>\n")
	for _, it := range items {
		start := b.Len()
		b.WriteString("<item>\n<title>")
		esc(it.Title)
		b.WriteString("</title>\n<link>")
		esc(it.Link)
		if it.Permalink {
			b.WriteString("</link>\n<guid>")
		} else {
			b.WriteString("</link>\n<guid isPermaLink=\"false\">")
		}
		esc(it.GUID)
		b.WriteString("</guid>\n<pubDate>" + it.Published.UTC().Format(time.RFC1123Z) + "</pubDate>\n<category>News</category>\n<description>")
		esc(it.HTML)
		b.WriteString("</description>\n</item>\n")
		itemBytes += b.Len() - start
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.Bytes(), itemBytes
}
