package demo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/text/encoding/charmap"
)

// testNow is the clock the tests start the server with: deliberately not a
// whole second, and far from the stored base date.
var testNow = time.Date(2031, time.July, 3, 17, 42, 9, 123456789, time.UTC)

// wantItems is the number of items in each sample feed, by source name.
var wantItems = map[string]int{
	"erbil-daily":     11,
	"tigris-tribune":  10,
	"gulf-maritime":   9,
	"levant-ledger":   9,
	"mideast-desk":    13,
	"sada-alrafidayn": 11,
}

// startServer starts a demo server at testNow, closed when the test ends.
func startServer(t testing.TB) *Server {
	t.Helper()
	s, err := Start(testNow)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// get sends a request to the server and returns the response with its body
// read.
func get(t testing.TB, method, rawURL string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, rawURL, err)
	}
	return resp, body
}

// fetchAll fetches and parses every served feed, by source name.
func fetchAll(t *testing.T, s *Server) map[string]*gofeed.Feed {
	t.Helper()
	out := make(map[string]*gofeed.Feed)
	for _, info := range catalog() {
		resp, body := get(t, http.MethodGet, s.FeedURL(info.Name), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", info.Name, resp.StatusCode)
		}
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("parse served %s: %v", info.Name, err)
		}
		out[info.Name] = feed
	}
	return out
}

func TestCatalogMatchesFiles(t *testing.T) {
	entries, err := fs.ReadDir(Feeds(), ".")
	if err != nil {
		t.Fatal(err)
	}
	inCatalog := make(map[string]bool)
	for _, info := range catalog() {
		if inCatalog[info.File] {
			t.Errorf("catalog lists %s twice", info.File)
		}
		inCatalog[info.File] = true
		if _, ok := wantItems[info.Name]; !ok {
			t.Errorf("no expected item count for %s", info.Name)
		}
	}
	if len(entries) != len(inCatalog) {
		t.Errorf("Feeds() has %d files, catalog %d", len(entries), len(inCatalog))
	}
	for _, e := range entries {
		if !inCatalog[e.Name()] {
			t.Errorf("embedded file %s is not in the catalog", e.Name())
		}
	}
}

func TestFeedsParse(t *testing.T) {
	s := startServer(t)
	served := fetchAll(t, s)
	for _, info := range catalog() {
		t.Run(info.Name, func(t *testing.T) {
			raw, err := fs.ReadFile(Feeds(), info.File)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := gofeed.NewParser().Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("parse stored: %v", err)
			}
			wantType := map[format]string{formatRSS: "rss", formatAtom: "atom", formatJSON: "json"}[info.Format]
			for _, c := range []struct {
				name string
				feed *gofeed.Feed
			}{{"stored", stored}, {"served", served[info.Name]}} {
				f := c.feed
				if f.FeedType != wantType {
					t.Errorf("%s: type %q, want %q", c.name, f.FeedType, wantType)
				}
				if got := len(f.Items); got != wantItems[info.Name] {
					t.Errorf("%s: %d items, want %d", c.name, got, wantItems[info.Name])
				}
				if f.Title != info.Title {
					t.Errorf("%s: title %q, want %q", c.name, f.Title, info.Title)
				}
				if !strings.Contains(f.Description, "SAMPLE DATA") {
					t.Errorf("%s: description %q does not say it is sample data", c.name, f.Description)
				}
				if f.Language != info.Language {
					t.Errorf("%s: language %q, want %q", c.name, f.Language, info.Language)
				}
				for _, it := range f.Items {
					if it.Title == "" || it.Link == "" || (it.Description == "" && it.Content == "") {
						t.Errorf("%s: incomplete item %+v", c.name, it)
					}
					u, err := url.Parse(it.Link)
					if err != nil || u.Scheme != "https" || !strings.HasSuffix(u.Host, ".example.com") {
						t.Errorf("%s: item link %q is not an https example.com URL", c.name, it.Link)
					}
				}
			}
			for i, it := range stored.Items {
				if got := served[info.Name].Items[i].Title; got != it.Title {
					t.Errorf("item %d: served title %q, stored %q", i, got, it.Title)
				}
			}
		})
	}
}

