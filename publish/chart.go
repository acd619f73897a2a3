package publish

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aggregatord/aggregatord/news"
)

// Bounds of the topic charts.
const (
	// chartDays is how many days, today (UTC) included, a chart covers.
	chartDays = 30
	// chartScanLimit bounds the items examined per topic when counting; a
	// topic with more in the period is shown as "at least" its count.
	chartScanLimit = 20000
	// chartMinAge is how long counts are reused after the store changed:
	// a busy store changes every few seconds, and a 30-day chart need not
	// follow each change.
	chartMinAge = time.Minute
)

const day = 24 * time.Hour

// topicStats are the stories per day of every configured topic over the
// last chartDays days, as counted at one store generation and site version.
type topicStats struct {
	gen, version uint64
	first        time.Time // start of the first day counted (UTC midnight)
	at           time.Time // when they were counted
	topics       map[string]*topicCount
}

// topicCount is one topic's stories per day.
type topicCount struct {
	days      [chartDays]int // days[chartDays-1] is today
	total     int
	truncated bool // the scan stopped at chartScanLimit
}

// topicCounts returns the per-day counts of every topic of st, counting
// again only when the store or the site changed (and the counts are older
// than chartMinAge) or the day changed. It scans each topic's index newest
// first, down to the first day counted or chartScanLimit items.
func (h *Handler) topicCounts(st *siteState, now time.Time) (*topicStats, error) {
	gen := h.store.Generation()
	first := now.UTC().Truncate(day).Add(-(chartDays - 1) * day)
	h.topicStatsMu.Lock()
	defer h.topicStatsMu.Unlock()
	if s := h.topicStats; s != nil && s.version == st.version && s.first.Equal(first) &&
		(s.gen == gen || (now.Sub(s.at) < chartMinAge && !now.Before(s.at))) {
		return s, nil
	}
	s := &topicStats{gen: gen, version: st.version, first: first, at: now, topics: make(map[string]*topicCount, len(st.Topics))}
	for _, t := range st.Topics {
		c := &topicCount{}
		examined := 0
		err := h.store.Scan(Index{Kind: IndexTopic, Name: t.ID}, "", func(it news.Item, _ string) bool {
			if examined >= chartScanLimit {
				c.truncated = true
				return false
			}
			examined++
			p := it.Published.UTC()
			if p.Before(first) {
				return false
			}
			i := int(p.Sub(first) / day)
			if i >= chartDays {
				return true // published "in the future": a bad feed date
			}
			c.days[i]++
			c.total++
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("count stories of topic %q: %w", t.ID, err)
		}
		s.topics[t.ID] = c
	}
	h.topicStats = s
	return s, nil
}

// statsRefresh returns when a page showing s should be rendered again
// to show new counts: zero while s counts the store as it is.
func (h *Handler) statsRefresh(s *topicStats) time.Time {
	if s.gen == h.store.Generation() {
		return time.Time{}
	}
	return s.at.Add(chartMinAge)
}

// chart is an inline SVG bar chart of one topic's stories per day.
type chart struct {
	ID       string // of the SVG title, for aria-labelledby
	Label    string // the SVG's accessible name: what it shows, in words
	W, H     int    // viewBox
	Bars     []chartBar
	From, To string // the first and last day
	Summary  string // the peak (and the count, on a big chart), under the chart
	Count    string // the total, "at least" when truncated
	Days     []chartDay
}

type chartBar struct {
	X, Y, BW, BH int
	Class, Title string
}

type chartDay struct {
	Date  string
	Count int
}

// chart draws topic id's counts. n numbers the chart within its page;
// big charts are taller and carry a table of the days.
func (s *topicStats) chart(id, title string, n int, big bool) *chart {
	c := s.topics[id]
	if c == nil {
		c = &topicCount{}
	}
	const slot = 10
	ch := &chart{ID: "chart-" + strconv.Itoa(n), W: chartDays * slot, H: 40}
	if big {
		ch.H = 90
	}
	peak, peakDay := 0, 0
	for i, v := range c.days {
		if v > peak {
			peak, peakDay = v, i
		}
	}
	date := func(i int) time.Time { return s.first.Add(time.Duration(i) * day) }
	for i, v := range c.days {
		d := date(i).Format("2006-01-02")
		if big {
			ch.Days = append(ch.Days, chartDay{Date: d, Count: v})
		}
		if v == 0 {
			continue
		}
		h := (v*(ch.H-2) + peak - 1) / peak // at least 1 for a non-zero day
		class := "bar"
		if i == chartDays-1 {
			class = "bar today"
		}
		ch.Bars = append(ch.Bars, chartBar{X: i*slot + 1, Y: ch.H - h, BW: slot - 2, BH: h, Class: class,
			Title: d + ": " + plural(v, "story", "stories")})
	}
	ch.From, ch.To = date(0).Format("2 Jan"), "today"
	ch.Count = plural(c.total, "story", "stories")
	if c.truncated {
		ch.Count = "at least " + ch.Count
	}
	if peak > 0 {
		ch.Summary = "at most " + strconv.Itoa(peak) + " a day"
	}
	if big { // the small charts have the count in their heading
		ch.Summary = strings.TrimSuffix(ch.Count+", "+ch.Summary, ", ")
	}
	ch.Label = fmt.Sprintf("Stories per day about %s over the last %d days: %s", title, chartDays, ch.Count)
	if peak > 0 {
		ch.Label += fmt.Sprintf(", most on %s (%d)", date(peakDay).Format("2 January"), peak)
	}
	ch.Label += "."
	return ch
}
