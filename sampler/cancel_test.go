package sampler

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// cancelScore is a TimeScore that cancels its context at the after-th
// batched call and counts the calls made after that.
type cancelScore struct {
	score  TimeScore
	after  int64
	cancel context.CancelFunc
	calls  atomic.Int64
	sleep  time.Duration // per call, to stand for an expensive score
}

func (c *cancelScore) TimeScore(dst, x []float32, t float32) {
	if c.calls.Add(1) == c.after {
		c.cancel()
	}
	time.Sleep(c.sleep)
	c.score.TimeScore(dst, x, t)
}

func (c *cancelScore) Dim() int { return c.score.Dim() }

// late returns the calls made after the cancellation.
func (c *cancelScore) late() int64 { return max(0, c.calls.Load()-c.after) }

// TestSDECancel: a cancelled context stops PC, ODE (Heun and RK45), Flow
// and LogP between steps with an error wrapping ctx.Err(): at once if it
// is cancelled before the call, within one segment (64 time steps, one
// RK45 step) if it is cancelled during the run, in the modes where the
// blocks used to run the whole call without a barrier (PC with per-chain
// step sizes or without corrector, Heun) as in the others.
func TestSDECancel(t *testing.T) {
	g := newSDEGauss2(VE{0.01, 10, 1000}, []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	type run struct {
		name string
		// call runs a sampler over score; bound is the most score calls
		// after the cancellation.
		call  func(ctx context.Context, score TimeScore) (SDEStats, error)
		bound int64
	}
	pc := func(cfg PCConfig, perStep int64) run {
		name := "PC " + cfg.Predictor.String() + "/" + cfg.Corrector.String()
		if cfg.PerChainSNR {
			name += " per chain"
		}
		return run{name, func(ctx context.Context, s TimeScore) (SDEStats, error) {
			p, err := NewPCSampler(g.sde, s, cfg)
			if err != nil {
				t.Fatal(err)
			}
			return p.Sample(ctx, make([]float32, 2*37))
		}, maxSegment * perStep}
	}
	ode := func(m ODEMethod, flow bool) run {
		name := "ODE " + m.String()
		if flow {
			name += " Flow"
		}
		bound := int64(6) // one RK45 step
		if m == ODEHeun {
			bound = 2 * maxSegment
		}
		return run{name, func(ctx context.Context, s TimeScore) (SDEStats, error) {
			o, err := NewODESampler(g.sde, s, ODEConfig{Method: m, Steps: 1000, RTol: 1e-9, ATol: 1e-9})
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, 2*37)
			if flow {
				// A cancelled Flow leaves x as it was.
				for i := range x {
					x[i] = float32(i%7) - 3
				}
				orig := append([]float32(nil), x...)
				st, err := o.Flow(ctx, x, 1e-3, 1)
				if err != nil && !slices.Equal(x, orig) {
					t.Errorf("ODE %v Flow: x changed by a cancelled call", m)
				}
				return st, err
			}
			return o.Sample(ctx, x)
		}, bound}
	}
	runs := []run{
		pc(PCConfig{PerChainSNR: true}, 2),
		pc(PCConfig{Corrector: PCNoCorrector}, 1),
		pc(PCConfig{}, 2),
		ode(ODEHeun, false), ode(ODERK45, false), ode(ODEHeun, true),
		{"LogP", func(ctx context.Context, s TimeScore) (SDEStats, error) {
			l, err := NewLikelihood(g.sde, s, LikelihoodConfig{Divergence: LikelihoodExact, RTol: 1e-9, ATol: 1e-9})
			if err != nil {
				t.Fatal(err)
			}
			x := sdeDataPoints(g, 37, 5)
			// A cancelled LogP writes neither logp nor z.
			logp, z := make([]float64, 37), make([]float32, len(x))
			for i := range logp {
				logp[i] = 42
			}
			st, err := l.LogP(ctx, logp, z, x)
			if err != nil && (slices.ContainsFunc(logp, func(v float64) bool { return v != 42 }) || slices.ContainsFunc(z, func(v float32) bool { return v != 0 })) {
				t.Errorf("LogP: logp or z written by a cancelled call")
			}
			return st, err
		}, 6 * 3}, // one RK45 step, d + 1 calls per evaluation
	}
	for _, r := range runs {
		// Cancelled before the call: no score evaluation.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s := &cancelScore{score: g, after: 0, cancel: cancel}
		if _, err := r.call(ctx, s); !errors.Is(err, context.Canceled) {
			t.Errorf("%s, cancelled before: error %v, want one wrapping %v", r.name, err, context.Canceled)
		}
		if n := s.calls.Load(); n != 0 {
			t.Errorf("%s, cancelled before: %d score calls", r.name, n)
		}
		// Cancelled during the run.
		ctx, cancel = context.WithCancel(context.Background())
		s = &cancelScore{score: g, after: 20, cancel: cancel}
		st, err := r.call(ctx, s)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want one wrapping %v", r.name, err, context.Canceled)
			continue
		}
		if s.late() > r.bound {
			t.Errorf("%s: %d score calls after the cancellation, want at most %d", r.name, s.late(), r.bound)
		}
		if st.Steps >= 1000 {
			t.Errorf("%s: stats %+v: all steps reported after the cancellation", r.name, st)
		}
	}
}

// TestSDECancelSlowScore: with a score that takes 5 ms a call (a large
// batch, or a large network), a cancelled PC or Heun run stops within
// about segmentTime (25 ms: five or so calls), not at the end of a
// 64-step segment (64 or 128 calls, a third of a second here, and
// seconds for 10⁵ chains of a real network).
func TestSDECancelSlowScore(t *testing.T) {
	g := newSDEGauss2(VE{0.01, 10, 1000}, []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	for _, r := range []struct {
		name string
		call func(ctx context.Context, s TimeScore) error
	}{
		{"PC without corrector", func(ctx context.Context, s TimeScore) error {
			p, err := NewPCSampler(g.sde, s, PCConfig{Corrector: PCNoCorrector})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Sample(ctx, make([]float32, 2*5))
			return err
		}},
		{"ODE Heun", func(ctx context.Context, s TimeScore) error {
			o, err := NewODESampler(g.sde, s, ODEConfig{Method: ODEHeun, Steps: 1000})
			if err != nil {
				t.Fatal(err)
			}
			_, err = o.Sample(ctx, make([]float32, 2*5))
			return err
		}},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		s := &cancelScore{score: g, after: 12, cancel: cancel, sleep: 5 * time.Millisecond}
		err := r.call(ctx, s)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want one wrapping %v", r.name, err, context.Canceled)
			continue
		}
		// A segment takes at most about 25 ms (5 calls) at the pace of the
		// one before; sleeps only ever overshoot, making segments shorter.
		if s.late() > 10 {
			t.Errorf("%s: %d score calls of 5 ms after the cancellation, want at most 10", r.name, s.late())
		}
	}
}
