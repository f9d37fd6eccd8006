//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// actDeriv2Impl runs i's second-derivative kernel: on neon, the ones
// generated with the first-derivative kernels by gen/arm64/act
// (softplus″ is the σ′ kernel). The lengths are checked.
func actDeriv2Impl(i Impl, a Activation, dst, x []float32) {
	switch i {
	case NEON:
		switch a {
		case Identity, ReLU, LeakyReLU:
			asm.ZeroDeriv2NEON(dst, x)
		case Tanh:
			asm.TanhDeriv2NEON(dst, x)
		case Sigmoid:
			asm.SigmoidDeriv2NEON(dst, x)
		case SiLU:
			asm.SiLUDeriv2NEON(dst, x)
		case Softplus:
			asm.SigmoidDerivNEON(dst, x)
		case ELU:
			asm.ELUDeriv2NEON(dst, x)
		case GELU:
			asm.GELUDeriv2NEON(dst, x)
		default:
			panic(noKernel("ActDeriv2", i, a))
		}
	case Generic:
		actDeriv2Generic(a, dst, x)
	default:
		panic(noAsm("actDeriv2Impl", i))
	}
}
