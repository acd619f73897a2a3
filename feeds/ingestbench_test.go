package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// This file generates documents like the ones bench/ serves (issue 7,
// BENCHMARKS.md §2) and measures, side by side in one run, what the cold
// ingest pass costs per item in this package against gofeed's own parse.

// benchDoc is one generated feed document.
type benchDoc struct {
	path  string // served at this path
	body  []byte
	items int
	atom  bool
}

var (
	benchEnglish = strings.Fields(`government parliament minister election oil budget security forces
		border talks agreement crisis region capital officials protesters court ruling economy
		prices investment pipeline militia coalition council delegation ceasefire drone strike
		reconstruction province governor salaries electricity water shortage summit negotiations
		sanctions exports refinery airport students hospital farmers drought journalists`)
	benchEnglishFn = strings.Fields(`the of and in on to with after before for a new said that`)
	benchArabic    = strings.Fields(`الحكومة البرلمان الوزير الانتخابات النفط الموازنة القوات الأمنية
		الحدود المحادثات الاتفاق الأزمة المنطقة العاصمة المسؤولين المحتجين المحكمة الاقتصاد
		الأسعار الاستثمار خط الأنابيب الفصائل التحالف المجلس الوفد وقف إطلاق النار الطائرة
		الإعمار المحافظة المحافظ الرواتب الكهرباء المياه القمة المفاوضات العقوبات الصادرات`)
	benchArabicFn = strings.Fields(`في من على إلى مع بعد قبل و أن قال التي الذي`)
	benchPlaces   = []string{"Erbil", "Baghdad", "Sulaimani", "Duhok", "Kirkuk", "Tehran", "Damascus", "Ankara", "Doha"}
	benchSections = []string{"politics", "middle-east", "kurdistan", "iraq", "world", "economy", "security"}
)

// benchSentence is a sentence of about 12 words.
func benchSentence(r *rand.Rand, arabic bool) string {
	words, fn := benchEnglish, benchEnglishFn
	if arabic {
		words, fn = benchArabic, benchArabicFn
	}
	var b strings.Builder
	for i := range 12 {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case i == 5 && !arabic:
			b.WriteString(benchPlaces[r.IntN(len(benchPlaces))])
		case i%3 == 1:
			b.WriteString(fn[r.IntN(len(fn))])
		default:
			b.WriteString(words[r.IntN(len(words))])
		}
	}
	s := b.String()
	if !arabic {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	if r.IntN(5) == 0 {
		s = `"` + s + `" & more`
	}
	return s + "."
}

// benchItemHTML is a description of about 80 words in paragraphs, with a
// relative link, some <strong> and, one time in four, an image.
func benchItemHTML(r *rand.Rand, arabic bool, host string) string {
	var b strings.Builder
	b.WriteString("<p>")
	for i := range 7 {
		s := html.EscapeString(benchSentence(r, arabic))
		switch {
		case i > 0 && i%3 == 0:
			b.WriteString("</p><p>")
		case i > 0:
			b.WriteByte(' ')
		}
		switch {
		case i == 1:
			b.WriteString(`<a href="/tag/` + benchSections[r.IntN(len(benchSections))] + `">` + s + "</a>")
		case i == 2 && r.IntN(2) == 0:
			b.WriteString("<strong>" + s + "</strong>")
		default:
			b.WriteString(s)
		}
	}
	b.WriteString("</p>")
	if r.IntN(4) == 0 {
		fmt.Fprintf(&b, `<p><img src="https://%s/images/%d.jpg" alt="" width="640" height="360"></p>`, host, r.IntN(1e6))
	}
	return b.String()
}

// benchFeeds generates n feeds of m items: two in three RSS 2.0, one in
// three Atom 1.0, one in five Arabic.
func benchFeeds(n, m int) []benchDoc {
	docs := make([]benchDoc, 0, n)
	base := time.Date(2026, 1, 15, 11, 0, 0, 0, time.UTC)
	for i := range n {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		arabic, atom := i%5 == 4, i%3 == 2
		host := fmt.Sprintf("outlet%d.example", i)
		lang := "en"
		if arabic {
			lang = "ar"
		}
		var b bytes.Buffer
		esc := func(s string) { b.WriteString(html.EscapeString(s)) }
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		if atom {
			fmt.Fprintf(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n<title>Outlet %d</title>\n<id>https://%s/</id>\n<link href=\"https://%s/\"/>\n<updated>%s</updated>\n",
				lang, i, host, host, base.Format(time.RFC3339))
		} else {
			fmt.Fprintf(&b, "<rss version=\"2.0\">\n<channel>\n<title>Outlet %d</title>\n<link>https://%s/</link>\n<description>Latest news</description>\n<language>%s</language>\n",
				i, host, lang)
		}
		for j := range m {
			pub := base.Add(-time.Duration(j) * 30 * time.Minute)
			title := strings.TrimSuffix(benchSentence(r, arabic), ".")
			link := fmt.Sprintf("https://%s/%s/2026/story-%d-%d", host, benchSections[r.IntN(len(benchSections))], i, j)
			desc := benchItemHTML(r, arabic, host)
			if atom {
				b.WriteString("<entry>\n<title>")
				esc(title)
				fmt.Fprintf(&b, "</title>\n<id>tag:%s,2026:%d</id>\n<link rel=\"alternate\" href=\"%s\"/>\n<published>%s</published>\n<updated>%s</updated>\n<author><name>Staff</name></author>\n<summary type=\"html\">",
					host, j, link, pub.Format(time.RFC3339), pub.Format(time.RFC3339))
				esc(desc)
				b.WriteString("</summary>\n</entry>\n")
				continue
			}
			b.WriteString("<item>\n<title>")
			esc(title)
			fmt.Fprintf(&b, "</title>\n<link>%s</link>\n", link)
			if r.IntN(3) == 0 {
				fmt.Fprintf(&b, "<guid isPermaLink=\"false\">main-%d-%d</guid>\n", i, j)
			} else {
				fmt.Fprintf(&b, "<guid>%s</guid>\n", link)
			}
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>\n<category>News</category>\n<description>", pub.Format(time.RFC1123Z))
			esc(desc)
			b.WriteString("</description>\n</item>\n")
		}
		if atom {
			b.WriteString("</feed>\n")
		} else {
			b.WriteString("</channel>\n</rss>\n")
		}
		docs = append(docs, benchDoc{path: fmt.Sprintf("/feed%d", i), body: b.Bytes(), items: m, atom: atom})
	}
	return docs
}

