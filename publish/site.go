package publish

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Site describes the published site. It comes from the config and can be
// replaced at run time with Handler.SetSite.
type Site struct {
	// Title names the site in feeds, the page and OPML.
	Title string
	// BaseURL is the absolute URL the site is reached at, ending in "/".
	// Self links, entry ids and every other absolute URL are built on it.
	// When it is empty or not absolute, URLs are built from the request's
	// Host instead.
	BaseURL string
	// CacheMaxAge is sent as Cache-Control max-age on feed responses and
	// bounds how long the page is served from the cache.
	CacheMaxAge time.Duration
	// Sources lists the configured sources; only these have feeds.
	Sources []SourceInfo
	// Topics lists the configured topics; only these have feeds.
	Topics []TopicInfo
}

// SourceInfo describes one configured source.
type SourceInfo struct {
	// Name is the source's unique name, used in URLs.
	Name string
	// Title is the configured display title; "" means use the feed's own.
	Title string
	// URL is the source's feed URL.
	URL string
	// Tags are the source's configured tags; the first names its OPML folder.
	Tags []string
	// Enabled is false for a source that is configured but not fetched.
	Enabled bool
}

// TopicInfo describes one configured topic.
type TopicInfo struct {
	// ID is the topic's unique id, used in URLs and as category term.
	ID string
	// Title is the topic's display title; "" means the ID.
	Title string
}

// siteState is an immutable, indexed copy of a Site plus the version the
// response cache keys on.
type siteState struct {
	Site
	raw     Site // as given to SetSite, for telling a real change
	version uint64
	since   time.Time // when this version was installed
	base    *url.URL  // nil: derive from the request
	sources map[string]SourceInfo
	topics  map[string]TopicInfo

	// cacheControl is the Cache-Control value of cached responses.
	cacheControl []string
	// feedKeys are the response cache keys of the merged feed and the
	// topic feeds requested without a query, when base is set (the key
	// then does not depend on the request): serving them builds no key.
	feedKeys map[feedKeyID]string
}

// feedKeyID names a feed whose cache key siteState.feedKeys holds.
type feedKeyID struct {
	kind IndexKind
	name string // "" for IndexAll
	f    format
}

func newSiteState(s Site, version uint64, since time.Time) *siteState {
	st := &siteState{Site: cloneSite(s), raw: cloneSite(s), version: version, since: since,
		sources: make(map[string]SourceInfo, len(s.Sources)),
		topics:  make(map[string]TopicInfo, len(s.Topics)),
	}
	if st.Title == "" {
		st.Title = "aggregatord"
	}
	if u, err := url.Parse(st.BaseURL); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		u.RawQuery, u.Fragment = "", ""
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
			u.RawPath = ""
		}
		st.base = u
		st.BaseURL = u.String()
	} else {
		st.BaseURL = ""
	}
	for _, src := range st.Sources {
		st.sources[src.Name] = src
	}
	for _, t := range st.Topics {
		if t.Title == "" {
			t.Title = t.ID
		}
		st.topics[t.ID] = t
	}
	st.cacheControl = cacheControlValue(st.CacheMaxAge)
	if st.base != nil {
		st.feedKeys = make(map[feedKeyID]string, 3*(1+len(st.topics)))
		for f := range formatJSON + 1 {
			st.feedKeys[feedKeyID{IndexAll, "", f}] = feedKey("", Index{Kind: IndexAll}, f, "")
			for id := range st.topics {
				st.feedKeys[feedKeyID{IndexTopic, id, f}] = feedKey("", Index{Kind: IndexTopic, Name: id}, f, "")
			}
		}
	}
	return st
}

func cloneSite(s Site) Site {
	s.Sources = slices.Clone(s.Sources)
	for i := range s.Sources {
		s.Sources[i].Tags = slices.Clone(s.Sources[i].Tags)
	}
	s.Topics = slices.Clone(s.Topics)
	return s
}

func siteEqual(a, b Site) bool {
	return a.Title == b.Title && a.BaseURL == b.BaseURL && a.CacheMaxAge == b.CacheMaxAge &&
		slices.EqualFunc(a.Sources, b.Sources, func(x, y SourceInfo) bool {
			return x.Name == y.Name && x.Title == y.Title && x.URL == y.URL &&
				x.Enabled == y.Enabled && slices.Equal(x.Tags, y.Tags)
		}) &&
		slices.Equal(a.Topics, b.Topics)
}

// topicTitle returns the display title of topic id and whether it is configured.
func (st *siteState) topicTitle(id string) (string, bool) {
	t, ok := st.topics[id]
	return t.Title, ok
}
