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
	// Wire identifies the wire story the item copies ("set/lang/slot/n":
	// the wire text is a function of the set, the language, the hour slot
	// and the story's number in it), or is "" for an outlet's own story.
	Wire string
}

// lang is a language's vocabulary. Multi-word entries are kept short, as
// in real copy, so that two unrelated items share few three-word runs.
type lang struct {
	code    string
	titles  []string // before a person's name
	first   []string
	last    []string
	orgs    []string
	places  []string
	verbs   []string // past tense, transitive
	nouns   []string
	adjs    []string
	preps   []string
	times   []string
	conj    []string
	said    string
	the     string // article before a noun ("the"; "" in Arabic, which attaches it)
	were    string
	quoteIs string
}

var english = &lang{
	code: "en",
	titles: []string{"Prime Minister", "President", "Foreign Minister", "lawmaker", "spokesman", "Governor", "General",
		"envoy", "Speaker", "Finance Minister", "commander", "analyst", "Interior Minister", "MP", "Senator", "Ambassador"},
	first: []string{"Mohammed", "Ali", "Hassan", "Masrour", "Nechirvan", "Bafel", "Qubad", "Hoshyar", "Fuad", "Abbas",
		"Masoud", "Marco", "Steve", "Pete", "Donald", "Ahmed", "Mazloum", "Recep", "Tamim", "Badr", "Yahya", "Omed",
		"Sarwa", "Taif", "Reber", "Esmail", "Laura", "Sara", "Karim", "Hamid", "Nadia", "Jamal", "Dilan", "Shwan", "Rasul",
		"Layla", "Zainab", "Kawa", "Hemin", "Haider"},
	last: []string{"al-Sudani", "Barzani", "Talabani", "Pezeshkian", "Araghchi", "Rubio", "Witkoff", "Hegseth", "Trump",
		"Khamenei", "al-Mashhadani", "al-Sadr", "Grossi", "al-Sharaa", "Abdi", "Erdogan", "Albusaidi", "Saree", "Khoshnaw",
		"Abdulwahid", "Sami", "Ahmed", "Qaani", "Hussein", "Salih", "Zebari", "Rashid", "Karimi", "Mahmoud", "Aziz",
		"Jaafari", "Hakim", "Kadhimi", "Allawi", "Mustafa", "Omar", "Qadir", "Othman", "Rahimi", "Nouri"},
	orgs: []string{"the KRG", "parliament", "the Federal Court", "the Pentagon", "the White House", "the State Department",
		"the Revolutionary Guards", "the Houthis", "the SDF", "the PMF", "Kataib Hezbollah", "the Coordination Framework",
		"the Security Council", "the IAEA", "the central bank", "the oil ministry", "the Peshmerga", "the electoral commission",
		"Aramco", "the GCC", "the US Navy", "the football federation", "the KDP", "the PUK", "the health ministry",
		"the World Bank", "Reuters", "the UN mission", "Turkey", "the European Union", "the Arab League", "NATO"},
	places: []string{"Baghdad", "Erbil", "Sulaymaniyah", "Duhok", "Kirkuk", "Mosul", "Basra", "Najaf", "Karbala", "Anbar",
		"Tehran", "Isfahan", "Natanz", "Damascus", "Aleppo", "Idlib", "Raqqa", "Beirut", "Riyadh", "Doha", "Dubai",
		"Muscat", "Sanaa", "Aden", "Amman", "Ankara", "Istanbul", "Cairo", "Gaza", "Hormuz", "Washington", "Geneva",
		"Vienna", "London", "Paris", "Moscow", "Beijing", "Brussels", "Berlin", "New York", "Kuwait", "Manama", "Tunis",
		"Khartoum", "Tripoli", "Algiers", "Rabat", "Kabul", "Islamabad", "Delhi", "Tokyo", "Athens", "Rome", "Madrid",
		"Nineveh", "Diyala", "Salahaddin", "Wasit", "Maysan", "Dhi Qar"},
	verbs: []string{"announced", "rejected", "discussed", "criticised", "welcomed", "postponed", "approved", "condemned",
		"defended", "questioned", "confirmed", "signed", "blocked", "backed", "reviewed", "proposed", "suspended",
		"launched", "opened", "closed", "delayed", "expanded", "cut", "raised", "lowered", "extended", "ended", "resumed",
		"denied", "praised", "targeted", "inspected", "visited", "hosted", "funded", "reported", "investigated", "halted",
		"restored", "revised", "unveiled", "challenged", "endorsed", "blamed", "promised", "drafted", "cancelled", "seized",
		"intercepted", "deployed", "withdrew", "captured", "released", "sentenced", "arrested", "evacuated"},
	nouns: []string{"budget", "deal", "plan", "law", "vote", "election", "parliament", "session", "agreement", "talks",
		"sanctions", "missile", "drone", "rocket", "attack", "strike", "embassy", "troops", "base", "convoy", "checkpoint",
		"border", "pipeline", "oil", "gas", "exports", "salaries", "electricity", "water", "dam", "river", "harvest",
		"wheat", "market", "prices", "currency", "dinar", "bank", "loan", "investment", "project", "road", "bridge",
		"airport", "railway", "port", "tanker", "ship", "navy", "militia", "protest", "strike", "court", "ruling", "judge",
		"corruption", "inquiry", "report", "census", "school", "university", "hospital", "clinic", "vaccine", "outbreak",
		"flood", "drought", "earthquake", "fire", "festival", "film", "football", "league", "stadium", "museum", "heritage",
		"tourism", "refugees", "camp", "families", "prisoners", "detainees", "hostages", "ceasefire", "truce", "summit",
		"delegation", "visit", "statement", "decree", "reform", "cabinet", "ministry", "governor", "council", "quota",
		"uranium", "reactor", "enrichment", "inspectors", "negotiations", "envoy", "coalition", "alliance", "opposition",
		"campaign", "ballot", "turnout", "candidates", "seats", "speaker", "constitution", "referendum", "autonomy",
		"smuggling", "customs", "revenue", "debt", "inflation", "unemployment", "youth", "women", "farmers", "workers"},
	adjs: []string{"new", "federal", "regional", "local", "national", "foreign", "military", "civilian", "economic",
		"political", "security", "humanitarian", "nuclear", "joint", "temporary", "permanent", "controversial", "long-awaited",
		"disputed", "major", "small", "second", "final", "initial", "annual", "monthly", "emergency", "official", "secret",
		"public", "private", "senior", "former", "current", "rival", "key", "fragile", "rare", "sudden", "record", "delayed",
		"stalled", "urgent", "wider", "limited", "heavy", "deadly", "peaceful", "fresh", "early", "late", "draft", "amended"},
	preps: []string{"in", "near", "outside", "across", "around", "north of", "south of", "east of", "west of", "from", "to", "over"},
	times: []string{"on Sunday", "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday",
		"this week", "last week", "last month", "overnight", "at dawn", "this morning", "in the evening", "since January",
		"by March", "within days", "for years"},
	conj:    []string{"while", "and", "as", "after", "before", "but", "because", "although", "since", "when"},
	said:    "said",
	the:     "the ",
	were:    "were",
	quoteIs: "is",
}

