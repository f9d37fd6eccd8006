package kernel

import "math"

//go:generate go run ../gen/amd64/adam -out ../asm/adam_amd64.s -stubs ../asm/adam_amd64.go -pkg asm
//go:generate go run ../gen/arm64/adam -out ../asm/adam_arm64.s -stubs ../asm/adam_arm64.go -pkg asm

// AdamCoef holds the scalars of one Adam step (see [Impl.Adam]), which an
// optimiser computes once per step from its hyperparameters and the step
// count t.
type AdamCoef struct {
	B1, C1 float32 // first moment: m ← B1·m + C1·g (C1 = 1 − β₁)
	B2, C2 float32 // second moment: v ← B2·v + C2·g² (C2 = 1 − β₂)
	Step   float32 // lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ): the bias corrections folded in
	Eps    float32 // ε·√(1 − β₂ᵗ)
	Decay  float32 // 1 − lr·λ for decoupled weight decay λ; 1 for none
}

// Adam performs one Adam update (Kingma & Ba 2015; with decoupled weight
// decay, Loshchilov & Hutter 2019) of params and the moments m and v from
// the gradient grad, in one pass, with i's kernels. It panics unless the
// four slices have the same length; they must not overlap.
//
//	for i, g := range grad {
//		mi := fma(c.B1, m[i], c.C1*g)
//		vi := fma(c.B2, v[i], (c.C2*g)*g)
//		m[i], v[i] = mi, vi
//		params[i] = fma(-c.Step, mi/(sqrt(vi)+c.Eps), params[i]*c.Decay)
//	}
//
// Every product, quotient, square root and fused multiply-add is rounded
// once to float32, in this order, in every implementation: all give the
// same bits (TestAdamImplsAgree, FuzzAdam). Against the same formula
// evaluated in float64 from the same inputs (TestAdamReference), with
// u = 2⁻²⁴ and, where nothing overflows or underflows,
//
//	|Δm| ≤ 2u·(|B1·m| + |C1·g|)
//	|Δv| ≤ 3u·(B2·v + C2·g²)
//	|Δp| ≤ 2u·|p·Decay| + u·|p'| + 8u·|Step|·(|B1·m| + |C1·g|)/(√v' + Eps)
//
// where p' and v' are the new exact values: the update's relative error
// is that of m' and half that of v', plus the roundings of the square
// root, the sum, the quotient and the final fused multiply-add.
func (i Impl) Adam(c AdamCoef, params, grad, m, v []float32) {
	if len(params) != len(grad) || len(m) != len(grad) || len(v) != len(grad) {
		panicLen("Adam", "len(params), len(grad), len(m), len(v)", len(params), len(grad), len(m), len(v))
	}
	i.must("Adam")
	if len(grad) == 0 {
		return
	}
	adamImpl(i, c, params, grad, m, v)
}

// Adam performs one Adam update with the active kernels; see [Impl.Adam].
func Adam(c AdamCoef, params, grad, m, v []float32) { active.Adam(c, params, grad, m, v) }

// adamGeneric is the portable Adam update and the definition of its
// operation sequence. The explicit float32 conversions keep the compiler
// from fusing a product into a later addition.
func adamGeneric(c AdamCoef, params, grad, m, v []float32) {
	params, m, v = params[:len(grad)], m[:len(grad)], v[:len(grad)]
	for i, g := range grad {
		mi := fma32(c.B1, m[i], float32(c.C1*g))
		vi := fma32(c.B2, v[i], float32(float32(c.C2*g)*g))
		m[i], v[i] = mi, vi
		p := float32(params[i] * c.Decay)
		den := float32(math.Sqrt(float64(vi))) + c.Eps
		params[i] = fma32(-c.Step, mi/den, p)
	}
}
