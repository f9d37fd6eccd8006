// Package data holds the analytic targets, toy data sets and sample-quality
// metrics that scorekit's tests, demos and benchmarks draw on.
//
// # Analytic targets
//
// [Gaussian], [Mixture], [Banana], [Funnel] and [Rosenbrock] know their
// exact score ∇ₓ log p(x) and log density. Their batched float32 methods
// Score(dst, x) and LogDensity(dst, x) satisfy the sampler package's Score
// and LogDensity interfaces structurally (data does not import sampler);
// they compute in float64 internally and round once at the end. Each also
// has float64 single-point methods (Score64, LogDensity64) for references.
// Gaussian and Mixture have closed-form noise-conditional scores
// NoiseScore(dst, x, σ), the scores of the target convolved with N(0, σ²I),
// which annealed Langevin needs; σ enters only as σ² (−σ gives what σ
// gives), a NaN σ gives NaN scores and an infinite σ scores of 0. Sample(dst, rng) draws exact i.i.d.
// samples (so a target is also a [Source]), except for [Rosenbrock]
// beyond two dimensions, where it panics: no exact sampler is known there.
// All methods are safe for concurrent use.
//
// # Toy data sets
//
// A [Source] fills a batch of rows from a *rand.Rand (math/rand/v2), which
// must not be nil: no method or metric of the package has a default
// source, so the caller's seed makes every result reproducible. [Named]
// returns the two-dimensional sets of the FFJORD and score-model
// literature by name: "8gaussians", "moons", "swissroll", "circles",
// "checkerboard", "pinwheel" and "mixture" (the NCSN toy
// 0.8·N((5,5), I) + 0.2·N((−5,−5), I)).
//
// # Metrics
//
// [MMD2] (unbiased, RBF kernel with the median heuristic),
// [EnergyDistance] and [SlicedWasserstein] compare two samples given as
// row-major n×d float32 slices.
package data
