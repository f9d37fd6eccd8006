package f32

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// TestParallelConcurrentCallers runs ForwardParallel and GemmWith from
// several goroutines at once, more than there are helpers: a share no
// helper is free for runs on its caller, and every result keeps the bits
// of the one-worker run.
func TestParallelConcurrentCallers(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 1))
	w := randMatrix(rng, 96, 80, 0)
	d := NewDense(w, make([]float32, 96), kernel.SiLU)
	x := randMatrix(rng, 200, 80, 0)
	want := NewMatrix(200, 96)
	d.Forward(want, Matrix{}, x)
	b := randMatrix(rng, 80, 50, 0)
	wantC := NewMatrix(200, 50)
	Gemm(false, false, 1, x, b, 0, wantC)

	const callers, rounds = 5, 40
	var wg sync.WaitGroup
	errs := make(chan string, callers)
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			y, c := NewMatrix(200, 96), NewMatrix(200, 50)
			for r := range rounds {
				d.ForwardParallel(2+(g+r)%3, y, Matrix{}, x)
				GemmWith(kernel.Active(), 2+r%2, false, false, 1, x, b, 0, c)
				for i, v := range y.Data {
					if math.Float32bits(v) != math.Float32bits(want.Data[i]) {
						errs <- "ForwardParallel differs from Forward"
						return
					}
				}
				for i, v := range c.Data {
					if math.Float32bits(v) != math.Float32bits(wantC.Data[i]) {
						errs <- "GemmWith(workers > 1) differs from Gemm"
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
