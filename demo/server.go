package demo

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server serves the sample feeds on a loopback listener. Create it with
// Start and stop it with Close; its methods are safe for concurrent use.
type Server struct {
	url   string
	feeds []servedFeed
	srv   *http.Server
	done  chan struct{} // closed when Serve has returned
	// serveErr is what Serve returned, if not http.ErrServerClosed; written
	// before done is closed.
	serveErr error

	closeOnce sync.Once
	closeErr  error
}

// Start renders the sample feeds with their dates moved so that the newest
// items are from shortly before now and the oldest from three days before
// it, and serves them on 127.0.0.1 at a port chosen by the system. Each feed
// is rendered once: what a client gets does not change while the server
// runs, so a repeated conditional request is answered 304.
func Start(now time.Time) (*Server, error) {
	shift := now.Sub(baseTime()).Truncate(time.Second)
	fsys := Feeds()
	var feeds []servedFeed
	for _, info := range catalog() {
		f, err := render(fsys, info, shift)
		if err != nil {
			return nil, fmt.Errorf("demo start: %w", err)
		}
		feeds = append(feeds, f)
	}
	index, err := indexPage(feeds)
	if err != nil {
		return nil, fmt.Errorf("demo start: %w", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo start: listen on loopback: %w", err)
	}
	s := &Server{
		url:   "http://" + ln.Addr().String() + "/",
		feeds: feeds,
		done:  make(chan struct{}),
	}
	s.srv = &http.Server{
		Handler:           s.handler(index),
		ReadHeaderTimeout: 10 * time.Second,
		// Like every library in aggregatord this one logs nothing: the
		// server's only errors are clients hanging up.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
	}()
	return s, nil
}

// URL returns the server's root URL, ending in "/", such as
// "http://127.0.0.1:41234/". The feeds are at URL()+"feeds/"+file.
func (s *Server) URL() string { return s.url }

// Close stops the server at once, closing its listener and every open
// connection, and waits for it to stop. It returns the error that stopped
// the server, if that was not Close itself. Calling it again returns the
// same result. Close on a Server not made by Start does nothing.
func (s *Server) Close() error {
	if s == nil || s.srv == nil {
		return nil
	}
	s.closeOnce.Do(func() {
		err := s.srv.Close()
		<-s.done
		if s.serveErr != nil {
			err = errors.Join(err, s.serveErr)
		}
		if err != nil {
			s.closeErr = fmt.Errorf("demo close: %w", err)
		}
	})
	return s.closeErr
}

// handler returns the server's routes: "/" and one path per feed. GET and
// HEAD only; other methods get 405, other paths 404.
func (s *Server) handler(index []byte) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
	for _, f := range s.feeds {
		mux.HandleFunc("GET "+f.Path(), func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", f.ContentType())
			h.Set("ETag", f.ETag)
			h.Set("Cache-Control", "no-cache")
			// ServeContent sets Last-Modified and answers If-None-Match
			// and If-Modified-Since with 304 (and HEAD, and ranges).
			http.ServeContent(w, r, f.File, f.Modified, bytes.NewReader(f.Body))
		})
	}
	return mux
}

// indexTemplate is the page at "/".
const indexTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>aggregatord demo: sample feeds</title>
{{range .}}<link rel="alternate" type="{{.Format.MediaType}}" title="{{.Title}}" href="{{.Path}}">
{{end -}}
<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}td,th{padding:.2rem .6rem;text-align:left}</style>
</head>
<body>
<h1>aggregatord demo: sample feeds</h1>
<p>Invented news from fictional outlets, served from inside the aggregatord binary.
This is sample data, not real reporting; the dates move with the clock.</p>
<table>
<tr><th>Source</th><th>Outlet</th><th>Feed</th><th>Format</th><th>Charset</th></tr>
{{range .}}<tr><td>{{.Name}}</td><td{{if eq .Language "ar"}} dir="rtl" lang="ar"{{end}}>{{.Title}}</td><td><a href="{{.Path}}">{{.Path}}</a></td><td>{{.Format}}</td><td>{{.Charset}}</td></tr>
{{end -}}
</table>
</body>
</html>
`

// indexPage renders the page at "/".
func indexPage(feeds []servedFeed) ([]byte, error) {
	t, err := template.New("index").Parse(indexTemplate)
	if err != nil {
		return nil, fmt.Errorf("index page: %w", err)
	}
	rows := make([]feedInfo, len(feeds))
	for i, f := range feeds {
		rows[i] = f.feedInfo
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, rows); err != nil {
		return nil, fmt.Errorf("index page: %w", err)
	}
	return buf.Bytes(), nil
}
