package sampler

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/kernel"

	"github.com/scorekit/scorekit/internal/fmath"
)

// MALAConfig configures the Metropolis-adjusted Langevin algorithm.
type MALAConfig struct {
	// Step is the initial h of the proposal x′ = x + h·∇log p(x) + √(2h)·z
	// (ε₀ of the adaptation). As in [ULAConfig.Step], it must be a normal
	// finite float32: 1.2e-38 ≤ Step ≤ 3.4e38, up to rounding.
	Step float64
	// Adapt turns on dual-averaging step-size adaptation during burn-in
	// (Hoffman & Gelman 2014, §3.2): μ = log(10·ε₀), γ = 0.05, t₀ = 10,
	// κ = 0.75, each chain adapting its own h to TargetAccept; at the end
	// of burn-in every chain takes h = exp(mean of the chains' log x̄), the
	// geometric mean of their averaged step sizes, and keeps it fixed.
	// Every Run's burn-in adapts afresh, from the step each chain has
	// then: ε₀ is Step in the first Run, and in a later one the chain's
	// step from the Run before (as Stan restarts dual averaging at each
	// adaptation window, around the current step).
	// The adapted h stays within 2⁻¹⁴⁹ ≈ 1.4e-45 to MaxFloat32 ≈ 3.4e38,
	// a positive finite float32 (see [MALA] for why it may be subnormal).
	Adapt bool
	// TargetAccept is the acceptance rate the adaptation aims at; 0 means
	// 0.574, the optimum for MALA in high dimension (Roberts & Rosenthal
	// 1998).
	TargetAccept float64
	Chain        ChainConfig
}

// MALA is the Metropolis-adjusted Langevin algorithm over a batch of
// chains. Each step proposes x′ = x + h·∇log p(x) + √(2h)·z and accepts it
// with probability min(1, p(x′)q(x|x′)/(p(x)q(x′|x))), where
//
//	log q(x′|x) = −‖x′ − x − h·∇log p(x)‖²/(4h)  (= −‖z‖²/2)
//
// A ratio that is NaN (say log p(x′) = −∞ − (−∞)) counts as a rejection.
// The chain is then exactly invariant for p, whatever h.
//
// The chains step with h rounded to float32, in the proposal and the ratio
// alike, so any positive finite float32 h gives an exact MALA chain, a
// subnormal one too: a target of scale σ ≈ 10⁻²² needs h ≈ σ² ≈ 10⁻⁴⁴,
// and accepts about 40 % of its proposals there. At h = 0 the ratio is
// 0/0, every proposal is rejected, and an adaptation that came down to it
// would keep going down, so the adaptation holds log h within
// [log 2⁻¹⁴⁹, log MaxFloat32].
type MALA struct {
	noHooks
	cfg    MALAConfig
	target LogDensity

	grad, xp, gradp   []float32 // n×d
	logp, logpp       []float32 // n
	zz                []float64 // n: ‖z‖² of the proposal
	h                 []float64 // per-chain step
	mu, hbar, logxbar []float64 // dual averaging state: μ = log 10ε₀, H̄, log x̄
	acc               []Acceptance
	accWarm           []Acceptance
	eng               chainEngine
}

// NewMALA returns a MALA sampler of target, or an error naming the
// setting if the step is not as [MALAConfig.Step] says or the target
// acceptance is outside (0, 1).
func NewMALA(target LogDensity, cfg MALAConfig) (*MALA, error) {
	if err := checkScore("MALA", target, "Score", "LogDensity"); err != nil {
		return nil, err
	}
	if err := checkStep("MALA", "step", cfg.Step); err != nil {
		return nil, err
	}
	if cfg.TargetAccept == 0 {
		cfg.TargetAccept = 0.574
	}
	if !(cfg.TargetAccept > 0 && cfg.TargetAccept < 1) {
		return nil, fmt.Errorf("sampler: MALA: target acceptance %v, want in (0, 1)", cfg.TargetAccept)
	}
	if err := cfg.Chain.validate("MALA"); err != nil {
		return nil, err
	}
	return &MALA{cfg: cfg, target: target, eng: newChainEngine(cfg.Chain)}, nil
}

// built panics, naming method, unless m was made by [NewMALA]
// (see unbuilt). Every exported method calls it first.
func (m *MALA) built(method string) {
	if m == nil || m.target == nil {
		unbuilt("MALA."+method, m == nil)
	}
}

