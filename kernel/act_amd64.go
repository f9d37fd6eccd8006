//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// The amd64 activation kernels (gen/amd64/act), chosen by a switch on
// the implementation and then on the activation (see act.go); softplus′
// is the σ kernel. They follow the generic code operation by operation:
// every output is the same bits as generic's. The lengths are checked.

func actImpl(i Impl, a Activation, dst, x []float32) {
	switch i {
	case AVX512:
		switch a {
		case Identity:
			copy(dst, x)
		case ReLU:
			asm.ReLUAVX512(dst, x)
		case LeakyReLU:
			asm.LeakyReLUAVX512(dst, x)
		case Tanh:
			asm.TanhAVX512(dst, x)
		case Sigmoid:
			asm.SigmoidAVX512(dst, x)
		case SiLU:
			asm.SiLUAVX512(dst, x)
		case Softplus:
			asm.SoftplusAVX512(dst, x)
		case ELU:
			asm.ELUAVX512(dst, x)
		case GELU:
			asm.GELUAVX512(dst, x)
		default:
			panic(noKernel("Act", i, a))
		}
	case AVX2:
		switch a {
		case Identity:
			copy(dst, x)
		case ReLU:
			asm.ReLUAVX2(dst, x)
		case LeakyReLU:
			asm.LeakyReLUAVX2(dst, x)
		case Tanh:
			asm.TanhAVX2(dst, x)
		case Sigmoid:
			asm.SigmoidAVX2(dst, x)
		case SiLU:
			asm.SiLUAVX2(dst, x)
		case Softplus:
			asm.SoftplusAVX2(dst, x)
		case ELU:
			asm.ELUAVX2(dst, x)
		case GELU:
			asm.GELUAVX2(dst, x)
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
	case AVX512:
		switch a {
		case Identity:
			actDerivGeneric(a, dst, x) // no assembly kernel: 1, NaN kept
		case ReLU:
			asm.ReLUDerivAVX512(dst, x)
		case LeakyReLU:
			asm.LeakyReLUDerivAVX512(dst, x)
		case Tanh:
			asm.TanhDerivAVX512(dst, x)
		case Sigmoid:
			asm.SigmoidDerivAVX512(dst, x)
		case SiLU:
			asm.SiLUDerivAVX512(dst, x)
		case Softplus:
			asm.SigmoidAVX512(dst, x)
		case ELU:
			asm.ELUDerivAVX512(dst, x)
		case GELU:
			asm.GELUDerivAVX512(dst, x)
		default:
			panic(noKernel("ActDeriv", i, a))
		}
	case AVX2:
		switch a {
		case Identity:
			actDerivGeneric(a, dst, x) // no assembly kernel: 1, NaN kept
		case ReLU:
			asm.ReLUDerivAVX2(dst, x)
		case LeakyReLU:
			asm.LeakyReLUDerivAVX2(dst, x)
		case Tanh:
			asm.TanhDerivAVX2(dst, x)
		case Sigmoid:
			asm.SigmoidDerivAVX2(dst, x)
		case SiLU:
			asm.SiLUDerivAVX2(dst, x)
		case Softplus:
			asm.SigmoidAVX2(dst, x)
		case ELU:
			asm.ELUDerivAVX2(dst, x)
		case GELU:
			asm.GELUDerivAVX2(dst, x)
		default:
			panic(noKernel("ActDeriv", i, a))
		}
	case Generic:
		actDerivGeneric(a, dst, x)
	default:
		panic(noAsm("actDerivImpl", i))
	}
}
