//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// hadamardImpl runs i's Mul (add false) or MulAdd (add true) kernel
// (gen/arm64/hadamard). The lengths are checked.
func hadamardImpl(i Impl, add bool, dst, x, y []float32) {
	switch {
	case i == NEON && add:
		asm.MulAddNEON(dst, x, y)
	case i == NEON:
		asm.MulNEON(dst, x, y)
	case i != Generic:
		panic(noAsm("hadamardImpl", i))
	case add:
		mulAddGeneric(dst, x, y)
	default:
		mulGeneric(dst, x, y)
	}
}
