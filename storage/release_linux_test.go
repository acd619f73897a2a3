//go:build linux

package storage

import (
	"bytes"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// rssFile returns the file-backed part of this process's resident set.
func rssFile(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "RssFile:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// TestReleaseMapped: after a read of the whole file, releasing the mapped
// pages shrinks the resident set by about the file's size, and the data
// reads back unchanged.
func TestReleaseMapped(t *testing.T) {
	s := mustOpen(t)
	val := bytes.Repeat([]byte("x"), 1000)
	for batch := range 40 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("zz"))
			if err != nil {
				return err
			}
			for i := range 1000 {
				if err := b.Put(binary.BigEndian.AppendUint64(nil, uint64(batch*1000+i)), val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	readAll := func() {
		t.Helper()
		n := 0
		err := s.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("zz")).ForEach(func(k, v []byte) error {
				if !bytes.Equal(v, val) {
					t.Fatalf("key %x: value changed", k)
				}
				n++
				return nil
			})
		})
		if err != nil || n != 40000 {
			t.Fatalf("read %d values: %v", n, err)
		}
	}
	readAll()
	before := rssFile(t)
	if err := releaseMapped(s.db); err != nil {
		t.Fatal(err)
	}
	after := rssFile(t)
	if before-after < 30<<20 {
		t.Errorf("releasing ~40 MB of mapped pages: resident file pages %d → %d KiB", before>>10, after>>10)
	}
	readAll()
	_ = s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("zz")) })
}

// TestReleaseAfterBurst: pages mapped by reads after a commit are released
// once the release interval after the last release is over, without a
// further commit.
func TestReleaseAfterBurst(t *testing.T) {
	s := mustOpen(t)
	s.writes.running.Lock()
	s.writes.every = time.Second
	s.writes.running.Unlock()
	val := bytes.Repeat([]byte("y"), 1000)
	put := func(from, n int) {
		t.Helper()
		err := s.writes.update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("zz"))
			if err != nil {
				return err
			}
			for i := from; i < from+n; i++ {
				if err := b.Put(binary.BigEndian.AppendUint64(nil, uint64(i)), val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(0, 40000) // released at once: the first release
	_ = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("zz")).ForEach(func(k, v []byte) error { return nil })
	})
	mapped := rssFile(t)
	put(40000, 1) // within the interval: a release is scheduled, not done
	if now := rssFile(t); mapped-now > 30<<20 {
		t.Skipf("released at once (%d → %d KiB): this machine took over a second between the commits", mapped>>10, now>>10)
	}
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if mapped-rssFile(t) > 30<<20 {
			return
		}
	}
	t.Errorf("resident file pages %d KiB after reading ~40 MB, %d KiB 3 s later: not released", mapped>>10, rssFile(t)>>10)
}
