package publish

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// The RSS 2.0 document, with the Atom namespace for self and next links and
// Dublin Core for authors (RSS's own <author> must be an e-mail address).
type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	AtomNS  string     `xml:"xmlns:atom,attr"`
	DCNS    string     `xml:"xmlns:dc,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string     `xml:"title"`
	Link          string     `xml:"link"`
	Description   string     `xml:"description"`
	LastBuildDate string     `xml:"lastBuildDate"`
	Generator     string     `xml:"generator"`
	Docs          string     `xml:"docs"`
	AtomLinks     []atomLink `xml:"atom:link"`
	Items         []*rssItem `xml:"item"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssSource struct {
	URL   string `xml:"url,attr"`
	Title string `xml:",chardata"`
}

type rssItem struct {
	Title       string     `xml:"title"`
	Link        string     `xml:"link,omitempty"`
	Description string     `xml:"description"`
	Creators    []string   `xml:"dc:creator"`
	Categories  []string   `xml:"category"`
	GUID        rssGUID    `xml:"guid"`
	PubDate     string     `xml:"pubDate,omitempty"`
	Source      *rssSource `xml:"source,omitempty"`
}

// rssTime formats t as an RFC 822 date (with a four-digit year) in GMT.
func rssTime(t time.Time) string {
	return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
}

// writeRSS writes d as an RSS 2.0 feed.
func writeRSS(w io.Writer, d *feedDoc) error {
	doc := rssDoc{
		Version: "2.0",
		AtomNS:  atomNS,
		DCNS:    "http://purl.org/dc/elements/1.1/",
		Channel: rssChannel{
			Title:         d.Title,
			Link:          d.Home,
			Description:   d.Description,
			LastBuildDate: rssTime(d.Updated),
			Generator:     "aggregatord",
			Docs:          "https://www.rssboard.org/rss-specification",
			AtomLinks:     []atomLink{{Rel: "self", Type: formatRSS.linkType(), Href: d.Self}},
		},
	}
	if d.Next != "" {
		doc.Channel.AtomLinks = append(doc.Channel.AtomLinks, atomLink{Rel: "next", Type: formatRSS.linkType(), Href: d.Next})
	}
	doc.Channel.Items = make([]*rssItem, 0, len(d.Entries))
	for i := range d.Entries {
		e := &d.Entries[i]
		it := &rssItem{
			Title:       e.Title,
			Link:        e.Link,
			Description: e.Content,
			Creators:    e.Authors,
			GUID:        rssGUID{IsPermaLink: "false", Value: e.ID},
		}
		if !e.Published.IsZero() {
			it.PubDate = rssTime(e.Published)
		}
		for _, t := range e.Topics {
			it.Categories = append(it.Categories, t.ID)
		}
		if e.Source.FeedURL != "" {
			it.Source = &rssSource{URL: e.Source.FeedURL, Title: e.Source.Title}
		}
		doc.Channel.Items = append(doc.Channel.Items, it)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write rss: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("write rss: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write rss: %w", err)
	}
	return nil
}
