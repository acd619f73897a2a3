//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// mark shows, in a bad config below, the character the error must point
// at; markedConfig removes it and says where it was.
const mark = "⟦"

// markedConfig returns text without the mark and the mark's LINE:COL
// (1-based, columns counted in characters).
func markedConfig(t *testing.T, text string) (string, string) {
	t.Helper()
	i := strings.Index(text, mark)
	if i < 0 {
		t.Fatal("bad config without a mark")
	}
	before := text[:i]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
	return before + text[i+len(mark):], fmt.Sprintf("%d:%d", line, col)
}

// badConfigCase is one kind of config mistake.
type badConfigCase struct {
	name string
	// text builds the config: base is a valid config (with a source "one"
	// of url feedURL and its db in dir) that the case changes.
	text func(dir, base string) string
	want string // in the message
	// reload is false for mistakes that a reload does not look at.
	reload bool
	// Permission cases that root would not notice:
	needsNonRoot bool // run as nobody when the test runs as root
}

// badConfigBase is a valid config: public and admin listeners, the db in
// dir, one source.
func badConfigBase(dir, listen, admin, feedURL string) string {
	return fmt.Sprintf(`[server]
listen = %q
admin_listen = %q
title = "Good news"

[storage]
path = %q

[fetch]
timeout = "5s"

[[source]]
name = "one"
url = %q
`, listen, admin, filepath.Join(dir, "good.db"), feedURL)
}

func badConfigCases() []badConfigCase {
	replace := func(old, new string) func(dir, base string) string {
		return func(dir, base string) string { return strings.Replace(base, old, new, 1) }
	}
	appendText := func(s string) func(dir, base string) string {
		return func(dir, base string) string { return base + s }
	}
	dbPath := func(p func(dir string) string) func(dir, base string) string {
		return func(dir, base string) string {
			return strings.Replace(base, fmt.Sprintf("path = %q", filepath.Join(dir, "good.db")), fmt.Sprintf("path = %s%q", mark, p(dir)), 1)
		}
	}
	return []badConfigCase{
		{name: "TOML syntax", text: replace(`title = "Good news"`, `title = "Good news`+mark), want: "invalid TOML", reload: true},
		{name: "TOML table syntax", text: appendText("\n[fetch" + mark + "\n"), want: "invalid TOML", reload: true},
		{name: "unknown key", text: replace(`timeout = "5s"`, `timeout = "5s"`+"\n"+mark+`schedul = "@hourly"`), want: `unknown key "schedul"`, reload: true},
		{name: "wrong type", text: replace(`timeout = "5s"`, `timeout = "5s"`+"\nconcurrency = "+mark+`"eight"`), want: "fetch.concurrency", reload: true},
		{name: "bad cron spec", text: replace(`timeout = "5s"`, `timeout = "5s"`+"\nschedule = "+mark+`"every so often"`), want: "fetch.schedule", reload: true},
		{name: "bad source cron spec", text: appendText("schedule = " + mark + `"61 * * * *"` + "\n"), want: "schedule", reload: true},
		{name: "bad URL", text: appendText("\n[[source]]\nname = \"two\"\nurl = " + mark + `"ftp://example.com/feed"` + "\n"), want: "url", reload: true},
		{name: "bad duration", text: replace(`timeout = "5s"`, `timeout = `+mark+`"30 seconds"`), want: "fetch.timeout", reload: true},
		{name: "duplicate name", text: appendText("\n[[source]]\nname = " + mark + "\"one\"\nurl = \"https://example.com/other\"\n"), want: `duplicate source name "one"`, reload: true},
		{name: "bad topic query", text: appendText("\n[[topic]]\nid = \"t\"\nquery = 'iran AND " + mark + "('\n"), want: "topic.query", reload: true},
		{name: "db directory missing", text: dbPath(func(dir string) string { return filepath.Join(dir, "missing", "a.db") }), want: "does not exist"},
		{name: "db path is a directory", text: dbPath(func(dir string) string { return dir }), want: "is a directory"},
		{name: "db directory is a file", text: dbPath(func(dir string) string {
			p := filepath.Join(dir, "plain")
			os.WriteFile(p, nil, 0o644)
			return filepath.Join(p, "a.db")
		}), want: "is not a directory"},
		{name: "db directory not writable", needsNonRoot: true, text: dbPath(func(dir string) string {
			p := filepath.Join(dir, "ro")
			os.Mkdir(p, 0o500)
			return filepath.Join(p, "a.db")
		}), want: "not writable"},
		{name: "db file not readable", needsNonRoot: true, text: dbPath(func(dir string) string {
			p := filepath.Join(dir, "wo.db")
			os.WriteFile(p, nil, 0o200)
			return p
		}), want: "cannot read and write"},
	}
}

