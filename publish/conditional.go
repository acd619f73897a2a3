package publish

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveRendered writes r, answering 304 when the request's validators match
// and gzip when the client accepts it. cacheControl is the Cache-Control
// value (siteState.cacheControl). It assigns r's prepared header values to
// the header map: serving a cached response allocates nothing here.
func serveRendered(w http.ResponseWriter, req *http.Request, r *rendered, cacheControl []string) {
	if r.hdr.etag == nil { // not made by newRendered
		r2 := *r
		r2.headers(newFixedHeaders())
		r = &r2
	}
	hdr := w.Header()
	hdr["Etag"] = r.hdr.etag
	if r.hdr.lastModified != nil {
		hdr["Last-Modified"] = r.hdr.lastModified
	}
	hdr["Cache-Control"] = cacheControl
	hdr["Vary"] = r.hdr.vary
	if notModified(req, r) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, length := r.body, r.hdr.length
	if r.gz != nil && acceptsGzip(req.Header["Accept-Encoding"]) {
		body, length = r.gz, r.hdr.gzLength
		hdr["Content-Encoding"] = r.hdr.gzip
	}
	hdr["Content-Type"] = r.hdr.contentType
	hdr["X-Content-Type-Options"] = r.hdr.nosniff
	hdr["Content-Length"] = length
	w.WriteHeader(http.StatusOK)
	if req.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// cacheControlValue is the Cache-Control header value of responses served
// with max-age maxAge (negative counts as 0).
func cacheControlValue(maxAge time.Duration) []string {
	return []string{"public, max-age=" + strconv.FormatInt(int64(max(maxAge, 0)/time.Second), 10)}
}

// notModified applies If-None-Match, and If-Modified-Since only when the
// request has no If-None-Match (RFC 9110 section 13.2.2).
func notModified(req *http.Request, r *rendered) bool {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return false
	}
	if inm := req.Header["If-None-Match"]; len(inm) > 0 {
		if len(inm) == 1 && inm[0] == r.etag { // the usual revalidation, exactly
			return true
		}
		return etagListMatches(strings.Join(inm, ","), r.etag)
	}
	ims := req.Header.Get("If-Modified-Since")
	if ims == "" || r.lastModified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	return !r.lastModified.After(t)
}

// etagListMatches reports whether the If-None-Match value list matches etag
// by the weak comparison: "*" matches anything, and W/"x" matches "x".
// A malformed member ends the parse without a match for it.
func etagListMatches(list, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	s := list
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return false
		}
		if s[0] == '*' {
			return true
		}
		s = strings.TrimPrefix(s, "W/")
		if s == "" || s[0] != '"' {
			return false
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return false
		}
		if s[:end+2] == want {
			return true
		}
		s = s[end+2:]
	}
}

// acceptsGzip reports whether an Accept-Encoding field allows gzip: gzip or
// x-gzip with a non-zero q, else "*" with a non-zero q.
func acceptsGzip(fields []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, field := range fields {
		for part := range strings.SplitSeq(field, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
					if err != nil || f < 0 {
						f = 0
					}
					q = f
				}
			}
			switch name {
			case "gzip", "x-gzip":
				if q > gzipQ {
					gzipQ = q
				}
			case "*":
				starQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
