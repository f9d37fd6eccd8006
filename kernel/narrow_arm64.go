//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// denseNarrowAsm reports whether i has an assembly DenseNarrow.
func denseNarrowAsm(i Impl) bool { return i == NEON }

// denseNarrowPass is the most outputs i's DenseNarrow kernel
// (gen/arm64/narrow) computes in one pass over x: 8. f32 calls
// DenseNarrow only for layers of at most nr/2 = 8 outputs, so the
// generator emits no one-pass code for more; denseNarrowImpl runs 9..16
// in two passes.
func denseNarrowPass(Impl) int { return 8 }

// denseNarrowCall calls i's DenseNarrow kernel for n ≤ denseNarrowPass(i)
// outputs.
func denseNarrowCall(i Impl, m, n, k int, x *float32, ldx int, w *float32, ldw int, bias, z *float32, ldz int) {
	if i != NEON {
		panic(noAsm("denseNarrowCall", i))
	}
	asm.DenseNarrowNEON(m, n, k, x, ldx, w, ldw, bias, z, ldz)
}
