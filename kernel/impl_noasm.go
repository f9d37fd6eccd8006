//go:build !(amd64 || arm64) || !gc || purego

package kernel

// detect reports only the portable implementation: this build has no
// assembly.
func detect() (a [numImpls]bool) {
	a[Generic] = true
	return a
}

// asmBuild reports whether this build has assembly kernels.
const asmBuild = false

// cpuVendor returns "": only amd64's assembly build reads CPUID.
func cpuVendor() string { return "" }
