//go:build !linux

package main

import "errors"

// applyTestFileLimit is only implemented on Linux; tests that need it are
// Linux-only.
func applyTestFileLimit(spec string) error {
	if spec != "" {
		return errors.New("file size limits are only simulated on linux")
	}
	return nil
}
