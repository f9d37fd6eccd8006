package data

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
)

// target64 is what every analytic target offers in float64.
type target64 interface {
	Dim() int
	LogDensity64(x []float64) float64
	Score64(dst, x []float64)
	Score(dst, x []float32)
	LogDensity(dst, x []float32)
}

func randSPD(rng *rand.Rand, d int) []float64 {
	a := make([]float64, d*d)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	c := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			var s float64
			for k := 0; k < d; k++ {
				s += a[i*d+k] * a[j*d+k]
			}
			c[i*d+j] = s / float64(d)
		}
		c[i*d+i] += 0.5
	}
	return c
}

func testTargets(t *testing.T) map[string]target64 {
	rng := rand.New(rand.NewPCG(1, 2))
	g, err := NewGaussian([]float64{1, -2, 0.5}, randSPD(rng, 3))
	if err != nil {
		t.Fatal(err)
	}
	g2, err := NewGaussian([]float64{-1, 0, 1}, randSPD(rng, 3))
	if err != nil {
		t.Fatal(err)
	}
	mix, err := NewMixture([]float64{0.3, 0.7}, []*Gaussian{g, g2})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]target64{
		"gaussian":    g,
		"mixture":     mix,
		"ncsn":        NCSNMixture(),
		"banana":      NewBanana(),
		"funnel":      NewFunnel(4),
		"rosenbrock":  NewRosenbrock(3),
		"rosenbrock2": NewRosenbrock(2),
	}
}

// TestScoreFiniteDifferences holds each exact score to central differences
// of the log density.
func TestScoreFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for name, tg := range testTargets(t) {
		d := tg.Dim()
		x, g, xp := make([]float64, d), make([]float64, d), make([]float64, d)
		for trial := 0; trial < 20; trial++ {
			for i := range x {
				x[i] = rng.NormFloat64() * 2
			}
			tg.Score64(g, x)
			for i := range x {
				const h = 1e-5
				copy(xp, x)
				xp[i] = x[i] + h
				fp := tg.LogDensity64(xp)
				xp[i] = x[i] - h
				fm := tg.LogDensity64(xp)
				fd := (fp - fm) / (2 * h)
				if math.Abs(fd-g[i]) > 1e-5*(1+math.Abs(g[i])) {
					t.Errorf("%s: x = %v: score[%d] = %v, finite difference %v", name, x, i, g[i], fd)
				}
			}
		}
	}
}

// TestBatchedMatchesFloat64 checks the float32 batched methods against the
// float64 single-point ones: one rounding at the end.
func TestBatchedMatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for name, tg := range testTargets(t) {
		d := tg.Dim()
		const n = 7
		x := make([]float32, n*d)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 2)
		}
		s := make([]float32, n*d)
		lp := make([]float32, n)
		tg.Score(s, x)
		tg.LogDensity(lp, x)
		x64, g64 := make([]float64, d), make([]float64, d)
		for r := 0; r < n; r++ {
			widen(x64, x[r*d:r*d+d])
			tg.Score64(g64, x64)
			for i := range g64 {
				if s[r*d+i] != float32(g64[i]) && math.Abs(float64(s[r*d+i])-g64[i]) > 1e-6*math.Abs(g64[i]) {
					t.Errorf("%s row %d: Score[%d] = %v, Score64 %v", name, r, i, s[r*d+i], g64[i])
				}
			}
			want := tg.LogDensity64(x64)
			if math.Abs(float64(lp[r])-want) > 1e-6*math.Abs(want)+1e-6 {
				t.Errorf("%s row %d: LogDensity = %v, LogDensity64 %v", name, r, lp[r], want)
			}
		}
	}
}

func TestGaussianAgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cov := randSPD(rng, 4)
	mean := []float64{0.5, -1, 2, 0}
	g, err := NewGaussian(mean, cov)
	if err != nil {
		t.Fatal(err)
	}
	ref, ok := distmv.NewNormal(mean, mat.NewSymDense(4, cov), nil)
	if !ok {
		t.Fatal("distmv.NewNormal failed")
	}
	x := make([]float64, 4)
	for trial := 0; trial < 10; trial++ {
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		if got, want := g.LogDensity64(x), ref.LogProb(x); math.Abs(got-want) > 1e-10*(1+math.Abs(want)) {
			t.Errorf("LogDensity64(%v) = %v, gonum %v", x, got, want)
		}
	}
	c := g.Cov()
	for i := range c {
		if math.Abs(c[i]-cov[i]) > 1e-12 {
			t.Fatalf("Cov()[%d] = %v, want %v", i, c[i], cov[i])
		}
	}
}

func TestGaussianErrors(t *testing.T) {
	if _, err := NewGaussian([]float64{0, 0}, []float64{1, 0, 0, -1}); err == nil {
		t.Error("indefinite covariance accepted")
	}
	if _, err := NewGaussian([]float64{0, 0}, []float64{1, 0.5, 0, 1}); err == nil {
		t.Error("asymmetric covariance accepted")
	}
	if _, err := NewGaussian([]float64{0, 0}, []float64{1}); err == nil {
		t.Error("short covariance accepted")
	}
	if _, err := NewMixture([]float64{1, -1}, []*Gaussian{NewIsotropicGaussian([]float64{0}, 1), NewIsotropicGaussian([]float64{0}, 1)}); err == nil {
		t.Error("negative weight accepted")
	}
	// A NaN mean made a Gaussian whose every density and score is NaN; a
	// nil first component made NewMixture dereference it.
	if _, err := NewGaussian([]float64{math.NaN(), 0}, []float64{1, 0, 0, 1}); err == nil {
		t.Error("NaN mean accepted")
	}
	if _, err := NewGaussian([]float64{math.Inf(1)}, []float64{1}); err == nil {
		t.Error("infinite mean accepted")
	}
	for _, comps := range [][]*Gaussian{{nil}, {NewIsotropicGaussian([]float64{0}, 1), nil}} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("NewMixture with a nil component panicked: %v", r)
				}
			}()
			w := make([]float64, len(comps))
			for i := range w {
				w[i] = 1
			}
			if _, err := NewMixture(w, comps); err == nil {
				t.Error("nil component accepted")
			}
		}()
	}
	if _, err := NewMixture([]float64{1, 1}, []*Gaussian{NewIsotropicGaussian([]float64{0}, 1), NewIsotropicGaussian([]float64{0, 0}, 1)}); err == nil {
		t.Error("components of different dimensions accepted")
	}
}

// TestNoiseScore checks the convolved scores: the Gaussian's against the
// Gaussian with covariance Σ + σ²I, the mixture's against finite
// differences of the explicitly convolved mixture.
func TestNoiseScore(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	tg := testTargets(t)
	g := tg["gaussian"].(*Gaussian)
	const sigma = 0.7
	cov := g.Cov()
	for i := 0; i < 3; i++ {
		cov[i*3+i] += sigma * sigma
	}
	gs, err := NewGaussian(g.Mean(), cov)
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{0.3, -1, 2, 1, 1, 1}
	got, want := make([]float32, 6), make([]float32, 6)
	g.NoiseScore(got, x, sigma)
	gs.Score(want, x)
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
			t.Errorf("Gaussian.NoiseScore[%d] = %v, want %v", i, got[i], want[i])
		}
	}

	m := tg["mixture"].(*Mixture)
	var comps []*Gaussian
	for _, c := range m.Components() {
		cc := c.Cov()
		for i := 0; i < 3; i++ {
			cc[i*3+i] += sigma * sigma
		}
		gc, err := NewGaussian(c.Mean(), cc)
		if err != nil {
			t.Fatal(err)
		}
		comps = append(comps, gc)
	}
	ms, err := NewMixture(m.Weights(), comps)
	if err != nil {
		t.Fatal(err)
	}
	xs, g1, g2 := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	for trial := 0; trial < 10; trial++ {
		for i := range xs {
			xs[i] = 2 * rng.NormFloat64()
		}
		m.NoiseScore64(g1, xs, sigma)
		ms.Score64(g2, xs)
		for i := range g1 {
			if math.Abs(g1[i]-g2[i]) > 1e-9*(1+math.Abs(g2[i])) {
				t.Errorf("Mixture.NoiseScore64(%v)[%d] = %v, want %v", xs, i, g1[i], g2[i])
			}
		}
	}
}

