package article

import (
	"context"
	"errors"
	"testing"
)

func TestHostLimiter(t *testing.T) {
	l := newHostLimiter(2)
	ctx := context.Background()
	r1, err := l.acquire(ctx, "a.example")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := l.acquire(ctx, "a.example")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("full host blocks until ctx ends", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := l.acquire(cctx, "a.example"); !errors.Is(err, context.Canceled) {
			t.Fatalf("third acquire: %v, want context.Canceled", err)
		}
	})
	t.Run("other hosts are not blocked", func(t *testing.T) {
		r, err := l.acquire(ctx, "b.example")
		if err != nil {
			t.Fatal(err)
		}
		r()
	})
	t.Run("a released slot is free again", func(t *testing.T) {
		r1()
		r1() // a second call is harmless
		r3, err := l.acquire(ctx, "a.example")
		if err != nil {
			t.Fatal(err)
		}
		r3()
	})
	r2()
	if n := l.size(); n != 0 {
		t.Errorf("%d hosts still have entries after every slot was released", n)
	}
}

func TestHostLimiterNoGrowth(t *testing.T) {
	l := newHostLimiter(1)
	for i := range 1000 {
		r, err := l.acquire(context.Background(), string(rune('a'+i%26))+".example")
		if err != nil {
			t.Fatal(err)
		}
		r()
	}
	if n := l.size(); n != 0 {
		t.Errorf("%d idle hosts kept", n)
	}
}
