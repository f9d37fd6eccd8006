package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/scorekit/scorekit/internal/english"
	"github.com/scorekit/scorekit/internal/fmath"
)

// Mixture is a finite mixture of Gaussians Σₖ wₖ·N(μₖ, Σₖ). Its score is
// the responsibility-weighted sum of the component scores, and its
// noise-conditional score (the mixture convolved with N(0, σ²I)) is exact:
// the mixture of N(μₖ, Σₖ + σ²I) with the same weights. Where every
// component's density underflows (from |x − μ| ≈ 40 for unit covariances)
// the log density is still finite, from log-sum-exp.
//
// At a finite point (and finite σ) its scores and log densities are never
// NaN, as [Gaussian]'s: each is finite where the exact value for the
// components' Q and λ is, to about d ulps of the terms it sums (and the
// rounding of the responsibilities), and ±Inf with the exact value's sign
// where that overflows. Where a component's log term, the log density or
// a score does not come out finite, the point is computed again with
// exponents that cannot overflow (Gaussian's xfloats). So far out that
// every quadratic form overflows (|x − μ| ≳ 1e154 for unit covariances)
// the log density is still the exact value, −Inf only where that
// overflows, and the score is that of the component nearest in the
// Mahalanobis sense (the weighted scores of those that tie); at and near
// the mean of a component with variances near the smallest float64, where
// 1/λ overflows, both are right too. A point with a
// NaN or infinite coordinate has NaN scores and a NaN log density, and an
// infinite σ gives scores of 0.
//
// Its methods panic, naming themselves, on a nil *Mixture, as
// [NewMixture] returns with an error.
type Mixture struct {
	d     int
	logW  []float64
	cum   []float64 // cumulative weights for sampling
	comps []*Gaussian
	pool  scratchPool
}

// NewMixture returns the mixture of comps with the given weights, which
// must be positive; they are normalised to sum to one.
func NewMixture(weights []float64, comps []*Gaussian) (*Mixture, error) {
	if len(weights) == 0 || len(weights) != len(comps) {
		return nil, fmt.Errorf("data: NewMixture: %s for %s", english.Count(len(weights), "weight"), english.Count(len(comps), "component"))
	}
	var sum, top float64
	for k, w := range weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("data: NewMixture: weight %d is %v, want finite and > 0", k, w)
		}
		sum += w
		top = max(top, w)
	}
	var rel float64 // Σ w/top, in [1, K]: the sum may overflow
	for _, w := range weights {
		rel += w / top
	}
	for k, c := range comps {
		if c == nil {
			return nil, fmt.Errorf("data: NewMixture: component %d is nil", k)
		}
		if c.d < 1 {
			return nil, fmt.Errorf("data: NewMixture: component %d has dimension %d (was it built by NewGaussian?)", k, c.d)
		}
	}
	d := comps[0].d
	m := &Mixture{d: d, comps: append([]*Gaussian(nil), comps...)}
	var c float64
	for k, w := range weights {
		if comps[k].d != d {
			return nil, fmt.Errorf("data: NewMixture: component %d has dimension %d, component 0 has %d", k, comps[k].d, d)
		}
		p := w / sum
		lw := math.Log(p)
		if math.IsInf(sum, 1) || p < 0x1p-1022 {
			// sum overflowed, or p is subnormal or 0 and lost digits
			// (and amd64's math.Log is wrong there, see fmath.Log).
			p = w / top / rel
			lw = fmath.Log(w) - fmath.Log(top) - math.Log(rel)
		}
		m.logW = append(m.logW, lw)
		c += p
		m.cum = append(m.cum, c)
	}
	return m, nil
}

// NCSNMixture returns the toy target of Song & Ermon (2019),
// 0.8·N((5, 5), I) + 0.2·N((−5, −5), I): its modes are so far apart that
// plain Langevin dynamics cannot recover the weights, and annealed
// Langevin can.
func NCSNMixture() *Mixture {
	m, err := NewMixture([]float64{0.8, 0.2}, []*Gaussian{
		NewIsotropicGaussian([]float64{5, 5}, 1),
		NewIsotropicGaussian([]float64{-5, -5}, 1),
	})
	if err != nil {
		panic(err)
	}
	return m
}

// dim returns d, and panics naming the method fn if m is nil, as
// NewMixture returns it with an error (a zero Mixture has d = 0, which
// the methods that compute refuse through checkDim).
func (m *Mixture) dim(fn string) int {
	if m == nil {
		panic(fmt.Sprintf("data: %s: nil *Mixture: build it with NewMixture (did it return an error?)", fn))
	}
	return m.d
}

// Dim returns d.
func (m *Mixture) Dim() int { return m.dim("Mixture.Dim") }

