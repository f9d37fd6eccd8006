//go:build gc && !purego

package kernel

import (
	"encoding/binary"

	"golang.org/x/sys/cpu"

	"github.com/scorekit/scorekit/asm"
)

// detect reports the implementations this amd64 machine can run. x/sys/cpu
// checks that the OS saves the AVX and AVX-512 registers, and applies
// GODEBUG=cpu.avx2=off and friends; FMA is checked separately because
// x/sys/cpu does not tie it to AVX2.
func detect() (a [numImpls]bool) {
	a[Generic] = true
	x := cpu.X86
	a[AVX2] = x.HasAVX && x.HasAVX2 && x.HasFMA
	a[AVX512] = a[AVX2] && x.HasAVX512F && x.HasAVX512BW && x.HasAVX512DQ && x.HasAVX512VL
	return a
}

// asmBuild reports whether this build has assembly kernels.
const asmBuild = true

// cpuVendor returns the vendor string of CPUID leaf 0, such as
// "GenuineIntel" or "AuthenticAMD".
func cpuVendor() string {
	ebx, edx, ecx := asm.CPUVendor()
	var b [12]byte
	binary.LittleEndian.PutUint32(b[0:], ebx)
	binary.LittleEndian.PutUint32(b[4:], edx)
	binary.LittleEndian.PutUint32(b[8:], ecx)
	return string(b[:])
}
