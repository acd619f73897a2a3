package daemon

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRetagOnTopicChange: items stored under one topic definition are
// re-tagged in the background when a reload changes it, so the topic feed
// is right for old items too; after a restart with yet another definition
// the same happens at start.
func TestRetagOnTopicChange(t *testing.T) {
	fs := newFeedServer(t)
	fs.set("/a.rss", "application/rss+xml", []byte(rssFeed("A",
		[3]string{"Iran and US resume talks", "https://a.example.com/1", "Envoys met in Muscat."},
		[3]string{"Erbil budget row deepens", "https://a.example.com/2", "Baghdad and Erbil disagree."},
		[3]string{"Iraq election date set", "https://a.example.com/3", "Parliament voted."},
	)))
	dir := t.TempDir()
	write := func(query string) string {
		p := writeConfig(t, dir, fmt.Sprintf("[[source]]\nname = \"a\"\nurl = \"%s/a.rss\"\n", fs.URL))
		data, _ := os.ReadFile(p)
		data = []byte(strings.Replace(string(data), "query = 'iran AND =US'", "query = '"+query+"'", 1))
		os.WriteFile(p, data, 0o644)
		return p
	}
	cfgPath := write("iran")
	d, err := Open(loadConfig(t, cfgPath), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.FetchOnce(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	base := serveDaemon(t, d)
	waitTopic := func(want ...string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			f := getFeed(t, base+"feeds/topics/us-iran.json")
			var got []string
			for _, it := range f.Items {
				got = append(got, it.Title)
			}
			if strings.Join(got, "|") == strings.Join(want, "|") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("topic feed %q, want %q", got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitTopic("Iran and US resume talks")

	// Reload with a changed query: old items are re-tagged.
	if err := d.Reload(loadConfig(t, write("erbil OR election"))); err != nil {
		t.Fatal(err)
	}
	waitTopic("Erbil budget row deepens", "Iraq election date set")
	waitFor(t, func() bool {
		v, _ := d.Store().Setting(topicsSetting)
		return v == TopicsDigest(d.Config())
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRetagAtStart: a restart with a changed topic re-tags at start.
func TestRetagAtStart(t *testing.T) {
	fs := newFeedServer(t)
	fs.set("/a.rss", "application/rss+xml", []byte(rssFeed("A",
		[3]string{"Iran and US resume talks", "https://a.example.com/1", "x"},
		[3]string{"Erbil budget row deepens", "https://a.example.com/2", "y"},
	)))
	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, fmt.Sprintf("[[source]]\nname = \"a\"\nurl = \"%s/a.rss\"\n", fs.URL))
	d, err := Open(loadConfig(t, cfgPath), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.FetchOnce(context.Background(), nil)
	d.Close()

	data, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, []byte(strings.Replace(string(data), "query = 'iran AND =US'", "query = 'erbil'", 1)), 0o644)
	d, err = Open(loadConfig(t, cfgPath), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	base := serveDaemon(t, d)
	waitFor(t, func() bool {
		f := getFeed(t, base+"feeds/topics/us-iran.json")
		return len(f.Items) == 1 && f.Items[0].Title == "Erbil budget row deepens"
	})
}

// TestNoRetagAfterFirstFetch: items stored by a first fetch are tagged with
// the current topics, so the store records them and a later start does
// not re-tag everything.
func TestNoRetagAfterFirstFetch(t *testing.T) {
	dir := t.TempDir()
	cfg := loadConfig(t, writeConfig(t, dir, ""))
	d, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if v, _ := d.Store().Setting(topicsSetting); v != TopicsDigest(cfg) {
		t.Errorf("empty store: topics digest %q, want the config's", v)
	}
}
