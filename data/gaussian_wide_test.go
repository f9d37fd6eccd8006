package data

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/internal/fmath"
)

// gaussianRef is the score −Q·diag(1/(λ + s2))·Qᵀ(x − μ) and the log
// density of g at x, computed from g's own Q and λ in 256-bit floats
// (whose exponents do not overflow), with the bounds of the float64
// rounding error: a float64 dot product of d terms is off by at most
// about d ulps of the sum of its terms' magnitudes, and bound[i] is that
// sum for the score's i-th component through both products (Σₖ |qᵢₖ|·Σⱼ
// |qⱼₖ(xⱼ − μⱼ)|/(λₖ + s2)); qbound is that of the quadratic form.
func gaussianRef(g *Gaussian, x []float64, s2 float64) (score, bound []*big.Float, logp, qbound *big.Float) {
	const prec = 256
	nf := func(v float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(v) }
	abs := func(v *big.Float) *big.Float { return new(big.Float).Abs(v) }
	d := g.d
	y, ya := make([]*big.Float, d), make([]*big.Float, d)
	quad, qb := nf(0), nf(0)
	var logdet float64
	for k := 0; k < d; k++ {
		p, pa := nf(0), nf(0)
		for j := 0; j < d; j++ {
			t := nf(x[j])
			t.Sub(t, nf(g.mean[j]))
			t.Mul(t, nf(g.q[j*d+k]))
			p.Add(p, t)
			pa.Add(pa, abs(t))
		}
		den := nf(g.lambda[k])
		den.Add(den, nf(s2))
		// log(m·2ᵉ) with m = den·2⁻ᵉ in [½, 1): math.Log takes no
		// subnormal (see fmath.Log).
		e := den.MantExp(nil)
		m, _ := new(big.Float).SetMantExp(den, -e).Float64()
		logdet += math.Log(m) + float64(e)*math.Ln2
		y[k] = new(big.Float).Quo(p, den)
		ya[k] = new(big.Float).Quo(pa, den)
		quad.Add(quad, new(big.Float).Mul(p, y[k]))
		qb.Add(qb, new(big.Float).Mul(pa, abs(y[k])))
	}
	score, bound = make([]*big.Float, d), make([]*big.Float, d)
	for i := 0; i < d; i++ {
		score[i], bound[i] = nf(0), nf(0)
		for k := 0; k < d; k++ {
			q := nf(g.q[i*d+k])
			score[i].Sub(score[i], new(big.Float).Mul(q, y[k]))
			bound[i].Add(bound[i], new(big.Float).Mul(abs(q), ya[k]))
		}
	}
	logp = new(big.Float).Mul(quad, nf(-0.5))
	logp.Sub(logp, nf(0.5*(logdet+float64(d)*fmath.Log2Pi)))
	return score, bound, logp, qb
}

// checkRef fails unless got is ref rounded to a float64 within 4·d ulps
// of bound (and an absolute 2⁻¹⁰⁷⁴, for subnormal results, plus abs): the
// same infinity where ref overflows, and never NaN.
func checkRef(t *testing.T, what string, got float64, ref, bound *big.Float, d int, abs float64) {
	t.Helper()
	want, _ := ref.Float64()
	switch {
	case math.IsNaN(got):
		t.Errorf("%s = NaN, want %v", what, want)
	case math.IsInf(want, 0):
		if got != want {
			t.Errorf("%s = %v, want %v (the exact value %.6g overflows)", what, got, want, ref)
		}
	case math.IsInf(got, 0):
		t.Errorf("%s = %v, want %.17g", what, got, want)
	default:
		diff := new(big.Float).SetPrec(256).SetFloat64(got)
		diff.Sub(diff, ref).Abs(diff)
		tol := new(big.Float).SetPrec(256).Mul(bound, big.NewFloat(4*float64(d)*0x1p-53))
		tol.Add(tol, big.NewFloat(0x1p-1074+abs))
		if diff.Cmp(tol) > 0 {
			t.Errorf("%s = %.17g, want %.17g (error %.3g > %.3g)", what, got, want, diff, tol)
		}
	}
}

