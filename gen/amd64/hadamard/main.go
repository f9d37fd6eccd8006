// Command hadamard generates the AVX2 and AVX-512 elementwise product
// kernels (Mul, MulAdd) of package kernel into package asm. Run by go
// generate in kernel (see kernel/hadamard.go).
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/vec"
)

const sig = "func(dst, x, y []float32)"

func main() {
	ConstraintExpr("gc,!purego")
	vec.DeclareTables()
	for _, a := range vec.Both {
		a.Elementwise("Mul", sig,
			[]string{"Mul{ISA} sets dst[i] = x[i]·y[i]. The caller checks that the lengths agree."},
			"dst", []string{"x", "y"}, nil,
			func(in, _ []VecVirtual) VecVirtual {
				VMULPS(in[1], in[0], in[0])
				return in[0]
			})
		a.Elementwise("MulAdd", sig,
			[]string{"MulAdd{ISA} sets dst[i] = fma(x[i], y[i], dst[i]). The caller checks that the lengths agree."},
			"dst", []string{"x", "y", "dst"}, nil,
			func(in, _ []VecVirtual) VecVirtual {
				VFMADD231PS(in[1], in[0], in[2])
				return in[2]
			})
	}
	Generate()
}