// Run advances the chains in x (n×d) by BurnIn + Steps steps in place and
// returns the kept draws; see [ULA.Run] for streams, errors and
// allocation. Adaptation, if on, runs during burn-in only. The chains of
// the last Run keep their step sizes and acceptance counts; chains
// beyond the last Run's count start at the geometric mean of those steps
// (Step if there are none) with counts of 0, as new chains do, even if
// an earlier Run had them (their random streams, as ULA's, go on where
// they stopped).
func (m *MALA) Run(ctx context.Context, x []float32) (*Trace, error) {
	m.built("Run")
	checkContext("MALA.Run", ctx)
	return m.eng.run(ctx, m, x, m.cfg.Chain.BurnIn, m.cfg.Chain.Steps)
}

// Reset makes the next Run restart every stream at position 0 and the
// step sizes at Step.
func (m *MALA) Reset() {
	m.built("Reset")
	m.eng.reset()
}

// Acceptance returns the acceptance counts of the steps after burn-in,
// summed over the chains of the last Run in chain order, since the last
// reset (or since the Run that added a chain, for that chain).
func (m *MALA) Acceptance() Acceptance {
	m.built("Acceptance")
	var a Acceptance
	for _, c := range m.acc {
		a = a.Add(c)
	}
	return a
}

// WarmupAcceptance returns the acceptance counts during burn-in.
func (m *MALA) WarmupAcceptance() Acceptance {
	m.built("WarmupAcceptance")
	var a Acceptance
	for _, c := range m.accWarm {
		a = a.Add(c)
	}
	return a
}

// StepSize returns chain c's current step h. It panics unless c is a
// chain of the last Run (0 ≤ c < n): before the first there are none.
func (m *MALA) StepSize(c int) float64 {
	m.built("StepSize")
	inRange("MALA.StepSize", "chain (of the last Run)", c, len(m.h))
	return m.h[c]
}

func (m *MALA) name() string { return "MALA" }
func (m *MALA) hint() string {
	return "the step size is likely too large, or log p or its score overflows"
}
func (m *MALA) dim() int { return m.target.Dim() }

// resize keeps the step sizes, adaptation state and counts of the
// chains that continue; new chains start at the geometric mean of their
// steps (equal to each after an adapted warm-up), or at Step if none
// continues.
func (m *MALA) resize(old, n int) {
	d := m.dim()
	m.grad, m.xp, m.gradp = resize(m.grad, n*d), resize(m.xp, n*d), resize(m.gradp, n*d)
	m.logp, m.logpp, m.zz = resize(m.logp, n), resize(m.logpp, n), resize(m.zz, n)
	m.h, m.hbar, m.logxbar = keep(m.h, old, n), keep(m.hbar, old, n), keep(m.logxbar, old, n)
	m.mu = keep(m.mu, old, n)
	m.acc, m.accWarm = keep(m.acc, old, n), keep(m.accWarm, old, n)
	kept := min(old, n)
	h := m.cfg.Step
	if kept > 0 {
		var s float64
		for _, v := range m.h[:kept] {
			s += fmath.Log(v) // exact for a subnormal float64 too
		}
		h = math.Exp(s / float64(kept))
	}
	for c := kept; c < n; c++ {
		m.h[c], m.hbar[c], m.logxbar[c] = h, 0, 0
		m.acc[c], m.accWarm[c] = Acceptance{}, Acceptance{}
	}
}

func (m *MALA) begin(e *chainEngine, x []float32, lo, hi int) int {
	d := e.d
	if m.cfg.Adapt && e.burn > 0 {
		// This Run's adaptation starts from each chain's step (Step, in
		// the first Run): ε₀ = h, and a dual average of its own.
		for c := lo; c < hi; c++ {
			m.mu[c], m.hbar[c], m.logxbar[c] = fmath.Log(10*m.h[c]), 0, 0
		}
	}
	m.target.Score(rows(m.grad, d, lo, hi), rows(x, d, lo, hi))
	m.target.LogDensity(m.logp[lo:hi], rows(x, d, lo, hi))
	bad := firstNonFinite(rows(m.grad, d, lo, hi), d)
	if c := firstNonFinite(m.logp[lo:hi], 1); c >= 0 && (bad < 0 || c < bad) {
		bad = c
	}
	if bad >= 0 {
		return lo + bad
	}
	return -1
}

// Dual-averaging constants (Hoffman & Gelman 2014).
const (
	daGamma = 0.05
	daT0    = 10
	daKappa = 0.75
)

