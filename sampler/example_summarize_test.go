package sampler_test

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/sampler"
)

// Diagnostics of four MALA chains on N(3, 1) started far apart, at −20,
// −5, 10 and 25. Ten draws kept from the first step still show where
// each chain started, and R̂ says so; after a burn-in of 100 steps the
// chains agree, and the mean of 2000 draws per chain is within 3 Monte
// Carlo standard errors of the target's.
func ExampleSummarize() {
	target := data.NewIsotropicGaussian([]float64{3}, 1)
	for _, c := range []sampler.ChainConfig{
		{Seed: 1, Steps: 10, Thin: 1},
		{Seed: 1, BurnIn: 100, Steps: 2000, Thin: 1},
	} {
		m, err := sampler.NewMALA(target, sampler.MALAConfig{Step: 0.5, Chain: c})
		if err != nil {
			panic(err)
		}
		x := []float32{-20, -5, 10, 25} // four chains in one dimension
		tr, err := m.Run(context.Background(), x)
		if err != nil {
			panic(err)
		}
		s := sampler.Summarize(tr.Coordinate(0)) // = tr.Summary()[0]
		fmt.Printf("burn-in %d, %d draws per chain: R̂ < 1.01: %v", c.BurnIn, tr.Draws, s.RHat < 1.01)
		if s.RHat < 1.01 {
			fmt.Printf(", mean within 3 MCSE of 3: %v", math.Abs(s.Mean-3) < 3*s.MCSE)
		}
		fmt.Println()
	}
	// Output:
	// burn-in 0, 10 draws per chain: R̂ < 1.01: false
	// burn-in 100, 2000 draws per chain: R̂ < 1.01: true, mean within 3 MCSE of 3: true
}
