package daemon

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/ingest"
	"github.com/aggregatord/aggregatord/news"
)

// scrape is one /metrics scrape: series (name and labels) to value.
type scrape map[string]float64

func scrapeMetrics(t *testing.T, url string) scrape {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET %s: %s %s", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	s := scrape{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("bad line in the scrape: %q", line)
		}
		s[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// find returns the sum of the series named name that carry every label
// pair (`k="v"`) given, and whether there was one.
func (s scrape) find(name string, labels ...string) (float64, bool) {
	var sum float64
	found := false
	for series, v := range s {
		n, ls, _ := strings.Cut(series, "{")
		if n != name {
			continue
		}
		ok := true
		for _, l := range labels {
			if !strings.Contains(ls, l) {
				ok = false
			}
		}
		if ok {
			sum += v
			found = true
		}
	}
	return sum, found
}

// TestMetricsScrape runs a daemon over two outlets carrying the same
// wire story, uses the public listener, and finds every series in a real
// scrape of /metrics.
func TestMetricsScrape(t *testing.T) {
	wire := "Iranian and US envoys met in Muscat on Sunday for a fourth round of indirect talks on the nuclear programme, " +
		"Omani mediators said, adding that both delegations agreed to meet again next week after what one official described " +
		"as constructive and serious discussions about sanctions relief, enrichment limits and the release of detained nationals."
	fs := newFeedServer(t)
	fs.set("/en.rss", "application/rss+xml", []byte(rssFeed("English outlet",
		[3]string{"US and Iran hold talks in Muscat", "https://en.example.com/talks", wire},
		[3]string{"Erbil budget row deepens", "https://en.example.com/budget", "Baghdad and Erbil disagree."})))
	fs.set("/wire.rss", "application/rss+xml", []byte(rssFeed("Wire outlet",
		[3]string{"Iran, US envoys meet in Oman", "https://wire.example.com/oman", wire})))
	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, fmt.Sprintf("[[source]]\nname = \"en\"\nurl = \"%[1]s/en.rss\"\n[[source]]\nname = \"wire\"\nurl = \"%[1]s/wire.rss\"\n", fs.URL))
	d, err := Open(loadConfig(t, cfgPath), Options{Version: "9.9.9-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	base := serveDaemon(t, d)
	for deadline := time.Now().Add(5 * time.Second); !d.sched.Running(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("scheduler not running")
		}
	}
	// One source after the other: the second one's copy joins the story.
	for _, name := range []string{"en", "wire"} {
		if _, err := d.sched.RunNow(context.Background(), []string{name}); err != nil {
			t.Fatal(err)
		}
	}

	// Public requests: pages, a feed (then 304), a 404, a misdirected Host.
	resp, err := http.Get(base + "feeds/all.atom")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, base+"feeds/all.atom", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 304 {
		t.Fatalf("conditional feed request: %v %v", resp, err)
	}
	for path, want := range map[string]int{"": 200, "topics": 200, "sources": 200, "topics/us-iran": 200, "nope/" + strings.Repeat("x", 40): 404} {
		if code := status(t, base+path); code != want {
			t.Errorf("GET /%s: %d, want %d", path, code, want)
		}
	}
	req, _ = http.NewRequest(http.MethodGet, base, nil)
	req.Host = "rebind.example.com"
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Fatalf("misdirected request: %v %v", resp, err)
	}

	tests := []struct {
		name   string
		labels []string
		min    float64 // the series' value (summed over matching series) is at least this
	}{
		{"aggregatord_build_info", []string{`version="9.9.9-test"`, `goversion="go`}, 1},
		{"aggregatord_fetches_total", []string{`source="en"`, `result="ok"`}, 1},
		{"aggregatord_fetches_total", []string{`source="wire"`, `result="ok"`}, 1},
		{"aggregatord_items_total", []string{`source="en"`, `kind="new"`}, 2},
		{"aggregatord_fetch_duration_seconds_count", []string{`source="wire"`}, 1},
		{"aggregatord_parse_duration_seconds_count", []string{`source="en"`}, 1},
		{"aggregatord_parse_duration_seconds_sum", []string{`source="en"`}, 1e-9},
		{"aggregatord_items_grouped_total", nil, 1},
		{"aggregatord_topic_matches_total", []string{`topic="us-iran"`}, 2},
		{"aggregatord_store_writes_total", nil, 2},
		{"aggregatord_store_size_bytes", nil, 4096},
		{"aggregatord_http_requests_total", []string{`route="home"`, `code="200"`}, 1},
		{"aggregatord_http_requests_total", []string{`route="topics"`, `code="200"`}, 1},
		{"aggregatord_http_requests_total", []string{`route="topic"`, `code="200"`}, 1},
		{"aggregatord_http_requests_total", []string{`route="sources"`, `code="200"`}, 1},
		{"aggregatord_http_requests_total", []string{`route="feed"`, `code="200"`}, 1},
		{"aggregatord_http_requests_total", []string{`route="feed"`, `code="304"`}, 1},
		{"aggregatord_http_requests_total", []string{`route="other"`, `code="404"`}, 1},
		{"aggregatord_http_requests_total", []string{`route="home"`, `code="421"`}, 1},
		{"aggregatord_http_request_duration_seconds_count", []string{`route="home"`}, 2},
		{"go_goroutines", nil, 1},
	}
	// A request is counted when its handler returns, which can be just
	// after the client has the response: scrape until all are in.
	var s scrape
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s = scrapeMetrics(t, base+"metrics")
		var missing []string
		for _, tt := range tests {
			if v, ok := s.find(tt.name, tt.labels...); !ok || v < tt.min {
				missing = append(missing, fmt.Sprintf("%s%v = %g (present: %v), want at least %g", tt.name, tt.labels, v, ok, tt.min))
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("series missing or short in the scrape:\n%s", strings.Join(missing, "\n"))
		}
	}
	// Labels never carry raw paths.
	for series := range s {
		if strings.Contains(series, "xxxxxxxx") || strings.Contains(series, "rebind") {
			t.Errorf("a request path or host leaked into a label: %s", series)
		}
	}
}