func TestDates(t *testing.T) {
	s := startServer(t)
	served := fetchAll(t, s)
	for _, info := range catalog() {
		t.Run(info.Name, func(t *testing.T) {
			raw, err := fs.ReadFile(Feeds(), info.File)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := gofeed.NewParser().Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			layout := time.RFC3339
			if info.Format == formatRSS {
				layout = time.RFC1123Z
			}
			check := func(what string, f *gofeed.Feed, lo, hi time.Time) {
				for i, it := range f.Items {
					for _, d := range []struct {
						name   string
						text   string
						parsed *time.Time
					}{{"published", it.Published, it.PublishedParsed}, {"updated", it.Updated, it.UpdatedParsed}} {
						if d.text == "" && d.name == "updated" && info.Format == formatRSS {
							continue // RSS has no item update date
						}
						if d.parsed == nil {
							t.Errorf("%s item %d: %s %q not parsed", what, i, d.name, d.text)
							continue
						}
						if _, err := time.Parse(layout, d.text); err != nil {
							t.Errorf("%s item %d: %s %q not in layout %s", what, i, d.name, d.text, layout)
						}
						if d.parsed.Before(lo) || d.parsed.After(hi) {
							t.Errorf("%s item %d: %s %v not in [%v, %v]", what, i, d.name, d.parsed, lo, hi)
						}
					}
				}
				if info.Format != formatJSON {
					if f.UpdatedParsed == nil || f.UpdatedParsed.Before(lo) || f.UpdatedParsed.After(hi) {
						t.Errorf("%s: feed updated %q not in [%v, %v]", what, f.Updated, lo, hi)
					}
				}
			}
			check("stored", stored, baseTime().Add(-72*time.Hour), baseTime())
			check("served", served[info.Name], testNow.Add(-4*24*time.Hour), testNow)

			// The items really are spread over the last three days.
			var oldest, newest time.Time
			for _, it := range served[info.Name].Items {
				p := *it.PublishedParsed
				if oldest.IsZero() || p.Before(oldest) {
					oldest = p
				}
				if p.After(newest) {
					newest = p
				}
			}
			if testNow.Sub(newest) > 8*time.Hour || testNow.Sub(oldest) < 40*time.Hour {
				t.Errorf("items span %v to %v before now; want the newest within 8h and the oldest over 40h", testNow.Sub(newest), testNow.Sub(oldest))
			}
		})
	}
}

