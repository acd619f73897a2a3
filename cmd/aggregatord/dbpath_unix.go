//go:build unix

package main

import (
	"fmt"
	"syscall"
)

// accessible reports whether this process may read and write the file at
// path or, for a directory, create files in it, as access(2) says.
func accessible(path string, dir bool) error {
	const rOK, wOK, xOK = 4, 2, 1
	mode := uint32(rOK | wOK)
	if dir {
		mode = wOK | xOK
	}
	if err := syscall.Access(path, mode); err != nil {
		return fmt.Errorf("access %s: %w", path, err)
	}
	return nil
}
