package sampler

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/scorekit/scorekit/kernel"
)

// PCPredictor chooses the predictor of the predictor–corrector sampler.
type PCPredictor int

const (
	// PCReverseDiffusion discretises the reverse SDE with the forward SDE's
	// own discretisation: x ← x − f_i(x) + G_i²·s(x, t) + G_i·z.
	PCReverseDiffusion PCPredictor = iota
	// PCEulerMaruyama steps the reverse SDE with Euler–Maruyama, dt = −1/N:
	// x ← x − (f(t)x − g(t)²s)/N + g(t)/√N·z.
	PCEulerMaruyama
	// PCAncestral is ancestral sampling (VE: SMLD, VP: DDPM); it is not
	// defined for sub-VP.
	PCAncestral
	// PCNoPredictor runs the corrector only.
	PCNoPredictor
)

var pcPredictorNames = [...]string{"reverse-diffusion", "euler-maruyama", "ancestral", "none"}

// String returns the predictor's name.
func (p PCPredictor) String() string {
	if p >= 0 && int(p) < len(pcPredictorNames) {
		return pcPredictorNames[p]
	}
	return fmt.Sprintf("PCPredictor(%d)", int(p))
}

// PCCorrector chooses the corrector of the predictor–corrector sampler.
type PCCorrector int

const (
	// PCLangevin is the Langevin corrector with the signal-to-noise step
	// rule (see [PCConfig]).
	PCLangevin PCCorrector = iota
	// PCNoCorrector runs the predictor only.
	PCNoCorrector
)

// String returns the corrector's name.
func (c PCCorrector) String() string {
	switch c {
	case PCLangevin:
		return "langevin"
	case PCNoCorrector:
		return "none"
	}
	return fmt.Sprintf("PCCorrector(%d)", int(c))
}

