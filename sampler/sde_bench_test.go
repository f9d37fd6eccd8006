package sampler

import (
	"context"
	"fmt"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// sdeBenchShapes are the batch shapes of the SDE benchmarks: many 2-d
// chains (toy data) and fewer 64-d ones.
var sdeBenchShapes = []struct{ chains, d int }{{1024, 2}, {256, 64}}

// sdeBenchScore is the exact score of N(μ, s²I) data for an SDE: a
// per-element affine map, so the benchmarks time the samplers, not a
// model.
func sdeBenchScore(sde SDE, d int) TimeScore {
	mu := make([]float64, d)
	for i := range mu {
		mu[i] = float64(i%3) - 1
	}
	return newSDEGaussIso(sde, mu, 0.5)
}

func sdeBenchRun(b *testing.B, chains, d int, sample func(context.Context, []float32) (SDEStats, error)) {
	ctx := context.Background()
	x := make([]float32, chains*d)
	if _, err := sample(ctx, x); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var evals int
	for range b.N {
		st, err := sample(ctx, x)
		if err != nil {
			b.Fatal(err)
		}
		evals += st.ScoreEvals
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(chains*b.N)/sec, "samples/s")
	b.ReportMetric(float64(evals)*float64(chains)/sec, "chain-evals/s")
}

// BenchmarkPC times the predictor–corrector sampler (VP, N = 1000,
// reverse diffusion plus one Langevin corrector step: 2000 score
// evaluations per sample) with the analytic Gaussian score.
func BenchmarkPC(b *testing.B) {
	for _, sh := range sdeBenchShapes {
		for _, w := range []int{1, 2} {
			name := fmt.Sprintf("%v/chains=%d/d=%d/workers=%d", kernel.Active(), sh.chains, sh.d, chainWorkers(w, sh.chains, sh.d))
			b.Run(name, func(b *testing.B) {
				sde := DefaultVP()
				p, err := NewPCSampler(sde, sdeBenchScore(sde, sh.d), PCConfig{Workers: w})
				if err != nil {
					b.Fatal(err)
				}
				sdeBenchRun(b, sh.chains, sh.d, p.Sample)
			})
		}
	}
}

// BenchmarkODE times the probability-flow ODE sampler (VP) with 100 Heun
// steps (200 evaluations) and with RK45 at rtol = atol = 10⁻⁵, with the
// analytic Gaussian score.
func BenchmarkODE(b *testing.B) {
	for _, m := range []ODEMethod{ODEHeun, ODERK45} {
		for _, sh := range sdeBenchShapes {
			for _, w := range []int{1, 2} {
				name := fmt.Sprintf("%v/%v/chains=%d/d=%d/workers=%d", kernel.Active(), m, sh.chains, sh.d, chainWorkers(w, sh.chains, sh.d))
				b.Run(name, func(b *testing.B) {
					sde := DefaultVP()
					o, err := NewODESampler(sde, sdeBenchScore(sde, sh.d), ODEConfig{Method: m, Steps: 100, Workers: w})
					if err != nil {
						b.Fatal(err)
					}
					sdeBenchRun(b, sh.chains, sh.d, o.Sample)
				})
			}
		}
	}
}

// BenchmarkLikelihood times the ODE log-likelihood (VP, RK45) with
// Rademacher probes by forward differences and with the exact divergence
// by d forward differences (d = 2).
func BenchmarkLikelihood(b *testing.B) {
	const chains, d = 1024, 2
	for _, mode := range []LikelihoodDivergence{LikelihoodRademacher, LikelihoodExact} {
		b.Run(fmt.Sprintf("%v/%v/chains=%d/d=%d", kernel.Active(), mode, chains, d), func(b *testing.B) {
			sde := DefaultVP()
			g := newSDEGaussIso(sde, []float64{1, -1}, 0.5)
			l, err := NewLikelihood(sde, g, LikelihoodConfig{Divergence: mode})
			if err != nil {
				b.Fatal(err)
			}
			x := sdeDataPoints(g, chains, 1)
			logp := make([]float64, chains)
			if _, err := l.LogP(context.Background(), logp, nil, x); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := l.LogP(context.Background(), logp, nil, x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(chains*b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}
