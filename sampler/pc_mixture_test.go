package sampler

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/data"
)

// pcMixture is the exact time-conditional score of data drawn from a
// mixture of Gaussians with diagonal covariances, Σₖ wₖ·N(μₖ, diag λₖ),
// under a score SDE. The perturbed marginal at t is again a mixture with
// the same weights: N(m·μₖ, m²·diag λₖ + σ²I) with (m, σ) =
// sde.Marginal(t) (VE: m = 1), so its score is the responsibility-weighted
// sum of the components' −(x − m·μₖ)/(m²λₖ + σ²). Diagonal covariances keep
// a score O(K·d) per point (data.Mixture's full covariances cost O(K·d²)),
// which the corrector sweeps at d = 64 need.
type pcMixture struct {
	sde  SDE
	d    int
	logW []float64
	mu   [][]float64
	lam  [][]float64
	mix  *data.Mixture // the same mixture, for drawing the data
}

// newPCMixture returns the mixture; it panics on bad input (test data).
func newPCMixture(sde SDE, w []float64, mu, lam [][]float64) *pcMixture {
	g := &pcMixture{sde: sde, d: len(mu[0]), mu: mu, lam: lam}
	comps := make([]*data.Gaussian, len(w))
	var sum float64
	for _, v := range w {
		sum += v
	}
	for k := range w {
		g.logW = append(g.logW, math.Log(w[k]/sum))
		cov := make([]float64, g.d*g.d)
		for j, l := range lam[k] {
			cov[j*g.d+j] = l
		}
		c, err := data.NewGaussian(mu[k], cov)
		if err != nil {
			panic(err)
		}
		comps[k] = c
	}
	mix, err := data.NewMixture(w, comps)
	if err != nil {
		panic(err)
	}
	g.mix = mix
	return g
}

// newPCTwoModes is the data of the corrector's tests and of
// BenchmarkPCCorrector in d dimensions: 0.7·N(+2u, diag λ₁) +
// 0.3·N(−2u, diag λ₂), u = (1, …, 1)/√d, with standard deviations
// spread from 0.3 to 1 across the coordinates (increasing in the first
// component, decreasing in the second), so the modes differ in shape and
// each is anisotropic.
func newPCTwoModes(sde SDE, d int) *pcMixture {
	mu := [][]float64{make([]float64, d), make([]float64, d)}
	lam := [][]float64{make([]float64, d), make([]float64, d)}
	for j := range d {
		mu[0][j] = 2 / math.Sqrt(float64(d))
		mu[1][j] = -mu[0][j]
		f := 0.0
		if d > 1 {
			f = float64(j) / float64(d-1)
		}
		s1, s2 := 0.3+0.7*f, 1-0.7*f
		lam[0][j], lam[1][j] = s1*s1, s2*s2
	}
	return newPCMixture(sde, []float64{0.7, 0.3}, mu, lam)
}

func (g *pcMixture) Dim() int { return g.d }

// TimeScore sets dst to the exact score of the perturbed mixture at t. It
// keeps no state, so blocks of chains may call it concurrently.
func (g *pcMixture) TimeScore(dst, x []float32, t float32) {
	const maxK = 64
	K, d := len(g.logW), g.d
	if K > maxK {
		panic("pcMixture: too many components")
	}
	m, sd := g.sde.Marginal(float64(t))
	var logc [maxK]float64 // log wₖ − ½·log det of component k at t
	for k := range K {
		c := g.logW[k]
		for _, l := range g.lam[k] {
			c -= 0.5 * math.Log(m*m*l+sd*sd)
		}
		logc[k] = c
	}
	for p := 0; p < len(x); p += d {
		row := x[p : p+d]
		var lk [maxK]float64
		mx := math.Inf(-1)
		for k := range K {
			var q float64
			for j, v := range row {
				e := float64(v) - m*g.mu[k][j]
				q += e * e / (m*m*g.lam[k][j] + sd*sd)
			}
			lk[k] = logc[k] - 0.5*q
			mx = max(mx, lk[k])
		}
		var z float64
		for k := range K {
			lk[k] = math.Exp(lk[k] - mx)
			z += lk[k]
		}
		for j, v := range row {
			var s float64
			for k := range K {
				s -= lk[k] / z * (float64(v) - m*g.mu[k][j]) / (m*m*g.lam[k][j] + sd*sd)
			}
			dst[p+j] = float32(s)
		}
	}
}

// sample returns n fresh draws from the data distribution.
func (g *pcMixture) sample(n int, rng *rand.Rand) []float32 {
	x := make([]float32, n*g.d)
	g.mix.Sample(x, rng)
	return x
}

// TestPCMixtureScore holds the helper to data.Mixture's exact
// noise-conditional score: under VE the perturbed data are X + σZ, whose
// score is NoiseScore at σ; under VP they are m·X + σZ = m·(X + (σ/m)Z),
// whose score at x is NoiseScore(x/m, σ/m)/m.
func TestPCMixtureScore(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sde := range []SDE{DefaultVE(), DefaultVP(), SubVP{0.1, 20, 1000}} {
		for _, d := range []int{1, 2, 5} {
			g := newPCTwoModes(sde, d)
			const n = 50
			x := make([]float32, n*d)
			for i := range x {
				x[i] = float32(3 * rng.NormFloat64())
			}
			for _, tt := range []float32{1e-3, 0.05, 0.3, 0.7, 1} {
				got := make([]float32, n*d)
				g.TimeScore(got, x, tt)
				m, sd := sde.Marginal(float64(tt))
				xs := make([]float32, n*d)
				for i, v := range x {
					xs[i] = float32(float64(v) / m)
				}
				want := make([]float32, n*d)
				g.mix.NoiseScore(want, xs, float32(sd/m))
				for i := range want {
					w := float64(want[i]) / m
					if math.Abs(float64(got[i])-w) > 1e-5*(1+math.Abs(w)) {
						t.Fatalf("%T d=%d t=%g: score[%d] = %g, data.Mixture gives %g", sde, d, tt, i, got[i], w)
					}
				}
			}
		}
	}
}
