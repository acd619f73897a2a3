package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// usage is a snapshot of this process's resource use.
type usage struct {
	wall   time.Time
	cpu    time.Duration // user + system, all threads
	user   time.Duration
	sys    time.Duration
	outBlk int64 // blocks written (512 B units)
}

func snap() usage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	u := time.Duration(ru.Utime.Nano())
	s := time.Duration(ru.Stime.Nano())
	return usage{wall: time.Now(), cpu: u + s, user: u, sys: s, outBlk: ru.Oublock}
}

// delta is what happened between two snapshots.
type delta struct {
	Wall   time.Duration
	CPU    time.Duration
	User   time.Duration
	Sys    time.Duration
	OutBlk int64
}

func since(a usage) delta {
	b := snap()
	return delta{Wall: b.wall.Sub(a.wall), CPU: b.cpu - a.cpu, User: b.user - a.user, Sys: b.sys - a.sys, OutBlk: b.outBlk - a.outBlk}
}

// maxRSS is getrusage's ru_maxrss in bytes: the peak resident set of the
// process over its whole life.
func maxRSS() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	if runtime.GOOS == "darwin" {
		return ru.Maxrss
	}
	return ru.Maxrss << 10
}

// procStatus returns a field of /proc/self/status in bytes ("VmHWM",
// "VmRSS"), or -1 where there is no /proc.
func procStatus(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		f := strings.Fields(val)
		if len(f) == 0 {
			return -1
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return -1
		}
		return n << 10
	}
	return -1
}

// rssSampler records the peaks of the anonymous (heap, stacks) and the
// file-backed (the db's mapped pages, the binary) parts of the resident
// set, which VmHWM does not tell apart, by reading /proc every 50ms.
type rssSampler struct {
	stop chan struct{}
	done chan struct{}
	anon int64
	file int64
}

func startRSSSampler() *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			s.anon = max(s.anon, procStatus("RssAnon"))
			s.file = max(s.file, procStatus("RssFile"))
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// peaks stops the sampler and returns the peaks in bytes.
func (s *rssSampler) peaks() (anon, file int64) {
	close(s.stop)
	<-s.done
	return s.anon, s.file
}

// resetPeakRSS resets VmHWM to the current RSS (Linux ≥ 4.0), so that a
// phase's peak can be read on its own. It reports whether it could.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// machine describes where the figures came from.
type machine struct {
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Kernel    string `json:"kernel,omitempty"`
	LoadStart string `json:"load_avg_start"`
	LoadEnd   string `json:"load_avg_end"`
	Started   string `json:"started"`
}

func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		LoadStart: loadAvg(), Started: time.Now().UTC().Format(time.RFC3339)}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if name, val, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.CPUModel = strings.TrimSpace(val)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(data))
	}
	return m
}

// loadAvg is the 1, 5 and 15 minute load average, or "?".
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func mib(n int64) string {
	if n < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
