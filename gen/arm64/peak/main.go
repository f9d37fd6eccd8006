// Command peak generates the NEON FMA-throughput loop of package kernel
// (asm/peak_arm64.s and its declaration): twelve independent chains of
// vector fused multiply-adds, the reference the benchmarks measure against.
package main

import (
	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func main() { neon.Main("peak", build) }

const chains = 12

func build(e *emit.Emitter) {
	e.TEXT(emit.Func{
		Name: "PeakNEON",
		Doc: []string{"PeakNEON runs n iterations of twelve independent 4-lane fused multiply-adds",
			"(V0..V11 += V12·V13), to measure the machine's FMA throughput."},
		Params:   []emit.Param{{Name: "n", Type: "int"}},
		Requires: "ASIMD",
	})
	e.MOVD(e.Arg("n"), 0)
	e.Comment("V0..V11: the chains; V12, V13: small factors, so nothing overflows")
	for i := range chains {
		v := emit.V(i)
		e.VEOR(v, v, v)
	}
	e.MOVW32(neon.F32(1e-3), 1)
	e.VDUP(12, 1)
	e.VDUP(13, 1)
	e.Label("loop")
	e.Inst("CBZ R0, done")
	for i := range chains {
		e.VFMLA(emit.V(i), 12, 13)
	}
	e.Inst("SUB $1, R0")
	e.Inst("B loop")
	e.Label("done")
	e.Inst("RET")
}
