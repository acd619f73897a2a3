package feeds

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestClassifyAddr(t *testing.T) {
	tests := []struct {
		addr string
		want AddrClass
	}{
		{"8.8.8.8", ClassPublic},
		{"2001:4860:4860::8888", ClassPublic},
		{"127.0.0.1", ClassLoopback},
		{"127.255.0.9", ClassLoopback},
		{"::1", ClassLoopback},
		{"::ffff:127.0.0.1", ClassLoopback},
		{"169.254.169.254", ClassLinkLocal},
		{"fe80::1", ClassLinkLocal},
		{"fe80::1%eth0", ClassLinkLocal},
		{"10.1.2.3", ClassPrivate},
		{"172.16.0.1", ClassPrivate},
		{"172.31.255.255", ClassPrivate},
		{"172.32.0.1", ClassPublic},
		{"192.168.1.1", ClassPrivate},
		{"fd00::1", ClassPrivate},
		{"::ffff:10.0.0.1", ClassPrivate},
		{"100.64.0.1", ClassShared},
		{"100.127.255.255", ClassShared},
		{"100.128.0.1", ClassPublic},
		{"0.0.0.0", ClassUnspecified},
		{"0.1.2.3", ClassUnspecified},
		{"::", ClassUnspecified},
		{"224.0.0.1", ClassMulticast},
		{"ff02::1", ClassMulticast},
		{"240.0.0.1", ClassReserved},
		{"255.255.255.255", ClassReserved},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := ClassifyAddr(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("ClassifyAddr(%s) = %s, want %s", tt.addr, got, tt.want)
			}
		})
	}
	if got := ClassifyAddr(netip.Addr{}); got != ClassUnspecified {
		t.Errorf("invalid address: %s", got)
	}
}

// fakeResolver answers from a table; a host with several answers gives
// them in turn (the last one repeats), to simulate DNS rebinding.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]netip.Addr
	asked   map[string]int
}

func newFakeResolver(answers map[string][]string) *fakeResolver {
	r := &fakeResolver{answers: map[string][][]netip.Addr{}, asked: map[string]int{}}
	for host, list := range answers {
		for _, a := range list {
			r.answers[host] = append(r.answers[host], []netip.Addr{netip.MustParseAddr(a)})
		}
	}
	return r
}

func (r *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	list, ok := r.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	n := r.asked[host]
	r.asked[host]++
	return list[min(n, len(list)-1)], nil
}

// countingServer is a loopback server that counts its requests.
type countingServer struct {
	*httptest.Server
	hits atomic.Int32
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	cs := &countingServer{}
	cs.Server = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.hits.Add(1)
		h(w, r)
	}))
	return cs
}

func (cs *countingServer) port() uint16 {
	return netip.MustParseAddrPort(cs.Listener.Addr().String()).Port()
}

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target, http.StatusFound) }
}

// publicPorts classifies the loopback servers listening on the given
// ports, and 127.0.0.2, as public; everything else as it is.
func publicPorts(ports ...uint16) func(netip.AddrPort) AddrClass {
	return func(ap netip.AddrPort) AddrClass {
		for _, p := range ports {
			if ap.Port() == p && ap.Addr().IsLoopback() {
				return ClassPublic
			}
		}
		if ap.Addr() == netip.MustParseAddr("127.0.0.2") {
			return ClassPublic
		}
		return ClassifyAddr(ap.Addr())
	}
}