var arabic = &lang{
	code:   "ar",
	titles: []string{"رئيس الوزراء", "الرئيس", "وزير الخارجية", "النائب", "المتحدث", "المحافظ", "اللواء", "المبعوث", "وزير المالية", "القائد", "المحلل", "السفير"},
	first: []string{"محمد", "علي", "حسن", "مسرور", "نيجيرفان", "بافل", "قباد", "هوشيار", "فؤاد", "عباس", "مسعود", "ماركو",
		"دونالد", "أحمد", "مظلوم", "رجب", "تميم", "بدر", "يحيى", "أوميد", "سروة", "طيف", "ريبر", "إسماعيل", "كريم", "حميد",
		"نادية", "جمال", "زينب", "حيدر", "ليلى", "سارة", "عمر", "خالد", "فاطمة", "مصطفى"},
	last: []string{"السوداني", "بارزاني", "طالباني", "بزشكيان", "عراقجي", "روبيو", "ترامب", "خامنئي", "المشهداني", "الصدر",
		"غروسي", "الشرع", "عبدي", "أردوغان", "البوسعيدي", "سريع", "خوشناو", "سامي", "قاآني", "حسين", "صالح", "زيباري",
		"رشيد", "كريمي", "محمود", "عزيز", "الجعفري", "الحكيم", "الكاظمي", "علاوي", "مصطفى", "عمر", "قادر", "عثمان", "النوري"},
	orgs: []string{"حكومة الإقليم", "البرلمان", "المحكمة الاتحادية", "البنتاغون", "البيت الأبيض", "الخارجية الأمريكية",
		"الحرس الثوري", "الحوثيون", "قسد", "الحشد الشعبي", "كتائب حزب الله", "الإطار التنسيقي", "مجلس الأمن",
		"الوكالة الذرية", "البنك المركزي", "وزارة النفط", "البيشمركة", "المفوضية", "أرامكو", "مجلس التعاون",
		"البحرية الأمريكية", "اتحاد الكرة", "الحزب الديمقراطي", "الاتحاد الوطني", "وزارة الصحة", "البنك الدولي",
		"البعثة الأممية", "تركيا", "الاتحاد الأوروبي", "الجامعة العربية"},
	places: []string{"بغداد", "أربيل", "السليمانية", "دهوك", "كركوك", "الموصل", "البصرة", "النجف", "كربلاء", "الأنبار",
		"طهران", "أصفهان", "دمشق", "حلب", "إدلب", "الرقة", "بيروت", "الرياض", "الدوحة", "دبي", "مسقط", "صنعاء", "عدن",
		"عمان", "أنقرة", "إسطنبول", "القاهرة", "غزة", "هرمز", "واشنطن", "جنيف", "فيينا", "لندن", "باريس", "موسكو",
		"بكين", "بروكسل", "برلين", "الكويت", "المنامة", "تونس", "الخرطوم", "طرابلس", "الجزائر", "الرباط", "كابل",
		"نينوى", "ديالى", "صلاح الدين", "واسط", "ميسان", "ذي قار"},
	verbs: []string{"أعلن", "رفض", "ناقش", "انتقد", "رحب بـ", "أجل", "أقر", "أدان", "دافع عن", "أكد", "وقع", "عرقل",
		"دعم", "راجع", "اقترح", "علق", "أطلق", "افتتح", "أغلق", "وسع", "خفض", "رفع", "مدد", "أنهى", "استأنف", "نفى",
		"أشاد بـ", "استهدف", "تفقد", "زار", "استضاف", "موّل", "كشف", "حقق في", "أوقف", "أعاد", "عدل", "طرح", "تحدى",
		"أيد", "حمّل", "وعد بـ", "صاغ", "ألغى", "احتجز", "اعترض", "نشر", "سحب", "أطلق سراح", "اعتقل", "أخلى"},
	nouns: []string{"الموازنة", "الاتفاق", "الخطة", "القانون", "التصويت", "الانتخابات", "الجلسة", "المحادثات", "العقوبات",
		"الصاروخ", "المسيرة", "الهجوم", "الضربة", "السفارة", "القوات", "القاعدة", "القافلة", "الحدود", "الأنبوب", "النفط",
		"الغاز", "الصادرات", "الرواتب", "الكهرباء", "المياه", "السد", "النهر", "المحصول", "القمح", "السوق", "الأسعار",
		"العملة", "الدينار", "المصرف", "القرض", "الاستثمار", "المشروع", "الطريق", "الجسر", "المطار", "الميناء", "الناقلة",
		"السفينة", "الميليشيا", "الاحتجاج", "المحكمة", "الحكم", "القاضي", "الفساد", "التحقيق", "التقرير", "التعداد",
		"المدرسة", "الجامعة", "المستشفى", "اللقاح", "الفيضان", "الجفاف", "الزلزال", "الحريق", "المهرجان", "الفيلم",
		"الملعب", "المتحف", "السياحة", "اللاجئين", "المخيم", "العائلات", "المعتقلين", "الهدنة", "القمة", "الوفد",
		"الزيارة", "البيان", "المرسوم", "الإصلاح", "الوزارة", "المجلس", "اليورانيوم", "المفاعل", "التخصيب", "المفتشين",
		"المفاوضات", "التحالف", "المعارضة", "الحملة", "المرشحين", "المقاعد", "الدستور", "الاستفتاء", "التهريب", "الجمارك",
		"الإيرادات", "الديون", "التضخم", "البطالة", "الشباب", "النساء", "المزارعين", "العمال"},
	adjs: []string{"الجديد", "الاتحادي", "الإقليمي", "المحلي", "الوطني", "الأجنبي", "العسكري", "المدني", "الاقتصادي",
		"السياسي", "الأمني", "الإنساني", "النووي", "المشترك", "المؤقت", "الدائم", "المثير للجدل", "المنتظر", "المتنازع عليه",
		"الكبير", "الصغير", "الثاني", "النهائي", "الأولي", "السنوي", "الطارئ", "الرسمي", "السري", "العام", "الخاص",
		"السابق", "الحالي", "المنافس", "الهش", "النادر", "المفاجئ", "القياسي", "المتأخر", "العاجل", "الواسع", "المحدود",
		"الدامي", "السلمي", "المبكر", "المعدل"},
	preps:   []string{"في", "قرب", "خارج", "عبر", "حول", "شمال", "جنوب", "شرق", "غرب", "من", "إلى"},
	times:   []string{"يوم الأحد", "يوم الاثنين", "يوم الثلاثاء", "يوم الأربعاء", "يوم الخميس", "يوم الجمعة", "يوم السبت", "هذا الأسبوع", "الأسبوع الماضي", "الشهر الماضي", "خلال الليل", "فجر اليوم", "صباح اليوم", "مساء أمس", "منذ يناير", "خلال أيام"},
	conj:    []string{"فيما", "و", "بينما", "بعد أن", "قبل أن", "لكن", "لأن", "رغم أن", "حين"},
	said:    "قال",
	the:     "",
	were:    "",
	quoteIs: "",
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

func (g *textGen) person() string {
	l := g.l
	if g.r.IntN(2) == 0 {
		return g.pick(l.titles) + " " + g.pick(l.first) + " " + g.pick(l.last)
	}
	return g.pick(l.first) + " " + g.pick(l.last)
}

func (g *textGen) actor() string {
	if g.r.IntN(2) == 0 {
		return g.person()
	}
	return g.pick(g.l.orgs)
}

// np is a noun phrase: an article, maybe an adjective, a noun.
func (g *textGen) np() string {
	l := g.l
	if l == arabic {
		if g.r.IntN(2) == 0 {
			return g.pick(l.nouns) + " " + g.pick(l.adjs)
		}
		return g.pick(l.nouns)
	}
	if g.r.IntN(2) == 0 {
		return l.the + g.pick(l.adjs) + " " + g.pick(l.nouns)
	}
	return l.the + g.pick(l.nouns)
}

// sentence is one sentence of a story.
func (g *textGen) sentence() string {
	l := g.l
	var s string
	switch g.r.IntN(6) {
	case 0:
		s = g.actor() + " " + g.pick(l.verbs) + " " + g.np() + " " + g.pick(l.preps) + " " + g.pick(l.places) + " " + g.pick(l.times)
	case 1:
		s = g.actor() + " " + g.pick(l.verbs) + " " + g.np() + " " + g.pick(l.conj) + " " + g.actor() + " " + g.pick(l.verbs) + " " + g.np()
	case 2:
		if l == arabic {
			s = g.pick([]string{"قال", "أكد", "أوضح"}) + " " + g.person() + " إن \"" + g.np() + " " + g.pick(l.adjs) + " و" + g.np() + " " + g.pick(l.adjs) + "\""
		} else {
			s = "\"" + strings.ToUpper(l.the[:1]) + l.the[1:] + g.pick(l.nouns) + " " + l.quoteIs + " " + g.pick(l.adjs) + " and " + g.np() + " " + l.quoteIs + " " + g.pick(l.adjs) + ",\" " + g.person() + " " + l.said
		}
	case 3:
		n := fmt.Sprint(2 + g.r.IntN(400))
		if l == arabic {
			s = g.pick(l.verbs) + " " + g.actor() + " " + n + " من " + g.pick(l.nouns) + " " + g.pick(l.preps) + " " + g.pick(l.places) + " " + g.pick(l.times)
		} else {
			s = n + " " + g.pick(l.nouns) + " " + l.were + " " + g.pick(l.verbs) + " " + g.pick(l.preps) + " " + g.pick(l.places) + " " + g.pick(l.times) + ", " + g.pick(l.orgs) + " " + l.said
		}
	case 4:
		s = g.person() + " " + g.pick(l.verbs) + " " + g.np() + " " + g.pick(l.preps) + " " + g.pick(l.places) + " " + g.pick(l.conj) + " " + g.np() + " " + g.pick(l.verbs) + " " + g.np()
	default:
		s = g.np() + " " + g.pick(l.preps) + " " + g.pick(l.places) + " " + g.pick(l.verbs) + " " + g.actor() + " " + g.pick(l.times)
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
	var t string
	switch g.r.IntN(3) {
	case 0:
		t = g.actor() + " " + g.pick(l.verbs) + " " + g.np() + " " + g.pick(l.preps) + " " + g.pick(l.places)
	case 1:
		t = g.pick(l.places) + ": " + g.np() + " " + g.pick(l.verbs) + " " + g.pick(l.times)
	default:
		t = g.pick(l.last) + " " + g.pick(l.verbs) + " " + g.np() + " " + g.pick(l.conj) + " " + g.np() + " " + g.pick(l.verbs)
	}
	if l == english {
		t = strings.ToUpper(t[:1]) + t[1:]
	}
	return t
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
			b.WriteString(`<a href="/tag/` + g.pick(sections) + `">`)
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

var sections = []string{"politics", "middle-east", "kurdistan", "iraq", "world", "economy", "security"}

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
	var title, wire string
	var sentences []string
	if g.r.IntN(10) == 0 {
		// A wire copy: the story's text from the wire, this outlet's
		// headline, the ending trimmed.
		slot := pub.Unix() / 3600
		n := g.r.IntN(fs.Wire)
		w := newTextGen(fs.Lang, fs.Seed, setHash(fs.Set), 0xC0FFEE, uint64(slot), uint64(n))
		wire = fmt.Sprintf("%s/%s/%d/%d", fs.Set, fs.Lang.code, slot, n)
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
	slug := fmt.Sprintf("%s-%d-%d", g.pick(sections), fs.Index, seq)
	it := genItem{
		Seq:       seq,
		Title:     title,
		Link:      fmt.Sprintf("https://%s/%s/%d/%s", fs.Host, g.pick(sections), pub.Year(), slug),
		Published: pub,
		Wire:      wire,
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
