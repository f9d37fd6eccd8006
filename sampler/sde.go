package sampler

import (
	"fmt"
	"math"

	"github.com/scorekit/scorekit/internal/fmath"
)

// SDE is a forward score SDE on t ∈ [0, T], dx = f(t)·x dt + g(t) dw, whose
// drift is linear in x (VE, VP and sub-VP all are), together with its
// Gaussian perturbation kernel, its prior and its N-step discretisation,
// following Song et al. 2021 (yang-song/score_sde, sde_lib.py).
//
// Every SDE also satisfies nn.Perturbation structurally through Marginal.
type SDE interface {
	// Marginal returns the perturbation kernel at t:
	// x_t | x_0 ~ N(meanScale·x_0, std²·I).
	Marginal(t float64) (meanScale, std float64)
	// Coefficients returns f(t) and g(t): the drift is f(t)·x and the
	// diffusion g(t).
	Coefficients(t float64) (drift, diffusion float64)
	// Discrete returns the discretised forward step at t, as the
	// reference's discretize: x_{i+1} = x_i + drift·x_i + diffusion·z.
	// The VE, VP and SubVP here panic if N is 0 (no discretisation).
	Discrete(t float64) (drift, diffusion float64)
	// Steps returns N, the number of discretisation steps, which only
	// the discretised samplers use: the predictor–corrector sampler and
	// the ODE sampler's final denoising step.
	Steps() int
	// End returns T, the end of the time interval (1 for all SDEs here).
	End() float64
	// PriorStd returns the standard deviation of the prior N(0, PriorStd²·I).
	PriorStd() float64
	// Validate reports whether the parameters make sense, N among them
	// (the VE, VP and SubVP here take N = 0, no discretisation, which
	// serves the probability-flow ODE without denoising and the
	// likelihood; the samplers that step on it refuse it).
	Validate() error
}

// SDEPriorLogP returns the log density of the prior N(0, σ²I) of sde at
// the point z (any length d), in nats. It panics if sde is nil (or a nil
// pointer).
func SDEPriorLogP(sde SDE, z []float32) float64 {
	if err := checkNil("SDEPriorLogP", "SDE", sde); err != nil {
		panic(err.Error())
	}
	s := sde.PriorStd()
	var ss float64
	for _, v := range z {
		ss += float64(v) * float64(v)
	}
	return priorLogP(float64(len(z)), ss, s)
}

// priorLogP returns log N(z; 0, s²I) in d dimensions given ss = ‖z‖²:
// −d·(log s + ½·log 2π) − ‖z‖²/(2s²), with s² never formed, since it
// overflows for s ≳ 1e154 and is subnormal for s ≲ 1e-154 (and 2πs² for
// somewhat larger s), where amd64's math.Log is wrong (see fmath.Log).
func priorLogP(d, ss, s float64) float64 {
	return -d*(fmath.Log(s)+0.5*fmath.Log2Pi) - ss/s/s/2
}

// logRatio returns log(σ_max/σ_min), also where the ratio overflows.
func (s VE) logRatio() float64 {
	if r := s.SigmaMax / s.SigmaMin; !math.IsInf(r, 1) {
		return math.Log(r)
	}
	return fmath.Log(s.SigmaMax) - fmath.Log(s.SigmaMin)
}

// sdeIndex is the reference's discrete time index ⌊t·(N−1)/T⌋, clamped to
// [0, N−1]. It is computed in float64; the reference computes t in float32
// and may differ by one at rare steps.
func sdeIndex(t, end float64, n int) int {
	i := int(math.Floor(t * float64(n-1) / end))
	return min(max(i, 0), n-1)
}

// VE is the variance-exploding SDE (SMLD/NCSN): σ(t) = σ_min(σ_max/σ_min)^t,
// drift 0, diffusion σ(t)·√(2 ln(σ_max/σ_min)), prior N(0, σ_max²I), with
// the N discrete levels σ_i geometric from σ_min to σ_max. N is used only
// by the discretised samplers (see [SDE.Steps]); the probability-flow ODE
// without denoising and the likelihood take N = 0.
type VE struct {
	SigmaMin, SigmaMax float64
	N                  int
}

