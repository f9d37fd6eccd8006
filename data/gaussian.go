package data

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

const log2Pi = 1.8378770664093453 // log(2π)

// Gaussian is the normal distribution N(μ, Σ) on ℝᵈ with a full covariance.
// It keeps Σ's eigendecomposition Σ = Q·diag(λ)·Qᵀ, so the score and log
// density of N(μ, Σ + σ²I) for any σ ≥ 0 cost two d×d products per point.
type Gaussian struct {
	d      int
	mean   []float64
	q      []float64 // Q, d×d row-major; column k is the k-th eigenvector
	lambda []float64 // eigenvalues of Σ, all > 0
	sqrtL  []float64
	pool   scratchPool
}

// NewGaussian returns N(mean, cov) where cov is the d×d covariance in
// row-major order (d = len(mean)). It returns an error unless cov is
// symmetric and positive definite.
func NewGaussian(mean, cov []float64) (*Gaussian, error) {
	d := len(mean)
	if d == 0 {
		return nil, errors.New("data: NewGaussian: empty mean")
	}
	if len(cov) != d*d {
		return nil, fmt.Errorf("data: NewGaussian: covariance has %d entries, want %d×%d = %d", len(cov), d, d, d*d)
	}
	for i := 0; i < d; i++ {
		for j := 0; j < i; j++ {
			a, b := cov[i*d+j], cov[j*d+i]
			if math.Abs(a-b) > 1e-12*(math.Abs(a)+math.Abs(b)) {
				return nil, fmt.Errorf("data: NewGaussian: covariance not symmetric at (%d, %d): %v ≠ %v", i, j, a, b)
			}
		}
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), cov...)), true) {
		return nil, errors.New("data: NewGaussian: eigendecomposition of the covariance failed")
	}
	lambda := es.Values(nil)
	for k, l := range lambda {
		if !(l > 0) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("data: NewGaussian: covariance not positive definite (eigenvalue %d is %v)", k, l)
		}
	}
	var v mat.Dense
	es.VectorsTo(&v)
	g := &Gaussian{d: d, mean: append([]float64(nil), mean...), q: make([]float64, d*d), lambda: lambda, sqrtL: make([]float64, d)}
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			g.q[i*d+k] = v.At(i, k)
		}
	}
	for k, l := range lambda {
		g.sqrtL[k] = math.Sqrt(l)
	}
	return g, nil
}

// NewIsotropicGaussian returns N(mean, std²I). It panics unless std > 0.
func NewIsotropicGaussian(mean []float64, std float64) *Gaussian {
	if !(std > 0) {
		panic(fmt.Sprintf("data: NewIsotropicGaussian: std = %v, want > 0", std))
	}
	d := len(mean)
	cov := make([]float64, d*d)
	for i := 0; i < d; i++ {
		cov[i*d+i] = std * std
	}
	g, err := NewGaussian(mean, cov)
	if err != nil {
		panic(err)
	}
	return g
}

// Dim returns d.
func (g *Gaussian) Dim() int { return g.d }

// Mean returns a copy of μ.
func (g *Gaussian) Mean() []float64 { return append([]float64(nil), g.mean...) }

// Cov returns a copy of Σ, d×d row-major.
func (g *Gaussian) Cov() []float64 {
	d := g.d
	c := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			var s float64
			for k := 0; k < d; k++ {
				s += g.q[i*d+k] * g.lambda[k] * g.q[j*d+k]
			}
			c[i*d+j] = s
		}
	}
	return c
}

// eval returns log N(x; μ, Σ + s2·I) and, if grad is not nil, sets grad to
// its gradient in x. y is scratch of length d.
func (g *Gaussian) eval(x []float64, s2 float64, grad, y []float64) float64 {
	d := g.d
	var quad, logdet float64
	for k := 0; k < d; k++ {
		var p float64
		for i := 0; i < d; i++ {
			p += g.q[i*d+k] * (x[i] - g.mean[i])
		}
		l := g.lambda[k] + s2
		quad += p * p / l
		logdet += math.Log(l)
		y[k] = p / l
	}
	if grad != nil {
		for i := 0; i < d; i++ {
			var s float64
			row := g.q[i*d : i*d+d]
			for k, v := range row {
				s += v * y[k]
			}
			grad[i] = -s
		}
	}
	return -0.5 * (quad + logdet + float64(d)*log2Pi)
}