// TestNaNPropagates: NaN in gives NaN out.
func TestNaNPropagates(t *testing.T) {
	for name, tg := range testTargets(t) {
		d := tg.Dim()
		x := make([]float32, d)
		x[0] = float32(math.NaN())
		s := make([]float32, d)
		tg.Score(s, x)
		if !math.IsNaN(float64(s[0])) {
			t.Errorf("%s: Score at NaN = %v", name, s)
		}
		lp := make([]float32, 1)
		tg.LogDensity(lp, x)
		if !math.IsNaN(float64(lp[0])) {
			t.Errorf("%s: LogDensity at NaN = %v", name, lp[0])
		}
	}
}

// TestSampleMoments checks the samplers of the targets: the known moments
// of the banana and funnel, and Stein's identity E[∇log p(X)] = 0 for all,
// each within 5 standard errors.
func TestSampleMoments(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	type sampler interface {
		target64
		Sample([]float32, *rand.Rand)
	}
	const n = 20000
	tg := testTargets(t)
	for _, name := range []string{"gaussian", "mixture", "ncsn", "banana", "funnel", "rosenbrock2"} {
		s := tg[name].(sampler)
		d := s.Dim()
		x := make([]float32, n*d)
		s.Sample(x, rng)
		sc := make([]float32, n*d)
		s.Score(sc, x)
		for i := 0; i < d; i++ {
			var m, m2 float64
			for r := 0; r < n; r++ {
				v := float64(sc[r*d+i])
				m += v
				m2 += v * v
			}
			m /= n
			se := math.Sqrt((m2/n - m*m) / n)
			if math.Abs(m) > 5*se {
				t.Errorf("%s: E[score_%d] = %v ± %v, want 0", name, i, m, se)
			}
		}
	}
	b := NewBanana()
	x := make([]float32, 2*n)
	b.Sample(x, rng)
	var m0, m1 float64
	for r := 0; r < n; r++ {
		m0 += float64(x[2*r]) * float64(x[2*r])
		m1 += float64(x[2*r+1]) * float64(x[2*r+1])
	}
	m0 /= n
	m1 /= n
	// Var(x₀²) = 2·100², Var(x₁²) is heavy: allow 5 standard errors of rough size.
	if math.Abs(m0-100) > 5*math.Sqrt(2*1e4/n) {
		t.Errorf("banana E[x0²] = %v, want 100", m0)
	}
	if math.Abs(m1-19) > 5*math.Sqrt(3000.0/n) {
		t.Errorf("banana E[x1²] = %v, want 19", m1)
	}
	g := tg["gaussian"].(*Gaussian)
	xs := make([]float32, 3*n)
	g.Sample(xs, rng)
	cov, mean := g.Cov(), g.Mean()
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			var c float64
			for r := 0; r < n; r++ {
				c += (float64(xs[r*3+i]) - mean[i]) * (float64(xs[r*3+j]) - mean[j])
			}
			c /= n
			se := math.Sqrt((cov[i*3+i]*cov[j*3+j] + cov[i*3+j]*cov[i*3+j]) / n)
			if math.Abs(c-cov[i*3+j]) > 5*se {
				t.Errorf("gaussian sample cov(%d,%d) = %v, want %v", i, j, c, cov[i*3+j])
			}
		}
	}
}

