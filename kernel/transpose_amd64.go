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
	case Generic:
		transposeGeneric(rows, cols, src, lds, dst, ldd)
	default:
		panic(noAsm("transposeImpl", i))
	}
}

// The amd64 block transposes, for transposeKernel.id.
const (
	transpose16AVX2 = iota
	transpose8AVX2
	transpose4AVX2
	transpose16AVX512
)

var (
	transposeAVX2Tiers   = []transposeKernel{{16, transpose16AVX2}, {8, transpose8AVX2}, {4, transpose4AVX2}}
	transposeAVX512Tiers = []transposeKernel{{16, transpose16AVX512}, {8, transpose8AVX2}, {4, transpose4AVX2}}
)

// transposeBlocks runs the block transpose id on a rows×cols corner.
func transposeBlocks(id, rows, cols int, src *float32, lds int, dst *float32, ldd int) {
	switch id {
	case transpose16AVX2:
		asm.Transpose16AVX2(rows, cols, src, lds, dst, ldd)
	case transpose8AVX2:
		asm.Transpose8AVX2(rows, cols, src, lds, dst, ldd)
	case transpose4AVX2:
		asm.Transpose4AVX2(rows, cols, src, lds, dst, ldd)
	case transpose16AVX512:
		asm.Transpose16AVX512(rows, cols, src, lds, dst, ldd)
	default:
		panic("kernel: Transpose: unknown block kernel")
	}
}
