package sampler

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/kernel"
)

// MinibatchScore is the score of a Bayesian posterior
// p(θ | y₁ … y_N) ∝ p(θ)·Πᵢ p(yᵢ | θ) given term by term, so that SGLD and
// SGHMC can estimate it from a minibatch:
//
//	∇log p(θ | y) ≈ ∇log p(θ) + (N/n)·Σ_{i ∈ batch} ∇log p(yᵢ | θ)
//
// Its methods work on one θ and must be safe for concurrent use on
// disjoint slices.
type MinibatchScore interface {
	// Dim returns the dimension d of θ.
	Dim() int
	// Len returns the number N of data.
	Len() int
	// PriorScore sets dst = ∇log p(θ); len(dst) = len(theta) = d.
	PriorScore(dst, theta []float32)
	// DataScore sets dst = Σ_{i ∈ idx} ∇_θ log p(y_i | θ).
	DataScore(dst, theta []float32, idx []int)
}

// SGLDConfig configures stochastic gradient Langevin dynamics.
type SGLDConfig struct {
	// Step t (counted from 0 in each Run, burn-in included) uses
	// h_t = A·(B + t)^(−Gamma) in
	// x ← x + h_t·ĝ(x) + √(2h_t)·z. Welling & Teh (2011) write ε_t = 2h_t.
	// A must be positive and finite. Gamma must be in (0.5, 1] for the
	// Robbins–Monro conditions, with B > 0, or 0 for the constant step A
	// (B is then unused). The chains step in float32, where every h_t of
	// a run must be normal and finite: 1.2e-38 ≤ h_t ≤ 3.4e38 (up to
	// rounding) for the first, h₀, and the last, at t = BurnIn + Steps − 1.
	A, B, Gamma float64
	// Batch is the minibatch size n; indices are drawn uniformly with
	// replacement from each chain's words (see [ChainConfig]).
	Batch int
	Chain ChainConfig
}

func (c *SGLDConfig) step(t int) float64 {
	if c.Gamma == 0 {
		return c.A
	}
	return c.A * math.Pow(c.B+float64(t), -c.Gamma)
}

// SGLD is stochastic gradient Langevin dynamics (Welling & Teh 2011) over a
// batch of chains: ULA with the minibatch estimate ĝ of the posterior
// score and a decreasing step, each chain drawing its own minibatches.
type SGLD struct {
	noHooks
	cfg   SGLDConfig
	score MinibatchScore
	mb    minibatch
	eng   chainEngine
}

// minibatch holds the per-chain buffers of a minibatch gradient.
type minibatch struct {
	score MinibatchScore
	batch int
	grad  []float32 // n×d
	tmp   []float32 // n×d
	u32   []uint32  // n×batch
	idx   []int     // n×batch
}

func (m *minibatch) resize(n int) {
	d := m.score.Dim()
	m.grad, m.tmp = resize(m.grad, n*d), resize(m.tmp, n*d)
	m.u32, m.idx = resize(m.u32, n*m.batch), resize(m.idx, n*m.batch)
}

// gradient sets chain c's grad to ∇log p(θ) + (N/n)·Σ ∇log p(yᵢ|θ) over a
// minibatch drawn from the chain's words: index ⌊u·N/2³²⌋ for each
// 32-bit word u (bias below N/2³² per index).
func (m *minibatch) gradient(e *chainEngine, c int, theta []float32) {
	d, b := len(theta), m.batch
	u, idx := m.u32[c*b:c*b+b], m.idx[c*b:c*b+b]
	e.wordsOf(c, u)
	nd := uint64(m.score.Len())
	for i, v := range u {
		idx[i] = int(uint64(v) * nd >> 32)
	}
	g, tmp := m.grad[c*d:c*d+d], m.tmp[c*d:c*d+d]
	m.score.PriorScore(g, theta)
	m.score.DataScore(tmp, theta, idx)
	kernel.Axpy(float32(float64(nd)/float64(b)), tmp, g)
}

func checkMinibatch(who string, score MinibatchScore, batch int) error {
	if err := checkScore(who, score); err != nil {
		return err
	}
	if batch < 1 || score.Len() < 1 {
		return fmt.Errorf("sampler: %s: batch %d of %d data, want ≥ 1 each", who, batch, score.Len())
	}
	if int64(score.Len()) > math.MaxUint32 { // int64: the constant overflows a 32-bit int
		return fmt.Errorf("sampler: %s: %d data, at most 2³²−1 supported", who, score.Len())
	}
	return nil
}

