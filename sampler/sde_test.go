package sampler

import (
	"math"
	"slices"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// sdeGauss is the exact time-conditional score of Gaussian data
// N(μ, Σ), Σ = Q·diag(λ)·Qᵀ, under a score SDE: the perturbed marginal at
// t is N(m·μ, m²Σ + σ²I) with (m, σ) = sde.Marginal(t), so its score is
// −(m²Σ + σ²I)⁻¹(x − mμ), with no training. Q nil means the identity.
type sdeGauss struct {
	sde SDE
	mu  []float64
	lam []float64
	q   [][]float64 // q[i][j]: i-th coordinate of the j-th eigenvector
}

func newSDEGaussIso(sde SDE, mu []float64, s float64) *sdeGauss {
	lam := make([]float64, len(mu))
	for i := range lam {
		lam[i] = s * s
	}
	return &sdeGauss{sde: sde, mu: mu, lam: lam}
}

// newSDEGauss2 is a 2-d Gaussian with eigenvalues lam rotated by angle.
func newSDEGauss2(sde SDE, mu []float64, lam [2]float64, angle float64) *sdeGauss {
	c, s := math.Cos(angle), math.Sin(angle)
	return &sdeGauss{sde: sde, mu: mu, lam: lam[:], q: [][]float64{{c, -s}, {s, c}}}
}

func (g *sdeGauss) Dim() int { return len(g.mu) }

// cov returns the data covariance Σ[i][j].
func (g *sdeGauss) cov(i, j int) float64 {
	if g.q == nil {
		if i == j {
			return g.lam[i]
		}
		return 0
	}
	var s float64
	for k, l := range g.lam {
		s += g.q[i][k] * l * g.q[j][k]
	}
	return s
}

// whiten sets u = Qᵀ(x − mμ) for one point, given the mean scale m.
func (g *sdeGauss) whiten(u []float64, x []float32, m float64) {
	d := len(g.mu)
	if g.q == nil {
		for k := range d {
			u[k] = float64(x[k]) - m*g.mu[k]
		}
		return
	}
	for k := range d {
		var s float64
		for i := range d {
			s += g.q[i][k] * (float64(x[i]) - m*g.mu[i])
		}
		u[k] = s
	}
}

// variances sets v to the per-direction variances m²λ_k + σ² at t and
// returns m.
func (g *sdeGauss) variances(v []float64, t float64) float64 {
	m, sd := g.sde.Marginal(t)
	for k, l := range g.lam {
		v[k] = m*m*l + sd*sd
	}
	return m
}

func (g *sdeGauss) TimeScore(dst, x []float32, t float32) {
	d := len(g.mu)
	if g.q == nil {
		// Isotropic or diagonal: no scratch, so any d allocates nothing.
		m, sd := g.sde.Marginal(float64(t))
		for p := 0; p < len(x); p += d {
			for k := range d {
				v := m*m*g.lam[k] + sd*sd
				dst[p+k] = float32(-(float64(x[p+k]) - m*g.mu[k]) / v)
			}
		}
		return
	}
	var ub, vb [16]float64
	u, v := ub[:], vb[:]
	if d > len(ub) {
		u, v = make([]float64, d), make([]float64, d)
	}
	u, v = u[:d], v[:d]
	m := g.variances(v, float64(t))
	for p := 0; p < len(x); p += d {
		g.whiten(u, x[p:p+d], m)
		for k := range d {
			u[k] /= v[k]
		}
		for i := range d {
			var s float64
			for k := range d {
				s += g.q[i][k] * u[k]
			}
			dst[p+i] = float32(-s)
		}
	}
}

// exactDiv returns ∇·s = −Σ 1/(m²λ_k + σ²) at t.
func (g *sdeGauss) exactDiv(t float64) float64 {
	m, sd := g.sde.Marginal(t)
	var s float64
	for _, l := range g.lam {
		s -= 1 / (m*m*l + sd*sd)
	}
	return s
}

// logDensity is log p_t(x) of one point.
func (g *sdeGauss) logDensity(x []float32, t float64) float64 {
	d := len(g.mu)
	u, v := make([]float64, d), make([]float64, d)
	g.whiten(u, x, g.variances(v, t))
	var lp float64
	for k := range d {
		lp -= 0.5 * (math.Log(2*math.Pi*v[k]) + u[k]*u[k]/v[k])
	}
	return lp
}

// jacobian returns ∂s/∂x at t as a d×d matrix.
func (g *sdeGauss) jacobian(t float64) [][]float64 {
	m, sd := g.sde.Marginal(t)
	d := len(g.mu)
	J := make([][]float64, d)
	for i := range J {
		J[i] = make([]float64, d)
		for j := range d {
			if g.q == nil {
				if i == j {
					J[i][j] = -1 / (m*m*g.lam[i] + sd*sd)
				}
				continue
			}
			for k := range d {
				J[i][j] -= g.q[i][k] * g.q[j][k] / (m*m*g.lam[k] + sd*sd)
			}
		}
	}
	return J
}

// sdeGaussDiv adds the exact divergence.
type sdeGaussDiv struct{ *sdeGauss }

func (g sdeGaussDiv) TimeScoreDiv(dst, div, x []float32, t float32) {
	g.TimeScore(dst, x, t)
	dv := float32(g.exactDiv(float64(t)))
	for i := range div {
		div[i] = dv
	}
}

// sdeGaussJVP adds Jacobian–vector products.
type sdeGaussJVP struct{ *sdeGauss }

func (g sdeGaussJVP) TimeScoreJVP(dst, jv, x, v []float32, t float32) {
	g.TimeScore(dst, x, t)
	J := g.jacobian(float64(t))
	d := len(g.mu)
	for p := 0; p < len(x); p += d {
		for i := range d {
			var s float64
			for j := range d {
				s += J[i][j] * float64(v[p+j])
			}
			jv[p+i] = float32(s)
		}
	}
}

// sdeMoments returns the sample mean and covariance of n points of x.
func sdeMoments(x []float32, d int) (mean []float64, cov [][]float64) {
	n := len(x) / d
	mean = make([]float64, d)
	cov = make([][]float64, d)
	for i := range cov {
		cov[i] = make([]float64, d)
	}
	for p := 0; p < len(x); p += d {
		for i := range d {
			mean[i] += float64(x[p+i])
		}
	}
	for i := range mean {
		mean[i] /= float64(n)
	}
	for p := 0; p < len(x); p += d {
		for i := range d {
			for j := range d {
				cov[i][j] += (float64(x[p+i]) - mean[i]) * (float64(x[p+j]) - mean[j])
			}
		}
	}
	for i := range cov {
		for j := range cov[i] {
			cov[i][j] /= float64(n - 1)
		}
	}
	return mean, cov
}

// checkGaussian checks that x holds samples of g's data distribution at
// time eps: means within 4.5 standard errors plus relBias·scale, and
// covariances within 4.5 standard errors (√((Σᵢᵢ Σⱼⱼ + Σᵢⱼ²)/n)) plus
// relBias·√(Σᵢᵢ Σⱼⱼ). relBias budgets the discretisation's bias.
func checkGaussian(t *testing.T, name string, g *sdeGauss, x []float32, eps, relBias float64) {
	t.Helper()
	d := g.Dim()
	n := float64(len(x) / d)
	m, sd := g.sde.Marginal(eps)
	mean, cov := sdeMoments(x, d)
	want := func(i, j int) float64 {
		c := m * m * g.cov(i, j)
		if i == j {
			c += sd * sd
		}
		return c
	}
	for i := range d {
		se := math.Sqrt(want(i, i) / n)
		if diff := math.Abs(mean[i] - m*g.mu[i]); diff > 4.5*se+relBias*math.Sqrt(want(i, i)) {
			t.Errorf("%s: mean[%d] = %.4f, want %.4f (±%.4f)", name, i, mean[i], m*g.mu[i], 4.5*se+relBias*math.Sqrt(want(i, i)))
		}
		for j := range d {
			sc := math.Sqrt(want(i, i) * want(j, j))
			se := math.Sqrt((want(i, i)*want(j, j) + want(i, j)*want(i, j)) / n)
			if diff := math.Abs(cov[i][j] - want(i, j)); diff > 4.5*se+relBias*sc {
				t.Errorf("%s: cov[%d][%d] = %.4f, want %.4f (±%.4f)", name, i, j, cov[i][j], want(i, j), 4.5*se+relBias*sc)
			}
		}
	}
}

// TestSDEReferenceValues checks the SDEs against values computed by hand
// from the reference's formulas.
func TestSDEReferenceValues(t *testing.T) {
	near := func(name string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.12g, want %.12g", name, got, want)
		}
	}
	ve := DefaultVE()
	m, s := ve.Marginal(0.5)
	near("VE m(0.5)", m, 1, 0)
	near("VE σ(0.5)", s, 0.01*math.Sqrt(5000), 1e-14)
	_, g := ve.Coefficients(0.5)
	near("VE g(0.5)", g, 0.01*math.Sqrt(5000)*math.Sqrt(2*math.Log(5000)), 1e-14)
	near("VE σ_0", ve.DiscreteSigma(0), 0.01, 1e-14)
	near("VE σ_999", ve.DiscreteSigma(999), 50, 1e-13)
	// Telescoping: Σ_{i≤k} G_i² = σ_k².
	var sum float64
	for i := range 500 {
		_, G := ve.Discrete((float64(i) + 0.5) / 999)
		sum += G * G
	}
	near("VE Σ G²", sum, ve.DiscreteSigma(499)*ve.DiscreteSigma(499), 1e-12)

	vp := DefaultVP()
	m, s = vp.Marginal(1)
	lmc := -0.25*19.9 - 0.05
	near("VP m(1)", m, math.Exp(lmc), 1e-14)
	near("VP σ(1)", s, math.Sqrt(1-math.Exp(2*lmc)), 1e-14)
	f, g := vp.Coefficients(0.25)
	near("VP f(0.25)", f, -0.5*(0.1+0.25*19.9), 1e-14)
	near("VP g(0.25)", g, math.Sqrt(0.1+0.25*19.9), 1e-14)
	near("VP β_0", vp.DiscreteBeta(0), 1e-4, 1e-14)
	near("VP β_999", vp.DiscreteBeta(999), 0.02, 1e-14)
	// Σ β_i = ∫₀¹ β = −2·lmc(1): the DDPM chain's Π α_i matches m(1)² to
	// first order in β.
	var bsum float64
	for i := range 1000 {
		bsum += vp.DiscreteBeta(i)
	}
	near("VP Σβ_i", bsum, -2*lmc, 1e-12)
	fd, G := vp.Discrete(1)
	near("VP discrete f", fd, math.Sqrt(1-0.02)-1, 1e-14)
	near("VP discrete G", G, math.Sqrt(0.02), 1e-14)

	sub := DefaultSubVP()
	m, s = sub.Marginal(1)
	near("subVP m(1)", m, math.Exp(lmc), 1e-14)
	near("subVP std(1)", s, 1-math.Exp(2*lmc), 1e-14)
	_, g = sub.Coefficients(0.5)
	b := 0.1 + 0.5*19.9
	near("subVP g(0.5)", g, math.Sqrt(b*(1-math.Exp(-2*0.1*0.5-19.9*0.25))), 1e-14)
	if sdeCorrectorAlpha(sub, 1) != 1-0.02 || sdeCorrectorAlpha(ve, 1) != 1 {
		t.Errorf("corrector α: subVP %g, VE %g", sdeCorrectorAlpha(sub, 1), sdeCorrectorAlpha(ve, 1))
	}
	if a, ap, as := sdeCorrectorAlpha(vp, 1), sdeCorrectorAlpha(&vp, 1), sdeCorrectorAlpha(&sub, 1); a != 1-0.02 || ap != a || as != a {
		t.Errorf("corrector α: VP %g, *VP %g, *SubVP %g, want 1 − β_999 = 0.98", a, ap, as)
	}
	// Index as the reference: ⌊t(N−1)⌋.
	if i := sdeIndex(1, 1, 1000); i != 999 {
		t.Errorf("sdeIndex(1) = %d", i)
	}
	if i := sdeIndex(1-1.0/999*(1-1e-3), 1, 1000); i != 998 {
		t.Errorf("sdeIndex(second step) = %d", i)
	}
	near("prior logp VE", SDEPriorLogP(ve, []float32{50, 0}), -math.Log(2*math.Pi*2500)-0.5, 1e-14)

	// Predictor steps x ← a·x + b·s + c·z, as score_sde's predictors
	// compute them at t = 0.5 (index i = 499): ancestral VP (DDPM) is
	// (x + β_i·s)/√(1 − β_i) + √β_i·z, ancestral VE (SMLD) is
	// x + (σ_i² − σ_{i−1}²)·s + √(σ_{i−1}²(σ_i² − σ_{i−1}²)/σ_i²)·z,
	// reverse diffusion x − f_i(x) + G_i²·s + G_i·z, Euler–Maruyama
	// x − (f(t)x − g(t)²s)/N + g(t)/√N·z.
	pred := func(name string, sde SDE, p PCPredictor, a, b, c float64) {
		t.Helper()
		ga, gb, gc := sdePredictor(sde, p, 0.5)
		near(name+" a", ga, a, 1e-14)
		near(name+" b", gb, b, 1e-14)
		near(name+" c", gc, c, 1e-14)
	}
	beta := vp.DiscreteBeta(499)
	pred("VP ancestral", vp, PCAncestral, 1/math.Sqrt(1-beta), beta/math.Sqrt(1-beta), math.Sqrt(beta))
	s1, s0 := ve.DiscreteSigma(499), ve.DiscreteSigma(498)
	pred("VE ancestral", ve, PCAncestral, 1, s1*s1-s0*s0, math.Sqrt(s0*s0*(s1*s1-s0*s0)/(s1*s1)))
	pred("VP reverse diffusion", vp, PCReverseDiffusion, 2-math.Sqrt(1-beta), beta, math.Sqrt(beta))
	f, g = vp.Coefficients(0.5)
	pred("VP Euler–Maruyama", vp, PCEulerMaruyama, 1-f/1000, g*g/1000, g/math.Sqrt(1000))
}

