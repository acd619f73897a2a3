package storage

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aggregatord/aggregatord/news"
)

// rawUpdate runs fn on the closed store file at path through bbolt itself.
func rawUpdate(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func rawSchema(t *testing.T, path string) uint32 {
	t.Helper()
	var v uint32
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		v = binary.BigEndian.Uint32(tx.Bucket(bMeta).Get(kSchema))
		return nil
	})
	return v
}

func setSchema(v uint32) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error { return putSchema(tx.Bucket(bMeta), v) }
}

func TestSchemaVersion(t *testing.T) {
	cur := currentSchema().version
	path := filepath.Join(t.TempDir(), "s.db")
	s := mustOpenAt(t, path)
	s.save("a", item("k", "", "t", t0))
	s.close()
	if v := rawSchema(t, path); v != cur {
		t.Fatalf("schema version %d written, want %d", v, cur)
	}

	t.Run("newer refused", func(t *testing.T) {
		rawUpdate(t, path, setSchema(cur+1))
		defer rawUpdate(t, path, setSchema(cur))
		_, err := Open(path, Options{})
		if !errors.Is(err, ErrNewerSchema) {
			t.Fatalf("Open: %v, want ErrNewerSchema", err)
		}
		want := fmt.Sprintf("%s was written by a newer aggregatord (schema %d, this build supports %d)", path, cur+1, cur)
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err, want)
		}
		if v := rawSchema(t, path); v != cur+1 {
			t.Errorf("refused file changed to schema %d", v)
		}
	})

	t.Run("older migrated", func(t *testing.T) {
		sc := schema{version: cur + 1, steps: map[uint32]func(*bolt.Tx) error{
			cur: func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte("migrated"), []byte("yes")) },
		}}
		s2, err := openWith(path, Options{}, sc)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s2.ItemByKey("a", "k"); !ok || err != nil {
			t.Errorf("item lost in migration: %v, %v", ok, err)
		}
		s2.Close()
		if v := rawSchema(t, path); v != cur+1 {
			t.Errorf("schema %d after migration, want %d", v, cur+1)
		}
		rawUpdate(t, path, func(tx *bolt.Tx) error {
			if got := tx.Bucket(bMeta).Get([]byte("migrated")); string(got) != "yes" {
				t.Errorf("migration step did not run")
			}
			return setSchema(cur)(tx)
		})
	})

	t.Run("failed migration leaves the file alone", func(t *testing.T) {
		sc := schema{version: cur + 2, steps: map[uint32]func(*bolt.Tx) error{
			cur: func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte("half"), []byte("done")) },
		}}
		want := fmt.Sprintf("no migration from version %d", cur+1)
		if _, err := openWith(path, Options{}, sc); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("openWith: %v, want %q", err, want)
		}
		if v := rawSchema(t, path); v != cur {
			t.Errorf("schema %d after a failed migration, want %d", v, cur)
		}
		rawUpdate(t, path, func(tx *bolt.Tx) error {
			if tx.Bucket(bMeta).Get([]byte("half")) != nil {
				t.Errorf("a step of a failed migration was committed")
			}
			return nil
		})
	})
}

func TestOpenForeignFiles(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	rawUpdate(t, other, func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("somebody-else"))
		return err
	})
	if _, err := Open(other, Options{}); !errors.Is(err, ErrNotStore) {
		t.Errorf("Open(bbolt file of another program): %v, want ErrNotStore", err)
	}
	text := filepath.Join(dir, "text.db")
	if err := os.WriteFile(text, bytes.Repeat([]byte("not a database\n"), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(text, Options{}); err == nil {
		s.Close()
		t.Errorf("Open(text file) succeeded")
	}
	if _, err := Open(filepath.Join(dir, "no", "such", "dir.db"), Options{}); err == nil {
		t.Errorf("Open in a missing directory succeeded")
	}
}

func TestErrLockedSameProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	mustOpenAt(t, path)
	start := time.Now()
	s, err := Open(path, Options{Timeout: 50 * time.Millisecond})
	if err == nil {
		s.Close()
		t.Fatal("second Open succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	want := "open " + path + ": database is locked by another process (is aggregatord already running? use its admin API to refresh or back up)"
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second Open took %v", d)
	}
}

// lockHelperEnv names the file TestLockHelperProcess holds when the test
// binary runs as the second process of TestErrLockedOtherProcess.
const lockHelperEnv = "AGGREGATORD_STORAGE_TEST_LOCK_HELPER"

// TestLockHelperProcess is not a test: run by TestErrLockedOtherProcess in
// a child process, it opens the store, says "locked" and holds the file
// until its stdin closes.
func TestLockHelperProcess(t *testing.T) {
	path := os.Getenv(lockHelperEnv)
	if path == "" {
		t.Skip("helper process of TestErrLockedOtherProcess")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = s.Close()
	os.Exit(0)
}

func TestErrLockedOtherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	path := filepath.Join(t.TempDir(), "locked.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	t.Cleanup(func() {
		if !exited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if l := sc.Text(); l == "locked" || strings.HasPrefix(l, "error:") {
				lines <- l
				break
			}
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-lines:
		if l != "locked" {
			t.Fatalf("helper process: %q", l)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("helper process did not lock the file")
	}

	start := time.Now()
	s, err := Open(path, Options{Timeout: 100 * time.Millisecond})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded while another process holds the file")
	}
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open: %v, want ErrLocked naming %s", err, path)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Open took %v to give up", d)
	}

	// Once the other process is gone, the file opens.
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper process: %v", err)
	}
	exited = true
	mustOpenAt(t, path)
}

