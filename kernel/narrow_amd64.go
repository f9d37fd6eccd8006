//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// denseNarrowAsm reports whether i has an assembly DenseNarrow.
func denseNarrowAsm(i Impl) bool { return i == AVX512 || i == AVX2 }

// denseNarrowPass is the most outputs i's DenseNarrow kernel
// (gen/amd64/narrow) computes in one pass over x: avx2's accumulators and
// a transpose share 16 registers, so it takes 8 (denseNarrowImpl runs
// more in two passes); avx512 takes all DenseNarrowMax.
func denseNarrowPass(i Impl) int {
	if i == AVX2 {
		return 8
	}
	return DenseNarrowMax
}

// denseNarrowCall calls i's DenseNarrow kernel for n ≤ denseNarrowPass(i)
// outputs.
func denseNarrowCall(i Impl, m, n, k int, x *float32, ldx int, w *float32, ldw int, bias, z *float32, ldz int) {
	switch i {
	case AVX512:
		asm.DenseNarrowAVX512(m, n, k, x, ldx, w, ldw, bias, z, ldz)
	case AVX2:
		asm.DenseNarrowAVX2(m, n, k, x, ldx, w, ldw, bias, z, ldz)
	default:
		panic(noAsm("denseNarrowCall", i))
	}
}
