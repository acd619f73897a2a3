package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Defaults for the zero values of FetcherOptions.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBodyBytes = 10 << 20 // 10 MiB
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "aggregatord"
)

// acceptHeader prefers feed types, then generic XML/JSON, then anything.
const acceptHeader = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"

var (
	// ErrTooLarge is returned (wrapped) by Fetch when the response body,
	// after decompression, is longer than FetcherOptions.MaxBodyBytes.
	ErrTooLarge = errors.New("response body too large")
	// ErrTooManyRedirects is returned (wrapped) by Fetch when following the
	// response would take more than FetcherOptions.MaxRedirects redirects;
	// a redirect loop ends with this error too.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrTimeout is returned (wrapped, together with
	// context.DeadlineExceeded where that is the cause) by Fetch when the
	// whole fetch, body included, did not finish within
	// FetcherOptions.Timeout or the caller's deadline.
	ErrTimeout = errors.New("timeout")
)

// FetcherOptions configure a Fetcher. The zero value is usable.
type FetcherOptions struct {
	// Client sends the requests. Nil builds a client with its own
	// transport. A given client is copied and its CheckRedirect replaced,
	// so that MaxRedirects applies; its Transport must not decompress
	// bodies on its own (http.Transport does not when the request sets
	// Accept-Encoding, as Fetch does). A nil Transport, or an
	// *http.Transport that sets none of the Dial hooks, is cloned and
	// given the address guard; any other Transport is used as it is,
	// without the guard.
	Client *http.Client
	// UserAgent is sent with every request; "" means DefaultUserAgent.
	UserAgent string
	// Timeout bounds a whole fetch, from dialling to the last byte of the
	// body; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxBodyBytes bounds the decompressed body; 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxRedirects is how many redirects one fetch follows; 0 means
	// DefaultMaxRedirects and a negative value follows none.
	MaxRedirects int
	// Now returns the current time, used to turn a Retry-After delay into
	// a time; nil means time.Now.
	Now func() time.Time
	// AddrPolicy changes how the address guard resolves and classifies
	// addresses; the zero value is the real network. See "Address guard"
	// in the package documentation.
	AddrPolicy AddrPolicy
}

// Fetcher performs conditional HTTP GETs of feeds with limits on time,
// redirects and size. It is safe for concurrent use.
type Fetcher struct {
	client       *http.Client // used as it is when guard is nil
	guard        *guard
	userAgent    string
	timeout      time.Duration
	maxBody      int64
	maxRedirects int
	now          func() time.Time
	gzipReaders  sync.Pool // of *gzip.Reader, reused across fetches
}

// NewFetcher returns a Fetcher configured by o, with defaults for its zero
// fields.
func NewFetcher(o FetcherOptions) *Fetcher {
	f := &Fetcher{
		userAgent:    o.UserAgent,
		timeout:      o.Timeout,
		maxBody:      o.MaxBodyBytes,
		maxRedirects: o.MaxRedirects,
		now:          o.Now,
	}
	if f.userAgent == "" {
		f.userAgent = DefaultUserAgent
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	if f.maxBody <= 0 {
		f.maxBody = DefaultMaxBodyBytes
	}
	switch {
	case f.maxRedirects == 0:
		f.maxRedirects = DefaultMaxRedirects
	case f.maxRedirects < 0:
		f.maxRedirects = 0
	}
	if f.now == nil {
		f.now = time.Now
	}
	var c http.Client
	var base *http.Transport
	if o.Client != nil {
		c = *o.Client
		switch t := c.Transport.(type) {
		case nil:
			if dt, ok := http.DefaultTransport.(*http.Transport); ok {
				base = dt.Clone()
			}
		case *http.Transport:
			if t.DialContext == nil && t.Dial == nil && t.DialTLSContext == nil && t.DialTLS == nil {
				base = t.Clone()
			}
		}
	} else {
		t, ok := http.DefaultTransport.(*http.Transport)
		if ok {
			t = t.Clone()
		} else {
			t = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
		}
		t.DisableCompression = true // Fetch asks for gzip and decodes it itself
		t.ResponseHeaderTimeout = f.timeout
		c.Transport = t
		base = t
	}
	c.CheckRedirect = f.checkRedirect
	f.client = &c
	if base != nil {
		f.guard = newGuard(c, base, o.AddrPolicy, f.timeout)
	}
	return f
}

// checkRedirect allows at most f.maxRedirects redirects.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.maxRedirects {
		return fmt.Errorf("stopped after %d redirects: %w", f.maxRedirects, ErrTooManyRedirects)
	}
	return nil
}

