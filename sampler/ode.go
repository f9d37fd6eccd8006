package sampler

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/scorekit/scorekit/internal/english"
)

// ODEMethod chooses the integrator of the probability-flow ODE.
type ODEMethod int

const (
	// ODERK45 is the adaptive Dormand–Prince 5(4) method with the error
	// control and initial step of scipy's solve_ivp RK45, which the
	// reference uses: one step size for the whole batch, the error norm
	// the RMS over all chains of err/(atol + rtol·max(|y|, |y_new|)).
	// Like any embedded pair it can trust a long step whose error
	// estimate is far too small: on VP with data of standard deviation
	// 0.17 in one direction, the default 10⁻⁵ ends 1% off the exact flow
	// (FuzzODEGaussianFlow); 10⁻⁶ fixes it for such data.
	ODERK45 ODEMethod = iota
	// ODEHeun is Heun's method (explicit trapezoid) with a fixed number of
	// steps: exactly 2·Steps evaluations.
	ODEHeun
)

// String returns the method's name.
func (m ODEMethod) String() string {
	switch m {
	case ODERK45:
		return "rk45"
	case ODEHeun:
		return "heun"
	}
	return fmt.Sprintf("ODEMethod(%d)", int(m))
}

// ODEConfig configures an [ODESampler]. The zero value is the reference's
// ODE sampler: RK45 with rtol = atol = 10⁻⁵ from T to ε = 10⁻³, no
// denoising.
type ODEConfig struct {
	Method ODEMethod
	// Steps is Heun's number of steps; 0 means 100.
	Steps int
	// RTol and ATol are RK45's tolerances; 0 means 10⁻⁵.
	RTol, ATol float64
	// MaxSteps bounds RK45's accepted plus rejected steps; 0 means 10⁵.
	MaxSteps int
	// Eps is the time the samples are taken at; 0 means 10⁻³. It must be
	// a normal float32 (at least 1.2e-38): the score takes t as a
	// float32.
	Eps float64
	// Denoise ends with one reverse-diffusion predictor step without noise
	// at ε (x ← x − f_0(x) + G_0²·s(x, ε)), as the reference's denoise.
	// It takes the SDE's N-step discretisation, so needs N ≥ 1; without
	// it the sampler never uses N, and takes N = 0.
	Denoise bool
	// Seed and FirstChain name the prior's streams as in [PCConfig].
	Seed, FirstChain uint64
	// Workers is the most goroutines a call uses, as in [PCConfig]. The
	// result does not depend on it.
	Workers int
	// Progress, if not nil, is called on the calling goroutine with the
	// time the chains have reached: after every RK45 step and after every
	// segment of Heun steps (see [ODESampler.Sample]).
	Progress func(t float64)
}

// fill fills in the defaults and checks the settings, for the
// constructor named who in the errors.
func (c *ODEConfig) fill(who string, end float64) error {
	if c.Steps == 0 {
		c.Steps = 100
	}
	if c.RTol == 0 {
		c.RTol = 1e-5
	}
	if c.ATol == 0 {
		c.ATol = 1e-5
	}
	if c.MaxSteps == 0 {
		c.MaxSteps = 100000
	}
	if c.Eps == 0 {
		c.Eps = 1e-3
	}
	switch {
	case c.Method != ODERK45 && c.Method != ODEHeun:
		return fmt.Errorf("sampler: %s: unknown method %v", who, c.Method)
	case c.Steps < 1:
		return fmt.Errorf("sampler: %s: Steps %d < 1", who, c.Steps)
	case !(c.RTol > 0) || !(c.ATol > 0):
		return fmt.Errorf("sampler: %s: tolerances rtol %g, atol %g must be positive", who, c.RTol, c.ATol)
	case c.MaxSteps < 1:
		return fmt.Errorf("sampler: %s: MaxSteps %d < 1", who, c.MaxSteps)
	case !(c.Eps > 0 && c.Eps < end):
		return fmt.Errorf("sampler: %s: Eps %g outside (0, T = %g)", who, c.Eps, end)
	case float32(c.Eps) < minNormal32:
		return fmt.Errorf("sampler: %s: Eps %g: %s", who, c.Eps, epsNormalWhy)
	}
	return nil
}

// minNormal32 is the smallest normal float32, 2⁻¹²⁶ ≈ 1.2e-38.
const minNormal32 = 0x1p-126