// DefaultVE returns the reference's VE SDE: σ_min 0.01, σ_max 50, N 1000.
func DefaultVE() VE { return VE{SigmaMin: 0.01, SigmaMax: 50, N: 1000} }

// Sigma returns σ(t) = σ_min(σ_max/σ_min)^t.
func (s VE) Sigma(t float64) float64 {
	if r := s.SigmaMax / s.SigmaMin; !math.IsInf(r, 1) {
		return s.SigmaMin * math.Pow(r, t)
	}
	return math.Exp(fmath.Log(s.SigmaMin) + t*s.logRatio()) // σ_max/σ_min > MaxFloat64
}

// DiscreteSigma returns the discrete level σ_i = exp(linspace(ln σ_min,
// ln σ_max, N))[i]. It panics unless 0 ≤ i < N.
func (s VE) DiscreteSigma(i int) float64 {
	sdeLevel("VE.DiscreteSigma", i, s.N)
	if s.N == 1 {
		return s.SigmaMin
	}
	lo, hi := fmath.Log(s.SigmaMin), fmath.Log(s.SigmaMax) // σ_min may be subnormal
	return math.Exp(lo + float64(i)*(hi-lo)/float64(s.N-1))
}

// Marginal returns mean scale 1 and std σ(t).
func (s VE) Marginal(t float64) (meanScale, std float64) { return 1, s.Sigma(t) }

// Coefficients returns drift 0 and diffusion σ(t)√(2 ln(σ_max/σ_min)).
func (s VE) Coefficients(t float64) (drift, diffusion float64) {
	return 0, s.Sigma(t) * math.Sqrt(2*s.logRatio())
}

// Discrete returns drift 0 and diffusion √(σ_i² − σ_{i−1}²) at the index i
// of t (σ_{−1} = 0), the SMLD discretisation.
func (s VE) Discrete(t float64) (drift, diffusion float64) {
	sdeDiscretised("VE.Discrete", s.N)
	i := sdeIndex(t, 1, s.N)
	sig := s.DiscreteSigma(i)
	var adj float64
	if i > 0 {
		adj = s.DiscreteSigma(i - 1)
	}
	return 0, math.Sqrt(sig*sig - adj*adj)
}

// Steps returns N.
func (s VE) Steps() int { return s.N }

// End returns 1.
func (s VE) End() float64 { return 1 }

// PriorStd returns σ_max.
func (s VE) PriorStd() float64 { return s.SigmaMax }

// Validate checks 0 < σ_min < σ_max < ∞ and N ≥ 0 (0: no
// discretisation, see [SDE.Steps]).
func (s VE) Validate() error {
	if !(s.SigmaMin > 0 && s.SigmaMax > s.SigmaMin) || math.IsInf(s.SigmaMax, 0) {
		return fmt.Errorf("sampler: VE: want 0 < SigmaMin < SigmaMax < ∞, have %g, %g", s.SigmaMin, s.SigmaMax)
	}
	return sdeValidateN("VE", s.N)
}

// sdeValidateN checks the number of discretisation steps of the SDE name:
// 0 for none (the samplers that step on it refuse that: see sdeCheck).
// sdeDiscretised panics, naming the method, if the SDE has no
// discretisation (N = 0, or a negative N that Validate refuses): its
// steps would divide by N.
func sdeDiscretised(method string, n int) {
	if n < 1 {
		panic(fmt.Sprintf("sampler: %s: N = %d: the SDE has no discretisation (want N ≥ 1)", method, n))
	}
}

// sdeLevel panics, naming the method, unless 0 ≤ i < n: the discrete
// levels are σ_0 … σ_{N−1} (β_0 … β_{N−1}), and the formulas would
// extrapolate past them without a word.
func sdeLevel(method string, i, n int) {
	sdeDiscretised(method, n)
	if i < 0 || i >= n {
		panic(fmt.Sprintf("sampler: %s: index %d out of range [0, %d)", method, i, n))
	}
}