// PCConfig configures a [PCSampler]. The zero value is the reference's
// usual setting: reverse-diffusion predictor, one Langevin corrector step
// at snr 0.16, ε = 10⁻³, returning the last mean.
//
// The Langevin corrector at time t draws z ~ N(0, I), evaluates s = s(x, t)
// and steps
//
//	ε = 2α(snr·‖z‖/‖s‖)²,  x ← x + ε·s + √(2ε)·z
//
// with α = 1 for VE and α = 1 − β_i for VP and sub-VP. As the reference
// does, ‖z‖ and ‖s‖ are the per-chain Euclidean norms averaged over all the
// chains of the call (the mean of norms, not the norm of the batch), so one
// ε serves the whole batch; PerChainSNR uses each chain's own norms instead.
// A zero mean score norm skips the step.
//
// The corrector and low-dimensional data. With the exact score of the data
// the corrector at snr ≤ 0.16 costs nothing: on a 2-D Gaussian mixture its
// samples are as near the data as the predictor's alone (energy distance
// within the metric's noise, VE and VP, N = 100 and 1000), and on a VE SDE
// with N = 100 in d = 64 it takes off most of the predictor's excess width
// (total variance 1.09 → 1.02 of the data's). With a trained network it can
// spoil low-dimensional samples: where the data's own scale ℓ is far above
// σ(t), as in every direction of 2-D data at the last steps (σ_min = 0.01),
// ‖s‖ ≈ √d/ℓ and the step is about 2·snr²·ℓ², not annealed Langevin's
// 2·snr²·σ(t)², so over those steps the corrector runs Langevin long enough
// to settle in the network's score at the smallest σ(t), which denoising
// score matching fits worst (relative error near 1 at σ = 0.01 on a
// two-moons-like mixture), while the reverse-diffusion predictor's steps
// there add up to a variance of only σ(t)². A VE network trained on two
// moons gave energy distance 0.11 to held-out points with the corrector
// and 0.016 without (the ODE 0.009). For such data use [PCNoCorrector]
// (score_sde's choice for VP; snr 0.04 came near it, 0.08 did not) and
// compare with the probability-flow ODE; snr 0.16 was tuned on images
// (d = 3072). In low dimension keep the batch step rule (see PerChainSNR).
type PCConfig struct {
	Predictor PCPredictor
	Corrector PCCorrector
	// SNR is the corrector's signal-to-noise ratio; 0 means 0.16.
	SNR float64
	// CorrectorSteps is the number of corrector steps per time step;
	// 0 means 1.
	CorrectorSteps int
	// Eps is the last time of the grid linspace(T, Eps, N); 0 means 10⁻³.
	// It must be a normal float32 (at least 1.2e-38): the score takes t
	// as a float32.
	Eps float64
	// KeepNoise returns the last sample with its noise; by default the
	// result is the last mean (the reference's noise removal).
	KeepNoise bool
	// PerChainSNR uses per-chain norms in the corrector's step rule. Near
	// a mode of scale σ a chain's step is then 2·snr²σ² times an F(d, d)
	// variable (‖z‖² and ‖s‖²σ² are χ²_d), whose mean is infinite for
	// d ≤ 2 and whose variance is infinite for d ≤ 4: a few chains take
	// huge steps. With the exact score of a Gaussian mixture the samples'
	// total variance came out 1.3 to 160 times the data's in d = 2 (snr
	// 0.04 to 0.32), 1.05 to 1.24 times in d = 16 and 1.03 to 1.11 times in
	// d = 64, where the batch rule's was within 1% of the data's up to snr
	// 0.16 (N = 1000). Leave it off unless d is in the hundreds or more.
	PerChainSNR bool
	// Seed and FirstChain name the streams: chain c of a call draws from
	// stream FirstChain + c under Seed.
	Seed, FirstChain uint64
	// Workers is the most goroutines (blocks of chains) a call uses; 0
	// means GOMAXPROCS. Chains are split as [ChainConfig.Workers] says:
	// small batches run on the calling goroutine alone. The result does
	// not depend on it.
	Workers int
	// Trace, if not nil, is called on the calling goroutine for each
	// corrector step, once its batch step size is known and before it is
	// applied, with the time step index, t and ε (never with PerChainSNR,
	// which has no batch step size).
	Trace func(step int, t, eps float64)
	// Progress, if not nil, is called on the calling goroutine after every
	// segment of time steps (see [PCSampler.Sample]) with the time steps
	// done and N.
	Progress func(done, total int)
}

// SDEStats reports the work of one sampler or likelihood call. With an
// error (cancellation, divergence), the predictor–corrector sampler's
// counts cover the time steps before the one it stopped in, not that
// step's part; Heun's ODE counts the step that diverged too (its
// evaluations were made), and a cancelled ODE or likelihood call the steps
// it finished.
type SDEStats struct {
	// Steps is the number of accepted time steps.
	Steps int
	// Rejected is the number of rejected adaptive steps (RK45).
	Rejected int
	// Evals is the number of evaluations of the right-hand side over the
	// whole batch, as the reference counts them: scipy's nfev for RK45
	// (plus one for the ODE sampler's final denoising step, which the
	// reference's nfe leaves out); for PC, N·(CorrectorSteps + 1) with a
	// predictor and corrector, N or N·CorrectorSteps with only one of
	// them.
	Evals int
	// ScoreEvals is the number of batched score calls over the whole batch
	// (more than Evals when divergences use finite differences).
	ScoreEvals int
}