func TestBackup(t *testing.T) {
	s := mustOpen(t)
	s.save("a", feed("a", 20, t0)...)
	s.save("b", item("b1", "https://example.com/a3", "copy", t0.Add(-time.Hour)))
	want := s.latest(AllIndex())

	var buf bytes.Buffer
	n, err := s.Backup(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) || n == 0 {
		t.Errorf("Backup returned %d, wrote %d bytes", n, buf.Len())
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b := mustOpenAt(t, path) // Check runs at cleanup
	got := b.latest(AllIndex())
	eq(t, "ids", ids(got), ids(want))
	if it := b.byKey("b", "b1"); len(it.Copies) != 2 {
		t.Errorf("copies lost in backup: %v", copySources(it))
	}
	if !b.LastChange().Equal(s.LastChange()) {
		t.Errorf("LastChange %v in backup, %v live", b.LastChange(), s.LastChange())
	}
	if sts, err := b.SourceStates(); err != nil || len(sts) != 2 {
		t.Errorf("source states in backup: %v, %v", sts, err)
	}
}

func TestCheckDetectsDamage(t *testing.T) {
	putEntry := func(parent []byte, name string, k []byte) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			b := tx.Bucket(parent)
			if name != "" {
				b = b.Bucket([]byte(name))
			}
			return b.Put(k, []byte{})
		}
	}
	tests := []struct {
		name   string
		damage func(tx *bolt.Tx) error
		want   string
	}{
		{"index entry for a missing item", putEntry(bIdxAll, "", ikey(t0, 999)),
			"matches no stored item's fields"},
		{"index entry at the wrong time", putEntry(bIdxSrc, "a", ikey(t0.Add(time.Hour), 1)),
			"source:a index: entry"},
		{"missing topic entry", func(tx *bolt.Tx) error {
			b := tx.Bucket(bIdxTopic).Bucket([]byte("x"))
			k, _ := b.Cursor().First()
			return b.Delete(k)
		}, "missing topic:x index entry"},
		{"wrong counter", func(tx *bolt.Tx) error { return tx.Bucket(bIdxAll).SetSequence(77) }, "counter says 77"},
		{"key mapping to a missing item", func(tx *bolt.Tx) error {
			return tx.Bucket(bKeys).Put(keyOf("a", "ghost"), idKey(12345))
		}, "maps to missing item 12345"},
		{"item without its key mapping", func(tx *bolt.Tx) error {
			return tx.Bucket(bKeys).Delete(keyOf("a", "a1"))
		}, `item 2: key a/"a1" not mapped`},
		{"unreadable record", func(tx *bolt.Tx) error {
			return tx.Bucket(bItems).Put(idKey(1), []byte("{}"))
		}, "unknown record encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "d.db")
			s := mustOpenAt(t, path)
			s.save("a", withTopics(item("a0", "https://example.com/0", "zero", t0.Add(-time.Hour)), "x"), item("a1", "", "one", t0))
			s.close()
			rawUpdate(t, path, tt.damage)
			d, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			err = d.Check()
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Check: %v, want ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check: %v\nwant a problem containing %q", err, tt.want)
			}
			// Reads survive the damage.
			if _, _, err := d.Latest(AllIndex(), "", 10); err != nil {
				t.Errorf("Latest on a damaged store: %v", err)
			}
		})
	}
}

func TestPruneSurvivesStaleEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stale.db")
	s := mustOpenAt(t, path)
	s.save("a", feed("a", 5, t0.Add(-48*time.Hour))...)
	s.close()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bIdxAll)
		if err := b.Put(ikey(t0.Add(-72*time.Hour), 999), []byte{}); err != nil {
			return err
		}
		return b.SetSequence(b.Sequence() + 1)
	})
	s = mustOpenAt(t, path)
	n, err := s.Prune(24*time.Hour, 0)
	if err != nil || n != 5 {
		t.Errorf("Prune = %d, %v; want 5", n, err)
	}
	// The stale entry is gone too: Check at cleanup passes.
}

func TestStoreUseAfterClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != path {
		t.Errorf("Path() = %q", s.Path())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveFetch(news.SourceState{Name: "a"}, nil); err == nil {
		t.Errorf("SaveFetch after Close succeeded")
	}
	if _, _, err := s.Latest(AllIndex(), "", 5); err == nil {
		t.Errorf("Latest after Close succeeded")
	}
}
