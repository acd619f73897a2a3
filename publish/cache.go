package publish

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"
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

	gen     uint64    // Store.Generation when rendering started
	version uint64    // site version it was made with
	expires time.Time // zero: valid while gen and version hold
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
	return r, nil
}

// respCache is a bounded LRU of rendered responses, with concurrent
// identical misses rendered once.
type respCache struct {
	mu       sync.Mutex
	max      int // entries
	maxBytes int
	bytes    int        // held now
	order    *list.List // front: most recently used; values are *cacheEntry
	byKey    map[string]*list.Element
	group    singleflight.Group
	// gzipWriters recycles gzip writers, whose compressor state is large.
	gzipWriters sync.Pool
}

type cacheEntry struct {
	key string
	r   *rendered
}

func newRespCache(max, maxBytes int) *respCache {
	return &respCache{max: max, maxBytes: maxBytes, order: list.New(), byKey: make(map[string]*list.Element)}
}

func (r *rendered) size() int { return len(r.body) + len(r.gz) }

func (c *respCache) get(key string) *rendered {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry).r
}

func (c *respCache) put(key string, r *rendered) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.size() > c.maxBytes {
		return
	}
	if el, ok := c.byKey[key]; ok {
		ent := el.Value.(*cacheEntry)
		c.bytes += r.size() - ent.r.size()
		ent.r = r
		c.order.MoveToFront(el)
	} else {
		c.byKey[key] = c.order.PushFront(&cacheEntry{key: key, r: r})
		c.bytes += r.size()
	}
	for c.order.Len() > c.max || c.bytes > c.maxBytes {
		el := c.order.Back()
		ent := el.Value.(*cacheEntry)
		c.order.Remove(el)
		delete(c.byKey, ent.key)
		c.bytes -= ent.r.size()
	}
}

// stats returns the number of entries and bytes held.
func (c *respCache) stats() (entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}

// lookup returns the cached response for key if it was made at generation
// gen with site version and has not expired at now; otherwise it calls
// render once for all concurrent callers with the same key, generation and
// version, caches a successful result, and returns it.
func (c *respCache) lookup(key string, gen, version uint64, now time.Time, render func() (*rendered, error)) (*rendered, error) {
	if r := c.get(key); r != nil && r.gen == gen && r.version == version && (r.expires.IsZero() || now.Before(r.expires)) {
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
