package sampler

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPCCorrectorSmallSigma shows, with exact scores in d = 2 (VE, N = 200,
// 1000 chains), where the Langevin corrector is harmless and where it
// hurts, by the samples' width within their mode (pcWithin: d = 2 for the
// data, and 1/4 of that for the data narrowed fourfold in variance), each
// bound widened by 4.5 standard errors of a 1000-row mean of the data's:
//
//   - with the data's exact score the default corrector keeps the width
//     (within a 10% discretisation budget);
//   - PerChainSNR makes it more than 1.5 times too wide: a chain's step
//     2·snr²·‖z‖²/‖s‖² is 2·snr²σ² times an F(d, d) variable near a mode
//     of scale σ, whose mean is infinite for d ≤ 2;
//   - with a score that is exact for σ(t) ≥ 0.05 and the narrowed data's
//     below (the data's scale is 0.3 to 1: a stand-in for a trained
//     network, which denoising score matching fits worst at small σ(t)),
//     reverse diffusion alone keeps the width within 10%, as its steps
//     below σ(t) = 0.05 add up to a variance of 0.05², small beside the
//     data's, but the corrector, whose step follows ‖s‖ (the data's
//     scale) rather than σ(t), runs Langevin on the wrong score long
//     enough to come nearer the narrowed width than the data's.
func TestPCCorrectorSmallSigma(t *testing.T) {
	const n = 1000
	sde := VE{SigmaMin: 0.01, SigmaMax: 5, N: 200}
	g := newPCTwoModes(sde, 2)
	bad := pcSwitchScore{g, pcNarrowed(g, 4), 0.05}
	const big = 20000
	truth, se := pcWithin(g, g.sample(big, rand.New(rand.NewPCG(1, 1))))
	// The standard error of a mean over n rows drawn from the data (the
	// samples' own is no guide: PerChainSNR's widths are heavy-tailed).
	se *= math.Sqrt(big / n)
	run := func(score TimeScore, cfg PCConfig) float64 {
		cfg.Seed = 5
		p, err := NewPCSampler(sde, score, cfg)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, n*2)
		if _, err := p.Sample(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		w, _ := pcWithin(g, x)
		return w
	}
	for _, c := range []struct {
		name   string
		score  TimeScore
		cfg    PCConfig
		lo, hi float64 // bounds on the width, before the 4.5 standard errors
	}{
		{"exact, default corrector", g, PCConfig{}, 0.9 * truth, 1.1 * truth},
		{"exact, PerChainSNR", g, PCConfig{PerChainSNR: true}, 1.5 * truth, math.Inf(1)},
		{"wrong at small σ, no corrector", bad, PCConfig{Corrector: PCNoCorrector}, 0.9 * truth, 1.1 * truth},
		{"wrong at small σ, default corrector", bad, PCConfig{}, 0, (truth + truth/4) / 2},
	} {
		w := run(c.score, c.cfg)
		t.Logf("%-36s width %.3f (data %.3f ± %.3f, narrowed data %.3f)", c.name, w, truth, se, truth/4)
		if !(w > c.lo-4.5*se && w < c.hi+4.5*se) {
			t.Errorf("%s: width %.3f ± %.3f, want in [%.3f, %.3f] ± 4.5 standard errors", c.name, w, se, c.lo, c.hi)
		}
	}
}

// pcSwitchScore is the exact score of good where σ(t) ≥ below, and of bad
// (the same SDE, other data) where σ(t) < below: a stand-in for a trained
// model, which denoising score matching fits worst at the smallest σ(t).
type pcSwitchScore struct {
	good, bad *pcMixture
	below     float64
}

func (s pcSwitchScore) Dim() int { return s.good.d }

func (s pcSwitchScore) TimeScore(dst, x []float32, t float32) {
	if _, sd := s.good.sde.Marginal(float64(t)); sd < s.below {
		s.bad.TimeScore(dst, x, t)
		return
	}
	s.good.TimeScore(dst, x, t)
}

// pcNarrowed returns g with every component's variances divided by f.
func pcNarrowed(g *pcMixture, f float64) *pcMixture {
	lam := make([][]float64, len(g.lam))
	for k, l := range g.lam {
		for _, v := range l {
			lam[k] = append(lam[k], v/f)
		}
	}
	w := make([]float64, len(g.logW))
	for k, l := range g.logW {
		w[k] = math.Exp(l)
	}
	return newPCMixture(g.sde, w, g.mu, lam)
}

// pcWithin returns the mean over rows of the squared Mahalanobis distance
// (x − μₖ)ᵀ diag(λₖ)⁻¹ (x − μₖ) to the component k of g's data (at t = 0)
// that gives the row the highest density: a width that the modes' spacing
// does not dominate, d in expectation for rows drawn from one component;
// and the standard error of that mean.
func pcWithin(g *pcMixture, x []float32) (mean, se float64) {
	d, n := g.d, len(x)/g.d
	var sum, ss float64
	for r := range n {
		row := x[r*d : r*d+d]
		best, bq := math.Inf(-1), 0.0
		for k := range g.logW {
			var q, logdet float64
			for j, v := range row {
				e := float64(v) - g.mu[k][j]
				q += e * e / g.lam[k][j]
				logdet += math.Log(g.lam[k][j])
			}
			if l := g.logW[k] - 0.5*(q+logdet); l > best {
				best, bq = l, q
			}
		}
		sum += bq
		ss += bq * bq
	}
	mean = sum / float64(n)
	return mean, math.Sqrt((ss/float64(n) - mean*mean) / float64(n-1))
}
