package sampler

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// newSDEGaussHouse is a d-dimensional Gaussian whose eigenvectors are the
// columns of the Householder reflection I − 2vvᵀ/‖v‖², so that its
// Jacobians are far from diagonal.
func newSDEGaussHouse(sde SDE, mu, lam, v []float64) *sdeGauss {
	d := len(mu)
	var vv float64
	for _, a := range v {
		vv += a * a
	}
	q := make([][]float64, d)
	for i := range q {
		q[i] = make([]float64, d)
		for j := range d {
			q[i][j] = -2 * v[i] * v[j] / vv
			if i == j {
				q[i][j]++
			}
		}
	}
	return &sdeGauss{sde: sde, mu: mu, lam: lam, q: q}
}

// sdeDataPoints draws n points of g's data distribution.
func sdeDataPoints(g *sdeGauss, n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	d := g.Dim()
	x := make([]float32, n*d)
	u := make([]float64, d)
	for c := range n {
		for k := range d {
			u[k] = r.NormFloat64() * math.Sqrt(g.lam[k])
		}
		for i := range d {
			s := g.mu[i]
			for k := range d {
				if g.q == nil {
					if i == k {
						s += u[k]
					}
					continue
				}
				s += g.q[i][k] * u[k]
			}
			x[c*d+i] = float32(s)
		}
	}
	return x
}

// sdePriorMismatch is log p_T(z) − log π(z): the exact marginal at T
// against the SDE's prior, the error the reference's formula makes by
// design whatever the integrator.
func sdePriorMismatch(g *sdeGauss, z []float32) float64 {
	return g.logDensity(z, g.sde.End()) - SDEPriorLogP(g.sde, z)
}

// TestLikelihoodGaussian compares the ODE log-likelihood with the exact
// log density log p_ε(x) of Gaussian data perturbed to ε = 10⁻⁵, for every
// SDE and every exact way to take the divergence (the model's exact
// divergence, d Jacobian–vector products, d forward differences): within
// 3·10⁻⁴ nats per point (RK45 at rtol = atol = 10⁻⁵; the score is
// evaluated in float32), once the prior's mismatch with the true marginal
// at T is accounted for. That mismatch is logged: up to 0.1 nats for the
// default VE (prior N(0, 50²I) against N(μ, 50²I + Σ)) and 0.03 for VP.
func TestLikelihoodGaussian(t *testing.T) {
	mu := []float64{1, -2}
	for _, sde := range []SDE{DefaultVE(), DefaultVP(), DefaultSubVP()} {
		g := newSDEGauss2(sde, mu, [2]float64{0.25, 1}, 0.5)
		x := sdeDataPoints(g, 50, 1)
		for _, score := range []TimeScore{sdeGaussDiv{g}, sdeGaussJVP{g}, g} {
			name := fmt.Sprintf("%T/%T", sde, score)
			l, err := NewLikelihood(sde, score, LikelihoodConfig{Divergence: LikelihoodExact})
			if err != nil {
				t.Fatal(err)
			}
			logp := make([]float64, 50)
			z := make([]float32, len(x))
			st, err := l.LogP(context.Background(), logp, z, x)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var worst, prior float64
			for c := range logp {
				want := g.logDensity(x[2*c:2*c+2], l.Config().Eps)
				mis := sdePriorMismatch(g, z[2*c:2*c+2])
				prior = max(prior, math.Abs(mis))
				worst = max(worst, math.Abs(logp[c]+mis-want))
			}
			if worst > 3e-4 {
				t.Errorf("%s: log-likelihood off by up to %.3g nats", name, worst)
			}
			// The latents are the exact flow's images.
			var zerr float64
			for c := range 50 {
				want := sdeExactFlow(g, x[2*c:2*c+2], l.Config().Eps, 1)
				for j := range 2 {
					zerr = max(zerr, math.Abs(float64(z[2*c+j])-want[j])/sde.PriorStd())
				}
			}
			if zerr > 1e-3 {
				t.Errorf("%s: latents off by %.3g of the prior's scale", name, zerr)
			}
			t.Logf("%s: largest error %.3g nats (prior mismatch up to %.3g), latents %.3g; %+v", name, worst, prior, zerr, st)
		}
	}
}

// TestLikelihoodHutchinson checks the Hutchinson log-likelihoods on a
// 4-d Gaussian with a non-diagonal covariance: their errors against the
// exact log density (net of the prior's mismatch) average to zero within
// 4.5 standard errors over 400 points (the probes are drawn once per point and call).
func TestLikelihoodHutchinson(t *testing.T) {
	sde := DefaultVP()
	g := newSDEGaussHouse(sde, []float64{1, -1, 0.5, 2}, []float64{0.1, 0.5, 1, 2}, []float64{1, 2, -1, 0.5})
	x := sdeDataPoints(g, 400, 2)
	for _, mode := range []LikelihoodDivergence{LikelihoodRademacher, LikelihoodGaussian} {
		for _, score := range []TimeScore{g, sdeGaussJVP{g}} {
			name := fmt.Sprintf("%v/%T", mode, score)
			l, err := NewLikelihood(sde, score, LikelihoodConfig{Divergence: mode, Seed: 9})
			if err != nil {
				t.Fatal(err)
			}
			logp := make([]float64, 400)
			z := make([]float32, len(x))
			if _, err := l.LogP(context.Background(), logp, z, x); err != nil {
				t.Fatal(err)
			}
			var s, ss float64
			for c := range logp {
				e := logp[c] + sdePriorMismatch(g, z[4*c:4*c+4]) - g.logDensity(x[4*c:4*c+4], l.Config().Eps)
				s += e
				ss += e * e
			}
			n := float64(len(logp))
			mean := s / n
			se := math.Sqrt((ss/n - mean*mean) / n)
			if math.Abs(mean) > 4.5*se+2e-4 {
				t.Errorf("%s: mean error %.4g nats, standard error %.3g", name, mean, se)
			}
			t.Logf("%s: mean error %.4g ± %.3g nats (per-point spread %.3g)", name, mean, se, se*math.Sqrt(n))
		}
	}
}

