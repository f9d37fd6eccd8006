package sampler_test

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/sampler"
)

// ring is the posterior of the mean θ of N(θ, I) data in ℝ² under a flat
// prior: 100 points on a circle about (1, −2) with covariance I, so the
// posterior is N(ȳ, I/100) and the minibatch score's noise has variance
// V = N²/n per coordinate for batches of n.
type ring struct{ y [][2]float64 }

func (r ring) Dim() int                    { return 2 }
func (r ring) Len() int                    { return len(r.y) }
func (r ring) PriorScore(dst, _ []float32) { dst[0], dst[1] = 0, 0 }
func (r ring) DataScore(dst, th []float32, idx []int) {
	var g0, g1 float64
	for _, i := range idx {
		g0 += r.y[i][0] - float64(th[0])
		g1 += r.y[i][1] - float64(th[1])
	}
	dst[0], dst[1] = float32(g0), float32(g1)
}

// SGHMC with and without the gradient-noise correction B̂ = ½·h·V: without
// it the minibatch noise adds to the injected noise and the chains'
// variance overshoots the posterior's by 1 + B̂/γ = 1.5.
func ExampleSGHMC() {
	const N, batch, h, gamma = 100, 10, 0.01, 10.0
	r := ring{y: make([][2]float64, N)}
	for i := range r.y {
		phi := 2 * math.Pi * float64(i) / N
		r.y[i] = [2]float64{1 + math.Sqrt2*math.Cos(phi), -2 + math.Sqrt2*math.Sin(phi)}
	}
	V := float64(N*N) / batch // Var of each coordinate of the minibatch score
	for _, bhat := range []float64{0, h * V / 2} {
		s, err := sampler.NewSGHMC(r, sampler.SGHMCConfig{
			Step: h, Friction: gamma, NoiseEstimate: bhat, Batch: batch,
			Chain: sampler.ChainConfig{Seed: 1, Steps: 400},
		})
		if err != nil {
			panic(err)
		}
		x := make([]float32, 2*4096) // 4096 chains, each ending at one draw
		if _, err := s.Run(context.Background(), x); err != nil {
			panic(err)
		}
		var ss float64
		for c := 0; c < 4096; c++ {
			d0, d1 := float64(x[2*c])-1, float64(x[2*c+1])+2
			ss += d0*d0 + d1*d1
		}
		fmt.Printf("B̂ = %g: variance / posterior's = %.1f\n", bhat, ss/(2*4096)/(1.0/N))
	}
	// Output:
	// B̂ = 0: variance / posterior's = 1.5
	// B̂ = 5: variance / posterior's = 1.0
}
