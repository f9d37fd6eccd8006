package sampler_test

import (
	"context"
	"fmt"

	"github.com/scorekit/scorekit/sampler"
)

// Sample the same Gaussian data through the probability-flow ODE of a VE
// SDE, with adaptive RK45, and then with 100 Heun steps.
func ExampleODESampler() {
	sde := sampler.DefaultVE()
	score := sdeGaussData{sde: sde, mu: []float32{2, -1}, s: 0.5}
	for _, m := range []sampler.ODEMethod{sampler.ODERK45, sampler.ODEHeun} {
		ode, err := sampler.NewODESampler(sde, score, sampler.ODEConfig{Method: m, Steps: 100, Seed: 1})
		if err != nil {
			panic(err)
		}
		x := make([]float32, 2000*2)
		if _, err := ode.Sample(context.Background(), x); err != nil {
			panic(err)
		}
		m0, s0 := sdeMeanStd(x, 2, 0)
		m1, s1 := sdeMeanStd(x, 2, 1)
		fmt.Printf("%v: mean (%.1f, %.1f), std (%.1f, %.1f)\n", m, m0, m1, s0, s1)
	}
	// Output:
	// rk45: mean (2.0, -1.0), std (0.5, 0.5)
	// heun: mean (2.0, -1.0), std (0.5, 0.5)
}
