package data

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMessagesSingular: messages that count say "1 row", "1 entry",
// "1 projection", "1 component", never "1 rows".
func TestMessagesSingular(t *testing.T) {
	one := []float32{0.5, 1}
	x := []float32{0, 1, 2, 3, 4, 5}
	mustPanic(t, "MMD2 with one row each", func() { MMD2(one, one, 2) }, "x has 1 row, y 1 row;")
	mustPanic(t, "EnergyDistance with one row", func() { EnergyDistance(x, one, 2) }, "x has 3 rows, y 1 row;")
	mustPanic(t, "SlicedWasserstein with one row", func() { SlicedWasserstein(one, nil, 2, 1, rand.New(rand.NewPCG(1, 2))) }, "x has 1 row, y 0 rows, and 1 projection;")
	if _, err := NewGaussian([]float64{0, 0}, []float64{1}); err == nil || !strings.Contains(err.Error(), "covariance has 1 entry, want 2×2 = 4") {
		t.Errorf("NewGaussian with a 1-entry covariance: error %v", err)
	}
	g := NewIsotropicGaussian([]float64{0}, 1)
	if _, err := NewMixture([]float64{1, 1}, []*Gaussian{g}); err == nil || !strings.Contains(err.Error(), "2 weights for 1 component") {
		t.Errorf("NewMixture with 2 weights, 1 component: error %v", err)
	}
}
