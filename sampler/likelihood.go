package sampler

import (
	"context"
	"fmt"
	"math"
)

// TimeScoreJVP is a TimeScore that also computes Jacobian–vector products
// (forward mode), which the likelihood's divergence uses instead of finite
// differences when the model provides it.
type TimeScoreJVP interface {
	TimeScore
	// TimeScoreJVP sets dst to s(x, t) and jv to (∂s/∂x)(x, t)·v, row by
	// row, for the n = len(x)/d points of x. Safe for concurrent use.
	TimeScoreJVP(dst, jv, x, v []float32, t float32)
}

// TimeScoreDiv is a TimeScore that also computes its divergence exactly,
// which the likelihood uses in [LikelihoodExact] mode when the model
// provides it.
type TimeScoreDiv interface {
	TimeScore
	// TimeScoreDiv sets dst to s(x, t) and div[i] to ∇ₓ·s at point i of
	// the n = len(x)/d points of x; len(div) == n. Safe for concurrent
	// use.
	TimeScoreDiv(dst, div, x []float32, t float32)
}

// LikelihoodDivergence chooses how the likelihood computes ∇ₓ·s.
type LikelihoodDivergence int

const (
	// LikelihoodRademacher is Hutchinson's estimator vᵀ(∂s/∂x)v with v of
	// independent ±1 entries, drawn once per chain per call and kept for
	// the whole integration, as the reference does.
	LikelihoodRademacher LikelihoodDivergence = iota
	// LikelihoodGaussian is Hutchinson's estimator with v ~ N(0, I).
	LikelihoodGaussian
	// LikelihoodExact is the exact trace: the model's [TimeScoreDiv] if it
	// has one, else d Jacobian–vector products with the unit vectors
	// ([TimeScoreJVP]) or d forward differences. For small d.
	LikelihoodExact
)

// String returns the mode's name.
func (m LikelihoodDivergence) String() string {
	switch m {
	case LikelihoodRademacher:
		return "rademacher"
	case LikelihoodGaussian:
		return "gaussian"
	case LikelihoodExact:
		return "exact"
	}
	return fmt.Sprintf("LikelihoodDivergence(%d)", int(m))
}

// LikelihoodConfig configures a [Likelihood]. The zero value is the
// reference's: Rademacher probes, RK45 with rtol = atol = 10⁻⁵, from
// ε = 10⁻⁵ to T.
type LikelihoodConfig struct {
	Divergence LikelihoodDivergence
	// RTol and ATol are RK45's tolerances; 0 means 10⁻⁵.
	RTol, ATol float64
	// MaxSteps bounds RK45's steps; 0 means 10⁵.
	MaxSteps int
	// Eps is the time the data are put at; 0 means 10⁻⁵. It must be a
	// normal float32 (at least 1.2e-38): the score takes t as a float32.
	Eps float64
	// FDStep is the forward-difference step relative to 1 + rms(x) of the
	// point, used without TimeScoreJVP/TimeScoreDiv; 0 means 10⁻³. The
	// difference is exact for a score linear in x and O(FDStep) otherwise.
	FDStep float64
	// Seed and FirstChain name the probes' streams as in [PCConfig].
	Seed, FirstChain uint64
	// Workers is the most goroutines a call uses, as in [PCConfig]. The
	// result does not depend on it.
	Workers int
}

// Likelihood computes log p_ε(x) of data under a score SDE's
// probability-flow ODE (Song et al. 2021, appendix D.2): the ODE
//
//	dx/dt = f̃(x, t) = f(t)x − ½g(t)²s(x, t),  d(log p)/dt = ∇ₓ·f̃ = d·f(t) − ½g(t)²∇ₓ·s
//
// is integrated with RK45 from ε to T, and log p_ε(x) = log π(x_T) +
// ∫_ε^T ∇ₓ·f̃ dt with the prior π standing in for p_T, as the reference
// does. With the exact divergence of an exact score, the result is the
// marginal's log density within 3·10⁻⁴ nats at the default tolerances
// (TestLikelihoodGaussian) plus the prior's mismatch log p_T(x_T) −
// log π(x_T), which no integrator removes: for 2-d data of scale 2 it is
// up to 0.1 nats with the default VE and 0.03 with VP. Hutchinson's probes
// make the integral an unbiased estimate.
//
// One adaptive step size serves the whole batch, as in the reference; the
// result does not depend on Workers. It is not safe for concurrent use.
type Likelihood struct {
	sdeChains
	sde   SDE
	score TimeScore
	jvp   TimeScoreJVP
	dv    TimeScoreDiv
	cfg   LikelihoodConfig

	ode              *sdeODE
	x32, s32, xp, sp []float32
	v32              []float32
	div32            []float32
	div64            []float64
	perEval          int
	initF            func(b, lo, hi int)
}

