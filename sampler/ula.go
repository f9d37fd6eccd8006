package sampler

import (
	"context"
	"fmt"
	"math"
)

// ULAConfig configures the unadjusted Langevin algorithm.
type ULAConfig struct {
	// Step is h in x ← x + h·∇log p(x) + √(2h)·z. (TensorFlow
	// Probability's UncalibratedLangevin calls 2h its step size; Song &
	// Ermon's α is also 2h.) The chains step in float32, where h must be
	// normal and finite: 1.2e-38 ≤ Step ≤ 3.4e38, up to rounding.
	Step  float64
	Chain ChainConfig
}

// ULA is the unadjusted Langevin algorithm over a batch of chains:
//
//	x ← x + h·s(x) + √(2h)·z,  z ~ N(0, I)
//
// with s the score. It is the Euler–Maruyama discretisation of the
// Langevin diffusion dx = ∇log p dt + √2 dW and is biased by O(h): on
// N(0, s²I) its stationary law is N(0, s²/(1 − h/(2s²)) I).
type ULA struct {
	noHooks
	cfg   ULAConfig
	score Score
	grad  []float32
	eng   chainEngine
}

// NewULA returns a ULA sampler of score, or an error naming the step if
// it is not positive or not a normal float32 (see [ULAConfig.Step]).
func NewULA(score Score, cfg ULAConfig) (*ULA, error) {
	if err := checkScore("ULA", score, "Score"); err != nil {
		return nil, err
	}
	if err := checkStep("ULA", "step", cfg.Step); err != nil {
		return nil, err
	}
	if err := cfg.Chain.validate("ULA"); err != nil {
		return nil, err
	}
	return &ULA{cfg: cfg, score: score, eng: newChainEngine(cfg.Chain)}, nil
}

// built panics, naming method, unless u was made by [NewULA]
// (see unbuilt). Every exported method calls it first.
func (u *ULA) built(method string) {
	if u == nil || u.score == nil {
		unbuilt("ULA."+method, u == nil)
	}
}

// Run advances the chains in x (n×d row-major, n = len(x)/d chains) by
// BurnIn + Steps steps in place and returns the kept draws, or a nil
// *Trace if it keeps none (Thin 0, the default, or above Steps; x empty):
// the final states are in x either way. The random
// streams continue from one Run to the next, whatever the number of
// chains: chain c's streams go on where they stopped, and a chain new to
// the sampler starts its own, so no draw is used twice; [ULA.Reset]
// restarts them.
//
// It stops with a [*DivergenceError] if a state becomes NaN or infinite,
// and with an error wrapping ctx's if ctx is cancelled (checked between
// segments), returning then the Trace with the draws kept so far (the
// later ones left zero). A run allocates a fixed few objects (its
// goroutines, and the Trace if Thin > 0), nothing per step.
func (u *ULA) Run(ctx context.Context, x []float32) (*Trace, error) {
	u.built("Run")
	checkContext("ULA.Run", ctx)
	return u.eng.run(ctx, u, x, u.cfg.Chain.BurnIn, u.cfg.Chain.Steps)
}

// Reset makes the next Run restart every chain's stream at position 0.
func (u *ULA) Reset() {
	u.built("Reset")
	u.eng.reset()
}

func (u *ULA) name() string { return "ULA" }
func (u *ULA) hint() string {
	return fmt.Sprintf("the step %g is likely too large for this target", u.cfg.Step)
}
func (u *ULA) dim() int        { return u.score.Dim() }
func (u *ULA) resize(_, n int) { u.grad = resize(u.grad, n*u.dim()) }

func (u *ULA) step(e *chainEngine, _ int, x []float32, lo, hi int) {
	d := e.d
	h := float32(u.cfg.Step)
	b := float32(math.Sqrt(2 * u.cfg.Step))
	u.score.Score(rows(u.grad, d, lo, hi), rows(x, d, lo, hi))
	e.langevin(h, b, x, u.grad, lo, hi)
}
