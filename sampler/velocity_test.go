package sampler

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
)

// nanAfter is the score −x of N(0, I) in ℝ², NaN from its (after+1)-th
// call on while broken is set: a divergence in the middle of a run.
type nanAfter struct {
	after  int64
	calls  atomic.Int64
	broken atomic.Bool
}

func (s *nanAfter) Dim() int { return 2 }
func (s *nanAfter) Score(dst, x []float32) {
	bad := s.broken.Load() && s.calls.Add(1) > s.after
	for i, v := range x {
		dst[i] = -v
		if bad {
			dst[i] = float32(math.NaN())
		}
	}
}

// As a MinibatchScore, for SGHMC: the prior is the whole score, and the
// data add nothing.
func (s *nanAfter) Len() int                     { return 4 }
func (s *nanAfter) PriorScore(dst, th []float32) { s.Score(dst, th) }
func (s *nanAfter) DataScore(dst, th []float32, idx []int) {
	clear(dst)
}

// TestVelocityAfterDivergence: a divergence leaves the velocities NaN, and
// the next Run of the same sampler diverged again at step 0 whatever
// its x, with advice about the step size; a chain whose velocity is not
// finite now draws a new one.
func TestVelocityAfterDivergence(t *testing.T) {
	ctx := context.Background()
	score := &nanAfter{after: 5}
	und, err := NewUnderdamped(score, UnderdampedConfig{Step: 0.1, Friction: 1, Chain: ChainConfig{Steps: 20}})
	if err != nil {
		t.Fatal(err)
	}
	sghmc, err := NewSGHMC(score, SGHMCConfig{Step: 0.1, Friction: 1, Batch: 1, Chain: ChainConfig{Steps: 20}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		name string
		run  func(x []float32) error
		v    func() []float32
	}{
		{"Underdamped", func(x []float32) error { _, err := und.Run(ctx, x); return err }, und.Velocities},
		{"SGHMC", func(x []float32) error { _, err := sghmc.Run(ctx, x); return err }, sghmc.Velocities},
	} {
		score.calls.Store(0)
		score.broken.Store(true)
		var de *DivergenceError
		if err := s.run([]float32{0.5, -0.5, 1, 1}); !errors.As(err, &de) {
			t.Fatalf("%s: the first Run gave %v, want a divergence", s.name, err)
		}
		if firstNonFinite(s.v(), 2) < 0 {
			t.Fatalf("%s: the divergence left the velocities finite, %v: the test no longer tests", s.name, s.v())
		}
		score.broken.Store(false)
		x := []float32{0.5, -0.5, 1, 1}
		if err := s.run(x); err != nil {
			t.Errorf("%s: the Run after a divergence, from a finite x: %v", s.name, err)
		}
		if firstNonFinite(x, 2) >= 0 || firstNonFinite(s.v(), 2) >= 0 {
			t.Errorf("%s: after the Run that follows a divergence, x = %v, velocities %v", s.name, x, s.v())
		}
	}
}
