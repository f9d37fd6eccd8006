//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// hadamardImpl runs i's Mul (add false) or MulAdd (add true) kernel
// (gen/amd64/hadamard). The lengths are checked.
func hadamardImpl(i Impl, add bool, dst, x, y []float32) {
	switch {
	case i == AVX512 && add:
		asm.MulAddAVX512(dst, x, y)
	case i == AVX512:
		asm.MulAVX512(dst, x, y)
	case i == AVX2 && add:
		asm.MulAddAVX2(dst, x, y)
	case i == AVX2:
		asm.MulAVX2(dst, x, y)
	case i != Generic:
		panic(noAsm("hadamardImpl", i))
	case add:
		mulAddGeneric(dst, x, y)
	default:
		mulGeneric(dst, x, y)
	}
}
