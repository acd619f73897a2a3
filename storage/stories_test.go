package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/stories"
)

// storyText returns the body of synthetic wire story n: 70 words that no
// other story shares.
func storyText(n int) string {
	ws := make([]string, 70)
	for i := range ws {
		ws[i] = fmt.Sprintf("s%dw%d", n, i)
	}
	return strings.Join(ws, " ")
}

// wire returns an outlet's copy of wire story n under key, with a headline
// of its own: a near duplicate of every other copy of story n.
func wire(key string, n int, pub time.Time) news.Item {
	title := fmt.Sprintf("Story %d as %s headlines it", n, key)
	return news.Item{
		Key: key, Link: "https://example.com/" + key, Title: title,
		Content: "<p>" + storyText(n) + "</p>", Published: pub, Hash: "h:" + key + title,
	}
}

// openStories opens a test store with story grouping on.
func openStories(t testing.TB) *testStore {
	t.Helper()
	s := mustOpen(t)
	s.SetStories(Stories{Enabled: true, Window: 72 * time.Hour})
	return s
}

// storyOf describes an item's story presentation: "KEY [SOURCE/KEY ...]".
func storyOf(it news.Item) string {
	var b strings.Builder
	b.WriteString(it.Key + " [")
	for i, c := range it.Story {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.Source + "/" + c.Key)
	}
	b.WriteString("]")
	return b.String()
}

func storiesOf(items []news.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = storyOf(it)
	}
	return out
}

func TestStoryJoin(t *testing.T) {
	s := openStories(t)
	res := s.save("afp", withTopics(wire("a1", 1, t0.Add(-2*time.Hour)), "iran"))
	a := res.Changed[0]
	if a.StoryID != 0 || len(a.Story) != 0 {
		t.Fatalf("a lone item has a story: %+v", a)
	}
	s.clock.Advance(time.Minute)
	res = s.save("rudaw", withTopics(wire("b1", 1, t0.Add(-time.Hour)), "iraq"))
	b := res.Changed[0]
	if res.New != 1 || b.StoryID != a.ID || storyOf(b) != "b1 [afp/a1]" {
		t.Fatalf("joining item: new %d, story %d %s; want 1, %d, b1 [afp/a1]", res.New, b.StoryID, storyOf(b), a.ID)
	}
	s.save("other", wire("c1", 2, t0))

	eq(t, "merged feed", storiesOf(s.latest(AllIndex())), []string{"c1 []", "a1 [rudaw/b1]"})
	eq(t, "afp's feed", storiesOf(s.latest(SourceIndex("afp"))), []string{"a1 [rudaw/b1]"})
	eq(t, "rudaw's feed", storiesOf(s.latest(SourceIndex("rudaw"))), []string{"b1 [afp/a1]"})
	// A story is in a topic when one of its members is, shown as its leader.
	eq(t, "topic iran", storiesOf(s.latest(TopicIndex("iran"))), []string{"a1 [rudaw/b1]"})
	eq(t, "topic iraq", storiesOf(s.latest(TopicIndex("iraq"))), []string{"a1 [rudaw/b1]"})
	// Counts are of items.
	if n := s.count(AllIndex()); n != 3 {
		t.Errorf("Count(all) = %d, want 3", n)
	}
	// The leader's entry moved when an outlet joined.
	lead := s.latest(AllIndex())[1]
	if want := t0.Add(time.Minute); !lead.Updated.Equal(want) || lead.Topics[0] != "iran" {
		t.Errorf("leader: updated %v, topics %v; want %v, its own topics", lead.Updated, lead.Topics, want)
	}
	if it, _, _ := s.Item(a.ID); storyOf(it) != "a1 [rudaw/b1]" || it.StoryID != a.ID {
		t.Errorf("Item(%d) = %s, story %d", a.ID, storyOf(it), it.StoryID)
	}
	if it := s.byKey("rudaw", "b1"); storyOf(it) != "b1 [afp/a1]" {
		t.Errorf("ItemByKey(rudaw, b1) = %s", storyOf(it))
	}

	// A third outlet joins the same story; its same-link copy is listed too.
	s.clock.Advance(time.Minute)
	s.save("kurdistan24", wire("k1", 1, t0.Add(-30*time.Minute)))
	dup := wire("b1", 1, t0.Add(-time.Hour)) // rudaw's link, carried by another source
	dup.Key = "z1"
	s.save("zagros", dup)
	eq(t, "merged feed after more outlets", storiesOf(s.latest(AllIndex())), []string{"c1 []", "a1 [rudaw/b1 zagros/z1 kurdistan24/k1]"})
	if lead := s.latest(AllIndex())[1]; !lead.Updated.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("leader updated %v after a third outlet joined, want %v", lead.Updated, t0.Add(2*time.Minute))
	}
}

