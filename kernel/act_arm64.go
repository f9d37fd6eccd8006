//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// The NEON activation kernels (gen/arm64/act), chosen by a switch on the
// implementation and then on the activation (see act.go); softplus′ is
// the σ kernel. They follow the generic code operation by operation:
// every output is the same bits as generic's. The lengths are checked.

func actImpl(i Impl, a Activation, dst, x []float32) {
	switch i {
	case NEON:
		switch a {
		case Identity:
			copy(dst, x)
		case ReLU:
			asm.ReLUNEON(dst, x)
		case LeakyReLU:
			asm.LeakyReLUNEON(dst, x)
		case Tanh:
			asm.TanhNEON(dst, x)
		case Sigmoid:
			asm.SigmoidNEON(dst, x)
		case SiLU:
			asm.SiLUNEON(dst, x)
		case Softplus:
			asm.SoftplusNEON(dst, x)
		case ELU:
			asm.ELUNEON(dst, x)
		case GELU:
			asm.GELUNEON(dst, x)
		default:
			panic(noKernel("Act", i, a))
		}
	case Generic:
		actGeneric(a, dst, x)
	default:
		panic(noAsm("actImpl", i))
	}
}

func actDerivImpl(i Impl, a Activation, dst, x []float32) {
	switch i {
	case NEON:
		switch a {
		case Identity:
			asm.IdentityDerivNEON(dst, x)
		case ReLU:
			asm.ReLUDerivNEON(dst, x)
		case LeakyReLU:
			asm.LeakyReLUDerivNEON(dst, x)
		case Tanh:
			asm.TanhDerivNEON(dst, x)
		case Sigmoid:
			asm.SigmoidDerivNEON(dst, x)
		case SiLU:
			asm.SiLUDerivNEON(dst, x)
		case Softplus:
			asm.SigmoidNEON(dst, x)
		case ELU:
			asm.ELUDerivNEON(dst, x)
		case GELU:
			asm.GELUDerivNEON(dst, x)
		default:
			panic(noKernel("ActDeriv", i, a))
		}
	case Generic:
		actDerivGeneric(a, dst, x)
	default:
		panic(noAsm("actDerivImpl", i))
	}
}