func (m *MALA) step(e *chainEngine, t int, x []float32, lo, hi int) {
	d := e.d
	m.propose(e, x, lo, hi)
	m.target.Score(rows(m.gradp, d, lo, hi), rows(m.xp, d, lo, hi))
	m.target.LogDensity(m.logpp[lo:hi], rows(m.xp, d, lo, hi))
	warm := t < e.burn
	for c := lo; c < hi; c++ {
		u := e.uniform(c)
		h := float32(m.h[c])
		xc, xpc := x[c*d:c*d+d], m.xp[c*d:c*d+d]
		rev := kernel.MALAReverse(h, xc, xpc, m.gradp[c*d:c*d+d])
		logA := float64(m.logpp[c]) - float64(m.logp[c]) - float64(rev)/(4*float64(h)) + m.zz[c]/2
		accept := math.Log(float64(u)) < logA // false for NaN
		a := &m.acc[c]
		if warm {
			a = &m.accWarm[c]
		}
		a.Proposed++
		if accept {
			a.Accepted++
			copy(xc, xpc)
			copy(m.grad[c*d:c*d+d], m.gradp[c*d:c*d+d])
			m.logp[c] = m.logpp[c]
		}
		if warm && m.cfg.Adapt {
			alpha := 0.0
			if !math.IsNaN(logA) {
				alpha = math.Exp(min(logA, 0))
			}
			m.adapt(c, t+1, alpha)
		}
	}
}

// propose sets each chain's proposal x′ = x + h·∇log p(x) + √(2h)·z in
// xp and ‖z‖² in zz, z the chain's next d normals. From d = chainGroup on
// it is the fused kernel.Stream.MALAPropose per chain. Below, the normals
// come through the chains' buffers (one group per 64 normals, not one per
// step) and each coordinate is summed in float64 and rounded once to
// float32: every product of two float32s is exact in float64, so the
// result is the same bits whether or not the compiler fuses a multiply
// and an add. Which of the two a chain takes depends only on d.
func (m *MALA) propose(e *chainEngine, x []float32, lo, hi int) {
	d := e.d
	if d >= chainGroup {
		for c := lo; c < hi; c++ {
			m.zz[c] = float64(e.streams[c].MALAPropose(float32(m.h[c]), m.xp[c*d:c*d+d], x[c*d:c*d+d], m.grad[c*d:c*d+d]))
		}
		return
	}
	z := e.blockNormals(lo, hi)
	for c := lo; c < hi; c++ {
		h := float32(m.h[c])
		h64, sq := float64(h), float64(float32(math.Sqrt(2*float64(h))))
		xc, xpc, gc, zc := x[c*d:c*d+d], m.xp[c*d:c*d+d], m.grad[c*d:c*d+d], z[(c-lo)*d:(c-lo+1)*d]
		var zz float64
		for i, zi := range zc {
			z64 := float64(zi)
			xpc[i] = float32(float64(xc[i]) + h64*float64(gc[i]) + sq*z64)
			zz += z64 * z64
		}
		m.zz[c] = zz
	}
}

func (m *MALA) drawsWords() {}

// The bounds of the adapted log h: float32(h) is positive and finite
// (2⁻¹⁴⁹, the smallest positive float32, and MaxFloat32; exp of either
// rounds back to it in float32).
var (
	logMinStep32 = -149 * math.Ln2
	logMaxStep32 = math.Log(math.MaxFloat32)
)

// adapt performs dual-averaging iteration it ≥ 1 of this Run's burn-in
// for chain c, around the μ that begin set. It clamps
// log h to [logMinStep32, logMaxStep32] before it enters log x̄, so the
// step after burn-in, exp of a mean of those, is in range too.
func (m *MALA) adapt(c, it int, alpha float64) {
	mu := m.mu[c]
	fi := float64(it)
	w := 1 / (fi + daT0)
	m.hbar[c] = (1-w)*m.hbar[c] + w*(m.cfg.TargetAccept-alpha)
	logH := min(max(mu-math.Sqrt(fi)/daGamma*m.hbar[c], logMinStep32), logMaxStep32)
	eta := math.Pow(fi, -daKappa)
	m.logxbar[c] = eta*logH + (1-eta)*m.logxbar[c]
	m.h[c] = math.Exp(logH)
}

func (m *MALA) warmupDone(e *chainEngine) {
	if !m.cfg.Adapt {
		return
	}
	var s float64
	for _, l := range m.logxbar {
		s += l
	}
	h := math.Exp(s / float64(len(m.logxbar)))
	for c := range m.h {
		m.h[c] = h
	}
}
