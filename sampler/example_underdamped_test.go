package sampler_test

import (
	"context"
	"fmt"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/sampler"
)

// Underdamped Langevin dynamics split as BAOAB on N(0, diag(1, 4)). For a
// Gaussian target BAOAB's positions have exactly the target's law at any
// stable step (Leimkuhler & Matthews 2013), so even with h = 0.5 the
// standard deviations come out as 1 and 2, where ULA with that step
// would give 1.15 and 2.07 (see [sampler.ULA]).
func ExampleNewUnderdamped() {
	target, err := data.NewGaussian([]float64{0, 0}, []float64{1, 0, 0, 4})
	if err != nil {
		panic(err)
	}
	u, err := sampler.NewUnderdamped(target, sampler.UnderdampedConfig{
		Step: 0.5, Friction: 1, Scheme: sampler.BAOAB,
		Chain: sampler.ChainConfig{Seed: 3, BurnIn: 100, Steps: 2000, Thin: 4},
	})
	if err != nil {
		panic(err)
	}
	x := make([]float32, 32*2) // 32 chains in ℝ², all starting at the origin
	tr, err := u.Run(context.Background(), x)
	if err != nil {
		panic(err)
	}
	sd := []float64{1, 2} // the target's
	for j, s := range tr.Summary() {
		fmt.Printf("x%d: sd/target's %.1f, mean within 3 MCSE of 0: %v\n", j, s.SD/sd[j], s.Mean*s.Mean < 9*s.MCSE*s.MCSE)
	}
	// Output:
	// x0: sd/target's 1.0, mean within 3 MCSE of 0: true
	// x1: sd/target's 1.0, mean within 3 MCSE of 0: true
}
