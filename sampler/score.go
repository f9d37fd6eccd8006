// Package sampler draws samples with the Langevin family (ULA, MALA, SGLD,
// SGHMC, annealed and underdamped Langevin) and the score-SDE samplers
// (predictor–corrector, probability-flow ODE, likelihoods), over a score
// function given through the small interfaces below, and diagnoses the
// chains (ESS, split-R̂, Summarize). It never imports nn: a trained
// network and an analytic target from data both satisfy these
// interfaces.
//
// # Step sizes
//
// The Langevin family shares one convention: a step h in
// x ← x + h·∇log p(x) + √(2h)·z, where others write 2h (Song & Ermon's α,
// Welling & Teh's ε, TensorFlow Probability's step size).
//
//   - ULA and MALA: [ULAConfig.Step], [MALAConfig.Step] are h.
//   - SGLD: h_t = A·(B + t)^(−Gamma) at step t ([SGLDConfig]).
//   - Annealed Langevin: [AnnealedConfig.Eps] is NCSN's ε; level i steps
//     with α_i = ε·σ_i²/σ_L², that is h = α_i/2.
//   - Underdamped Langevin and SGHMC: h is the time step of the kinetic
//     dynamics with friction γ ([UnderdampedConfig], [SGHMCConfig]).
//   - Predictor–corrector: the predictor takes the N steps of the SDE's
//     own discretisation ([SDE.Steps]); the Langevin corrector sets its
//     step from the signal-to-noise ratio at every time ([PCConfig]).
//   - Probability-flow ODE: Heun's fixed steps or RK45's tolerances
//     ([ODEConfig]).
//
// # Sampling a trained network
//
// An nn.Model loaded with nn.Load serves the interface its training
// gave it (Score, NoiseScore, TimeScore, or LogDensity for an energy
// model); a constructor given the wrong kind returns an error that says
// so. A time-conditional model that divides by σ(t) needs the SDE it was
// trained on through its SetPerturbation before it scores: [ParseSDE]
// reads it from the "scorekit.sde" metadata that scorekit train writes. A model is safe
// for concurrent use, a sampler is not: make one per goroutine or request
// and reuse it. The Langevin samplers' chains continue their random
// streams from one Run to the next (Reset restarts them); the SDE
// samplers start from their configured streams on every call. Make every
// sampler with its New… constructor: each of its methods (Run, Sample,
// Flow, LogP, Config, Reset and the accessors) panics, naming the method
// and the constructor, on a zero value or a nil pointer, such as a
// constructor returns with an error; and the methods that run one panic
// on a nil Context. The command examples/embed is an HTTP service that
// serves annealed Langevin samples of a model written by scorekit train.
package sampler

import (
	"context"
	"fmt"
	"strings"

	"github.com/scorekit/scorekit/internal/nilness"
)

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

// MethodChecker is implemented by a score function that can say whether
// it serves a method of the interfaces above: a value may have a method
// it cannot serve (nn's Model has Score, LogDensity, NoiseScore and
// TimeScore, and serves only those of its kind and conditioning). The
// constructors ask it, so that a score function of the wrong kind is an
// error from New… rather than a panic at the first step.
type MethodChecker interface {
	// CheckMethod returns nil if the method of that name ("Score",
	// "LogDensity", "NoiseScore" or "TimeScore") works, and otherwise an
	// error that says why not.
	CheckMethod(name string) error
}

// checkScore returns an error, naming the sampler who, if score is nil
// (see [checkNil]), has a dimension below 1, or says (as a
// [MethodChecker]) that it does not serve one of methods.
func checkScore(who string, score interface{ Dim() int }, methods ...string) error {
	if err := checkNil(who, "score function", score); err != nil {
		return err
	}
	if d := score.Dim(); d < 1 {
		return fmt.Errorf("sampler: %s: score dimension %d < 1", who, d)
	}
	if c, ok := score.(MethodChecker); ok {
		for _, m := range methods {
			if err := c.CheckMethod(m); err != nil {
				return fmt.Errorf("sampler: %s: %w", who, err)
			}
		}
	}
	return nil
}

// checkNil returns an error, naming the sampler who and the argument
// what, if v is nil or a typed nil held in the interface (a nil *nn.Model
// given as the score, say; see [nilness.Is]). Every constructor checks its
// interface arguments with it.
func checkNil(who, what string, v any) error {
	switch {
	case v == nil:
		return fmt.Errorf("sampler: %s: the %s is nil", who, what)
	case nilness.Is(v):
		return fmt.Errorf("sampler: %s: the %s is a nil %T", who, what, v)
	}
	return nil
}

// checkContext panics, naming method ("ULA.Run"), if ctx is nil, which
// the run would dereference when it checks for cancellation.
func checkContext(method string, ctx context.Context) {
	if ctx == nil {
		panic(fmt.Sprintf("sampler: %s: nil Context (pass context.Background() if there is none)", method))
	}
}

// unbuilt panics, naming method ("ULA.Run") and its type's constructor
// (New and the type's name), for a sampler that its constructor did not
// make: a nil pointer (isNil; as a constructor returns with an error) or
// the type's zero value, which has no score function and would fail with
// a nil dereference or a division by zero. Every exported method of a
// sampler calls it, through the type's built method, when the pointer is
// nil or the score is.
func unbuilt(method string, isNil bool) {
	typ, _, _ := strings.Cut(method, ".")
	if isNil {
		panic(fmt.Sprintf("sampler: %s: nil *%s: build it with New%s (did it return an error?)", method, typ, typ))
	}
	panic(fmt.Sprintf("sampler: %s: zero %s: build it with New%s", method, typ, typ))
}