// sdeCheckKolmogorov checks the SDE's marginal against its coefficients:
// the mean scale solves m' = f·m and the variance v = std² solves
// v' = 2f·v + g² (forward Kolmogorov for a linear SDE), by central
// differences at t.
func sdeCheckKolmogorov(t *testing.T, sde SDE, tt float64) {
	t.Helper()
	const h = 1e-5
	m0, s0 := sde.Marginal(tt - h)
	m1, s1 := sde.Marginal(tt + h)
	m, s := sde.Marginal(tt)
	f, g := sde.Coefficients(tt)
	dm := (m1 - m0) / (2 * h)
	dv := (s1*s1 - s0*s0) / (2 * h)
	if math.Abs(dm-f*m) > 1e-6*(1+math.Abs(f*m)) {
		t.Errorf("%T at t=%g: m' = %g, f·m = %g", sde, tt, dm, f*m)
	}
	if want := 2*f*s*s + g*g; math.Abs(dv-want) > 1e-5*(1+math.Abs(want)) {
		t.Errorf("%T at t=%g: v' = %g, 2fv+g² = %g", sde, tt, dv, want)
	}
}

func TestSDEKolmogorov(t *testing.T) {
	for _, sde := range []SDE{DefaultVE(), DefaultVP(), DefaultSubVP()} {
		for _, tt := range []float64{0.01, 0.1, 0.3, 0.5, 0.9, 0.99} {
			sdeCheckKolmogorov(t, sde, tt)
		}
	}
}