func sdeValidateN(name string, n int) error {
	if n < 0 {
		return fmt.Errorf("sampler: %s: want N ≥ 0, have %d", name, n)
	}
	return nil
}

// VP is the variance-preserving SDE (DDPM): β(t) = β_min + t(β_max − β_min),
// drift −½β(t)x, diffusion √β(t), prior N(0, I), with the N discrete
// β_i = linspace(β_min/N, β_max/N, N)[i] and α_i = 1 − β_i. N is used only
// by the discretised samplers, as for [VE].
type VP struct {
	BetaMin, BetaMax float64
	N                int
}

// DefaultVP returns the reference's VP SDE: β_min 0.1, β_max 20, N 1000.
func DefaultVP() VP { return VP{BetaMin: 0.1, BetaMax: 20, N: 1000} }

// Beta returns β(t) = β_min + t(β_max − β_min).
func (s VP) Beta(t float64) float64 { return s.BetaMin + t*(s.BetaMax-s.BetaMin) }

// DiscreteBeta returns β_i = linspace(β_min/N, β_max/N, N)[i]. It panics
// unless 0 ≤ i < N.
func (s VP) DiscreteBeta(i int) float64 {
	sdeLevel("VP.DiscreteBeta", i, s.N)
	return sdeDiscreteBeta(s.BetaMin, s.BetaMax, s.N, i)
}

func sdeDiscreteBeta(bmin, bmax float64, n, i int) float64 {
	lo, hi := bmin/float64(n), bmax/float64(n)
	if n == 1 {
		return lo
	}
	return lo + float64(i)*(hi-lo)/float64(n-1)
}

// sdeLogMeanCoeff is −¼t²(β_max − β_min) − ½tβ_min, the log of the VP and
// sub-VP mean scale.
func sdeLogMeanCoeff(bmin, bmax, t float64) float64 {
	return -0.25*t*t*(bmax-bmin) - 0.5*t*bmin
}

// Marginal returns mean scale e^{lmc} and std √(1 − e^{2·lmc}), with
// lmc = −¼t²(β_max − β_min) − ½tβ_min.
func (s VP) Marginal(t float64) (meanScale, std float64) {
	l := sdeLogMeanCoeff(s.BetaMin, s.BetaMax, t)
	return math.Exp(l), math.Sqrt(-math.Expm1(2 * l))
}

// Coefficients returns drift −½β(t) and diffusion √β(t).
func (s VP) Coefficients(t float64) (drift, diffusion float64) {
	b := s.Beta(t)
	return -0.5 * b, math.Sqrt(b)
}

// Discrete returns the DDPM step at the index i of t: drift √α_i − 1 and
// diffusion √β_i.
func (s VP) Discrete(t float64) (drift, diffusion float64) {
	sdeDiscretised("VP.Discrete", s.N)
	b := s.DiscreteBeta(sdeIndex(t, 1, s.N))
	return math.Sqrt(1-b) - 1, math.Sqrt(b)
}

// Steps returns N.
func (s VP) Steps() int { return s.N }

// End returns 1.
func (s VP) End() float64 { return 1 }

// PriorStd returns 1.
func (s VP) PriorStd() float64 { return 1 }

// Validate checks 0 ≤ β_min ≤ β_max, β_max > 0, N ≥ 0 (0: no
// discretisation) and β_max/N < 1 if N ≥ 1.
func (s VP) Validate() error { return sdeValidateBetas("VP", s.BetaMin, s.BetaMax, s.N) }

func sdeValidateBetas(name string, bmin, bmax float64, n int) error {
	if !(bmin >= 0 && bmax >= bmin && bmax > 0) || math.IsInf(bmax, 0) {
		return fmt.Errorf("sampler: %s: want 0 ≤ BetaMin ≤ BetaMax < ∞, BetaMax > 0, have %g, %g", name, bmin, bmax)
	}
	if err := sdeValidateN(name, n); err != nil {
		return err
	}
	if n > 0 && bmax/float64(n) >= 1 {
		return fmt.Errorf("sampler: %s: want BetaMax/N < 1, have %g/%d", name, bmax, n)
	}
	return nil
}

