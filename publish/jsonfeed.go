package publish

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// jsonFeedVersion is the JSON Feed version URL every document carries.
const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// The JSON Feed 1.1 document.
type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description,omitempty"`
	NextURL     string       `json:"next_url,omitempty"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
	Items       []*jsonItem  `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url,omitempty"`
	Title         string       `json:"title"`
	ContentHTML   string       `json:"content_html"`
	Summary       string       `json:"summary,omitempty"`
	DatePublished string       `json:"date_published,omitempty"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
	Language      string       `json:"language,omitempty"`
	Aggregatord   jsonExt      `json:"_aggregatord"`
}

// jsonExt is the "_aggregatord" extension object of an item.
type jsonExt struct {
	Source      string     `json:"source"`
	SourceTitle string     `json:"source_title"`
	SourceURL   string     `json:"source_url,omitempty"`
	Copies      []jsonCopy `json:"copies,omitempty"`
	Also        []jsonAlso `json:"also,omitempty"`
	Story       uint64     `json:"story,omitempty"`
}

type jsonCopy struct {
	Source      string `json:"source"`
	SourceTitle string `json:"source_title"`
	Title       string `json:"title,omitempty"`
	URL         string `json:"url,omitempty"`
	Published   string `json:"published,omitempty"`
}

type jsonAlso struct {
	Source      string `json:"source"`
	SourceTitle string `json:"source_title"`
	Title       string `json:"title"`
	URL         string `json:"url,omitempty"`
}

func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// writeJSONFeed writes d as a JSON Feed 1.1 document.
func writeJSONFeed(w io.Writer, d *feedDoc) error {
	f := jsonFeed{
		Version:     jsonFeedVersion,
		Title:       d.Title,
		HomePageURL: d.Home,
		FeedURL:     d.Self,
		Description: d.Description,
		NextURL:     d.Next,
		Authors:     []jsonAuthor{{Name: d.Author, URL: d.Home}},
		Items:       make([]*jsonItem, 0, len(d.Entries)),
	}
	for i := range d.Entries {
		e := &d.Entries[i]
		it := &jsonItem{
			ID:            e.ID,
			URL:           e.Link,
			Title:         e.Title,
			ContentHTML:   e.Content,
			Summary:       e.SummaryText,
			DatePublished: jsonTime(e.Published),
			DateModified:  jsonTime(e.Updated),
			Language:      e.Language,
			Aggregatord: jsonExt{
				Source:      e.Source.Name,
				SourceTitle: e.Source.Title,
				SourceURL:   e.Source.FeedURL,
				Story:       e.Story,
			},
		}
		// The outlet first, so that a reader showing one author shows where
		// the item came from; then the item's own authors.
		it.Authors = append(it.Authors, jsonAuthor{Name: e.Source.Title, URL: e.Source.Home})
		for _, a := range e.Authors {
			it.Authors = append(it.Authors, jsonAuthor{Name: a})
		}
		for _, t := range e.Topics {
			it.Tags = append(it.Tags, t.ID)
		}
		for _, c := range e.Copies {
			it.Aggregatord.Copies = append(it.Aggregatord.Copies, jsonCopy{
				Source: c.Source, SourceTitle: c.SourceTitle, Title: c.Title, URL: c.URL, Published: jsonTime(c.Published),
			})
		}
		for _, c := range e.Also {
			it.Aggregatord.Also = append(it.Aggregatord.Also, jsonAlso{
				Source: c.Source, SourceTitle: c.SourceTitle, Title: c.Title, URL: c.URL,
			})
		}
		f.Items = append(f.Items, it)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&f); err != nil {
		return fmt.Errorf("write json feed: %w", err)
	}
	return nil
}