func TestStoryLeaderChange(t *testing.T) {
	s := openStories(t)
	a := s.save("afp", withTopics(wire("a1", 1, t0.Add(-time.Hour)), "iran")).Changed[0]
	eq(t, "before", storiesOf(s.latest(AllIndex())), []string{"a1 []"})
	// An earlier copy arrives later: it leads the story from now on.
	s.clock.Advance(time.Minute)
	b := s.save("rudaw", withTopics(wire("b1", 1, t0.Add(-3*time.Hour)), "iraq")).Changed[0]
	if b.StoryID != a.ID {
		t.Fatalf("story %d, want %d (the first item's id)", b.StoryID, a.ID)
	}
	all := s.latest(AllIndex())
	eq(t, "after", storiesOf(all), []string{"b1 [afp/a1]"})
	if !all[0].Published.Equal(t0.Add(-3*time.Hour)) || all[0].ID != b.ID {
		t.Errorf("shown as %d published %v, want the earlier copy", all[0].ID, all[0].Published)
	}
	eq(t, "topic iran", storiesOf(s.latest(TopicIndex("iran"))), []string{"b1 [afp/a1]"})
	if n := s.count(TopicIndex("iran")); n != 1 {
		t.Errorf("Count(topic iran) = %d, want 1", n)
	}
}

func TestStoryWindow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		apart time.Duration
		join  bool
	}{
		{"inside", 71 * time.Hour, true},
		{"at the edge", 72 * time.Hour, true},
		{"outside", 72*time.Hour + time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, dir := range []time.Duration{1, -1} {
				s := openStories(t)
				s.save("afp", wire("a1", 1, t0.Add(-100*time.Hour)))
				got := s.save("rudaw", wire("b1", 1, t0.Add(-100*time.Hour+dir*tc.apart))).Changed[0]
				if (got.StoryID != 0) != tc.join {
					t.Errorf("%v apart (sign %d): story %d, want joined=%v", tc.apart, dir, got.StoryID, tc.join)
				}
			}
		})
	}
}

func TestStoryOtherSourcesOnly(t *testing.T) {
	s := openStories(t)
	s.save("afp", wire("a1", 1, t0.Add(-4*time.Hour)))
	// The same source's near duplicate is its own item.
	if got := s.save("afp", wire("a2", 1, t0.Add(-3*time.Hour))).Changed[0]; got.StoryID != 0 {
		t.Errorf("same-source near duplicate joined story %d", got.StoryID)
	}
	s.save("rudaw", wire("b1", 1, t0.Add(-2*time.Hour)))
	// A story holds one item per source: a second rudaw copy stays out of
	// the story that has rudaw's first one.
	if got := s.save("rudaw", wire("b2", 1, t0.Add(-time.Hour))).Changed[0]; got.StoryID != 0 && slices.ContainsFunc(got.Story, func(c news.Copy) bool { return c.Source == "rudaw" }) {
		t.Errorf("rudaw twice in one story: %s", storyOf(got))
	}
	// b2 joins the other afp item instead.
	eq(t, "merged feed", storiesOf(s.latest(AllIndex())), []string{"a2 [rudaw/b2]", "a1 [rudaw/b1]"})
}

