package publish

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func newTestHandler(s Store) *Handler {
	return NewHandler(Options{Store: s, Site: testSite(), Now: fixedNow, Query: fakeQuery})
}

// get serves one GET request; hdr is pairs of header name and value.
func get(t testing.TB, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, http.MethodGet, target, hdr...)
}

func do(t testing.TB, h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// wellFormedXML fails t unless body parses as XML to the end.
func wellFormedXML(t testing.TB, body []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, body)
		}
	}
}

func TestGolden(t *testing.T) {
	h := newTestHandler(newTestStore())
	tests := []struct {
		name, target, ctype string
	}{
		{"all.atom", "/feeds/all.atom", "application/atom+xml; charset=utf-8"},
		{"all.rss", "/feeds/all.rss", "application/rss+xml; charset=utf-8"},
		{"all.json", "/feeds/all.json", "application/feed+json; charset=utf-8"},
		{"all-limit2.atom", "/feeds/all.atom?limit=2", "application/atom+xml; charset=utf-8"},
		{"all-limit2-q.rss", "/feeds/all.rss?limit=2&q=i", "application/rss+xml; charset=utf-8"},
		{"source-kurdistan24.atom", "/feeds/sources/kurdistan24.atom", "application/atom+xml; charset=utf-8"},
		{"source-kurdistan24.json", "/feeds/sources/kurdistan24.json", "application/feed+json; charset=utf-8"},
		{"topic-us-iran.rss", "/feeds/topics/us-iran.rss", "application/rss+xml; charset=utf-8"},
		{"topic-oil.atom", "/feeds/topics/oil.atom", "application/atom+xml; charset=utf-8"},
		{"sources.opml", "/opml", "text/x-opml; charset=utf-8"},
		{"page.html", "/", "text/html; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: status %d: %s", tt.target, rec.Code, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tt.ctype)
			}
			body := rec.Body.Bytes()
			switch filepath.Ext(tt.name) {
			case ".atom", ".rss", ".opml":
				wellFormedXML(t, body)
			case ".json":
				if !json.Valid(body) {
					t.Fatalf("invalid JSON:\n%s", body)
				}
			}
			path := filepath.Join("testdata", tt.name+".golden")
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
				t.Errorf("GET %s differs from %s (run go test -update after checking):\n%s", tt.target, path, body)
			}
		})
	}
}
