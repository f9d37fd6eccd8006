package sampler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/scorekit/scorekit/data"
)

// segmentings are the ways TestSegmentsNeverChangeResult cuts a run: the
// chain engine's fixed Segment (1, 7, 64), and its timed default (0) with
// the clock replaced by a fixed rule (name "timed …"), which is the only
// way the SDE samplers are cut.
var segmentings = []struct {
	name    string
	segment int
	hook    func(steps int) int // nil: the clock
}{
	{"segment 1", 1, nil},
	{"segment 7", 7, nil},
	{"segment 64", 64, nil},
	{"timed", 0, nil},
	{"timed 1", 0, func(int) int { return 1 }},
	{"timed 64", 0, func(int) int { return 64 }},
	{"timed 3,1,64,…", 0, func(steps int) int { return []int{3, 1, 64, 2, 5}[steps%5] }},
}

// withSegments runs f under each segmenting, the hook set for its time.
func withSegments(t *testing.T, f func(name string, segment int)) {
	t.Helper()
	for _, s := range segmentings {
		func() {
			defer func(h func(int) int) { segmentHook = h }(segmentHook)
			segmentHook = s.hook
			f(s.name, s.segment)
		}()
	}
}

// runOutcome is everything a run reports that segments must not change.
type runOutcome struct {
	x, trace []float32
	progress []int // Progress calls with done = BurnIn
	last     int   // done of the last Progress call
	total    int
	err      string
	accepted string
}