func TestArabicFeedWindows1256(t *testing.T) {
	s := startServer(t)
	resp, body := get(t, http.MethodGet, s.FeedURL("sada-alrafidayn"), nil)
	if got, want := resp.Header.Get("Content-Type"), "application/rss+xml; charset=windows-1256"; got != want {
		t.Errorf("Content-Type %q, want %q", got, want)
	}
	if !bytes.HasPrefix(body, []byte(`<?xml version="1.0" encoding="windows-1256"?>`)) {
		t.Errorf("body starts %q, want a windows-1256 XML declaration", body[:min(60, len(body))])
	}
	if utf8.Valid(body) {
		t.Error("served body is valid UTF-8; want windows-1256 bytes")
	}
	// Arabic letters are single bytes in windows-1256: ا is 0xC7.
	if !bytes.Contains(body, []byte{0xC7}) {
		t.Error("served body has no windows-1256 alef (0xC7)")
	}

	decoded, err := charmap.Windows1256.NewDecoder().Bytes(body)
	if err != nil {
		t.Fatalf("decode windows-1256: %v", err)
	}
	raw, err := fs.ReadFile(Feeds(), "sada-alrafidayn.rss")
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := shiftDates(raw, formatRSS, testNow.Sub(baseTime()).Truncate(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want = bytes.Replace(want, []byte(`encoding="UTF-8"`), []byte(`encoding="windows-1256"`), 1)
	if !bytes.Equal(decoded, want) {
		t.Errorf("decoded body differs from the stored UTF-8 text:\n got %.300s\nwant %.300s", decoded, want)
	}

	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse served: %v", err)
	}
	titles := map[string]bool{}
	for _, it := range feed.Items {
		titles[it.Title] = true
	}
	for _, w := range []string{
		"واشنطن تفرض عقوبات جديدة على شبكة لتهريب النفط الإيراني",
		"السُّلَيْمَانِيَّة: المعلِّمون يُنهون إضرابهم بعد صرف الرواتب",
		"مهرجان فجر السينمائي في طهران يمنح جائزته الكبرى لفيلم «طريق الملح»",
	} {
		if !titles[w] {
			t.Errorf("served feed lacks the title %q", w)
		}
	}
	if feed.Title != "صدى الرافدين (عينة)" {
		t.Errorf("feed title %q", feed.Title)
	}
}

func TestConditionalGET(t *testing.T) {
	s := startServer(t)
	for _, info := range catalog() {
		t.Run(info.Name, func(t *testing.T) {
			u := s.FeedURL(info.Name)
			first, body := get(t, http.MethodGet, u, nil)
			if first.StatusCode != http.StatusOK {
				t.Fatalf("status %d", first.StatusCode)
			}
			etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
			if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
				t.Errorf("ETag %q is not a strong quoted tag", etag)
			}
			lm, err := http.ParseTime(lastMod)
			if err != nil {
				t.Fatalf("Last-Modified %q: %v", lastMod, err)
			}
			if lm.After(testNow) || lm.Before(testNow.Add(-8*time.Hour)) {
				t.Errorf("Last-Modified %v, want the newest item, shortly before %v", lm, testNow)
			}
			if got := first.Header.Get("Content-Type"); got != info.ContentType() {
				t.Errorf("Content-Type %q, want %q", got, info.ContentType())
			}
			if len(body) == 0 {
				t.Error("empty body")
			}

			tests := []struct {
				name   string
				method string
				header http.Header
				want   int
			}{
				{"if-none-match", http.MethodGet, http.Header{"If-None-Match": {etag}}, http.StatusNotModified},
				{"if-none-match list", http.MethodGet, http.Header{"If-None-Match": {`"other", ` + etag}}, http.StatusNotModified},
				{"if-modified-since", http.MethodGet, http.Header{"If-Modified-Since": {lastMod}}, http.StatusNotModified},
				{"both", http.MethodGet, http.Header{"If-None-Match": {etag}, "If-Modified-Since": {lastMod}}, http.StatusNotModified},
				{"stale etag", http.MethodGet, http.Header{"If-None-Match": {`"stale"`}}, http.StatusOK},
				{"stale etag wins over date", http.MethodGet, http.Header{"If-None-Match": {`"stale"`}, "If-Modified-Since": {lastMod}}, http.StatusOK},
				{"older date", http.MethodGet, http.Header{"If-Modified-Since": {lm.Add(-time.Hour).Format(http.TimeFormat)}}, http.StatusOK},
				{"head", http.MethodHead, nil, http.StatusOK},
				{"head conditional", http.MethodHead, http.Header{"If-None-Match": {etag}}, http.StatusNotModified},
				{"post", http.MethodPost, nil, http.StatusMethodNotAllowed},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					resp, b := get(t, tc.method, u, tc.header)
					if resp.StatusCode != tc.want {
						t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
					}
					switch {
					case tc.want == http.StatusNotModified:
						if len(b) != 0 {
							t.Errorf("304 with a body of %d bytes", len(b))
						}
						if resp.Header.Get("ETag") != etag {
							t.Errorf("304 ETag %q, want %q", resp.Header.Get("ETag"), etag)
						}
					case tc.want == http.StatusOK && tc.method == http.MethodGet:
						if !bytes.Equal(b, body) {
							t.Error("body changed between requests")
						}
					}
				})
			}
		})
	}
}

