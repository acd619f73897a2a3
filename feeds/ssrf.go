package feeds

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// AddrClass is the kind of network an IP address belongs to, as far as the
// address guard is concerned (see "Address guard" in the package
// documentation).
type AddrClass uint8

// The address classes. Every address not in one of the special ranges is
// ClassPublic.
const (
	ClassPublic      AddrClass = iota
	ClassLoopback              // 127.0.0.0/8, ::1
	ClassLinkLocal             // 169.254.0.0/16, fe80::/10 (cloud metadata endpoints live here)
	ClassPrivate               // 10/8, 172.16/12, 192.168/16, fc00::/7
	ClassShared                // 100.64.0.0/10, carrier-grade NAT (RFC 6598)
	ClassUnspecified           // 0.0.0.0/8, :: (connecting there reaches this host)
	ClassMulticast             // 224.0.0.0/4, ff00::/8
	ClassReserved              // 240.0.0.0/4, including 255.255.255.255
	numClasses
)

// String names the class as error messages show it: "public", "loopback",
// "link-local", "private", "carrier-grade NAT", "unspecified",
// "multicast" or "reserved".
func (c AddrClass) String() string {
	switch c {
	case ClassPublic:
		return "public"
	case ClassLoopback:
		return "loopback"
	case ClassLinkLocal:
		return "link-local"
	case ClassPrivate:
		return "private"
	case ClassShared:
		return "carrier-grade NAT"
	case ClassUnspecified:
		return "unspecified"
	case ClassMulticast:
		return "multicast"
	case ClassReserved:
		return "reserved"
	}
	return "class " + strconv.Itoa(int(c))
}

var (
	sharedPrefix   = netip.MustParsePrefix("100.64.0.0/10")
	thisNetPrefix  = netip.MustParsePrefix("0.0.0.0/8")
	reservedPrefix = netip.MustParsePrefix("240.0.0.0/4")
)

// ClassifyAddr returns the class of ip. An IPv4-mapped IPv6 address
// (::ffff:127.0.0.1) is classified as the IPv4 address it carries; an
// invalid address is ClassUnspecified.
func ClassifyAddr(ip netip.Addr) AddrClass {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsUnspecified(), thisNetPrefix.Contains(ip):
		return ClassUnspecified
	case ip.IsLoopback():
		return ClassLoopback
	case ip.IsLinkLocalUnicast():
		return ClassLinkLocal
	case ip.IsMulticast():
		return ClassMulticast
	case ip.IsPrivate():
		return ClassPrivate
	case sharedPrefix.Contains(ip):
		return ClassShared
	case reservedPrefix.Contains(ip):
		return ClassReserved
	}
	return ClassPublic
}

// Resolver looks up the IP addresses of a host name. *net.Resolver
// implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// AddrPolicy lets a program (in practice, a test) change how the address
// guard sees the network. The zero value is the real network.
type AddrPolicy struct {
	// Resolver resolves host names, both to decide what a fetch may reach
	// and to dial; nil means net.DefaultResolver.
	Resolver Resolver
	// Classify returns the class of an address and port; nil means
	// ClassifyAddr of the address. A test can call a loopback server
	// "public" by its port, to see a redirect from it to loopback refused.
	Classify func(netip.AddrPort) AddrClass
}

// ErrForbiddenAddress is returned (wrapped, as an *AddressError) by Fetch
// when a connection would go to an address of a class that the fetch may
// not reach: a redirect (or a changed DNS answer) from a public address to
// loopback, link-local, private and the other special ranges.
var ErrForbiddenAddress = errors.New("forbidden address")

// AddressError describes a connection the address guard refused.
// errors.Is matches it against ErrForbiddenAddress.
type AddressError struct {
	// Addr and Class are the refused address and its class.
	Addr  netip.Addr
	Class AddrClass
	// Host is the name that resolved to Addr; "" when it was a literal.
	Host string
	// Redirected is set when the connection was for a host other than
	// the one in the fetched URL, that is, after a redirect.
	Redirected bool
	// Linked is set when the fetch was of a page linked from Origin
	// (Request.Origin was set).
	Linked bool
	// Origin describes what the fetched URL's host may reach: "public", or
	// the special classes it is in itself, such as "private".
	Origin string
}

