package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/scorekit/scorekit/internal/english"
)

// Mixture is a finite mixture of Gaussians Σₖ wₖ·N(μₖ, Σₖ). Its score is
// the responsibility-weighted sum of the component scores, and its
// noise-conditional score (the mixture convolved with N(0, σ²I)) is exact:
// the mixture of N(μₖ, Σₖ + σ²I) with the same weights. Where every
// component's density underflows (from |x − μ| ≈ 40 for unit covariances)
// the log density is still finite, from log-sum-exp; only so far out that
// every component's quadratic form overflows float64 (|x − μ| ≳ 1e154 for
// unit covariances) is it −Inf, and the score is still the limit there:
// that of the component nearest in the Mahalanobis sense (the weighted
// scores of those that tie). A point with a NaN or infinite coordinate has
// NaN scores and a NaN log density.
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
	var sum float64
	for k, w := range weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("data: NewMixture: weight %d is %v, want > 0", k, w)
		}
		sum += w
	}
	for k, c := range comps {
		if c == nil {
			return nil, fmt.Errorf("data: NewMixture: component %d is nil", k)
		}
	}
	d := comps[0].d
	m := &Mixture{d: d, comps: append([]*Gaussian(nil), comps...)}
	var c float64
	for k, w := range weights {
		if comps[k].d != d {
			return nil, fmt.Errorf("data: NewMixture: component %d has dimension %d, component 0 has %d", k, comps[k].d, d)
		}
		m.logW = append(m.logW, math.Log(w/sum))
		c += w / sum
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

// Dim returns d.
func (m *Mixture) Dim() int { return m.d }

// Weights returns the normalised weights.
func (m *Mixture) Weights() []float64 {
	w := make([]float64, len(m.logW))
	for k, l := range m.logW {
		w[k] = math.Exp(l)
	}
	return w
}

// Components returns the components (shared, not copied).
func (m *Mixture) Components() []*Gaussian { return append([]*Gaussian(nil), m.comps...) }

// mixScratch is the work space of one batch at one noise level: each
// component's inv (K·d), log det (K) and y (K·d), and the log terms (K).
type mixScratch struct {
	inv, logdet, y, lk []float64
}

func (m *Mixture) scratchLen() int { K := len(m.comps); return 2*K*m.d + 2*K }

func (m *Mixture) split(b []float64, s2 float64) mixScratch {
	d, K := m.d, len(m.comps)
	s := mixScratch{inv: b[:K*d], logdet: b[K*d : K*d+K], y: b[K*d+K : 2*K*d+K], lk: b[2*K*d+K : 2*K*d+2*K]}
	for k, c := range m.comps {
		s.logdet[k] = c.prep(s2, s.inv[k*d:k*d+d])
	}
	return s
}

// eval returns log p_σ(x) and, if grad is not nil, sets grad to its
// gradient. Where every component's log term is −Inf (x so far out, or
// the variances so small, that the quadratic forms overflow) log p_σ(x)
// is −Inf and the gradient is the limit farTerms finds: the score of the
// component nearest in the Mahalanobis sense, or the weighted scores of
// those that tie. It is NaN if x is not finite.
func (m *Mixture) eval(x []float64, s mixScratch, grad []float64) float64 {
	d := m.d
	mx := math.Inf(-1)
	for k, c := range m.comps {
		s.lk[k] = m.logW[k] + c.eval(x, s.inv[k*d:k*d+d], s.logdet[k], s.y[k*d:k*d+d])
		if math.IsNaN(s.lk[k]) {
			mx = s.lk[k]
			break
		}
		mx = max(mx, s.lk[k])
	}
	logp := mx
	if math.IsInf(mx, -1) && grad != nil && m.farTerms(x, s) {
		for _, l := range s.lk {
			mx = max(mx, l)
		}
	}
	if math.IsInf(mx, -1) || math.IsNaN(mx) {
		for i := range grad {
			grad[i] = math.NaN()
		}
		return mx
	}
	var z float64
	for k, l := range s.lk {
		s.lk[k] = math.Exp(l - mx)
		z += s.lk[k]
	}
	if grad != nil {
		clear(grad)
		for k, c := range m.comps {
			if r := s.lk[k] / z; r != 0 {
				c.addGrad(grad, s.y[k*d:k*d+d], r)
			}
		}
	}
	if math.IsInf(logp, -1) {
		return logp
	}
	return mx + math.Log(z)
}

// farTerms sets s.lk to log terms that give the responsibilities where
// eval's all underflowed to −Inf, and reports whether it could (not if x
// is not finite, or the scaled forms below overflow too). It recomputes
// each quadratic form qₖ = (x − μₖ)ᵀ(Σₖ + σ²I)⁻¹(x − μₖ) scaled by 2²ᵉ so
// that it does not overflow, and takes the log term
// log wₖ − ½·log det(Σₖ + σ²I) − ½(qₖ − min q), with the difference scaled
// back: far out it overflows to +Inf (a responsibility of 0) for all but
// the nearest component and those whose scaled forms tie with it, whose
// weights and determinants then share the responsibility. If every
// determinant is infinite (σ = ∞) the weights alone do, and since every
// component's score is then 0 so is the mixture's.
func (m *Mixture) farTerms(x []float64, s mixScratch) bool {
	d := m.d
	var big, maxInv float64
	for _, v := range x {
		big = max(big, math.Abs(v))
	}
	for _, c := range m.comps {
		for _, v := range c.mean {
			big = max(big, math.Abs(v))
		}
	}
	for _, v := range s.inv {
		maxInv = max(maxInv, v)
	}
	if math.IsInf(big, 0) || math.IsNaN(big) || math.IsInf(maxInv, 0) {
		return false
	}
	// |x − μ| < 2·2^eb and √inv < 2^((ei+1)/2), so each scaled term
	// (2ᵉ·pₖ)²·invₖ stays below a small multiple of d².
	_, eb := math.Frexp(big)
	_, ei := math.Frexp(maxInv)
	e := -eb - (ei+1)/2
	qmin, tmax := math.Inf(1), math.Inf(-1)
	for k, c := range m.comps {
		s.lk[k] = c.scaledQuad(x, s.inv[k*d:k*d+d], e)
		qmin = min(qmin, s.lk[k])
		tmax = max(tmax, m.logW[k]-0.5*s.logdet[k])
	}
	if math.IsInf(qmin, 0) || math.IsNaN(qmin) {
		return false
	}
	for k := range m.comps {
		t := m.logW[k]
		if !math.IsInf(tmax, -1) {
			t -= 0.5 * s.logdet[k]
		}
		s.lk[k] = t - 0.5*math.Ldexp(s.lk[k]-qmin, -2*e)
	}
	return true
}

// LogDensity64 returns log p(x), normalised.
func (m *Mixture) LogDensity64(x []float64) float64 {
	checkPoint("Mixture.LogDensity64", m.d, len(x))
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
	checkPoint(fn, m.d, len(x), len(dst))
	b := m.pool.get(m.scratchLen())
	defer m.pool.put(b)
	m.eval(x, m.split(*b, sigma*sigma), dst)
}

// Score sets dst to ∇log p at each of the n = len(x)/d rows of x.
func (m *Mixture) Score(dst, x []float32) {
	checkBatch("Mixture.Score", m.d, len(x), len(dst))
	m.batch(dst, nil, x, 0)
}

// NoiseScore sets dst to the exact score of the mixture convolved with
// N(0, σ²I) at each row of x. σ enters only as σ², so −σ gives what σ
// gives; a NaN σ gives NaN scores and an infinite σ scores of 0, as
// [Gaussian.NoiseScore].
func (m *Mixture) NoiseScore(dst, x []float32, sigma float32) {
	checkBatch("Mixture.NoiseScore", m.d, len(x), len(dst))
	m.batch(dst, nil, x, float64(sigma)*float64(sigma))
}

// LogDensity sets dst[i] to log p at row i of x (normalised).
func (m *Mixture) LogDensity(dst, x []float32) {
	n := checkBatch("Mixture.LogDensity", m.d, len(x), -1)
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
	n := checkBatch("Mixture.Sample", m.d, len(dst), -1)
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
