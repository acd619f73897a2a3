//go:build linux

package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// releaseMapped drops this process's mappings of the database file's pages
// (madvise MADV_DONTNEED on bbolt's read-only shared mapping). The pages
// stay in the kernel's page cache; the next read of one maps it again, a
// minor fault. bbolt copies every page it changes to a free page, so a
// process that writes steadily ends up with every page of the file mapped
// and counted in its resident set, although they are clean page cache;
// releasing them now and then keeps the resident set to what is in use.
// It runs in a read transaction, during which bbolt cannot remap the file.
func releaseMapped(db *bolt.DB) error {
	return db.View(func(tx *bolt.Tx) error {
		_, _, errno := unix.Syscall(unix.SYS_MADVISE, db.Info().Data, uintptr(tx.Size()), unix.MADV_DONTNEED)
		if errno != 0 {
			return fmt.Errorf("release mapped pages: madvise: %w", errno)
		}
		return nil
	})
}
