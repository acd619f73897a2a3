//go:build unix

package publish

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The browser test renders the pages in a real headless Chromium, driven
// through the DevTools protocol over a pipe (--remote-debugging-pipe: no
// port, no network, no npm), and checks what a reader gets: every story
// once, Arabic, Persian and Kurdish text laid out right to left, nothing
// wider than a phone, no subresources, no script run by item text, dark
// mode, and phone-sized screenshots.
//
// Chromium is $AGGREGATORD_CHROMIUM when set, else the first of chromium,
// chromium-browser and google-chrome on PATH. Without it the test is skipped,
// except under CI=true, where it fails. Set AGGREGATORD_SCREENSHOTS=DIR to
// keep the screenshots (viewport and full page) in DIR.

func findChromium(t *testing.T) string {
	t.Helper()
	cands := []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"}
	if c := os.Getenv("AGGREGATORD_CHROMIUM"); c != "" {
		cands = []string{c} // an explicit choice: that one or none
	}
	for _, c := range cands {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found; CI must install it (apt-get install chromium) for the browser test")
	}
	t.Skip("chromium not found; install Debian's chromium to run the browser test")
	return ""
}

// browser is a headless Chromium with one page, spoken to over CDP.
type browser struct {
	t       *testing.T
	cmd     *exec.Cmd
	stderr  *bytes.Buffer
	toB     *os.File
	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpMsg
	readErr error
	session string
}

