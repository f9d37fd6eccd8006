package sampler

import (
	"context"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/data"
)

// sdeCancelAfter cancels its context at the k-th batched score call.
type sdeCancelAfter struct {
	*sdeGauss
	k      int
	n      *int
	cancel context.CancelFunc
}

func (c sdeCancelAfter) TimeScore(dst, x []float32, t float32) {
	if *c.n++; *c.n == c.k {
		c.cancel()
	}
	c.sdeGauss.TimeScore(dst, x, t)
}

// TestMessagesSingular: messages that count say "1 draw", "1 step",
// "1 level", never "1 draws".
func TestMessagesSingular(t *testing.T) {
	panicText := func(f func()) (s string) {
		defer func() { s, _ = recover().(string) }()
		f()
		return ""
	}
	if s := panicText(func() { ESS([][]float64{{1}}) }); !strings.Contains(s, "1 draw per chain,") {
		t.Errorf("ESS of one draw: panic %q", s)
	}
	if s := panicText(func() { ESS([][]float64{{1, 2, 3, 4}, {1}}) }); !strings.Contains(s, "chain 1 has 1 draw,") {
		t.Errorf("ESS of ragged chains: panic %q", s)
	}
	_, err := NewAnnealed(data.NewIsotropicGaussian([]float64{0}, 1), AnnealedConfig{Sigmas: []float64{1}, Eps: 1})
	if err == nil || !strings.Contains(err.Error(), "1 level, 0 steps per level") {
		t.Errorf("Annealed with 1 level, 0 steps: error %v", err)
	}
	g := newSDEGauss2(DefaultVP(), []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	o := mustNew(NewODESampler(g.sde, g, ODEConfig{MaxSteps: 1}))
	if _, err := o.Sample(context.Background(), make([]float32, 4)); err == nil || !strings.Contains(err.Error(), "reached 1 step at") {
		t.Errorf("RK45 with MaxSteps 1: error %v", err)
	}
	// Cancelled at the last evaluation of the first RK45 step (2 to
	// start, 6 per step): it stops before the second.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls int
	o = mustNew(NewODESampler(g.sde, sdeCancelAfter{g, 8, &calls, cancel}, ODEConfig{Workers: 1}))
	if _, err := o.Sample(ctx, make([]float32, 4)); err == nil || !strings.Contains(err.Error(), "after 1 step:") {
		t.Errorf("RK45 cancelled after one step: error %v", err)
	}
}