// NewSGLD returns an SGLD sampler of score, or an error naming the
// settings if they are not as [SGLDConfig] says (a step h_t of the run
// that is 0, subnormal or +Inf in float32 among them).
func NewSGLD(score MinibatchScore, cfg SGLDConfig) (*SGLD, error) {
	if !(cfg.A > 0) || math.IsInf(cfg.A, 0) || (cfg.Gamma != 0 && !(cfg.Gamma > 0.5 && cfg.Gamma <= 1)) || (cfg.Gamma != 0 && !(cfg.B > 0)) {
		return nil, fmt.Errorf("sampler: SGLD: A = %v, B = %v, Gamma = %v: want A > 0 and Gamma in (0.5, 1] with B > 0, or Gamma = 0", cfg.A, cfg.B, cfg.Gamma)
	}
	if err := checkStep("SGLD", fmt.Sprintf("A = %v, B = %v, Gamma = %v: the first step h₀", cfg.A, cfg.B, cfg.Gamma), cfg.step(0)); err != nil {
		return nil, err
	}
	if last := cfg.Chain.BurnIn + cfg.Chain.Steps - 1; last > 0 && cfg.Gamma != 0 {
		if err := checkStep("SGLD", fmt.Sprintf("A = %v, B = %v, Gamma = %v: the last step h_%d", cfg.A, cfg.B, cfg.Gamma, last), cfg.step(last)); err != nil {
			return nil, err
		}
	}
	if err := checkMinibatch("SGLD", score, cfg.Batch); err != nil {
		return nil, err
	}
	if err := cfg.Chain.validate("SGLD"); err != nil {
		return nil, err
	}
	return &SGLD{cfg: cfg, score: score, mb: minibatch{score: score, batch: cfg.Batch}, eng: newChainEngine(cfg.Chain)}, nil
}

// built panics, naming method, unless s was made by [NewSGLD]
// (see unbuilt). Every exported method calls it first.
func (s *SGLD) built(method string) {
	if s == nil || s.score == nil {
		unbuilt("SGLD."+method, s == nil)
	}
}

// Run advances the chains in x (n×d) by BurnIn + Steps steps in place and
// returns the kept draws; see [ULA.Run].
func (s *SGLD) Run(ctx context.Context, x []float32) (*Trace, error) {
	s.built("Run")
	checkContext("SGLD.Run", ctx)
	return s.eng.run(ctx, s, x, s.cfg.Chain.BurnIn, s.cfg.Chain.Steps)
}

// Reset makes the next Run restart every stream at position 0.
func (s *SGLD) Reset() {
	s.built("Reset")
	s.eng.reset()
}

func (s *SGLD) name() string { return "SGLD" }
func (s *SGLD) hint() string {
	return fmt.Sprintf("the step size (A = %g) is likely too large", s.cfg.A)
}
func (s *SGLD) dim() int        { return s.score.Dim() }
func (s *SGLD) resize(_, n int) { s.mb.resize(n) }

func (s *SGLD) step(e *chainEngine, t int, x []float32, lo, hi int) {
	d := e.d
	h := s.cfg.step(t)
	a, b := float32(h), float32(math.Sqrt(2*h))
	for c := lo; c < hi; c++ {
		s.mb.gradient(e, c, x[c*d:c*d+d])
	}
	e.langevin(a, b, x, s.mb.grad, lo, hi)
}

func (s *SGLD) drawsWords() {}

// SGHMCConfig configures stochastic gradient Hamiltonian Monte Carlo.
type SGHMCConfig struct {
	// Step h and Friction γ (C in Chen, Fox & Guestrin 2014) of
	//
	//	v ← (1 − γh)·v + h·ĝ(x) + √(2(γ − B̂)h)·z,  x ← x + h·v
	//
	// with γh < 1. The chains step in float32 with h, which must be normal
	// and finite there: 1.2e-38 ≤ Step ≤ 3.4e38, up to rounding.
	Step, Friction float64
	// NoiseEstimate is B̂, the estimate of the minibatch gradient's noise
	// in the paper's units: B̂ = ½·h·V̂, where V̂ is the variance of one
	// coordinate of ĝ(x) about the full-data score (a scalar, the same for
	// every coordinate, as in the paper's experiments). A step adds
	// h·(ĝ − ∇log p) to v, of variance h²V̂ = 2B̂h, so the injected noise is
	// cut from 2γh to 2(γ − B̂)h to keep the total at the 2γh of
	// underdamped Langevin dynamics with friction γ. Without the
	// correction the stationary variance is too large by a factor of about
	// 1 + B̂/γ (exactly, for a Gaussian posterior whose gradient noise
	// does not depend on x). It must be in [0, Friction]; 0, the default,
	// is no correction, bit for bit. Either way z is the chain's next d
	// normals, so the draws stay a function of seed, chain and step.
	NoiseEstimate float64
	// Batch is the minibatch size, as in [SGLDConfig].
	Batch int
	Chain ChainConfig
}

