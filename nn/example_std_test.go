package nn_test

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// Train a time-conditional score network for the VE SDE with its output
// divided by the SDE's σ(t) (score_sde's scale_by_sigma), as scorekit
// train -loss ve does: the network's target is −z at every t, of order 1
// whatever σ(t). The model divides by the σ(t) of the SDE given to
// SetPerturbation, and ContinuousDSM with no SDE trains on it; after
// nn.Load, set it again before scoring.
func ExampleModel_SetPerturbation() {
	sde := sampler.VE{SigmaMin: 0.01, SigmaMax: 50, N: 1000}
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{32, 32}, Act: kernel.SiLU, Cond: nn.CondTime, Fourier: 8, FourierScale: 4, ScaleBySigma: true}, 1)
	if err != nil {
		panic(err)
	}
	m.SetPerturbation(sde)
	var first, last float64
	tr := nn.Trainer{
		Model: m, Loss: nn.ContinuousDSM{}, Data: ring{}, Steps: 300, Seed: 1,
		Callback: func(step int, loss, _ float64) error {
			if step == 1 {
				first = loss
			}
			last = loss
			return nil
		},
	}
	if err := tr.Run(context.Background()); err != nil {
		panic(err)
	}
	fmt.Println("loss fell:", last < first)

	// The score divides the network's output by σ(t): call it with the
	// times the sampler steps through.
	s := make([]float32, 2)
	m.TimeScore(s, []float32{3, -4}, 0.5)
	fmt.Println("finite:", !math.IsNaN(float64(s[0]+s[1])) && !math.IsInf(float64(s[0]+s[1]), 0))
	// Output:
	// loss fell: true
	// finite: true
}
