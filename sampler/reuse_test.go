package sampler

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/scorekit/scorekit/data"
)

// TestReuseAcrossBatchSizes: a sampler reused for batches of different
// sizes continues each chain — its streams and its state (the
// velocities) — where it stopped, so that chain c
// gets the numbers it would get in batches of a constant size, and a
// chain's draws never repeat. (The engine used to restart every stream
// at position 0 when the batch size changed.)
func TestReuseAcrossBatchSizes(t *testing.T) {
	for _, d := range []int{1, 3, 80} { // buffered noise below chainGroup; straight from the streams above
		g := data.NewIsotropicGaussian(make([]float64, d), 1)
		chain := ChainConfig{Seed: 7, Steps: 5}
		samplers := map[string]func() (func(x []float32) error, func() []float32){
			"ULA": func() (func([]float32) error, func() []float32) {
				u, _ := NewULA(g, ULAConfig{Step: 0.1, Chain: chain})
				return func(x []float32) error { _, err := u.Run(context.Background(), x); return err }, nil
			},
			"MALA": func() (func([]float32) error, func() []float32) {
				// Without adaptation: the adapted step is the batch's
				// geometric mean, so it depends on the other chains.
				m, _ := NewMALA(g, MALAConfig{Step: 0.05, Chain: chain})
				return func(x []float32) error { _, err := m.Run(context.Background(), x); return err }, nil
			},
			"Underdamped": func() (func([]float32) error, func() []float32) {
				u, _ := NewUnderdamped(g, UnderdampedConfig{Step: 0.2, Friction: 1, Chain: chain})
				return func(x []float32) error { _, err := u.Run(context.Background(), x); return err },
					func() []float32 { return u.Velocities()[:4*d] }
			},
		}
		for name, mk := range samplers {
			desc := fmt.Sprintf("%s d=%d", name, d)
			ref, refState := mk()
			run, state := mk()
			// ref runs 4 chains three times; run the same chains in
			// batches of 4, 6 and 4, each from the same states.
			var first []float32
			for i, n := range []int{4, 6, 4} {
				x := make([]float32, 4*d)
				if err := ref(x); err != nil {
					t.Fatal(err)
				}
				y := make([]float32, n*d)
				if err := run(y); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(x, y[:4*d]) {
					t.Fatalf("%s: run %d (%d chains): chains 0–3 = %v, want %v as in batches of 4", desc, i, n, y[:4*d], x)
				}
				if refState != nil && !slices.Equal(refState(), state()) {
					t.Fatalf("%s: run %d: state %v, want %v", desc, i, state(), refState())
				}
				if i == 0 {
					first = x
				} else if slices.Equal(first[:d], y[:d]) || n > 4 && slices.Equal(first[:d], y[4*d:5*d]) {
					t.Fatalf("%s: run %d repeats the first run's draws", desc, i)
				}
			}
		}
	}
}
