package daemon

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/aggregatord/aggregatord/config"
)

// hostGuard answers requests with an overlong URI (414) or a Host header
// that does not name this server (421) before they reach a handler. See
// the package documentation for the rules. It is safe for concurrent use;
// set replaces the allowed names after a reload.
type hostGuard struct {
	// names are the allowed host names besides IP addresses of the socket
	// and loopback addresses; nil turns the Host check off.
	names atomic.Pointer[map[string]bool]
}

func newHostGuard(cfg *config.Config) *hostGuard {
	g := &hostGuard{}
	g.set(cfg)
	return g
}

// set allows the hosts of cfg's base_url, listen and admin_listen, and
// "localhost". With no base_url host the check is off.
func (g *hostGuard) set(cfg *config.Config) {
	u, err := url.Parse(cfg.Server.BaseURL)
	if err != nil || u.Hostname() == "" {
		g.names.Store(nil)
		return
	}
	names := map[string]bool{normHost(u.Hostname()): true, "localhost": true}
	for _, addr := range []string{cfg.Server.Listen, cfg.Server.AdminListen} {
		h, _, err := net.SplitHostPort(addr)
		if err != nil || h == "" {
			continue
		}
		if a, err := netip.ParseAddr(h); err == nil && a.IsUnspecified() {
			continue // 0.0.0.0 and :: are not names of this server
		}
		names[normHost(h)] = true
	}
	g.names.Store(&names)
}

// allowed reports whether r's Host names this server.
func (g *hostGuard) allowed(r *http.Request) bool {
	names := g.names.Load()
	if names == nil || r.Host == "" { // an HTTP/1.0 request may have no Host
		return true
	}
	h := hostOnly(r.Host)
	if (*names)[h] {
		return true
	}
	a, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	// An address, not a name: no DNS rebinding can produce it. Accept the
	// loopback addresses and the address the client connected to.
	if a.IsLoopback() {
		return true
	}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ap, err := netip.ParseAddrPort(la.String()); err == nil && ap.Addr().Unmap().WithZone("") == a {
			return true
		}
	}
	return false
}

// wrap returns next behind the URI length and Host checks.
func (g *hostGuard) wrap(next http.Handler, maxURI int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > maxURI {
			plainError(w, http.StatusRequestURITooLong,
				fmt.Sprintf("request URI too long: at most %d bytes of path and query are accepted", maxURI))
			return
		}
		if !g.allowed(r) {
			plainError(w, http.StatusMisdirectedRequest,
				"misdirected request: the Host header does not name this server. Use the address in its base_url; "+
					"a reverse proxy in front must pass the public Host header (nginx: proxy_set_header Host $host).")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostOnly returns the host of a Host header without its port, lower-case,
// without a trailing dot, and IP addresses in canonical form.
func hostOnly(hostport string) string {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		h = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
	}
	return normHost(h)
}

// normHost lower-cases a host name and drops a trailing dot; it writes an
// IP address in canonical form, without zone.
func normHost(h string) string {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Is4() {
			return h // ParseAddr takes IPv4 only in canonical dotted-decimal form
		}
		return a.Unmap().WithZone("").String()
	}
	return h
}

// plainError writes a short, uncached text/plain error.
func plainError(w http.ResponseWriter, status int, msg string) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}