// TestLikelihoodProbeUnbiased checks Hutchinson's estimator itself: over
// 20000 probes at one point, the mean of vᵀ(∂s/∂x)v matches the exact
// divergence within 4.5 standard errors, where the variance is
// 2Σ_{i≠j}J_ij² (Rademacher) or 2‖J‖_F² (Gaussian), J symmetric.
func TestLikelihoodProbeUnbiased(t *testing.T) {
	sde := DefaultVP()
	g := newSDEGaussHouse(sde, []float64{1, -1, 0.5, 2}, []float64{0.1, 0.5, 1, 2}, []float64{1, 2, -1, 0.5})
	const tt, K = 0.3, 20000
	J := g.jacobian(tt)
	var off, fro float64
	for i := range J {
		for j := range J {
			fro += J[i][j] * J[i][j]
			if i != j {
				off += J[i][j] * J[i][j]
			}
		}
	}
	exact := g.exactDiv(tt)
	x := sdeDataPoints(g, K, 3)[:4]
	for _, mode := range []LikelihoodDivergence{LikelihoodRademacher, LikelihoodGaussian} {
		for _, score := range []TimeScore{g, sdeGaussJVP{g}} {
			l, err := NewLikelihood(sde, score, LikelihoodConfig{Divergence: mode, Seed: 4})
			if err != nil {
				t.Fatal(err)
			}
			l.resize(K)
			for c := range K {
				copy(l.x32[4*c:], x)
				l.streams[c] = sdeNewStream(4, uint64(c))
				l.drawProbe(c)
			}
			l.div(0, K, tt)
			var s float64
			for _, v := range l.div64 {
				s += v
			}
			mean := s / K
			vr := 2 * off
			if mode == LikelihoodGaussian {
				vr = 2 * fro
			}
			se := math.Sqrt(vr / K)
			if math.Abs(mean-exact) > 4.5*se {
				t.Errorf("%v/%T: mean estimate %.5g, exact %.5g, standard error %.3g", mode, score, mean, exact, se)
			}
			t.Logf("%v/%T: mean estimate %.5g, exact %.5g (±%.2g)", mode, score, mean, exact, se)
		}
	}
}

// TestLikelihoodWorkers checks that the log-likelihoods and latents do
// not depend on the number of goroutines nor on GOMAXPROCS, blocks of one
// chain allowed.
func TestLikelihoodWorkers(t *testing.T) {
	smallBlocks(t)
	g := newSDEGauss2(DefaultVP(), []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	x := sdeDataPoints(g, 37, 5)
	for _, mode := range []LikelihoodDivergence{LikelihoodRademacher, LikelihoodExact} {
		var ref []float64
		var refZ []float32
		for _, pw := range splits {
			logp := make([]float64, 37)
			z := make([]float32, len(x))
			var l *Likelihood
			var want int
			withProcs(pw[0], func() {
				want = chainWorkers(pw[1], 37, 2)
				var err error
				if l, err = NewLikelihood(g.sde, g, LikelihoodConfig{Divergence: mode, Workers: pw[1]}); err != nil {
					t.Fatal(err)
				}
				if _, err := l.LogP(context.Background(), logp, z, x); err != nil {
					t.Fatal(err)
				}
			})
			if l.team.blocks() != want || (pw[1] > 1 && want < 2) {
				t.Fatalf("GOMAXPROCS %d, Workers %d: %d blocks, want %d", pw[0], pw[1], l.team.blocks(), want)
			}
			if ref == nil {
				ref, refZ = logp, z
			} else if !slices.Equal(ref, logp) || !slices.Equal(refZ, z) {
				t.Errorf("%v: GOMAXPROCS %d, Workers %d differ from one worker", mode, pw[0], pw[1])
			}
		}
	}
}

func TestLikelihoodAllocs(t *testing.T) {
	g := newSDEGauss2(DefaultVP(), []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	x := sdeDataPoints(g, 100, 5)
	logp := make([]float64, 100)
	for _, mode := range []LikelihoodDivergence{LikelihoodRademacher, LikelihoodExact} {
		l, _ := NewLikelihood(g.sde, g, LikelihoodConfig{Divergence: mode, Workers: 1})
		l.LogP(context.Background(), logp, nil, x)
		if a := testing.AllocsPerRun(3, func() { l.LogP(context.Background(), logp, nil, x) }); a != 0 {
			t.Errorf("%v: %v allocations per call", mode, a)
		}
	}
}

func TestLikelihoodBitsPerDim(t *testing.T) {
	if got := LikelihoodBitsPerDim(-2*math.Ln2*3, 3); math.Abs(got-2) > 1e-15 {
		t.Errorf("bits/dim = %g, want 2", got)
	}
	wantPanic(t, func() { LikelihoodBitsPerDim(-1, 0) }, "sampler: LikelihoodBitsPerDim: dimension 0, want ≥ 1")
}
