//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// adamImpl runs i's Adam update (gen/amd64/adam), which follows
// adamGeneric operation by operation. The lengths are checked.
func adamImpl(i Impl, c AdamCoef, params, grad, m, v []float32) {
	switch i {
	case AVX512:
		asm.AdamAVX512(c.B1, c.C1, c.B2, c.C2, c.Step, c.Eps, c.Decay, params, grad, m, v)
	case AVX2:
		asm.AdamAVX2(c.B1, c.C1, c.B2, c.C2, c.Step, c.Eps, c.Decay, params, grad, m, v)
	case Generic:
		adamGeneric(c, params, grad, m, v)
	default:
		panic(noAsm("adamImpl", i))
	}
}
