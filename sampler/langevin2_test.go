package sampler

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/data"
)

// TestAnnealedRecoversWeights: with the exact noise-conditional score of
// 0.8·N((5,5), I) + 0.2·N((−5,−5), I), annealed Langevin from a uniform
// start puts 80% of the chains in the first mode; plain ULA from the same
// start cannot move chains between modes and leaves about half.
func TestAnnealedRecoversWeights(t *testing.T) {
	mix := data.NCSNMixture()
	const n = 1000
	start := func() []float32 {
		rng := rand.New(rand.NewPCG(9, 9))
		x := make([]float32, 2*n)
		for i := range x {
			x[i] = float32(16*rng.Float64() - 8)
		}
		return x
	}
	frac := func(x []float32) float64 {
		var k int
		for r := 0; r < n; r++ {
			if x[2*r]+x[2*r+1] > 0 {
				k++
			}
		}
		return float64(k) / n
	}
	a, err := NewAnnealed(mix, AnnealedConfig{
		Sigmas: GeometricSigmas(20, 1, 10), StepsPerLevel: 100, Eps: 0.1, Denoise: true,
		Chain: ChainConfig{Seed: 10},
	})
	if err != nil {
		t.Fatal(err)
	}
	x := start()
	if _, err := a.Run(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	se := math.Sqrt(0.8 * 0.2 / n)
	if f := frac(x); math.Abs(f-0.8) > 4.5*se {
		t.Errorf("annealed Langevin: first-mode fraction %.3f, want 0.8 ± %.3f", f, 4.5*se)
	} else {
		t.Logf("annealed Langevin: first-mode fraction %.3f", f)
	}
	// After denoising the chains sit at the modes: mean of the first
	// mode's chains near (5, 5).
	var m0 float64
	var k int
	for r := 0; r < n; r++ {
		if x[2*r]+x[2*r+1] > 0 {
			m0 += float64(x[2*r])
			k++
		}
	}
	if m0 /= float64(k); math.Abs(m0-5) > 0.3 {
		t.Errorf("first mode's mean x0 = %v, want ≈ 5", m0)
	}

	u, err := NewULA(mix, ULAConfig{Step: 0.05, Chain: ChainConfig{Seed: 10, Steps: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	x = start()
	if _, err := u.Run(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if f := frac(x); math.Abs(f-0.8) < 0.2 {
		t.Errorf("plain ULA: first-mode fraction %.3f: it should not recover 0.8", f)
	} else {
		t.Logf("plain ULA: first-mode fraction %.3f", f)
	}
}

// linReg is Bayesian linear regression yᵢ = aᵢᵀθ + N(0, σ²), θ ~ N(0, τ²I)
// in two dimensions, whose posterior is Gaussian in closed form.
type linReg struct {
	a          []float32 // N×2
	y          []float32
	sigma, tau float64
}

func newLinReg(n int) *linReg {
	rng := rand.New(rand.NewPCG(11, 11))
	l := &linReg{a: make([]float32, 2*n), y: make([]float32, n), sigma: 0.5, tau: 10}
	for i := 0; i < n; i++ {
		a0, a1 := rng.NormFloat64(), rng.NormFloat64()
		l.a[2*i], l.a[2*i+1] = float32(a0), float32(a1)
		l.y[i] = float32(a0 - 2*a1 + l.sigma*rng.NormFloat64())
	}
	return l
}

func (l *linReg) Dim() int { return 2 }
func (l *linReg) Len() int { return len(l.y) }
func (l *linReg) PriorScore(dst, th []float32) {
	for i := range dst {
		dst[i] = th[i] / float32(-l.tau*l.tau)
	}
}
func (l *linReg) DataScore(dst, th []float32, idx []int) {
	var g0, g1 float64
	for _, i := range idx {
		a0, a1 := float64(l.a[2*i]), float64(l.a[2*i+1])
		r := (float64(l.y[i]) - a0*float64(th[0]) - a1*float64(th[1])) / (l.sigma * l.sigma)
		g0 += a0 * r
		g1 += a1 * r
	}
	dst[0], dst[1] = float32(g0), float32(g1)
}

// posterior returns the exact posterior mean and covariance.
func (l *linReg) posterior() (mean [2]float64, cov [4]float64) {
	s2 := l.sigma * l.sigma
	p := [4]float64{1 / (l.tau * l.tau), 0, 0, 1 / (l.tau * l.tau)}
	var b [2]float64
	for i := range l.y {
		a0, a1, y := float64(l.a[2*i]), float64(l.a[2*i+1]), float64(l.y[i])
		p[0] += a0 * a0 / s2
		p[1] += a0 * a1 / s2
		p[3] += a1 * a1 / s2
		b[0] += a0 * y / s2
		b[1] += a1 * y / s2
	}
	p[2] = p[1]
	det := p[0]*p[3] - p[1]*p[2]
	cov = [4]float64{p[3] / det, -p[1] / det, -p[1] / det, p[0] / det}
	mean = [2]float64{cov[0]*b[0] + cov[1]*b[1], cov[2]*b[0] + cov[3]*b[1]}
	return
}

// checkPosterior compares the n final states in x (independent chains)
// with the exact posterior: means within z standard errors √(Σᵢᵢ/n), and
// covariances within z·√((ΣᵢᵢΣⱼⱼ + Σᵢⱼ²)/n) plus a relative allowance
// rel for the sampler's discretisation bias.
func checkPosterior(t *testing.T, who string, x []float32, l *linReg, z, rel float64) {
	t.Helper()
	mean, cov := l.posterior()
	n := len(x) / 2
	var m [2]float64
	for r := 0; r < n; r++ {
		m[0] += float64(x[2*r])
		m[1] += float64(x[2*r+1])
	}
	m[0] /= float64(n)
	m[1] /= float64(n)
	var c [4]float64
	for r := 0; r < n; r++ {
		d0, d1 := float64(x[2*r])-mean[0], float64(x[2*r+1])-mean[1]
		c[0] += d0 * d0
		c[1] += d0 * d1
		c[3] += d1 * d1
	}
	c[2] = c[1]
	for i := range c {
		c[i] /= float64(n)
	}
	for i := 0; i < 2; i++ {
		if se := math.Sqrt(cov[3*i] / float64(n)); math.Abs(m[i]-mean[i]) > z*se {
			t.Errorf("%s: posterior mean[%d] = %.5f, want %.5f ± %.5f", who, i, m[i], mean[i], z*se)
		}
		for j := 0; j < 2; j++ {
			se := math.Sqrt((cov[3*i]*cov[3*j] + cov[2*i+j]*cov[2*i+j]) / float64(n))
			if math.Abs(c[2*i+j]-cov[2*i+j]) > z*se+rel*math.Abs(cov[2*i+j]) {
				t.Errorf("%s: posterior cov[%d,%d] = %.4g, want %.4g ± %.2g", who, i, j, c[2*i+j], cov[2*i+j], z*se)
			}
		}
	}
	t.Logf("%s: mean %.5f (exact %.5f), cov %.3g (exact %.3g)", who, m, mean, c, cov)
}

func TestSGLDLinearRegression(t *testing.T) {
	l := newLinReg(500)
	s, err := NewSGLD(l, SGLDConfig{A: 3.5e-4, B: 10, Gamma: 0.55, Batch: 50, Chain: ChainConfig{Seed: 12, Steps: 3000}})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 2*512)
	if _, err := s.Run(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	checkPosterior(t, "SGLD", x, l, 4.5, 0.05)
}

func TestSGHMCLinearRegression(t *testing.T) {
	l := newLinReg(200)
	s, err := NewSGHMC(l, SGHMCConfig{Step: 0.002, Friction: 100, Batch: 100, Chain: ChainConfig{Seed: 13, Steps: 1500}})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 2*512)
	if _, err := s.Run(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	checkPosterior(t, "SGHMC", x, l, 4.5, 0.1)
}

// TestUnderdamped: BAOAB samples a Gaussian's configuration exactly for
// any stable step; OBABO with a small step is close.
func TestUnderdamped(t *testing.T) {
	g := correlatedGaussian(t)
	mean, cov := g.Mean(), g.Cov()
	for _, tc := range []struct {
		scheme UnderdampedScheme
		h      float64
	}{{BAOAB, 0.4}, {OBABO, 0.1}} {
		u, err := NewUnderdamped(g, UnderdampedConfig{Step: tc.h, Friction: 1, Scheme: tc.scheme, Chain: ChainConfig{Seed: 14, BurnIn: 200, Steps: 3000, Thin: 2}})
		if err != nil {
			t.Fatal(err)
		}
		x := gaussianStart(rand.New(rand.NewPCG(14, 14)), 32, 3, 1)
		tr, err := u.Run(context.Background(), x)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			checkMoment(t, tr, tc.scheme.String()+" mean", func(x []float32) float64 { return float64(x[i]) }, mean[i], 4.5)
			checkMoment(t, tr, tc.scheme.String()+" var", func(x []float32) float64 {
				return (float64(x[i]) - mean[i]) * (float64(x[i]) - mean[i])
			}, cov[4*i], 4.5)
		}
	}
}

// BenchmarkULAStep is one ULA step of one chain on an analytic target
// (score evaluation, Philox normals and the fused update).
func BenchmarkULAStep(b *testing.B) {
	for _, tc := range []struct {
		name  string
		score Score
	}{
		{"gaussian-d3", nil},
		{"banana", data.NewBanana()},
		{"funnel-d10", data.NewFunnel(10)},
	} {
		if tc.score == nil {
			g, _ := data.NewGaussian([]float64{0, 0, 0}, []float64{2, 0.5, 0, 0.5, 1, 0, 0, 0, 1})
			tc.score = g
		}
		b.Run(tc.name, func(b *testing.B) {
			u, err := NewULA(tc.score, ULAConfig{Step: 0.01, Chain: ChainConfig{Seed: 1, Steps: b.N, Workers: 1, Segment: 1 << 20}})
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float32, tc.score.Dim())
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := u.Run(context.Background(), x); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// BenchmarkAnnealed is a full annealed run (10 levels × 100 steps) on
// the NCSN mixture, reporting chain-steps per second.
func BenchmarkAnnealed(b *testing.B) {
	for _, n := range []int{1, 256} {
		b.Run("chains="+itoa(n), func(b *testing.B) {
			a, err := NewAnnealed(data.NCSNMixture(), AnnealedConfig{Sigmas: GeometricSigmas(20, 1, 10), StepsPerLevel: 100, Eps: 0.1, Chain: ChainConfig{Seed: 1}})
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float32, 2*n)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := a.Run(context.Background(), x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*1000*n)/b.Elapsed().Seconds(), "chain-steps/s")
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