// TestGaussianWide holds Gaussian's score and log density to gaussianRef
// where float64 intermediates overflow: a variance of 10⁻³²² (subnormal,
// 1/λ overflows) at the mean, where the score is 0 and the log density
// 739.6 but eval made both 0·Inf = NaN, and one ulp from the mean,
// where the score −4.5·10³⁰⁶ is finite but eval's y was Inf; a variance of 6·10⁻³⁰⁹, subnormal
// with a finite inverse, whose log density at the mean was 0.86 too low
// (math.Log's subnormal bug, see fmath.Log); a diagonal covariance of 10⁻³⁰⁰
// and 10⁻²⁹¹ at (10¹⁰, 10⁻³⁰⁰), where the score is (−Inf, −10⁻⁹) and
// was (−Inf, NaN); x − μ = 2·10³⁰⁸, which overflows (score (−Inf, −5),
// was NaN); a log density of −1.125·10³⁰⁸ whose quadratic form
// 2.25·10³⁰⁸ overflows (was −Inf); and a rotated covariance where
// Σ⁻¹(x − μ) ≈ (10³⁰⁹, 10³⁰⁰) has a finite second component that
// addGrad made Inf − Inf. Random well-scaled points check the reference
// and the fast path, and wide alone against it.
func TestGaussianWide(t *testing.T) {
	rot := func(l0, l1, th float64) []float64 {
		c, s := math.Cos(th), math.Sin(th)
		return []float64{c*c*l0 + s*s*l1, c * s * (l0 - l1), c * s * (l0 - l1), s*s*l0 + c*c*l1}
	}
	mustG := func(mean, cov []float64) *Gaussian {
		g, err := NewGaussian(mean, cov)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	type tc struct {
		name string
		g    *Gaussian
		x    []float64
	}
	cases := []tc{
		{"variance 1e-322 at the mean", NewIsotropicGaussian([]float64{0, 0}, 1e-161), []float64{0, 0}},
		{"variance 1e-322 one ulp from the mean", NewIsotropicGaussian([]float64{3, -1}, 1e-161), []float64{math.Nextafter(3, 4), -1}},
		{"variance 6e-309 (subnormal) at the mean", NewIsotropicGaussian([]float64{0, 0}, math.Sqrt(6e-309)), []float64{0, 0}},
		{"variances 1e-300, 1e-291 far out", mustG([]float64{0, 0}, []float64{1e-300, 0, 0, 1e-291}), []float64{1e10, 1e-300}},
		{"x − μ overflows", NewIsotropicGaussian([]float64{-1e308, 0}, 1), []float64{1e308, 5}},
		{"quadratic form overflows", NewIsotropicGaussian([]float64{0}, 1), []float64{1.5e154}},
	}
	// Rotated: x − μ = Σ·(10³⁰⁹, 10³⁰⁰), computed as 10¹⁰·Σ·(10²⁹⁹, 10²⁹⁰).
	cov := rot(1e-300, 2e-300, math.Pi/6)
	cases = append(cases, tc{"rotated, Σ⁻¹(x − μ) ≈ (1e309, 1e300)", mustG([]float64{0, 0}, cov),
		[]float64{1e10 * (cov[0]*1e299 + cov[1]*1e290), 1e10 * (cov[2]*1e299 + cov[3]*1e290)}})
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range 4 {
		g := mustG([]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}, randSPD(rng, 3))
		cases = append(cases, tc{fmt.Sprintf("random %d", i), g, []float64{3 * rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}})
	}
	for _, c := range cases {
		d := c.g.d
		ref, bound, logp, qb := gaussianRef(c.g, c.x, 0)
		got := make([]float64, d)
		c.g.Score64(got, c.x)
		for i := range got {
			checkRef(t, fmt.Sprintf("%s: Score64[%d]", c.name, i), got[i], ref[i], bound[i], d, 0)
		}
		qb.Mul(qb, big.NewFloat(0.5))
		lpAbs := 1e-14 * (math.Abs(0.5*c.g.prep(0, make([]float64, d))) + float64(d)) // log det's rounding
		checkRef(t, c.name+": LogDensity64", c.g.LogDensity64(c.x), logp, qb, d, lpAbs)
		// wide alone, whether or not point needed it.
		c.g.wide(c.x, 0, got)
		for i := range got {
			checkRef(t, fmt.Sprintf("%s: wide score[%d]", c.name, i), got[i], ref[i], bound[i], d, 0)
		}
		checkRef(t, c.name+": wide log density", c.g.wide(c.x, 0, nil), logp, qb, d, lpAbs)
		t.Logf("%s: score %v, log density %v", c.name, got, c.g.LogDensity64(c.x))
	}
}

// TestGaussianWideFloat32: the batched float32 methods go through the
// same path: at the mean of N(0, 10⁻³²²I) the score is 0 and the log
// density 739.6 (both were NaN), and with variances 10⁻³⁰⁰ and 10⁻²⁹¹ at
// (10¹⁰, 0) the score is (−Inf, 0) (was (−Inf, NaN)), with or without a
// σ too small to change it.
func TestGaussianWideFloat32(t *testing.T) {
	tiny := NewIsotropicGaussian([]float64{0, 0}, 1e-161)
	s, lp := make([]float32, 2), make([]float32, 1)
	tiny.Score(s, []float32{0, 0})
	tiny.LogDensity(lp, []float32{0, 0})
	m, e := math.Frexp(tiny.lambda[0])
	if want := float32(-(math.Log(m) + float64(e)*math.Ln2 + fmath.Log2Pi)); s[0] != 0 || s[1] != 0 || math.Abs(float64(lp[0]-want)) > 1e-4 {
		t.Errorf("N(0, 1e-322·I) at 0: score %v, log density %v, want 0 and %v", s, lp[0], want)
	}
	g, err := NewGaussian([]float64{0, 0}, []float64{1e-300, 0, 0, 1e-291})
	if err != nil {
		t.Fatal(err)
	}
	for _, sigma := range []float32{0, 1e-45} {
		g.NoiseScore(s, []float32{1e10, 0}, sigma)
		if !math.IsInf(float64(s[0]), -1) || s[1] != 0 {
			t.Errorf("σ = %v: score %v, want [-Inf 0]", sigma, s)
		}
	}
}
