//go:build !(amd64 || arm64) || !gc || purego

package kernel

// act2Arch returns no assembly kernels (NEON's would plug in here).
func act2Arch() (t [numImpls]*act2Funcs) { return t }
