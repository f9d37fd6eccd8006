// Command langevin generates the NEON Langevin update kernel of package
// kernel: asm/langevin_arm64.s and its declarations.
package main

import (
	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func main() { neon.Main("langevin", build) }

func build(e *emit.Emitter) {
	f32s := func(n string) emit.Param { return emit.Param{Name: n, Type: "[]float32"} }
	f32 := func(n string) emit.Param { return emit.Param{Name: n, Type: "float32"} }
	g := neon.Begin(e, emit.Func{
		Name: "LangevinUpdateNEON",
		Doc: []string{"LangevinUpdateNEON sets x[i] = fma(b, z[i], fma(a, s[i], x[i])).",
			"The caller checks that x, s and z have the same length."},
		Params: []emit.Param{f32("a"), f32("b"), f32s("x"), f32s("s"), f32s("z")},
	})
	a := g.ArgConst("a")
	b := g.ArgConst("b")
	g.Map([]string{"x", "s", "z"}, []string{"x"}, "x", 4, func(in []neon.G) []neon.G {
		x, s, z := in[0], in[1], in[2]
		g.FMLA(x, s, g.B(a))
		g.FMLA(x, z, g.B(b))
		return in[:1]
	})
}
