//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

func level1Arch() (t [numImpls]*level1Funcs) {
	t[AVX2] = &level1Funcs{dot: asm.DotAVX2, axpy: asm.AxpyAVX2, scale: asm.ScaleAVX2, sumSq: asm.SumSqAVX2}
	t[AVX512] = &level1Funcs{dot: asm.DotAVX512, axpy: asm.AxpyAVX512, scale: asm.ScaleAVX512, sumSq: asm.SumSqAVX512}
	return t
}

func actArch() (t [numImpls]*actFuncs) {
	t[AVX2] = &actFuncs{
		fn: [numActs]func(dst, x []float32){
			ReLU: asm.ReLUAVX2, LeakyReLU: asm.LeakyReLUAVX2, Tanh: asm.TanhAVX2, Sigmoid: asm.SigmoidAVX2,
			SiLU: asm.SiLUAVX2, Softplus: asm.SoftplusAVX2, ELU: asm.ELUAVX2, GELU: asm.GELUAVX2,
		},
		d1: [numActs]func(dst, x []float32){
			ReLU: asm.ReLUDerivAVX2, LeakyReLU: asm.LeakyReLUDerivAVX2, Tanh: asm.TanhDerivAVX2, Sigmoid: asm.SigmoidDerivAVX2,
			SiLU: asm.SiLUDerivAVX2, Softplus: asm.SigmoidAVX2, ELU: asm.ELUDerivAVX2, GELU: asm.GELUDerivAVX2,
		},
	}
	t[AVX512] = &actFuncs{
		fn: [numActs]func(dst, x []float32){
			ReLU: asm.ReLUAVX512, LeakyReLU: asm.LeakyReLUAVX512, Tanh: asm.TanhAVX512, Sigmoid: asm.SigmoidAVX512,
			SiLU: asm.SiLUAVX512, Softplus: asm.SoftplusAVX512, ELU: asm.ELUAVX512, GELU: asm.GELUAVX512,
		},
		d1: [numActs]func(dst, x []float32){
			ReLU: asm.ReLUDerivAVX512, LeakyReLU: asm.LeakyReLUDerivAVX512, Tanh: asm.TanhDerivAVX512, Sigmoid: asm.SigmoidDerivAVX512,
			SiLU: asm.SiLUDerivAVX512, Softplus: asm.SigmoidAVX512, ELU: asm.ELUDerivAVX512, GELU: asm.GELUDerivAVX512,
		},
	}
	return t
}

func langevinArch() (t [numImpls]*langevinFuncs) {
	t[AVX2] = &langevinFuncs{update: asm.LangevinUpdateAVX2}
	t[AVX512] = &langevinFuncs{update: asm.LangevinUpdateAVX512}
	return t
}