func TestStoryClosestMatch(t *testing.T) {
	// Two candidates from one source (so apart): b1 shares story 1's text
	// and its headline with the newcomer, a1 only the text. The closest
	// wins, in either order.
	a := wire("a1", 1, t0.Add(-2*time.Hour))
	a.Title = "Something else entirely"
	b := wire("b1", 1, t0.Add(-time.Hour))
	b.Title = "Shared headline words for the newcomer"
	c := wire("c1", 1, t0)
	c.Title = b.Title
	for _, order := range [][]news.Item{{a, b}, {b, a}} {
		s := openStories(t)
		s.save("afp", order...)
		got := s.save("kurdistan24", c).Changed[0]
		if want := s.byKey("afp", "b1").ID; got.StoryID != want {
			t.Errorf("newcomer in story %d (%s), want b1's %d", got.StoryID, storyOf(got), want)
		}
	}

	t.Run("tie: earliest published", func(t *testing.T) {
		s := mustOpen(t) // off while the candidates are stored, so apart
		s.save("afp", wire("a1", 1, t0.Add(-time.Hour)))
		s.save("ap", wire("p1", 1, t0.Add(-2*time.Hour)))
		s.SetStories(Stories{Enabled: true})
		got := s.save("kurdistan24", wire("c1", 1, t0)).Changed[0]
		if p := s.byKey("ap", "p1"); got.StoryID != p.ID {
			t.Errorf("joined story %d (%s), want ap's earlier item %d", got.StoryID, storyOf(got), p.ID)
		}
	})
	t.Run("tie: lowest id", func(t *testing.T) {
		s := mustOpen(t)
		s.save("afp", wire("a1", 1, t0.Add(-time.Hour)))
		s.save("ap", wire("p1", 1, t0.Add(-time.Hour)))
		s.SetStories(Stories{Enabled: true})
		got := s.save("kurdistan24", wire("c1", 1, t0)).Changed[0]
		if a := s.byKey("afp", "a1"); got.StoryID != a.ID {
			t.Errorf("joined story %d (%s), want afp's lower id %d", got.StoryID, storyOf(got), a.ID)
		}
	})
}

func TestStoriesOff(t *testing.T) {
	s := mustOpen(t) // grouping off by default
	gen := s.Generation()
	s.save("afp", wire("a1", 1, t0.Add(-2*time.Hour)))
	s.save("rudaw", wire("b1", 1, t0.Add(-time.Hour)))
	eq(t, "off: merged feed", storiesOf(s.latest(AllIndex())), []string{"b1 []", "a1 []"})

	// Turned on: new items join stories, including items stored while off.
	gen = s.Generation()
	s.SetStories(Stories{Enabled: true})
	if s.Generation() == gen {
		t.Errorf("turning stories on did not advance Generation")
	}
	s.save("ap", wire("p1", 1, t0))
	eq(t, "on: merged feed", storiesOf(s.latest(AllIndex())), []string{"b1 []", "a1 [ap/p1]"})

	// Off again: the stored story is kept but not presented.
	gen = s.Generation()
	s.SetStories(Stories{})
	if s.Generation() == gen {
		t.Errorf("turning stories off did not advance Generation")
	}
	eq(t, "off again: merged feed", storiesOf(s.latest(AllIndex())), []string{"p1 []", "b1 []", "a1 []"})
	if it := s.byKey("ap", "p1"); it.StoryID != 0 || it.Story != nil {
		t.Errorf("story presented while off: %+v", it)
	}
	s.save("kurdistan24", wire("k1", 1, t0))
	s.SetStories(Stories{Enabled: true})
	eq(t, "on again: merged feed", storiesOf(s.latest(AllIndex())), []string{"k1 []", "b1 []", "a1 [ap/p1]"})
	// A setting the window or threshold only does not change what is shown.
	gen = s.Generation()
	s.SetStories(Stories{Enabled: true, Window: time.Hour, Threshold: 0.5})
	if s.Generation() != gen {
		t.Errorf("changing the window advanced Generation")
	}
	if got := s.Stories(); got.Window != time.Hour || got.Threshold != 0.5 {
		t.Errorf("Stories() = %+v", got)
	}
	if got := (Stories{}).effective(); got.Window != DefaultStoryWindow || got.Threshold != stories.DefaultThreshold {
		t.Errorf("defaults = %+v", got)
	}
}

func TestStoryThreshold(t *testing.T) {
	s := openStories(t)
	s.SetStories(Stories{Enabled: true, Threshold: 1.01})
	s.save("afp", wire("a1", 1, t0.Add(-time.Hour)))
	if got := s.save("rudaw", wire("b1", 1, t0)).Changed[0]; got.StoryID != 0 {
		t.Errorf("threshold above 1 grouped: %s", storyOf(got))
	}
}

