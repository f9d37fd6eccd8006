// Command act generates the AVX2 and AVX-512 activation kernels of package
// kernel (each activation and its first derivative over a slice) into
// package asm. Each body is the operation sequence of the scalar Go
// function named beside it in kernel/act.go. Run by go generate in kernel.
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/acts"
	"github.com/scorekit/scorekit/gen/amd64/vec"
)

// manyTemps names the kernels whose bodies keep so many temporaries live
// that, with the unrolled vectors interleaved, only a third of the usual
// constants fit in registers beside them (avo fails to allocate
// otherwise); on AVX-512 they take three vectors at a time and keep 8
// constants, the fastest of the (unroll, hoist) pairs tried for
// GELUDeriv (3, 8: 1.20 µs over 4096 values; 4, 4: 1.35; 2, 16: 1.23).
var manyTemps = map[string]bool{"GELUDeriv": true}

func main() {
	ConstraintExpr("gc,!purego")
	vec.DeclareTables() // the tails' masks
	acts.Declare()
	for _, a := range vec.Both {
		for _, k := range acts.Kernels {
			// Two or four vectors per iteration, interleaved: the exp
			// chains are long. Constants in registers: 6 of AVX2's 16,
			// 12 of AVX-512's 32; the rest hold the vectors' temporaries.
			unroll, hoist := 2, 6
			if a.AVX512 {
				unroll, hoist = 4, 12
			}
			switch {
			case manyTemps[k.Name] && a.AVX512:
				unroll, hoist = 3, 8
			case manyTemps[k.Name]:
				hoist /= 3
			}
			a.ElementwiseUnrolled(unroll, hoist, k.Name, vec.Unary,
				[]string{k.Name + "{ISA} sets dst[i] = " + k.Doc + "(x[i]) (package kernel), by the same",
					"sequence of operations. The caller checks len(dst) == len(x)."},
				"dst", []string{"x"}, nil,
				func(in, _ []VecVirtual) VecVirtual { return k.Body(a, in[0]) })
		}
	}
	Generate()
}
