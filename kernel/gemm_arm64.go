//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// The NEON microkernel: a 6×16 tile in 24 of the 32 vector registers, the
// same panel width as AVX2, with a kc×16 panel of B (16 KB) and a 6×kc
// panel of A in L1 and a 120×kc block of A in L2 on any ARMv8 core.
func gemmArch() (t [numImpls]*gemmShape) {
	t[NEON] = &gemmShape{mr: 6, nr: 16, mc: 120, kc: 256}
	return t
}

// gemmMicroArch runs i's assembly microkernel on the first m rows of np
// full-width tiles side by side (see [Impl.GemmStripStrided]: B's rows
// ldb apart, its panels qs apart), in one call that
// moves from panel to panel itself, each tile followed, if act ≠ Identity,
// by y = act(C) on its rows in the kernel's epilogue, while it is in L1.
func gemmMicroArch(i Impl, k, m int, a *float32, rs, ps int, b *float32, ldb, qs int, c *float32, ldc int, bias *float32, init GemmInit, y *float32, ldy int, act Activation, np int) {
	if i != NEON {
		panic("kernel: GemmMicro: no assembly for " + i.String())
	}
	asm.GemmNEON(k, m, a, rs, ps, b, ldb, qs, c, ldc, bias, int(init), y, ldy, int(act), np)
}

// matVecArch runs i's assembly matvec over np full panels, then (act ≠
// Identity) out = act(y) in the kernel's epilogue.
func matVecArch(i Impl, k, np int, b, x, y, bias, out *float32, act Activation) {
	if i != NEON {
		panic("kernel: MatVec: no assembly for " + i.String())
	}
	asm.MatVecNEON(k, np, b, x, y, bias, out, int(act))
}
