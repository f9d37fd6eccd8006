// Package sampler draws samples with the Langevin family (ULA, MALA, SGLD,
// SGHMC, annealed and underdamped Langevin) and the score-SDE samplers
// (predictor–corrector, probability-flow ODE, likelihoods), over a score
// function given through the small interfaces below, and diagnoses the
// chains (ESS, split-R̂, Summarize). It never imports nn: a trained
// network and an analytic target from data both satisfy these
// interfaces.
package sampler

// Score is a batched score function s(x) ≈ ∇ₓ log p(x) on ℝᵈ.
type Score interface {
	// Dim returns d.
	Dim() int
	// Score sets dst[i·d:(i+1)·d] to the score at x[i·d:(i+1)·d] for the
	// n = len(x)/d points of x; len(dst) == len(x). It must be safe for
	// concurrent use by goroutines working on disjoint slices.
	Score(dst, x []float32)
}

// LogDensity is a Score that also knows log p up to an additive constant,
// which MALA's accept/reject step needs.
type LogDensity interface {
	Score
	// LogDensity sets dst[i] = log p(x[i·d:(i+1)·d]) + const for the
	// n = len(x)/d points of x; len(dst) == n. Safe for concurrent use.
	LogDensity(dst, x []float32)
}

// NoiseScore is a noise-conditional score s(x, σ) ≈ ∇ₓ log p_σ(x), the
// score of the data convolved with N(0, σ²I), as annealed Langevin needs.
type NoiseScore interface {
	Dim() int
	// NoiseScore sets dst to s(x, sigma) for the n = len(x)/d points of x.
	// Safe for concurrent use.
	NoiseScore(dst, x []float32, sigma float32)
}

// TimeScore is a time-conditional score s(x, t) ≈ ∇ₓ log p_t(x) for a
// score SDE on t ∈ [0, 1].
type TimeScore interface {
	Dim() int
	// TimeScore sets dst to s(x, t) for the n = len(x)/d points of x.
	// Safe for concurrent use.
	TimeScore(dst, x []float32, t float32)
}
