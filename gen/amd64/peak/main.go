// Command peak generates the FMA-throughput loops of package kernel
// (asm/peak_amd64.s and its Go declarations): per instruction set, n
// iterations of twelve independent chains of vector FMAs, enough to keep
// two FMA pipes of latency four busy. Benchmarks divide their FLOP/s by
// what this loop reaches in the same run. It also emits CPUVendor, which
// reads the vendor string (CPUID leaf 0) that kernel tunes the AVX-512
// GEMM's epilogue by.
//
// Run by go generate from kernel/peak.go.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// chains is the number of independent accumulators.
const chains = 12

func main() {
	Package("github.com/scorekit/scorekit/asm")
	ConstraintExpr("gc,!purego") // avo takes the +build syntax: gc && !purego
	loop("AVX2", 8, func() VecVirtual { return YMM() })
	loop("AVX512", 16, func() VecVirtual { return ZMM() })
	vendor()
	Generate()
}

// vendor emits CPUVendor: CPUID leaf 0's EBX, EDX and ECX, which hold the
// vendor string's 12 bytes in that order ("GenuineIntel", "AuthenticAMD").
func vendor() {
	TEXT("CPUVendor", NOSPLIT, "func() (ebx, edx, ecx uint32)")
	Doc("CPUVendor returns CPUID leaf 0's EBX, EDX and ECX: the CPU vendor string, four bytes each, little-endian.")
	XORL(EAX, EAX)
	XORL(ECX, ECX)
	CPUID()
	Store(EBX, ReturnIndex(0))
	Store(EDX, ReturnIndex(1))
	Store(ECX, ReturnIndex(2))
	RET()
}

func loop(isa string, lanes int, vec func() VecVirtual) {
	name := "Peak" + isa
	TEXT(name, NOSPLIT, "func(n int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s runs n iterations of %d independent %d-lane FMAs (%d float32 FLOPs per iteration).",
		name, chains, lanes, 2*chains*lanes))
	n := Load(Param("n"), GP64())
	acc := make([]VecVirtual, chains)
	for i := range acc {
		acc[i] = vec()
		VXORPS(acc[i], acc[i], acc[i])
	}
	a, b := vec(), vec()
	VXORPS(a, a, a)
	VXORPS(b, b, b)
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	Commentf("%d chains: acc += a·b", chains)
	for i := range acc {
		VFMADD231PS(a, b, acc[i])
	}
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