func TestIndexAndRoutes(t *testing.T) {
	s := startServer(t)
	resp, body := get(t, http.MethodGet, s.URL(), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /: status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET /: Content-Type %q", ct)
	}
	for _, info := range catalog() {
		if !bytes.Contains(body, []byte(`href="`+info.Path()+`"`)) {
			t.Errorf("GET / does not link %s", info.Path())
		}
		if !bytes.Contains(body, []byte(info.Title)) {
			t.Errorf("GET / does not name %s", info.Title)
		}
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{"nope", http.StatusNotFound},
		{"feeds/", http.StatusNotFound},
		{"feeds/unknown.rss", http.StatusNotFound},
		{"erbil-daily.rss", http.StatusNotFound},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, _ := get(t, http.MethodGet, s.URL()+tc.path, nil)
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestStartClose(t *testing.T) {
	s, err := Start(testNow)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" || u.Path != "/" {
		t.Errorf("URL %q, want http://127.0.0.1:PORT/", s.URL())
	}
	if got := s.FeedURL("erbil-daily"); got != s.URL()+"feeds/erbil-daily.rss" {
		t.Errorf("FeedURL = %q", got)
	}
	if got := s.FeedURL("nope"); got != "" {
		t.Errorf("FeedURL(nope) = %q, want empty", got)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL(), nil)
	if resp, err := (&http.Client{}).Do(req); err == nil {
		resp.Body.Close()
		t.Error("request after Close succeeded")
	}

	var zero Server
	if err := zero.Close(); err != nil {
		t.Errorf("Close on a zero Server: %v", err)
	}

	// Two servers run side by side: no shared state.
	a, b := startServer(t), startServer(t)
	if a.URL() == b.URL() {
		t.Errorf("two servers share the URL %s", a.URL())
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		f    format
		want error
	}{
		{"rss bad date", `<rss><pubDate>yesterday</pubDate></rss>`, formatRSS, ErrBadDate},
		{"rss rfc3339 date", `<rss><pubDate>2026-01-12T09:00:00Z</pubDate></rss>`, formatRSS, ErrBadDate},
		{"atom rfc1123 date", `<feed><updated>Mon, 12 Jan 2026 09:00:00 +0000</updated></feed>`, formatAtom, ErrBadDate},
		{"json empty date", `{"date_published": ""}`, formatJSON, ErrBadDate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := shiftDates([]byte(tc.data), tc.f, time.Hour)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, _, err := shiftDates(nil, format(99), 0); err == nil {
		t.Error("unknown format: no error")
	}

	t.Run("encode without declaration", func(t *testing.T) {
		_, err := encodeWindows1256([]byte(`<rss/>`))
		if !errors.Is(err, ErrNoDeclaration) {
			t.Errorf("err = %v, want ErrNoDeclaration", err)
		}
	})
	t.Run("encode unencodable", func(t *testing.T) {
		// ڕ (Kurdish reh with small v) and Arabic-Indic digits are not in windows-1256.
		for _, s := range []string{"ڕ", "٢٠٢٦"} {
			if _, err := encodeWindows1256([]byte(utf8Declaration + "<t>" + s + "</t>")); err == nil {
				t.Errorf("%q: no error", s)
			}
		}
	})
}

func TestShiftDates(t *testing.T) {
	tests := []struct {
		name, in, want string
		f              format
		shift          time.Duration
		newest         time.Time
	}{
		{
			name:   "rss keeps offset",
			in:     "<pubDate>Mon, 12 Jan 2026 09:50:00 +0300</pubDate><lastBuildDate> Sun, 11 Jan 2026 09:50:00 +0300 </lastBuildDate>",
			want:   "<pubDate>Tue, 13 Jan 2026 10:50:00 +0300</pubDate><lastBuildDate>Mon, 12 Jan 2026 10:50:00 +0300</lastBuildDate>",
			f:      formatRSS,
			shift:  25 * time.Hour,
			newest: time.Date(2026, 1, 13, 7, 50, 0, 0, time.UTC),
		},
		{
			name:   "atom",
			in:     `<published>2026-01-12T09:00:00+03:00</published><updated>2026-01-12T09:00:00Z</updated>`,
			want:   `<published>2026-01-12T08:00:00+03:00</published><updated>2026-01-12T08:00:00Z</updated>`,
			f:      formatAtom,
			shift:  -time.Hour,
			newest: time.Date(2026, 1, 12, 8, 0, 0, 0, time.UTC),
		},
		{
			name:   "json",
			in:     `{"date_published": "2026-01-12T09:00:00+03:00", "date_modified":"2026-01-12T10:00:00+03:00", "title": "2026-01-12T09:00:00Z"}`,
			want:   `{"date_published": "2026-01-12T09:00:30+03:00", "date_modified":"2026-01-12T10:00:30+03:00", "title": "2026-01-12T09:00:00Z"}`,
			f:      formatJSON,
			shift:  30 * time.Second,
			newest: time.Date(2026, 1, 12, 7, 0, 30, 0, time.UTC),
		},
		{
			name: "no dates",
			in:   `<rss><title>pubDate</title></rss>`,
			want: `<rss><title>pubDate</title></rss>`,
			f:    formatRSS,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, newest, err := shiftDates([]byte(tc.in), tc.f, tc.shift)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if !newest.Equal(tc.newest) {
				t.Errorf("newest %v, want %v", newest, tc.newest)
			}
		})
	}
}

// FuzzShiftDates checks that shifting dates never panics, and that when it
// succeeds its output is a fixed point of a zero shift.
func FuzzShiftDates(f *testing.F) {
	for _, info := range catalog() {
		raw, err := fs.ReadFile(Feeds(), info.File)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, uint8(info.Format), int64(time.Hour))
	}
	f.Add([]byte(`<pubDate>Mon, 12 Jan 2026 09:50:00 +0300</pubDate>`), uint8(formatRSS), int64(-1))
	f.Add([]byte(`{"date_modified":"0000-01-01T00:00:00Z"}`), uint8(formatJSON), int64(-1<<62))
	f.Add([]byte(`<updated>9999-12-31T23:59:59Z</updated>`), uint8(formatAtom), int64(1<<62))
	f.Fuzz(func(t *testing.T, data []byte, fm uint8, shift int64) {
		out, _, err := shiftDates(data, format(fm), time.Duration(shift))
		if err != nil {
			return
		}
		again, _, err := shiftDates(out, format(fm), 0)
		if err != nil {
			// Moving a date past year 9999 or before year 0 formats it
			// in a form the layout cannot read back; only that may fail.
			if errors.Is(err, ErrBadDate) {
				return
			}
			t.Fatalf("re-shift: %v", err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("zero shift changed the output:\n%s\n%s", out, again)
		}
	})
}

// BenchmarkServeFeed measures one conditional and one full GET of a feed
// through the handler.
func BenchmarkServeFeed(b *testing.B) {
	s := startServer(b)
	u := s.FeedURL("mideast-desk")
	resp, _ := get(b, http.MethodGet, u, nil)
	etag := resp.Header.Get("ETag")
	b.Run("200", func(b *testing.B) {
		for b.Loop() {
			get(b, http.MethodGet, u, nil)
		}
	})
	b.Run("304", func(b *testing.B) {
		h := http.Header{"If-None-Match": {etag}}
		for b.Loop() {
			get(b, http.MethodGet, u, h)
		}
	})
}

// TestSampleCases pins the cases the sample data exists to exercise, so
// that an edit to a feed cannot silently drop one.
func TestSampleCases(t *testing.T) {
	s := startServer(t)
	feeds := fetchAll(t, s)
	type hit struct {
		source string
		item   *gofeed.Item
	}
	find := func(pred func(*gofeed.Item) bool) []hit {
		var out []hit
		for _, info := range catalog() {
			for _, it := range feeds[info.Name].Items {
				if pred(it) {
					out = append(out, hit{info.Name, it})
				}
			}
		}
		return out
	}
	text := func(it *gofeed.Item) string { return it.Description + " " + it.Content }

	t.Run("wire story in several outlets under different links", func(t *testing.T) {
		for _, marker := range []string{"(AFP)|— AFP", "(Reuters)"} {
			hits := find(func(it *gofeed.Item) bool {
				for _, m := range strings.Split(marker, "|") {
					if strings.Contains(text(it), m) {
						return true
					}
				}
				return false
			})
			links, sources := map[string]bool{}, map[string]bool{}
			for _, h := range hits {
				links[h.item.Link] = true
				sources[h.source] = true
			}
			if len(hits) < 2 || len(links) != len(hits) || len(sources) != len(hits) {
				t.Errorf("%s: %d copies in %d sources with %d links; want ≥2 copies, one per source, distinct links", marker, len(hits), len(sources), len(links))
			}
		}
	})
	t.Run("same link in two sources", func(t *testing.T) {
		bySource := map[string]map[string]bool{}
		for _, info := range catalog() {
			for _, it := range feeds[info.Name].Items {
				if bySource[it.Link] == nil {
					bySource[it.Link] = map[string]bool{}
				}
				bySource[it.Link][info.Name] = true
			}
		}
		n := 0
		for _, srcs := range bySource {
			if len(srcs) > 1 {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d links shared by several sources, want 1", n)
		}
	})
	t.Run("utm link with a clean twin", func(t *testing.T) {
		hits := find(func(it *gofeed.Item) bool { return strings.Contains(it.Link, "utm_source=") })
		if len(hits) != 1 {
			t.Fatalf("%d items with utm_ links, want 1", len(hits))
		}
		clean, _, _ := strings.Cut(hits[0].item.Link, "?")
		twins := find(func(it *gofeed.Item) bool { return it.Link == clean })
		if len(twins) != 1 || twins[0].source == hits[0].source {
			t.Errorf("want one copy of %s in another source, got %d", clean, len(twins))
		}
	})
	t.Run("html summary with relative image and link", func(t *testing.T) {
		hits := find(func(it *gofeed.Item) bool {
			return strings.Contains(it.Description, `<img src="/`) && strings.Contains(it.Description, `<a href="/`)
		})
		if len(hits) == 0 {
			t.Error("no item with a relative <img> and <a> in its summary")
		}
	})
	t.Run("title with entities", func(t *testing.T) {
		raw, err := fs.ReadFile(Feeds(), "erbil-daily.rss")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(raw, []byte("<title>Baghdad &amp;amp; Erbil")) || !bytes.Contains(raw, []byte("KRG&amp;#8217;s")) {
			t.Error("erbil-daily.rss lost its double-escaped title")
		}
	})
	t.Run("near misses", func(t *testing.T) {
		for _, w := range []string{"earthquake", "US and China", "Tirana", "Film Festival", "Stars League", "زلزال", "مهرجان فجر"} {
			if len(find(func(it *gofeed.Item) bool { return strings.Contains(it.Title, w) })) == 0 {
				t.Errorf("no near-miss item titled with %q", w)
			}
		}
	})
}
