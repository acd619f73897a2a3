package storage

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/aggregatord/aggregatord/news"
)

func encodeState(st news.SourceState) ([]byte, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode state of %s: %w", st.Name, err)
	}
	return b, nil
}

func putState(tx *bolt.Tx, name string, v []byte) error {
	if err := tx.Bucket(bSources).Put([]byte(name), v); err != nil {
		return fmt.Errorf("write state of %s: %w", name, err)
	}
	return nil
}

// PutSourceState stores st as the fetch state of source st.Name, replacing
// what was there. Use it for fetches that store no items (failures, 304).
func (s *Store) PutSourceState(st news.SourceState) error {
	if err := checkName("source", st.Name); err != nil {
		return fmt.Errorf("put source state: %w", err)
	}
	v, err := encodeState(st)
	if err != nil {
		return fmt.Errorf("put source state: %w", err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return putState(tx, st.Name, v) }); err != nil {
		return fmt.Errorf("put source state of %s: %w", st.Name, err)
	}
	return nil
}

// SourceState returns the stored fetch state of source name. A source
// never stored yields the zero state with Name set, and no error.
func (s *Store) SourceState(name string) (news.SourceState, error) {
	st := news.SourceState{Name: name}
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bSources).Get([]byte(name))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &st)
	})
	if err != nil {
		return news.SourceState{Name: name}, fmt.Errorf("read state of source %s: %w", name, err)
	}
	st.Name = name
	return st, nil
}

// SourceStates returns the stored fetch state of every source the store
// has seen, sorted by name.
func (s *Store) SourceStates() ([]news.SourceState, error) {
	var out []news.SourceState
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bSources).ForEach(func(k, v []byte) error {
			var st news.SourceState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("source %s: %w", k, err)
			}
			st.Name = string(k)
			out = append(out, st)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read source states: %w", err)
	}
	return out, nil
}