// Error says what was refused and why, e.g. "refusing to connect to
// 127.0.0.1 (loopback) after a redirect from a public address".
func (e *AddressError) Error() string {
	target := fmt.Sprintf("%s (%s)", e.Addr, e.Class)
	if e.Host != "" {
		target = fmt.Sprintf("%s (%s, the address of %s)", e.Addr, e.Class, e.Host)
	}
	switch {
	case e.Linked:
		return fmt.Sprintf("refusing to connect to %s for a link from a %s address", target, e.Origin)
	case e.Redirected:
		return fmt.Sprintf("refusing to connect to %s after a redirect from a %s address", target, e.Origin)
	}
	return fmt.Sprintf("refusing to connect to %s: the name resolved to a %s address when the fetch began", target, e.Origin)
}

// Unwrap returns ErrForbiddenAddress.
func (e *AddressError) Unwrap() error { return ErrForbiddenAddress }

// classSet is a set of AddrClass values, one bit each. ClassPublic is
// always allowed and never stored.
type classSet uint16

func (s classSet) has(c AddrClass) bool { return c == ClassPublic || s&(1<<c) != 0 }

// String lists the classes, "public" for the empty set.
func (s classSet) String() string {
	var names []string
	for c := ClassPublic + 1; c < numClasses; c++ {
		if s&(1<<c) != 0 {
			names = append(names, c.String())
		}
	}
	if len(names) == 0 {
		return ClassPublic.String()
	}
	return strings.Join(names, " or ")
}

// fetchScope travels in the request context from Fetch to the dialer and
// the proxy hook: what this fetch may reach, and from where it started.
type fetchScope struct {
	allow  classSet
	origin string // the fetched URL's "host:port", host in lower case, default port filled in
	linked bool   // origin is the page that linked to the URL (Request.Origin), not the URL
}

// redirected reports whether a connection to host and port is for
// something other than the fetched URL.
func (sc fetchScope) redirected(host string, port uint16) bool {
	return sc.origin != "" && !strings.EqualFold(net.JoinHostPort(host, strconv.Itoa(int(port))), sc.origin)
}

type scopeKey struct{}

// guard enforces the address rules for one Fetcher. Each set of allowed
// classes gets its own client and transport, so that a pooled connection
// made for a fetch that may reach a private address is never reused by one
// that may not.
type guard struct {
	base     *http.Transport // template, never used to send
	client0  http.Client     // template for the clients: redirect policy, jar
	resolver Resolver
	classify func(netip.AddrPort) AddrClass
	timeout  time.Duration

	mu      sync.Mutex
	clients map[classSet]*http.Client
	proxies sync.Map // "host:port" of proxies in use → struct{}: dialled without a check
}

func newGuard(client http.Client, base *http.Transport, p AddrPolicy, timeout time.Duration) *guard {
	g := &guard{
		base:     base,
		client0:  client,
		resolver: p.Resolver,
		classify: p.Classify,
		timeout:  timeout,
		clients:  map[classSet]*http.Client{},
	}
	if g.resolver == nil {
		g.resolver = net.DefaultResolver
	}
	if g.classify == nil {
		g.classify = func(ap netip.AddrPort) AddrClass { return ClassifyAddr(ap.Addr()) }
	}
	return g
}

// scope decides what a fetch of u may reach: the classes of u's host
// itself, a literal address or every address its name resolves to now.
// A name that does not resolve grants nothing; the dial then fails with
// the resolver's error.
func (g *guard) scope(ctx context.Context, u *url.URL) fetchScope {
	host := strings.ToLower(u.Hostname())
	port := portOf(u)
	sc := fetchScope{origin: net.JoinHostPort(host, strconv.Itoa(int(port)))}
	if ip, err := netip.ParseAddr(host); err == nil {
		sc.allow = sc.allow.with(g.classify(netip.AddrPortFrom(ip, port)))
		return sc
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	ips, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return sc
	}
	for _, ip := range ips {
		sc.allow = sc.allow.with(g.classify(netip.AddrPortFrom(ip, port)))
	}
	return sc
}

func (s classSet) with(c AddrClass) classSet {
	if c == ClassPublic {
		return s
	}
	return s | 1<<c
}

// portOf returns u's port, or the default port of its scheme.
func portOf(u *url.URL) uint16 {
	if p, err := strconv.ParseUint(u.Port(), 10, 16); err == nil {
		return uint16(p)
	}
	if strings.EqualFold(u.Scheme, "https") {
		return 443
	}
	return 80
}