// Weights returns the normalised weights.
func (m *Mixture) Weights() []float64 {
	m.dim("Mixture.Weights")
	w := make([]float64, len(m.logW))
	for k, l := range m.logW {
		w[k] = math.Exp(l)
	}
	return w
}

// Components returns the components (shared, not copied).
func (m *Mixture) Components() []*Gaussian {
	m.dim("Mixture.Components")
	return append([]*Gaussian(nil), m.comps...)
}

// mixScratch is the work space of one batch at one noise level s2: each
// component's inv (K·d), log det (K) and y (K·d), and the log terms (K).
type mixScratch struct {
	inv, logdet, y, lk []float64
	s2                 float64
}

func (m *Mixture) scratchLen() int { K := len(m.comps); return 2*K*m.d + 2*K }

func (m *Mixture) split(b []float64, s2 float64) mixScratch {
	d, K := m.d, len(m.comps)
	s := mixScratch{inv: b[:K*d], logdet: b[K*d : K*d+K], y: b[K*d+K : 2*K*d+K], lk: b[2*K*d+K : 2*K*d+2*K], s2: s2}
	for k, c := range m.comps {
		s.logdet[k] = c.prep(s2, s.inv[k*d:k*d+d])
	}
	return s
}

// eval returns log p_σ(x) and, if grad is not nil, sets grad to its
// gradient, by log-sum-exp over the components' eval, or by wide where a
// log term or the result is not finite and x and σ are (see Mixture).
func (m *Mixture) eval(x []float64, s mixScratch, grad []float64) float64 {
	d := m.d
	mx := math.Inf(-1)
	var chk float64 // 0 if every log term is finite, else NaN
	for k, c := range m.comps {
		l := m.logW[k] + c.eval(x, s.inv[k*d:k*d+d], s.logdet[k], s.y[k*d:k*d+d])
		s.lk[k] = l
		chk += l - l
		mx = max(mx, l)
	}
	if chk == 0 {
		var z float64
		for k, l := range s.lk {
			s.lk[k] = math.Exp(l - mx)
			z += s.lk[k]
		}
		if grad == nil {
			if logp := mx + math.Log(z); finite(logp) {
				return logp
			}
		} else {
			clear(grad)
			for k, c := range m.comps {
				if r := s.lk[k] / z; r != 0 {
					c.addGrad(grad, s.y[k*d:k*d+d], r)
				}
			}
			if finite64s(grad) {
				return 0
			}
		}
	}
	for _, v := range x {
		if !finite(v) {
			for i := range grad {
				grad[i] = math.NaN()
			}
			return math.NaN()
		}
	}
	switch {
	case math.IsNaN(s.s2):
		for i := range grad {
			grad[i] = math.NaN()
		}
		return math.NaN()
	case math.IsInf(s.s2, 1):
		// N(μₖ, Σₖ + ∞·I): a density of 0 and, in the limit, a score of 0.
		clear(grad)
		return math.Inf(-1)
	}
	return m.wide(x, s.s2, grad)
}

// wide is eval without overflow, for finite x and s2, through the
// components' wideSolve and wideRow: each log term
// log wₖ − ½·log det(Σₖ + s2·I) − ½(qₖ − min q) − (d/2)·log 2π, with the
// quadratic forms qₖ and their differences in xfloats, so that far out
// only the components nearest in the Mahalanobis sense keep a
// responsibility; the log density adds −½·min q back, and the gradient
// sums the responsibility-weighted −Qₖ·yₖ in xfloats.
func (m *Mixture) wide(x []float64, s2 float64, grad []float64) float64 {
	d, K := m.d, len(m.comps)
	b := m.pool.get(2*K*d + 3*K)
	defer m.pool.put(b)
	yf, ye := (*b)[:K*d], (*b)[K*d:2*K*d]
	qf, qe, lk := (*b)[2*K*d:2*K*d+K], (*b)[2*K*d+K:2*K*d+2*K], (*b)[2*K*d+2*K:]
	qmin := -1
	for k, c := range m.comps {
		q, logdet := c.wideSolve(x, s2, yf[k*d:k*d+d], ye[k*d:k*d+d])
		qf[k], qe[k], lk[k] = q.f, float64(q.e), m.logW[k]-0.5*logdet
		if qmin < 0 || q.less(xfloat{qf[qmin], int(qe[qmin])}) {
			qmin = k
		}
	}
	qm := xfloat{qf[qmin], int(qe[qmin])}
	mx := math.Inf(-1)
	for k := range m.comps {
		var t xsum // −½(qₖ − min q), before lk joins, so that lk is not lost next to qₖ
		t.add(xfloat{-qf[k], int(qe[k]) - 1})
		t.add(xfloat{qm.f, qm.e - 1})
		lk[k] += t.value().float64()
		mx = max(mx, lk[k])
	}
	var z float64
	for k, l := range lk {
		lk[k] = math.Exp(l - mx)
		z += lk[k]
	}
	if grad != nil {
		for i := 0; i < d; i++ {
			var s xsum
			for k, c := range m.comps {
				if r := lk[k] / z; r != 0 {
					c.wideRow(&s, i, xfloatOf(r), yf[k*d:k*d+d], ye[k*d:k*d+d])
				}
			}
			grad[i] = 0 - s.value().float64() // +0, not −0
		}
		return 0
	}
	var lp xsum // −½·min q + mx + log z − (d/2)·log 2π
	lp.add(xfloat{-qm.f, qm.e - 1})
	lp.add(xfloatOf(mx + math.Log(z) - 0.5*float64(d)*fmath.Log2Pi))
	return lp.value().float64()
}

