package sampler

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/internal/english"
	"github.com/scorekit/scorekit/kernel"

	"github.com/scorekit/scorekit/internal/fmath"
)

// GeometricSigmas returns L noise levels σ₁ = first > … > σ_L = last in
// geometric progression, as NCSN uses. It panics unless first > last > 0,
// first is finite and L ≥ 2. If first and last are within about L ulps
// of each other, levels round to repeats (GeometricSigmas(1, 1−2⁻⁵³, 5)
// starts 1, 1, 1), which NewAnnealed refuses as not strictly decreasing.
func GeometricSigmas(first, last float64, L int) []float64 {
	if !(first > last && last > 0) || math.IsInf(first, 1) || L < 2 {
		panic(fmt.Sprintf("sampler: GeometricSigmas(%v, %v, %d): want finite first > last > 0 and L ≥ 2", first, last, L))
	}
	s := make([]float64, L)
	r := math.Log(last / first)
	for i := range s {
		s[i] = first * math.Exp(r*float64(i)/float64(L-1))
	}
	if last/first < 0x1p-1022 {
		// The ratio is subnormal or 0 (1e-300 over 1e300), and so are
		// the middle levels' factors: interpolate the logs instead (last
		// may be subnormal, whose log amd64's math.Log gets wrong).
		lf, ll := fmath.Log(first), fmath.Log(last)
		for i := range s {
			s[i] = math.Exp(lf + (ll-lf)*float64(i)/float64(L-1))
		}
	}
	s[0], s[L-1] = first, last // exp(log first) may be an ulp off, or overflow
	return s
}

// AnnealedConfig configures annealed Langevin dynamics.
type AnnealedConfig struct {
	// Sigmas are the noise levels σ₁ > … > σ_L > 0 (see [GeometricSigmas]),
	// each a normal float32 (1.2e-38 ≤ σ ≤ 3.4e38): the score takes σ
	// as a float32, in which a smaller one loses precision or is 0 (a
	// score that divides by σ gives Inf) and a larger one is Inf.
	Sigmas []float64
	// StepsPerLevel is T, the Langevin steps at each level.
	StepsPerLevel int
	// Eps is ε: level i steps with α_i = ε·σ_i²/σ_L² in
	// x ← x + (α_i/2)·s(x, σ_i) + √α_i·z (Song & Ermon 2019, Algorithm 1;
	// in this package's ULA convention h = α_i/2), in float32, where every
	// step must be normal and finite: α_L/2 = ε/2, the smallest, at least
	// 1.2e-38 (ε ≥ 2.4e-38, up to rounding), and α₁/2, the largest, at
	// most 3.4e38 (ε·(σ₁/σ_L)² ≤ 6.8e38). Levels whose ratio σ₁/σ_L
	// exceeds 2¹²⁷ leave no such ε.
	Eps float64
	// Denoise adds the final denoising step x ← x + σ_L²·s(x, σ_L)
	// (Tweedie's formula; Jolicoeur-Martineau et al. 2021).
	Denoise bool
	// Chain gives the seed, workers, thinning, progress and segment;
	// its Steps and BurnIn are ignored: a run is L·T steps.
	Chain ChainConfig
}

// alpha returns level i's α_i = ε·σ_i²/σ_L².
func (c *AnnealedConfig) alpha(i int) float64 {
	sig, last := c.Sigmas[i], c.Sigmas[len(c.Sigmas)-1]
	return c.Eps * sig * sig / (last * last)
}

// Annealed is annealed Langevin dynamics (Song & Ermon 2019) over a batch
// of chains with a noise-conditional score s(x, σ).
type Annealed struct {
	noHooks
	cfg   AnnealedConfig
	score NoiseScore
	grad  []float32
	eng   chainEngine
}