// TestRosenbrockSample holds the exact sampler of the 2-D Rosenbrock
// density to its moments (see [Rosenbrock]): with u = x₀ − A ~ N(0, s₀²)
// and x₁ − E[x₁] = V = 2A·u + u² − s₀² + s₁·w, w ~ N(0, 1), each estimator
// below is a mean of n i.i.d. terms whose exact variance is
//
//	x₀:                 s₀²
//	x₁:                 Var[x₁] = 4A²s₀² + 2s₀⁴ + s₁²
//	u²:                 2s₀⁴
//	u·V (Cov[x₀, x₁]):  8A²s₀⁴ + 10s₀⁶ + s₀²s₁²
//	V² (Var[x₁]):       32A⁴s₀⁴ + 224A²s₀⁶ + 56s₀⁸ + 16A²s₀²s₁² + 8s₀⁴s₁² + 2s₁⁴
//	(x₁ − x₀²)²:        2s₁⁴
//
// (the fourth moments by expanding in the Gaussian moments of u and w), so
// each must lie within 5 standard errors √(variance/n) of its exact value,
// the exact means E[x₀] = A and E[x₁] = A² + s₀² being used to centre.
func TestRosenbrockSample(t *testing.T) {
	const n = 100000
	r := NewRosenbrock(2)
	x := make([]float32, 2*n)
	r.Sample(x, rand.New(rand.NewPCG(13, 14)))
	A, s02, s12 := r.A, 1/(2*r.Temp), 1/(2*r.Temp*r.B)
	m1 := A*A + s02
	var1 := 4*A*A*s02 + 2*s02*s02 + s12
	moments := []struct {
		name    string
		f       func(x0, x1 float64) float64
		want, v float64 // exact mean and variance of f
	}{
		{"E[x0]", func(x0, _ float64) float64 { return x0 }, A, s02},
		{"E[x1]", func(_, x1 float64) float64 { return x1 }, m1, var1},
		{"Var[x0]", func(x0, _ float64) float64 { return (x0 - A) * (x0 - A) }, s02, 2 * s02 * s02},
		{"Cov[x0,x1]", func(x0, x1 float64) float64 { return (x0 - A) * (x1 - m1) }, 2 * A * s02,
			8*A*A*s02*s02 + 10*s02*s02*s02 + s02*s12},
		{"Var[x1]", func(_, x1 float64) float64 { return (x1 - m1) * (x1 - m1) }, var1,
			32*A*A*A*A*s02*s02 + 224*A*A*s02*s02*s02 + 56*s02*s02*s02*s02 + 16*A*A*s02*s12 + 8*s02*s02*s12 + 2*s12*s12},
		{"Var[x1|x0]", func(x0, x1 float64) float64 { return (x1 - x0*x0) * (x1 - x0*x0) }, s12, 2 * s12 * s12},
	}
	for _, m := range moments {
		var sum float64
		for i := 0; i < n; i++ {
			sum += m.f(float64(x[2*i]), float64(x[2*i+1]))
		}
		got, se := sum/n, math.Sqrt(m.v/n)
		if math.Abs(got-m.want) > 5*se {
			t.Errorf("Rosenbrock %s = %.5g, want %.5g ± %.2g (5 standard errors)", m.name, got, m.want, 5*se)
		} else {
			t.Logf("Rosenbrock %s = %.5g, want %.5g ± %.2g (5 standard errors)", m.name, got, m.want, 5*se)
		}
	}
	for _, bad := range []Rosenbrock{NewRosenbrock(3), {D: 2, A: 1, B: 100}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Sample of %+v did not panic", bad)
				}
			}()
			bad.Sample(make([]float32, 6), rand.New(rand.NewPCG(1, 1)))
		}()
	}
}

func TestScoreAllocs(t *testing.T) {
	for name, tg := range testTargets(t) {
		d := tg.Dim()
		x, s, lp := make([]float32, 4*d), make([]float32, 4*d), make([]float32, 4)
		tg.Score(s, x)
		if a := testing.AllocsPerRun(50, func() { tg.Score(s, x); tg.LogDensity(lp, x) }); a != 0 {
			t.Errorf("%s: %v allocations per Score+LogDensity", name, a)
		}
	}
}

