package sampler_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/sampler"
)

// gaussMean is the posterior of the mean θ ∈ ℝ^d of N(θ, I) data under
// the prior N(0, 10²I), given term by term for SGLD and SGHMC.
type gaussMean struct {
	d int
	y []float32 // N×d
}

func newGaussMean(d, n int) *gaussMean {
	rng := rand.New(rand.NewPCG(5, uint64(d)))
	g := &gaussMean{d: d, y: make([]float32, n*d)}
	for i := range g.y {
		g.y[i] = float32(1 + rng.NormFloat64())
	}
	return g
}

func (g *gaussMean) Dim() int { return g.d }
func (g *gaussMean) Len() int { return len(g.y) / g.d }
func (g *gaussMean) PriorScore(dst, th []float32) {
	for i := range dst {
		dst[i] = -th[i] / 100
	}
}
func (g *gaussMean) DataScore(dst, th []float32, idx []int) {
	clear(dst)
	for _, k := range idx {
		for i, y := range g.y[k*g.d : (k+1)*g.d] {
			dst[i] += y - th[i]
		}
	}
}

// BenchmarkChainStep is one step of 1024 chains of each Langevin sampler
// that mixes its draws (MALA's normals and accept uniforms, SGLD's and
// SGHMC's minibatch indices and normals, underdamped Langevin's normals
// between its kicks and drifts) at d = 2 and d = 64, on one goroutine:
// the standard Gaussian of package data (MALA, underdamped) and the
// posterior of a Gaussian mean from 1000 points, minibatches of 16
// (SGLD, SGHMC). At small d the random draws are most of a step's work.
//
//	go test ./sampler -run '^$' -bench ChainStep -count 8 | benchstat -
func BenchmarkChainStep(b *testing.B) {
	const chains = 1024
	for _, d := range []int{2, 64} {
		gauss := data.NewIsotropicGaussian(make([]float64, d), 1)
		post := newGaussMean(d, 1000)
		for _, tc := range []struct {
			name string
			run  func(sampler.ChainConfig) func(context.Context, []float32) (*sampler.Trace, error)
		}{
			{"MALA", func(c sampler.ChainConfig) func(context.Context, []float32) (*sampler.Trace, error) {
				return must(sampler.NewMALA(gauss, sampler.MALAConfig{Step: 0.5, Chain: c})).Run
			}},
			{"SGLD", func(c sampler.ChainConfig) func(context.Context, []float32) (*sampler.Trace, error) {
				return must(sampler.NewSGLD(post, sampler.SGLDConfig{A: 1e-4, Batch: 16, Chain: c})).Run
			}},
			{"SGHMC", func(c sampler.ChainConfig) func(context.Context, []float32) (*sampler.Trace, error) {
				return must(sampler.NewSGHMC(post, sampler.SGHMCConfig{Step: 1e-3, Friction: 10, Batch: 16, Chain: c})).Run
			}},
			{"BAOAB", func(c sampler.ChainConfig) func(context.Context, []float32) (*sampler.Trace, error) {
				return must(sampler.NewUnderdamped(gauss, sampler.UnderdampedConfig{Step: 0.5, Friction: 1, Chain: c})).Run
			}},
		} {
			b.Run(fmt.Sprintf("%s/d=%d", tc.name, d), func(b *testing.B) {
				x := make([]float32, chains*d)
				run := tc.run(sampler.ChainConfig{Seed: 1, Steps: b.N, Workers: 1, Segment: 1 << 20})
				b.ReportAllocs()
				b.ResetTimer()
				if _, err := run(context.Background(), x); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N*chains)/b.Elapsed().Seconds(), "chain-steps/s")
			})
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