type cdpMsg struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    any             `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine of exec.
type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func startBrowser(t *testing.T, ctx context.Context) *browser {
	t.Helper()
	exe := findChromium(t)
	toR, toW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, exe,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-extensions", "--no-proxy-server", "--hide-scrollbars", "--mute-audio",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "about:blank")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	cmd.ExtraFiles = []*os.File{toR, fromW} // fd 3: commands in, fd 4: replies out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	toR.Close()
	fromW.Close()
	b := &browser{t: t, cmd: cmd, toB: toW, pending: map[int]chan cdpMsg{}}
	go b.read(fromR)
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.call(cctx, "", "Browser.close", nil, nil)
		toW.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			stderr.mu.Lock()
			t.Logf("chromium stderr (tail, without D-Bus noise):\n%s", tail(withoutDBus(stderr.String()), 3000))
			stderr.mu.Unlock()
		}
	})

	var target struct{ TargetID string }
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		t.Fatalf("create target: %v", err)
	}
	var att struct{ SessionID string }
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		t.Fatalf("attach: %v", err)
	}
	b.session = att.SessionID
	b.must(ctx, "Page.enable", nil, nil)
	b.must(ctx, "Runtime.enable", nil, nil)
	return b
}

// withoutDBus drops the lines in which a headless chromium without a
// session bus complains about it.
func withoutDBus(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if !strings.Contains(line, "dbus") {
			b.WriteString(line)
		}
	}
	return b.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// read dispatches replies to their callers; events are dropped.
func (b *browser) read(r *os.File) {
	br := bufio.NewReader(r)
	var err error
	for {
		var line []byte
		line, err = br.ReadBytes(0)
		if err != nil {
			break
		}
		var m cdpMsg
		if json.Unmarshal(line[:len(line)-1], &m) != nil || m.ID == 0 {
			continue
		}
		b.mu.Lock()
		ch := b.pending[m.ID]
		delete(b.pending, m.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- m
		}
	}
	b.mu.Lock()
	b.readErr = fmt.Errorf("reading from chromium: %w", err)
	for id, ch := range b.pending {
		close(ch)
		delete(b.pending, id)
	}
	b.mu.Unlock()
}

// call sends one command (to the page's session unless session is "" and
// the method is a browser one) and decodes its result into out.
func (b *browser) call(ctx context.Context, session, method string, params, out any) error {
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return b.readErr
	}
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMsg, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg, err := json.Marshal(cdpMsg{ID: id, Method: method, SessionID: session, Params: params})
	if err != nil {
		return err
	}
	if _, err := b.toB.Write(append(msg, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: chromium went away", method)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if out != nil {
			return json.Unmarshal(m.Result, out)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (b *browser) must(ctx context.Context, method string, params, out any) {
	b.t.Helper()
	if err := b.call(ctx, b.session, method, params, out); err != nil {
		b.t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its
// JSON-able value into out.
func (b *browser) eval(ctx context.Context, expr string, out any) {
	b.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	b.must(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if e := res.ExceptionDetails; e != nil {
		desc := e.Text
		if e.Exception != nil {
			desc = e.Exception.Description
		}
		b.t.Fatalf("evaluating in the page: %s", desc)
	}
	if out != nil {
		if err := json.Unmarshal(res.Result.Value, out); err != nil {
			b.t.Fatalf("decoding %s: %v", res.Result.Value, err)
		}
	}
}

// open navigates to url and waits until the document has loaded.
func (b *browser) open(ctx context.Context, url string) {
	b.t.Helper()
	var nav struct{ ErrorText string }
	b.must(ctx, "Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		b.t.Fatalf("navigate %s: %s", url, nav.ErrorText)
	}
	for {
		var state string
		b.eval(ctx, `document.readyState + " " + location.href`, &state)
		if strings.HasPrefix(state, "complete ") && strings.HasSuffix(state, " "+url) {
			return
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("loading %s: %v (state %q)", url, ctx.Err(), state)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// screenshot saves the viewport (full=false) or the whole page as a PNG
// and returns the decoded image.
func (b *browser) screenshot(ctx context.Context, path string, full bool) image.Image {
	b.t.Helper()
	params := map[string]any{"format": "png"}
	if full {
		var size struct{ W, H float64 }
		b.eval(ctx, `({W: document.documentElement.scrollWidth, H: document.documentElement.scrollHeight})`, &size)
		params["captureBeyondViewport"] = true
		params["clip"] = map[string]any{"x": 0, "y": 0, "width": size.W, "height": min(size.H, 6000), "scale": 1}
	}
	var shot struct{ Data string }
	b.must(ctx, "Page.captureScreenshot", params, &shot)
	data, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", path, err)
	}
	return img
}

// distinctColours counts the colours of a sample of img's pixels.
func distinctColours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 3 {
		for x := r.Min.X; x < r.Max.X; x += 3 {
			c0, c1, c2, c3 := img.At(x, y).RGBA()
			seen[[4]uint32{c0 >> 8, c1 >> 8, c2 >> 8, c3 >> 8}] = true
		}
	}
	return len(seen)
}

func TestBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := startBrowser(t, ctx)

	items := browserItems()
	store := newFakeStore(items, browserStates(), t0)
	h := NewHandler(Options{Store: store, Site: browserSite(), Now: fixedNow, Query: fakeQuery,
		SourceStats: func(name string) (int, time.Time) { return len(name) * 10, t0.Add(7 * time.Minute) }})
	srv := httptest.NewServer(h)
	defer srv.Close()

	shots := os.Getenv("AGGREGATORD_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	phone := func(dark bool) {
		b.must(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true}, nil)
		scheme := "light"
		if dark {
			scheme = "dark"
		}
		b.must(ctx, "Emulation.setEmulatedMedia", map[string]any{"features": []map[string]string{{"name": "prefers-color-scheme", "value": scheme}}}, nil)
	}
	shoot := func(name string) {
		t.Helper()
		img := b.screenshot(ctx, filepath.Join(shots, name+".png"), false)
		if r := img.Bounds(); r.Dx() != 390 || r.Dy() != 844 {
			t.Errorf("%s: screenshot is %dx%d, want the phone's 390x844", name, r.Dx(), r.Dy())
		}
		if n := distinctColours(img); n < 20 {
			t.Errorf("%s: screenshot has %d colours: blank page?", name, n)
		}
		if os.Getenv("AGGREGATORD_SCREENSHOTS") != "" {
			b.screenshot(ctx, filepath.Join(shots, name+"-full.png"), true)
		}
	}

	// common are checks every page must pass. The phone's width is the
	// root element's client width: with mobile emulation, innerWidth
	// grows to fit content that overflows.
	type common struct {
		ScrollWidth, InnerWidth int
		Overflowing             []string
		Resources               []string
		Scripts                 int
		XSS                     any
		BadLinks                []string
		Icon                    string
		Alternates              []string
		H1                      int
	}
	const commonJS = `({
		ScrollWidth: document.documentElement.scrollWidth, InnerWidth: document.documentElement.clientWidth,
		Overflowing: [...document.querySelectorAll('body *')].filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > document.documentElement.clientWidth + 1; })
			.map(e => e.tagName.toLowerCase() + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40)).slice(0, 5),
		Resources: performance.getEntriesByType('resource').map(e => e.name),
		Scripts: document.scripts.length,
		XSS: window.__xss === undefined ? null : window.__xss,
		// The page's own empty icon (href="data:,", so browsers do not ask
		// for /favicon.ico) is the one link that is not http(s).
		BadLinks: [...document.querySelectorAll('a[href], link[href]:not([rel=icon]), form[action]')].map(e => e.href || e.action).filter(u => !/^https?:\/\//.test(u)),
		Icon: [...document.querySelectorAll('link[rel=icon]')].map(l => l.getAttribute('href')).join(' '),
		Alternates: [...document.querySelectorAll('link[rel=alternate]')].map(l => l.type + ' ' + new URL(l.href).pathname),
		H1: document.querySelectorAll('h1').length,
	})`
	check := func(page string, c common) {
		t.Helper()
		if c.ScrollWidth > c.InnerWidth {
			t.Errorf("%s: page is %dpx wide on a %dpx phone; overflowing: %q", page, c.ScrollWidth, c.InnerWidth, c.Overflowing)
		}
		if len(c.Overflowing) > 0 {
			t.Errorf("%s: elements wider than the phone: %q", page, c.Overflowing)
		}
		if len(c.Resources) > 0 || c.Scripts > 0 {
			t.Errorf("%s: the page loads %q and has %d scripts; want no external assets and no JavaScript", page, c.Resources, c.Scripts)
		}
		if c.XSS != nil {
			t.Errorf("%s: item or config text ran as script: window.__xss = %v", page, c.XSS)
		}
		if len(c.BadLinks) > 0 {
			t.Errorf("%s: links that are not http(s): %q", page, c.BadLinks)
		}
		if c.Icon != "data:," {
			t.Errorf("%s: icon %q, want the empty data:, icon", page, c.Icon)
		}
		if len(c.Alternates) == 0 || c.Alternates[len(c.Alternates)-1] != "application/feed+json /feeds/all.json" {
			t.Errorf("%s: alternate links %q; want the merged feed's last", page, c.Alternates)
		}
		if c.H1 != 1 {
			t.Errorf("%s: %d h1 elements, want 1", page, c.H1)
		}
	}

	t.Run("home", func(t *testing.T) {
		phone(false)
		b.open(ctx, srv.URL+"/")
		var got struct {
			common
			Titles []struct {
				Text, Dir, Lang string
				RightAligned    bool
				LeftAligned     bool
			}
			Snippets []struct{ Text, Dir string }
			Also     []string
			Chips    int
			Font     float64
		}
		b.eval(ctx, `(() => {
			const aligned = (e) => { const r = document.createRange(); r.selectNodeContents(e); const t = r.getBoundingClientRect(), b = e.getBoundingClientRect();
				return [Math.abs(b.right - t.right) < 2, Math.abs(t.left - b.left) < 2]; };
			return Object.assign(`+commonJS+`, {
				Titles: [...document.querySelectorAll('article.item h2')].map(h => { const [r, l] = aligned(h);
					return {Text: h.textContent.trim(), Dir: getComputedStyle(h).direction, Lang: h.lang, RightAligned: r, LeftAligned: l}; }),
				Snippets: [...document.querySelectorAll('article.item .snippet')].map(p => ({Text: p.textContent.trim(), Dir: getComputedStyle(p).direction})),
				Also: [...document.querySelectorAll('article.item .also a')].map(a => a.textContent.trim() + ' ' + a.href),
				Chips: document.querySelectorAll('article.item .chips a').length,
				Font: parseFloat(getComputedStyle(document.querySelector('article.item .snippet')).fontSize),
			});
		})()`, &got)
		check("/", got.common)
		count := map[string]int{}
		for _, ti := range got.Titles {
			count[ti.Text]++
		}
		for _, it := range items {
			want := plainTitle(it.Title)
			if count[want] != 1 {
				t.Errorf("title %q shown %d times, want once", want, count[want])
			}
		}
		if len(got.Titles) != len(items) {
			t.Errorf("%d titles on the page, want %d", len(got.Titles), len(items))
		}
		rtl := map[string]bool{"ar": true, "fa": true, "ckb": true}
		for _, ti := range got.Titles {
			want := "ltr"
			if rtl[ti.Lang] {
				want = "rtl"
			}
			if ti.Dir != want {
				t.Errorf("title %q (lang %q): direction %s, want %s", ti.Text, ti.Lang, ti.Dir, want)
			}
			if want == "rtl" && !ti.RightAligned {
				t.Errorf("right-to-left title %q is not aligned to the right", ti.Text)
			}
			if want == "ltr" && !ti.LeftAligned {
				t.Errorf("left-to-right title %q is not aligned to the left", ti.Text)
			}
		}
		var rtlSnippets int
		for _, s := range got.Snippets {
			if s.Dir == "rtl" {
				rtlSnippets++
			}
			if strings.Contains(s.Text, "<") && !strings.Contains(s.Text, "hostile") {
				t.Errorf("snippet shows markup: %q", s.Text)
			}
		}
		if rtlSnippets == 0 {
			t.Errorf("no right-to-left snippet among %d", len(got.Snippets))
		}
		var storyLinks int
		for _, a := range got.Also {
			if strings.Contains(a, "/story/s1") || strings.Contains(a, "/story/s2") {
				storyLinks++
			}
		}
		if storyLinks != 2 {
			t.Errorf("the story's other outlets: %q; want both linked", got.Also)
		}
		if got.Chips == 0 {
			t.Error("no topic chips")
		}
		if got.Font < 14 {
			t.Errorf("snippet font %.1fpx: too small to read on a phone", got.Font)
		}
		shoot("home")
	})

	t.Run("topics", func(t *testing.T) {
		phone(false)
		b.open(ctx, srv.URL+"/topics")
		var got struct {
			common
			Charts []struct {
				Label       string
				Bars, Width int
			}
		}
		b.eval(ctx, `Object.assign(`+commonJS+`, {
			Charts: [...document.querySelectorAll('svg.chart')].map(s => ({Label: s.querySelector('title').textContent,
				Bars: s.querySelectorAll('rect').length, Width: Math.round(s.getBoundingClientRect().width)})),
		})`, &got)
		check("/topics", got.common)
		if len(got.Charts) != len(browserSite().Topics) {
			t.Fatalf("%d charts, want one per topic (%d)", len(got.Charts), len(browserSite().Topics))
		}
		for _, c := range got.Charts {
			if c.Width < 200 {
				t.Errorf("chart %q is %dpx wide on a phone", c.Label, c.Width)
			}
			if c.Bars == 0 && !strings.Contains(c.Label, "Hostile") && !strings.Contains(c.Label, ": 0 stories") {
				t.Errorf("chart %q has no bars", c.Label)
			}
		}
		shoot("topics")
	})

	t.Run("sources", func(t *testing.T) {
		phone(false)
		b.open(ctx, srv.URL+"/sources")
		var got struct {
			common
			Cards []struct{ Class, Badge, Border string }
		}
		b.eval(ctx, `Object.assign(`+commonJS+`, {
			Cards: [...document.querySelectorAll('li.card')].map(c => ({Class: c.className, Badge: c.querySelector('.badge').textContent,
				Border: getComputedStyle(c).borderInlineStartColor})),
		})`, &got)
		check("/sources", got.common)
		if len(got.Cards) != len(browserSite().Sources) {
			t.Fatalf("%d source cards, want %d", len(got.Cards), len(browserSite().Sources))
		}
		okBorder := ""
		for _, c := range got.Cards {
			if strings.Contains(c.Class, "ok") {
				okBorder = c.Border
			}
		}
		for i, c := range got.Cards[:3] { // kurdistan24, rudaw-ckb and xss fail
			if !strings.Contains(c.Class, "bad") || !strings.HasPrefix(c.Badge, "failing") {
				t.Errorf("card %d: class %q badge %q; want the failing sources first, marked", i, c.Class, c.Badge)
			}
			if c.Border == okBorder {
				t.Errorf("failing card %d has the same border colour as a healthy one (%s)", i, c.Border)
			}
		}
		shoot("sources")
	})

	t.Run("topic and search", func(t *testing.T) {
		phone(false)
		for _, path := range []string{"/topics/us-iran", "/sources/aljazeera-ar", "/?topic=oil&q=oil", "/?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E", "/?q=(unbalanced"} {
			b.open(ctx, srv.URL+path)
			var got common
			b.eval(ctx, commonJS, &got)
			check(path, got)
		}
	})

	t.Run("dark", func(t *testing.T) {
		phone(true)
		b.open(ctx, srv.URL+"/")
		var got struct{ Bg, Fg string }
		b.eval(ctx, `({Bg: getComputedStyle(document.body).backgroundColor, Fg: getComputedStyle(document.body).color})`, &got)
		if lum(got.Bg) > 60 || lum(got.Fg) < 180 {
			t.Errorf("dark mode: background %s, text %s; want light text on a dark background", got.Bg, got.Fg)
		}
		shoot("home-dark")
	})
}

// lum returns the mean of the channels of a CSS rgb() colour.
func lum(css string) int {
	var r, g, b int
	if _, err := fmt.Sscanf(css, "rgb(%d, %d, %d)", &r, &g, &b); err != nil {
		return -1
	}
	return (r + g + b) / 3
}