// FuzzSDEMarginal holds the marginals of random VE, VP and sub-VP SDEs to
// their coefficients.
func FuzzSDEMarginal(f *testing.F) {
	f.Add(0.01, 50.0, 0.1, 20.0, 0.5)
	f.Add(0.1, 1.0, 0.0, 1.0, 0.05)
	f.Fuzz(func(t *testing.T, smin, smax, bmin, bmax, tt float64) {
		if !(smin > 1e-3 && smin < 10 && smax > 1.01*smin && smax < 1e3) ||
			!(bmin >= 0 && bmin < 50 && bmax >= bmin && bmax > 0.01 && bmax < 50) || !(tt > 0.01 && tt < 0.99) {
			t.Skip()
		}
		for _, sde := range []SDE{VE{smin, smax, 100}, VP{bmin, bmax, 100}, SubVP{bmin, bmax, 100}} {
			if err := sde.Validate(); err != nil {
				t.Fatal(err)
			}
			sdeCheckKolmogorov(t, sde, tt)
		}
	})
}

// TestSDEValidate: besides the plain range errors, an infinite σ_max, a
// β_max/N of exactly 1 (α_{N−1} = 0: the DDPM step divides by √α), β ≡ 0
// (no noise at all) and a negative N are refused; N = 0 (no
// discretisation) is taken.
func TestSDEValidate(t *testing.T) {
	for _, sde := range []SDE{VE{0.1, 1, 0}, VP{0.1, 20, 0}, SubVP{0.1, 20, 0}} {
		if err := sde.Validate(); err != nil {
			t.Errorf("%#v: %v", sde, err)
		}
	}
	for _, sde := range []SDE{VE{0, 1, 10}, VE{1, 1, 10}, VE{0.1, 1, -1}, VP{0.1, 20, -1}, VP{-1, 1, 10}, VP{0.1, 20, 10}, SubVP{1, 0.5, 10},
		VE{0.01, math.Inf(1), 10}, VP{0, 10, 10}, VP{0, 0, 10}, SubVP{0, 0, 10}} {
		if sde.Validate() == nil {
			t.Errorf("%#v: Validate accepted it", sde)
		}
	}
}

