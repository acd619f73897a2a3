package article

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func FuzzExtractHTML(f *testing.F) {
	for _, p := range articlePages {
		f.Add(readPage(f, p.file), p.contentType)
	}
	f.Add(readPage(f, "live_gaza_shell.html"), "text/html")
	f.Add(readPage(f, "report.pdf"), "")
	f.Add([]byte(`<html><head><base href="javascript:alert(1)"><meta charset="utf-16"></head><body><article><p>`+strings.Repeat("x ", 200)+`<a href="java&#9;script:alert(1)">x</a><img src=x onerror=alert(1)></p></article></body></html>`), "text/html")
	f.Add([]byte(strings.Repeat("<div>", 600)+"text"), "text/html; charset=windows-1256")
	f.Add([]byte("<p>\xff\xfe\x00<script>"), "text/html; charset=\"")
	f.Add([]byte("\xef\xbb\xbf<h3>Related</h3><ul><li><a href=/a>a</a></li></ul>"), "application/xhtml+xml")
	f.Fuzz(func(t *testing.T, page []byte, contentType string) {
		a, err := ExtractHTML(page, contentType, "https://www.example.org/news/2026/01/article.html")
		if err != nil {
			if !errors.Is(err, ErrNotArticle) {
				t.Fatalf("error that is not ErrNotArticle: %v", err)
			}
			return
		}
		if !utf8.ValidString(a.ContentHTML) || !utf8.ValidString(a.Text) || !utf8.ValidString(a.Title) {
			t.Fatal("invalid UTF-8 in output")
		}
		if err := unsafeMarkup(a.ContentHTML); err != nil {
			t.Fatalf("%v in ContentHTML:\n%s", err, a.ContentHTML)
		}
	})
}

// unsafeMarkup returns an error naming the first element, attribute or
// URL in the fragment that could run code or load a frame, or nil.
func unsafeMarkup(fragment string) error {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return err
	}
	var check func(*html.Node) error
	check = func(n *html.Node) error {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Iframe, atom.Frame, atom.Object, atom.Embed, atom.Form, atom.Input, atom.Base, atom.Meta, atom.Link:
				return fmt.Errorf("element <%s>", n.Data)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				val := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(key, "on"), key == "style":
					return fmt.Errorf("attribute %s on <%s>", a.Key, n.Data)
				case (key == "href" || key == "src" || key == "srcset") &&
					!strings.HasPrefix(val, "http://") && !strings.HasPrefix(val, "https://") && !strings.HasPrefix(val, "mailto:"):
					return fmt.Errorf("URL %s=%q on <%s>", a.Key, a.Val, n.Data)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if err := check(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range nodes {
		if err := check(n); err != nil {
			return err
		}
	}
	return nil
}

func BenchmarkExtractHTML(b *testing.B) {
	for _, p := range articlePages[:3] {
		page := readPage(b, p.file)
		b.Run(p.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ExtractHTML(page, p.contentType, p.url); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
