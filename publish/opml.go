package publish

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// The OPML 2.0 document.
type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    opmlHead `xml:"head"`
	Body    opmlBody `xml:"body"`
}

type opmlBody struct {
	Outlines []*opmlNode `xml:"outline"`
}

type opmlHead struct {
	Title        string `xml:"title"`
	DateModified string `xml:"dateModified,omitempty"`
	Docs         string `xml:"docs"`
}

type opmlNode struct {
	Text     string      `xml:"text,attr"`
	Title    string      `xml:"title,attr,omitempty"`
	Type     string      `xml:"type,attr,omitempty"`
	XMLURL   string      `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string      `xml:"htmlUrl,attr,omitempty"`
	Category string      `xml:"category,attr,omitempty"`
	Children []*opmlNode `xml:"outline"`
}

// renderOPML lists the enabled sources as OPML 2.0: sources with tags sit
// in a folder named after their first tag (the category attribute keeps
// all of them), the rest at the top level, in config order.
func (h *Handler) renderOPML(st *siteState, base string) (*rendered, error) {
	states, err := h.store.SourceStates()
	if err != nil {
		h.log.Warn("opml: reading source states", "error", err)
	}
	b := newBuilder(st, base, states, h.now())
	doc := opmlDoc{Version: "2.0", Head: opmlHead{
		Title: st.Title + " — sources",
		Docs:  "http://opml.org/spec2.opml",
	}}
	if !st.since.IsZero() {
		doc.Head.DateModified = rssTime(st.since)
	}
	folders := map[string]*opmlNode{}
	for _, src := range st.Sources {
		if !src.Enabled {
			continue
		}
		feedURL := httpURL(src.URL)
		if feedURL == "" {
			continue
		}
		n := &opmlNode{
			Text: b.outletTitle(src.Name), Title: b.outletTitle(src.Name), Type: "rss",
			XMLURL: feedURL, HTMLURL: httpURL(b.states[src.Name].FeedLink),
		}
		var tags []string
		for _, t := range src.Tags {
			if t = plainTitle(t); t != "" {
				tags = append(tags, "/"+strings.ReplaceAll(t, ",", " "))
			}
		}
		n.Category = strings.Join(tags, ",")
		if len(tags) == 0 {
			doc.Body.Outlines = append(doc.Body.Outlines, n)
			continue
		}
		name := tags[0][1:]
		f, ok := folders[name]
		if !ok {
			f = &opmlNode{Text: name}
			folders[name] = f
			doc.Body.Outlines = append(doc.Body.Outlines, f)
		}
		f.Children = append(f.Children, n)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("render opml: %w", err)
	}
	buf.WriteByte('\n')
	return h.cache.newRendered(buf.Bytes(), "text/x-opml; charset=utf-8", st.since)
}
