package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// settingPrefix keeps settings apart from the store's own meta keys.
const settingPrefix = "setting:"

// Setting returns the value stored under name by PutSetting, or "" if none.
// Settings are small strings the application keeps with the data, such as
// a digest of the topic definitions the items were last tagged with.
func (s *Store) Setting(name string) (string, error) {
	var v string
	err := s.db.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bMeta).Get([]byte(settingPrefix + name)))
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", name, err)
	}
	return v, nil
}

// PutSetting stores value under name, durably.
func (s *Store) PutSetting(name, value string) error {
	err := s.writes.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put([]byte(settingPrefix+name), []byte(value))
	})
	if err != nil {
		return fmt.Errorf("write setting %s: %w", name, err)
	}
	return nil
}