func TestStoryShortItems(t *testing.T) {
	s := openStories(t)
	s.save("afp", news.Item{Key: "a", Title: "Iran fires missiles at Iraq bases hosting US troops", Published: t0, Hash: "a"})
	got := s.save("rudaw", news.Item{Key: "b", Title: "Iran fires missiles at Iraq bases hosting US troops", Published: t0, Hash: "b"}).Changed[0]
	if got.StoryID != 0 {
		t.Errorf("title-only items grouped")
	}
}

func TestStoryPrune(t *testing.T) {
	fill := func(t *testing.T) *testStore {
		s := openStories(t)
		s.save("afp", wire("a1", 1, t0.Add(-30*time.Hour)), wire("a0", 7, t0.Add(-time.Minute)))
		s.save("rudaw", wire("b1", 1, t0.Add(-20*time.Hour)))
		s.save("ap", withTopics(wire("p1", 1, t0.Add(-10*time.Hour)), "iraq"))
		eq(t, "before", storiesOf(s.latest(AllIndex())), []string{"a0 []", "a1 [rudaw/b1 ap/p1]"})
		return s
	}
	t.Run("the leader", func(t *testing.T) {
		s := fill(t)
		s.clock.Advance(time.Hour)
		if _, err := s.Prune(25*time.Hour, 0); err != nil { // a1 is 31h old
			t.Fatal(err)
		}
		s.mustCheck()
		all := s.latest(AllIndex())
		eq(t, "after", storiesOf(all), []string{"a0 []", "b1 [ap/p1]"})
		if !all[1].Updated.Equal(t0.Add(time.Hour)) {
			t.Errorf("new leader updated %v, want the prune time", all[1].Updated)
		}
		eq(t, "topic iraq", storiesOf(s.latest(TopicIndex("iraq"))), []string{"b1 [ap/p1]"})
	})
	t.Run("all but one", func(t *testing.T) {
		s := fill(t)
		s.clock.Advance(time.Hour)
		if _, err := s.Prune(15*time.Hour, 0); err != nil {
			t.Fatal(err)
		}
		s.mustCheck()
		eq(t, "after", storiesOf(s.latest(AllIndex())), []string{"a0 []", "p1 []"})
		if it := s.byKey("ap", "p1"); it.StoryID != 0 {
			t.Errorf("a story of one presents a story id")
		}
	})
}

func TestStoryPruneMember(t *testing.T) {
	s := openStories(t)
	s.save("afp", wire("a1", 1, t0.Add(-3*time.Hour)))
	s.save("rudaw", wire("b1", 1, t0.Add(-2*time.Hour)), wire("b0", 5, t0))
	s.save("ap", wire("p1", 1, t0.Add(-time.Hour)))
	// rudaw keeps one item: its oldest, b1, a member of the story, goes.
	if _, err := s.Prune(0, 1); err != nil {
		t.Fatal(err)
	}
	s.mustCheck()
	eq(t, "after", storiesOf(s.latest(AllIndex())), []string{"b0 []", "a1 [ap/p1]"})
}

func TestStoryRetag(t *testing.T) {
	s := openStories(t)
	s.save("afp", withTopics(wire("a1", 1, t0.Add(-2*time.Hour)), "iran"))
	s.save("rudaw", wire("b1", 1, t0.Add(-time.Hour)))
	before := storiesOf(s.latest(AllIndex()))
	n, err := s.Retag(func(it *news.Item) []string {
		if it.Source == "rudaw" {
			return []string{"kurds"}
		}
		return nil
	}, nil)
	if err != nil || n != 2 {
		t.Fatalf("Retag = %d, %v", n, err)
	}
	s.mustCheck()
	eq(t, "merged feed", storiesOf(s.latest(AllIndex())), before)
	eq(t, "topic iran", storiesOf(s.latest(TopicIndex("iran"))), nil)
	eq(t, "topic kurds", storiesOf(s.latest(TopicIndex("kurds"))), []string{"a1 [rudaw/b1]"})
}