// PCSampler is the predictor–corrector sampler of a score SDE (Song et al.
// 2021, Algorithm 1–3): from the prior at T it walks the grid
// linspace(T, ε, N) and at each time runs the corrector steps, then the
// predictor. It reuses its buffers across calls with the same number of
// chains and allocates nothing per step.
//
// It is not safe for concurrent use; chains are split across its own
// goroutines by blocks, each chain drawing from its own stream, so the
// result is the same for any Workers (given a score whose rows do not
// depend on the batch they are evaluated in).
type PCSampler struct {
	sdeChains
	sde   SDE
	score TimeScore
	cfg   PCConfig

	s, z   []float32
	gn, zn []float64 // per-chain norms of score and noise
	// per block: the first op that made a chain non-finite, and the chain
	badOp, badChain []int

	// the schedule: each of the N steps is `per` ops, k corrector steps of
	// two ops each (prepare, apply), then the predictor if any
	per, k     int
	pred, corr bool
	// the phase's op range and the batch step size, written by the
	// caller goroutine before each phase
	from, to int
	eps      float64
	prior    float32
	initF    func(b, lo, hi int)
	phaseF   func(b, lo, hi int)
}

// NewPCSampler returns a predictor–corrector sampler for sde with the
// time-conditional score. It returns an error for invalid settings, an
// SDE with N < 1 among them: its grid has the SDE's N times.
func NewPCSampler(sde SDE, score TimeScore, cfg PCConfig) (*PCSampler, error) {
	if err := sdeCheck("PC", sde, score, true); err != nil {
		return nil, err
	}
	if cfg.SNR == 0 {
		cfg.SNR = 0.16
	}
	if cfg.CorrectorSteps == 0 {
		cfg.CorrectorSteps = 1
	}
	if cfg.Eps == 0 {
		cfg.Eps = 1e-3
	}
	switch {
	case cfg.Predictor < 0 || cfg.Predictor > PCNoPredictor:
		return nil, fmt.Errorf("sampler: PC: unknown predictor %v", cfg.Predictor)
	case cfg.Corrector < 0 || cfg.Corrector > PCNoCorrector:
		return nil, fmt.Errorf("sampler: PC: unknown corrector %v", cfg.Corrector)
	case !(cfg.SNR > 0) || math.IsInf(cfg.SNR, 0):
		return nil, fmt.Errorf("sampler: PC: SNR %g is not a positive number", cfg.SNR)
	case cfg.CorrectorSteps < 0:
		return nil, fmt.Errorf("sampler: PC: CorrectorSteps %d < 0", cfg.CorrectorSteps)
	case !(cfg.Eps > 0 && cfg.Eps < sde.End()):
		return nil, fmt.Errorf("sampler: PC: Eps %g outside (0, T = %g)", cfg.Eps, sde.End())
	case float32(cfg.Eps) < minNormal32:
		return nil, fmt.Errorf("sampler: PC: Eps %g: %s", cfg.Eps, epsNormalWhy)
	case cfg.Predictor == PCNoPredictor && cfg.Corrector == PCNoCorrector:
		return nil, fmt.Errorf("sampler: PC: neither predictor nor corrector")
	}
	if cfg.Predictor == PCAncestral {
		if _, _, _, ok := sdeAncestral(sde, sde.End()); !ok {
			return nil, fmt.Errorf("sampler: PC: ancestral sampling is defined for VE and VP only, not %T", sde)
		}
	}
	p := &PCSampler{sdeChains: newSDEChains(score.Dim(), cfg.Seed, cfg.FirstChain, cfg.Workers), sde: sde, score: score, cfg: cfg}
	p.corr = cfg.Corrector == PCLangevin
	p.pred = cfg.Predictor != PCNoPredictor
	if p.corr {
		p.k = cfg.CorrectorSteps
	}
	if p.k > (math.MaxInt-1)/2 {
		return nil, fmt.Errorf("sampler: PC: CorrectorSteps %d: a time step's phases overflow an int", p.k)
	}
	p.per = 2 * p.k
	if p.pred {
		p.per++
	}
	if N := sde.Steps(); N > math.MaxInt/p.per {
		// A run's N·per phases would wrap, and it would return at once
		// having run nothing.
		return nil, fmt.Errorf("sampler: PC: N = %d time steps of %d phases each overflow an int", N, p.per)
	}
	p.initF = p.initPhase
	p.phaseF = p.phase
	return p, nil
}

