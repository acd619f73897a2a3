package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aggregatord/aggregatord/news"
	"github.com/aggregatord/aggregatord/storage"
)

// failingStore is a Store whose writes fail while err is set.
type failingStore struct {
	Store
	err error
}

func (s *failingStore) SaveFetch(st news.SourceState, items []news.Item) (storage.SaveResult, error) {
	if s.err != nil {
		return storage.SaveResult{}, s.err
	}
	return s.Store.SaveFetch(st, items)
}

func (s *failingStore) PutSourceState(st news.SourceState) error {
	if s.err != nil {
		return s.err
	}
	return s.Store.PutSourceState(st)
}

// TestStoreErrorsReported: a failed store write is reported in StoreErr
// (and Err), whether it was the items or a failure's state that could not
// be written; a write that worked sets Stored.
func TestStoreErrorsReported(t *testing.T) {
	srv := newServer(t)
	f := newFixture(t, srv)
	fs := &failingStore{Store: f.store}
	f.in.store = fs
	now := f.now

	srv.set(func(s *server) { s.body = rss(item("a", "A", "x", now.Add(-time.Hour))) })
	diskFull := errors.New("no space left on device")
	fs.err = diskFull
	res := f.run(t)
	if res.Status != StatusFailed || !errors.Is(res.StoreErr, diskFull) || !errors.Is(res.Err, diskFull) || res.Stored {
		t.Errorf("items not stored: %s stored=%v store error %v, error %v", res.Status, res.Stored, res.StoreErr, res.Err)
	}
	srv.set(func(s *server) { s.status = http.StatusInternalServerError })
	res = f.run(t)
	if !errors.Is(res.StoreErr, diskFull) || res.Stored {
		t.Errorf("failure state not stored: stored=%v store error %v", res.Stored, res.StoreErr)
	}

	fs.err = nil
	res = f.run(t)
	if res.StoreErr != nil || !res.Stored || res.Status != StatusFailed {
		t.Errorf("failure state stored: %s stored=%v store error %v", res.Status, res.Stored, res.StoreErr)
	}
	f.now = f.now.Add(time.Hour) // past the backoff
	srv.set(func(s *server) { s.status = http.StatusOK })
	res = f.run(t)
	if res.StoreErr != nil || !res.Stored || res.Status != StatusOK || res.New != 1 {
		t.Errorf("items stored: %s stored=%v new=%d store error %v", res.Status, res.Stored, res.New, res.StoreErr)
	}
}

// TestCancelledFetchNotRecorded: a fetch cut short by its context (the
// daemon stopping) is not the source's failure: no error, no backoff, no
// new attempt time in the stored state, so the next start fetches it.
func TestCancelledFetchNotRecorded(t *testing.T) {
	arrived := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	defer hang.Close()
	srv := newServer(t)
	f := newFixture(t, srv)
	f.src.URL = hang.URL + "/feed"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() { done <- f.in.Run(ctx, f.src) }()
	<-arrived
	cancel()
	res := <-done
	if res.Status != StatusFailed || !errors.Is(res.Err, context.Canceled) || res.Stored {
		t.Errorf("result: %s stored=%v %v", res.Status, res.Stored, res.Err)
	}
	st, err := f.store.SourceState(f.src.Name)
	if err != nil {
		t.Fatal(err)
	}
	if st.Failures != 0 || !st.NextDue.IsZero() || st.Error != "" || !st.LastAttempt.IsZero() {
		t.Errorf("state after a cancelled fetch: %+v", st)
	}
}