func TestFetchAddressGuard(t *testing.T) {
	feed := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, sampleRSS) })
	admin := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "admin secrets") })
	adminURL := admin.URL + "/admin/backup"

	tests := []struct {
		name     string
		origin   string // path on the "public" server, or a full URL
		resolver map[string][]string
		wantErr  string // "" means the fetch succeeds
	}{
		{name: "public to loopback", origin: "redirect:" + adminURL,
			wantErr: "refusing to connect to 127.0.0.1 (loopback) after a redirect from a public address"},
		{name: "public to localhost name", origin: "redirect:" + strings.Replace(adminURL, "127.0.0.1", "localhost", 1),
			resolver: map[string][]string{"localhost": {"127.0.0.1"}},
			wantErr:  "refusing to connect to 127.0.0.1 (loopback, the address of localhost) after a redirect from a public address"},
		{name: "public to metadata name", origin: "redirect:http://metadata.test/latest/meta-data/",
			resolver: map[string][]string{"metadata.test": {"169.254.169.254"}},
			wantErr:  "refusing to connect to 169.254.169.254 (link-local, the address of metadata.test) after a redirect from a public address"},
		{name: "public to metadata literal", origin: "redirect:http://169.254.169.254/latest/meta-data/",
			wantErr: "refusing to connect to 169.254.169.254 (link-local) after a redirect from a public address"},
		{name: "public to private", origin: "redirect:http://10.1.2.3:8080/",
			wantErr: "refusing to connect to 10.1.2.3 (private) after a redirect from a public address"},
		{name: "public to CGNAT", origin: "redirect:http://100.64.1.1/",
			wantErr: "refusing to connect to 100.64.1.1 (carrier-grade NAT) after a redirect from a public address"},
		{name: "public to unspecified", origin: "redirect:" + strings.Replace(adminURL, "127.0.0.1", "0.0.0.0", 1),
			wantErr: "refusing to connect to 0.0.0.0 (unspecified) after a redirect from a public address"},
		{name: "public to mapped loopback", origin: "redirect:" + strings.Replace(adminURL, "127.0.0.1", "[::ffff:127.0.0.1]", 1),
			wantErr: "refusing to connect to 127.0.0.1 (loopback) after a redirect from a public address"},
		// feeds.test is the loopback feed server, which the policy calls public.
		{name: "public to public", origin: "redirect:http://feeds.test:FEEDPORT/feed",
			resolver: map[string][]string{"feeds.test": {"127.0.0.1"}}},
		{name: "loopback to loopback", origin: "http://127.0.0.1:PORT/go?to=feed"},
		{name: "loopback name to loopback", origin: "http://lan.test:PORT/go?to=feed",
			resolver: map[string][]string{"lan.test": {"127.0.0.1"}}},
		{name: "DNS rebinding", origin: "http://rebind.test:FEEDPORT/feed",
			resolver: map[string][]string{"rebind.test": {"127.0.0.2", "127.0.0.1"}},
			wantErr:  "refusing to connect to 127.0.0.1 (loopback, the address of rebind.test): the name resolved to a public address when the fetch began"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The "public" origin: a loopback server the policy calls public.
			target := strings.Replace(strings.TrimPrefix(tt.origin, "redirect:"), "FEEDPORT", serverPort(feed), 1)
			pub := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("to") == "feed" {
					http.Redirect(w, r, feed.URL+"/feed", http.StatusFound)
					return
				}
				http.Redirect(w, r, target, http.StatusFound)
			})
			origin := tt.origin
			ports := []uint16{pub.port(), feed.port()}
			switch {
			case strings.HasPrefix(origin, "redirect:"):
				origin = pub.URL + "/go"
			case strings.Contains(origin, ":PORT"):
				// The origin is what it is: loopback.
				origin = strings.Replace(origin, "PORT", serverPort(pub), 1)
				ports = nil
			case strings.Contains(origin, ":FEEDPORT"):
				origin = strings.Replace(origin, "FEEDPORT", serverPort(feed), 1)
				ports = nil
			}
			res := newFakeResolver(tt.resolver)
			f := NewFetcher(FetcherOptions{AddrPolicy: AddrPolicy{Resolver: res, Classify: publicPorts(ports...)}})
			adminBefore := admin.hits.Load()
			resp, err := f.Fetch(context.Background(), Request{URL: origin})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("fetch: %v", err)
				}
				if string(resp.Body) != sampleRSS {
					t.Errorf("body %q", resp.Body)
				}
				return
			}
			if err == nil {
				t.Fatalf("fetch of %s succeeded (final URL %s)", origin, resp.FinalURL)
			}
			if !errors.Is(err, ErrForbiddenAddress) {
				t.Errorf("err = %v, want ErrForbiddenAddress", err)
			}
			if want := "fetch " + origin + ": " + tt.wantErr; err.Error() != want {
				t.Errorf("err =\n  %s\nwant\n  %s", err, want)
			}
			if n := admin.hits.Load() - adminBefore; n != 0 {
				t.Errorf("the admin server got %d requests", n)
			}
		})
	}
}

func serverPort(cs *countingServer) string {
	_, port, _ := net.SplitHostPort(cs.Listener.Addr().String())
	return port
}

// TestFetchAddressGuardOriginRange: a source in a special range may be
// redirected within that range, not into another.
func TestFetchAddressGuardOriginRange(t *testing.T) {
	lan2 := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, sampleRSS) })
	admin := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "admin") })
	lan1 := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/to-lan" {
			http.Redirect(w, r, lan2.URL+"/feed", http.StatusFound)
			return
		}
		http.Redirect(w, r, admin.URL+"/admin", http.StatusFound)
	})
	// lan1 and lan2 are "private" servers; admin stays loopback.
	classify := func(ap netip.AddrPort) AddrClass {
		if ap.Port() == lan1.port() || ap.Port() == lan2.port() {
			return ClassPrivate
		}
		return ClassifyAddr(ap.Addr())
	}
	f := NewFetcher(FetcherOptions{AddrPolicy: AddrPolicy{Classify: classify}})
	if _, err := f.Fetch(context.Background(), Request{URL: lan1.URL + "/to-lan"}); err != nil {
		t.Errorf("private to private: %v", err)
	}
	_, err := f.Fetch(context.Background(), Request{URL: lan1.URL + "/to-admin"})
	want := "refusing to connect to 127.0.0.1 (loopback) after a redirect from a private address"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("private to loopback: err = %v, want ...%s", err, want)
	}
	if admin.hits.Load() != 0 {
		t.Error("the loopback server was reached")
	}
}

