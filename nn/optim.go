package nn

import (
	"fmt"
	"math"

	"github.com/scorekit/scorekit/f32"
	"github.com/scorekit/scorekit/kernel"
)

// Adam is the Adam optimiser (Kingma & Ba 2015) with optional decoupled
// weight decay (AdamW, Loshchilov & Hutter 2019), gradient-norm clipping
// and a linear learning-rate warm-up, over a flat parameter vector. Make
// one with [NewAdam], which sizes its moments (Step panics on a zero
// Adam); its fields may be changed between steps. The update itself is
// one pass of [kernel.Adam] over parameters, moments and gradient.
type Adam struct {
	LR          float64 // learning rate after warm-up, finite and ≥ 0 (0 leaves the parameters as they are; the moments still advance)
	Beta1       float64 // first-moment decay, 0 ≤ Beta1 < 1, 0.9 from NewAdam
	Beta2       float64 // second-moment decay, 0 ≤ Beta2 < 1, 0.999 from NewAdam
	Eps         float64 // finite and > 0, 1e-8 from NewAdam
	WeightDecay float64 // decoupled: p −= lr·WeightDecay·p each step; finite, ≥ 0 and below 1/LR
	ClipNorm    float64 // if > 0, the gradient is rescaled to at most this Euclidean norm
	Warmup      int     // if > 0, the rate ramps as LR·min(1, step/Warmup), step counted from 1

	// Workers, if above 1, spreads Step's passes over up to that many
	// goroutines, as [Model.SetWorkers] does a training step's: the
	// update by elements, and with ClipNorm the norm's float32 block sums
	// (which are then added in order, as on one) and the clipping. The
	// result is the same bits for any count. [Trainer.Run] takes its
	// model's count when Workers is 0.
	Workers int

	m, v []float32
	t    int
	job  optJob
}

// NewAdam returns Adam for n parameters at learning rate lr with the
// usual defaults. It panics unless n ≥ 0 and lr is finite and ≥ 0 (see
// [Adam.LR]).
func NewAdam(n int, lr float64) *Adam {
	if n < 0 {
		panic(fmt.Sprintf("nn: NewAdam: n = %d parameters, want ≥ 0", n))
	}
	if why := lrWhy(lr); why != "" {
		panic(fmt.Sprintf("nn: NewAdam: lr = %v: %s", lr, why))
	}
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, m: make([]float32, n), v: make([]float32, n)}
}

// lrWhy says why lr cannot be Adam's learning rate, or returns "": a
// negative one climbs the loss, a NaN or infinite one makes every
// parameter NaN or infinite at the first step.
func lrWhy(lr float64) string {
	if !(lr >= 0) || math.IsInf(lr, 1) {
		return "want a finite rate ≥ 0"
	}
	return ""
}

// fieldsWhy names the first field Step cannot take and says why (see
// [Adam.Step]), or returns "".
func (a *Adam) fieldsWhy() string {
	bad := func(name string, v float64, want string) string {
		return fmt.Sprintf("%s = %v: want %s", name, v, want)
	}
	switch {
	case lrWhy(a.LR) != "":
		return bad("LR", a.LR, "a finite rate ≥ 0")
	case !(a.Beta1 >= 0 && a.Beta1 < 1):
		return bad("Beta1", a.Beta1, "0 ≤ Beta1 < 1")
	case !(a.Beta2 >= 0 && a.Beta2 < 1):
		return bad("Beta2", a.Beta2, "0 ≤ Beta2 < 1")
	case !(a.Eps > 0) || math.IsInf(a.Eps, 1):
		return bad("Eps", a.Eps, "a finite Eps > 0")
	case !(a.WeightDecay >= 0) || math.IsInf(a.WeightDecay, 1):
		return bad("WeightDecay", a.WeightDecay, "a finite WeightDecay ≥ 0")
	case a.LR*a.WeightDecay >= 1:
		// The decay multiplies each weight by 1 − lr·WeightDecay: at 1
		// or more it zeroes or flips them every step.
		return fmt.Sprintf("LR·WeightDecay = %v·%v: want it below 1", a.LR, a.WeightDecay)
	}
	return ""
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
	return clipNorm(impl, grad, maxNorm, 1, nil)
}

