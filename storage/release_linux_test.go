//go:build linux

package storage

import (
	"bytes"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"testing"

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
