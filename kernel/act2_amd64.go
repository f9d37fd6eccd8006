//go:build gc && !purego

package kernel

// act2Arch returns the amd64 second-derivative kernels: none yet, so every
// implementation runs the generic ones.
func act2Arch() (t [numImpls]*act2Funcs) { return t }
