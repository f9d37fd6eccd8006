//go:build gc && !purego

package kernel

func level1Arch() (t [numImpls]*level1Funcs)     { return t }
func actArch() (t [numImpls]*actFuncs)           { return t }
func langevinArch() (t [numImpls]*langevinFuncs) { return t }
