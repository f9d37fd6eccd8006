package sampler

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/scorekit/scorekit/internal/english"
)

// Diagnostics of Markov chains (Vehtari, Gelman, Simpson, Carpenter and
// Bürkner, "Rank-normalization, folding, and localization: an improved R̂
// for assessing convergence of MCMC", Bayesian Analysis 2021). A set of
// chains is given as [][]float64: chains[m][t] is draw t of chain m, all
// chains the same length.

// Acceptance counts Metropolis–Hastings decisions.
type Acceptance struct {
	Accepted, Proposed int64
}

// Rate returns Accepted/Proposed, NaN if nothing was proposed.
func (a Acceptance) Rate() float64 {
	if a.Proposed == 0 {
		return math.NaN()
	}
	return float64(a.Accepted) / float64(a.Proposed)
}

// Add returns the sum of the counts of a and b.
func (a Acceptance) Add(b Acceptance) Acceptance {
	return Acceptance{Accepted: a.Accepted + b.Accepted, Proposed: a.Proposed + b.Proposed}
}

func checkChains(fn string, chains [][]float64, minLen int) (m, n int) {
	m = len(chains)
	if m == 0 {
		panic(fmt.Sprintf("sampler: %s: no chains", fn))
	}
	n = len(chains[0])
	for c, ch := range chains {
		if len(ch) != n {
			panic(fmt.Sprintf("sampler: %s: chain %d has %s, chain 0 has %d", fn, c, english.Count(len(ch), "draw"), n))
		}
	}
	if n < minLen {
		panic(fmt.Sprintf("sampler: %s: %s per chain, want at least %d", fn, english.Count(n, "draw"), minLen))
	}
	return m, n
}

// Autocovariance sets dst[t] to the biased autocovariance
// Σᵢ (xᵢ − x̄)(xᵢ₊ₜ − x̄)/N of x for t = 0 … N−1, computed by FFT
// (gonum's dsp/fourier) with zero padding to a power of two ≥ 2N. It
// returns dst, allocated if too short.
func Autocovariance(dst, x []float64) []float64 {
	n := len(x)
	dst = resize(dst, n)
	if n == 0 {
		return dst
	}
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	l := 1
	for l < 2*n {
		l <<= 1
	}
	buf := make([]float64, l)
	for i, v := range x {
		buf[i] = v - mean
	}
	fft := fourier.NewFFT(l)
	c := fft.Coefficients(nil, buf)
	for i, v := range c {
		c[i] = complex(real(v)*real(v)+imag(v)*imag(v), 0)
	}
	fft.Sequence(buf, c) // unnormalised inverse: scale by 1/l
	for t := range dst {
		dst[t] = buf[t] / float64(l) / float64(n)
	}
	return dst
}

// ESS returns the effective sample size of the draws of one quantity in
// several chains: the combined autocorrelation ρ̂ₜ of Vehtari et al. (2021,
// eq. 10) from each chain's FFT autocovariance and the between-chain
// variance, truncated by Geyer's initial monotone sequence (the sums
// P̂ₖ = ρ̂₂ₖ + ρ̂₂ₖ₊₁, ρ̂₀ = 1, are kept while positive, over every lag up to
// N−1, and made non-increasing), then ESS = M·N/τ̂ with
//
//	τ̂ = −1 + 2·Σₖ P̂ₖ + max(ρ̂₂ₖ′, 0),  τ̂ ≥ 1/log₁₀(MN),
//
// where k′ is the first pair that is not positive: the last term is Stan's
// and ArviZ's correction for antithetic chains (ESS > MN), whose truncated
// sums otherwise overestimate the ESS. Stan and ArviZ stop one or two
// pairs before lag N−1, which changes the result only for chains so short
// or so slowly mixing that no pair becomes negative.
//
// It returns NaN if any draw is NaN or ±Inf or if all draws are equal
// (a constant chain's autocovariance is rounding noise), and panics if
// the chains differ in length or have fewer than 4 draws.
func ESS(chains [][]float64) float64 {
	m, n := checkChains("ESS", chains, 4)
	if !finite(chains) || constant(chains) {
		return math.NaN()
	}
	acov := make([][]float64, m)
	means := make([]float64, m)
	var meanVar float64
	for c, ch := range chains {
		acov[c] = Autocovariance(nil, ch)
		for _, v := range ch {
			means[c] += v
		}
		means[c] /= float64(n)
		meanVar += acov[c][0] * float64(n) / float64(n-1)
	}
	meanVar /= float64(m)
	varPlus := meanVar * float64(n-1) / float64(n)
	if m > 1 {
		varPlus += variance(means)
	}
	if !(varPlus > 0) || math.IsInf(varPlus, 0) {
		return math.NaN()
	}
	rho := func(t int) float64 {
		var a float64
		for c := range acov {
			a += acov[c][t]
		}
		a /= float64(m)
		return 1 - (meanVar-a)/varPlus
	}
	tau := -1.0
	prev := math.Inf(1)
	for k := 0; 2*k+1 < n; k++ {
		even := 1.0 // ρ̂₀ = 1 exactly
		if k > 0 {
			even = rho(2 * k)
		}
		p := even + rho(2*k+1)
		if !(p > 0) {
			if even > 0 {
				tau += even
			}
			break
		}
		p = min(p, prev)
		prev = p
		tau += 2 * p
	}
	total := float64(m * n)
	tau = max(tau, 1/math.Log10(total))
	return total / tau
}

