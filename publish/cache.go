package publish

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Bounds of the response cache: entries, and bytes of bodies (plain and
// gzip) held, so that requests for many large pages cannot exhaust memory.
const (
	cacheSize  = 256
	cacheBytes = 64 << 20
)

// rendered is a response body ready to serve, with its validators.
type rendered struct {
	body         []byte
	gz           []byte // gzip form of body; nil when it would not be smaller
	etag         string // strong, quoted: a hash of body
	lastModified time.Time
	// lastModifiedHTTP is lastModified as the Last-Modified header writes
	// it, formatted once instead of on every response.
	lastModifiedHTTP string
	contentType      string

	// The header values a response of r sends, made once so that serving
	// r assigns them to the header map without allocating. Each has
	// length and capacity 1: appending to one (Header.Add) copies it.
	hdr renderedHeaders

	gen     uint64    // Store.Generation when rendering started
	version uint64    // site version it was made with
	expires time.Time // zero: valid while gen and version hold
}

// renderedHeaders are the header values of a rendered response; nil when
// the field is not sent.
type renderedHeaders struct {
	etag, lastModified, contentType []string
	length, gzLength                []string // Content-Length of body and of gz
	fixedHeaders
}

// fixedHeaders are the header values shared by every rendered response of
// a cache.
type fixedHeaders struct {
	vary, nosniff, gzip []string
}

func newFixedHeaders() fixedHeaders {
	return fixedHeaders{vary: []string{"Accept-Encoding"}, nosniff: []string{"nosniff"}, gzip: []string{"gzip"}}
}

// headers makes r.hdr from r's fields.
func (r *rendered) headers(fixed fixedHeaders) {
	r.hdr = renderedHeaders{
		etag:         []string{r.etag},
		contentType:  []string{r.contentType},
		length:       []string{strconv.Itoa(len(r.body))},
		fixedHeaders: fixed,
	}
	switch {
	case r.lastModifiedHTTP != "":
		r.hdr.lastModified = []string{r.lastModifiedHTTP}
	case !r.lastModified.IsZero():
		r.hdr.lastModified = []string{r.lastModified.Format(http.TimeFormat)}
	}
	if r.gz != nil {
		r.hdr.gzLength = []string{strconv.Itoa(len(r.gz))}
	}
}

// newRendered hashes and compresses body.
func (c *respCache) newRendered(body []byte, contentType string, lastModified time.Time) (*rendered, error) {
	sum := sha256.Sum256(body)
	r := &rendered{
		body:         body,
		etag:         `"` + hex.EncodeToString(sum[:16]) + `"`,
		lastModified: lastModified.UTC().Truncate(time.Second),
		contentType:  contentType,
	}
	if !r.lastModified.IsZero() {
		r.lastModifiedHTTP = r.lastModified.Format(http.TimeFormat)
	}
	var buf bytes.Buffer
	zw, _ := c.gzipWriters.Get().(*gzip.Writer)
	if zw == nil {
		zw = gzip.NewWriter(&buf)
	} else {
		zw.Reset(&buf)
	}
	defer c.gzipWriters.Put(zw)
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("gzip response: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip response: %w", err)
	}
	if buf.Len() < len(body) {
		r.gz = buf.Bytes()
	}
	r.headers(c.fixed)
	return r, nil
}

// respCache is a bounded LRU of rendered responses, with concurrent
// identical misses rendered once.
//
// A hit takes only the read lock: recency is a logical clock stamped
// (atomically) on the entry at each hit that is not already the most
// recent one, instead of a list reordered under the write lock. Eviction
// scans the entries (a slice: a few hundred pointers) for the oldest stamp.
type respCache struct {
	mu       sync.RWMutex // guards byKey, all, bytes and cacheEntry.idx
	max      int          // entries
	maxBytes int
	bytes    int // held now
	byKey    map[string]*cacheEntry
	all      []*cacheEntry // the entries of byKey, in no order
	tick     atomic.Uint64 // the logical clock of recency
	group    singleflight.Group
	// gzipWriters recycles gzip writers, whose compressor state is large.
	gzipWriters sync.Pool
	fixed       fixedHeaders
}

// cacheEntry is one cached response. key and r never change; a new
// response for the key is a new entry.
type cacheEntry struct {
	key  string
	r    *rendered
	used atomic.Uint64 // respCache.tick at the last use
	idx  int           // position in respCache.all
}

func newRespCache(max, maxBytes int) *respCache {
	return &respCache{max: max, maxBytes: maxBytes, byKey: make(map[string]*cacheEntry), fixed: newFixedHeaders()}
}

func (r *rendered) size() int { return len(r.body) + len(r.gz) }

func (c *respCache) get(key string) *rendered {
	c.mu.RLock()
	e := c.byKey[key]
	c.mu.RUnlock()
	if e == nil {
		return nil
	}
	// Stamp the entry as the most recent unless it already is: a run of
	// hits on one entry then only reads shared memory.
	if e.used.Load() != c.tick.Load() {
		e.used.Store(c.tick.Add(1))
	}
	return e.r
}

func (c *respCache) put(key string, r *rendered) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.size() > c.maxBytes {
		return
	}
	if old, ok := c.byKey[key]; ok {
		c.remove(old)
	}
	e := &cacheEntry{key: key, r: r, idx: len(c.all)}
	e.used.Store(c.tick.Add(1))
	c.byKey[key] = e
	c.all = append(c.all, e)
	c.bytes += r.size()
	for len(c.all) > c.max || c.bytes > c.maxBytes {
		lru := c.all[0]
		for _, e := range c.all[1:] {
			if e.used.Load() < lru.used.Load() {
				lru = e
			}
		}
		c.remove(lru)
	}
}

// remove drops e; c.mu must be held for writing.
func (c *respCache) remove(e *cacheEntry) {
	delete(c.byKey, e.key)
	last := c.all[len(c.all)-1]
	c.all[e.idx], last.idx = last, e.idx
	c.all[len(c.all)-1] = nil
	c.all = c.all[:len(c.all)-1]
	c.bytes -= e.r.size()
}

// stats returns the number of entries and bytes held.
func (c *respCache) stats() (entries, bytes int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.byKey), c.bytes
}

// lookup returns the cached response for key if it was made at generation
// gen with site version and has not expired at now() (called only for a
// response that expires); otherwise it calls
// render once for all concurrent callers with the same key, generation and
// version, caches a successful result, and returns it.
func (c *respCache) lookup(key string, gen, version uint64, now func() time.Time, render func() (*rendered, error)) (*rendered, error) {
	if r := c.get(key); r != nil && r.gen == gen && r.version == version && (r.expires.IsZero() || now().Before(r.expires)) {
		return r, nil
	}
	flight := key + "\x00" + strconv.FormatUint(gen, 10) + "\x00" + strconv.FormatUint(version, 10)
	v, err, _ := c.group.Do(flight, func() (any, error) {
		r, err := render()
		if err != nil {
			return nil, err
		}
		r.gen, r.version = gen, version
		c.put(key, r)
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*rendered), nil
}
