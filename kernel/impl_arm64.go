//go:build gc && !purego

package kernel

import "golang.org/x/sys/cpu"

// detect reports the implementations this arm64 machine can run. Advanced
// SIMD is part of every ARMv8-A core, but GODEBUG=cpu.asimd=off turns it
// off through x/sys/cpu.
func detect() (a [numImpls]bool) {
	a[Generic] = true
	a[NEON] = cpu.ARM64.HasASIMD
	return a
}

// asmBuild reports whether this build has assembly kernels.
const asmBuild = true

// cpuVendor returns "": only amd64's assembly build reads CPUID.
func cpuVendor() string { return "" }
