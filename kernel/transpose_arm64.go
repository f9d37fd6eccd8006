//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// transposeImpl runs i's transpose (gen/arm64/transpose) in tiers: 8×8
// blocks, then 4×4 blocks on the strips they leave, then the generic
// loop on the last few rows and columns. The shape and lengths are
// checked.
func transposeImpl(i Impl, rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	switch i {
	case NEON:
		transposeTiers(transposeNEONTiers, rows, cols, src, lds, dst, ldd)
	case Generic:
		transposeGeneric(rows, cols, src, lds, dst, ldd)
	default:
		panic(noAsm("transposeImpl", i))
	}
}

// The NEON block transposes, for transposeKernel.id.
const (
	transpose8NEON = iota
	transpose4NEON
)

var transposeNEONTiers = []transposeKernel{{8, transpose8NEON}, {4, transpose4NEON}}

// transposeBlocks runs the block transpose id on a rows×cols corner.
func transposeBlocks(id, rows, cols int, src *float32, lds int, dst *float32, ldd int) {
	switch id {
	case transpose8NEON:
		asm.Transpose8NEON(rows, cols, src, lds, dst, ldd)
	case transpose4NEON:
		asm.Transpose4NEON(rows, cols, src, lds, dst, ldd)
	default:
		panic("kernel: Transpose: unknown block kernel")
	}
}