// TestStoryDeterminism stores the same items in the same order in two
// stores, and in one of them reopens the file half-way: the stories are
// the same.
func TestStoryDeterminism(t *testing.T) {
	var batches [][2]any
	for i := range 12 {
		src := []string{"afp", "rudaw", "ap", "kurdistan24"}[i%4]
		batches = append(batches, [2]any{src, []news.Item{
			wire(fmt.Sprintf("%s-%d", src, i), i%3, t0.Add(time.Duration(i*7%5)*time.Hour)),
			wire(fmt.Sprintf("%s-%d-b", src, i), 10+i%2, t0.Add(-time.Duration(i)*time.Minute)),
		}})
	}
	run := func(t *testing.T, reopenAt int) []string {
		path := filepath.Join(t.TempDir(), "s.db")
		s := mustOpenAt(t, path)
		s.SetStories(Stories{Enabled: true})
		for i, b := range batches {
			if i == reopenAt {
				s.close()
				s = mustOpenAt(t, path)
				s.SetStories(Stories{Enabled: true})
			}
			s.save(b[0].(string), b[1].([]news.Item)...)
		}
		var out []string
		for _, it := range s.latest(AllIndex()) {
			out = append(out, fmt.Sprintf("%d:%s", it.StoryID, storyOf(it)))
		}
		return out
	}
	first := run(t, -1)
	if len(first) >= 24 {
		t.Fatalf("nothing grouped: %v", first)
	}
	eq(t, "second run", run(t, -1), first)
	eq(t, "run with a reopen", run(t, 6), first)
}

// TestStoryRealText groups two outlets' copies of one wire story from the
// stories test set and keeps an independent report of the same event apart.
func TestStoryRealText(t *testing.T) {
	s := openStories(t)
	s.save("afp", news.Item{Key: "w", Title: "Iran fires missiles at Iraq bases hosting US troops in revenge for Soleimani", Published: t0.Add(-time.Hour), Hash: "w",
		Content: "<p>BAGHDAD (AFP) - Iran fired a volley of ballistic missiles early Wednesday at two bases in Iraq housing US and other foreign troops, in what the Revolutionary Guards called revenge for the US killing of top general Qasem Soleimani.</p><p>The Pentagon said more than a dozen missiles were launched from Iran at the Ain al-Asad air base in western Iraq and a facility in Arbil, the capital of the autonomous Kurdistan region. There was no immediate word on casualties.</p>"})
	got := s.save("rudaw", news.Item{Key: "v", Title: "Revolutionary Guards claim missile attack on Ain al-Asad and Erbil", Published: t0, Hash: "v",
		Content: "<p>Iran fired a volley of ballistic missiles early on Wednesday at two bases in Iraq housing US and other foreign troops, in what the Revolutionary Guards called revenge for the US killing of top general Qasem Soleimani.</p><p>The Pentagon said more than a dozen missiles were launched from Iran at the Ain al-Asad air base in western Iraq and a facility in Erbil, the capital of the Kurdistan Region.</p>"}).Changed[0]
	if storyOf(got) != "v [afp/w]" {
		t.Errorf("outlet copy: %s, want it in the wire story", storyOf(got))
	}
	got = s.save("kurdistan24", news.Item{Key: "i", Title: "Erbil residents describe night of explosions as Iranian missiles hit airport area", Published: t0, Hash: "i",
		Content: "<p>ERBIL - Residents of Erbil were woken shortly after 1:30 am on Wednesday by blasts near the city's international airport, where US-led coalition troops are based, as Iran launched what it called a retaliation for the killing of General Qasem Soleimani.</p>"}).Changed[0]
	if got.StoryID != 0 {
		t.Errorf("independent report grouped: %s", storyOf(got))
	}
}

func TestStoryCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(tx *bolt.Tx, lead, member uint64) error
		want string
	}{
		{"second leader", func(tx *bolt.Tx, lead, member uint64) error {
			return rawRecord(tx, member, func(r *record) { r.Lead, r.StoryUpdated = true, t0 })
		}, "is marked as leader"},
		{"no leader", func(tx *bolt.Tx, lead, member uint64) error {
			return rawRecord(tx, lead, func(r *record) { r.Lead = false })
		}, "is not its leader"},
		{"stale story topics", func(tx *bolt.Tx, lead, member uint64) error {
			return rawRecord(tx, lead, func(r *record) { r.StoryTopics = []string{"zzz"} })
		}, "story topics"},
		{"wrong sketch", func(tx *bolt.Tx, lead, member uint64) error {
			return tx.Bucket(bSketches).Put(idKey(member), []byte{1, 0, 0, 0, 1})
		}, "sketch index: entry"},
		{"missing story entry", func(tx *bolt.Tx, lead, member uint64) error {
			c := tx.Bucket(bStories).Cursor()
			k, _ := c.Last()
			return tx.Bucket(bStories).Delete(k)
		}, "missing story index entry"},
		{"hidden member in idx_lead", func(tx *bolt.Tx, lead, member uint64) error {
			return tx.Bucket(bIdxLead).Put(ikey(t0, member), nil)
		}, "lead index: entry"},
		{"bad sketch", func(tx *bolt.Tx, lead, member uint64) error {
			return rawRecord(tx, member, func(r *record) { r.Copies[0].Sketch, r.SketchIndexed = []byte{9}, false })
		}, "not a story sketch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			s := mustOpenAt(t, path)
			s.SetStories(Stories{Enabled: true})
			lead := s.save("afp", withTopics(wire("a1", 1, t0.Add(-time.Hour)), "iran")).Changed[0].ID
			member := s.save("rudaw", wire("b1", 1, t0)).Changed[0].ID
			s.close()
			rawUpdate(t, path, func(tx *bolt.Tx) error { return tc.fn(tx, lead, member) })
			st, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			err = st.Check()
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check() = %v, want ErrCorrupt saying %q", err, tc.want)
			}
		})
	}
}

// rawRecord rewrites item id's record with fn, bypassing the store.
func rawRecord(tx *bolt.Tx, id uint64, fn func(r *record)) error {
	b := tx.Bucket(bItems)
	r, err := decodeRecord(b.Get(idKey(id)))
	if err != nil {
		return err
	}
	fn(r)
	v, err := encodeRecord(r)
	if err != nil {
		return err
	}
	return b.Put(idKey(id), v)
}

// TestMigrateStories opens a schema 1 file (as this build would have
// written it before stories: no sketches, no story buckets) and checks
// that it is migrated, consistent, and grouped from then on.
func TestMigrateStories(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s := mustOpenAt(t, path)
	s.save("afp", withTopics(wire("a1", 1, t0.Add(-time.Hour)), "iran"), wire("a2", 2, t0))
	s.close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		var ids []uint64
		_ = tx.Bucket(bItems).ForEach(func(k, v []byte) error { ids = append(ids, ikeyID(append(make([]byte, 8), k...))); return nil })
		for _, id := range ids {
			if err := rawRecord(tx, id, func(r *record) {
				for i := range r.Copies {
					r.Copies[i].Sketch = nil
				}
				r.SketchIndexed = false
			}); err != nil {
				return err
			}
		}
		for _, b := range [][]byte{bIdxLead, bIdxLeadTopic, bStories, bSketches} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return setSchema(1)(tx)
	})
	s = mustOpenAt(t, path)
	if v := rawSchemaOpen(t, s); v != currentSchema().version {
		t.Fatalf("schema %d after open, want %d", v, currentSchema().version)
	}
	s.mustCheck()
	s.SetStories(Stories{Enabled: true})
	eq(t, "merged feed", storiesOf(s.latest(AllIndex())), []string{"a2 []", "a1 []"})
	eq(t, "topic", storiesOf(s.latest(TopicIndex("iran"))), []string{"a1 []"})
	// Items stored before have no sketch and are not found; new ones are.
	s.save("rudaw", wire("b1", 1, t0))
	s.save("ap", wire("p1", 1, t0))
	eq(t, "merged feed after new items", storiesOf(s.latest(AllIndex())), []string{"b1 [ap/p1]", "a2 []", "a1 []"})
}

