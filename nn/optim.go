package nn

import (
	"fmt"
	"math"

	"github.com/scorekit/scorekit/kernel"
)

// Adam is the Adam optimiser (Kingma & Ba 2015) with optional decoupled
// weight decay (AdamW, Loshchilov & Hutter 2019), gradient-norm clipping
// and a linear learning-rate warm-up, over a flat parameter vector. Its
// fields may be changed between steps. The update itself is one pass of
// [kernel.Adam] over parameters, moments and gradient.
type Adam struct {
	LR          float64 // learning rate after warm-up
	Beta1       float64 // first-moment decay, default 0.9
	Beta2       float64 // second-moment decay, default 0.999
	Eps         float64 // default 1e-8
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

// ClipGradNorm scales grad so its Euclidean norm is at most maxNorm (if
// maxNorm > 0 and the norm is finite) and returns the norm before
// clipping.
func ClipGradNorm(grad []float32, maxNorm float64) float64 {
	var ss float64
	for _, g := range grad {
		ss += float64(g) * float64(g)
	}
	norm := math.Sqrt(ss)
	if maxNorm > 0 && norm > maxNorm && !math.IsInf(norm, 0) {
		c := float32(maxNorm / norm)
		for i := range grad {
			grad[i] *= c
		}
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

// Update moves the average towards params.
func (e *EMA) Update(params []float32) {
	if len(params) != len(e.shadow) {
		panic(fmt.Sprintf("nn: EMA.Update: average of %d parameters but len(params) = %d", len(e.shadow), len(params)))
	}
	dec := min(e.Rate, float64(1+e.n)/float64(10+e.n))
	e.n++
	c := float32(1 - dec)
	for i, p := range params {
		e.shadow[i] += c * (p - e.shadow[i])
	}
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
