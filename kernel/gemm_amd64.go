//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// The amd64 microkernels: AVX2 6×16 (12 ymm accumulators), AVX-512 12×32
// (24 zmm accumulators: 14×32 is as fast without an activation, but 12
// rows leave the registers in which a full tile runs the previous tile's
// activation during its k-loop). L1d is 48 KB and L2 1 MB on the machines these
// are tuned for: a kc×nr panel of B and an mr×kc panel of A stay in L1, an
// mc×kc block of A in L2.
func gemmArch() (t [numImpls]*gemmShape) {
	t[AVX2] = &gemmShape{mr: 6, nr: 16, mc: 120, kc: 256}
	t[AVX512] = &gemmShape{mr: 12, nr: 32, mc: 120, kc: 256}
	return t
}

func init() {
	if cpuVendor() == "AuthenticAMD" {
		gemmPipe = 1
	}
}

// gemmMicroArch runs i's assembly microkernel on the first m rows of np
// full-width tiles side by side (see [Impl.GemmStripStrided]: B's rows
// ldb apart, its panels qs apart), each followed, if
// act ≠ Identity, by its epilogue y = act(C) (on AVX-512 with gemmPipe
// set, for full tiles with k ≥ 96, inside the next tile's k-loop: see
// gen/amd64/gemm and [GemmPipelined]).
func gemmMicroArch(i Impl, k, m int, a *float32, rs, ps int, b *float32, ldb, qs int, c *float32, ldc int, bias *float32, init GemmInit, y *float32, ldy int, act Activation, np int) {
	switch i {
	case AVX512:
		asm.GemmAVX512(k, m, a, rs, ps, b, ldb, qs, c, ldc, bias, int(init), y, ldy, int(act), np, gemmPipe)
	case AVX2:
		asm.GemmAVX2(k, m, a, rs, ps, b, ldb, qs, c, ldc, bias, int(init), y, ldy, int(act), np)
	default:
		panic("kernel: GemmMicro: no assembly for " + i.String())
	}
}

// matVecArch runs i's assembly matvec over np full panels, then (act ≠
// Identity) its epilogue out = act(y).
func matVecArch(i Impl, k, np int, b, x, y, bias, out *float32, act Activation) {
	switch i {
	case AVX512:
		asm.MatVecAVX512(k, np, b, x, y, bias, out, int(act))
	case AVX2:
		asm.MatVecAVX2(k, np, b, x, y, bias, out, int(act))
	default:
		panic("kernel: MatVec: no assembly for " + i.String())
	}
}
