package nn_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
)

// ring is a toy data set: points near the unit circle.
type ring struct{}

func (ring) Dim() int { return 2 }

func (ring) Sample(dst []float32, rng *rand.Rand) {
	for i := 0; i < len(dst); i += 2 {
		a := 2 * math.Pi * rng.Float64()
		r := 1 + 0.05*rng.NormFloat64()
		dst[i] = float32(r * math.Cos(a))
		dst[i+1] = float32(r * math.Sin(a))
	}
}

// Train a noise-conditional score network with NCSN's denoising loss,
// then ask it for scores at one noise level, as annealed Langevin does.
func ExampleTrainer() {
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{32, 32}, Act: kernel.SiLU, Cond: nn.CondLogSigma, ScaleBySigma: true}, 1)
	if err != nil {
		panic(err)
	}
	tr := nn.Trainer{
		Model: m,
		Loss:  nn.NCDSM{Sigmas: []float64{1, 0.5, 0.25, 0.1}},
		Data:  ring{},
		Batch: 128,
		Steps: 200,
		Seed:  1,
	}
	if err := tr.Run(context.Background()); err != nil {
		panic(err)
	}
	// Far outside the ring the score points back towards it.
	s := make([]float32, 2)
	m.NoiseScore(s, []float32{3, 0}, 0.5)
	fmt.Println("score at (3, 0) points inwards:", s[0] < 0)
	// Output: score at (3, 0) points inwards: true
}

// Train on two goroutines: each step's matrix products, and the passes
// between them, are split between them, and the weights come out the
// same, bit for bit, as on one. (Two pay only on a core that is free; see
// BENCHMARKS.md.)
func ExampleModel_SetWorkers() {
	cfg := nn.Config{Dim: 2, Hidden: []int{64, 64}, Act: kernel.SiLU}
	var weights [][]float32
	for _, workers := range []int{1, 2} {
		m, err := nn.New(cfg, 1)
		if err != nil {
			panic(err)
		}
		m.SetWorkers(workers)
		tr := nn.Trainer{Model: m, Loss: nn.SlicedSM{VR: true}, Data: ring{}, Batch: 1024, Steps: 5, Seed: 1}
		if err := tr.Run(context.Background()); err != nil {
			panic(err)
		}
		weights = append(weights, m.Params())
	}
	fmt.Println("same weights:", slices.Equal(weights[0], weights[1]))
	// Output: same weights: true
}

// Load a model exported from PyTorch by scripts/export_torch.py.
func ExampleLoad() {
	f, err := os.Open("testdata/torch_mlp.safetensors")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	m, err := nn.Load(f)
	if err != nil {
		panic(err)
	}
	fmt.Println("widths:", m.Config().Widths())
	// Output: widths: [3 16 16 16 16 16 16 16 3]
}

// Save a model and read it back.
func ExampleModel_Save() {
	m, _ := nn.New(nn.Config{Dim: 2, Hidden: []int{8}, Act: kernel.Tanh, Energy: true}, 1)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		panic(err)
	}
	m2, err := nn.Load(&buf)
	if err != nil {
		panic(err)
	}
	lp := make([]float32, 1)
	lp2 := make([]float32, 1)
	m.LogDensity(lp, []float32{0.5, -1})
	m2.LogDensity(lp2, []float32{0.5, -1})
	fmt.Println(m2.NumParams(), lp[0] == lp2[0])
	// Output: 33 true
}
