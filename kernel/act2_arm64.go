//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// act2Arch returns the NEON second-derivative kernels, generated with the
// first-derivative ones by gen/arm64/act.
func act2Arch() (t [numImpls]*act2Funcs) {
	t[NEON] = &act2Funcs{d2: [numActs]func(dst, x []float32){
		Identity: asm.ZeroDeriv2NEON, ReLU: asm.ZeroDeriv2NEON, LeakyReLU: asm.ZeroDeriv2NEON,
		Tanh: asm.TanhDeriv2NEON, Sigmoid: asm.SigmoidDeriv2NEON, SiLU: asm.SiLUDeriv2NEON,
		Softplus: asm.SigmoidDerivNEON, ELU: asm.ELUDeriv2NEON, GELU: asm.GELUDeriv2NEON,
	}}
	return t
}
