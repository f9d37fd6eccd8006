// Command act generates the NEON activation kernels of package kernel
// (act.go, act2.go): asm/act_arm64.s and its declarations. The bodies
// live in gen/arm64/actbody, shared with the GEMM epilogue; each kernel
// computes every element with the operation sequence of its scalar twin,
// so results agree bit for bit.
package main

import (
	"github.com/scorekit/scorekit/gen/arm64/actbody"
	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func main() { neon.Main("act", build) }

// kernels are the generated functions, by Go name, in the file's order:
// first derivatives beside their functions, then the second derivatives
// (softplus″ is σ′, SigmoidDerivNEON).
var kernels = []struct {
	name string
	body *actbody.Body
}{
	{"ReLUNEON", actbody.ReLU},
	{"ReLUDerivNEON", actbody.ReLUDeriv},
	{"LeakyReLUNEON", actbody.LeakyReLU},
	{"LeakyReLUDerivNEON", actbody.LeakyReLUDeriv},
	{"IdentityDerivNEON", actbody.IdentityDeriv},
	{"SigmoidNEON", actbody.Sigmoid},
	{"SigmoidDerivNEON", actbody.SigmoidDeriv},
	{"SiLUNEON", actbody.SiLU},
	{"SiLUDerivNEON", actbody.SiLUDeriv},
	{"TanhNEON", actbody.Tanh},
	{"TanhDerivNEON", actbody.TanhDeriv},
	{"SoftplusNEON", actbody.Softplus},
	{"ELUNEON", actbody.ELU},
	{"ELUDerivNEON", actbody.ELUDeriv},
	{"GELUNEON", actbody.GELU},
	{"GELUDerivNEON", actbody.GELUDeriv},
	{"ZeroDeriv2NEON", actbody.ZeroDeriv2},
	{"SigmoidDeriv2NEON", actbody.SigmoidDeriv2},
	{"TanhDeriv2NEON", actbody.TanhDeriv2},
	{"SiLUDeriv2NEON", actbody.SiLUDeriv2},
	{"ELUDeriv2NEON", actbody.ELUDeriv2},
	{"GELUDeriv2NEON", actbody.GELUDeriv2},
}

func build(e *emit.Emitter) {
	for _, k := range kernels {
		f := emit.Func{
			Name: k.name,
			Doc: []string{k.name + " sets dst[i] = " + k.body.Scalar + "(x[i]) (package kernel), by the same",
				"sequence of operations. The caller checks len(dst) == len(x)."},
			Params: []emit.Param{{Name: "dst", Type: "[]float32"}, {Name: "x", Type: "[]float32"}},
		}
		// The coefficients go in the vector registers the loops leave
		// free, so that a Horner step's copy is a VMOV, not a VDUP from a
		// general register.
		neon.Fit(e, func(e *emit.Emitter) *neon.Gen { return neon.Begin(e, f) }, func(g *neon.Gen) {
			body := k.body.Setup(g)
			g.Map([]string{"x"}, []string{"dst"}, "x", k.body.Unroll, func(in []neon.G) []neon.G {
				g.E.Inst("// %s of x in %s", k.body.Scalar, in[0])
				return []neon.G{body(in[0])}
			})
		})
	}
}
