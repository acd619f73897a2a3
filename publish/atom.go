package publish

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"time"
)

const atomNS = "http://www.w3.org/2005/Atom"

// The Atom 1.0 (RFC 4287) document, as encoding/xml writes it.
type atomFeed struct {
	XMLName   xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	Title     atomText     `xml:"title"`
	Subtitle  *atomText    `xml:"subtitle,omitempty"`
	ID        string       `xml:"id"`
	Updated   string       `xml:"updated"`
	Links     []atomLink   `xml:"link"`
	Author    *atomPerson  `xml:"author,omitempty"`
	Generator string       `xml:"generator"`
	Entries   []*atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomSource struct {
	ID      string      `xml:"id"`
	Title   atomText    `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  *atomPerson `xml:"author,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
	Source     *atomSource    `xml:"source,omitempty"`
	Lang       string         `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
}

// atomTime formats t as an RFC 3339 date in UTC, second precision.
func atomTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// writeAtom writes d as an Atom 1.0 feed.
func writeAtom(w io.Writer, d *feedDoc) error {
	f := atomFeed{
		Title:     atomText{Type: "text", Body: d.Title},
		ID:        d.ID,
		Updated:   atomTime(d.Updated),
		Author:    &atomPerson{Name: d.Author, URI: d.Home},
		Generator: "aggregatord",
		Links: []atomLink{
			{Rel: "self", Type: formatAtom.linkType(), Href: d.Self},
			{Rel: "alternate", Type: "text/html", Href: d.Home},
		},
	}
	if d.Description != "" {
		f.Subtitle = &atomText{Type: "text", Body: d.Description}
	}
	if d.Next != "" {
		f.Links = append(f.Links, atomLink{Rel: "next", Type: formatAtom.linkType(), Href: d.Next})
	}
	f.Entries = make([]*atomEntry, 0, len(d.Entries))
	for i := range d.Entries {
		e := &d.Entries[i]
		ae := &atomEntry{
			ID:      e.ID,
			Title:   atomText{Type: "text", Body: e.Title},
			Updated: atomTime(e.Updated),
			Lang:    e.Language,
		}
		if e.Link != "" {
			ae.Links = []atomLink{{Rel: "alternate", Type: "text/html", Href: e.Link}}
		}
		// No empty content (the W3C validator's NotBlank): an entry with
		// nothing to say has its alternate link, else (RFC 4287 wants one
		// or the other) its title as content.
		switch {
		case e.Content != "":
			ae.Content = &atomText{Type: "html", Body: e.Content}
		case e.Link == "":
			ae.Content = &atomText{Type: "html", Body: html.EscapeString(e.Title)}
		}
		if !e.Published.IsZero() {
			ae.Published = atomTime(e.Published)
		}
		for _, a := range e.Authors {
			ae.Authors = append(ae.Authors, atomPerson{Name: a})
		}
		for _, t := range e.Topics {
			ae.Categories = append(ae.Categories, atomCategory{Term: t.ID, Label: t.Title})
		}
		if e.Summary != "" {
			ae.Summary = &atomText{Type: "html", Body: e.Summary}
		}
		src := &atomSource{
			ID:      e.Source.ID,
			Title:   atomText{Type: "text", Body: e.Source.Title},
			Updated: atomTime(e.Source.Updated),
			Author:  &atomPerson{Name: e.Source.Title, URI: e.Source.Home},
		}
		if e.Source.FeedURL != "" {
			src.Links = append(src.Links, atomLink{Rel: "self", Href: e.Source.FeedURL})
		}
		if e.Source.Home != "" {
			src.Links = append(src.Links, atomLink{Rel: "alternate", Type: "text/html", Href: e.Source.Home})
		}
		ae.Source = src
		f.Entries = append(f.Entries, ae)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write atom: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(&f); err != nil {
		return fmt.Errorf("write atom: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write atom: %w", err)
	}
	return nil
}
