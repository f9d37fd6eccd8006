//go:build !amd64 || !gc || purego

package kernel

// rngArch has no entries: without assembly the random-number kernels run
// their generic implementation.
func rngArch() (t [numImpls]*rngFuncs) { return t }
