// Package spin is the bounded busy wait that scorekit's goroutine
// hand-offs (f32's helper pool, the sampler's chain team) do before they
// park: a goroutine woken from a parked state may wait for its thread's
// idle CPU to be woken too, which costs tens of microseconds on a busy or
// virtual machine, while the next piece of work (the next layer, the next
// phase of a step) usually comes sooner than that.
package spin

import (
	"runtime"
	"time"
)

// For is how long Until polls before it gives up.
const For = 50 * time.Microsecond

// Until polls ready for up to For and says whether it became true. It
// yields the processor every 128 polls, so that a goroutine made runnable
// on this P (one that the awaited goroutine has just woken) is not held
// up. ready may be called many times.
func Until(ready func() bool) bool {
	var start time.Time
	for i := 1; ; i++ {
		if ready() {
			return true
		}
		if i%128 == 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > For {
				return false
			}
			runtime.Gosched()
		}
	}
}
