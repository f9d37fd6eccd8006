//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// The NEON level-1 kernels (gen/arm64/level1), chosen by a switch (see
// level1.go). The lengths are checked.

func dotImpl(i Impl, x, y []float32) float32 {
	switch i {
	case NEON:
		return asm.DotNEON(x, y)
	case Generic:
		return dotGeneric(x, y)
	default:
		panic(noAsm("dotImpl", i))
	}
}

func axpyImpl(i Impl, alpha float32, x, y []float32) {
	switch i {
	case NEON:
		asm.AxpyNEON(alpha, x, y)
	case Generic:
		axpyGeneric(alpha, x, y)
	default:
		panic(noAsm("axpyImpl", i))
	}
}

func scaleImpl(i Impl, alpha float32, x []float32) {
	switch i {
	case NEON:
		asm.ScaleNEON(alpha, x)
	case Generic:
		scaleGeneric(alpha, x)
	default:
		panic(noAsm("scaleImpl", i))
	}
}

func sumSqImpl(i Impl, x []float32) float32 {
	switch i {
	case NEON:
		return asm.SumSqNEON(x)
	case Generic:
		return sumSqGeneric(x)
	default:
		panic(noAsm("sumSqImpl", i))
	}
}
