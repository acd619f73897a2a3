package publish

import (
	"strconv"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

// The fixture of the page tests and the browser test: more languages and
// scripts than the feed fixture, a story carried by three outlets, and
// hostile text in every field that a feed or the config can fill.

// browserSite is testSite with Persian and Kurdish sources and more topics.
func browserSite() Site {
	s := testSite()
	s.Sources = append(s.Sources,
		SourceInfo{Name: "bbc-persian", Title: "BBC فارسی", URL: "https://feeds.bbci.co.uk/persian/rss.xml", Enabled: true},
		SourceInfo{Name: "rudaw-ckb", Title: "ڕووداو", URL: "https://www.rudaw.net/sorani/rss", Enabled: true},
		SourceInfo{Name: "xss", Title: `"><svg onload="window.__xss='source title'">`, URL: "https://xss.example.com/feed", Enabled: true},
	)
	s.Topics = append(s.Topics,
		TopicInfo{ID: "kurdistan", Title: "Kurdistan Region"},
		TopicInfo{ID: "xss", Title: `<b onmouseover="window.__xss='topic'">Hostile</b>`},
	)
	return s
}

// browserItems are 40 items over 30 days in four languages and scripts,
// a story carried by three outlets, and hostile text in every field.
func browserItems() []news.Item {
	type proto struct {
		src, lang, title, summary string
		topics                    []string
	}
	protos := []proto{
		{"rudaw", "en", "Iraqi Kurdistan and Baghdad agree on oil export restart after months of talks", "<p>The deal ends a two-year halt of exports through the Kirkuk–Ceyhan pipeline.</p>", []string{"oil", "kurdistan"}},
		{"aljazeera-ar", "ar", "إيران تحذر الولايات المتحدة من أي تصعيد في الخليج", "<p>حذرت طهران واشنطن من عواقب أي تصعيد عسكري في مياه الخليج.</p>", []string{"us-iran"}},
		{"bbc-persian", "fa", "ایران و آمریکا در مسقط مذاکره می‌کنند", "<p>نمایندگان دو کشور برای دور تازه‌ای از گفتگوهای غیرمستقیم در عمان دیدار کردند.</p>", []string{"us-iran"}},
		{"rudaw-ckb", "ckb", "هەرێمی کوردستان و بەغدا لەسەر بودجە ڕێککەوتن", "<p>حکومەتی هەرێم و حکومەتی فیدراڵ لەسەر پشکی بودجە ڕێککەوتن.</p>", []string{"kurdistan"}},
		{"kurdistan24", "en", "Erbil airport resumes flights after drone alert", "", []string{"kurdistan"}},
		{"rudaw", "en", "Oil prices climb as Gulf shipping tensions rise", "<p>Brent crude rose 3% on reports of a tanker seizure near the Strait of Hormuz, the third such incident this month.</p>", []string{"oil", "us-iran"}},
	}
	var items []news.Item
	for i := range 40 {
		p := protos[i%len(protos)]
		pub := t0.Add(-time.Duration(i) * 17 * time.Hour)
		it := news.Item{
			ID: uint64(i + 1), Source: p.src, Key: "k" + strconv.Itoa(i), Language: p.lang,
			Link:    "https://" + p.src + ".example.com/story/" + strconv.Itoa(i),
			Title:   p.title + " (" + strconv.Itoa(i+1) + ")",
			Summary: p.summary, Published: pub, Updated: pub, FirstSeen: pub, Topics: p.topics,
		}
		it.Copies = []news.Copy{{Source: p.src, Key: it.Key, Link: it.Link, Published: pub}}
		items = append(items, it)
	}
	// A story carried by three outlets, shown once with the others named.
	items[1].StoryID = 900
	items[1].Story = []news.Copy{
		{Source: "bbc-persian", Key: "s1", Link: "https://bbc-persian.example.com/story/s1", Title: "هشدار ایران به آمریکا", Published: t0.Add(-16 * time.Hour)},
		{Source: "kurdistan24", Key: "s2", Link: "https://www.kurdistan24.net/en/story/s2", Title: "Iran warns US", Published: t0.Add(-15 * time.Hour)},
	}
	// Hostile text everywhere a feed or config can put it.
	items[3] = news.Item{
		ID: 4, Source: "xss", Key: "xss", Language: `en" onmouseover="window.__xss='lang'`,
		Link:    `javascript:window.__xss='link'`,
		Title:   `<img src=x onerror="window.__xss='title'"> hostile title`,
		Summary: `<p>safe</p><script>window.__xss='summary'</script><img src=x onerror="window.__xss='summary img'">`,
		Topics:  []string{"xss", "us-iran"}, Published: t0.Add(-50 * time.Hour), FirstSeen: t0.Add(-50 * time.Hour),
		Copies: []news.Copy{
			{Source: "xss", Key: "xss", Link: `javascript:window.__xss='link'`, Published: t0.Add(-50 * time.Hour)},
			{Source: "rudaw", Key: "xss2", Link: `data:text/html,<script>window.__xss='copy'</script>`, Published: t0.Add(-49 * time.Hour)},
		},
	}
	return items
}

func browserStates() []news.SourceState {
	states := testStates()
	states = append(states,
		news.SourceState{Name: "bbc-persian", LastAttempt: t0.Add(-2 * time.Minute), LastSuccess: t0.Add(-2 * time.Minute), Status: 304},
		news.SourceState{Name: "rudaw-ckb", LastAttempt: t0.Add(-9 * time.Minute), LastSuccess: t0.Add(-26 * time.Hour), Status: 0,
			Error: "fetch https://www.rudaw.net/sorani/rss: dial tcp: lookup www.rudaw.net: no such host", Failures: 12},
		news.SourceState{Name: "xss", FeedTitle: `</bdi><script>window.__xss='feed title'</script>`, FeedLink: `javascript:window.__xss='home'`,
			LastAttempt: t0.Add(-time.Minute), Status: 500, Error: `<script>window.__xss='error'</script>`, Failures: 1},
	)
	return states
}