// finite reports whether every draw is a finite number.
func finite(chains [][]float64) bool {
	for _, ch := range chains {
		if firstNonFinite(ch, 1) >= 0 {
			return false
		}
	}
	return true
}

// constant reports whether all draws are equal.
func constant(chains [][]float64) bool {
	x0 := chains[0][0]
	for _, ch := range chains {
		for _, v := range ch {
			if v != x0 {
				return false
			}
		}
	}
	return true
}

// variance is the sample variance of x (n − 1 in the denominator), taken
// about x[0] so that equal values give exactly 0 (their mean need not
// round to them): R̂ of chains stuck at different values is then +Inf, not
// a large number made of rounding.
func variance(x []float64) float64 {
	x0 := x[0]
	var mean float64
	for _, v := range x {
		mean += v - x0
	}
	mean /= float64(len(x))
	var s float64
	for _, v := range x {
		d := v - x0 - mean
		s += d * d
	}
	return s / float64(len(x)-1)
}

// splitChains returns the 2M half-chains: the first and second half of
// each chain (the middle draw dropped when N is odd).
func splitChains(chains [][]float64) [][]float64 {
	out := make([][]float64, 0, 2*len(chains))
	for _, ch := range chains {
		h := len(ch) / 2
		out = append(out, ch[:h], ch[len(ch)-h:])
	}
	return out
}

