package publish

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/storage"
)

// realStore lets these tests publish from a real *storage.Store, as the
// daemon does through its own adapter.
type realStore struct{ *storage.Store }

func (s realStore) Scan(idx Index, after string, fn func(news.Item, string) bool) error {
	sidx := storage.AllIndex()
	switch idx.Kind {
	case IndexSource:
		sidx = storage.SourceIndex(idx.Name)
	case IndexTopic:
		sidx = storage.TopicIndex(idx.Name)
	}
	err := s.Store.Scan(sidx, storage.Cursor(after), func(it news.Item, at storage.Cursor) bool { return fn(it, string(at)) })
	if errors.Is(err, storage.ErrBadCursor) {
		return fmt.Errorf("%w: %w", ErrBadCursor, err)
	}
	return err
}

// gazaWire is one wire story; each outlet's copy has its own headline and
// edits.
const gazaWire = `<p>Israeli warplanes and tanks struck Hamas targets in the Gaza Strip early Saturday after rockets were fired from the Palestinian enclave at southern Israel, the army said.</p>
<p>The Israeli military said in a statement that it had hit "a weapons manufacturing site and an underground infrastructure" belonging to Hamas, the Islamist movement that rules Gaza, in response to the launch of three rockets on Friday evening.</p>`

// storyStore fills a real store with grouping on: rudaw and kurdistan24
// carry the same wire story (kurdistan24's copy arriving an hour later),
// aljazeera-ar an unrelated item.
func storyStore(t *testing.T) *storage.Store {
	t.Helper()
	now := t0.Add(-3 * time.Hour)
	st, err := storage.Open(filepath.Join(t.TempDir(), "s.db"), storage.Options{
		Now:     func() time.Time { return now },
		Stories: storage.Stories{Enabled: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Check(); err != nil {
			t.Error(err)
		}
		st.Close()
	})
	save := func(source string, it news.Item) {
		t.Helper()
		it.Hash = it.Key
		var state news.SourceState
		for _, s := range testStates() {
			if s.Name == source {
				state = s
			}
		}
		if _, err := st.SaveFetch(state, []news.Item{it}); err != nil {
			t.Fatal(err)
		}
	}
	save("rudaw", news.Item{Key: "r1", Link: "https://www.rudaw.net/english/gaza-strikes", Language: "en",
		Title: "Israel strikes Gaza after rockets fired from enclave", Content: "<p>GAZA CITY (AFP) -</p>" + gazaWire,
		Published: t0.Add(-3 * time.Hour)})
	now = t0.Add(-2 * time.Hour)
	save("kurdistan24", news.Item{Key: "k1", Link: "https://www.kurdistan24.net/en/story/900", Language: "en",
		Title: "Israeli jets, tanks hit Hamas sites in Gaza overnight", Content: gazaWire + "<p>There were no reports of casualties.</p>",
		Published: t0.Add(-150 * time.Minute), Topics: []string{"us-iran"}})
	save("aljazeera-ar", news.Item{Key: "a1", Link: "https://www.aljazeera.net/news/1", Language: "ar",
		Title: "لبنان: تشكيل حكومة جديدة", Summary: "<p>أعلن في لبنان الثلاثاء تشكيل حكومة جديدة برئاسة حسان دياب.</p>",
		Published: t0.Add(-time.Hour)})
	return st
}

func TestStoriesPublished(t *testing.T) {
	st := storyStore(t)
	h := NewHandler(Options{Store: realStore{st}, Site: testSite(), Now: fixedNow})

	// JSON Feed: the story once, as rudaw's earlier copy, with
	// kurdistan24 in _aggregatord.also and its date moved when it joined.
	var f struct {
		Items []struct {
			Title        string `json:"title"`
			ContentHTML  string `json:"content_html"`
			DateModified string `json:"date_modified"`
			Ext          struct {
				Source string `json:"source"`
				Story  uint64 `json:"story"`
				Also   []struct {
					Source string `json:"source"`
					Title  string `json:"title"`
					URL    string `json:"url"`
				} `json:"also"`
			} `json:"_aggregatord"`
		} `json:"items"`
	}
	body := get(t, h, "/feeds/all.json").Body.Bytes()
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 2 {
		t.Fatalf("merged feed has %d items, want 2 (the story once):\n%s", len(f.Items), body)
	}
	story := f.Items[1]
	if story.Ext.Source != "rudaw" || story.Title != "Israel strikes Gaza after rockets fired from enclave" || story.Ext.Story == 0 {
		t.Errorf("story shown as %s %q (story %d), want rudaw's copy", story.Ext.Source, story.Title, story.Ext.Story)
	}
	if len(story.Ext.Also) != 1 || story.Ext.Also[0].Source != "kurdistan24" ||
		story.Ext.Also[0].Title != "Israeli jets, tanks hit Hamas sites in Gaza overnight" ||
		story.Ext.Also[0].URL != "https://www.kurdistan24.net/en/story/900" {
		t.Errorf("_aggregatord.also = %+v", story.Ext.Also)
	}
	if story.DateModified != "2026-03-01T10:00:00Z" {
		t.Errorf("date_modified %s, want when kurdistan24 joined", story.DateModified)
	}
	if want := `<p>Also reported by: <a href="https://www.kurdistan24.net/en/story/900">Kurdistan 24</a></p>`; !strings.HasSuffix(story.ContentHTML, want) {
		t.Errorf("content does not end with %s:\n%s", want, story.ContentHTML)
	}
	if f.Items[0].Ext.Story != 0 || f.Items[0].Ext.Also != nil {
		t.Errorf("lone item has a story: %+v", f.Items[0].Ext)
	}

	// Atom and RSS, as a reader sees them.
	for _, path := range []string{"/feeds/all.atom", "/feeds/all.rss"} {
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(get(t, h, path).Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if len(feed.Items) != 2 || !strings.Contains(feed.Items[1].Content+feed.Items[1].Description, `Also reported by: <a href="https://www.kurdistan24.net/en/story/900">Kurdistan 24</a>`) {
			t.Errorf("%s: %d items, story content %q", path, len(feed.Items), feed.Items[len(feed.Items)-1].Content+feed.Items[len(feed.Items)-1].Description)
		}
	}

	// The topic feed: kurdistan24's copy has the topic, so the story is in
	// it, shown as its leader.
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(get(t, h, "/feeds/topics/us-iran.atom").Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 1 || feed.Items[0].Link != "https://www.rudaw.net/english/gaza-strikes" {
		t.Errorf("topic feed: %d items, first %+v", len(feed.Items), feed.Items)
	}

	// A source's own feed shows its own copy, naming the others.
	body = get(t, h, "/feeds/sources/kurdistan24.json").Body.Bytes()
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 || f.Items[0].Ext.Source != "kurdistan24" || len(f.Items[0].Ext.Also) != 1 || f.Items[0].Ext.Also[0].Source != "rudaw" {
		t.Errorf("kurdistan24's own feed: %s", body)
	}

	// Grouping off: every item, no story.
	st.SetStories(storage.Stories{})
	body = get(t, h, "/feeds/all.json").Body.Bytes()
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 3 || bytes.Contains(body, []byte(`"also"`)) {
		t.Errorf("stories off: %d items, also present: %v", len(f.Items), bytes.Contains(body, []byte(`"also"`)))
	}
}

// TestStoriesGolden pins the merged and per-source feeds of a story.
func TestStoriesGolden(t *testing.T) {
	h := NewHandler(Options{Store: realStore{storyStore(t)}, Site: testSite(), Now: fixedNow})
	for _, tc := range []struct{ name, target string }{
		{"story-all.atom", "/feeds/all.atom"},
		{"story-all.json", "/feeds/all.json"},
		{"story-source-kurdistan24.json", "/feeds/sources/kurdistan24.json"},
		{"story-topic-us-iran.rss", "/feeds/topics/us-iran.rss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := get(t, h, tc.target).Body.Bytes()
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, body, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("GET %s differs from %s (run go test -update after checking):\n%s", tc.target, path, body)
			}
		})
	}
}