// NewLikelihood returns a likelihood computer for sde with the
// time-conditional score. It returns an error for invalid settings. It
// never uses the SDE's N, which may be 0.
func NewLikelihood(sde SDE, score TimeScore, cfg LikelihoodConfig) (*Likelihood, error) {
	if err := sdeCheck("Likelihood", sde, score, false); err != nil {
		return nil, err
	}
	d := score.Dim()
	if cfg.Eps == 0 {
		cfg.Eps = 1e-5
	}
	if cfg.FDStep == 0 {
		cfg.FDStep = 1e-3
	}
	oc := ODEConfig{RTol: cfg.RTol, ATol: cfg.ATol, MaxSteps: cfg.MaxSteps, Eps: cfg.Eps}
	if err := oc.fill("Likelihood", sde.End()); err != nil {
		return nil, err
	}
	cfg.RTol, cfg.ATol, cfg.MaxSteps = oc.RTol, oc.ATol, oc.MaxSteps
	switch {
	case cfg.Divergence < LikelihoodRademacher || cfg.Divergence > LikelihoodExact:
		return nil, fmt.Errorf("sampler: Likelihood: unknown divergence mode %v", cfg.Divergence)
	case !(cfg.FDStep > 0 && cfg.FDStep < 1):
		return nil, fmt.Errorf("sampler: Likelihood: FDStep %g outside (0, 1)", cfg.FDStep)
	}
	l := &Likelihood{sdeChains: newSDEChains(score.Dim(), cfg.Seed, cfg.FirstChain, cfg.Workers), sde: sde, score: score, cfg: cfg}
	l.jvp, _ = score.(TimeScoreJVP)
	l.dv, _ = score.(TimeScoreDiv)
	switch {
	case cfg.Divergence != LikelihoodExact && l.jvp != nil:
		l.perEval = 1
	case cfg.Divergence != LikelihoodExact:
		l.perEval = 2
	case l.dv != nil:
		l.perEval = 1
	case l.jvp != nil:
		l.perEval = d
	default:
		l.perEval = d + 1
	}
	l.ode = newSDEODE(&l.team)
	l.ode.rtol, l.ode.atol = cfg.RTol, cfg.ATol
	l.ode.rhs = l.rhs
	l.initF = l.initPhase
	return l, nil
}

// built panics, naming method, unless l was made by [NewLikelihood]
// (see unbuilt). Every exported method calls it first.
func (l *Likelihood) built(method string) {
	if l == nil || l.score == nil {
		unbuilt("Likelihood."+method, l == nil)
	}
}

// Config returns the configuration with defaults filled in.
func (l *Likelihood) Config() LikelihoodConfig {
	l.built("Config")
	return l.cfg
}

// LikelihoodBitsPerDim converts a log density in nats of a d-dimensional
// point to bits per dimension, −log p/(d·ln 2). (For 8-bit images the
// reference adds the dequantisation offset log₂ of the number of bins per
// unit, 7 − inverse_scaler(−1): 8 for data scaled to [0, 1], 7 for
// [−1, 1]; that is the caller's.) It panics if d < 1.
func LikelihoodBitsPerDim(logp float64, d int) float64 {
	if d < 1 {
		panic(fmt.Sprintf("sampler: LikelihoodBitsPerDim: dimension %d, want ≥ 1", d))
	}
	return -logp / (float64(d) * math.Ln2)
}

func (l *Likelihood) resize(n int) {
	d := l.d
	nd := n * d
	l.x32, l.s32, l.xp, l.sp, l.v32 = resize(l.x32, nd), resize(l.s32, nd), resize(l.xp, nd), resize(l.sp, nd), resize(l.v32, nd)
	l.div32, l.div64 = resize(l.div32, n), resize(l.div64, n)
	l.ode.resize(n, d+1, l.split(n))
}

// LogP sets logp[i] to log p_ε of the point x[i·d:(i+1)·d], in nats, and,
// if z is not nil, z to the points' latents at T. It panics if len(x) is
// not a multiple of d, len(logp) ≠ n or z is neither nil nor of len(x);
// it returns an error if the integration fails, and one wrapping ctx's
// error if ctx is cancelled (checked before every RK45 step; logp and z
// are then not written).
func (l *Likelihood) LogP(ctx context.Context, logp []float64, z, x []float32) (SDEStats, error) {
	l.built("LogP")
	checkContext("Likelihood.LogP", ctx)
	d := l.d
	if len(x)%d != 0 || len(logp) != len(x)/d || (z != nil && len(z) != len(x)) {
		panic(fmt.Sprintf("sampler: Likelihood.LogP: length mismatch: len(logp), len(z), len(x), d = %d, %d, %d, %d", len(logp), len(z), len(x), d))
	}
	n := len(x) / d
	if n == 0 {
		return SDEStats{}, nil
	}
	l.resize(n)
	l.reseed()
	l.open(x)
	defer l.close()
	l.team.run(l.initF)
	st, err := l.ode.rk45(ctx, l.cfg.Eps, l.sde.End(), l.cfg.MaxSteps)
	st.ScoreEvals = st.Evals * l.perEval
	if err != nil {
		return st, err
	}
	w := d + 1
	sig := l.sde.PriorStd()
	for c := range n {
		y := l.ode.y[c*w : (c+1)*w]
		var ss float64
		for _, v := range y[:d] {
			ss += v * v
		}
		logp[c] = priorLogP(float64(d), ss, sig) + y[d]
		if z != nil {
			for j, v := range y[:d] {
				z[c*d+j] = float32(v)
			}
		}
	}
	return st, nil
}

