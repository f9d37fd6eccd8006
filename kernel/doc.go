// Package kernel is the contract of scorekit's numeric kernels: what each
// computes (shown as the Go loop in its doc comment), its error bound, its
// portable Go implementation, and the run-time choice among the
// implementations this machine can run.
//
// # Implementations
//
// Every kernel has a generic implementation in portable Go, which is the
// oracle the others are tested against. On amd64 there are avx2 (AVX2 and
// FMA) and avx512 (AVX-512F/BW/DQ/VL on top of avx2) implementations; on
// arm64 a neon one. The best available is chosen once, at start-up, through
// golang.org/x/sys/cpu, so GODEBUG switches take effect:
//
//	GODEBUG=cpu.avx512f=off   # avx2
//	GODEBUG=cpu.avx2=off      # generic (avx512 builds on avx2)
//	GODEBUG=cpu.asimd=off     # generic on arm64
//
// (On arm64 the Go runtime prints "GODEBUG: unknown cpu feature "asimd""
// for the last one, since its own options do not include it; x/sys/cpu
// still honours it.)
//
// One choice within an implementation follows the CPU's vendor: the avx512
// GEMM microkernel applies an activation inside the next tile's loop on
// AMD cores and after each tile elsewhere ([GemmPipelined]), which were
// the faster on the Zen 5 and on an Intel Xeon respectively. The results
// are the same bits either way.
//
// The purego build tag removes all assembly. Package-level functions such as
// [Dot] run the active implementation; the same kernels are methods on
// [Impl], so tests and benchmarks can run each available implementation by
// name ([Available], [ParseImpl]).
//
// # Errors
//
// Kernels are the numeric core: a length mismatch is a programming error
// and panics with a message naming the kernel and the sizes, as gonum's
// BLAS does. Kernels never read or write outside their slices. NaN inputs
// give NaN outputs.
//
// # Floating point
//
// Elementwise kernels compute each element with the same sequence of
// correctly rounded operations (including fused multiply-adds) in every
// implementation, so they agree to the last bit except where a doc comment
// says otherwise. So do the matrix kernels (GemmMicro, MatVec,
// DenseNarrow), whose outputs are each one chain of fused multiply-adds in
// a fixed order, and MALAReverse, whose sum has a fixed order. Dot and
// SumSq sum in an order that depends on the vector width; their doc
// comments give the bound.
package kernel
