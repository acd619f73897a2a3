// Package news holds the domain types that every stage of aggregatord
// shares: a normalised news Item and the persisted fetch state of a Source.
// It imports nothing of the application's own, so that fetching, tagging,
// storage and publishing can exchange plain values without importing one
// another.
//
// Data flow:
//
//	config → scheduler → ingest → feeds (fetch, parse, normalise)
//	       → topics (tag) → storage (bbolt; stories: near duplicates)
//	       → publish (HTTP, Atom/RSS/JSON)
package news

import "time"

// Item is one normalised news item, as stored and as published.
//
// Text fields are valid UTF-8. Title is plain text (no markup, entities
// decoded). Summary and Content are sanitised HTML whose relative links have
// been made absolute against Link.
type Item struct {
	// ID is the store-wide identifier assigned by storage; 0 until stored.
	ID uint64 `json:"id"`
	// Source is the name of the source whose copy is shown: the copy with
	// the earliest published date among Copies.
	Source string `json:"source"`
	// Key identifies the item within Source: the feed's GUID, else the
	// canonical link, else "sha256:" and a hash of title and content.
	Key string `json:"key"`
	// GUID is the feed's own identifier for the item, if it had one.
	GUID string `json:"guid,omitempty"`
	// Link is the canonical http(s) URL of the article, or "".
	Link string `json:"link,omitempty"`
	// Title is plain text.
	Title string `json:"title"`
	// Summary is sanitised HTML (the feed's description/summary).
	Summary string `json:"summary,omitempty"`
	// Content is sanitised HTML (the feed's full content, if any).
	Content string `json:"content,omitempty"`
	// Authors are display names of the item's authors.
	Authors []string `json:"authors,omitempty"`
	// Categories are the feed's own categories for the item.
	Categories []string `json:"categories,omitempty"`
	// Language is the item's or feed's language tag, if known ("ar", "en").
	Language string `json:"language,omitempty"`
	// Published is when the item was published: the feed's published date,
	// else its updated date, else FirstSeen; never later than FirstSeen.
	Published time.Time `json:"published"`
	// Updated is when the item last changed: the feed's updated date, moved
	// forward by storage when the stored content changes.
	Updated time.Time `json:"updated"`
	// FirstSeen is when aggregatord first fetched the item.
	FirstSeen time.Time `json:"first_seen"`
	// Hash is a digest of the item's user-visible content, used to tell an
	// unchanged item from an edited one.
	Hash string `json:"hash"`
	// Tags are the tags configured on the source(s) that carried the item.
	Tags []string `json:"tags,omitempty"`
	// Topics are the ids of the configured topics whose query matches.
	Topics []string `json:"topics,omitempty"`
	// FullText is true when Content holds the article text extracted from
	// the item's page (sources with full_text = true), not the feed's.
	FullText bool `json:"full_text,omitempty"`
	// FullTextTries counts attempts to extract the article text; retries
	// stop at a small bound.
	FullTextTries int `json:"full_text_tries,omitempty"`
	// Copies lists every source that carried the item (same canonical link),
	// earliest published first. Set by storage.
	Copies []Copy `json:"copies,omitempty"`
	// StoryID identifies the story the item belongs to: near-duplicate
	// items from other sources, published close together (the same wire
	// copy in several outlets). 0 when no other item shares its story, or
	// when story grouping is off. Set by storage.
	StoryID uint64 `json:"story,omitempty"`
	// Story lists the copies of the other items of the item's story,
	// earliest published item first, each item's copies in their order.
	// Empty when StoryID is 0. Set by storage.
	Story []Copy `json:"story_copies,omitempty"`
}

// Copy records one source's copy of an item that several sources carried.
type Copy struct {
	Source    string    `json:"source"`
	Key       string    `json:"key"`
	Link      string    `json:"link,omitempty"`
	Title     string    `json:"title,omitempty"`
	Published time.Time `json:"published"`
}

// SourceState is what aggregatord remembers about fetching one source. It is
// persisted in the store, so what `fetch` learned is what `run` reports.
type SourceState struct {
	// Name is the source's configured name.
	Name string `json:"name"`
	// URL is the feed URL last fetched.
	URL string `json:"url"`
	// ETag and LastModified are the validators of the last 200 response.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// BodyHash is a digest of the last body parsed, used to skip re-parsing
	// an unchanged body from a server that sends no validators.
	BodyHash string `json:"body_hash,omitempty"`
	// FeedTitle, FeedLink and FeedID describe the feed itself, as it says.
	FeedTitle string `json:"feed_title,omitempty"`
	FeedLink  string `json:"feed_link,omitempty"`
	FeedID    string `json:"feed_id,omitempty"`
	// LastAttempt is when the last fetch started; LastSuccess when the last
	// fetch that succeeded (200 or 304) started.
	LastAttempt time.Time `json:"last_attempt"`
	LastSuccess time.Time `json:"last_success"`
	// Status is the HTTP status of the last attempt, 0 if none was received.
	Status int `json:"status"`
	// Error describes why the last attempt failed; "" when it succeeded.
	Error string `json:"error,omitempty"`
	// Failures counts consecutive failed attempts.
	Failures int `json:"failures,omitempty"`
	// NextDue is the earliest time the next fetch may start, set by backoff
	// and Retry-After. Zero means "when the schedule says".
	NextDue time.Time `json:"next_due"`
	// FullTextPending counts recent items of a full_text source whose
	// article text could not yet be extracted and will be retried; while it
	// is non-zero the next fetch parses the feed even if it is unchanged.
	FullTextPending int `json:"full_text_pending,omitempty"`
	// Gone is set when the server answered 410 Gone: the source is not
	// fetched again until its URL changes in the config.
	Gone bool `json:"gone,omitempty"`
}
