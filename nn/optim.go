package nn

import (
	"fmt"
	"math"

	"github.com/scorekit/scorekit/kernel"
)

// Adam is the Adam optimiser (Kingma & Ba 2015) with optional decoupled
// weight decay (AdamW, Loshchilov & Hutter 2019), gradient-norm clipping
// and a linear learning-rate warm-up, over a flat parameter vector. Make
// one with [NewAdam], which sizes its moments (Step panics on a zero
// Adam); its fields may be changed between steps. The update itself is
// one pass of [kernel.Adam] over parameters, moments and gradient.
type Adam struct {
	LR          float64 // learning rate after warm-up
	Beta1       float64 // first-moment decay, 0.9 from NewAdam
	Beta2       float64 // second-moment decay, 0.999 from NewAdam
	Eps         float64 // 1e-8 from NewAdam
	WeightDecay float64 // decoupled: p −= lr·WeightDecay·p each step
	ClipNorm    float64 // if > 0, the gradient is rescaled to at most this Euclidean norm
	Warmup      int     // if > 0, the rate ramps as LR·min(1, step/Warmup), step counted from 1

	m, v []float32
	t    int
}

// NewAdam returns Adam for n parameters at learning rate lr with the
// usual defaults.
func NewAdam(n int, lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, m: make([]float32, n), v: make([]float32, n)}
}

// Steps returns the number of steps taken.
func (a *Adam) Steps() int { return a.t }

// Reset clears the moments and the step count.
func (a *Adam) Reset() {
	clear(a.m)
	clear(a.v)
	a.t = 0
}

// clipBlock is the number of elements whose squares ClipGradNorm sums in
// float32 (kernel.SumSq) before adding them to its float64 total: it
// bounds the float32 summation error to clipBlock·2⁻²³ of the sum,
// whatever the length.
const clipBlock = 256

// ClipGradNorm scales grad so its Euclidean norm is at most maxNorm (if
// maxNorm > 0 and the norm is finite) and returns the norm before
// clipping.
//
// The sum of squares is accumulated in float64 from blocks of 256
// elements, each summed in float32 by [kernel.SumSq]; a block whose
// float32 sum is below 2⁻¹⁰⁰ or not finite (squares that underflow or
// overflow float32, an infinity or a NaN) is summed again in float64.
// The norm is thus within 1.6e-5 relative of the exact norm of grad
// (256·2⁻²³ of the sum of squares, halved by the square root, plus the
// float64 roundings) for any length below 2⁴⁰, however large or small
// the elements. It is +Inf when an element is infinite and none is NaN,
// and NaN when an element is NaN: in both cases grad is left as it is.
// Clipping multiplies every element by c = maxNorm/norm rounded to
// float32 with [kernel.Scale]. It allocates nothing.
//
// Reproducibility: one binary running one implementation of the kernels
// ([kernel.Active], chosen at start-up from the CPU and GODEBUG) gives,
// for the same grad, the same norm and the same clipped grad bit for
// bit, on every call and every machine: the blocks, and the order in
// which SumSq sums a block, depend only on the length. Across
// implementations they do not: SumSq's order depends on the vector width
// (and the generic loop's roundings on whether the compiler fuses it
// into FMAs, which depends on GOARCH and GOAMD64), so avx512, avx2, neon
// and generic can return norms that differ in the last bits, each within
// the bound of the exact norm (so within 3.2e-5 relative of each other),
// and a different norm gives a different c and so a different clipped
// grad, though each element is still grad[i]·c rounded to float32.
// Summing in float64 in a fixed order would make the norm the same
// everywhere, at 4 to 6 times the cost of this one with avx2.
func ClipGradNorm(grad []float32, maxNorm float64) float64 {
	return clipGradNorm(kernel.Active(), grad, maxNorm)
}

