// Command langevin generates the AVX2 and AVX-512 Langevin update kernels
// of package kernel into package asm. Run by go generate in kernel.
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/vec"
)

func main() {
	ConstraintExpr("gc,!purego")
	vec.DeclareTables()
	for _, a := range vec.Both {
		a.Elementwise("LangevinUpdate", "func(a, b float32, x, s, z []float32)",
			[]string{"LangevinUpdate{ISA} sets x[i] = fma(b, z[i], fma(a, s[i], x[i])).",
				"The caller checks that x, s and z have the same length."},
			"x", []string{"x", "s", "z"}, []string{"a", "b"},
			func(in, sc []VecVirtual) VecVirtual {
				VFMADD231PS(in[1], sc[0], in[0])
				VFMADD231PS(in[2], sc[1], in[0])
				return in[0]
			})
	}
	Generate()
}
