package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
)

// Build a score network with New and train it by hand on sliced score
// matching: draw a batch, let the loss add its gradient, step Adam, and
// repack the layers (as Trainer does). The data are N(0, 0.5²I) in ℝ²,
// whose score is −4x; the loss on a held-out batch falls from the random
// network's towards its minimum −E‖∇log p‖²/2 = −4.
func ExampleNew() {
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{16}, Act: kernel.SiLU}, 1)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func(x []float32) {
		for i := range x {
			x[i] = float32(0.5 * rng.NormFloat64())
		}
	}
	loss := nn.SlicedSM{VR: true}
	heldOut := make([]float32, 2*1000)
	draw(heldOut)
	grad := make([]float32, m.NumParams())
	eval := func() float64 { // the loss on heldOut, its noise fixed
		return loss.Grad(m, heldOut, rand.New(rand.NewPCG(3, 4)), grad)
	}
	before := eval()

	opt := nn.NewAdam(m.NumParams(), 1e-2)
	x := make([]float32, 2*64) // a batch of 64 points
	for range 200 {
		draw(x)
		clear(grad)
		loss.Grad(m, x, rng, grad)
		opt.Step(m.Params(), grad)
		m.Repack()
	}
	after := eval()
	fmt.Printf("loss fell: %v; after training it is %.0f\n", after < before, after)
	// Output:
	// loss fell: true; after training it is -4
}