func rawSchemaOpen(t *testing.T, s *testStore) uint32 {
	t.Helper()
	var v uint32
	if err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMeta).Get(kSchema)
		v = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestStoryMemberChanges(t *testing.T) {
	t.Run("an edited member stays", func(t *testing.T) {
		s := openStories(t)
		s.save("afp", wire("a1", 1, t0.Add(-2*time.Hour)))
		s.save("rudaw", wire("b1", 1, t0.Add(-time.Hour)))
		edited := wire("b1", 3, t0.Add(-time.Hour)) // now another story's text
		edited.Hash = "edited"
		if res := s.save("rudaw", edited); res.Updated != 1 {
			t.Fatalf("edit not stored: %+v", res)
		}
		eq(t, "merged feed", storiesOf(s.latest(AllIndex())), []string{"a1 [rudaw/b1]"})
		// Its new text is what later items are compared with.
		got := s.save("ap", wire("p1", 3, t0)).Changed[0]
		if got.StoryID != s.byKey("afp", "a1").ID {
			t.Errorf("item like the edited text: story %d (%s)", got.StoryID, storyOf(got))
		}
	})
	t.Run("a same-link copy makes a member the leader", func(t *testing.T) {
		s := openStories(t)
		s.save("afp", wire("a1", 1, t0.Add(-2*time.Hour)))
		s.save("rudaw", wire("b1", 1, t0.Add(-time.Hour)))
		early := wire("b1", 1, t0.Add(-3*time.Hour)) // rudaw's link, published earlier elsewhere
		early.Key = "z1"
		s.save("zagros", early)
		eq(t, "merged feed", storiesOf(s.latest(AllIndex())), []string{"z1 [afp/a1]"})
		if it := s.latest(AllIndex())[0]; it.Copies[1].Source != "rudaw" {
			t.Errorf("leader's copies %v", copySources(it))
		}
	})
	t.Run("one batch, two copies of one story", func(t *testing.T) {
		s := openStories(t)
		s.save("afp", wire("a1", 1, t0.Add(-2*time.Hour)))
		res := s.save("rudaw", wire("b1", 1, t0.Add(-time.Hour)), wire("b2", 1, t0))
		if res.New != 2 || res.Changed[0].StoryID == 0 || res.Changed[1].StoryID != 0 {
			t.Errorf("batch: %s, %s; want the first joined, the second apart", storyOf(res.Changed[0]), storyOf(res.Changed[1]))
		}
	})
}

// TestStoryManyOutlets: a wire story that many more outlets carry than
// group reads per key (nearSide) is still one story: every copy finds
// earlier copies among the entries nearest in time.
func TestStoryManyOutlets(t *testing.T) {
	s := openStories(t)
	const outlets = 5 * nearSide
	for i := range outlets {
		src := fmt.Sprintf("outlet-%d", i)
		s.save(src, wire(src, 7, t0.Add(time.Duration(i%9)*time.Hour-time.Duration(i)*time.Minute)))
	}
	all := s.latest(AllIndex())
	if len(all) != 1 || len(all[0].Story) != outlets-1 {
		t.Fatalf("%d outlets' copies shown as %d items (first with %d others), want one story", outlets, len(all), len(all[0].Story))
	}
	s.mustCheck()
}

// commonPhrase returns three words whose shingle hash is among the
// smallest of any text that contains them, so that the phrase is one of
// the sketch keys (stories.Sketch.Keys) of every item carrying it.
func commonPhrase(t *testing.T) string {
	t.Helper()
	for i := range 1 << 20 {
		p := fmt.Sprintf("boiler%d plate%d phrase%d", i, i, i)
		sk := stories.Fingerprint(&news.Item{Title: p})
		if len(sk) == 1 && sk[0] < 1<<32/20000 {
			return p
		}
	}
	t.Fatal("no phrase with a small hash")
	return ""
}

// TestStoryCrowdedKey: hundreds of unrelated items share a common phrase
// that is a key of every sketch; a copy of a wire story published two days
// after its first copy, with the crowd in between, still finds it through
// the story's own keys.
func TestStoryCrowdedKey(t *testing.T) {
	s := openStories(t)
	phrase := commonPhrase(t)
	first := wire("first", 3, t0.Add(-48*time.Hour))
	first.Content = "<p>" + phrase + " " + storyText(3) + "</p>"
	s.save("afp", first)
	for i := range 20 * nearSide {
		it := wire(fmt.Sprintf("crowd-%d", i), 1000+i, t0.Add(-47*time.Hour+time.Duration(i)*6*time.Minute))
		it.Content = "<p>" + phrase + " " + storyText(1000+i) + "</p>"
		s.save(fmt.Sprintf("crowd-%d", i%50), it)
	}
	late := wire("late", 3, t0)
	late.Content = "<p>" + phrase + " " + storyText(3) + "</p>"
	got := s.save("rudaw", late).Changed[0]
	if storyOf(got) != "late [afp/first]" {
		t.Fatalf("late copy: %s, want it in the story of afp/first", storyOf(got))
	}
	s.mustCheck()
}

