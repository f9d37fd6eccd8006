//go:build !(amd64 || arm64) || !gc || purego

package kernel

// Without amd64 assembly the GEMM and matvec kernels are the generic ones
// (the NEON microkernels plug in here).
func gemmArch() (t [numImpls]*gemmShape) { return t }

func gemmMicroArch(i Impl, k, m int, a *float32, rs, ps int, b *float32, ldb, qs int, c *float32, ldc int, bias *float32, init GemmInit, y *float32, ldy int, act Activation, np int) {
	panic("kernel: GemmMicro: no assembly for " + i.String())
}

func matVecArch(i Impl, k, np int, b, x, y, bias, out *float32, act Activation) {
	panic("kernel: MatVec: no assembly for " + i.String())
}