// TestSDEStreamBuffer checks that the buffered chain stream returns the
// kernel stream's normals in order, whatever the read sizes.
func TestSDEStreamBuffer(t *testing.T) {
	want := make([]float32, 1000)
	ks := kernel.NewStream(3, 17)
	ks.Normals(want)
	for _, sizes := range [][]int{{1}, {2}, {3}, {7, 64, 1}, {63, 2, 130}, {200}} {
		s := sdeNewStream(3, 17)
		got := make([]float32, 0, len(want))
		for i := 0; len(got) < len(want); i++ {
			k := min(sizes[i%len(sizes)], len(want)-len(got))
			buf := make([]float32, k)
			s.Normals(buf)
			got = append(got, buf...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("reads of %v: normals differ from the stream's", sizes)
		}
	}
}

// TestSDEDiscreteRange: the discrete levels exist for 0 ≤ i < N only, and
// an SDE with N = 0 (which Validate takes, for the ODE and the
// likelihood) has no discretised step; each says so rather than
// extrapolating, or dividing by N = 0, without a word.
func TestSDEDiscreteRange(t *testing.T) {
	ve, vp, svp := VE{0.01, 50, 10}, VP{0.1, 20, 10}, SubVP{0.1, 20, 10}
	if got := ve.DiscreteSigma(9); math.Abs(got-50) > 1e-13 {
		t.Errorf("VE σ_9 = %v, want 50", got)
	}
	if got := vp.DiscreteBeta(9); math.Abs(got-2) > 1e-15 {
		t.Errorf("VP β_9 = %v, want 2", got)
	}
	wantPanic(t, func() { ve.DiscreteSigma(10) }, "sampler: VE.DiscreteSigma: index 10 out of range [0, 10)")
	wantPanic(t, func() { ve.DiscreteSigma(-1) }, "sampler: VE.DiscreteSigma: index -1 out of range [0, 10)")
	wantPanic(t, func() { vp.DiscreteBeta(10) }, "sampler: VP.DiscreteBeta: index 10 out of range [0, 10)")
	ve.N, vp.N, svp.N = 0, 0, 0
	for _, c := range []struct {
		sde  SDE
		name string
	}{{ve, "VE"}, {vp, "VP"}, {svp, "SubVP"}} {
		if err := c.sde.Validate(); err != nil {
			t.Errorf("%s with N = 0: Validate: %v", c.name, err)
		}
		wantPanic(t, func() { c.sde.Discrete(0.5) }, "sampler: "+c.name+".Discrete: N = 0: the SDE has no discretisation (want N ≥ 1)")
	}
	wantPanic(t, func() { ve.DiscreteSigma(0) }, "sampler: VE.DiscreteSigma: N = 0: the SDE has no discretisation (want N ≥ 1)")
	wantPanic(t, func() { vp.DiscreteBeta(0) }, "sampler: VP.DiscreteBeta: N = 0: the SDE has no discretisation (want N ≥ 1)")
}
