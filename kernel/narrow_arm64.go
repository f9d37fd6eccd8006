//go:build gc && !purego

package kernel

import (
	"unsafe"

	"github.com/scorekit/scorekit/asm"
)

// denseNarrowAsm reports whether i has an assembly DenseNarrow.
func denseNarrowAsm(i Impl) bool { return i == NEON }

// denseNarrowNEONMax is the most outputs DenseNarrowNEON computes in one
// pass over x. f32 calls DenseNarrow only for layers of at most nr/2 = 8
// outputs, so the generator emits no one-pass code for more (see
// gen/arm64/narrow).
const denseNarrowNEONMax = 8

// denseNarrowImpl runs i's DenseNarrow (gen/arm64/narrow) on a checked
// shape with k > 0; neon runs n > 8 outputs in two passes of ⌈n/2⌉ and
// ⌊n/2⌋, each over all of x.
func denseNarrowImpl(i Impl, m, n, k int, x []float32, ldx int, w []float32, ldw int, bias, z []float32, ldz int) {
	switch i {
	case NEON:
		var zero [DenseNarrowMax]float32
		bp := &zero[0]
		if bias != nil {
			bp = &bias[0]
		}
		xp, wp, zp := unsafe.SliceData(x), unsafe.SliceData(w), unsafe.SliceData(z)
		if n <= denseNarrowNEONMax {
			asm.DenseNarrowNEON(m, n, k, xp, ldx, wp, ldw, bp, zp, ldz)
			return
		}
		n0 := (n + 1) / 2
		asm.DenseNarrowNEON(m, n0, k, xp, ldx, wp, ldw, bp, zp, ldz)
		if bias != nil {
			bp = &bias[n0]
		}
		asm.DenseNarrowNEON(m, n-n0, k, xp, ldx, &w[n0*ldw], ldw, bp, &z[n0], ldz)
	case Generic:
		denseNarrowGeneric(m, n, k, x, ldx, w, ldw, bias, z, ldz)
	default:
		panic(noAsm("denseNarrowImpl", i))
	}
}