// Request names what to fetch and the validators of the last response.
type Request struct {
	// URL is the absolute http(s) URL of the feed.
	URL string
	// ETag and LastModified are the validators from the previous 200
	// response, sent as If-None-Match and If-Modified-Since; "" sends
	// neither.
	ETag         string
	LastModified string
	// Origin, if set, is the absolute URL whose host decides which special
	// address ranges the fetch may reach (see "Address guard" in the
	// package documentation); "" means URL itself. Set it to the feed's URL
	// when fetching a page that the feed links to, so that a public feed
	// cannot point aggregatord at a private address through its links.
	Origin string
}

// Response is the outcome of a successful fetch (2xx or 304).
type Response struct {
	// Status is the HTTP status code of the final response.
	Status int
	// NotModified is set for a 304 response; Body is then nil.
	NotModified bool
	// Body is the decompressed body.
	Body []byte
	// ContentType is the Content-Type header, with its parameters.
	ContentType string
	// ETag and LastModified are the response's validators; for a 304 that
	// does not repeat them, the request's.
	ETag         string
	LastModified string
	// FinalURL is the URL that answered, after redirects.
	FinalURL string
}

// StatusError is returned (wrapped) by Fetch for a response that is neither
// 2xx nor 304.
type StatusError struct {
	// Status is the HTTP status code.
	Status int
	// RetryAfter is the time named by a Retry-After header (given as
	// seconds or as an HTTP date); zero when there was none.
	RetryAfter time.Time
	// URL is the URL that answered, after redirects.
	URL string
}

// Error describes the status, e.g. "HTTP 503 Service Unavailable (retry
// after 2026-01-02T15:04:05Z)".
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
	msg = strings.TrimSpace(msg)
	if !e.RetryAfter.IsZero() {
		msg += " (retry after " + e.RetryAfter.UTC().Format(time.RFC3339) + ")"
	}
	return msg
}

// Fetch GETs r.URL. See the package documentation for its outcomes. Every
// error it returns starts with "fetch " and the URL.
func (f *Fetcher) Fetch(ctx context.Context, r Request) (*Response, error) {
	resp, err := f.fetch(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", r.URL, err)
	}
	return resp, nil
}

func (f *Fetcher) fetch(parent context.Context, r Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if s := strings.ToLower(u.Scheme); (s != "http" && s != "https") || u.Host == "" {
		return nil, errors.New("invalid URL: not an absolute http or https URL")
	}

	ctx, cancel := context.WithTimeout(parent, f.timeout)
	defer cancel()
	client := f.client
	if f.guard != nil {
		from := u
		if r.Origin != "" {
			if from, err = url.Parse(r.Origin); err != nil || from.Host == "" {
				return nil, fmt.Errorf("invalid origin URL %q", r.Origin)
			}
		}
		sc := f.guard.scope(ctx, from)
		sc.linked = r.Origin != ""
		ctx = context.WithValue(ctx, scopeKey{}, sc)
		client = f.guard.client(sc.allow)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("invalid request: %w", err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("Accept-Encoding", "gzip")
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}

	resp, err := client.Do(req)
	if err != nil {
		return nil, f.transportError(ctx, parent, err)
	}
	defer resp.Body.Close()

	finalURL := r.URL
	if resp.Request != nil && resp.Request.URL != nil {
		finalURL = resp.Request.URL.String()
	}
	out := &Response{
		Status:       resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		FinalURL:     finalURL,
	}

	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		if out.ETag == "" {
			out.ETag = r.ETag
		}
		if out.LastModified == "" {
			out.LastModified = r.LastModified
		}
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		// Drain a little so the connection can be reused; ignore errors.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return nil, &StatusError{
			Status:     resp.StatusCode,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), f.now()),
			URL:        finalURL,
		}
	}

	body, err := f.readBody(resp)
	if err != nil {
		return nil, f.transportError(ctx, parent, err)
	}
	out.Body = body
	return out, nil
}

