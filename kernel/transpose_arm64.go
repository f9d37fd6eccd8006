//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// transposeImpl runs i's transpose (gen/arm64/transpose) in tiers: 8×8
// blocks, then 4×4 blocks on the strips they leave, then the generic
// loop on the last few rows and columns. The shape and lengths are
// checked.
func transposeImpl(i Impl, rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	if i == NEON {
		transposeTiers(transposeNEONTiers, rows, cols, src, lds, dst, ldd)
		return
	}
	transposeGeneric(rows, cols, src, lds, dst, ldd)
}

var transposeNEONTiers = []transposeKernel{{8, asm.Transpose8NEON}, {4, asm.Transpose4NEON}}
