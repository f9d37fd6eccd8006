package kernel

// The amd64 assembly of the kernel families in this file's directory is
// generated with avo; `go generate ./...` rewrites everything under asm/.

//go:generate go run ../gen/amd64/level1 -out ../asm/level1_amd64.s -stubs ../asm/level1_amd64.go -pkg asm
//go:generate go run ../gen/amd64/act -out ../asm/act_amd64.s -stubs ../asm/act_amd64.go -pkg asm
//go:generate go run ../gen/amd64/langevin -out ../asm/langevin_amd64.s -stubs ../asm/langevin_amd64.go -pkg asm
