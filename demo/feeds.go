package demo

import (
	"embed"
	"io/fs"
	"time"
)

// files holds the sample feeds as stored in the repository (see the package
// documentation for how they are rendered).
//
//go:embed feeds/*
var files embed.FS

// Feeds is the embedded sample feeds (read-only), one file per feed at the
// root of the returned file system, as stored: dates relative to the
// 2026-01-12T09:00:00Z base and the Arabic feed in UTF-8. Start serves them
// with their dates moved to the present and the Arabic feed in windows-1256.
func Feeds() fs.FS {
	sub, err := fs.Sub(files, "feeds")
	if err != nil { // cannot happen: "feeds" is a valid, embedded directory
		return files
	}
	return sub
}

// baseTime returns the time the stored feeds are stamped relative to: every
// date in them lies in [base-72h, base].
func baseTime() time.Time { return time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC) }

// format is a feed format.
type format int

const (
	formatRSS format = iota + 1
	formatAtom
	formatJSON
)

// String returns the format's display name.
func (f format) String() string {
	switch f {
	case formatRSS:
		return "RSS 2.0"
	case formatAtom:
		return "Atom 1.0"
	case formatJSON:
		return "JSON Feed 1.1"
	}
	return "unknown"
}

// MediaType returns the format's media type, without parameters.
func (f format) MediaType() string {
	switch f {
	case formatRSS:
		return "application/rss+xml"
	case formatAtom:
		return "application/atom+xml"
	case formatJSON:
		return "application/feed+json"
	}
	return "application/octet-stream"
}

// feedInfo describes one sample feed.
type feedInfo struct {
	// Name is the [[source]] name in the demo config.
	Name string
	// Title is the outlet's display name, the [[source]] title.
	Title string
	// File is the file name in Feeds(); the feed is served at /feeds/File.
	File   string
	Format format
	// Charset is the charset the feed is served in: "utf-8" or
	// "windows-1256".
	Charset string
	// Language is the feed's language tag.
	Language string
	// Tags are the [[source]] tags in the demo config.
	Tags []string
}

// Path returns the URL path the feed is served at.
func (f feedInfo) Path() string { return "/feeds/" + f.File }

// ContentType returns the Content-Type the feed is served with.
func (f feedInfo) ContentType() string {
	return f.Format.MediaType() + "; charset=" + f.Charset
}

// catalog lists the sample feeds in the order they are served and
// configured. It returns a new slice on each call.
func catalog() []feedInfo {
	return []feedInfo{
		{Name: "erbil-daily", Title: "Erbil Daily (sample)", File: "erbil-daily.rss",
			Format: formatRSS, Charset: "utf-8", Language: "en", Tags: []string{"kurdistan", "iraq"}},
		{Name: "tigris-tribune", Title: "Tigris Tribune (sample)", File: "tigris-tribune.atom",
			Format: formatAtom, Charset: "utf-8", Language: "en", Tags: []string{"iraq"}},
		{Name: "gulf-maritime", Title: "Gulf Maritime Monitor (sample)", File: "gulf-maritime.atom",
			Format: formatAtom, Charset: "utf-8", Language: "en", Tags: []string{"gulf", "shipping"}},
		{Name: "levant-ledger", Title: "Levant Ledger (sample)", File: "levant-ledger.json",
			Format: formatJSON, Charset: "utf-8", Language: "en", Tags: []string{"syria"}},
		{Name: "mideast-desk", Title: "Middle East Desk (sample)", File: "mideast-desk.rss",
			Format: formatRSS, Charset: "utf-8", Language: "en", Tags: []string{"region", "wire"}},
		{Name: "sada-alrafidayn", Title: "صدى الرافدين (عينة)", File: "sada-alrafidayn.rss",
			Format: formatRSS, Charset: "windows-1256", Language: "ar", Tags: []string{"iraq", "arabic"}},
	}
}