// cpuNow returns the process's user+system CPU time.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIngestCost measures, in one run and on the same generated
// documents (20 feeds × 50 items), per item:
//
//   - gofeed-cpu-µs/item: gofeed.Parser.Parse alone (one parser, as the
//     floor in bench/ uses);
//   - parse-cpu-µs/item: Parse, as ingest calls it for each fetched body;
//   - fetch-cpu-µs/item: Fetcher.Fetch of the documents over loopback
//     from an httptest server that sends them gzipped with an ETag (the
//     server's CPU is in the figure too: it writes precompressed bytes);
//   - parse/gofeed: the ratio of the first two.
//
// CPU is the process's user+system time (GC included), which other
// processes on a shared machine disturb less than wall time; wall-µs
// figures are reported too. Run it as
//
//	go test ./feeds -run '^$' -bench IngestCost -benchtime 1s -count 3
func BenchmarkIngestCost(b *testing.B) {
	docs := benchFeeds(20, 50)
	items := 0
	gz := make(map[string][]byte, len(docs))
	for _, d := range docs {
		items += d.items
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(d.body)
		_ = zw.Close()
		gz[d.path] = buf.Bytes()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := gz[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		etag := `"` + r.URL.Path + `-v1"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/xml; charset=utf-8")
		h.Set("ETag", etag)
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", fmt.Sprint(len(body)))
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	fetcher := NewFetcher(FetcherOptions{})
	ctx := context.Background()
	gp := gofeed.NewParser()

	var gofeedCPU, parseCPU, fetchCPU time.Duration
	var gofeedWall, parseWall, fetchWall time.Duration
	phase := func(cpu, wall *time.Duration, fn func()) {
		c0, w0 := cpuNow(), time.Now()
		fn()
		*wall += time.Since(w0)
		*cpu += cpuNow() - c0
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		phase(&gofeedCPU, &gofeedWall, func() {
			for _, d := range docs {
				if _, err := gp.Parse(bytes.NewReader(d.body)); err != nil {
					b.Fatal(err)
				}
			}
		})
		phase(&parseCPU, &parseWall, func() {
			for _, d := range docs {
				f, err := Parse(d.body, ParseOptions{
					ContentType: "application/xml; charset=utf-8",
					URL:         "https://example.com" + d.path,
					Source:      "bench",
					Tags:        []string{"news"},
					Now:         testNow,
				})
				if err != nil || len(f.Items) != d.items {
					b.Fatalf("%s: %v", d.path, err)
				}
			}
		})
		phase(&fetchCPU, &fetchWall, func() {
			for _, d := range docs {
				resp, err := fetcher.Fetch(ctx, Request{URL: srv.URL + d.path})
				if err != nil || len(resp.Body) != len(d.body) {
					b.Fatalf("%s: %v", d.path, err)
				}
			}
		})
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n*items) }
	b.ReportMetric(per(gofeedCPU), "gofeed-cpu-µs/item")
	b.ReportMetric(per(parseCPU), "parse-cpu-µs/item")
	b.ReportMetric(per(fetchCPU), "fetch-cpu-µs/item")
	b.ReportMetric(per(gofeedWall), "gofeed-wall-µs/item")
	b.ReportMetric(per(parseWall), "parse-wall-µs/item")
	b.ReportMetric(per(fetchWall), "fetch-wall-µs/item")
	if gofeedCPU > 0 {
		b.ReportMetric(float64(parseCPU)/float64(gofeedCPU), "parse/gofeed")
	}
}

// BenchmarkParseGenerated is Parse alone on the generated documents, for
// profiling: go test ./feeds -run '^$' -bench ParseGenerated -cpuprofile cpu.out
func BenchmarkParseGenerated(b *testing.B) {
	docs := benchFeeds(20, 50)
	items := 0
	for _, d := range docs {
		items += d.items
	}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		for _, d := range docs {
			if _, err := Parse(d.body, ParseOptions{ContentType: "application/xml; charset=utf-8", URL: "https://example.com" + d.path, Now: testNow}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N*items), "µs/item")
}

// BenchmarkFetchGenerated is Fetcher.Fetch alone on the generated
// documents served gzipped over loopback, for profiling.
func BenchmarkFetchGenerated(b *testing.B) {
	docs := benchFeeds(20, 50)
	gz := make(map[string][]byte, len(docs))
	for _, d := range docs {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(d.body)
		_ = zw.Close()
		gz[d.path] = buf.Bytes()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/xml; charset=utf-8")
		h.Set("ETag", `"v1"`)
		h.Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz[r.URL.Path])
	}))
	defer srv.Close()
	f := NewFetcher(FetcherOptions{})
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + d.path}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
