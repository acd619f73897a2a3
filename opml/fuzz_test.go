package opml

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever it returns
// writes as TOML that config.Load accepts with exactly those sources.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.opml"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"<opml/>",
		doc(`<outline text="a"><outline text="b" xmlUrl="http://b/" category="/x/y,z"/></outline>`),
		doc(`<outline text="الجزيرة" xmlUrl="https://www.aljazeera.net/rss"/><outline text="الجزيرة" xmlUrl="https://www.aljazeera.net/rss2"/>`),
		doc(`<outline text="Tom "&" Jerry" xmlUrl="feed://x/?a=1&b"/>`),
		"\xFF\xFE<\x00o\x00p\x00m\x00l\x00/\x00>\x00",
		`<?xml version="1.0" encoding="ISO-8859-1"?><opml><body><outline text="caf` + "\xe9" + `" xmlUrl="http://c/"/></body></opml>`,
		`<!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body><outline text="&a;" xmlUrl="http://a/"/></body></opml>`,
		doc(`<outline text="x < y" xmlUrl="http://[::1]:0/"/>`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "parse opml: ") {
				t.Errorf("error without the operation: %v", err)
			}
			return
		}
		checkResult(t, res)
	})
}

// BenchmarkParse parses a subscription list of 5,000 feeds in 100 folders.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>bench</title></head><body>`)
	for i := range 100 {
		sb.WriteString(`<outline text="Folder ` + string(rune('A'+i%26)) + `" title="Folder">`)
		for j := range 50 {
			n := i*50 + j
			sb.WriteString(`<outline type="rss" text="Feed Ünïcode ` + string(rune('a'+j%26)) + `" title="Feed" xmlUrl="https://feeds.example.com/` +
				strings.Repeat("x", n%7) + "/" + itoa(n) + `.xml" htmlUrl="https://example.com/" category="/news,/world"/>`)
		}
		sb.WriteString(`</outline>`)
	}
	sb.WriteString(`</body></opml>`)
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Parse(bytes.NewReader(data))
		if err != nil || len(res.Sources) != 5000 {
			b.Fatalf("Parse: %v, %d sources", err, len(res.Sources))
		}
	}
}

// BenchmarkWriteTOML writes 5,000 sources.
func BenchmarkWriteTOML(b *testing.B) {
	res := &Result{Title: "bench"}
	for i := range 5000 {
		res.Sources = append(res.Sources, Source{Name: "feed-" + itoa(i), Title: "Feed \"" + itoa(i) + "\" الجزيرة",
			URL: "https://feeds.example.com/" + itoa(i) + ".xml", Tags: []string{"news", "world"}})
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := WriteTOML(&buf, res, "bench.opml"); err != nil {
			b.Fatal(err)
		}
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var s []byte
	for ; i > 0; i /= 10 {
		s = append([]byte{byte('0' + i%10)}, s...)
	}
	return string(s)
}