// SGHMC is stochastic gradient Hamiltonian Monte Carlo (Chen, Fox &
// Guestrin, "Stochastic Gradient Hamiltonian Monte Carlo", ICML 2014) with
// unit mass: the Euler discretisation of underdamped Langevin dynamics
// with the minibatch estimate ĝ of the posterior score, its injected
// noise reduced by the gradient-noise estimate B̂
// ([SGHMCConfig.NoiseEstimate]; none by default). The velocities start
// at N(0, I).
type SGHMC struct {
	cfg   SGHMCConfig
	score MinibatchScore
	mb    minibatch
	v     []float32
	vFrom int // chains from vFrom on draw their velocities at the next Run
	eng   chainEngine
}

// NewSGHMC returns an SGHMC sampler of score, or an error naming the
// settings if they are not as [SGHMCConfig] says (a step that is no
// normal float32 among them).
func NewSGHMC(score MinibatchScore, cfg SGHMCConfig) (*SGHMC, error) {
	if !(cfg.Step > 0) || !(cfg.Friction > 0) || !(cfg.Step*cfg.Friction < 1) {
		return nil, fmt.Errorf("sampler: SGHMC: step %v, friction %v: want both > 0 and step·friction < 1", cfg.Step, cfg.Friction)
	}
	if err := checkStep("SGHMC", "step", cfg.Step); err != nil {
		return nil, err
	}
	if !(cfg.NoiseEstimate >= 0 && cfg.NoiseEstimate <= cfg.Friction) {
		return nil, fmt.Errorf("sampler: SGHMC: noise estimate B̂ = %v, friction %v: want 0 ≤ B̂ ≤ friction (the injected noise has variance 2(friction − B̂)·step)", cfg.NoiseEstimate, cfg.Friction)
	}
	if err := checkMinibatch("SGHMC", score, cfg.Batch); err != nil {
		return nil, err
	}
	if err := cfg.Chain.validate("SGHMC"); err != nil {
		return nil, err
	}
	return &SGHMC{cfg: cfg, score: score, mb: minibatch{score: score, batch: cfg.Batch}, eng: newChainEngine(cfg.Chain)}, nil
}

// built panics, naming method, unless s was made by [NewSGHMC]
// (see unbuilt). Every exported method calls it first.
func (s *SGHMC) built(method string) {
	if s == nil || s.score == nil {
		unbuilt("SGHMC."+method, s == nil)
	}
}

// Run advances the chains in x (n×d) and their velocities by BurnIn +
// Steps steps in place and returns the kept positions; see [ULA.Run]. A
// chain whose velocity is not finite, as a divergence leaves it, draws a
// new one (else it diverged again at the first step, whatever x).
func (s *SGHMC) Run(ctx context.Context, x []float32) (*Trace, error) {
	s.built("Run")
	checkContext("SGHMC.Run", ctx)
	tr, err := s.eng.run(ctx, s, x, s.cfg.Chain.BurnIn, s.cfg.Chain.Steps)
	s.vFrom = s.eng.n
	return tr, err
}

// Reset makes the next Run restart every stream at position 0 and redraw
// the velocities.
func (s *SGHMC) Reset() {
	s.built("Reset")
	s.eng.reset()
}

// Velocities returns the chains' velocities, n×d (shared).
func (s *SGHMC) Velocities() []float32 {
	s.built("Velocities")
	return s.v
}

func (s *SGHMC) name() string { return "SGHMC" }
func (s *SGHMC) hint() string {
	return fmt.Sprintf("the step %g is likely too large", s.cfg.Step)
}
func (s *SGHMC) dim() int { return s.score.Dim() }
func (s *SGHMC) resize(old, n int) {
	s.mb.resize(n)
	s.v = keep(s.v, old*s.dim(), n*s.dim())
	s.vFrom = min(old, n)
}

func (s *SGHMC) begin(e *chainEngine, _ []float32, lo, hi int) int {
	for c := lo; c < hi; c++ {
		if v := rows(s.v, e.d, c, c+1); c >= s.vFrom || firstNonFinite(v, e.d) >= 0 {
			e.normals(c, v)
		}
	}
	return -1
}

func (s *SGHMC) warmupDone(*chainEngine) {}

func (s *SGHMC) finish(*chainEngine, []float32, int, int) {}

func (s *SGHMC) step(e *chainEngine, _ int, x []float32, lo, hi int) {
	d := e.d
	h, g := s.cfg.Step, s.cfg.Friction
	c1, c2 := float32(1-g*h), float32(math.Sqrt(2*(g-s.cfg.NoiseEstimate)*h))
	for c := lo; c < hi; c++ {
		s.mb.gradient(e, c, x[c*d:c*d+d])
	}
	xb, vb := rows(x, d, lo, hi), rows(s.v, d, lo, hi)
	e.kineticO(c1, c2, s.v, lo, hi)
	kernel.Axpy(float32(h), rows(s.mb.grad, d, lo, hi), vb)
	kernel.Axpy(float32(h), vb, xb)
}

func (s *SGHMC) drawsWords() {}
