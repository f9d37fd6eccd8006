package data

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// logRef is log v for v > 0 from a normal argument (log m + e·ln 2, v =
// m·2ᵉ, m in [½, 1)), right on every architecture (see fmath.Log).
func logRef(v float64) float64 {
	m, e := math.Frexp(v)
	return math.Log(m) + float64(e)*math.Ln2
}

// mixtureRef is the score and log density of the mixture of comps with
// the given (unnormalised) weights at x under noise variance s2, from
// gaussianRef's 256-bit components: the log terms lₖ = log wₖ + log Nₖ
// in big floats, the responsibilities rₖ = exp(lₖ − max l)/Σ from their
// float64 differences, log p = max l + log Σ and the score Σₖ rₖ·sₖ. The
// bounds are the responsibility-weighted component bounds; abs[i] adds
// the effect of the log terms' float64 rounding on the responsibilities
// (about 4d ulps of each term's quadratic form and log det).
func mixtureRef(weights []float64, comps []*Gaussian, x []float64, s2 float64) (score, bound []*big.Float, abs []float64, logp, lbound *big.Float, labs float64) {
	d, K := comps[0].d, len(comps)
	nf := func(v float64) *big.Float { return new(big.Float).SetPrec(256).SetFloat64(v) }
	var sum float64
	top := 0.0
	for _, w := range weights {
		top = max(top, w)
	}
	for _, w := range weights {
		sum += w / top
	}
	logSum := logRef(top) + math.Log(sum)
	l := make([]*big.Float, K)
	sc, bd := make([][]*big.Float, K), make([][]*big.Float, K)
	qbs, dl := make([]*big.Float, K), make([]float64, K)
	var lmax *big.Float
	for k, c := range comps {
		var lp *big.Float
		sc[k], bd[k], lp, qbs[k] = gaussianRef(c, x, s2)
		l[k] = lp.Add(lp, nf(logRef(weights[k])-logSum))
		if lmax == nil || l[k].Cmp(lmax) > 0 {
			lmax = l[k]
		}
		q, _ := qbs[k].Float64()
		ld := math.Abs(0.5 * c.prep(s2, make([]float64, d)))
		dl[k] = 4 * float64(d) * 0x1p-53 * (q + ld + math.Abs(logRef(weights[k])) + float64(d))
	}
	r := make([]float64, K)
	var z float64
	for k := range comps {
		diff, _ := new(big.Float).Sub(l[k], lmax).Float64()
		r[k] = math.Exp(diff)
		z += r[k]
	}
	score, bound, abs = make([]*big.Float, d), make([]*big.Float, d), make([]float64, d)
	lbound = nf(0)
	for i := range d {
		score[i], bound[i] = nf(0), nf(0)
	}
	for k := range comps {
		r[k] /= z
		if r[k] == 0 {
			continue
		}
		for i := range d {
			score[i].Add(score[i], new(big.Float).Mul(sc[k][i], nf(r[k])))
			bound[i].Add(bound[i], new(big.Float).Mul(bd[k][i], nf(r[k])))
			si, _ := sc[k][i].Float64()
			abs[i] += r[k] * math.Abs(si) * 4 * dl[k]
		}
		lbound.Add(lbound, new(big.Float).Mul(qbs[k], nf(0.5*r[k])))
		labs += r[k] * dl[k]
	}
	logp = new(big.Float).SetPrec(256).Add(lmax, nf(math.Log(z)))
	return score, bound, abs, logp, lbound, labs + 1e-14*math.Abs(logSum)
}

