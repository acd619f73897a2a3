package feeds

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// manyEntriesRSS is an RSS feed of n small entries with an HTML
// description each.
func manyEntriesRSS(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://huge.example.com/</link>`)
	for i := range n {
		fmt.Fprintf(&b, "<item><title>Item %d</title><link>https://huge.example.com/%d</link><guid>g%d</guid><description>&lt;p&gt;x&lt;/p&gt;</description></item>", i, i, i)
	}
	b.WriteString("</channel></rss>")
	return []byte(b.String())
}

// TestParseManyEntriesCost pins a regression: entries past MaxItems used to
// be translated by gofeed (an HTML parse of each to look for an image)
// before being dropped, so a feed of 30,000 entries cost twice the
// allocations of one of 10,000. Now the extra entries cost only their XML
// parse.
func TestParseManyEntriesCost(t *testing.T) {
	alloc := func(body []byte) (uint64, int) {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		f := mustParse(t, body, ParseOptions{})
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc, len(f.Items)
	}
	base, n := alloc(manyEntriesRSS(MaxItems))
	if n != MaxItems {
		t.Fatalf("%d items", n)
	}
	triple, n := alloc(manyEntriesRSS(3 * MaxItems))
	if n != MaxItems {
		t.Fatalf("%d items, want %d", n, MaxItems)
	}
	ratio := float64(triple) / float64(base)
	t.Logf("%d entries: %d MiB allocated; %d entries: %d MiB (×%.2f)", MaxItems, base>>20, 3*MaxItems, triple>>20, ratio)
	// Measured: ×1.4 with the cap in front of the translator, ×2.1 without.
	if ratio > 1.75 {
		t.Errorf("entries past MaxItems cost too much: ×%.2f the allocations of a feed of MaxItems entries", ratio)
	}
}

// BenchmarkParseHugeFeed parses a 10 MB feed of 100,000 entries: what one
// hostile source can send within the default body limit.
func BenchmarkParseHugeFeed(b *testing.B) {
	body := manyEntriesRSS(100_000)
	o := ParseOptions{URL: "https://huge.example.com/rss", Now: testNow}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body, o); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseCorpusRegressions pins what the corpus test (daemon/corpus_test.go)
// found: documents that are feeds but were reported as not being one.
func TestParseCorpusRegressions(t *testing.T) {
	t.Run("RSS with an XHTML doctype is a feed", func(t *testing.T) {
		f := mustParse(t, readTestdata(t, "regress_rss_with_xhtml_doctype.xml"), ParseOptions{ContentType: "application/xml"})
		if f.Title != "found" {
			t.Errorf("title %q, want %q", f.Title, "found")
		}
		doc := `<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">` +
			`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>r</title></channel>` +
			`<item><title>one</title><link>https://example.com/1</link></item></rdf:RDF>`
		if f := mustParse(t, []byte(doc), ParseOptions{}); len(f.Items) != 1 {
			t.Errorf("RSS 1.0 with an XHTML doctype: %d items", len(f.Items))
		}
	})
	t.Run("XHTML page with a doctype is still a page", func(t *testing.T) {
		for _, doc := range []string{
			`<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><!-- c --><html xmlns="http://www.w3.org/1999/xhtml"><head><link rel="alternate" type="application/rss+xml" href="/f.rss"/></head><body/></html>`,
			`<!DOCTYPE html><head><link rel="alternate" type="application/atom+xml" href="/f.atom"></head><body>no html tag</body>`,
			`<!doctype html [ <!ENTITY x "a>b"> ]><html><head></head></html>`,
		} {
			_, err := Parse([]byte(doc), ParseOptions{URL: "https://example.com/page"})
			var nf *NotFeedError
			if !errors.As(err, &nf) {
				t.Errorf("%.40q: err = %v, want a *NotFeedError", doc, err)
			}
		}
	})
	t.Run("a feed with a DTD of its own is a feed", func(t *testing.T) {
		doc := `<?xml version="1.0"?><!DOCTYPE rss [ <!ENTITY e "x>y"> ]><rss version="2.0"><channel><title>t</title><item><title>i</title><guid>1</guid></item></channel></rss>`
		if f := mustParse(t, []byte(doc), ParseOptions{}); len(f.Items) != 1 {
			t.Errorf("%d items", len(f.Items))
		}
	})
	t.Run("XML 1.1 declaration", func(t *testing.T) {
		f := mustParse(t, readTestdata(t, "regress_xml_version_11.xml"), ParseOptions{ContentType: "application/xml"})
		if len(f.Items) != 0 {
			t.Errorf("%d items", len(f.Items))
		}
		doc := `<?xml version='1.1' encoding="utf-8"?><rss version="2.0"><channel><title>t</title><item><title>one</title><guid>1</guid></item></channel></rss>`
		if f := mustParse(t, []byte(doc), ParseOptions{}); len(f.Items) != 1 || f.Items[0].Title != "one" {
			t.Errorf("XML 1.1 feed: %+v", f.Items)
		}
	})
}
