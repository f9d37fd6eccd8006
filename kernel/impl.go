package kernel

import (
	"fmt"
	"strings"
)

// Impl names one implementation of the kernels.
type Impl uint8

// The implementations, from the portable one up. The zero value is Generic.
const (
	Generic Impl = iota // portable Go; always available
	AVX2                // amd64 with AVX2 and FMA
	AVX512              // amd64 with AVX-512F, BW, DQ and VL, on top of AVX2 and FMA
	NEON                // arm64 Advanced SIMD
	numImpls
)

var implNames = [numImpls]string{"generic", "avx2", "avx512", "neon"}

// String returns the implementation's name: generic, avx2, avx512 or neon.
func (i Impl) String() string {
	if i < numImpls {
		return implNames[i]
	}
	return fmt.Sprintf("Impl(%d)", uint8(i))
}

// ParseImpl returns the implementation with the given name (as String
// prints it). It does not say whether this machine can run it: see
// [Impl.Available].
func ParseImpl(name string) (Impl, error) {
	for i, n := range implNames {
		if strings.EqualFold(name, n) {
			return Impl(i), nil
		}
	}
	return 0, fmt.Errorf("kernel: unknown implementation %q (want one of %s)", name, strings.Join(implNames[:], ", "))
}

// available records which implementations this build can run on this
// machine, as detect (per architecture and build tags) found them.
var available = detect()

// active is the best available implementation, chosen once.
var active = best()

func best() Impl {
	for i := numImpls - 1; i > Generic; i-- {
		if available[i] {
			return i
		}
	}
	return Generic
}

// Active returns the implementation that the package-level kernel functions
// run.
func Active() Impl { return active }

// Available reports whether this build can run i on this machine.
func (i Impl) Available() bool { return i < numImpls && available[i] }

// Available returns the implementations this build can run on this
// machine, from the portable one up; the last is [Active].
func Available() []Impl {
	var out []Impl
	for i := Generic; i < numImpls; i++ {
		if available[i] {
			out = append(out, i)
		}
	}
	return out
}

// Dispatch. Every kernel family runs through a function per architecture
// (in xxx_amd64.go, xxx_arm64.go, and xxx_noasm.go for builds without
// assembly) that switches on the Impl and calls the assembly routine
// directly, with the generic twin in a case of its own and a panic
// (noAsm) for an available implementation the switch has no case for:
// level1, act, act2, langevin, hadamard, adam, transpose, rng, gemm, narrow, peak. A direct call
// keeps the routine's //go:noescape in force, so a caller's slices, and
// the kernels' own stack scratch, stay on the stack; a call through a
// function value would make every slice argument escape, and a slice of a
// stack array would then cost a heap allocation per call
// (TestKernelsNoAllocs). Within an implementation's case, the activation
// switches name every activation and panic on a missing one (noKernel)
// rather than fall back to another implementation unnoticed.

// must panics unless i is available; kern names the kernel for the message.
func (i Impl) must(kern string) {
	if !i.Available() {
		panic(fmt.Sprintf("kernel: %s: implementation %v is not available on this machine", kern, i))
	}
}

func panicLen(kern string, names string, lens ...int) {
	panic(fmt.Sprintf("kernel: %s: length mismatch: %s = %v", kern, names, lens))
}

// noAsm is the panic of a dispatch switch reached with an available
// implementation it has no case for: a kernel family left out of an
// implementation fails loudly rather than running generic unnoticed (the
// tests run every family on every available implementation).
func noAsm(kern string, i Impl) string {
	return "kernel: " + kern + ": no case for " + i.String() + " in its dispatch switch"
}