func TestMetricsTopicsFollowConfig(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newMetrics(reg, fakeMetricsStore{}, "dev")
	cfg := &config.Config{Topics: []config.Topic{{ID: "a"}, {ID: "b"}}}
	m.setTopics(cfg)
	m.observe(ingest.Result{Source: "s", Status: ingest.StatusOK, Changed: []news.Item{
		{Topics: []string{"a", "retired"}}, {Topics: []string{"a", "b"}, StoryID: 7},
	}})
	got := gathered(t, reg, "aggregatord_topic_matches_total")
	if want := map[string]float64{"a": 2, "b": 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("topic matches %v, want %v", got, want)
	}
	if got := gathered(t, reg, "aggregatord_items_grouped_total"); got["s"] != 1 {
		t.Errorf("grouped %v", got)
	}
	m.setTopics(&config.Config{Topics: []config.Topic{{ID: "b"}, {ID: "c"}}})
	got = gathered(t, reg, "aggregatord_topic_matches_total")
	if want := map[string]float64{"b": 1, "c": 0}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after a reload: topic matches %v, want %v", got, want)
	}
	// The store size is left out, not zero, when the file cannot be read.
	if got := gathered(t, reg, "aggregatord_store_size_bytes"); len(got) != 0 {
		t.Errorf("store size of a missing file: %v", got)
	}
}

type fakeMetricsStore struct{}

func (fakeMetricsStore) Generation() uint64 { return 3 }
func (fakeMetricsStore) Path() string       { return "/nonexistent/aggregatord.db" }

// gathered returns the values of family name by the value of its first
// label ("" when it has none).
func gathered(t *testing.T, g prometheus.Gatherer, name string) map[string]float64 {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			key := ""
			if len(m.GetLabel()) > 0 {
				key = m.GetLabel()[0].GetValue()
			}
			switch {
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

func TestStatusWriter(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newMetrics(reg, fakeMetricsStore{}, "dev")
	h := m.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/early-hints":
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusTeapot)
		case "/write":
			io.WriteString(w, "x")
		case "/nothing":
		}
	}), func(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/") })
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, p := range []string{"/early-hints", "/write", "/nothing"} {
		status(t, srv.URL+p)
	}
	s := scrapeFrom(t, reg)
	for _, want := range []string{`early-hints 418`, `write 200`, `nothing 200`} {
		if !s[want] {
			t.Errorf("no request counted as %q: %v", want, s)
		}
	}
}

// scrapeFrom returns "route code" of every counted request.
func scrapeFrom(t *testing.T, g prometheus.Gatherer) map[string]bool {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, f := range fams {
		if f.GetName() != "aggregatord_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			out[l["route"]+" "+l["code"]] = true
		}
	}
	return out
}

// TestHTTPSeriesCache: requests are counted under their route and code
// whether their series are cached or, past the cache's bound, resolved at
// each request.
func TestHTTPSeriesCache(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newMetrics(reg, fakeMetricsStore{}, "dev")
	h := m.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.WriteHeader(code)
	}), func(r *http.Request) string { return r.URL.Query().Get("route") })
	serve := func(route string, code int) {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, fmt.Sprintf("/?route=%s&code=%d", route, code), nil))
	}
	for range 3 {
		serve("feed", 304)
		serve("feed", 200)
	}
	for i := range maxHTTPSeries + 10 { // fills the cache, then some
		serve(fmt.Sprintf("r%d", i), 200)
	}
	serve("r1030", 200)
	if n := len(*m.httpSeries.Load()); n != maxHTTPSeries {
		t.Errorf("%d cached series, want the bound %d", n, maxHTTPSeries)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{} // "route code" -> requests; "route" -> observations
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			switch f.GetName() {
			case "aggregatord_http_requests_total":
				got[l["route"]+" "+l["code"]] = m.GetCounter().GetValue()
			case "aggregatord_http_request_duration_seconds":
				got[l["route"]] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	for key, want := range map[string]float64{
		"feed 304": 3, "feed 200": 3, "feed": 6,
		"r0 200": 1, "r0": 1,
		"r1030 200": 2, "r1030": 2,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
}

func TestNormHost(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":              "127.0.0.1",
		"10.1.2.3":               "10.1.2.3",
		"::ffff:127.0.0.1":       "127.0.0.1",
		"::FFFF:7f00:1":          "127.0.0.1",
		"0:0:0:0:0:0:0:1":        "::1",
		"fe80::1%eth0":           "fe80::1",
		"127.0.0.01":             "127.0.0.01", // not an address: a name
		"News.Example.ORG.":      "news.example.org",
		"xn--nws-example-org.ex": "xn--nws-example-org.ex",
	} {
		if got := normHost(in); got != want {
			t.Errorf("normHost(%q) = %q, want %q", in, got, want)
		}
	}
}