// SubVP is the sub-VP SDE: drift −½β(t)x as VP, diffusion
// √(β(t)(1 − e^{−2β_min t − (β_max−β_min)t²})), mean scale e^{lmc} as VP
// and std 1 − e^{2·lmc} (its variance (1 − e^{2·lmc})² is bounded by the
// VP one), prior N(0, I). Its discretisation is Euler–Maruyama with
// dt = 1/N, as the reference's default; the Langevin corrector uses VP's
// α_i = 1 − β_i with the same β_min, β_max. That is the reference's
// evident intent rather than its behaviour: its LangevinCorrector takes
// sub-VP with VP and reads sde.alphas[i], which its subVPSDE never
// defines, so a sub-VP corrector step fails there (AttributeError). N is
// used only by the discretised samplers, as for [VE].
type SubVP struct {
	BetaMin, BetaMax float64
	N                int
}

// DefaultSubVP returns the reference's sub-VP SDE: β_min 0.1, β_max 20,
// N 1000.
func DefaultSubVP() SubVP { return SubVP{BetaMin: 0.1, BetaMax: 20, N: 1000} }

// Beta returns β(t) = β_min + t(β_max − β_min).
func (s SubVP) Beta(t float64) float64 { return s.BetaMin + t*(s.BetaMax-s.BetaMin) }

// Marginal returns mean scale e^{lmc} and std 1 − e^{2·lmc}.
func (s SubVP) Marginal(t float64) (meanScale, std float64) {
	l := sdeLogMeanCoeff(s.BetaMin, s.BetaMax, t)
	return math.Exp(l), -math.Expm1(2 * l)
}

// Coefficients returns drift −½β(t) and diffusion
// √(β(t)(1 − e^{−2β_min t − (β_max−β_min)t²})).
func (s SubVP) Coefficients(t float64) (drift, diffusion float64) {
	b := s.Beta(t)
	disc := -math.Expm1(-2*s.BetaMin*t - (s.BetaMax-s.BetaMin)*t*t)
	return -0.5 * b, math.Sqrt(b * disc)
}

// Discrete returns the Euler–Maruyama step with dt = 1/N: drift f(t)/N and
// diffusion g(t)/√N.
func (s SubVP) Discrete(t float64) (drift, diffusion float64) {
	sdeDiscretised("SubVP.Discrete", s.N)
	f, g := s.Coefficients(t)
	n := float64(s.N)
	return f / n, g / math.Sqrt(n)
}

// Steps returns N.
func (s SubVP) Steps() int { return s.N }

// End returns 1.
func (s SubVP) End() float64 { return 1 }

// PriorStd returns 1.
func (s SubVP) PriorStd() float64 { return 1 }

// Validate checks the β range and N as [VP.Validate].
func (s SubVP) Validate() error { return sdeValidateBetas("SubVP", s.BetaMin, s.BetaMax, s.N) }

// sdeCorrectorAlpha is the α of the Langevin corrector's step rule at t:
// 1 for VE, α_i = 1 − β_i for VP and sub-VP.
func sdeCorrectorAlpha(sde SDE, t float64) float64 {
	switch s := sde.(type) {
	case VP:
		return 1 - s.DiscreteBeta(sdeIndex(t, s.End(), s.N))
	case *VP:
		return 1 - s.DiscreteBeta(sdeIndex(t, s.End(), s.N))
	case SubVP:
		return 1 - sdeDiscreteBeta(s.BetaMin, s.BetaMax, s.N, sdeIndex(t, s.End(), s.N))
	case *SubVP:
		return 1 - sdeDiscreteBeta(s.BetaMin, s.BetaMax, s.N, sdeIndex(t, s.End(), s.N))
	}
	return 1
}
