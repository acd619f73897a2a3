package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrLocked is returned (wrapped, with the file name) by Open when another
// process holds the database file. The daemon that holds it can be asked to
// refresh or back up through its admin API.
var ErrLocked = errors.New("database is locked by another process (is aggregatord already running? use its admin API to refresh or back up)")

// ErrNewerSchema is returned (wrapped) by Open when the file was written by
// a newer aggregatord whose schema this build does not know. The file is
// left untouched.
var ErrNewerSchema = errors.New("was written by a newer aggregatord")

// ErrNotStore is returned (wrapped) by Open when the file is a bbolt
// database but not one of aggregatord's.
var ErrNotStore = errors.New("is not an aggregatord database")

// ErrInvalid is returned (wrapped) when an argument cannot be stored: an
// empty or over-long source name or topic id, an item without a Key, an
// item whose Source is not the fetched source's name.
var ErrInvalid = errors.New("invalid argument")

// ErrCorrupt is returned (wrapped) by Check when the file's indexes or
// records contradict each other.
var ErrCorrupt = errors.New("store is inconsistent")

// Options configures Open. The zero value is ready to use.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process before failing with ErrLocked. Zero or negative means 200ms.
	Timeout time.Duration
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// Logger receives debug and info records about migrations, pruning and
	// retagging. Default: discard.
	Logger *slog.Logger
	// Stories configures near-duplicate story grouping; the zero value
	// turns it off. SetStories changes it later.
	Stories Stories
}

// DefaultTimeout is the lock wait Open uses when Options.Timeout is zero.
const DefaultTimeout = 200 * time.Millisecond

// Store is an open aggregatord database. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
	now  func() time.Time
	log  *slog.Logger

	gen        atomic.Uint64
	lastChange atomic.Int64 // UnixNano; 0 = never
	stories    atomic.Pointer[Stories]
	states     stateCache
	writes     committer
	near       *nearIndex
}

// Bucket names. See doc.go for their layouts.
var (
	bMeta     = []byte("meta")
	bItems    = []byte("items")
	bKeys     = []byte("keys")
	bLinks    = []byte("links")
	bSources  = []byte("sources")
	bIdxAll   = []byte("idx_all")
	bIdxSrc   = []byte("idx_source")
	bIdxTopic = []byte("idx_topic")
	// Story grouping (schema 2).
	bIdxLead      = []byte("idx_lead")
	bIdxLeadTopic = []byte("idx_lead_topic")
	bStories      = []byte("stories")
	bSketches     = []byte("sketches")
	// bNear held the near index up to schema 2; it is in memory now.
	bNear = []byte("near")

	kSchema     = []byte("schema")
	kLastChange = []byte("last_change")
)

func topBuckets() [][]byte {
	return [][]byte{bMeta, bItems, bKeys, bLinks, bSources, bIdxAll, bIdxSrc, bIdxTopic,
		bIdxLead, bIdxLeadTopic, bStories, bSketches}
}

// Open opens the database at path, creating the file and its buckets if
// needed, and migrating a file written with an older schema. It fails with
// an error wrapping ErrLocked when another process holds the file for
// longer than opt.Timeout, ErrNewerSchema when a newer aggregatord wrote
// it, and ErrNotStore when it is some other bbolt file.
func Open(path string, opt Options) (*Store, error) {
	return openWith(path, opt, currentSchema())
}

func openWith(path string, opt Options, sc schema) (*Store, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.Timeout})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, now: opt.Now, log: opt.Logger}
	s.near = newNearIndex(opt.Now)
	s.writes.db, s.writes.near = db, s.near
	s.stories.Store(opt.Stories.effective())
	if err := s.init(sc); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = db.View(func(tx *bolt.Tx) error { return s.near.load(tx, s.stories.Load().Window) })
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

// init creates missing buckets, checks and migrates the schema version and
// loads LastChange.
func (s *Store) init(sc schema) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		if meta == nil {
			empty := true
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if !empty {
				return fmt.Errorf("%s %w (it has no meta bucket)", s.path, ErrNotStore)
			}
		}
		for _, name := range topBuckets() {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta = tx.Bucket(bMeta)
		v := meta.Get(kSchema)
		var have uint32
		switch {
		case v == nil:
			if err := putSchema(meta, sc.version); err != nil {
				return err
			}
			have = sc.version
		case len(v) != 4:
			return fmt.Errorf("%s %w (schema version is %d bytes long)", s.path, ErrNotStore, len(v))
		default:
			have = binary.BigEndian.Uint32(v)
		}
		if have > sc.version {
			return fmt.Errorf("%s %w (schema %d, this build supports %d); upgrade aggregatord or open a backup written by this version", s.path, ErrNewerSchema, have, sc.version)
		}
		if have < sc.version {
			if err := sc.migrate(tx, have, s.log); err != nil {
				return err
			}
		}
		if lc := meta.Get(kLastChange); len(lc) == 8 {
			s.lastChange.Store(int64(binary.BigEndian.Uint64(lc)))
		}
		return nil
	})
}

func putSchema(meta *bolt.Bucket, v uint32) error {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	if err := meta.Put(kSchema, b[:]); err != nil {
		return fmt.Errorf("write schema version: %w", err)
	}
	return nil
}

// Close closes the database file and releases its lock. The Store must not
// be used afterwards.
func (s *Store) Close() error {
	s.writes.close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}

// Path returns the file name given to Open.
func (s *Store) Path() string { return s.path }

// Generation returns a counter that is 0 after Open and grows after every
// committed change to items. It is not persisted; see LastChange.
func (s *Store) Generation() uint64 { return s.gen.Load() }

// LastChange returns when items last changed, as recorded in the file (so
// it survives restarts); zero if they never did.
func (s *Store) LastChange() time.Time {
	n := s.lastChange.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// Backup writes a consistent copy of the whole database file to w, as of
// one read transaction, and returns the number of bytes written. Writers
// are not blocked while it runs.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("back up %s: %w", s.path, err)
	}
	return n, nil
}

// update runs fn in a write transaction with a change-tracking txn, and
// advances Generation and LastChange after a commit that changed items.
func (s *Store) update(fn func(t *txn) error) error {
	var changed bool
	now := s.now()
	opt := *s.stories.Load()
	err := s.writes.update(func(tx *bolt.Tx) error {
		changed = false
		t := newTxn(tx, now, opt, s.near)
		if err := fn(t); err != nil {
			return err
		}
		if err := t.flush(); err != nil {
			return err
		}
		if t.changed {
			changed = true
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(now.UnixNano()))
			if err := tx.Bucket(bMeta).Put(kLastChange, b[:]); err != nil {
				return fmt.Errorf("write last change: %w", err)
			}
		}
		return nil
	})
	if err == nil && changed {
		// Writes committed together finish in any order: keep the latest.
		for n := now.UnixNano(); ; {
			old := s.lastChange.Load()
			if old >= n || s.lastChange.CompareAndSwap(old, n) {
				break
			}
		}
		s.gen.Add(1)
	}
	return err
}
