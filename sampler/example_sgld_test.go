package sampler_test

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/sampler"
)

// normalMean is the posterior of the mean θ of N(θ, 1) data under the
// prior θ ~ N(0, 1), given term by term for minibatches.
type normalMean struct{ y []float64 }

func (g normalMean) Dim() int { return 1 }
func (g normalMean) Len() int { return len(g.y) }

// PriorScore is ∇log N(θ; 0, 1) = −θ.
func (g normalMean) PriorScore(dst, th []float32) { dst[0] = -th[0] }

// DataScore is Σᵢ ∇log N(yᵢ; θ, 1) = Σᵢ (yᵢ − θ) over the minibatch.
func (g normalMean) DataScore(dst, th []float32, idx []int) {
	var s float64
	for _, i := range idx {
		s += g.y[i] - float64(th[0])
	}
	dst[0] = float32(s)
}

// SGLD with minibatches of 10 of 100 observations and a decreasing step
// on a conjugate model: the posterior is N(Σy/(N+1), 1/(N+1)), and the
// mean of 1000 chains' final states lands on its mean.
func ExampleNewSGLD() {
	const N = 100
	g := normalMean{y: make([]float64, N)}
	for i := range g.y {
		g.y[i] = 2 + math.Cos(2*math.Pi*float64(i)/N) // Σy = 200
	}
	post := 200.0 / (N + 1) // the exact posterior mean
	s, err := sampler.NewSGLD(g, sampler.SGLDConfig{
		A: 0.035, B: 10, Gamma: 0.55, // h_t = 0.035·(10 + t)^−0.55: 0.01 down to 0.0008
		Batch: 10,
		Chain: sampler.ChainConfig{Seed: 1, Steps: 1000},
	})
	if err != nil {
		panic(err)
	}
	const chains = 1000
	x := make([]float32, chains) // every chain starts at θ = 0
	if _, err := s.Run(context.Background(), x); err != nil {
		panic(err)
	}
	var mean float64
	for _, v := range x {
		mean += float64(v)
	}
	mean /= chains
	fmt.Printf("posterior mean %.3f, SGLD within 0.01 of it: %v\n", post, math.Abs(mean-post) < 0.01)
	// Output:
	// posterior mean 1.980, SGLD within 0.01 of it: true
}