// TestNearIndexCheck: Check compares the in-memory near index with the
// items' sketches, both ways.
func TestNearIndexCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(n *nearIndex)
		want string
	}{
		{"missing entry", func(n *nearIndex) {
			if len(n.main) > 0 {
				n.main = n.main[1:]
				return
			}
			for k, s := range n.recent {
				n.recent[k] = s[1:]
				return
			}
		}, "near index lacks key"},
		{"extra entry", func(n *nearIndex) {
			n.recent[7] = append(n.recent[7], nearEntry{id: 99, key: 7, at: n.horizon + 1})
		}, "near index: item 99 has no key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openStories(t)
			s.save("afp", wire("a1", 1, t0.Add(-time.Hour)))
			s.save("rudaw", wire("b1", 1, t0))
			s.mustCheck()
			s.near.mu.Lock()
			tc.fn(s.near)
			s.near.mu.Unlock()
			err := s.Check()
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check() = %v, want ErrCorrupt saying %q", err, tc.want)
			}
			// Rebuilt from the file, as Open does, it is right again.
			if err := s.db.View(func(tx *bolt.Tx) error { return s.near.load(tx, s.Stories().Window) }); err != nil {
				t.Fatal(err)
			}
			s.mustCheck()
		})
	}
}

// TestMigrateNearToMemory opens a schema 2 file, whose near index was a
// bucket: the bucket is deleted, the index rebuilt in memory from the
// sketches, and a new copy of a stored story still finds it.
func TestMigrateNearToMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s := mustOpenAt(t, path)
	s.SetStories(Stories{Enabled: true})
	s.save("afp", wire("a1", 1, t0.Add(-time.Hour)))
	s.save("rudaw", wire("b1", 1, t0))
	s.close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bNear)
		if err != nil {
			return err
		}
		if err := b.Put([]byte("some old entry"), nil); err != nil {
			return err
		}
		return setSchema(2)(tx)
	})
	s = mustOpenAt(t, path)
	s.SetStories(Stories{Enabled: true})
	if v := rawSchemaOpen(t, s); v != 3 {
		t.Fatalf("schema %d after open, want 3", v)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bNear) != nil {
			t.Error("near bucket still there")
		}
		return nil
	})
	s.mustCheck()
	got := s.save("ap", wire("p1", 1, t0.Add(time.Hour))).Changed[0]
	if storyOf(got) != "p1 [afp/a1 rudaw/b1]" {
		t.Errorf("new copy after migration: %s", storyOf(got))
	}
}

// TestNearHorizon: the near index keeps items published within the story
// window and a day before the newest item (not in the future); a late item
// published before that still finds its story (through idx_all), and items
// published in the future do not move the horizon.
func TestNearHorizon(t *testing.T) {
	s := openStories(t)
	s.save("afp", wire("old", 1, t0.Add(-30*24*time.Hour)))
	s.save("future", wire("f", 2, t0.Add(365*24*time.Hour)))
	// Enough new entries to compact the index, which moves the horizon.
	var batch []news.Item
	for i := range 6000 {
		batch = append(batch, wire(fmt.Sprintf("n%d", i), 100+i, t0.Add(-time.Duration(i)*time.Second)))
	}
	s.save("rudaw", batch...)
	s.near.mu.Lock()
	h := s.near.horizon
	s.near.mu.Unlock()
	if want := nearMinutes(timeBits(t0.Add(-s.Stories().Window - NearKeep))); h != want {
		t.Fatalf("horizon at minute %d, want %d", h, want)
	}
	// A copy of an item before the horizon is found through idx_all.
	late := s.save("ap", wire("late", 1, t0.Add(-30*24*time.Hour+time.Hour))).Changed[0]
	if storyOf(late) != "late [afp/old]" {
		t.Errorf("copy of an item before the horizon: %s, want it in the story of afp/old", storyOf(late))
	}
	// And an unrelated item there stays alone.
	if alone := s.save("ap", wire("alone", 3, t0.Add(-30*24*time.Hour+2*time.Hour))).Changed[0]; alone.StoryID != 0 {
		t.Errorf("unrelated item before the horizon grouped: %s", storyOf(alone))
	}
	fut := s.save("ap", wire("f2", 2, t0.Add(365*24*time.Hour))).Changed[0]
	if storyOf(fut) != "f2 [future/f]" {
		t.Errorf("copy of a future item: %s", storyOf(fut))
	}
	s.mustCheck()
}