// readBody reads the response body, decompressing gzip, and enforces the
// size limit on the decompressed bytes.
func (f *Fetcher) readBody(resp *http.Response) ([]byte, error) {
	if resp.ContentLength > f.maxBody && !resp.Uncompressed && resp.Header.Get("Content-Encoding") == "" {
		return nil, f.tooLarge()
	}
	var r io.Reader = resp.Body
	compressed := false
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := f.gzipReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("read gzip body: %w", err)
		}
		defer f.gzipReaders.Put(zr)
		r, compressed = zr, true
	case "br", "deflate", "compress", "zstd":
		return nil, fmt.Errorf("unsupported Content-Encoding %q (only gzip was asked for)", enc)
	default:
		// Some servers send nonsense such as "UTF-8" here; the body is
		// then almost always plain.
	}
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 {
		// Room for the whole body, so that it is not copied as the buffer
		// grows: feeds inflate about fivefold.
		if compressed {
			n = min(n, f.maxBody/gzipRatio) * gzipRatio
		}
		if n <= f.maxBody {
			buf.Grow(int(n) + bytes.MinRead)
		}
	}
	n, err := buf.ReadFrom(io.LimitReader(r, f.maxBody+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
			of := ""
			if resp.ContentLength > 0 && !resp.Uncompressed && resp.Header.Get("Content-Encoding") == "" {
				of = fmt.Sprintf(" of %d", resp.ContentLength)
			}
			return nil, fmt.Errorf("read body: the connection was cut after %d%s bytes: %w", n, of, err)
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	if n > f.maxBody {
		return nil, f.tooLarge()
	}
	return buf.Bytes(), nil
}

// gzipRatio is the size of a feed body over its gzip size that readBody
// makes room for at first (XML feeds compress 4 to 6 times).
const gzipRatio = 5

// gzipReader returns a gzip reader of body, reusing one of f's. Reset
// reads the gzip header, as gzip.NewReader does. The decompressor is
// github.com/klauspost/compress/gzip: the same format and checks as
// compress/gzip (multistream, CRC-32 and size trailer), and a quarter less
// CPU for a feed.
func (f *Fetcher) gzipReader(body io.Reader) (*gzip.Reader, error) {
	zr, _ := f.gzipReaders.Get().(*gzip.Reader)
	if zr == nil {
		return gzip.NewReader(body)
	}
	if err := zr.Reset(body); err != nil {
		f.gzipReaders.Put(zr)
		return nil, err
	}
	return zr, nil
}

func (f *Fetcher) tooLarge() error {
	return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, f.maxBody)
}

// transportError turns a client or body-read error into the error Fetch
// returns: url.Error's "Get URL:" prefix removed (Fetch names the URL), and
// timeouts marked with ErrTimeout.
func (f *Fetcher) transportError(ctx, parent context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, ErrTooManyRedirects) || errors.Is(err, ErrTooLarge) {
		return err
	}
	if ae, ok := errors.AsType[*AddressError](err); ok {
		return ae // without "dial tcp ADDR:" around it: the message says it all
	}
	if parent.Err() != nil && !errors.Is(parent.Err(), context.DeadlineExceeded) {
		return parent.Err() // the caller cancelled
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil ||
		(errors.As(err, &ne) && ne.Timeout()) {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w after %s: %w", ErrTimeout, f.timeout, context.DeadlineExceeded)
		}
		return fmt.Errorf("%w after %s: %w", ErrTimeout, f.timeout, err)
	}
	return err
}

// parseRetryAfter reads a Retry-After value, either delay-seconds or an
// HTTP date, into a time; it returns the zero time for an absent or
// unreadable value.
func parseRetryAfter(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return time.Time{}
		}
		const maxDelay = 365 * 24 * time.Hour
		d := maxDelay
		if secs < int64(maxDelay/time.Second) {
			d = time.Duration(secs) * time.Second
		}
		return now.Add(d).UTC()
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.UTC()
	}
	return time.Time{}
}
