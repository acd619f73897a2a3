package opml

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/publish"
)

// emptyStore is a publish.Store with no items; it knows the feed titles
// of the sources that have no configured title.
type emptyStore struct{ states []news.SourceState }

var _ publish.Store = emptyStore{}

func (emptyStore) Scan(publish.Index, string, func(news.Item, string) bool) error { return nil }
func (emptyStore) Generation() uint64                                             { return 1 }
func (emptyStore) LastChange() time.Time                                          { return time.Time{} }
func (s emptyStore) SourceStates() ([]news.SourceState, error)                    { return s.states, nil }

// TestRoundTrip serves sources as OPML through publish's /opml, parses the
// response, and checks that every enabled source comes back with its URL,
// title and tags.
func TestRoundTrip(t *testing.T) {
	sources := []publish.SourceInfo{
		{Name: "rudaw", Title: "Rudaw English", URL: "https://www.rudaw.net/english/rss", Tags: []string{"iraq", "kurdistan"}, Enabled: true},
		{Name: "kurdistan24", Title: "Kurdistan24", URL: "https://www.kurdistan24.net/en/rss", Tags: []string{"kurdistan", "iraq"}, Enabled: true},
		{Name: "aljazeera-ar", Title: "الجزيرة نت", URL: "https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/73d0e1b4-532f-45ef-b135-bfdff8b8cab9", Tags: []string{"middle-east", "arabic"}, Enabled: true},
		{Name: "bbc-arabic", Title: "BBC عربي", URL: "https://feeds.bbci.co.uk/arabic/rss.xml", Tags: []string{"middle-east", "arabic"}, Enabled: true},
		{Name: "quotes", Title: `Tom & Jerry's "News" <b>`, URL: "https://x.example/feed?a=1&b=2", Tags: []string{"a-b", "c"}, Enabled: true},
		{Name: "untagged", Title: "No Tags", URL: "http://plain.example/rss.xml", Enabled: true},
		{Name: "own-title", URL: "https://own.example/atom", Tags: []string{"world"}, Enabled: true},
		{Name: "off", Title: "Disabled", URL: "https://off.example/rss", Tags: []string{"x"}, Enabled: false},
	}
	store := emptyStore{states: []news.SourceState{{Name: "own-title", URL: "https://own.example/atom", FeedTitle: "The Feed's Own Title", FeedLink: "https://own.example/"}}}
	h := publish.NewHandler(publish.Options{
		Store: store,
		Site:  publish.Site{Title: "Regional news", BaseURL: "http://127.0.0.1:8080/", Sources: sources},
		Now:   func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) },
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/opml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /opml: %s", resp.Status)
	}
	res, err := Parse(resp.Body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(res.Skipped) != 0 || len(res.Warnings) != 0 {
		t.Errorf("skipped %+v, warnings %q", res.Skipped, res.Warnings)
	}

	byURL := map[string]Source{}
	for _, s := range res.Sources {
		byURL[s.URL] = s
	}
	want := 0
	for _, src := range sources {
		got, ok := byURL[src.URL]
		if !src.Enabled {
			if ok {
				t.Errorf("disabled source %q exported", src.Name)
			}
			continue
		}
		want++
		if !ok {
			t.Errorf("source %q (%s) did not come back", src.Name, src.URL)
			continue
		}
		title := src.Title
		if title == "" {
			title = "The Feed's Own Title"
		}
		if got.Title != title {
			t.Errorf("source %q: title %q, want %q", src.Name, got.Title, title)
		}
		if !reflect.DeepEqual(got.Tags, src.Tags) {
			t.Errorf("source %q: tags %q, want %q", src.Name, got.Tags, src.Tags)
		}
	}
	if len(res.Sources) != want {
		t.Errorf("got %d sources, want %d: %s", len(res.Sources), want, fmtSources(res.Sources))
	}
	checkResult(t, res)
}
