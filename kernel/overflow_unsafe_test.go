// The slices here claim far more elements than they have, which checkptr
// (on with -race, -msan and -asan) rejects as straddling allocations.

//go:build !race && !msan && !asan

package kernel

import (
	"fmt"
	mbits "math/bits"
	"testing"
	"unsafe"
)

// TestMatVecOverflow: MatVec, MatVecAct and PlanMatVec panic, with their length
// message, when len(x)·len(z) rounded up to panels wraps to 0 in int
// arithmetic, before any kernel runs (an unchecked one would read B,
// here nil, for all of them). No slice holds 2³² elements in a test, so
// x and z claim them over one element of memory; with the check exact,
// nothing past it is touched.
func TestMatVecOverflow(t *testing.T) {
	var buf [1]float32
	n := 1 << (mbits.UintSize / 2) // a multiple of every nr, and n·n wraps to 0
	big := unsafe.Slice(&buf[0], n)
	for _, impl := range Available() {
		_, nr := impl.GemmTile()
		t.Run(impl.String(), func(t *testing.T) {
			want := fmt.Sprintf("kernel: MatVec(%v, nr=%d): length mismatch: len(b), len(x), len(y), len(bias) = [0 %d %d 0]", impl, nr, n, n)
			mustPanic(t, want, func() { impl.MatVec(nil, big, big, nil) })
			want = fmt.Sprintf("kernel: MatVecAct(%v, nr=%d): length mismatch: len(b), len(x), len(z), len(bias) = [0 %d %d 0]", impl, nr, n, n)
			mustPanic(t, want, func() { impl.MatVecAct(nil, big, big, nil, ReLU, big) })
			want = fmt.Sprintf("kernel: PlanMatVec(%v, nr=%d): length mismatch: len(b), k, n, len(bias) = [0 %d %d 0]", impl, nr, n, n)
			mustPanic(t, want, func() { impl.PlanMatVec(nil, n, n, nil, ReLU) })
		})
	}
}
