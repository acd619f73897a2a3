package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proc is the real program, started as a child process (the test binary
// re-executed with AGGREGATORD_TEST_MAIN=1).
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // Wait's result, once done is closed
}

// startProc starts `aggregatord args...` with stderr going to stderr and
// extra environment variables. The process is killed when the test ends if
// it is still running.
func startProc(t *testing.T, stderr io.Writer, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	// Under -race a program sleeps 1s at exit to catch late reports; exit
	// times measured here would be that second.
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(append(os.Environ(), "AGGREGATORD_TEST_MAIN=1", "GORACE="+gorace), env...)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// signal sends sig to the process.
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits up to timeout for the process to exit and reports whether it
// did.
func (p *proc) wait(timeout time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// exitCode is the exit status after wait returned true: -1 when the process
// died of a signal.
func (p *proc) exitCode() int { return p.cmd.ProcessState.ExitCode() }

// logLine is one record of the program's JSON log (-log-format json).
type logLine struct {
	Msg      string   `json:"msg"`
	Level    string   `json:"level"`
	Source   string   `json:"source"`
	Result   string   `json:"result"`
	ItemsNew int      `json:"items_new"`
	Keys     []string `json:"keys"`
	Error    string   `json:"error"`
}

// parseLog returns the JSON records in data; a line cut short by a kill
// does not parse and is skipped, as are lines that are not JSON.
func parseLog(data []byte) []logLine {
	var out []logLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte("{")) {
			continue
		}
		var l logLine
		if json.Unmarshal(line, &l) == nil {
			out = append(out, l)
		}
	}
	return out
}

// countLog counts the records whose message is msg.
func countLog(lines []logLine, msg string) int {
	n := 0
	for _, l := range lines {
		if l.Msg == msg {
			n++
		}
	}
	return n
}

// hasLine reports whether some line of text contains every one of parts.
func hasLine(text string, parts ...string) bool {
	for line := range strings.Lines(text) {
		ok := true
		for _, p := range parts {
			if !strings.Contains(line, p) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// getBody GETs url and returns the status and body; 0 on a transport error.
func getBody(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
