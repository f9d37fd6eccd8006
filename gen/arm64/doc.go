// Package arm64 is the root of scorekit's NEON generators; it holds no
// code. The pipeline:
//
//   - emit: an emitter of Go arm64 assembler text, with one typed helper
//     (and a golden llvm-mc encoding) per vector instruction the Go
//     assembler lacks, and the writer of the stub declarations;
//   - neon: register allocation, operations over groups of registers (one
//     per unrolled vector), the loop skeletons and kernel.exp32's sequence;
//   - one command per output file: level1, act, langevin, gemm, peak, rng,
//     transpose, hadamard, adam, narrow, each writing asm/<name>_arm64.s
//     and asm/<name>_arm64.go.
//
// go generate ./kernel runs the commands (from kernel/generate_neon.go,
// and transpose, hadamard and adam from their kernels' files), and
// each command's TestUpToDate checks that the committed files are what it
// writes, byte for byte.
package arm64