func sameBits(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// blowScore is s(x) = 40x (and so given σ or t): every chain runs off to
// infinity, a chain started farther out sooner.
type blowScore struct{ d int }

func (b blowScore) Dim() int { return b.d }
func (b blowScore) Score(dst, x []float32) {
	for i, v := range x {
		dst[i] = 40 * v
	}
}
func (b blowScore) NoiseScore(dst, x []float32, _ float32) { b.Score(dst, x) }
func (b blowScore) TimeScore(dst, x []float32, _ float32)  { b.Score(dst, x) }

// TestSegmentsNeverChangeResult: the same run cut into segments of 1, 7
// or 64 steps, or by time (the default), gives the same bits (states,
// trace, MALA's acceptance counts and adapted step sizes) and the same
// divergence error, for every Langevin sampler and for PC and Heun's ODE;
// Progress is called after each segment with done increasing to total,
// one call at the end of the burn-in.
func TestSegmentsNeverChangeResult(t *testing.T) {
	smallBlocks(t)
	const d, n, burn, steps = 3, 9, 23, 70
	g := data.NewIsotropicGaussian([]float64{0.5, -1, 2}, 1.5)
	start := func(spread float32) []float32 {
		x := make([]float32, n*d)
		for i := range x {
			x[i] = (float32(i%7) - 3) * 0.3
		}
		// Chains start farther out with c, so that they diverge (under
		// blowScore) at different steps, the first ones last.
		for c := range n {
			for j := range d {
				x[c*d+j] *= 1 + spread*float32(c*c)
			}
		}
		return x
	}
	type runner func(ChainConfig) (func(context.Context, []float32) (*Trace, error), func() string)
	noStats := func() string { return "" }
	runners := map[string]runner{
		"ULA": func(c ChainConfig) (func(context.Context, []float32) (*Trace, error), func() string) {
			return mustNew(NewULA(g, ULAConfig{Step: 0.1, Chain: c})).Run, noStats
		},
		"MALA adapted": func(c ChainConfig) (func(context.Context, []float32) (*Trace, error), func() string) {
			m := mustNew(NewMALA(g, MALAConfig{Step: 0.5, Adapt: true, Chain: c}))
			return m.Run, func() string {
				s := fmt.Sprint(m.Acceptance(), m.WarmupAcceptance())
				for c := range n {
					s += fmt.Sprintf(" %x", math.Float64bits(m.StepSize(c)))
				}
				return s
			}
		},
		"Annealed": func(c ChainConfig) (func(context.Context, []float32) (*Trace, error), func() string) {
			return mustNew(NewAnnealed(linScore{d}, AnnealedConfig{Sigmas: GeometricSigmas(2, 0.1, 5), StepsPerLevel: 7, Eps: 1e-3, Denoise: true, Chain: c})).Run, noStats
		},
		"BAOAB": func(c ChainConfig) (func(context.Context, []float32) (*Trace, error), func() string) {
			return mustNew(NewUnderdamped(g, UnderdampedConfig{Step: 0.3, Friction: 1, Chain: c})).Run, noStats
		},
		"SGLD": func(c ChainConfig) (func(context.Context, []float32) (*Trace, error), func() string) {
			return mustNew(NewSGLD(&isoMean{d: d}, SGLDConfig{A: 1e-3, B: 10, Gamma: 0.6, Batch: 5, Chain: c})).Run, noStats
		},
	}
	blowRunners := map[string]runner{
		"ULA diverging": func(c ChainConfig) (func(context.Context, []float32) (*Trace, error), func() string) {
			return mustNew(NewULA(blowScore{d}, ULAConfig{Step: 0.5, Chain: c})).Run, noStats
		},
		"Annealed diverging": func(c ChainConfig) (func(context.Context, []float32) (*Trace, error), func() string) {
			return mustNew(NewAnnealed(blowScore{d}, AnnealedConfig{Sigmas: GeometricSigmas(2, 0.1, 5), StepsPerLevel: 7, Eps: 0.5, Chain: c})).Run, noStats
		},
		"BAOAB diverging": func(c ChainConfig) (func(context.Context, []float32) (*Trace, error), func() string) {
			return mustNew(NewUnderdamped(blowScore{d}, UnderdampedConfig{Step: 0.3, Friction: 1, Chain: c})).Run, noStats
		},
	}
	check := func(name string, mk runner, spread float32, wantErr bool) {
		var ref *runOutcome
		withSegments(t, func(seg string, segment int) {
			var o runOutcome
			cfg := ChainConfig{Seed: 3, BurnIn: burn, Steps: steps, Thin: 3, Workers: 3, Segment: segment,
				Progress: func(done, total int) {
					if o.total == 0 {
						o.total = total
					}
					if total != o.total || done <= o.last || done > total {
						t.Errorf("%s, %s: Progress(%d, %d) after %d", name, seg, done, total, o.last)
					}
					if done == burn {
						o.progress = append(o.progress, done)
					}
					o.last = done
				}}
			run, stats := mk(cfg)
			o.x = start(spread)
			tr, err := run(context.Background(), o.x)
			if err != nil {
				o.err = err.Error()
				var de *DivergenceError
				if !errors.As(err, &de) {
					t.Errorf("%s, %s: %v, want a *DivergenceError", name, seg, err)
				}
			} else {
				if o.last != o.total {
					t.Errorf("%s, %s: the last Progress call had done = %d, want %d", name, seg, o.last, o.total)
				}
				if o.total == burn+steps && len(o.progress) != 1 {
					t.Errorf("%s, %s: no Progress call at the end of the burn-in", name, seg)
				}
			}
			if wantErr != (err != nil) {
				t.Fatalf("%s, %s: error %v, want one: %v", name, seg, err, wantErr)
			}
			if tr != nil {
				o.trace = tr.Data
			}
			o.accepted = stats()
			if ref == nil {
				ref = &o
				return
			}
			if o.err != ref.err {
				t.Errorf("%s, %s: error %q, want %q", name, seg, o.err, ref.err)
			}
			if err == nil {
				if i := sameBits(o.x, ref.x); i >= 0 {
					t.Errorf("%s, %s: state differs at %d", name, seg, i)
				}
				if i := sameBits(o.trace, ref.trace); i >= 0 {
					t.Errorf("%s, %s: trace differs at %d", name, seg, i)
				}
			}
			if o.accepted != ref.accepted {
				t.Errorf("%s, %s: acceptance and step sizes %s, want %s", name, seg, o.accepted, ref.accepted)
			}
		})
	}
	for name, mk := range runners {
		check(name, mk, 0, false)
	}
	for name, mk := range blowRunners {
		check(name, mk, 1e6, true)
	}
}

// TestSDESegmentsNeverChangeResult: PC (with its batch step size and per
// chain) and Heun's ODE give the same bits and the same divergence error
// whatever the segments their runs are cut into.
func TestSDESegmentsNeverChangeResult(t *testing.T) {
	smallBlocks(t)
	const n = 9
	g := newSDEGauss2(VE{0.01, 10, 150}, []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	type sample func(context.Context, []float32) (SDEStats, error)
	samplers := map[string]func(s TimeScore) sample{
		"PC": func(s TimeScore) sample {
			return mustNew(NewPCSampler(g.sde, s, PCConfig{Seed: 2, Workers: 3, CorrectorSteps: 2})).Sample
		},
		"PC per chain": func(s TimeScore) sample {
			return mustNew(NewPCSampler(g.sde, s, PCConfig{Seed: 2, Workers: 3, PerChainSNR: true})).Sample
		},
		"PC no corrector": func(s TimeScore) sample {
			return mustNew(NewPCSampler(g.sde, s, PCConfig{Seed: 2, Workers: 3, Corrector: PCNoCorrector})).Sample
		},
		"ODE Heun": func(s TimeScore) sample {
			return mustNew(NewODESampler(g.sde, s, ODEConfig{Seed: 2, Workers: 3, Method: ODEHeun, Steps: 150})).Sample
		},
	}
	for name, mk := range samplers {
		for _, score := range []TimeScore{g, blowScore{2}} {
			var refX []float32
			var refStats SDEStats
			var refErr string
			withSegments(t, func(seg string, _ int) {
				x := make([]float32, 2*n)
				st, err := mk(score)(context.Background(), x)
				msg := ""
				if err != nil {
					msg = err.Error()
				}
				if (err != nil) != (score != TimeScore(g)) {
					t.Fatalf("%s %T, %s: error %v", name, score, seg, err)
				}
				if refX == nil {
					refX, refStats, refErr = x, st, msg
					return
				}
				if msg != refErr || st != refStats {
					t.Errorf("%s %T, %s: %+v, %q; want %+v, %q", name, score, seg, st, msg, refStats, refErr)
				}
				if err == nil {
					if i := sameBits(x, refX); i >= 0 {
						t.Errorf("%s %T, %s: sample differs at %d", name, score, seg, i)
					}
				}
			})
		}
	}
}