// client returns the client for fetches that may reach allow.
func (g *guard) client(allow classSet) *http.Client {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.clients[allow]; c != nil {
		return c
	}
	t := g.base.Clone()
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return g.dial(ctx, allow, network, addr)
	}
	if proxy := g.base.Proxy; proxy != nil {
		t.Proxy = func(req *http.Request) (*url.URL, error) { return g.proxy(proxy, allow, req) }
	}
	c := g.client0
	c.Transport = t
	g.clients[allow] = &c
	return &c
}

// dial resolves addr's host and connects to its addresses in turn; the
// connection's Control hook refuses, before any packet is sent, an address
// whose class allow does not hold. Checking the address actually dialled,
// not an earlier answer, defeats DNS rebinding.
func (g *guard) dial(ctx context.Context, allow classSet, network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if _, ok := g.proxies.Load(addr); ok {
		// The proxy resolves and connects to the target; the proxy hook
		// checked the target's host.
		d := net.Dialer{KeepAlive: 30 * time.Second}
		return d.DialContext(ctx, network, addr)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port: %w", addr, err)
	}
	var ips []netip.Addr
	name := ""
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		name = host
		lookup := "ip"
		switch network {
		case "tcp4":
			lookup = "ip4"
		case "tcp6":
			lookup = "ip6"
		}
		if ips, err = g.resolver.LookupNetIP(ctx, lookup, host); err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	sc, _ := ctx.Value(scopeKey{}).(fetchScope)
	var first error
	for i, ip := range ips {
		ap := netip.AddrPortFrom(ip, uint16(port))
		d := net.Dialer{
			KeepAlive: 30 * time.Second,
			Deadline:  partialDeadline(ctx, len(ips)-i),
			ControlContext: func(_ context.Context, _, address string, _ syscall.RawConn) error {
				got, err := netip.ParseAddrPort(address)
				if err != nil {
					return fmt.Errorf("refusing to connect to %q: not an IP address", address)
				}
				if c := g.classify(got); !allow.has(c) {
					return &AddressError{
						Addr: got.Addr().Unmap(), Class: c, Host: name,
						Redirected: sc.redirected(host, uint16(port)),
						Linked:     sc.linked,
						Origin:     allow.String(),
					}
				}
				return nil
			},
		}
		conn, err := d.DialContext(ctx, network, ap.String())
		if err == nil {
			return conn, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// partialDeadline shares the time left in ctx among the addresses still to
// try, giving each at least two seconds (or all that is left), as the net
// package does for a name with several addresses.
func partialDeadline(ctx context.Context, remaining int) time.Time {
	deadline, ok := ctx.Deadline()
	if !ok {
		return time.Time{}
	}
	left := time.Until(deadline)
	if left <= 0 || remaining <= 1 {
		return deadline
	}
	share := left / time.Duration(remaining)
	const minimum = 2 * time.Second
	if share < minimum {
		share = min(minimum, left)
	}
	return time.Now().Add(share)
}

// proxy wraps a transport's Proxy function. When a request goes through
// a proxy, the proxy (not this host) connects to the target, so the guard
// checks the target's host here, as a literal or as this host resolves it,
// and lets the connection to the proxy itself through.
func (g *guard) proxy(next func(*http.Request) (*url.URL, error), allow classSet, req *http.Request) (*url.URL, error) {
	pu, err := next(req)
	if err != nil || pu == nil {
		return pu, err
	}
	host := strings.ToLower(req.URL.Hostname())
	port := portOf(req.URL)
	sc, _ := req.Context().Value(scopeKey{}).(fetchScope)
	var ips []netip.Addr
	name := ""
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		name = host
		ctx, cancel := context.WithTimeout(req.Context(), g.timeout)
		ips, _ = g.resolver.LookupNetIP(ctx, "ip", host) // unresolvable here: the proxy decides
		cancel()
	}
	for _, ip := range ips {
		if c := g.classify(netip.AddrPortFrom(ip, port)); !allow.has(c) {
			return nil, &AddressError{Addr: ip.Unmap(), Class: c, Host: name, Redirected: sc.redirected(host, port), Linked: sc.linked, Origin: allow.String()}
		}
	}
	g.proxies.Store(proxyAddr(pu), struct{}{})
	return pu, nil
}

// proxyAddr is the "host:port" the transport dials for proxy URL u.
func proxyAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}
