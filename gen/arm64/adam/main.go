// Command adam generates the NEON Adam update kernel of package kernel:
// asm/adam_arm64.s and its declarations. kernel/adam.go's adamGeneric
// gives the operation sequence.
package main

import (
	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func main() { neon.Main("adam", build) }

func build(e *emit.Emitter) {
	f32s := func(n string) emit.Param { return emit.Param{Name: n, Type: "[]float32"} }
	f32 := func(n string) emit.Param { return emit.Param{Name: n, Type: "float32"} }
	g := neon.Begin(e, emit.Func{
		Name: "AdamNEON",
		Doc: []string{"AdamNEON performs one Adam update of p, m and v from the gradient g:",
			"m = fma(b1, m, c1·g); v = fma(b2, v, (c2·g)·g);",
			"p = fma(−step, m/(√v + eps), p·decay).",
			"The caller checks that p, g, m and v have the same length."},
		Params: []emit.Param{f32("b1"), f32("c1"), f32("b2"), f32("c2"), f32("step"), f32("eps"), f32("decay"),
			f32s("p"), f32s("g"), f32s("m"), f32s("v")},
	})
	c := map[string]emit.V{}
	for _, s := range []string{"b1", "c1", "b2", "c2", "step", "eps", "decay"} {
		c[s] = g.ArgConst(s)
	}
	g.Map([]string{"p", "g", "m", "v"}, []string{"p", "m", "v"}, "g", 2, func(in []neon.G) []neon.G {
		p, gr, m, v := in[0], in[1], in[2], in[3]
		e.Comment("m' = fma(b1, m, c1·g)")
		mi := g.New()
		g.FMUL(mi, gr, g.B(c["c1"]))
		g.FMLA(mi, m, g.B(c["b1"]))
		e.Comment("v' = fma(b2, v, (c2·g)·g)")
		vi := g.New()
		g.FMUL(vi, gr, g.B(c["c2"]))
		g.FMUL(vi, vi, gr)
		g.FMLA(vi, v, g.B(c["b2"]))
		e.Comment("p' = fma(−step, m'/(√v' + eps), p·decay)")
		u := g.New()
		for i := range u {
			e.FSQRT(u[i], vi[i])
		}
		g.FADD(u, u, g.B(c["eps"]))
		g.FDIV(u, mi, u)
		g.FMUL(p, p, g.B(c["decay"]))
		g.FMLS(p, u, g.B(c["step"]))
		g.Free(u)
		return []neon.G{p, mi, vi}
	})
}
