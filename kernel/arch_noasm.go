//go:build !(amd64 || arm64) || !gc || purego

package kernel

// Without assembly, every kernel family has only its generic
// implementation.

func level1Arch() (t [numImpls]*level1Funcs)     { return t }
func actArch() (t [numImpls]*actFuncs)           { return t }
func langevinArch() (t [numImpls]*langevinFuncs) { return t }