func TestLengthPanics(t *testing.T) {
	g := NewBanana()
	defer func() {
		if recover() == nil {
			t.Error("Score with len(dst) ≠ len(x) did not panic")
		}
	}()
	g.Score(make([]float32, 2), make([]float32, 4))
}

// TestFunnelFactorises holds the funnel's normalised log density in every
// dimension to its definition, a product of Gaussians: log N(v; 0, Scale²)
// + log N(x₁…x_{d−1}; 0, eᵛI), each taken from an isotropic [Gaussian].
// (TestTargetsIntegrate integrates only the two-dimensional funnel, so it
// cannot see a normalising constant that is wrong in d − 1 for d > 2.)
func TestFunnelFactorises(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, d := range []int{2, 3, 5, 8} {
		f := NewFunnel(d)
		f.Scale = 2.5
		x := make([]float64, d)
		for trial := 0; trial < 5; trial++ {
			for i := range x {
				x[i] = rng.NormFloat64() * 1.5
			}
			v := x[0]
			want := NewIsotropicGaussian([]float64{0}, f.Scale).LogDensity64(x[:1]) +
				NewIsotropicGaussian(make([]float64, d-1), math.Exp(v/2)).LogDensity64(x[1:])
			if got := f.LogDensity64(x); math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
				t.Errorf("d = %d: Funnel.LogDensity64(%v) = %.15g, product of Gaussians %.15g", d, x, got, want)
			}
		}
	}
}

// TestLargeDimension runs the batched methods of the Gaussian and the
// mixture on each side of the dimension where their work space no longer
// fits on the stack and comes from the pool (d = 16, 17 for the Gaussian,
// whose NoiseScore needs 4d floats of 64 and LogDensity 3d of 48; d = 10,
// 11 for a two-component mixture, which needs 6d + 4 of 64), and holds
// them to the float64 single-point methods.
func TestLargeDimension(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	const n, sigma = 3, 0.6
	check := func(name string, d int, noise func(dst, x []float32), logp func(dst, x []float32), noise64 func(dst, x []float64), logp64 func(x []float64) float64) {
		x := make([]float32, n*d)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		s, lp := make([]float32, n*d), make([]float32, n)
		noise(s, x)
		logp(lp, x)
		x64, g64 := make([]float64, d), make([]float64, d)
		for r := 0; r < n; r++ {
			widen(x64, x[r*d:r*d+d])
			noise64(g64, x64)
			for i, w := range g64 {
				if math.Abs(float64(s[r*d+i])-w) > 1e-6*(1+math.Abs(w)) {
					t.Errorf("%s d = %d row %d: NoiseScore[%d] = %v, float64 %v", name, d, r, i, s[r*d+i], w)
				}
			}
			if w := logp64(x64); math.Abs(float64(lp[r])-w) > 1e-6*(1+math.Abs(w)) {
				t.Errorf("%s d = %d row %d: LogDensity = %v, float64 %v", name, d, r, lp[r], w)
			}
		}
	}
	for _, d := range []int{16, 17, 24} {
		mean := make([]float64, d)
		for i := range mean {
			mean[i] = rng.NormFloat64()
		}
		cov := randSPD(rng, d)
		g, err := NewGaussian(mean, cov)
		if err != nil {
			t.Fatal(err)
		}
		// The reference for the noise-conditional score: N(μ, Σ + σ²I).
		for i := 0; i < d; i++ {
			cov[i*d+i] += sigma * sigma
		}
		gs, err := NewGaussian(mean, cov)
		if err != nil {
			t.Fatal(err)
		}
		check("Gaussian", d, func(dst, x []float32) { g.NoiseScore(dst, x, sigma) }, g.LogDensity, gs.Score64, g.LogDensity64)
	}
	for _, d := range []int{10, 11, 24} {
		var comps []*Gaussian
		for k := 0; k < 2; k++ {
			mean := make([]float64, d)
			for i := range mean {
				mean[i] = rng.NormFloat64()
			}
			g, err := NewGaussian(mean, randSPD(rng, d))
			if err != nil {
				t.Fatal(err)
			}
			comps = append(comps, g)
		}
		m, err := NewMixture([]float64{1, 2}, comps)
		if err != nil {
			t.Fatal(err)
		}
		check("Mixture", d, func(dst, x []float32) { m.NoiseScore(dst, x, sigma) }, m.LogDensity,
			func(dst, x []float64) { m.NoiseScore64(dst, x, sigma) }, m.LogDensity64)
	}
}

