package data

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/scorekit/scorekit/internal/english"
	"github.com/scorekit/scorekit/internal/fmath"
)

// Gaussian is the normal distribution N(μ, Σ) on ℝᵈ with a full covariance.
// It keeps Σ's eigendecomposition Σ = Q·diag(λ)·Qᵀ, so the score and log
// density of N(μ, Σ + σ²I) for any σ ≥ 0 cost two d×d products per point.
//
// At a finite point (and finite σ) its scores and log densities are never
// NaN: each is finite where the exact value for its Q and λ is, to about
// d ulps of the terms it sums, and ±Inf with the exact value's sign where
// that overflows, even where an intermediate such as x − μ, 1/λ or
// (Σ + σ²I)⁻¹(x − μ) does not fit in a float64 (a point far out, or
// variances near the smallest float64): such points are computed again
// with exponents that cannot overflow.
//
// Its methods panic, naming themselves, on a nil *Gaussian, as
// [NewGaussian] returns with an error.
type Gaussian struct {
	d      int
	mean   []float64
	q      []float64 // Q, d×d row-major; column k is the k-th eigenvector
	lambda []float64 // eigenvalues of Σ, all > 0
	sqrtL  []float64
	pool   scratchPool
}

// NewGaussian returns N(mean, cov) where cov is the d×d covariance in
// row-major order (d = len(mean) ≥ 1). It returns an error unless the mean
// and cov are finite, cov is symmetric (to a relative 1e-12, so a product
// such as [Gaussian.Cov] that rounds its two triangles differently is
// accepted) and positive definite to working precision: its smallest
// eigenvalue must exceed d·2⁻⁵² times its largest. Below that the
// eigendecomposition cannot tell the eigenvalue from zero (a singular
// covariance such as AAᵀ for a d×(d−1) matrix A often comes out with a
// smallest eigenvalue of 1e-18 rather than 0), and the score along its
// eigenvector would be noise of size 1/λ.
func NewGaussian(mean, cov []float64) (*Gaussian, error) {
	d := len(mean)
	if d == 0 {
		return nil, errors.New("data: NewGaussian: empty mean")
	}
	if len(cov) != d*d {
		return nil, fmt.Errorf("data: NewGaussian: covariance has %s, want %d×%d = %d", english.Count(len(cov), "entry"), d, d, d*d)
	}
	for i, v := range mean {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("data: NewGaussian: mean[%d] = %v, want finite", i, v)
		}
	}
	for i, v := range cov {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("data: NewGaussian: cov[%d] (row %d, column %d) = %v, want finite", i, i/d, i%d, v)
		}
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
	lambda := es.Values(nil) // ascending
	for k, l := range lambda {
		if !(l > 0) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("data: NewGaussian: covariance not positive definite (eigenvalue %d is %v)", k, l)
		}
	}
	if lo, hi := lambda[0], lambda[d-1]; lo <= float64(d)*0x1p-52*hi {
		return nil, fmt.Errorf("data: NewGaussian: covariance singular to working precision (eigenvalues %v to %v, ratio %.3g ≤ d·2⁻⁵² = %.3g)", lo, hi, lo/hi, float64(d)*0x1p-52)
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

// NewIsotropicGaussian returns N(mean, std²I). It panics unless the mean
// is finite and not empty and std is finite and > 0 with std² neither
// underflowing to 0 nor overflowing.
func NewIsotropicGaussian(mean []float64, std float64) *Gaussian {
	if v := std * std; !(std > 0) || !(v > 0) || math.IsInf(v, 1) {
		panic(fmt.Sprintf("data: NewIsotropicGaussian: std = %v, want finite and > 0 (with std² = %v also)", std, v))
	}
	d := len(mean)
	cov := make([]float64, d*d)
	for i := 0; i < d; i++ {
		cov[i*d+i] = std * std
	}
	g, err := NewGaussian(mean, cov)
	if err != nil {
		panic(fmt.Sprintf("data: NewIsotropicGaussian: %v", err))
	}
	return g
}

// dim returns d, and panics naming the method fn if g is nil, as
// NewGaussian returns it with an error (a zero Gaussian has d = 0, which
// the methods that compute refuse through checkDim).
func (g *Gaussian) dim(fn string) int {
	if g == nil {
		panic(fmt.Sprintf("data: %s: nil *Gaussian: build it with NewGaussian (did it return an error?)", fn))
	}
	return g.d
}

// Dim returns d.
func (g *Gaussian) Dim() int { return g.dim("Gaussian.Dim") }

// Mean returns a copy of μ.
func (g *Gaussian) Mean() []float64 {
	g.dim("Gaussian.Mean")
	return append([]float64(nil), g.mean...)
}

// Cov returns a copy of Σ, d×d row-major.
func (g *Gaussian) Cov() []float64 {
	d := g.dim("Gaussian.Cov")
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

// prep sets inv[k] = 1/(λₖ + s2) and returns log det(Σ + s2·I): the
// per-noise-level constants, computed once per batch.
func (g *Gaussian) prep(s2 float64, inv []float64) (logdet float64) {
	for k, l := range g.lambda {
		inv[k] = 1 / (l + s2)
		logdet += fmath.Log(l + s2) // l + s2 may be subnormal
	}
	return logdet
}

// eval returns log N(x; μ, Σ + s2·I) given prep's inv and logdet, and sets
// y = (Σ + s2·I)⁻¹(x − μ) in the eigenbasis: yₖ = inv[k]·(Qᵀ(x − μ))ₖ.
func (g *Gaussian) eval(x, inv []float64, logdet float64, y []float64) float64 {
	d := g.d
	for k := range y[:d] {
		y[k] = 0
	}
	for i := 0; i < d; i++ {
		dx := x[i] - g.mean[i]
		row := g.q[i*d : i*d+d]
		for k, v := range row {
			y[k] += v * dx
		}
	}
	var quad float64
	for k, p := range y[:d] {
		y[k] = p * inv[k]
		quad += p * y[k]
	}
	return -0.5 * (quad + logdet + float64(d)*fmath.Log2Pi)
}

// addGrad adds scale times the gradient −Q·y of the log density to dst.
func (g *Gaussian) addGrad(dst, y []float64, scale float64) {
	d := g.d
	for i := 0; i < d; i++ {
		var s float64
		row := g.q[i*d : i*d+d]
		for k, v := range row {
			s += v * y[k]
		}
		dst[i] -= scale * s
	}
}

// point returns log N(x; μ, Σ + s2·I) given prep's inv and logdet, or, if
// grad is not nil, sets grad to its gradient (and returns 0), through eval
// and addGrad, or through wide where they overflowed for finite x and s2.
// y is eval's.
func (g *Gaussian) point(x, inv []float64, logdet, s2 float64, y, grad []float64) float64 {
	lp := g.eval(x, inv, logdet, y)
	ok := finite(lp)
	if grad != nil {
		lp = 0
		clear(grad)
		g.addGrad(grad, y, 1)
		ok = finite64s(grad)
	}
	if ok || !finite(s2) {
		return lp
	}
	for _, v := range x {
		if !finite(v) {
			return lp
		}
	}
	return g.wide(x, s2, grad)
}

func finite(v float64) bool { return v-v == 0 }

// finite64s reports whether every element of v is finite, with one
// branch: v − v is 0 for a finite v and NaN otherwise, and NaN sticks.
func finite64s(v []float64) bool {
	var s float64
	for _, e := range v {
		s += e - e
	}
	return s == 0
}

// wide is point without overflow: it returns log N(x; μ, Σ + s2·I), or
// sets grad to its gradient −Q·diag(1/(λ + s2))·Qᵀ(x − μ) if grad is not
// nil, for finite x and s2, computing every intermediate as a float64
// mantissa with an exponent of its own (xfloat), so that nothing overflows
// or underflows before the result is rounded to a float64: ±Inf if its
// magnitude is too large, 0 or a subnormal if too small. Each sum is
// accurate to about d ulps of its largest term, as eval's is where that
// does not overflow. Allocates nothing.
func (g *Gaussian) wide(x []float64, s2 float64, grad []float64) float64 {
	d := g.d
	b := g.pool.get(2 * d)
	defer g.pool.put(b)
	yf, ye := (*b)[:d], (*b)[d:2*d]
	quad, logdet := g.wideSolve(x, s2, yf, ye)
	if grad != nil {
		for i := 0; i < d; i++ {
			var s xsum
			g.wideRow(&s, i, xfloat{0.5, 1}, yf, ye)
			grad[i] = 0 - s.value().float64() // +0, not −0, as addGrad gives
		}
		return 0
	}
	// −½·quad − ½(log det + d·log 2π)
	var lp xsum
	lp.add(xfloat{-quad.f, quad.e - 1})
	lp.add(xfloatOf(-0.5 * (logdet + float64(d)*fmath.Log2Pi)))
	return lp.value().float64()
}

// wideSolve is eval in xfloats, for finite x and s2: it sets y =
// diag(1/(λ + s2))·Qᵀ(x − μ) as mantissas yf and exponents ye, and returns
// the quadratic form (x − μ)ᵀ(Σ + s2·I)⁻¹(x − μ) and log det(Σ + s2·I).
func (g *Gaussian) wideSolve(x []float64, s2 float64, yf, ye []float64) (quad xfloat, logdet float64) {
	d := g.d
	var q xsum
	for k := 0; k < d; k++ {
		var p xsum // (Qᵀ(x − μ))ₖ
		for i := 0; i < d; i++ {
			p.add(xfloatOf(g.q[i*d+k]).mul(xdiff(x[i], g.mean[i])))
		}
		pk := p.value()
		den := xdiff(g.lambda[k], -s2) // λₖ + s2
		logdet += math.Log(den.f) + float64(den.e)*math.Ln2
		yk := pk.div(den)
		q.add(pk.mul(yk))
		yf[k], ye[k] = yk.f, float64(yk.e)
	}
	return q.value(), logdet
}

// wideRow adds r·(Q·y)ᵢ to s, with y as wideSolve sets it: the i-th
// component of the gradient, negated, weighted by r.
func (g *Gaussian) wideRow(s *xsum, i int, r xfloat, yf, ye []float64) {
	d := g.d
	for k := 0; k < d; k++ {
		s.add(xfloatOf(g.q[i*d+k]).mul(r).mul(xfloat{yf[k], int(ye[k])}))
	}
}

// xfloat is f·2ᵉ with f = 0 or ½ ≤ |f| < 1: a float64 with an exponent
// that does not overflow.
type xfloat struct {
	f float64
	e int
}

// less reports whether a < b for a, b ≥ 0.
func (a xfloat) less(b xfloat) bool {
	switch {
	case a.f == 0 || b.f == 0:
		return a.f < b.f
	case a.e != b.e:
		return a.e < b.e
	}
	return a.f < b.f
}

// xfloatOf returns v·2⁰ normalised; v must be finite.
func xfloatOf(v float64) xfloat {
	f, e := math.Frexp(v)
	return xfloat{f, e}
}

// xdiff returns a − b for finite a and b, correctly rounded even where
// the difference overflows a float64.
func xdiff(a, b float64) xfloat {
	if v := a - b; finite(v) {
		return xfloatOf(v)
	}
	// |a − b| > MaxFloat64 > 2¹⁰²³: halving loses at most a bit below
	// 2⁻¹⁰⁷⁴, far below the difference's last bit.
	v := xfloatOf(a/2 - b/2)
	v.e++
	return v
}

func (a xfloat) mul(b xfloat) xfloat {
	v := xfloatOf(a.f * b.f)
	if v.f != 0 {
		v.e += a.e + b.e
	}
	return v
}

func (a xfloat) div(b xfloat) xfloat {
	v := xfloatOf(a.f / b.f)
	if v.f != 0 {
		v.e += a.e - b.e
	}
	return v
}

// float64 returns a rounded to a float64: ±Inf if it overflows.
func (a xfloat) float64() float64 { return math.Ldexp(a.f, a.e) }

// xsum sums xfloats scaled by 2⁻ᵉ for the largest exponent e so far
// (terms 2¹⁰⁷⁴ times smaller than the largest vanish, as they would
// next to it in a float64 sum).
type xsum struct {
	s   float64
	e   int
	any bool
}

func (a *xsum) add(t xfloat) {
	switch {
	case t.f == 0:
	case !a.any:
		a.s, a.e, a.any = t.f, t.e, true
	case t.e > a.e:
		a.s = math.Ldexp(a.s, a.e-t.e) + t.f
		a.e = t.e
	default:
		a.s += math.Ldexp(t.f, t.e-a.e)
	}
}

func (a *xsum) value() xfloat {
	v := xfloatOf(a.s)
	if v.f != 0 {
		v.e += a.e
	}
	return v
}

// LogDensity64 returns log p(x), normalised.
func (g *Gaussian) LogDensity64(x []float64) float64 {
	checkPoint("Gaussian.LogDensity64", g.dim("Gaussian.LogDensity64"), len(x))
	b := g.pool.get(2 * g.d)
	defer g.pool.put(b)
	inv, y := (*b)[:g.d], (*b)[g.d:]
	return g.point(x, inv, g.prep(0, inv), 0, y, nil)
}

// Score64 sets dst to ∇log p(x) = −Σ⁻¹(x − μ).
func (g *Gaussian) Score64(dst, x []float64) {
	checkPoint("Gaussian.Score64", g.dim("Gaussian.Score64"), len(x), len(dst))
	b := g.pool.get(2 * g.d)
	defer g.pool.put(b)
	inv, y := (*b)[:g.d], (*b)[g.d:]
	g.point(x, inv, g.prep(0, inv), 0, y, dst)
}

// Score sets dst to ∇log p at each of the n = len(x)/d rows of x.
func (g *Gaussian) Score(dst, x []float32) { g.noiseScore("Gaussian.Score", dst, x, 0) }

// NoiseScore sets dst to the score of N(μ, Σ + σ²I), the target convolved
// with N(0, σ²I), at each row of x: −(Σ + σ²I)⁻¹(x − μ). σ enters only as
// σ², so −σ gives what σ gives (N(0, σ²I) is the same distribution); a NaN
// σ gives NaN scores and an infinite σ scores of 0, the limit. Mixture's
// NoiseScore treats σ alike.
func (g *Gaussian) NoiseScore(dst, x []float32, sigma float32) {
	g.noiseScore("Gaussian.NoiseScore", dst, x, sigma)
}

// noiseScore is NoiseScore for the method fn, which its panics name.
func (g *Gaussian) noiseScore(fn string, dst, x []float32, sigma float32) {
	n := checkBatch(fn, g.dim(fn), len(x), len(dst))
	d := g.d
	var stack [64]float64 // small d: no pool round trip
	buf := stack[:]
	if 4*d > len(stack) {
		b := g.pool.get(4 * d)
		defer g.pool.put(b)
		buf = *b
	}
	inv, xs, y, gr := buf[:d], buf[d:2*d], buf[2*d:3*d], buf[3*d:4*d]
	s2 := float64(sigma) * float64(sigma)
	logdet := g.prep(s2, inv)
	for r := 0; r < n; r++ {
		widen(xs, x[r*d:r*d+d])
		// point's fast path, inline: a call less per point.
		g.eval(xs, inv, logdet, y)
		clear(gr)
		g.addGrad(gr, y, 1)
		if !finite64s(gr) {
			g.point(xs, inv, logdet, s2, y, gr)
		}
		narrow(dst[r*d:r*d+d], gr)
	}
}

// LogDensity sets dst[i] to log p at row i of x (normalised).
func (g *Gaussian) LogDensity(dst, x []float32) {
	n := checkBatch("Gaussian.LogDensity", g.dim("Gaussian.LogDensity"), len(x), -1)
	if len(dst) != n {
		panicDst("Gaussian.LogDensity", len(dst), n)
	}
	d := g.d
	var stack [48]float64
	buf := stack[:]
	if 3*d > len(stack) {
		b := g.pool.get(3 * d)
		defer g.pool.put(b)
		buf = *b
	}
	inv, xs, y := buf[:d], buf[d:2*d], buf[2*d:3*d]
	logdet := g.prep(0, inv)
	for r := 0; r < n; r++ {
		widen(xs, x[r*d:r*d+d])
		lp := g.eval(xs, inv, logdet, y) // point's fast path, inline
		if !finite(lp) {
			lp = g.point(xs, inv, logdet, 0, y, nil)
		}
		dst[r] = float32(lp)
	}
}

// Sample fills dst with n = len(dst)/d independent draws μ + Q·diag(√λ)·z.
func (g *Gaussian) Sample(dst []float32, rng *rand.Rand) {
	n := checkBatch("Gaussian.Sample", g.dim("Gaussian.Sample"), len(dst), -1)
	checkRNG("Gaussian.Sample", "the rows", rng)
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

// checkDim panics unless d ≥ 1: a target built as a struct literal or
// zero value rather than by its constructor may have none.
func checkDim(fn string, d int) {
	if d < 1 {
		panic(fmt.Sprintf("data: %s: dimension %d, want ≥ 1 (was it built by its constructor?)", fn, d))
	}
}

// checkPoint panics unless d ≥ 1 and every length equals d.
func checkPoint(fn string, d int, lens ...int) {
	checkDim(fn, d)
	for _, l := range lens {
		if l != d {
			panic(fmt.Sprintf("data: %s: length %d, want dimension %d", fn, l, d))
		}
	}
}

// checkBatch returns n = lx/d and panics unless d ≥ 1, lx is a multiple
// of d and (if ldst ≥ 0) ldst == lx.
func checkBatch(fn string, d, lx, ldst int) int {
	checkDim(fn, d)
	if lx%d != 0 {
		panic(fmt.Sprintf("data: %s: len(x) = %d is not a multiple of the dimension %d", fn, lx, d))
	}
	if ldst >= 0 && ldst != lx {
		panic(fmt.Sprintf("data: %s: len(dst) = %d, len(x) = %d: want equal", fn, ldst, lx))
	}
	return lx / d
}

// checkRNG panics, naming the function fn and what it draws, if rng is
// nil: the package has no default source, so that the caller's seed
// makes every draw reproducible.
func checkRNG(fn, what string, rng *rand.Rand) {
	if rng == nil {
		panic(fmt.Sprintf("data: %s: nil rng: want a *rand.Rand to draw %s from (rand.New(rand.NewPCG(seed, 0)), say)", fn, what))
	}
}

func panicDst(fn string, got, want int) {
	panic(fmt.Sprintf("data: %s: len(dst) = %d, want one per point = %d", fn, got, want))
}
