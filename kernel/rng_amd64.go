//go:build gc && !purego

package kernel

// rngArch returns the amd64 random-number kernels.
func rngArch() (t [numImpls]*rngFuncs) { return t }
