//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// The amd64 level-1 kernels (gen/amd64/level1), chosen by a switch (see
// level1.go). The lengths are checked.

func dotImpl(i Impl, x, y []float32) float32 {
	switch i {
	case AVX512:
		return asm.DotAVX512(x, y)
	case AVX2:
		return asm.DotAVX2(x, y)
	case Generic:
		return dotGeneric(x, y)
	default:
		panic(noAsm("dotImpl", i))
	}
}

func axpyImpl(i Impl, alpha float32, x, y []float32) {
	switch i {
	case AVX512:
		asm.AxpyAVX512(alpha, x, y)
	case AVX2:
		asm.AxpyAVX2(alpha, x, y)
	case Generic:
		axpyGeneric(alpha, x, y)
	default:
		panic(noAsm("axpyImpl", i))
	}
}

func scaleImpl(i Impl, alpha float32, x []float32) {
	switch i {
	case AVX512:
		asm.ScaleAVX512(alpha, x)
	case AVX2:
		asm.ScaleAVX2(alpha, x)
	case Generic:
		scaleGeneric(alpha, x)
	default:
		panic(noAsm("scaleImpl", i))
	}
}

func sumSqImpl(i Impl, x []float32) float32 {
	switch i {
	case AVX512:
		return asm.SumSqAVX512(x)
	case AVX2:
		return asm.SumSqAVX2(x)
	case Generic:
		return sumSqGeneric(x)
	default:
		panic(noAsm("sumSqImpl", i))
	}
}
