package spin

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestUntil: true as soon as ready is, false after about For when it
// never is.
func TestUntil(t *testing.T) {
	if !Until(func() bool { return true }) {
		t.Error("Until(true) = false")
	}
	var flag atomic.Bool
	go func() {
		time.Sleep(5 * time.Microsecond)
		flag.Store(true)
	}()
	Until(flag.Load) // may time out on a busy machine; must not hang
	t0 := time.Now()
	if Until(func() bool { return false }) {
		t.Error("Until(false) = true")
	}
	if d := time.Since(t0); d < For {
		t.Errorf("Until(false) gave up after %v, before For = %v", d, For)
	}
}
