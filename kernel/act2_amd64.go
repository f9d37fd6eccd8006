//go:build gc && !purego

package kernel

// actDeriv2Impl runs i's second-derivative kernel: on avx2 and avx512,
// compositions of the implementation's own activation kernels (see
// actDeriv2Compose). The lengths are checked.
func actDeriv2Impl(i Impl, a Activation, dst, x []float32) {
	switch i {
	case AVX512, AVX2:
		actDeriv2Compose(i, a, dst, x)
	case Generic:
		actDeriv2Generic(a, dst, x)
	default:
		panic(noAsm("actDeriv2Impl", i))
	}
}