// TestBadConfigEveryEntryPoint: each kind of mistake makes check, run and
// fetch exit 2 with FILE:LINE:COL pointing at it. Permission cases run the
// program as an unprivileged user (nobody) when the test runs as root.
func TestBadConfigEveryEntryPoint(t *testing.T) {
	var asNobody *nobodyRunner
	if os.Geteuid() == 0 {
		asNobody = newNobodyRunner(t)
	}
	for _, tc := range badConfigCases() {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			run := func(args ...string) (int, string) {
				code, _, stderr := runCLI(t, nil, args...)
				return code, stderr
			}
			if tc.needsNonRoot && asNobody != nil {
				dir = asNobody.dir(t)
				run = asNobody.run
			}
			text, pos := markedConfig(t, tc.text(dir, badConfigBase(dir, "127.0.0.1:0", "", "https://example.com/feed")))
			path := writeFile(t, filepath.Join(dir, "bad.toml"), text)
			for _, cmd := range []string{"check", "run", "fetch"} {
				code, stderr := run(cmd, "-config", path)
				if code != exitUsage {
					t.Errorf("%s: exit %d, want 2; stderr:\n%s", cmd, code, stderr)
				}
				if !hasLine(stderr, path+":"+pos+": ", tc.want) {
					t.Errorf("%s: stderr lacks %q with %q:\n%s", cmd, path+":"+pos+": ", tc.want, stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "good.db")); err == nil {
				t.Error("a db file was created for a bad config")
			}
		})
	}
}

// nobodyRunner runs the program as the unprivileged user nobody (65534),
// from a copy of the test binary that user may execute.
type nobodyRunner struct {
	root, bin string
}

const nobody = 65534

func newNobodyRunner(t *testing.T) *nobodyRunner {
	root, err := os.MkdirTemp("", "aggregatord-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	exe, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "aggregatord.test")
	if err := os.WriteFile(bin, exe, 0o755); err != nil {
		t.Fatal(err)
	}
	return &nobodyRunner{root: root, bin: bin}
}

// dir returns a new directory that nobody may read but not write.
func (n *nobodyRunner) dir(t *testing.T) string {
	d, err := os.MkdirTemp(n.root, "case-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// run runs the program with args as nobody and returns its exit code and
// stderr.
func (n *nobodyRunner) run(args ...string) (int, string) {
	cmd := exec.Command(n.bin, args...)
	cmd.Env = append(os.Environ(), "AGGREGATORD_TEST_MAIN=1")
	cmd.Dir = n.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return -1, "cannot run as nobody: " + err.Error()
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// TestBadConfigReload: a running daemon sent SIGHUP with each kind of bad
// file logs the problem with FILE:LINE:COL and keeps its config; then a
// good file is applied.
func TestBadConfigReload(t *testing.T) {
	srv := feedServer(t)
	dir := t.TempDir()
	listen, admin := freePort(t), freePort(t)
	base := badConfigBase(dir, listen, admin, srv.URL+"/feed.rss")
	cfgPath := writeFile(t, filepath.Join(dir, "c.toml"), base)
	var stderr lockedBuffer
	p := startProc(t, &stderr, nil, "run", "-config", cfgPath, "-log-format", "json")
	pub := "http://" + listen
	if !waitReady(p, pub+"/readyz", 10*time.Second) {
		t.Fatalf("not ready:\n%s", stderr.String())
	}
	waitItems(t, pub+"/feeds/sources/one.json", 2)

	rejected := 0
	for _, tc := range badConfigCases() {
		if !tc.reload {
			continue
		}
		text, pos := markedConfig(t, tc.text(dir, base))
		writeFile(t, cfgPath, text)
		p.signal(t, syscall.SIGHUP)
		rejected++
		waitFor(t, func() bool {
			return countLog(parseLog([]byte(stderr.String())), "config reload rejected; keeping the running config") >= rejected
		})
		var last logLine
		for _, l := range parseLog([]byte(stderr.String())) {
			if l.Msg == "config reload rejected; keeping the running config" {
				last = l
			}
		}
		if !hasLine(last.Error, cfgPath+":"+pos+": ", tc.want) {
			t.Errorf("%s: reload error lacks %q with %q: %q", tc.name, cfgPath+":"+pos+": ", tc.want, last.Error)
		}
		// Still the old config: title, and only source "one".
		if code, body := getBody(pub + "/feeds/all.json"); code != 200 || !strings.Contains(body, `"title": "Good news"`) {
			t.Errorf("%s: merged feed after a rejected reload: %d %.300s", tc.name, code, body)
		}
		if names := adminSourceNames(t, "http://"+admin); strings.Join(names, ",") != "one" {
			t.Errorf("%s: sources after a rejected reload: %v", tc.name, names)
		}
	}
	if countLog(parseLog([]byte(stderr.String())), "config reloaded") != 0 {
		t.Errorf("a bad config was applied:\n%s", stderr.String())
	}

	writeFile(t, cfgPath, base+fmt.Sprintf("\n[[source]]\nname = \"two\"\nurl = %q\n", srv.URL+"/other.rss"))
	p.signal(t, syscall.SIGHUP)
	waitItems(t, pub+"/feeds/sources/two.json", 2)
	if names := adminSourceNames(t, "http://"+admin); strings.Join(names, ",") != "one,two" {
		t.Errorf("sources after a good reload: %v", names)
	}
	p.signal(t, syscall.SIGTERM)
	if !p.wait(20*time.Second) || p.exitCode() != 0 {
		t.Fatalf("no clean exit:\n%s", stderr.String())
	}
	t.Logf("%d bad reloads rejected, then a good one applied", rejected)
}

// adminSourceNames lists the names /admin/sources reports.
func adminSourceNames(t *testing.T, admin string) []string {
	t.Helper()
	code, body := getBody(admin + "/admin/sources")
	if code != 200 {
		t.Fatalf("/admin/sources: %d %s", code, body)
	}
	var srcs []struct{ Name string }
	if err := json.Unmarshal([]byte(body), &srcs); err != nil {
		t.Fatalf("/admin/sources: %v", err)
	}
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name)
	}
	return names
}
