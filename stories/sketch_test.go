package stories

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aggregatord/aggregatord/news"
)

// TestFingerprintPinned pins the keys of two fixed items. Sketches are
// stored: if this test fails, the algorithm (or the tokenisation it
// relies on) changed, stored sketches no longer compare with new ones,
// and the change needs a new sketch version and a store migration.
func TestFingerprintPinned(t *testing.T) {
	items := loadItems(t)
	for _, tc := range []struct {
		id       string
		shingles int
		keys     string
	}{
		{"en-w03", 69, "[49264301 114679762 139710649 181816340 196043058 272780452 303013846 314043088 484606489 540767146 743835591 838620097]"},
		{"ar-w02", 66, "[25609643 192898220 221561382 380454129 460846638 508745461 510726092 521874298 556636646 726359957 767332124 818496237]"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			sk := Fingerprint(items[tc.id])
			if len(sk) != tc.shingles || fmt.Sprint(sk.Keys()) != tc.keys {
				t.Errorf("Fingerprint(%s): %d shingles, keys %v; want %d, %s", tc.id, len(sk), sk.Keys(), tc.shingles, tc.keys)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	long := strings.Repeat("Iraqi security forces shot dead two protesters in Baghdad on Saturday. ", 10)
	base := news.Item{Title: "Two protesters killed in Baghdad", Content: "<p>" + long + "</p>"}
	sk := Fingerprint(&base)
	if !slices.IsSorted(sk) || len(slices.Compact(slices.Clone(sk))) != len(sk) {
		t.Fatalf("sketch not sorted and distinct: %v", sk)
	}
	same := func(name string, it news.Item) {
		t.Helper()
		if got := Fingerprint(&it); !slices.Equal(got, sk) {
			t.Errorf("%s: sketch changed (similarity %.2f)", name, Similarity(got, sk))
		}
	}
	differ := func(name string, it news.Item) {
		t.Helper()
		if got := Fingerprint(&it); slices.Equal(got, sk) {
			t.Errorf("%s: sketch unchanged", name)
		}
	}
	t.Run("deterministic", func(t *testing.T) { same("again", base) })
	t.Run("markup and case ignored", func(t *testing.T) {
		it := base
		it.Title = "TWO <b>protesters</b> killed in Baghdad"
		it.Content = "<div><p>" + strings.ReplaceAll(long, "Baghdad", "<a href='x'>Baghdad</a>") + "</p></div>"
		same("markup", it)
	})
	t.Run("only the lead is read", func(t *testing.T) {
		it := base
		it.Content += "<p>A completely different closing paragraph about something else entirely.</p>"
		same("text after the lead", it)
	})
	t.Run("other fields ignored", func(t *testing.T) {
		it := base
		it.Source, it.Link, it.Authors, it.Topics = "other", "https://example.com/x", []string{"AFP"}, []string{"iraq"}
		same("source, link, authors, topics", it)
	})
	t.Run("content before summary", func(t *testing.T) {
		it := base
		it.Summary = "<p>An unrelated summary that must not count.</p>"
		same("summary beside content", it)
		it.Content, it.Summary = "", base.Content
		same("summary when no content", it)
	})
	t.Run("title counts", func(t *testing.T) {
		it := base
		it.Title = "Security forces open fire"
		differ("new title", it)
	})
	t.Run("empty", func(t *testing.T) {
		if sk := Fingerprint(&news.Item{}); sk != nil || sk.Groupable() {
			t.Errorf("empty item: %v", sk)
		}
	})
	t.Run("title only is not groupable", func(t *testing.T) {
		it := news.Item{Title: "Iran fires missiles at Iraq bases hosting US troops in revenge for Soleimani killing"}
		if sk := Fingerprint(&it); sk.Groupable() {
			t.Errorf("title only: %d shingles, groupable", len(sk))
		}
	})
	t.Run("arabic spelling variants", func(t *testing.T) {
		a := news.Item{Title: "صواريخ إيرانية على قاعدة أميركية", Summary: "أطلقت إيران صواريخ على قاعدة عين الأسد"}
		b := news.Item{Title: "صواريخ ايرانية على قاعدة اميركية", Summary: "أطلقتْ ايران صواريخَ على قاعده عين الاسد"}
		if !slices.Equal(Fingerprint(&a), Fingerprint(&b)) {
			t.Errorf("hamza, tashkeel and taa marbuta variants give different sketches")
		}
	})
}

func TestSimilarity(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b Sketch
		want float64
	}{
		{"both empty", nil, nil, 0},
		{"one empty", Sketch{1, 2}, nil, 0},
		{"identical", Sketch{1, 2, 3}, Sketch{1, 2, 3}, 1},
		{"disjoint", Sketch{1, 3, 5}, Sketch{2, 4, 6}, 0},
		{"half", Sketch{1, 2, 3}, Sketch{2, 3, 4}, 0.5},
		{"subset", Sketch{1, 2, 3, 4}, Sketch{2, 3}, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Similarity(tc.a, tc.b); got != tc.want {
				t.Errorf("Similarity(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := Similarity(tc.b, tc.a); got != tc.want {
				t.Errorf("Similarity(%v, %v) = %v, want %v (symmetry)", tc.b, tc.a, got, tc.want)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	var s Sketch
	for i := range 30 {
		s = append(s, uint32(i*7+1))
	}
	for _, n := range []int{0, 1, NumKeys - 1, NumKeys, 30} {
		k := s[:n].Keys()
		if len(k) != min(n, NumKeys) || !slices.Equal(k, s[:len(k)]) {
			t.Errorf("Keys of %d hashes = %v", n, k)
		}
	}
	if s[:MinShingles-1].Groupable() || !s[:MinShingles].Groupable() {
		t.Errorf("Groupable does not start at %d shingles", MinShingles)
	}
}

func TestSketchEncoding(t *testing.T) {
	for _, s := range []Sketch{nil, {0}, {1, 2, 0xffffffff}} {
		b, err := s.AppendBinary([]byte("prefix"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseSketch(b[len("prefix"):])
		if err != nil || !slices.Equal(got, s) {
			t.Errorf("round trip of %v: %v, %v", s, got, err)
		}
	}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"other version", []byte{0x02, 0, 0, 0, 1}},
		{"truncated", []byte{sketchV1, 0, 0, 1}},
		{"unsorted", []byte{sketchV1, 0, 0, 0, 2, 0, 0, 0, 1}},
		{"repeated", []byte{sketchV1, 0, 0, 0, 2, 0, 0, 0, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSketch(tc.b); !errors.Is(err, ErrBadSketch) {
				t.Errorf("ParseSketch(%x) = %v, want ErrBadSketch", tc.b, err)
			}
		})
	}
}

func FuzzParseSketch(f *testing.F) {
	f.Add([]byte{sketchV1})
	f.Add([]byte{sketchV1, 0, 0, 0, 1, 0, 0, 0, 2})
	f.Add([]byte{2, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSketch(b)
		if err != nil {
			return
		}
		if !slices.IsSorted(s) {
			t.Fatalf("unsorted sketch accepted: %v", s)
		}
		out, _ := s.AppendBinary(nil)
		if string(out) != string(b) {
			t.Fatalf("re-encoding %x gives %x", b, out)
		}
	})
}

func FuzzFingerprint(f *testing.F) {
	f.Add("Iran fires missiles", "<p>Iran fired a volley of ballistic missiles early Wednesday</p>")
	f.Add("لبنان", "<p>أعلن في لبنان الثلاثاء تشكيل حكومة جديدة</p>")
	f.Add("", "\xff<script>x</script>")
	f.Fuzz(func(t *testing.T, title, content string) {
		it := news.Item{Title: title, Content: content}
		s := Fingerprint(&it)
		if len(s) > 0 && (!slices.IsSorted(s) || len(slices.Compact(slices.Clone(s))) != len(s)) {
			t.Fatalf("sketch not sorted and distinct")
		}
		if got := Similarity(s, s); len(s) > 0 && got != 1 {
			t.Fatalf("self-similarity %v", got)
		}
	})
}

func BenchmarkFingerprint(b *testing.B) {
	items := loadItems(b)
	for _, id := range []string{"en-w03", "ar-w02"} {
		it := items[id]
		b.Run(id, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Fingerprint(it)
			}
		})
	}
	// The items of the topics package's BenchmarkTagCorpus.
	b.Run("corpus", func(b *testing.B) {
		corpus := benchCorpus(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			Fingerprint(&corpus[i%len(corpus)])
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
	})
}

func BenchmarkSimilarity(b *testing.B) {
	items := loadItems(b)
	x, y := Fingerprint(items["en-w03"]), Fingerprint(items["en-v03a"])
	for b.Loop() {
		Similarity(x, y)
	}
}
