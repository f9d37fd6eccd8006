package sampler_test

import (
	"context"
	"fmt"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/sampler"
)

// MALA on the banana: 16 chains started at the origin, step size adapted
// during burn-in, every 5th state kept.
func ExampleMALA() {
	target := data.NewBanana()
	m, err := sampler.NewMALA(target, sampler.MALAConfig{
		Step:  0.5,
		Adapt: true,
		Chain: sampler.ChainConfig{Seed: 42, BurnIn: 500, Steps: 2000, Thin: 5},
	})
	if err != nil {
		panic(err)
	}
	x := make([]float32, 16*target.Dim()) // 16 chains, row-major
	tr, err := m.Run(context.Background(), x)
	if err != nil {
		panic(err)
	}
	fmt.Println(tr.Draws, "draws of", tr.Chains, "chains")
	rate := m.Acceptance().Rate()
	fmt.Println("acceptance near 0.574:", rate > 0.45 && rate < 0.7)
	// Output:
	// 400 draws of 16 chains
	// acceptance near 0.574: true
}

// Annealed Langevin with the exact noise-conditional score of the NCSN toy
// mixture: the fraction of chains in the heavier mode comes out near 0.8.
func ExampleAnnealed() {
	mix := data.NCSNMixture()
	a, err := sampler.NewAnnealed(mix, sampler.AnnealedConfig{
		Sigmas:        sampler.GeometricSigmas(20, 1, 10),
		StepsPerLevel: 100,
		Eps:           0.1,
		Denoise:       true,
		Chain:         sampler.ChainConfig{Seed: 1},
	})
	if err != nil {
		panic(err)
	}
	const n = 500
	x := make([]float32, 2*n)
	if _, err := a.Run(context.Background(), x); err != nil {
		panic(err)
	}
	var k int
	for c := 0; c < n; c++ {
		if x[2*c]+x[2*c+1] > 0 {
			k++
		}
	}
	f := float64(k) / n
	fmt.Println("weight of (5, 5) within 0.05 of 0.8:", f > 0.75 && f < 0.85)
	// Output:
	// weight of (5, 5) within 0.05 of 0.8: true
}

// ULA on N(0, 1) with h = 0.2 and the diagnostics of the kept draws: the
// variance is 1/(1 − h/2) ≈ 1.11, ULA's known bias.
func ExampleULA() {
	g := data.NewIsotropicGaussian([]float64{0}, 1)
	u, err := sampler.NewULA(g, sampler.ULAConfig{Step: 0.2, Chain: sampler.ChainConfig{Seed: 7, BurnIn: 100, Steps: 4000, Thin: 1}})
	if err != nil {
		panic(err)
	}
	x := make([]float32, 8) // 8 chains in one dimension
	tr, err := u.Run(context.Background(), x)
	if err != nil {
		panic(err)
	}
	s := tr.Summary()[0]
	fmt.Printf("sd %.1f (√1.11 = 1.05), R̂ < 1.01: %v\n", s.SD, s.RHat < 1.01)
	// Output:
	// sd 1.1 (√1.11 = 1.05), R̂ < 1.01: true
}