// TestMixtureSampleWeights: the fraction of draws from each component is
// its normalised weight, within 5 standard errors √(w(1 − w)/n), for
// weights that do not sum to one (the components are 20 standard
// deviations apart, so each draw's component is plain).
func TestMixtureSampleWeights(t *testing.T) {
	const n = 20000
	w := []float64{1, 2, 5}
	var comps []*Gaussian
	for k := range w {
		comps = append(comps, NewIsotropicGaussian([]float64{20 * float64(k-1)}, 1))
	}
	m, err := NewMixture(w, comps)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, n)
	m.Sample(x, rand.New(rand.NewPCG(19, 20)))
	var count [3]int
	for _, v := range x {
		count[int(math.Round(float64(v)/20))+1]++
	}
	for k, c := range count {
		p := w[k] / 8
		if got := float64(c) / n; math.Abs(got-p) > 5*math.Sqrt(p*(1-p)/n) {
			t.Errorf("component %d drawn %.4f of the time, want %.4f", k, got, p)
		}
	}
	if ws := m.Weights(); math.Abs(ws[0]-0.125) > 1e-15 || math.Abs(ws[1]-0.25) > 1e-15 || math.Abs(ws[2]-0.625) > 1e-15 {
		t.Errorf("Weights() = %v, want [0.125 0.25 0.625]", ws)
	}
}

// TestMixtureFarAway: where every component's log density is −Inf (a point
// so far out that the quadratic form overflows) the mixture's is −Inf
// too, as each Gaussian's is, rather than NaN from −Inf − (−Inf).
func TestMixtureFarAway(t *testing.T) {
	tg := testTargets(t)
	x := []float64{1e200, 0, -1e200}
	for _, name := range []string{"gaussian", "mixture"} {
		if got := tg[name].LogDensity64(x); !math.IsInf(got, -1) {
			t.Errorf("%s: LogDensity64(%v) = %v, want -Inf", name, x, got)
		}
	}
}