// LogDensity64 returns log p(x), normalised.
func (m *Mixture) LogDensity64(x []float64) float64 {
	checkPoint("Mixture.LogDensity64", m.dim("Mixture.LogDensity64"), len(x))
	b := m.pool.get(m.scratchLen())
	defer m.pool.put(b)
	return m.eval(x, m.split(*b, 0), nil)
}

// Score64 sets dst to ∇log p(x).
func (m *Mixture) Score64(dst, x []float64) { m.noiseScore64("Mixture.Score64", dst, x, 0) }

// NoiseScore64 sets dst to the score of the mixture convolved with
// N(0, σ²I) at x. σ enters only as σ², so −σ gives what σ gives; a NaN σ
// gives NaN scores and an infinite σ scores of 0, as [Gaussian.NoiseScore].
func (m *Mixture) NoiseScore64(dst, x []float64, sigma float64) {
	m.noiseScore64("Mixture.NoiseScore64", dst, x, sigma)
}

// noiseScore64 is NoiseScore64 for the method fn, which its panics name.
func (m *Mixture) noiseScore64(fn string, dst, x []float64, sigma float64) {
	checkPoint(fn, m.dim(fn), len(x), len(dst))
	b := m.pool.get(m.scratchLen())
	defer m.pool.put(b)
	m.eval(x, m.split(*b, sigma*sigma), dst)
}

// Score sets dst to ∇log p at each of the n = len(x)/d rows of x.
func (m *Mixture) Score(dst, x []float32) {
	checkBatch("Mixture.Score", m.dim("Mixture.Score"), len(x), len(dst))
	m.batch(dst, nil, x, 0)
}

// NoiseScore sets dst to the exact score of the mixture convolved with
// N(0, σ²I) at each row of x. σ enters only as σ², so −σ gives what σ
// gives; a NaN σ gives NaN scores and an infinite σ scores of 0, as
// [Gaussian.NoiseScore].
func (m *Mixture) NoiseScore(dst, x []float32, sigma float32) {
	checkBatch("Mixture.NoiseScore", m.dim("Mixture.NoiseScore"), len(x), len(dst))
	m.batch(dst, nil, x, float64(sigma)*float64(sigma))
}

// LogDensity sets dst[i] to log p at row i of x (normalised).
func (m *Mixture) LogDensity(dst, x []float32) {
	n := checkBatch("Mixture.LogDensity", m.dim("Mixture.LogDensity"), len(x), -1)
	if len(dst) != n {
		panicDst("Mixture.LogDensity", len(dst), n)
	}
	m.batch(nil, dst, x, 0)
}

// batch sets the scores (if score is not nil) or the log densities of the
// rows of x at noise variance s2.
func (m *Mixture) batch(score, logp, x []float32, s2 float64) {
	d := m.d
	var stack [64]float64 // small d and K: no pool round trip
	buf := stack[:]
	if l := m.scratchLen() + 2*d; l > len(stack) {
		b := m.pool.get(l)
		defer m.pool.put(b)
		buf = *b
	}
	xs, gr := buf[:d], buf[d:2*d]
	s := m.split(buf[2*d:], s2)
	for r := 0; r < len(x)/d; r++ {
		widen(xs, x[r*d:r*d+d])
		if score == nil {
			logp[r] = float32(m.eval(xs, s, nil))
			continue
		}
		m.eval(xs, s, gr)
		narrow(score[r*d:r*d+d], gr)
	}
}

// Sample fills dst with n = len(dst)/d independent draws.
func (m *Mixture) Sample(dst []float32, rng *rand.Rand) {
	n := checkBatch("Mixture.Sample", m.dim("Mixture.Sample"), len(dst), -1)
	checkRNG("Mixture.Sample", "the rows", rng)
	d := m.d
	b := m.pool.get(d)
	defer m.pool.put(b)
	for r := 0; r < n; r++ {
		u := rng.Float64()
		k := 0
		for k < len(m.cum)-1 && u >= m.cum[k] {
			k++
		}
		m.comps[k].draw(dst[r*d:r*d+d], *b, rng)
	}
}