// clipNorm is ClipGradNorm with impl's kernels, on the caller if j is nil,
// else through j on up to workers goroutines: the blocks' float32 sums
// into j.sums, then added in order on the caller, and the clipping by
// elements. Either way each block's sum, and the order of the float64
// additions, depends only on the length.
func clipNorm(impl kernel.Impl, grad []float32, maxNorm float64, workers int, j *optJob) float64 {
	var ss float64
	if j == nil {
		for b0 := 0; b0 < len(grad); b0 += clipBlock {
			blk := grad[b0:min(len(grad), b0+clipBlock)]
			ss = addSquares(ss, blk, impl.SumSq(blk))
		}
	} else {
		nb := (len(grad) + clipBlock - 1) / clipBlock
		j.sums = grow(j.sums, nb)
		j.impl, j.x = impl, grad
		j.run(optSumSq, workers, nb, optUnit/clipBlock, len(grad))
		for b, s := range j.sums {
			ss = addSquares(ss, grad[b*clipBlock:min(len(grad), (b+1)*clipBlock)], s)
		}
	}
	norm := math.Sqrt(ss)
	if maxNorm > 0 && norm > maxNorm && !math.IsInf(norm, 0) {
		c := float32(maxNorm / norm)
		if j == nil {
			impl.Scale(c, grad)
		} else {
			j.alpha = c
			j.run(optScale, workers, len(grad), optUnit, len(grad))
		}
	}
	return norm
}

// addSquares returns ss plus the squares of the block blk, whose float32
// sum is s: s itself, or, if s is below 2⁻¹⁰⁰ or not finite, each square
// in float64, in order.
func addSquares(ss float64, blk []float32, s float32) float64 {
	if s >= 0x1p-100 && s <= math.MaxFloat32 {
		return ss + float64(s)
	}
	for _, g := range blk {
		ss += float64(g) * float64(g)
	}
	return ss
}

// optUnit is the unit of the optimiser's passes split across workers:
// 1,024 elements, 4 KB of each vector.
const optUnit = 1024

// optKind says which pass an optJob runs.
type optKind uint8

const (
	optAdam  optKind = iota // elements: the Adam update
	optSumSq                // blocks of clipBlock elements: their float32 sums of squares
	optScale                // elements: x *= alpha
	optEMA                  // elements: y = alpha·y, then y += (1 − alpha)·x
)

// optJob is a pass of the optimiser (Adam's update, ClipGradNorm, EMA's
// update) as f32.ParallelRange splits it; Adam and EMA hold one, so
// that handing it over allocates nothing. Each element, and each block
// of the norm, is the same kernel call on the same values as in one pass
// over the whole vector, which every kernel computes element by element.
type optJob struct {
	kind       optKind
	impl       kernel.Impl
	c          kernel.AdamCoef
	x, y, m, v []float32 // optAdam: params, grad, m, v; optSumSq and optScale: x; optEMA: x the parameters, y the average
	alpha      float32
	sums       []float32 // optSumSq: one per block
}

// run runs the pass kind over indices 0..n−1 in units of unit on up to
// workers goroutines, or on the caller if it touches fewer than parMin
// floats (size).
func (j *optJob) run(kind optKind, workers, n, unit, size int) {
	j.kind = kind
	if size < parMin {
		workers = 1
	}
	f32.ParallelRange(workers, n, unit, j)
}

// Range implements f32.RangeJob.
func (j *optJob) Range(i0, i1 int) {
	switch j.kind {
	case optAdam:
		j.impl.Adam(j.c, j.x[i0:i1], j.y[i0:i1], j.m[i0:i1], j.v[i0:i1])
	case optSumSq:
		for b := i0; b < i1; b++ {
			j.sums[b] = j.impl.SumSq(j.x[b*clipBlock : min(len(j.x), (b+1)*clipBlock)])
		}
	case optScale:
		j.impl.Scale(j.alpha, j.x[i0:i1])
	case optEMA:
		j.impl.Scale(j.alpha, j.y[i0:i1])
		j.impl.Axpy(1-j.alpha, j.x[i0:i1], j.y[i0:i1])
	}
}

// release drops j's references to the vectors it ran on.
func (j *optJob) release() { j.x, j.y, j.m, j.v = nil, nil, nil, nil }