// LogDensity64 returns log p(x), normalised.
func (g *Gaussian) LogDensity64(x []float64) float64 {
	checkPoint("Gaussian.LogDensity64", g.d, len(x))
	b := g.pool.get(g.d)
	defer g.pool.put(b)
	return g.eval(x, 0, nil, *b)
}

// Score64 sets dst to ∇log p(x) = −Σ⁻¹(x − μ).
func (g *Gaussian) Score64(dst, x []float64) {
	checkPoint("Gaussian.Score64", g.d, len(x), len(dst))
	b := g.pool.get(g.d)
	defer g.pool.put(b)
	g.eval(x, 0, dst, *b)
}

// Score sets dst to ∇log p at each of the n = len(x)/d rows of x.
func (g *Gaussian) Score(dst, x []float32) { g.NoiseScore(dst, x, 0) }

// NoiseScore sets dst to the score of N(μ, Σ + σ²I), the target convolved
// with N(0, σ²I), at each row of x: −(Σ + σ²I)⁻¹(x − μ).
func (g *Gaussian) NoiseScore(dst, x []float32, sigma float32) {
	n := checkBatch("Gaussian.NoiseScore", g.d, len(x), len(dst))
	d := g.d
	s2 := float64(sigma) * float64(sigma)
	b := g.pool.get(3 * d)
	defer g.pool.put(b)
	xs, y, gr := (*b)[:d], (*b)[d:2*d], (*b)[2*d:]
	for r := 0; r < n; r++ {
		widen(xs, x[r*d:r*d+d])
		g.eval(xs, s2, gr, y)
		narrow(dst[r*d:r*d+d], gr)
	}
}

// LogDensity sets dst[i] to log p at row i of x (normalised).
func (g *Gaussian) LogDensity(dst, x []float32) {
	n := checkBatch("Gaussian.LogDensity", g.d, len(x), -1)
	if len(dst) != n {
		panicDst("Gaussian.LogDensity", len(dst), n)
	}
	d := g.d
	b := g.pool.get(2 * d)
	defer g.pool.put(b)
	xs, y := (*b)[:d], (*b)[d:]
	for r := 0; r < n; r++ {
		widen(xs, x[r*d:r*d+d])
		dst[r] = float32(g.eval(xs, 0, nil, y))
	}
}

// Sample fills dst with n = len(dst)/d independent draws μ + Q·diag(√λ)·z.
func (g *Gaussian) Sample(dst []float32, rng *rand.Rand) {
	n := checkBatch("Gaussian.Sample", g.d, len(dst), -1)
	d := g.d
	b := g.pool.get(d)
	defer g.pool.put(b)
	z := *b
	for r := 0; r < n; r++ {
		g.draw(dst[r*d:r*d+d], z, rng)
	}
}

func (g *Gaussian) draw(dst []float32, z []float64, rng *rand.Rand) {
	d := g.d
	for k := range z {
		z[k] = rng.NormFloat64() * g.sqrtL[k]
	}
	for i := 0; i < d; i++ {
		s := g.mean[i]
		for k := 0; k < d; k++ {
			s += g.q[i*d+k] * z[k]
		}
		dst[i] = float32(s)
	}
}

func widen(dst []float64, src []float32) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

func narrow(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// checkPoint panics unless every length equals d.
func checkPoint(fn string, d int, lens ...int) {
	for _, l := range lens {
		if l != d {
			panic(fmt.Sprintf("data: %s: length %d, want dimension %d", fn, l, d))
		}
	}
}

// checkBatch returns n = lx/d and panics unless lx is a multiple of d and
// (if ldst ≥ 0) ldst == lx.
func checkBatch(fn string, d, lx, ldst int) int {
	if lx%d != 0 {
		panic(fmt.Sprintf("data: %s: len(x) = %d is not a multiple of the dimension %d", fn, lx, d))
	}
	if ldst >= 0 && ldst != lx {
		panic(fmt.Sprintf("data: %s: len(dst) = %d, len(x) = %d: want equal", fn, ldst, lx))
	}
	return lx / d
}

func panicDst(fn string, got, want int) {
	panic(fmt.Sprintf("data: %s: len(dst) = %d, want one per point = %d", fn, got, want))
}