// built panics, naming method, unless p was made by [NewPCSampler]
// (see unbuilt). Every exported method calls it first.
func (p *PCSampler) built(method string) {
	if p == nil || p.score == nil {
		unbuilt("PCSampler."+method, p == nil)
	}
}

// Config returns the sampler's configuration with defaults filled in.
func (p *PCSampler) Config() PCConfig {
	p.built("Config")
	return p.cfg
}

// sdeAncestral returns the ancestral step x ← a·x + b·s + c·z at t for VE
// and VP.
func sdeAncestral(sde SDE, t float64) (a, b, c float64, ok bool) {
	switch s := sde.(type) {
	case *VE:
		return sdeAncestral(*s, t)
	case *VP:
		return sdeAncestral(*s, t)
	case VE:
		i := sdeIndex(t, s.End(), s.N)
		sig := s.DiscreteSigma(i)
		var adj float64
		if i > 0 {
			adj = s.DiscreteSigma(i - 1)
		}
		d := sig*sig - adj*adj
		return 1, d, math.Sqrt(adj * adj * d / (sig * sig)), true
	case VP:
		beta := s.DiscreteBeta(sdeIndex(t, s.End(), s.N))
		r := 1 / math.Sqrt(1-beta)
		return r, beta * r, math.Sqrt(beta), true
	}
	return 0, 0, 0, false
}

// sdePredictor returns the reverse-SDE predictor step x ← a·x + b·s + c·z
// at t.
func sdePredictor(sde SDE, pred PCPredictor, t float64) (a, b, c float64) {
	switch pred {
	case PCEulerMaruyama:
		f, g := sde.Coefficients(t)
		n := float64(sde.Steps())
		return 1 - f/n, g * g / n, g / math.Sqrt(n)
	case PCAncestral:
		a, b, c, _ = sdeAncestral(sde, t)
		return a, b, c
	default: // PCReverseDiffusion
		f, g := sde.Discrete(t)
		return 1 - f, g * g, g
	}
}

// PCStepSize returns the Langevin corrector's step ε = 2α(snr·zNorm/sNorm)²
// (0 if sNorm is 0).
func PCStepSize(snr, alpha, zNorm, sNorm float64) float64 {
	if sNorm == 0 {
		return 0
	}
	r := snr * zNorm / sNorm
	return 2 * alpha * r * r
}

// PCSNRFromNCSN returns the snr at which the Langevin corrector on a VE
// SDE takes annealed Langevin's (NCSN's) steps α_i = ε·σ_i²/σ_L²: when
// ‖s‖ ≈ ‖z‖/σ_i, as for the score of data perturbed at level σ_i, the
// corrector's step is 2·snr²·σ_i², equal for snr = √(ε/(2σ_L²)). NCSN's
// ε = 2·10⁻⁵, σ_L = 0.01 give the reference's snr ≈ 0.316.
func PCSNRFromNCSN(eps, sigmaL float64) float64 {
	return math.Sqrt(eps / (2 * sigmaL * sigmaL))
}