// Step applies one update to params from grad (clipped in place if
// ClipNorm is set) and returns the gradient norm before clipping (0
// without clipping, which skips computing it), on up to a.Workers
// goroutines. It panics unless len(params) and len(grad) are the
// optimiser's length and the fields are in the ranges [Adam] gives: a
// decay β of 1 divides by the bias correction 1 − βᵗ = 0, an Eps of 0
// divides 0 by 0 for a parameter whose gradients have all been 0 (a dead
// unit's), a negative WeightDecay makes the weights grow, and a bad LR
// is said at NewAdam; each made the parameters NaN, infinite or growing
// without a word.
func (a *Adam) Step(params, grad []float32) float64 { return a.step(params, grad, a.Workers) }

// step is Step on up to workers goroutines.
func (a *Adam) step(params, grad []float32, workers int) float64 {
	if len(params) != len(grad) || len(params) != len(a.m) {
		panic(fmt.Sprintf("nn: Adam.Step: optimiser for %d parameters but len(params) = %d and len(grad) = %d", len(a.m), len(params), len(grad)))
	}
	if why := a.fieldsWhy(); why != "" {
		panic("nn: Adam.Step: " + why)
	}
	var norm float64
	if a.ClipNorm > 0 {
		norm = clipNorm(kernel.Active(), grad, a.ClipNorm, workers, &a.job)
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
	j := &a.job
	j.impl, j.c, j.x, j.y, j.m, j.v = kernel.Active(), c, params, grad, a.m, a.v
	j.run(optAdam, workers, len(grad), optUnit, 4*len(grad))
	j.release()
	return norm
}

// EMA keeps an exponential moving average of parameters with the decay
// min(Rate, (1+n)/(10+n)) at update n (counted from 0), so early updates
// follow the parameters closely.
type EMA struct {
	// Rate is the decay, 0 ≤ Rate < 1 (0 keeps the latest parameters, no
	// average): a negative one overshoots the parameters (below −1 it
	// grows without bound), a NaN one makes the average NaN.
	Rate float64

	// Workers, if above 1, spreads Update over up to that many
	// goroutines by elements, with the same bits for any count (each
	// element's two roundings are the same). [Trainer.Run] takes its
	// model's count when Workers is 0.
	Workers int

	shadow []float32
	n      int
	job    optJob
}

// NewEMA returns an average starting at a copy of params. It panics
// unless 0 ≤ rate < 1 (see [EMA.Rate]).
func NewEMA(params []float32, rate float64) *EMA {
	mustRate("NewEMA", "rate", rate)
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
// It panics unless len(params) is the average's length and
// 0 ≤ Rate < 1, and allocates nothing.
func (e *EMA) Update(params []float32) { e.update(params, e.Workers) }

// update is Update on up to workers goroutines.
func (e *EMA) update(params []float32, workers int) {
	if len(params) != len(e.shadow) {
		panic(fmt.Sprintf("nn: EMA.Update: average of %d parameters but len(params) = %d", len(e.shadow), len(params)))
	}
	mustRate("EMA.Update", "Rate", e.Rate)
	d := float32(min(e.Rate, float64(1+e.n)/float64(10+e.n)))
	e.n++
	j := &e.job
	j.impl, j.alpha, j.x, j.y = kernel.Active(), d, params, e.shadow
	j.run(optEMA, workers, len(params), optUnit, 2*len(params))
	j.release()
}

// mustRate panics, naming fn and the argument or field what, unless
// 0 ≤ rate < 1 (see rateWhy).
func mustRate(fn, what string, rate float64) {
	if why := rateWhy(what, rate); why != "" {
		panic(fmt.Sprintf("nn: %s: %s", fn, why))
	}
}

// rateWhy says, naming the argument or field what, why rate cannot be an
// EMA's rate, or returns "".
func rateWhy(what string, rate float64) string {
	if !(rate >= 0 && rate < 1) {
		return fmt.Sprintf("%s = %v, want 0 ≤ %s < 1", what, rate, what)
	}
	return ""
}

// Params returns the averaged parameters (shared; do not modify).
func (e *EMA) Params() []float32 { return e.shadow }

// CopyTo copies the averaged parameters into m and repacks it.
func (e *EMA) CopyTo(m *Model) {
	m.mustBeBuilt("EMA.CopyTo")
	if len(m.params) != len(e.shadow) {
		panic(fmt.Sprintf("nn: EMA.CopyTo: average of %d parameters, model has %d", len(e.shadow), len(m.params)))
	}
	copy(m.params, e.shadow)
	m.Repack()
}
