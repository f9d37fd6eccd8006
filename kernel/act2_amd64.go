//go:build gc && !purego

package kernel

// act2Arch returns the amd64 second-derivative kernels: compositions of
// each implementation's assembly activation kernels (see composeAct2).
func act2Arch() (t [numImpls]*act2Funcs) {
	a := actArch()
	for _, i := range []Impl{AVX2, AVX512} {
		if a[i] != nil && a[i].fn[Tanh] != nil && a[i].d1[Tanh] != nil && a[i].d1[Sigmoid] != nil && a[i].d1[ELU] != nil {
			t[i] = composeAct2(a[i])
		}
	}
	return t
}
