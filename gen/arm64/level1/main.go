// Command level1 generates the NEON level-1 kernels (Dot, SumSq, Axpy,
// Scale) of package kernel: asm/level1_arm64.s and its declarations.
package main

import (
	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func main() { neon.Main("level1", build) }

var (
	f32s = func(n string) emit.Param { return emit.Param{Name: n, Type: "[]float32"} }
	f32  = func(n string) emit.Param { return emit.Param{Name: n, Type: "float32"} }
	ret  = []emit.Param{{Type: "float32"}}
)

func build(e *emit.Emitter) {
	g := neon.Begin(e, emit.Func{
		Name: "DotNEON",
		Doc: []string{"DotNEON returns the dot product of x and y. The caller checks len(x) == len(y).",
			"It sums in 4 accumulators of 4 lanes (fused multiply-adds), then across them."},
		Params: []emit.Param{f32s("x"), f32s("y")}, Results: ret,
	})
	g.Reduce([]string{"x", "y"}, "x", 4, func(acc neon.G, in []neon.G) { g.FMLA(acc, in[0], in[1]) })

	g = neon.Begin(e, emit.Func{
		Name: "SumSqNEON",
		Doc: []string{"SumSqNEON returns the sum of the squares of x.",
			"It sums in 4 accumulators of 4 lanes (fused multiply-adds), then across them."},
		Params: []emit.Param{f32s("x")}, Results: ret,
	})
	g.Reduce([]string{"x"}, "x", 4, func(acc neon.G, in []neon.G) { g.FMLA(acc, in[0], in[0]) })

	g = neon.Begin(e, emit.Func{
		Name:   "AxpyNEON",
		Doc:    []string{"AxpyNEON sets y[i] = fma(alpha, x[i], y[i]). The caller checks len(x) == len(y)."},
		Params: []emit.Param{f32("alpha"), f32s("x"), f32s("y")},
	})
	alpha := g.ArgConst("alpha")
	g.Map([]string{"x", "y"}, []string{"y"}, "x", 4, func(in []neon.G) []neon.G {
		g.FMLA(in[1], in[0], g.B(alpha))
		return in[1:]
	})

	g = neon.Begin(e, emit.Func{
		Name:   "ScaleNEON",
		Doc:    []string{"ScaleNEON sets x[i] *= alpha."},
		Params: []emit.Param{f32("alpha"), f32s("x")},
	})
	alpha = g.ArgConst("alpha")
	g.Map([]string{"x"}, []string{"x"}, "x", 4, func(in []neon.G) []neon.G {
		g.FMUL(in[0], in[0], g.B(alpha))
		return in
	})
}
