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

// currentSchema is the layout described in doc.go. Version 1 is the first;
// there is nothing to migrate from yet.
func currentSchema() schema { return schema{version: 1} }

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