// Sample fills x with n = len(x)/d samples, one per chain, and reports the
// work done. It panics if len(x) is not a multiple of d. It returns an
// error naming the step and chain if a sample becomes NaN or infinite,
// and one wrapping ctx's error, with the steps done, if ctx is cancelled
// (x then holds the unfinished chains).
//
// The blocks of chains run without waiting for each other except where the
// corrector's batch step size needs every chain's norms (once per
// corrector step; never with PerChainSNR) and between segments of at
// most 64 time steps, sized so that a segment takes about 25 ms, where ctx
// is checked.
func (p *PCSampler) Sample(ctx context.Context, x []float32) (SDEStats, error) {
	p.built("Sample")
	checkContext("PCSampler.Sample", ctx)
	n := p.count("PCSampler.Sample", x)
	if n == 0 {
		return SDEStats{}, nil
	}
	p.resize(n)
	p.reseed()
	for b := range p.badOp {
		p.badOp[b] = -1
	}
	p.open(x)
	defer p.close()

	p.prior = float32(p.sde.PriorStd())
	p.team.run(p.initF)

	N := p.sde.Steps()
	total := N * p.per
	batch := p.corr && !p.cfg.PerChainSNR
	seg := 1 // time steps
	for o := 0; o < total; {
		if err := ctx.Err(); err != nil {
			return p.stats(o / p.per), fmt.Errorf("sampler: PC: stopped at step %d of %d: %w", o/p.per, N, err)
		}
		start := time.Now()
		end := min(o+seg*p.per, total)
		if batch {
			// Run up to and including the next corrector preparation.
			q := o
			for q < end && !p.isPrep(q) {
				q++
			}
			end = min(q+1, end)
		}
		p.from, p.to = o, end
		p.team.run(p.phaseF)
		seg = nextSegment((end-o+p.per-1)/p.per, time.Since(start))
		if err := p.failure(); err != nil {
			return p.stats(p.badStep()), err
		}
		if last := end - 1; batch && p.isPrep(last) {
			var gs, zs float64
			for c := range n {
				gs += p.gn[c]
				zs += p.zn[c]
			}
			i := last / p.per
			t := p.time(i)
			p.eps = PCStepSize(p.cfg.SNR, sdeCorrectorAlpha(p.sde, t), zs/float64(n), gs/float64(n))
			if p.cfg.Trace != nil {
				p.cfg.Trace(i, t, p.eps)
			}
		}
		// A segment may end inside a time step (after a corrector's
		// preparation): report whole steps, each once.
		if done := end / p.per; p.cfg.Progress != nil && done > o/p.per {
			p.cfg.Progress(done, N)
		}
		o = end
	}
	return p.stats(N), nil
}

// stats reports the work of the first steps time steps: one score
// evaluation per corrector preparation and per predictor.
func (p *PCSampler) stats(steps int) SDEStats {
	evals := steps * (p.per - p.k)
	return SDEStats{Steps: steps, Evals: evals, ScoreEvals: evals}
}

// isPrep reports whether op o prepares a corrector step.
func (p *PCSampler) isPrep(o int) bool {
	r := o % p.per
	return r < 2*p.k && r%2 == 0
}

// time returns t_i = T + i(ε − T)/(N − 1), the grid linspace(T, ε, N),
// whose last time is ε itself, as torch.linspace's is: computed, it is
// T + (ε − T), which for ε below T·2⁻⁵³ is 0 (float32 0, where a VP σ(t)
// is 0), and may be an ulp of T off ε above.
func (p *PCSampler) time(i int) float64 {
	N, T := p.sde.Steps(), p.sde.End()
	if N == 1 {
		return T
	}
	if i == N-1 {
		return p.cfg.Eps
	}
	return T + float64(i)*(p.cfg.Eps-T)/float64(N-1)
}

// failure returns the error for the earliest op that made a chain
// non-finite, if any.
func (p *PCSampler) failure() error {
	op, chain := -1, -1
	for b, o := range p.badOp {
		if o >= 0 && (op < 0 || o < op || (o == op && p.badChain[b] < chain)) {
			op, chain = o, p.badChain[b]
		}
	}
	if op < 0 {
		return nil
	}
	i := op / p.per
	what := "predictor"
	if op%p.per < 2*p.k {
		what = "corrector"
	}
	return &DivergenceError{Sampler: "PC", Step: i, Chain: chain,
		Hint: fmt.Sprintf("made so by the %s at t = %g: a smaller snr or more time steps is the likely cure", what, p.time(i))}
}

func (p *PCSampler) badStep() int {
	op := -1
	for _, o := range p.badOp {
		if o >= 0 && (op < 0 || o < op) {
			op = o
		}
	}
	return op / p.per
}

