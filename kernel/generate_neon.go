package kernel

// The arm64 (NEON) assembly is written by the project's own emitter in
// gen/arm64; these directives live in a file without build constraints so
// that `go generate` runs them on any host.

//go:generate go run ../gen/arm64/level1 -out ../asm/level1_arm64.s -stubs ../asm/level1_arm64.go -pkg asm
//go:generate go run ../gen/arm64/act -out ../asm/act_arm64.s -stubs ../asm/act_arm64.go -pkg asm
//go:generate go run ../gen/arm64/langevin -out ../asm/langevin_arm64.s -stubs ../asm/langevin_arm64.go -pkg asm
//go:generate go run ../gen/arm64/gemm -out ../asm/gemm_arm64.s -stubs ../asm/gemm_arm64.go -pkg asm
//go:generate go run ../gen/arm64/peak -out ../asm/peak_arm64.s -stubs ../asm/peak_arm64.go -pkg asm
//go:generate go run ../gen/arm64/rng -out ../asm/rng_arm64.s -stubs ../asm/rng_arm64.go -pkg asm
//go:generate go run ../gen/arm64/narrow -out ../asm/narrow_arm64.s -stubs ../asm/narrow_arm64.go -pkg asm
