package storage

import (
	"fmt"
	"log/slog"

	bolt "go.etcd.io/bbolt"
)

// schema describes the layout this build writes and how to reach it from
// older ones.
type schema struct {
	// version is the schema version this build reads and writes.
	version uint32
	// steps[v] migrates a file from version v to v+1, inside the open
	// write transaction. Every version below the current one that was ever
	// released needs a step.
	steps map[uint32]func(tx *bolt.Tx) error
}

// currentSchema is the layout described in doc.go.
func currentSchema() schema {
	return schema{version: 3, steps: map[uint32]func(*bolt.Tx) error{1: migrateStories, 2: migrateNearToMemory}}
}

// migrateNearToMemory takes a version 2 file to version 3, whose near
// index is held in memory (rebuilt by Open from the sketches): it deletes
// the near bucket.
func migrateNearToMemory(tx *bolt.Tx) error {
	if tx.Bucket(bNear) == nil {
		return nil
	}
	if err := tx.DeleteBucket(bNear); err != nil {
		return fmt.Errorf("delete %s: %w", bNear, err)
	}
	return nil
}

// migrateStories takes a version 1 file to version 2, which adds story
// grouping: a version 1 file has no stories, so every item leads its own
// and the leader indexes are copies of idx_all and idx_topic. The other
// new buckets (stories, near, sketches) start empty: items stored before
// have no sketch and are never grouped. Open has created the buckets.
func migrateStories(tx *bolt.Tx) error {
	if err := copyIndex(tx.Bucket(bIdxAll), tx.Bucket(bIdxLead)); err != nil {
		return fmt.Errorf("fill %s: %w", bIdxLead, err)
	}
	src, dst := tx.Bucket(bIdxTopic), tx.Bucket(bIdxLeadTopic)
	return src.ForEachBucket(func(name []byte) error {
		b, err := dst.CreateBucketIfNotExists(name)
		if err != nil {
			return fmt.Errorf("create %s/%s: %w", bIdxLeadTopic, name, err)
		}
		if err := copyIndex(src.Bucket(name), b); err != nil {
			return fmt.Errorf("fill %s/%s: %w", bIdxLeadTopic, name, err)
		}
		return nil
	})
}

// copyIndex copies the entries and counter of index bucket src into dst.
func copyIndex(src, dst *bolt.Bucket) error {
	err := src.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil // a nested bucket: not an entry (Check reports it)
		}
		return dst.Put(k, []byte{})
	})
	if err != nil {
		return err
	}
	return dst.SetSequence(src.Sequence())
}

// migrate runs the steps from version have to sc.version and records the
// new version, all in tx: a failure leaves the file as it was.
func (sc schema) migrate(tx *bolt.Tx, have uint32, log *slog.Logger) error {
	for v := have; v < sc.version; v++ {
		step, ok := sc.steps[v]
		if !ok {
			return fmt.Errorf("migrate schema %d to %d: no migration from version %d", have, sc.version, v)
		}
		if err := step(tx); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
		log.Info("storage: migrated schema", slog.Uint64("from", uint64(v)), slog.Uint64("to", uint64(v+1)))
	}
	return putSchema(tx.Bucket(bMeta), sc.version)
}