// NewAnnealed returns an annealed Langevin sampler of score, or an error
// naming the value if cfg's levels or steps are not as [AnnealedConfig]
// says (a level that is no normal float32, a first step α₁ that
// overflows float32, a last step α_L that is 0 or subnormal there),
// rather than a divergence at the first step or chains that do not move.
func NewAnnealed(score NoiseScore, cfg AnnealedConfig) (*Annealed, error) {
	if err := checkScore("Annealed", score, "NoiseScore"); err != nil {
		return nil, err
	}
	if len(cfg.Sigmas) == 0 || cfg.StepsPerLevel < 1 || !(cfg.Eps > 0) || math.IsInf(cfg.Eps, 0) {
		return nil, fmt.Errorf("sampler: Annealed: %s, %s per level, ε = %v: want ≥ 1, ≥ 1, > 0", english.Count(len(cfg.Sigmas), "level"), english.Count(cfg.StepsPerLevel, "step"), cfg.Eps)
	}
	if cfg.StepsPerLevel > math.MaxInt/len(cfg.Sigmas) {
		// L·T would wrap, and a run would return at once having run
		// nothing.
		return nil, fmt.Errorf("sampler: Annealed: %s × %d steps per level overflows an int", english.Count(len(cfg.Sigmas), "level"), cfg.StepsPerLevel)
	}
	for i, s := range cfg.Sigmas {
		if !(s > 0) || math.IsInf(s, 0) || (i > 0 && !(s < cfg.Sigmas[i-1])) {
			return nil, fmt.Errorf("sampler: Annealed: σ_%d = %v: want positive and strictly decreasing", i+1, s)
		}
		if f := float32(s); f < minNormal32 || math.IsInf(float64(f), 0) {
			return nil, fmt.Errorf("sampler: Annealed: σ_%d = %v: want a normal float32, 1.2e-38 ≤ σ ≤ 3.4e+38 (the score takes σ as a float32)", i+1, s)
		}
	}
	// α₁ and α_L as step computes them; the others lie between.
	first, last := cfg.Sigmas[0], cfg.Sigmas[len(cfg.Sigmas)-1]
	if alpha := cfg.alpha(0); math.IsInf(float64(float32(alpha/2)), 0) {
		return nil, fmt.Errorf("sampler: Annealed: ε = %v, σ₁ = %v, σ_L = %v: the first step α₁ = ε·σ₁²/σ_L² = %.3g overflows float32: want ε·(σ₁/σ_L)² ≤ 6.8e+38 (a smaller ε or a narrower range of levels)", cfg.Eps, first, last, alpha)
	}
	if err := checkStep("Annealed", fmt.Sprintf("ε = %v: the last level's step α_L/2", cfg.Eps), cfg.alpha(len(cfg.Sigmas)-1)/2); err != nil {
		return nil, err
	}
	if err := cfg.Chain.validate("Annealed"); err != nil {
		return nil, err
	}
	cfg.Sigmas = append([]float64(nil), cfg.Sigmas...)
	return &Annealed{cfg: cfg, score: score, eng: newChainEngine(cfg.Chain)}, nil
}

// built panics, naming method, unless a was made by [NewAnnealed]
// (see unbuilt). Every exported method calls it first.
func (a *Annealed) built(method string) {
	if a == nil || a.score == nil {
		unbuilt("Annealed."+method, a == nil)
	}
}

// Run runs the L·T steps on the chains in x (n×d) in place, then the
// denoising step if asked, and returns the kept draws (every Thin-th of
// the L·T states). See [ULA.Run] for streams and errors.
func (a *Annealed) Run(ctx context.Context, x []float32) (*Trace, error) {
	a.built("Run")
	checkContext("Annealed.Run", ctx)
	return a.eng.run(ctx, a, x, 0, len(a.cfg.Sigmas)*a.cfg.StepsPerLevel)
}

// Reset makes the next Run restart every stream at position 0.
func (a *Annealed) Reset() {
	a.built("Reset")
	a.eng.reset()
}

func (a *Annealed) name() string { return "Annealed" }
func (a *Annealed) hint() string {
	return fmt.Sprintf("ε = %g is likely too large for the smallest level", a.cfg.Eps)
}
func (a *Annealed) dim() int        { return a.score.Dim() }
func (a *Annealed) resize(_, n int) { a.grad = resize(a.grad, n*a.dim()) }

func (a *Annealed) step(e *chainEngine, t int, x []float32, lo, hi int) {
	d := e.d
	i := t / a.cfg.StepsPerLevel
	sig, alpha := a.cfg.Sigmas[i], a.cfg.alpha(i)
	h, b := float32(alpha/2), float32(math.Sqrt(alpha))
	a.score.NoiseScore(rows(a.grad, d, lo, hi), rows(x, d, lo, hi), float32(sig))
	e.langevin(h, b, x, a.grad, lo, hi)
}

func (a *Annealed) finish(e *chainEngine, x []float32, lo, hi int) {
	if !a.cfg.Denoise {
		return
	}
	d := e.d
	last := a.cfg.Sigmas[len(a.cfg.Sigmas)-1]
	a.score.NoiseScore(rows(a.grad, d, lo, hi), rows(x, d, lo, hi), float32(last))
	kernel.Axpy(float32(last*last), rows(a.grad, d, lo, hi), rows(x, d, lo, hi))
}
