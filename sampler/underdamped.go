package sampler

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/kernel"
)

// UnderdampedScheme is the splitting of an [Underdamped] step.
type UnderdampedScheme int

const (
	// BAOAB (Leimkuhler & Matthews 2013): half kick, half drift, full
	// Ornstein–Uhlenbeck step, half drift, half kick. Its configurational
	// bias is O(h²) with a small constant; the default.
	BAOAB UnderdampedScheme = iota
	// OBABO: half O step, velocity Verlet (kick, drift, kick), half O step.
	OBABO
)

// String returns "BAOAB" or "OBABO".
func (s UnderdampedScheme) String() string {
	switch s {
	case BAOAB:
		return "BAOAB"
	case OBABO:
		return "OBABO"
	}
	return fmt.Sprintf("UnderdampedScheme(%d)", int(s))
}

// UnderdampedConfig configures underdamped Langevin dynamics.
type UnderdampedConfig struct {
	// Step h and Friction γ of dx = v dt, dv = ∇log p(x) dt − γv dt + √(2γ) dW
	// (unit mass and temperature). The chains step in float32 with h/2
	// (the kicks, and BAOAB's drifts) and h (OBABO's drift), which must be
	// normal and finite there: 2.4e-38 ≤ Step ≤ 3.4e38, up to rounding.
	Step, Friction float64
	Scheme         UnderdampedScheme
	Chain          ChainConfig
}

// Underdamped is underdamped (kinetic) Langevin dynamics over a batch of
// chains, split as BAOAB or OBABO:
//
//	B: v ← v + (h/2)·∇log p(x)       A: x ← x + (h/2)·v (BAOAB) or h·v (OBABO)
//	O: v ← c₁·v + c₂·z,  c₁ = e^{−γτ}, c₂ = √(1 − c₁²), τ = h (BAOAB) or h/2 (OBABO)
//
// The O step is kernel.Stream.KineticO's update: fused per chain, or,
// below d = 64, over the block from the chains' buffered normals (the
// same bits). One score evaluation per step (the last B's score is kept
// for the next step's first B). The velocities start at N(0, I).
type Underdamped struct {
	cfg   UnderdampedConfig
	score Score
	grad  []float32
	v     []float32
	vFrom int // chains from vFrom on draw their velocities at the next Run
	eng   chainEngine
}

// NewUnderdamped returns an underdamped Langevin sampler of score, or an
// error naming the setting if the step or friction is not positive and
// finite, the step or its half no normal float32 (see
// [UnderdampedConfig.Step]) or the scheme unknown.
func NewUnderdamped(score Score, cfg UnderdampedConfig) (*Underdamped, error) {
	if err := checkScore("Underdamped", score, "Score"); err != nil {
		return nil, err
	}
	if !(cfg.Step > 0) || !(cfg.Friction > 0) || math.IsInf(cfg.Step, 0) || math.IsInf(cfg.Friction, 0) {
		return nil, fmt.Errorf("sampler: Underdamped: step %v, friction %v: want both > 0", cfg.Step, cfg.Friction)
	}
	if err := checkStep("Underdamped", "step", cfg.Step); err != nil {
		return nil, err
	}
	if err := checkStep("Underdamped", fmt.Sprintf("step %v: the half step", cfg.Step), cfg.Step/2); err != nil {
		return nil, err
	}
	if cfg.Scheme != BAOAB && cfg.Scheme != OBABO {
		return nil, fmt.Errorf("sampler: Underdamped: unknown scheme %v", cfg.Scheme)
	}
	if err := cfg.Chain.validate("Underdamped"); err != nil {
		return nil, err
	}
	return &Underdamped{cfg: cfg, score: score, eng: newChainEngine(cfg.Chain)}, nil
}

// built panics, naming method, unless u was made by [NewUnderdamped]
// (see unbuilt). Every exported method calls it first.
func (u *Underdamped) built(method string) {
	if u == nil || u.score == nil {
		unbuilt("Underdamped."+method, u == nil)
	}
}

// Run advances the chains in x (n×d) and their velocities by BurnIn +
// Steps steps in place and returns the kept positions; see [ULA.Run]. A
// chain whose velocity is not finite, as a divergence leaves it, draws a
// new one (else it diverged again at the first step, whatever x).
func (u *Underdamped) Run(ctx context.Context, x []float32) (*Trace, error) {
	u.built("Run")
	checkContext("Underdamped.Run", ctx)
	tr, err := u.eng.run(ctx, u, x, u.cfg.Chain.BurnIn, u.cfg.Chain.Steps)
	u.vFrom = u.eng.n
	return tr, err
}

// Reset makes the next Run restart every stream at position 0 and redraw
// the velocities.
func (u *Underdamped) Reset() {
	u.built("Reset")
	u.eng.reset()
}

// Velocities returns the chains' velocities, n×d (shared).
func (u *Underdamped) Velocities() []float32 {
	u.built("Velocities")
	return u.v
}

func (u *Underdamped) name() string { return "Underdamped/" + u.cfg.Scheme.String() }
func (u *Underdamped) hint() string {
	return fmt.Sprintf("the step %g is likely too large (h·√(largest curvature) must stay below 2)", u.cfg.Step)
}
func (u *Underdamped) dim() int { return u.score.Dim() }
func (u *Underdamped) resize(old, n int) {
	u.grad, u.v = resize(u.grad, n*u.dim()), keep(u.v, old*u.dim(), n*u.dim())
	u.vFrom = min(old, n)
}

func (u *Underdamped) begin(e *chainEngine, x []float32, lo, hi int) int {
	d := e.d
	for c := lo; c < hi; c++ {
		if v := u.v[c*d : c*d+d]; c >= u.vFrom || firstNonFinite(v, d) >= 0 {
			e.normals(c, v)
		}
	}
	u.score.Score(rows(u.grad, d, lo, hi), rows(x, d, lo, hi))
	if c := firstNonFinite(rows(u.grad, d, lo, hi), d); c >= 0 {
		return lo + c
	}
	return -1
}

func (u *Underdamped) warmupDone(*chainEngine)                  {}
func (u *Underdamped) finish(*chainEngine, []float32, int, int) {}

func (u *Underdamped) step(e *chainEngine, _ int, x []float32, lo, hi int) {
	d := e.d
	h, g := u.cfg.Step, u.cfg.Friction
	xb, vb, gb := rows(x, d, lo, hi), rows(u.v, d, lo, hi), rows(u.grad, d, lo, hi)
	half := float32(h / 2)
	o := func(tau float64) {
		c1 := float32(math.Exp(-g * tau))
		c2 := float32(math.Sqrt(-math.Expm1(-2 * g * tau)))
		e.kineticO(c1, c2, u.v, lo, hi)
	}
	switch u.cfg.Scheme {
	case BAOAB:
		kernel.Axpy(half, gb, vb)
		kernel.Axpy(half, vb, xb)
		o(h)
		kernel.Axpy(half, vb, xb)
		u.score.Score(gb, xb)
		kernel.Axpy(half, gb, vb)
	case OBABO:
		o(h / 2)
		kernel.Axpy(half, gb, vb)
		kernel.Axpy(float32(h), vb, xb)
		u.score.Score(gb, xb)
		kernel.Axpy(half, gb, vb)
		o(h / 2)
	}
}
