package f32

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// TestBufNoAllocs: the calls that take packing buffers (GemmWith, a
// narrow layer's Forward) allocate nothing once warm, whatever the order
// of their sizes, and still nothing after garbage collections (a
// sync.Pool emptied at the second).
func TestBufNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	narrow := NewDense(randMatrix(rng, 2, 128, 0), make([]float32, 2), kernel.Identity)
	x := randMatrix(rng, 300, 128, 0)
	y := NewMatrix(300, 2)
	a := randMatrix(rng, 64, 700, 0)
	b := randMatrix(rng, 700, 96, 0)
	c, cc := NewMatrix(64, 96), NewMatrix(96, 96)
	step := func() {
		narrow.Forward(y, Matrix{}, x)      // two buffers: 128×256 and 2×256 floats
		Gemm(true, false, 1, b, b, 0, cc)   // B packed: 700×96
		Gemm(false, false, 1, a, b, 0.5, c) // the same, A read in place
		Gemm(false, false, 2, a, b, 0, c)   // and A packed (alpha ≠ 1): one more buffer
	}
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Errorf("%g allocations per round", n)
	}
	if n := testing.AllocsPerRun(5, func() {
		runtime.GC()
		runtime.GC()
		step()
	}); n != 0 {
		t.Errorf("%g allocations per round after two collections", n)
	}
	before := bufs.Len()
	putBuf(getBuf(maxKeep + 1))
	if bufs.Len() != before {
		t.Errorf("a buffer of more than maxKeep floats went to the free list")
	}
}
