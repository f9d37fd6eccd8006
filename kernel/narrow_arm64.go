//go:build gc && !purego

package kernel

import (
	"unsafe"

	"github.com/scorekit/scorekit/asm"
)

// denseNarrowAsm reports whether i has an assembly DenseNarrow.
func denseNarrowAsm(i Impl) bool { return i == NEON }

// denseNarrowImpl runs i's DenseNarrow (gen/arm64/narrow) on a checked
// shape with k > 0.
func denseNarrowImpl(i Impl, m, n, k int, x []float32, ldx int, w []float32, ldw int, bias, z []float32, ldz int) {
	switch i {
	case NEON:
		var zero [DenseNarrowMax]float32
		bp := &zero[0]
		if bias != nil {
			bp = &bias[0]
		}
		asm.DenseNarrowNEON(m, n, k, unsafe.SliceData(x), ldx, unsafe.SliceData(w), ldw, bp, unsafe.SliceData(z), ldz)
	case Generic:
		denseNarrowGeneric(m, n, k, x, ldx, w, ldw, bias, z, ldz)
	default:
		panic(noAsm("denseNarrowImpl", i))
	}
}
