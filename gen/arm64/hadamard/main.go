// Command hadamard generates the NEON elementwise product kernels (Mul,
// MulAdd) of package kernel: asm/hadamard_arm64.s and its declarations.
package main

import (
	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func main() { neon.Main("hadamard", build) }

func build(e *emit.Emitter) {
	f32s := func(n string) emit.Param { return emit.Param{Name: n, Type: "[]float32"} }
	params := []emit.Param{f32s("dst"), f32s("x"), f32s("y")}
	g := neon.Begin(e, emit.Func{
		Name:   "MulNEON",
		Doc:    []string{"MulNEON sets dst[i] = x[i]·y[i]. The caller checks that the lengths agree."},
		Params: params,
	})
	g.Map([]string{"x", "y"}, []string{"dst"}, "dst", 4, func(in []neon.G) []neon.G {
		g.FMUL(in[0], in[0], in[1])
		return in[:1]
	})
	g = neon.Begin(e, emit.Func{
		Name:   "MulAddNEON",
		Doc:    []string{"MulAddNEON sets dst[i] = fma(x[i], y[i], dst[i]). The caller checks that the lengths agree."},
		Params: params,
	})
	g.Map([]string{"x", "y", "dst"}, []string{"dst"}, "dst", 4, func(in []neon.G) []neon.G {
		g.FMLA(in[2], in[0], in[1])
		return in[2:]
	})
}
