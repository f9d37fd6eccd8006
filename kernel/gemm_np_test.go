//go:build (amd64 || arm64) && gc && !purego

package kernel

import (
	"math"
	"testing"
)

// TestGemmMicroArchNoPanels holds the assembly microkernels and matvecs
// to doing nothing for a panel count np < 1, which their Go wrappers
// never pass: GemmNEON used to compute one tile and GemmAVX2/GemmAVX512
// to run on past the slices (their loop stopped only at np = 0).
func TestGemmMicroArchNoPanels(t *testing.T) {
	const sentinel = -7.5
	for _, impl := range Available() {
		if impl == Generic {
			continue
		}
		mr, nr := impl.GemmTile()
		for _, np := range []int{0, -1} {
			for _, act := range []Activation{Identity, ReLU} {
				k := 3
				a := make([]float32, mr*k)
				b := make([]float32, k*nr)
				bias := make([]float32, nr)
				for i := range a {
					a[i] = 1
				}
				for i := range b {
					b[i] = 2
				}
				c := make([]float32, 2*mr*nr)
				y := make([]float32, 2*mr*nr)
				for i := range c {
					c[i], y[i] = sentinel, sentinel
				}
				var yp *float32
				if act != Identity {
					yp = &y[0]
				}
				gemmMicroArch(impl, k, mr, &a[0], 1, mr, &b[0], nr, k*nr, &c[0], nr, &bias[0], GemmBias, yp, nr, act, np)
				x := make([]float32, k)
				matVecArch(impl, k, np, &b[0], &x[0], &c[0], &bias[0], yp, act)
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(sentinel) || math.Float32bits(y[i]) != math.Float32bits(sentinel) {
						t.Fatalf("%v np=%d act=%v: element %d written (c %g, y %g)", impl, np, act, i, c[i], y[i])
					}
				}
			}
		}
	}
}