// initPhase loads the data into the ODE state and draws the probes.
func (l *Likelihood) initPhase(_, lo, hi int) {
	d, w := l.d, l.d+1
	for c := lo; c < hi; c++ {
		for j := range d {
			l.ode.y[c*w+j] = float64(l.xs[c*d+j])
		}
		l.ode.y[c*w+d] = 0
		if l.cfg.Divergence != LikelihoodExact {
			l.drawProbe(c)
		}
	}
}

// drawProbe draws chain c's Hutchinson probe from its stream.
func (l *Likelihood) drawProbe(c int) {
	d := l.d
	v := l.v32[c*d : (c+1)*d]
	l.streams[c].Normals(v)
	if l.cfg.Divergence == LikelihoodRademacher {
		for j, u := range v {
			if u < 0 {
				v[j] = -1
			} else {
				v[j] = 1
			}
		}
	}
}

// rhs is the probability-flow drift and its divergence, for chains of
// width d+1 (the point, then log p).
func (l *Likelihood) rhs(lo, hi int, t float64, y, dy []float64) {
	d, w := l.d, l.d+1
	for c := lo; c < hi; c++ {
		for j := range d {
			l.x32[c*d+j] = float32(y[(c-lo)*w+j])
		}
	}
	l.div(lo, hi, float32(t))
	f, g := l.sde.Coefficients(t)
	hg := 0.5 * g * g
	for c := lo; c < hi; c++ {
		yc, dc := y[(c-lo)*w:(c-lo+1)*w], dy[(c-lo)*w:(c-lo+1)*w]
		s := l.s32[c*d : (c+1)*d]
		for j := range d {
			dc[j] = f*yc[j] - hg*float64(s[j])
		}
		dc[d] = f*float64(d) - hg*l.div64[c]
	}
}

// div sets s32 to the score at x32 and div64 to its divergence (exact or
// Hutchinson's estimate with the probes v32) for chains [lo, hi).
func (l *Likelihood) div(lo, hi int, t float32) {
	d := l.d
	x, s := l.x32[lo*d:hi*d], l.s32[lo*d:hi*d]
	xp, sp := l.xp[lo*d:hi*d], l.sp[lo*d:hi*d]
	div := l.div64[lo:hi]
	if l.cfg.Divergence != LikelihoodExact {
		v := l.v32[lo*d : hi*d]
		if l.jvp != nil {
			l.jvp.TimeScoreJVP(s, sp, x, v, t)
			for c := range div {
				var acc float64
				for j := c * d; j < (c+1)*d; j++ {
					acc += float64(v[j]) * float64(sp[j])
				}
				div[c] = acc
			}
			return
		}
		l.score.TimeScore(s, x, t)
		for c := range div {
			h := l.fdStep(x[c*d : (c+1)*d])
			for j := c * d; j < (c+1)*d; j++ {
				xp[j] = x[j] + float32(h)*v[j]
			}
		}
		l.score.TimeScore(sp, xp, t)
		for c := range div {
			h := l.fdStep(x[c*d : (c+1)*d])
			var acc float64
			for j := c * d; j < (c+1)*d; j++ {
				acc += float64(v[j]) * (float64(sp[j]) - float64(s[j]))
			}
			div[c] = acc / float64(float32(h))
		}
		return
	}
	if l.dv != nil {
		d32 := l.div32[lo:hi]
		l.dv.TimeScoreDiv(s, d32, x, t)
		for c, v := range d32 {
			div[c] = float64(v)
		}
		return
	}
	acc := l.div64[lo:hi]
	clear(acc)
	if l.jvp != nil {
		v := l.v32[lo*d : hi*d]
		for k := range d {
			clear(v)
			for c := range acc {
				v[c*d+k] = 1
			}
			l.jvp.TimeScoreJVP(s, sp, x, v, t)
			for c := range acc {
				acc[c] += float64(sp[c*d+k])
			}
		}
		return
	}
	l.score.TimeScore(s, x, t)
	for k := range d {
		copy(xp, x)
		for c := range acc {
			h := float32(l.fdStep(x[c*d : (c+1)*d]))
			xp[c*d+k] = x[c*d+k] + h
		}
		l.score.TimeScore(sp, xp, t)
		for c := range acc {
			j := c*d + k
			step := float64(xp[j]) - float64(x[j]) // the step actually taken
			acc[c] += (float64(sp[j]) - float64(s[j])) / step
		}
	}
}

// fdStep is the forward-difference step for the point x: FDStep·(1 + rms(x)).
func (l *Likelihood) fdStep(x []float32) float64 {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	return l.cfg.FDStep * (1 + math.Sqrt(ss/float64(len(x))))
}