// TestPoolAllocs: the methods that take their work space from the pool
// (the float64 single-point methods, Sample, and the batched methods in a
// dimension too large for the stack) allocate nothing in steady state.
func TestPoolAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const d = 20
	g, err := NewGaussian(make([]float64, d), randSPD(rng, d))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMixture([]float64{1, 1}, []*Gaussian{g, NewIsotropicGaussian(make([]float64, d), 2)})
	if err != nil {
		t.Fatal(err)
	}
	small := testTargets(t)
	x64, g64 := make([]float64, d), make([]float64, d)
	x, s, lp := make([]float32, 2*d), make([]float32, 2*d), make([]float32, 2)
	for name, f := range map[string]func(){
		"Gaussian d=20 Score64+LogDensity64":  func() { g.Score64(g64, x64); g.LogDensity64(x64) },
		"Gaussian d=20 NoiseScore+LogDensity": func() { g.NoiseScore(s, x, 0.5); g.LogDensity(lp, x) },
		"Gaussian d=20 Sample":                func() { g.Sample(s, rng) },
		"Mixture d=20 Score64+LogDensity64":   func() { m.NoiseScore64(g64, x64, 0.5); m.LogDensity64(x64) },
		"Mixture d=20 NoiseScore+LogDensity":  func() { m.NoiseScore(s, x, 0.5); m.LogDensity(lp, x) },
		"Mixture d=20 Sample":                 func() { m.Sample(s, rng) },
		"Gaussian d=3 Score64+LogDensity64": func() {
			small["gaussian"].Score64(g64[:3], x64[:3])
			small["gaussian"].LogDensity64(x64[:3])
		},
		"Mixture d=3 Score64+Sample": func() {
			small["mixture"].Score64(g64[:3], x64[:3])
			small["mixture"].(*Mixture).Sample(s[:6], rng)
		},
	} {
		f()
		if a := testing.AllocsPerRun(50, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
}

// TestMixtureFarAwayScore: where every component's log term underflows to
// −Inf (the quadratic forms overflow), the mixture's score is the limit —
// the score of the component nearest in the Mahalanobis sense, or the
// weighted scores of those that tie — where it used to be NaN; and a NaN
// or infinite point still gives NaN.
func TestMixtureFarAwayScore(t *testing.T) {
	// Full covariances: along a direction u, far out, the nearest component
	// is the one with the smallest uᵀΣₖ⁻¹u, and the mixture's score is its.
	m := testTargets(t)["mixture"].(*Mixture)
	rng := rand.New(rand.NewPCG(31, 32))
	x, got, want := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	for trial := 0; trial < 20; trial++ {
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		best, bq := -1, math.Inf(1)
		xu := make([]float64, 3)
		for i := range x {
			xu[i] = 1e100 * x[i]
		}
		for k, c := range m.Components() {
			c.Score64(want, xu) // −Σ⁻¹(xu − μ) ≈ −1e100·Σ⁻¹x: xᵀΣ⁻¹x ≈ −xᵀ·score/1e100
			var q float64
			for i := range x {
				q -= x[i] * want[i] / 1e100
			}
			if q < bq {
				best, bq = k, q
			}
		}
		for i := range x {
			x[i] *= 1e200
		}
		m.Score64(got, x)
		m.Components()[best].Score64(want, x)
		for i := range got {
			if !(math.Abs(got[i]-want[i]) <= 1e-12*math.Abs(want[i])) {
				t.Errorf("Mixture.Score64(%v)[%d] = %v, want component %d's %v", x, i, got[i], best, want[i])
			}
		}
		m.NoiseScore64(got, x, 0.5)
		for i := range got {
			if math.IsNaN(got[i]) || math.IsInf(got[i], 0) {
				t.Errorf("Mixture.NoiseScore64(%v, 0.5)[%d] = %v, want finite", x, i, got[i])
			}
		}
	}

	// Two components tie exactly far out along x₁: the weights decide, and
	// the score is the exact −(x₁, Σₖ wₖ(x₂ − μₖ₂)) = (−1e200, 0.8 − 0.2).
	tie, err := NewMixture([]float64{0.8, 0.2}, []*Gaussian{NewIsotropicGaussian([]float64{0, 1}, 1), NewIsotropicGaussian([]float64{0, -1}, 1)})
	if err != nil {
		t.Fatal(err)
	}
	g2 := make([]float64, 2)
	tie.Score64(g2, []float64{1e200, 0})
	if math.Abs(g2[0]+1e200) > 1e-15*1e200 || math.Abs(g2[1]-0.6) > 1e-15 {
		t.Errorf("tied Mixture.Score64((1e200, 0)) = %v, want [-1e200 0.6] to 1e-15", g2)
	}
	// An infinitely broad noise level: every score is 0, as the
	// Gaussian's, through the float32 batch too.
	s := []float32{1, 1}
	tie.NoiseScore(s, []float32{3, -2}, float32(math.Inf(1)))
	if s[0] != 0 || s[1] != 0 {
		t.Errorf("Mixture.NoiseScore at σ = +Inf = %v, want [0 0]", s)
	}

	// Non-finite points stay NaN, as documented (TestNaNPropagates).
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		tie.Score64(g2, []float64{v, 0})
		if !math.IsNaN(g2[0]) && !math.IsNaN(g2[1]) {
			t.Errorf("Mixture.Score64((%v, 0)) = %v, want NaN", v, g2)
		}
	}
	if lp := tie.LogDensity64([]float64{1e200, 0}); !math.IsInf(lp, -1) {
		t.Errorf("Mixture.LogDensity64((1e200, 0)) = %v, want -Inf", lp)
	}
}

