//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// adamImpl runs i's Adam update (gen/arm64/adam), which follows
// adamGeneric operation by operation. The lengths are checked.
func adamImpl(i Impl, c AdamCoef, params, grad, m, v []float32) {
	if i == NEON {
		asm.AdamNEON(c.B1, c.C1, c.B2, c.C2, c.Step, c.Eps, c.Decay, params, grad, m, v)
		return
	}
	adamGeneric(c, params, grad, m, v)
}
