package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The load generator: a fixed number of keep-alive HTTP/1.1 clients, each
// sending its next request as soon as the previous response is read, for a
// fixed time. It writes pre-built requests and reads responses with a
// minimal parser (status line, Content-Length or chunked body), like wrk,
// so that the client's own cost stays small next to the server's on a
// machine with few cores.

// loadSpec is what to load.
type loadSpec struct {
	Addr     string   `json:"addr"`  // host:port
	Host     string   `json:"host"`  // Host header
	Paths    []string `json:"paths"` // request targets; clients cycle through them
	Clients  int      `json:"clients"`
	Duration int64    `json:"duration_ns"`
	Warmup   int64    `json:"warmup_ns"` // requests started before this are not counted
	Gzip     bool     `json:"gzip"`      // send Accept-Encoding: gzip
	INM      string   `json:"inm"`       // If-None-Match value, "" for none
}

// loadResult is what a load run measured.
type loadResult struct {
	Requests  int            `json:"requests"`
	Status    map[string]int `json:"status"`
	Errors    int            `json:"errors"`
	BodyBytes int64          `json:"body_bytes"`
	WallSec   float64        `json:"wall_s"`
	RPS       float64        `json:"req_per_s"`
	P50us     float64        `json:"p50_us"`
	P90us     float64        `json:"p90_us"`
	P99us     float64        `json:"p99_us"`
	MaxUs     float64        `json:"max_us"`
	FirstErr  string         `json:"first_error,omitempty"`
}

type clientStats struct {
	lat    []time.Duration
	status map[int]int
	errs   int
	bytes  int64
	err    error
}

func runLoad(s loadSpec) (loadResult, error) {
	var res loadResult
	if len(s.Paths) == 0 || s.Clients < 1 {
		return res, errors.New("load: no paths or clients")
	}
	reqs := make([][]byte, len(s.Paths))
	for i, p := range s.Paths {
		var b bytes.Buffer
		fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: aggbench\r\nAccept: */*\r\n", p, s.Host)
		if s.Gzip {
			b.WriteString("Accept-Encoding: gzip\r\n")
		}
		if s.INM != "" {
			b.WriteString("If-None-Match: " + s.INM + "\r\n")
		}
		b.WriteString("\r\n")
		reqs[i] = b.Bytes()
	}
	start := time.Now()
	countFrom := start.Add(time.Duration(s.Warmup))
	end := countFrom.Add(time.Duration(s.Duration))
	stats := make([]clientStats, s.Clients)
	var wg sync.WaitGroup
	for c := range s.Clients {
		wg.Go(func() {
			st := &stats[c]
			st.status = map[int]int{}
			st.lat = make([]time.Duration, 0, 1<<14)
			var conn net.Conn
			var br *bufio.Reader
			i := c
			for {
				t0 := time.Now()
				// Each client measures at least one request (on a loaded
				// machine a short run could otherwise measure none), but
				// gives up 10 s after the end.
				if !t0.Before(end) && (len(st.lat) > 0 || t0.After(end.Add(10*time.Second))) {
					break
				}
				if conn == nil {
					var err error
					conn, err = net.DialTimeout("tcp", s.Addr, 5*time.Second)
					if err != nil {
						st.errs++
						st.err = err
						time.Sleep(10 * time.Millisecond)
						continue
					}
					_ = conn.SetDeadline(end.Add(10 * time.Second))
					br = bufio.NewReaderSize(conn, 64<<10)
				}
				req := reqs[i%len(reqs)]
				i++
				code, n, keep, err := roundTrip(conn, br, req)
				el := time.Since(t0)
				if err != nil {
					st.errs++
					st.err = err
					conn.Close()
					conn = nil
					continue
				}
				if !keep {
					conn.Close()
					conn = nil
				}
				if t0.Before(countFrom) {
					continue
				}
				st.lat = append(st.lat, el)
				st.status[code]++
				st.bytes += n
			}
			if conn != nil {
				conn.Close()
			}
		})
	}
	wg.Wait()
	wall := time.Since(countFrom)
	var all []time.Duration
	res.Status = map[string]int{}
	for _, st := range stats {
		all = append(all, st.lat...)
		for code, n := range st.status {
			res.Status[strconv.Itoa(code)] += n
		}
		res.Errors += st.errs
		res.BodyBytes += st.bytes
		if st.err != nil && res.FirstErr == "" {
			res.FirstErr = st.err.Error()
		}
	}
	slices.Sort(all)
	res.Requests = len(all)
	res.WallSec = wall.Seconds()
	if res.WallSec > 0 {
		res.RPS = float64(res.Requests) / res.WallSec
	}
	q := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		i := int(p * float64(len(all)-1))
		return float64(all[i]) / 1e3
	}
	res.P50us, res.P90us, res.P99us, res.MaxUs = q(0.5), q(0.9), q(0.99), q(1)
	return res, nil
}

// roundTrip writes req and reads one response, discarding its body. It
// returns the status, the body length, and whether the connection may be
// used again.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte) (code int, n int64, keep bool, err error) {
	if _, err = conn.Write(req); err != nil {
		return 0, 0, false, err
	}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, 0, false, fmt.Errorf("bad status line %q", line)
	}
	code, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, 0, false, fmt.Errorf("bad status line %q", line)
	}
	cl := int64(-1)
	chunked := false
	keep = true
	for {
		h, err := br.ReadSlice('\n')
		if err != nil {
			return 0, 0, false, err
		}
		if len(h) <= 2 {
			break
		}
		name, val, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue
		}
		val = bytes.TrimSpace(val)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			cl, err = strconv.ParseInt(string(val), 10, 64)
			if err != nil {
				return 0, 0, false, fmt.Errorf("bad Content-Length %q", val)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(val, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(val, []byte("close")) {
				keep = false
			}
		}
	}
	switch {
	case code == 304 || code == 204 || code/100 == 1:
		return code, 0, keep, nil
	case chunked:
		for {
			sz, err := br.ReadSlice('\n')
			if err != nil {
				return 0, 0, false, err
			}
			hexLen, _, _ := bytes.Cut(bytes.TrimSpace(sz), []byte(";"))
			c, err := strconv.ParseInt(string(hexLen), 16, 64)
			if err != nil {
				return 0, 0, false, fmt.Errorf("bad chunk size %q", sz)
			}
			if _, err := br.Discard(int(c) + 2); err != nil {
				return 0, 0, false, err
			}
			n += c
			if c == 0 {
				return code, n, keep, nil
			}
		}
	case cl >= 0:
		_, err := br.Discard(int(cl))
		return code, cl, keep, err
	default:
		m, err := io.Copy(io.Discard, br)
		return code, m, false, err
	}
}
