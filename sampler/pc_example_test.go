package sampler_test

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/sampler"
)

// sdeGaussData is the exact time-conditional score of data N(μ, s²I)
// under a score SDE: the perturbed marginal at t is N(m·μ, (m²s² + σ²)I)
// with (m, σ) = SDE.Marginal(t), so no training is needed.
type sdeGaussData struct {
	sde sampler.SDE
	mu  []float32
	s   float64
}

func (g sdeGaussData) Dim() int { return len(g.mu) }

func (g sdeGaussData) TimeScore(dst, x []float32, t float32) {
	m, sd := g.sde.Marginal(float64(t))
	v := float32(m*m*g.s*g.s + sd*sd)
	d := len(g.mu)
	for i := range x {
		dst[i] = -(x[i] - float32(m)*g.mu[i%d]) / v
	}
}

// sdeMeanStd returns the mean and standard deviation of coordinate j of
// the points of x.
func sdeMeanStd(x []float32, d, j int) (mean, std float64) {
	n := float64(len(x) / d)
	for i := j; i < len(x); i += d {
		mean += float64(x[i])
	}
	mean /= n
	for i := j; i < len(x); i += d {
		std += (float64(x[i]) - mean) * (float64(x[i]) - mean)
	}
	return mean, math.Sqrt(std / (n - 1))
}

// Sample 2-d Gaussian data N((2, −1), 0.5²I) with the predictor–corrector
// sampler of a VP SDE: reverse-diffusion predictor and one Langevin
// corrector step per time step, 1000 steps, 2000 chains.
func ExamplePCSampler() {
	sde := sampler.DefaultVP()
	score := sdeGaussData{sde: sde, mu: []float32{2, -1}, s: 0.5}
	pc, err := sampler.NewPCSampler(sde, score, sampler.PCConfig{SNR: 0.16, Seed: 1})
	if err != nil {
		panic(err)
	}
	x := make([]float32, 2000*2)
	st, err := pc.Sample(context.Background(), x)
	if err != nil {
		panic(err)
	}
	for j := range 2 {
		m, s := sdeMeanStd(x, 2, j)
		fmt.Printf("coordinate %d: mean %.1f, std %.1f\n", j, m, s)
	}
	fmt.Println("score evaluations:", st.ScoreEvals)
	// Output:
	// coordinate 0: mean 2.0, std 0.5
	// coordinate 1: mean -1.0, std 0.5
	// score evaluations: 2000
}