// TestNoiseScoreSigma: both targets with a noise-conditional score treat σ
// alike, as documented: −σ gives what σ gives, a NaN σ NaN scores and an
// infinite σ scores of 0 (the mixture's used to be NaN there).
func TestNoiseScoreSigma(t *testing.T) {
	tg := testTargets(t)
	for _, name := range []string{"gaussian", "mixture", "ncsn"} {
		ns := tg[name].(interface {
			Dim() int
			NoiseScore(dst, x []float32, sigma float32)
		})
		d := ns.Dim()
		x := make([]float32, 2*d)
		for i := range x {
			x[i] = float32(i) - 1.5
		}
		pos, neg := make([]float32, 2*d), make([]float32, 2*d)
		ns.NoiseScore(pos, x, 0.7)
		ns.NoiseScore(neg, x, -0.7)
		for i := range pos {
			if pos[i] != neg[i] {
				t.Errorf("%s: NoiseScore at σ = −0.7 [%d] = %v, at 0.7 %v: want equal", name, i, neg[i], pos[i])
			}
		}
		ns.NoiseScore(pos, x, float32(math.NaN()))
		for i, v := range pos {
			if !math.IsNaN(float64(v)) {
				t.Errorf("%s: NoiseScore at σ = NaN [%d] = %v, want NaN", name, i, v)
			}
		}
		for _, inf := range []float32{float32(math.Inf(1)), float32(math.Inf(-1))} {
			ns.NoiseScore(pos, x, inf)
			for i, v := range pos {
				if v != 0 {
					t.Errorf("%s: NoiseScore at σ = %v [%d] = %v, want 0", name, inf, i, v)
				}
			}
		}
	}
	m := tg["mixture"].(*Mixture)
	x := []float64{0.3, -1, 2}
	a, b := make([]float64, 3), make([]float64, 3)
	m.NoiseScore64(a, x, 0.7)
	m.NoiseScore64(b, x, -0.7)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("Mixture.NoiseScore64 at σ = −0.7 [%d] = %v, at 0.7 %v: want equal", i, b[i], a[i])
		}
	}
}

// TestBananaTwistOverflow: where x₀² overflows float64 the twist
// B·(x₀² − Scale²) was B·∞: NaN for B = 0 (every draw of Scale = 10¹⁵⁴
// with |z| > 1.35 had x₁ NaN, and the score at x₀ = 10¹⁵⁵ was NaN) and
// +Inf for B = 10⁻³⁰⁰, whose B·Scale²·(z² − 1) is at most about 10⁹.
func TestBananaTwistOverflow(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	x := make([]float32, 2*200)
	for _, b := range []Banana{{B: 0, Scale: 1e154}, {B: 1e-300, Scale: 1e154}} {
		b.Sample(x, rng)
		for r := 0; r < len(x)/2; r++ {
			if x1 := x[2*r+1]; math.IsNaN(float64(x1)) || math.IsInf(float64(x1), 0) {
				t.Errorf("%+v.Sample: draw %d is %v, want x₁ finite", b, r, x[2*r:2*r+2])
				break
			}
		}
	}
	b := Banana{B: 0, Scale: 10}
	g := make([]float64, 2)
	b.Score64(g, []float64{1e155, 0.5})
	if g[0] != -1e153 || g[1] != -0.5 {
		t.Errorf("%+v.Score64 at (1e155, 0.5) = %v, want [-1e153 -0.5]", b, g)
	}
	if lp := b.LogDensity64([]float64{1e155, 0.5}); math.IsNaN(lp) {
		t.Errorf("%+v.LogDensity64 at (1e155, 0.5) = NaN", b)
	}
}
