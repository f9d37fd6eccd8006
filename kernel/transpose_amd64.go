//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// transposeImpl runs i's transpose (gen/amd64/transpose) in tiers: 16×16
// blocks, then 8×8 and 4×4 blocks (AVX2) on the strips they leave, then
// the generic loop on the last few rows and columns. The shape and
// lengths are checked.
func transposeImpl(i Impl, rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	switch i {
	case AVX512:
		transposeTiers(transposeAVX512Tiers, rows, cols, src, lds, dst, ldd)
	case AVX2:
		transposeTiers(transposeAVX2Tiers, rows, cols, src, lds, dst, ldd)
	default:
		transposeGeneric(rows, cols, src, lds, dst, ldd)
	}
}

var (
	transposeAVX2Tiers   = []transposeKernel{{16, asm.Transpose16AVX2}, {8, asm.Transpose8AVX2}, {4, asm.Transpose4AVX2}}
	transposeAVX512Tiers = []transposeKernel{{16, asm.Transpose16AVX512}, {8, asm.Transpose8AVX2}, {4, asm.Transpose4AVX2}}
)