// epsNormalWhy says why the SDE samplers refuse an Eps whose float32 is
// below minNormal32: the score takes t as a float32, which would be 0 or
// subnormal, where a VP SDE's σ(0) = 0 and a model that divides by σ(t)
// panics inside a sampler goroutine.
const epsNormalWhy = "want a normal float32, Eps ≥ 1.2e-38 (the score takes t as a float32, which would be 0 or subnormal, where a VP SDE's σ(t) is 0 or nearly)"

// Dormand–Prince 5(4): nodes, stages, 5th-order weights and the error
// weights (5th minus embedded 4th order). sdeDPA holds the rows of stages
// 2–6 only: the tableau's last row, for stage 7, equals the 5th-order
// weights sdeDPB (first same as last), so stagePhase evaluates stage 7 at
// the new solution ynew, which sdeDPB gives, and reuses it as the next
// step's first stage.
var (
	sdeDPC = [7]float64{0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1}
	sdeDPA = [5][5]float64{
		{1.0 / 5},
		{3.0 / 40, 9.0 / 40},
		{44.0 / 45, -56.0 / 15, 32.0 / 9},
		{19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
		{9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
	}
	sdeDPB = [7]float64{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0}
	sdeDPE = [7]float64{-71.0 / 57600, 0, 71.0 / 16695, -71.0 / 1920, 17253.0 / 339200, -22.0 / 525, 1.0 / 40}
)

// sdeODE integrates dy/dt = rhs(t, y) for n chains of width w at once, in
// float64, over blocks of chains. rhs(lo, hi, t, y, dy) evaluates chains
// [lo, hi) given their slices of y and dy.
type sdeODE struct {
	team       *chainTeam
	w, n       int
	rtol, atol float64
	rhs        func(lo, hi int, t float64, y, dy []float64)
	progress   func(t float64) // nil, or called with the time reached

	y, ynew, tmp []float64
	k            [7][]float64
	acc, acc2    []float64 // per chain sums of squares
	bad, badStep []int     // per block: first non-finite chain (−1 if none), Heun's step

	// phase state
	t, h   float64 // h signed
	i0, i1 int     // Heun: the phase's steps
	heunF  func(b, lo, hi int)
	initF  func(b, lo, hi int)
	init2F func(b, lo, hi int)
	stageF func(b, lo, hi int)
}

func newSDEODE(team *chainTeam) *sdeODE {
	o := &sdeODE{team: team}
	o.heunF = o.heunPhase
	o.initF = o.initPhase
	o.init2F = o.init2Phase
	o.stageF = o.stagePhase
	return o
}

// resize sizes the buffers for n chains of width w and nb blocks.
func (o *sdeODE) resize(n, w, nb int) {
	o.n, o.w = n, w
	m := n * w
	o.y, o.ynew, o.tmp = resize(o.y, m), resize(o.ynew, m), resize(o.tmp, m)
	for i := range o.k {
		o.k[i] = resize(o.k[i], m)
	}
	o.acc, o.acc2 = resize(o.acc, n), resize(o.acc2, n)
	o.bad, o.badStep = resize(o.bad, nb), resize(o.badStep, nb)
}

// heun integrates y from t0 to t1 with steps steps of Heun's method,
// checking ctx between segments of steps (see segmentTime).
func (o *sdeODE) heun(ctx context.Context, t0, t1 float64, steps int) (SDEStats, error) {
	o.t, o.h = t0, (t1-t0)/float64(steps)
	seg := 1
	for i := 0; i < steps; i = o.i1 {
		if err := ctx.Err(); err != nil {
			return SDEStats{Steps: i, Evals: 2 * i}, fmt.Errorf("sampler: ODE: stopped at Heun step %d of %d: %w", i, steps, err)
		}
		start := time.Now()
		o.i0, o.i1 = i, min(i+seg, steps)
		o.team.run(o.heunF)
		seg = nextSegment(o.i1-o.i0, time.Since(start))
		first, chain := -1, -1
		for b, c := range o.bad {
			if c >= 0 && (first < 0 || o.badStep[b] < first) {
				first, chain = o.badStep[b], c
			}
		}
		if first >= 0 {
			// The run stops at the failing step, which the counts include
			// (its two evaluations were made; see SDEStats).
			return SDEStats{Steps: first + 1, Evals: 2 * (first + 1)}, &DivergenceError{Sampler: "ODE", Step: first, Chain: chain,
				Hint: fmt.Sprintf("made so by Heun's step at t = %g: more steps (or the adaptive RK45) is the likely cure", t0+float64(first)*o.h)}
		}
		if o.progress != nil {
			t := t0 + float64(o.i1)*o.h
			if o.i1 == steps {
				t = t1 // exactly, not as the sum rounds
			}
			o.progress(t)
		}
	}
	return SDEStats{Steps: steps, Evals: 2 * steps}, nil
}

// heunPhase runs Heun's steps [i0, i1) on chains [lo, hi).
func (o *sdeODE) heunPhase(b, lo, hi int) {
	w := o.w
	y, k0, k1, tmp := o.y[lo*w:hi*w], o.k[0][lo*w:hi*w], o.k[1][lo*w:hi*w], o.tmp[lo*w:hi*w]
	h := o.h
	o.bad[b] = -1
	for i := o.i0; i < o.i1; i++ {
		t := o.t + float64(i)*h
		o.rhs(lo, hi, t, y, k0)
		for j, v := range y {
			tmp[j] = v + h*k0[j]
		}
		o.rhs(lo, hi, t+h, tmp, k1)
		for j := range y {
			y[j] += 0.5 * h * (k0[j] + k1[j])
		}
		if c := firstNonFinite(y, w); c >= 0 {
			o.bad[b], o.badStep[b] = lo+c, i
			return
		}
	}
}

// rmsNorm returns √(Σacc/(n·w)) summed in chain order.
func (o *sdeODE) rmsNorm(acc []float64) float64 {
	var s float64
	for _, v := range acc {
		s += v
	}
	return math.Sqrt(s / float64(o.n*o.w))
}

func (o *sdeODE) initPhase(_, lo, hi int) {
	w := o.w
	y, f0 := o.y[lo*w:hi*w], o.k[0][lo*w:hi*w]
	o.rhs(lo, hi, o.t, y, f0)
	for c := lo; c < hi; c++ {
		var s0, s1 float64
		for j := c * w; j < (c+1)*w; j++ {
			sc := o.atol + math.Abs(o.y[j])*o.rtol
			a, b := o.y[j]/sc, o.k[0][j]/sc
			s0 += a * a
			s1 += b * b
		}
		o.acc[c], o.acc2[c] = s0, s1
	}
}

func (o *sdeODE) init2Phase(_, lo, hi int) {
	w := o.w
	y, f0, y1, f1 := o.y[lo*w:hi*w], o.k[0][lo*w:hi*w], o.tmp[lo*w:hi*w], o.k[1][lo*w:hi*w]
	for j, v := range y {
		y1[j] = v + o.h*f0[j]
	}
	o.rhs(lo, hi, o.t+o.h, y1, f1)
	for c := lo; c < hi; c++ {
		var s float64
		for j := c * w; j < (c+1)*w; j++ {
			sc := o.atol + math.Abs(o.y[j])*o.rtol
			a := (o.k[1][j] - o.k[0][j]) / sc
			s += a * a
		}
		o.acc[c] = s
	}
}

// stagePhase computes stages 2..7 of one Dormand–Prince step of size o.h
// from o.t (k[0] holds f(t, y)), the 5th-order solution in ynew and the
// per-chain error sums in acc.
func (o *sdeODE) stagePhase(b, lo, hi int) {
	w := o.w
	r := func(s []float64) []float64 { return s[lo*w : hi*w] }
	y, tmp, ynew := r(o.y), r(o.tmp), r(o.ynew)
	var k [7][]float64
	for i := range k {
		k[i] = r(o.k[i])
	}
	h, t := o.h, o.t
	for s := 1; s <= 5; s++ {
		a := &sdeDPA[s-1]
		for j, v := range y {
			acc := 0.0
			for q := 0; q < s; q++ {
				acc += a[q] * k[q][j]
			}
			tmp[j] = v + h*acc
		}
		o.rhs(lo, hi, t+sdeDPC[s]*h, tmp, k[s])
	}
	for j, v := range y {
		acc := 0.0
		for q := 0; q < 6; q++ {
			acc += sdeDPB[q] * k[q][j]
		}
		ynew[j] = v + h*acc
	}
	o.rhs(lo, hi, t+h, ynew, k[6])
	o.bad[b] = -1
	for c := lo; c < hi; c++ {
		var s float64
		for j := (c - lo) * w; j < (c-lo+1)*w; j++ {
			e := 0.0
			for q := 0; q < 7; q++ {
				e += sdeDPE[q] * k[q][j]
			}
			sc := o.atol + math.Max(math.Abs(y[j]), math.Abs(ynew[j]))*o.rtol
			e *= h / sc
			s += e * e
		}
		o.acc[c] = s
		if o.bad[b] < 0 && (math.IsNaN(s) || math.IsInf(s, 0)) {
			o.bad[b] = c
		}
	}
}

// rk45 integrates y from t0 to t1 with Dormand–Prince 5(4) and scipy's
// step-size control, checking ctx before every step.
func (o *sdeODE) rk45(ctx context.Context, t0, t1 float64, maxSteps int) (SDEStats, error) {
	var st SDEStats
	if err := ctx.Err(); err != nil {
		return st, fmt.Errorf("sampler: ODE: stopped at t = %g: %w", t0, err)
	}
	dir := 1.0
	if t1 < t0 {
		dir = -1
	}
	span := math.Abs(t1 - t0)
	// Initial step (scipy's select_initial_step).
	o.t = t0
	o.team.run(o.initF)
	st.Evals++
	d0, d1 := o.rmsNorm(o.acc), o.rmsNorm(o.acc2)
	if math.IsNaN(d0+d1) || math.IsInf(d0+d1, 0) {
		// The first chain whose state or right-hand side is not finite.
		c := firstNonFinite(o.y, o.w)
		if f := firstNonFinite(o.k[0], o.w); c < 0 || f >= 0 && f < c {
			c = f
		}
		if c >= 0 {
			return st, &DivergenceError{Sampler: "ODE", Step: -1, Chain: c}
		}
		// All finite: the sums of squares of the scaled state and
		// right-hand side overflowed (each over 1e154 or so), which
		// takes tolerances far below the values.
		return st, fmt.Errorf("sampler: ODE: RK45's error norms overflow at t = %g: the tolerances (RTol %g, ATol %g) are too small for this state, whose values or derivatives exceed 1e154 times them", t0, o.rtol, o.atol)
	}
	h0 := 0.01 * d0 / d1
	if d0 < 1e-5 || d1 < 1e-5 {
		h0 = 1e-6
	}
	h0 = min(h0, span)
	o.h = dir * h0
	o.team.run(o.init2F)
	st.Evals++
	d2 := o.rmsNorm(o.acc) / h0
	var h1 float64
	if d1 <= 1e-15 && d2 <= 1e-15 {
		h1 = max(1e-6, h0*1e-3)
	} else {
		// math.Pow is wrong for a subnormal argument on amd64 (its
		// math.Log is, golang/go#56600), but never decides h: that
		// takes d2 = ‖Δf‖/h0 > 4.5e305 with ‖Δf‖ < 1.4e154 (the norm
		// sums squares), so 100·h0 < 3e-150 while h1 > 2e-65.
		h1 = math.Pow(0.01/max(d1, d2), 1.0/5)
	}
	// min(100·h0, h1, span), passing over an h1 that is NaN or 0, as it
	// is when the right-hand side at the trial point is NaN or infinite
	// for some chain (d2 NaN or +Inf; a finite d2 gives h1 > 0): Go's
	// min would make the step NaN, and every chain with it, and scipy's
	// 0 would stop at once with "step size too small", naming no chain,
	// where the first step now finds the chains that are not finite.
	h := 100 * h0
	if h1 > 0 && h1 < h {
		h = h1
	}
	h = min(h, span)

	t := t0
	for dir*(t1-t) > 0 {
		rejected := false
		for {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("sampler: ODE: stopped at t = %g after %s: %w", t, english.Count(st.Steps, "step"), err)
			}
			if st.Steps+st.Rejected >= maxSteps {
				return st, fmt.Errorf("sampler: ODE: RK45 reached %s at t = %g", english.Count(maxSteps, "step"), t)
			}
			if h < 10*math.Abs(math.Nextafter(t, dir*math.Inf(1))-t) {
				return st, fmt.Errorf("sampler: ODE: RK45 step size %g too small at t = %g: the score is not smooth there, or the tolerances (RTol %g, ATol %g) are too tight", h, t, o.rtol, o.atol)
			}
			tn := t + dir*h
			if dir*(tn-t1) > 0 {
				tn = t1
			}
			o.t, o.h = t, tn-t
			o.team.run(o.stageF)
			st.Evals += 6
			for _, c := range o.bad {
				if c >= 0 {
					return st, &DivergenceError{Sampler: "ODE", Step: st.Steps, Chain: c,
						Hint: fmt.Sprintf("made so by an RK45 step from t = %g: the score is likely not finite there", t)}
				}
			}
			en := o.rmsNorm(o.acc)
			hAbs := math.Abs(tn - t)
			if en < 1 {
				factor := 10.0
				if en > 0 {
					// A subnormal en, where amd64's math.Pow is
					// wrong, gives over 3e61 either way: factor 10.
					factor = min(10, 0.9*math.Pow(en, -0.2))
				}
				if rejected {
					factor = min(1, factor)
				}
				h = hAbs * factor
				t = tn
				o.y, o.ynew = o.ynew, o.y
				o.k[0], o.k[6] = o.k[6], o.k[0]
				st.Steps++
				if o.progress != nil {
					o.progress(t)
				}
				break
			}
			h = hAbs * max(0.2, 0.9*math.Pow(en, -0.2))
			rejected = true
			st.Rejected++
		}
	}
	return st, nil
}

// ODESampler samples a score SDE through its probability-flow ODE
// dx/dt = f(t)x − ½g(t)²s(x, t), integrated from the prior at T down to ε
// (Song et al. 2021, section 4.3). The state is integrated in float64; the
// score sees it rounded to float32. It reuses its buffers across calls
// with the same number of chains and allocates nothing per step.
//
// It is not safe for concurrent use. Chains are split across goroutines by
// blocks; with Heun the result does not depend on Workers, and with RK45
// neither (the error norm is summed in chain order), given a score whose
// rows do not depend on the batch they are evaluated in.
type ODESampler struct {
	sdeChains
	sde   SDE
	score TimeScore
	cfg   ODEConfig

	ode    *sdeODE
	x32    []float32
	s32    []float32
	t32    float32
	prior  float64
	initF  func(b, lo, hi int)
	outF   func(b, lo, hi int)
	denF   func(b, lo, hi int)
	da, db float64
}

// NewODESampler returns a probability-flow ODE sampler for sde with the
// time-conditional score. It returns an error for invalid settings. The
// SDE's N may be 0 unless cfg.Denoise (see [ODEConfig.Denoise]).
func NewODESampler(sde SDE, score TimeScore, cfg ODEConfig) (*ODESampler, error) {
	if err := sdeCheck("ODE", sde, score, cfg.Denoise); err != nil {
		return nil, err
	}
	if err := cfg.fill("ODE", sde.End()); err != nil {
		return nil, err
	}
	o := &ODESampler{sdeChains: newSDEChains(score.Dim(), cfg.Seed, cfg.FirstChain, cfg.Workers), sde: sde, score: score, cfg: cfg}
	o.ode = newSDEODE(&o.team)
	o.ode.rtol, o.ode.atol = cfg.RTol, cfg.ATol
	o.ode.rhs = o.rhs
	o.ode.progress = cfg.Progress
	o.initF = o.initPhase
	o.outF = o.outPhase
	o.denF = o.denoisePhase
	return o, nil
}

// built panics, naming method, unless o was made by [NewODESampler]
// (see unbuilt). Every exported method calls it first.
func (o *ODESampler) built(method string) {
	if o == nil || o.score == nil {
		unbuilt("ODESampler."+method, o == nil)
	}
}

// Config returns the sampler's configuration with defaults filled in.
func (o *ODESampler) Config() ODEConfig {
	o.built("Config")
	return o.cfg
}

// rhs is the probability-flow drift f(t)x − ½g(t)²s(x, t).
func (o *ODESampler) rhs(lo, hi int, t float64, y, dy []float64) {
	d := o.d
	x32, s32 := o.x32[lo*d:hi*d], o.s32[lo*d:hi*d]
	for j, v := range y {
		x32[j] = float32(v)
	}
	o.score.TimeScore(s32, x32, float32(t))
	f, g := o.sde.Coefficients(t)
	hg := 0.5 * g * g
	s32 = s32[:len(y)]
	dy = dy[:len(y)]
	for j, v := range y {
		dy[j] = f*v - hg*float64(s32[j])
	}
}

func (o *ODESampler) resize(n int) {
	nd := n * o.d
	o.x32, o.s32 = resize(o.x32, nd), resize(o.s32, nd)
	o.ode.resize(n, o.d, o.split(n))
}

// Sample fills x with n = len(x)/d samples: prior draws from the chains'
// streams carried from T to ε by the probability-flow ODE. It panics if
// len(x) is not a multiple of d and returns an error if the integration
// fails or a chain becomes non-finite, and one wrapping ctx's error if ctx
// is cancelled (checked before every RK45 step and between segments of at
// most 64 Heun steps that take about 25 ms; x then holds no samples).
func (o *ODESampler) Sample(ctx context.Context, x []float32) (SDEStats, error) {
	o.built("Sample")
	checkContext("ODESampler.Sample", ctx)
	n := o.count("ODESampler.Sample", x)
	if n == 0 {
		return SDEStats{}, nil
	}
	o.resize(n)
	o.reseed()
	o.prior = o.sde.PriorStd()
	o.open(x)
	defer o.close()
	o.team.run(o.initF)
	return o.integrate(ctx, o.sde.End(), o.cfg.Eps, o.cfg.Denoise)
}

// Flow carries the n = len(x)/d points of x in place along the
// probability-flow ODE from time t0 to t1 (t0 > t1 decodes towards the
// data, t0 < t1 encodes towards the prior), without denoising. It panics
// if len(x) is not a multiple of d; it returns an error unless t0 and t1
// are in [1.2e-38, T] (normal float32 times, as [ODEConfig.Eps]); it stops
// as Sample does if ctx is cancelled, leaving x as it was.
func (o *ODESampler) Flow(ctx context.Context, x []float32, t0, t1 float64) (SDEStats, error) {
	o.built("Flow")
	checkContext("ODESampler.Flow", ctx)
	n := o.count("ODESampler.Flow", x)
	// Outside, the flow ran silently beyond T, where the score was never
	// trained, or, towards t = 0, had the score panic at a time rounding
	// took below 0.
	if end := o.sde.End(); !(t0 <= end && float32(t0) >= minNormal32 && t1 <= end && float32(t1) >= minNormal32) {
		return SDEStats{}, fmt.Errorf("sampler: ODESampler.Flow: from t0 = %g to t1 = %g: want times from 1.2e-38 to T = %g (the score takes t as a float32, which would be 0 or subnormal, where a VP SDE's σ(t) is 0 or nearly)", t0, t1, end)
	}
	if n == 0 || t0 == t1 {
		return SDEStats{}, nil
	}
	o.resize(n)
	for j, v := range x {
		o.ode.y[j] = float64(v)
	}
	o.open(x)
	defer o.close()
	return o.integrate(ctx, t0, t1, false)
}

func (o *ODESampler) integrate(ctx context.Context, t0, t1 float64, denoise bool) (SDEStats, error) {
	var st SDEStats
	var err error
	if o.cfg.Method == ODEHeun {
		st, err = o.ode.heun(ctx, t0, t1, o.cfg.Steps)
	} else {
		st, err = o.ode.rk45(ctx, t0, t1, o.cfg.MaxSteps)
	}
	st.ScoreEvals = st.Evals
	if err != nil {
		return st, err
	}
	o.team.run(o.outF)
	if denoise {
		f, g := o.sde.Discrete(t1)
		o.da, o.db = 1-f, g*g
		o.t32 = float32(t1)
		o.team.run(o.denF)
		st.Evals++
		st.ScoreEvals++
		if c := firstNonFinite(o.xs, o.d); c >= 0 {
			return st, &DivergenceError{Sampler: "ODE", Step: st.Steps, Chain: c, Hint: "made so by the final denoising step"}
		}
	}
	return st, nil
}

func (o *ODESampler) initPhase(_, lo, hi int) {
	d := o.d
	for c := lo; c < hi; c++ {
		row := o.xs[c*d : (c+1)*d]
		o.streams[c].Normals(row)
		for j, v := range row {
			o.ode.y[c*d+j] = o.prior * float64(v)
		}
	}
}

func (o *ODESampler) outPhase(_, lo, hi int) {
	d := o.d
	for j := lo * d; j < hi*d; j++ {
		o.xs[j] = float32(o.ode.y[j])
	}
}

func (o *ODESampler) denoisePhase(_, lo, hi int) {
	d := o.d
	x, s := o.xs[lo*d:hi*d], o.s32[lo*d:hi*d]
	o.score.TimeScore(s, x, o.t32)
	a, b := float32(o.da), float32(o.db)
	s = s[:len(x)]
	for j, v := range x {
		x[j] = a*v + b*s[j]
	}
}
