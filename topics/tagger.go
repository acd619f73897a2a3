package topics

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aggregatord/aggregatord/config"
	"github.com/aggregatord/aggregatord/news"
)

// Topic is a configured topic with its parsed query.
type Topic struct {
	// ID is the [[topic]] id: the tag set on matching items, used in URLs.
	ID string
	// Title is the [[topic]] title, or the ID when the config has none.
	Title string
	// Query is the parsed query.
	Query *Query
}

// Tagger tags items with the topics whose queries match them. It is
// immutable once compiled and safe for concurrent use.
type Tagger struct {
	topics []Topic // sorted by ID
	pool   *sync.Pool
	voc    *vocab // the words of the topics' queries
}

// Compile parses the query of every [[topic]] in cfg. When some do not
// parse, it returns a *config.Errors with one *config.Error per query, at
// the FILE:LINE:COL of the offending character inside the query string,
// in file order.
func Compile(cfg *config.Config) (*Tagger, error) {
	if cfg == nil {
		return nil, errors.New("compile topics: no config")
	}
	t := &Tagger{pool: newDocPool()}
	var errs config.Errors
	for _, tp := range cfg.Topics {
		q, err := Parse(tp.Query)
		var se *SyntaxError
		if errors.As(err, &se) {
			errs = append(errs, cfg.Errorf(tp.QueryOffsetPos(se.Offset), "topic.query: %s", se.Msg))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("compile topic %q: %w", tp.ID, err)
		}
		title := tp.Title
		if title == "" {
			title = tp.ID
		}
		t.topics = append(t.topics, Topic{ID: tp.ID, Title: title, Query: q})
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *config.Error) int {
			return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
		})
		return nil, &errs
	}
	slices.SortStableFunc(t.topics, func(a, b Topic) int { return cmp.Compare(a.ID, b.ID) })
	t.voc = t.vocab()
	return t, nil
}

// NewTagger returns a Tagger for the given topics (for tests and callers
// without a config file). Topics are sorted by ID; a nil Query matches
// nothing.
func NewTagger(topics ...Topic) *Tagger {
	t := &Tagger{topics: slices.Clone(topics), pool: newDocPool()}
	slices.SortStableFunc(t.topics, func(a, b Topic) int { return cmp.Compare(a.ID, b.ID) })
	t.voc = t.vocab()
	return t
}

// vocab returns the vocabulary of the topics' queries.
func (t *Tagger) vocab() *vocab {
	qs := make([]*Query, len(t.topics))
	for i, tp := range t.topics {
		qs[i] = tp.Query
	}
	return newVocab(qs...)
}

// CheckQuery reports whether q parses: nil, or the byte offset of the
// problem and an error whose text is the message. It fits
// config.WithQueryCheck, so that config.Load reports bad queries with the
// other problems of the file.
func CheckQuery(q string) (off int, err error) {
	_, err = Parse(q)
	var se *SyntaxError
	if errors.As(err, &se) {
		return se.Offset, errors.New(se.Msg)
	}
	return 0, err
}

type pooled struct {
	b docBuilder
	d Doc
}

// release drops the Doc's references to an item's text, so that a pooled
// Doc does not keep it alive.
func (p *pooled) release() {
	p.d.title.text, p.d.body.text = "", ""
	clear(p.d.title.entries)
	clear(p.d.body.entries)
	clear(p.d.sources)
	clear(p.d.tags)
}

func newDocPool() *sync.Pool {
	return &sync.Pool{New: func() any { return new(pooled) }}
}

// Tag sets it.Topics to the sorted ids of the topics whose queries match
// the item (nil when none do). The item is tokenised once for all topics.
func (t *Tagger) Tag(it *news.Item) {
	if t == nil || it == nil {
		return
	}
	it.Topics = t.match(it, nil)
}

// Match returns the sorted ids of the topics that match it, appended to
// dst; it does not modify the item.
func (t *Tagger) Match(it *news.Item, dst []string) []string {
	if t == nil || it == nil {
		return dst
	}
	return t.match(it, dst)
}

func (t *Tagger) match(it *news.Item, dst []string) []string {
	if len(t.topics) == 0 {
		return dst
	}
	var p *pooled
	if t.pool != nil {
		p = t.pool.Get().(*pooled)
	} else {
		p = new(pooled)
	}
	p.b.voc = t.voc
	p.b.build(&p.d, it)
	for _, tp := range t.topics {
		if tp.Query.Match(&p.d) {
			dst = append(dst, tp.ID)
		}
	}
	p.release()
	if t.pool != nil {
		t.pool.Put(p)
	}
	return dst
}

// Topics returns the topics, sorted by ID.
func (t *Tagger) Topics() []Topic {
	if t == nil {
		return nil
	}
	return slices.Clone(t.topics)
}

// Topic returns the topic with the given id.
func (t *Tagger) Topic(id string) (Topic, bool) {
	if t == nil {
		return Topic{}, false
	}
	i, ok := slices.BinarySearchFunc(t.topics, id, func(tp Topic, id string) int { return cmp.Compare(tp.ID, id) })
	if !ok {
		return Topic{}, false
	}
	return t.topics[i], true
}

// ParseFilter parses an ad-hoc query (the ?q= of a feed) and returns a
// predicate on items. Each call of the predicate tokenises the item; it is
// safe for concurrent use. A query that does not parse gives a
// *SyntaxError.
func ParseFilter(q string) (func(*news.Item) bool, error) {
	query, err := Parse(q)
	if err != nil {
		return nil, err
	}
	pool := newDocPool()
	voc := newVocab(query)
	return func(it *news.Item) bool {
		if it == nil {
			return false
		}
		p := pool.Get().(*pooled)
		p.b.voc = voc
		p.b.build(&p.d, it)
		ok := query.Match(&p.d)
		p.release()
		pool.Put(p)
		return ok
	}, nil
}