// clipGradNorm is ClipGradNorm with impl's kernels.
func clipGradNorm(impl kernel.Impl, grad []float32, maxNorm float64) float64 {
	var ss float64
	for x := grad; len(x) > 0; {
		blk := x[:min(clipBlock, len(x))]
		x = x[len(blk):]
		if s := impl.SumSq(blk); s >= 0x1p-100 && s <= math.MaxFloat32 {
			ss += float64(s)
			continue
		}
		for _, g := range blk {
			ss += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(ss)
	if maxNorm > 0 && norm > maxNorm && !math.IsInf(norm, 0) {
		impl.Scale(float32(maxNorm/norm), grad)
	}
	return norm
}

// Step applies one update to params from grad (clipped in place if
// ClipNorm is set) and returns the gradient norm before clipping (0
// without clipping, which skips computing it).
func (a *Adam) Step(params, grad []float32) float64 {
	if len(params) != len(grad) || len(params) != len(a.m) {
		panic(fmt.Sprintf("nn: Adam.Step: optimiser for %d parameters but len(params) = %d and len(grad) = %d", len(a.m), len(params), len(grad)))
	}
	var norm float64
	if a.ClipNorm > 0 {
		norm = ClipGradNorm(grad, a.ClipNorm)
	}
	a.t++
	lr := a.LR
	if a.Warmup > 0 && a.t < a.Warmup {
		lr *= float64(a.t) / float64(a.Warmup)
	}
	b1, b2 := a.Beta1, a.Beta2
	bc1 := 1 - math.Pow(b1, float64(a.t))
	bc2 := 1 - math.Pow(b2, float64(a.t))
	// p −= lr/bc1 · m / (√(v/bc2) + eps) = step · m / (√v + eps·√bc2).
	fb1, fb2 := float32(b1), float32(b2)
	c := kernel.AdamCoef{
		B1: fb1, C1: 1 - fb1, B2: fb2, C2: 1 - fb2,
		Step:  float32(lr / bc1 * math.Sqrt(bc2)),
		Eps:   float32(a.Eps * math.Sqrt(bc2)),
		Decay: float32(1 - lr*a.WeightDecay),
	}
	kernel.Adam(c, params, grad, a.m, a.v)
	return norm
}

// EMA keeps an exponential moving average of parameters with the decay
// min(Rate, (1+n)/(10+n)) at update n (counted from 0), so early updates
// follow the parameters closely.
type EMA struct {
	Rate   float64
	shadow []float32
	n      int
}

// NewEMA returns an average starting at a copy of params.
func NewEMA(params []float32, rate float64) *EMA {
	return &EMA{Rate: rate, shadow: append([]float32(nil), params...)}
}

// Update moves the average towards params. With d the decay of this
// update rounded to float32 and c = 1 − d in float32 (exact when
// d ≥ 1/2), it computes
//
//	for i, p := range params { shadow[i] = fma(c, p, d·shadow[i]) }
//
// by [kernel.Scale] and [kernel.Axpy], which give the same bits on every
// implementation: two roundings, so each new value s′ is within
// 2⁻²⁴·(d·|s| + |s′|) (plus 2⁻¹⁴⁸ where it underflows) of d·s + c·p. An
// average that meets a NaN or infinite parameter stays NaN or infinite.
// It panics unless len(params) is the average's length, and allocates
// nothing.
func (e *EMA) Update(params []float32) {
	if len(params) != len(e.shadow) {
		panic(fmt.Sprintf("nn: EMA.Update: average of %d parameters but len(params) = %d", len(e.shadow), len(params)))
	}
	d := float32(min(e.Rate, float64(1+e.n)/float64(10+e.n)))
	e.n++
	kernel.Scale(d, e.shadow)
	kernel.Axpy(1-d, params, e.shadow)
}

// Params returns the averaged parameters (shared; do not modify).
func (e *EMA) Params() []float32 { return e.shadow }

// CopyTo copies the averaged parameters into m and repacks it.
func (e *EMA) CopyTo(m *Model) {
	if len(m.params) != len(e.shadow) {
		panic(fmt.Sprintf("nn: EMA.CopyTo: average of %d parameters, model has %d", len(e.shadow), len(m.params)))
	}
	copy(m.params, e.shadow)
	m.Repack()
}