// rankNormalize returns the normal scores Φ⁻¹((r − 3/8)/(S + 1/4)) of the
// pooled ranks r (ties averaged) of the S draws, in the chains' shape.
func rankNormalize(chains [][]float64) [][]float64 {
	type item struct {
		v    float64
		c, t int
	}
	var all []item
	for c, ch := range chains {
		for t, v := range ch {
			all = append(all, item{v, c, t})
		}
	}
	slices.SortFunc(all, func(a, b item) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	out := make([][]float64, len(chains))
	for c, ch := range chains {
		out[c] = make([]float64, len(ch))
	}
	s := float64(len(all))
	for i := 0; i < len(all); {
		j := i + 1 // at least one, so that a NaN cannot stall the loop
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		r := float64(i+j+1) / 2 // average of ranks i+1 … j
		z := distuv.UnitNormal.Quantile((r - 0.375) / (s + 0.25))
		for k := i; k < j; k++ {
			out[all[k].c][all[k].t] = z
		}
		i = j
	}
	return out
}

// rhat is the classic potential scale reduction of chains of equal length.
func rhat(chains [][]float64) float64 {
	m, n := len(chains), len(chains[0])
	means := make([]float64, m)
	var w float64
	for c, ch := range chains {
		for _, v := range ch {
			means[c] += v
		}
		means[c] /= float64(n)
		w += variance(ch)
	}
	w /= float64(m)
	b := variance(means) // B/n
	fn := float64(n)
	return math.Sqrt(((fn-1)/fn*w + b) / w)
}

// SplitRHat returns the rank-normalised split-R̂ of Vehtari et al. (2021):
// the chains are split in halves (the middle draw of an odd N dropped),
// rank-normalised over all their draws, and R̂ is computed on those normal
// scores (bulk) and on the normal scores of the split |x − median|, the
// median of all draws (tail); the larger is returned. Values above 1.01
// signal chains that have not mixed; +Inf, chains that do not move but
// sit at different values. It returns NaN if any draw is NaN or ±Inf or
// if all draws are equal (or if one of the two is 0/0 while the other is
// finite), and panics if the chains differ in length or have fewer than 4
// draws (one chain is enough).
func SplitRHat(chains [][]float64) float64 {
	checkChains("SplitRHat", chains, 4)
	if !finite(chains) || constant(chains) {
		return math.NaN()
	}
	bulk := rhat(rankNormalize(splitChains(chains)))
	tail := rhat(rankNormalize(splitChains(fold(chains))))
	if math.IsInf(bulk, 1) || math.IsInf(tail, 1) {
		// No variance within the chains but some between them: chains
		// stuck at different values, as unmixed as chains can be.
		return math.Inf(1)
	}
	if math.IsNaN(bulk) || math.IsNaN(tail) {
		return math.NaN()
	}
	return max(bulk, tail)
}

func fold(chains [][]float64) [][]float64 {
	med := quantile(pooled(chains), 0.5)
	out := make([][]float64, len(chains))
	for c, ch := range chains {
		out[c] = make([]float64, len(ch))
		for t, v := range ch {
			out[c][t] = math.Abs(v - med)
		}
	}
	return out
}

func pooled(chains [][]float64) []float64 {
	var all []float64
	for _, ch := range chains {
		all = append(all, ch...)
	}
	slices.Sort(all)
	return all
}

// quantile returns the p-quantile of sorted x, interpolating linearly
// (R's type 7).
//
// The conversions round the products, so that the compiler cannot fuse
// them into the next addition as it does on arm64: a quantile that lands
// on a draw must land on it everywhere, since TailESS's indicators and so
// its value change with the side of the draw it falls on.
func quantile(sorted []float64, p float64) float64 {
	h := float64(p * float64(len(sorted)-1))
	i := int(math.Floor(h))
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + float64((h-float64(i))*(sorted[i+1]-sorted[i]))
}

// BulkESS returns the effective sample size ([ESS]) of the rank-normalised
// split chains (Vehtari et al. 2021), which measures how well the centre
// of the distribution is explored. It returns NaN if any draw is NaN or
// ±Inf or if all draws are equal, and panics if the chains differ in
// length or have fewer than 8 draws.
func BulkESS(chains [][]float64) float64 {
	checkChains("BulkESS", chains, 8)
	if !finite(chains) || constant(chains) {
		return math.NaN()
	}
	return ESS(rankNormalize(splitChains(chains)))
}

// TailESS returns the smaller of the effective sample sizes ([ESS]) of the
// indicators x ≤ q₀.₀₅ and x ≤ q₀.₉₅ over the split chains (Vehtari et
// al. 2021, as Stan and ArviZ compute them), the quantiles taken over all
// draws (R's type 7): how well the tails are explored. It returns NaN if
// any draw is NaN or ±Inf or if an indicator is constant (as x ≤ q₀.₉₅ is
// when more than 5 % of the draws share the largest value), and panics if
// the chains differ in length or have fewer than 8 draws.
func TailESS(chains [][]float64) float64 {
	checkChains("TailESS", chains, 8)
	if !finite(chains) {
		return math.NaN()
	}
	all := pooled(chains)
	split := splitChains(chains)
	ind := make([][]float64, len(split))
	e := math.Inf(1)
	for _, p := range []float64{0.05, 0.95} {
		q := quantile(all, p)
		for c, ch := range split {
			ind[c] = make([]float64, len(ch))
			for t, v := range ch {
				if v <= q {
					ind[c][t] = 1
				}
			}
		}
		e = min(e, ESS(ind))
	}
	return e
}

// Summary describes the draws of one quantity over several chains.
type Summary struct {
	Mean, SD      float64 // over all draws
	MCSE          float64 // Monte Carlo standard error of Mean: SD/√ESS of the split chains
	Q05, Q50, Q95 float64 // quantiles of the pooled draws
	ESS           float64 // see [ESS]
	ESSBulk       float64 // see [BulkESS]
	ESSTail       float64 // see [TailESS]
	RHat          float64 // see [SplitRHat]
}

// Summarize returns the summary of chains. MCSE is ArviZ's and the
// posterior package's mcse_mean: the ESS under the square root is that of
// the split chains (as for R̂), which a chain still drifting lowers, where
// the ESS field is of the whole chains. A NaN or infinite draw makes
// the diagnostics NaN; a NaN makes the quantiles NaN too, and infinite
// draws make a quantile infinite, or NaN where it falls between two equal
// infinities. It panics if the chains differ in length or have fewer than
// 8 draws.
func Summarize(chains [][]float64) Summary {
	m, n := checkChains("Summarize", chains, 8)
	all := pooled(chains)
	var mean float64
	for _, v := range all {
		mean += v
	}
	mean /= float64(len(all))
	var ss float64
	for _, v := range all {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(m*n-1))
	ess := ESS(chains)
	q05, q50, q95 := quantile(all, 0.05), quantile(all, 0.5), quantile(all, 0.95)
	if math.IsNaN(all[0]) { // slices.Sort puts NaNs first
		q05, q50, q95 = math.NaN(), math.NaN(), math.NaN()
	}
	return Summary{
		Mean: mean, SD: sd, MCSE: sd / math.Sqrt(ESS(splitChains(chains))),
		Q05: q05, Q50: q50, Q95: q95,
		ESS: ess, ESSBulk: BulkESS(chains), ESSTail: TailESS(chains), RHat: SplitRHat(chains),
	}
}

// String formats s on one line.
func (s Summary) String() string {
	return fmt.Sprintf("mean %.4g ± %.2g  sd %.4g  q5 %.4g  q50 %.4g  q95 %.4g  ess %.0f (bulk %.0f, tail %.0f)  R̂ %.3f",
		s.Mean, s.MCSE, s.SD, s.Q05, s.Q50, s.Q95, s.ESS, s.ESSBulk, s.ESSTail, s.RHat)
}