// TestMixtureWide holds Mixture's score and log density to mixtureRef at
// points where the components' float64 intermediates overflow, as
// TestGaussianWide does Gaussian's: at the mean of a component with
// variance 10⁻³²² (1/λ overflows; score and log density were NaN, also
// with σ² = 10⁻³²⁰ and through the float32 methods) and one ulp from it
// (where the other component takes all the weight; was NaN); near a
// component with variances 10⁻³⁰⁰ and 10⁻²⁹¹ far out; with x − μ
// overflowing for one component (was NaN); where every quadratic form
// overflows (log density −1.625·10³⁰⁸, was −Inf); two components tied far
// out; a rotated
// covariance where Σ⁻¹(x − μ) overflows in one component only; a weight
// of 10⁻³²⁰ (whose log amd64's math.Log made 27 nats too large) and two
// weights of 10³⁰⁸ (whose sum overflowed, making every log weight −Inf and
// every score NaN); and random well-scaled mixtures. Each also goes
// through wide alone.
func TestMixtureWide(t *testing.T) {
	mustG := func(mean, cov []float64) *Gaussian {
		g, err := NewGaussian(mean, cov)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	iso := NewIsotropicGaussian
	type tc struct {
		name    string
		w       []float64
		comps   []*Gaussian
		x       []float64
		s2      float64
		nonzero bool // the score must not be 0
	}
	tiny := iso([]float64{3, -1}, 1e-161)
	cov := []float64{1e-300, 0, 0, 1e-291}
	c := math.Cos(math.Pi / 6)
	s := math.Sin(math.Pi / 6)
	rot := []float64{c*c*1e-300 + s*s*2e-300, c * s * (1e-300 - 2e-300), c * s * (1e-300 - 2e-300), s*s*1e-300 + c*c*2e-300}
	cases := []tc{
		{"variance 1e-322 at its mean", []float64{0.5, 0.5}, []*Gaussian{tiny, iso([]float64{0, 0}, 1)}, []float64{3, -1}, 0, false},
		{"variance 1e-322 one ulp from its mean", []float64{0.5, 0.5}, []*Gaussian{tiny, iso([]float64{0, 0}, 1)}, []float64{math.Nextafter(3, 4), -1}, 0, true},
		{"variances 1e-300, 1e-291 far out", []float64{1, 2}, []*Gaussian{mustG([]float64{0, 0}, cov), iso([]float64{1e10, 0}, 1e5)}, []float64{1e10, 1e-300}, 0, true},
		{"x − μ overflows for one", []float64{1, 1}, []*Gaussian{iso([]float64{-1e308, 0}, 1), iso([]float64{1e308, 0}, 1)}, []float64{1e308, 5}, 0, true},
		{"every quadratic form overflows", []float64{0.8, 0.2}, []*Gaussian{iso([]float64{5, 5}, 1), iso([]float64{-5, -5}, 1)}, []float64{1.5e154, 1e154}, 0, true},
		{"tie far out", []float64{0.8, 0.2}, []*Gaussian{iso([]float64{0, 1}, 1), iso([]float64{0, -1}, 1)}, []float64{1e200, 0}, 0, true},
		{"rotated, Σ⁻¹(x − μ) ≈ (1e309, 1e300)", []float64{1, 1}, []*Gaussian{mustG([]float64{0, 0}, rot), iso([]float64{1e-280, 0}, 1e-150)},
			[]float64{1e10 * (rot[0]*1e299 + rot[1]*1e290), 1e10 * (rot[2]*1e299 + rot[3]*1e290)}, 0, true},
		{"weight 1e-320 at its component", []float64{1e-320, 1}, []*Gaussian{iso([]float64{0, 0}, 1), iso([]float64{100, 0}, 1)}, []float64{0.5, 0}, 0, true},
		{"weights 1e308 overflow their sum", []float64{1e308, 1e308}, []*Gaussian{iso([]float64{0, 0}, 1), iso([]float64{2, 0}, 1)}, []float64{0.5, 1}, 0, true},
		{"variance 1e-322 at its mean, σ² = 1e-320", []float64{0.5, 0.5}, []*Gaussian{tiny, iso([]float64{0, 0}, 1)}, []float64{3, -1}, 1e-320, false},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 4 {
		var comps []*Gaussian
		var w []float64
		for range 3 {
			comps = append(comps, mustG([]float64{2 * rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}, randSPD(rng, 3)))
			w = append(w, rng.Float64()+0.1)
		}
		cases = append(cases, tc{fmt.Sprintf("random %d", i), w, comps, []float64{3 * rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}, float64(i) * 0.3, true})
	}
	for _, c := range cases {
		m, err := NewMixture(c.w, c.comps)
		if err != nil {
			t.Fatal(err)
		}
		d := m.d
		ref, bound, abs, logp, lb, labs := mixtureRef(c.w, c.comps, c.x, c.s2)
		got := make([]float64, d)
		m.NoiseScore64(got, c.x, math.Sqrt(c.s2))
		nz := false
		for i := range got {
			checkRef(t, fmt.Sprintf("%s: NoiseScore64[%d]", c.name, i), got[i], ref[i], bound[i], d, abs[i])
			nz = nz || got[i] != 0
		}
		if c.nonzero && !nz {
			t.Errorf("%s: score %v, want not 0", c.name, got)
		}
		sp := m.split(make([]float64, m.scratchLen()), c.s2)
		checkRef(t, c.name+": log density", m.eval(c.x, sp, nil), logp, lb, d, labs)
		if c.s2 == 0 {
			checkRef(t, c.name+": LogDensity64", m.LogDensity64(c.x), logp, lb, d, labs)
		}
		m.wide(c.x, c.s2, got)
		for i := range got {
			checkRef(t, fmt.Sprintf("%s: wide score[%d]", c.name, i), got[i], ref[i], bound[i], d, abs[i])
		}
		checkRef(t, c.name+": wide log density", m.wide(c.x, c.s2, nil), logp, lb, d, labs)
		t.Logf("%s: score %v, log density %v", c.name, got, m.LogDensity64(c.x))
	}
	m, err := NewMixture([]float64{0.5, 0.5}, []*Gaussian{tiny, iso([]float64{0, 0}, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s32, lp32 := make([]float32, 2), make([]float32, 1)
	m.Score(s32, []float32{3, -1})
	m.LogDensity(lp32, []float32{3, -1})
	if s32[0] != 0 || s32[1] != 0 || !(math.Abs(float64(lp32[0])-738.9133) < 1e-3) {
		t.Errorf("float32 at the mean of N((3, −1), 1e-322·I): score %v, log density %v, want 0 and 738.9133", s32, lp32[0])
	}
}
