//go:build gc && !purego

package kernel

import (
	"unsafe"

	"github.com/scorekit/scorekit/asm"
)

// denseNarrowAsm reports whether i has an assembly DenseNarrow.
func denseNarrowAsm(i Impl) bool { return i == AVX512 || i == AVX2 }

// denseNarrowAVX2Max is the most outputs DenseNarrowAVX2 computes in one
// pass over x (its accumulators and a transpose share 16 registers).
const denseNarrowAVX2Max = 8

// denseNarrowImpl runs i's DenseNarrow (gen/amd64/narrow) on a checked
// shape with k > 0; avx2 runs n > 8 outputs in two passes of ⌈n/2⌉ and
// ⌊n/2⌋, each over all of x.
func denseNarrowImpl(i Impl, m, n, k int, x []float32, ldx int, w []float32, ldw int, bias, z []float32, ldz int) {
	var zero [DenseNarrowMax]float32
	bp := &zero[0]
	if bias != nil {
		bp = &bias[0]
	}
	xp, wp, zp := unsafe.SliceData(x), unsafe.SliceData(w), unsafe.SliceData(z)
	switch i {
	case AVX512:
		asm.DenseNarrowAVX512(m, n, k, xp, ldx, wp, ldw, bp, zp, ldz)
	case AVX2:
		if n <= denseNarrowAVX2Max {
			asm.DenseNarrowAVX2(m, n, k, xp, ldx, wp, ldw, bp, zp, ldz)
			return
		}
		n0 := (n + 1) / 2
		asm.DenseNarrowAVX2(m, n0, k, xp, ldx, wp, ldw, bp, zp, ldz)
		if bias != nil {
			bp = &bias[n0]
		}
		asm.DenseNarrowAVX2(m, n-n0, k, xp, ldx, &w[n0*ldw], ldw, bp, &z[n0], ldz)
	case Generic:
		denseNarrowGeneric(m, n, k, x, ldx, w, ldw, bias, z, ldz)
	default:
		panic(noAsm("denseNarrowImpl", i))
	}
}