func (p *PCSampler) resize(n int) {
	nd := n * p.d
	p.s, p.z = resize(p.s, nd), resize(p.z, nd)
	p.gn, p.zn = resize(p.gn, n), resize(p.zn, n)
	w := p.split(n)
	p.badOp, p.badChain = resize(p.badOp, w), resize(p.badChain, w)
}

// initPhase draws the prior: x = σ_prior·z.
func (p *PCSampler) initPhase(_, lo, hi int) {
	d := p.d
	for c := lo; c < hi; c++ {
		row := p.xs[c*d : (c+1)*d]
		p.streams[c].Normals(row)
		kernel.Scale(p.prior, row)
	}
}

// phase runs ops [from, to) on chains [lo, hi) of block b, stopping at
// the first op that makes one of them non-finite. A block enters it with
// no failure recorded: Sample clears badOp before the first phase and
// returns after any phase that records one.
func (p *PCSampler) phase(b, lo, hi int) {
	d := p.d
	x, s, z := p.xs[lo*d:hi*d], p.s[lo*d:hi*d], p.z[lo*d:hi*d]
	N := p.sde.Steps()
	for o := p.from; o < p.to; o++ {
		i, r := o/p.per, o%p.per
		t := p.time(i)
		last := i == N-1 && !p.cfg.KeepNoise
		if r < 2*p.k && r%2 == 0 {
			// Corrector, prepare: score, noise, per-chain norms.
			p.score.TimeScore(s, x, float32(t))
			for c := lo; c < hi; c++ {
				zr := p.z[c*d : (c+1)*d]
				p.streams[c].Normals(zr)
				p.gn[c] = sdeNorm(p.s[c*d : (c+1)*d])
				p.zn[c] = sdeNorm(zr)
			}
			continue
		}
		if r < 2*p.k {
			// Corrector, apply: x ← x + ε·s + √(2ε)·z.
			noise := !(last && !p.pred && r == 2*p.k-1)
			if !p.cfg.PerChainSNR {
				sdeLangevinApply(p.eps, noise, x, s, z)
			} else {
				alpha := sdeCorrectorAlpha(p.sde, t)
				for c := lo; c < hi; c++ {
					e := PCStepSize(p.cfg.SNR, alpha, p.zn[c], p.gn[c])
					sdeLangevinApply(e, noise, p.xs[c*d:(c+1)*d], p.s[c*d:(c+1)*d], p.z[c*d:(c+1)*d])
				}
			}
		} else {
			// Predictor: x ← a·x + b·s + c·z.
			fa, fb, fc := sdePredictor(p.sde, p.cfg.Predictor, t)
			pa, pb, pc := float32(fa), float32(fb), float32(fc)
			p.score.TimeScore(s, x, float32(t))
			s := s[:len(x)]
			if !last {
				for c := lo; c < hi; c++ {
					p.streams[c].Normals(p.z[c*d : (c+1)*d])
				}
				z := z[:len(x)]
				for k, v := range x {
					m := pa*v + pb*s[k]
					x[k] = m + pc*z[k]
				}
			} else {
				for k, v := range x {
					x[k] = pa*v + pb*s[k]
				}
			}
		}
		if c := firstNonFinite(x, d); c >= 0 {
			p.badOp[b], p.badChain[b] = o, lo+c
			return
		}
	}
}

// sdeLangevinApply steps x ← x + e·s + √(2e)·z, or x ← x + e·s without
// noise.
func sdeLangevinApply(e float64, noise bool, x, s, z []float32) {
	if noise {
		kernel.LangevinUpdate(float32(e), float32(math.Sqrt(2*e)), x, s, z)
	} else {
		kernel.Axpy(float32(e), s, x)
	}
}

// sdeNorm returns the Euclidean norm of x, through the kernel for long
// vectors (a kernel call costs more than a short loop).
func sdeNorm(x []float32) float64 {
	if len(x) >= 32 {
		return math.Sqrt(float64(kernel.SumSq(x)))
	}
	var s float32
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(float64(s))
}