// TestFetchAddressGuardPooledConnection: a keep-alive connection opened
// for a loopback source is not reused by a public source redirected there.
func TestFetchAddressGuardPooledConnection(t *testing.T) {
	inner := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, sampleRSS) })
	pub := newCountingServer(t, redirectTo(inner.URL+"/feed"))
	f := NewFetcher(FetcherOptions{AddrPolicy: AddrPolicy{Classify: publicPorts(pub.port())}})
	// The loopback source itself: allowed, leaves an idle connection.
	if _, err := f.Fetch(context.Background(), Request{URL: inner.URL + "/feed"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.Fetch(context.Background(), Request{URL: pub.URL + "/go"})
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("err = %v, want ErrForbiddenAddress", err)
	}
	if inner.hits.Load() != 1 {
		t.Errorf("inner server got %d requests, want 1", inner.hits.Load())
	}
}

// TestFetchAddressGuardProxy: through a proxy the target's host is
// checked, and the proxy itself (on loopback) may be reached.
func TestFetchAddressGuardProxy(t *testing.T) {
	// A forward proxy for plain HTTP: absolute-form requests.
	var seen []string
	var mu sync.Mutex
	proxy := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.String())
		mu.Unlock()
		switch r.URL.Host {
		case "news.test":
			if r.URL.Path == "/go" {
				http.Redirect(w, r, "http://127.0.0.1:9/admin/backup", http.StatusFound)
				return
			}
			io.WriteString(w, sampleRSS)
		default:
			http.Error(w, "no", http.StatusBadGateway)
		}
	})
	pu, _ := url.Parse(proxy.URL)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}}
	res := newFakeResolver(map[string][]string{"news.test": {"127.0.0.2"}})
	f := NewFetcher(FetcherOptions{Client: client, AddrPolicy: AddrPolicy{Resolver: res, Classify: publicPorts()}})

	if _, err := f.Fetch(context.Background(), Request{URL: "http://news.test/feed"}); err != nil {
		t.Fatalf("fetch through a loopback proxy: %v", err)
	}
	_, err := f.Fetch(context.Background(), Request{URL: "http://news.test/go"})
	want := "refusing to connect to 127.0.0.1 (loopback) after a redirect from a public address"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("err = %v, want ...%s", err, want)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range seen {
		if strings.Contains(u, "127.0.0.1:9") {
			t.Errorf("the proxy was asked for %s", u)
		}
	}
}

// TestFetchAddressGuardCustomTransport: a given RoundTripper that is not
// an *http.Transport is used as it is.
func TestFetchAddressGuardCustomTransport(t *testing.T) {
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(sampleRSS)), Header: http.Header{}, Request: r}, nil
	})
	f := NewFetcher(FetcherOptions{Client: &http.Client{Transport: rt}})
	if f.guard != nil {
		t.Fatal("guard installed on a custom RoundTripper")
	}
	if _, err := f.Fetch(context.Background(), Request{URL: "http://169.254.169.254/"}); err != nil {
		t.Fatal(err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestFetchAddressGuardLinkedPage: a page fetched for a feed's link
// (Request.Origin) may reach only what the feed's own URL may.
func TestFetchAddressGuardLinkedPage(t *testing.T) {
	page := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>article</html>") })
	res := newFakeResolver(map[string][]string{"news.test": {"127.0.0.2"}, "lan.test": {"127.0.0.1"}})
	f := NewFetcher(FetcherOptions{AddrPolicy: AddrPolicy{Resolver: res, Classify: publicPorts()}})
	tests := []struct {
		name, url, origin, wantErr string
	}{
		{"public feed links to loopback", page.URL + "/a", "https://news.test/feed",
			"refusing to connect to 127.0.0.1 (loopback) for a link from a public address"},
		{"public feed links to metadata", "http://169.254.169.254/latest/meta-data/", "https://news.test/feed",
			"refusing to connect to 169.254.169.254 (link-local) for a link from a public address"},
		{"loopback feed links to loopback", page.URL + "/a", "http://lan.test:8080/feed", ""},
		{"no origin: the URL decides", page.URL + "/a", "", ""},
		{"bad origin", page.URL + "/a", "::nonsense", `invalid origin URL "::nonsense"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := page.hits.Load()
			_, err := f.Fetch(context.Background(), Request{URL: tt.url, Origin: tt.origin})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.HasSuffix(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ...%s", err, tt.wantErr)
			}
			if page.hits.Load() != before {
				t.Error("the page was fetched")
			}
		})
	}
}
