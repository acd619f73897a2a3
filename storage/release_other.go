//go:build !linux

package storage

import bolt "go.etcd.io/bbolt"

// releaseMapped does nothing outside Linux (see release_linux.go).
func releaseMapped(*bolt.DB) error { return nil }
