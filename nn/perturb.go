package nn

import (
	"fmt"
	"math"

	"github.com/scorekit/scorekit/internal/nilness"
)

// SetPerturbation sets the forward noising process whose marginal standard
// deviation σ(t) a time-conditional model with Config.ScaleBySigma divides
// its output by: s(x, t) = net(x, t)/σ(t), score_sde's scale_by_sigma for
// its VE models (and, up to the sign, its −ε/σ(t) for VP), as a
// σ-conditional ScaleBySigma model divides by its σ. Give it the SDE the
// model is trained on (by [ContinuousDSM], which refuses another and uses
// it when given none) and sampled with: the sampler package's VE, VP and
// sub-VP SDEs satisfy Perturbation. A model file does not hold it: set it
// again after [Load] (scorekit's command does, from the SDE the file
// records). Without ScaleBySigma a time-conditional model keeps p, for
// ContinuousDSM, and does not divide by it. Until it is set, a
// time-conditional ScaleBySigma model's TimeScore and training calls
// panic, and CheckMethod("TimeScore") returns an error, saying to call
// it. It panics if the model is not time-conditional or p is nil.
// [Model.Clone] keeps it. Call it before using the model, not
// concurrently with other calls.
func (m *Model) SetPerturbation(p Perturbation) {
	m.mustBeBuilt("Model.SetPerturbation")
	if m.cfg.Cond != CondTime {
		panic(fmt.Sprintf("nn: Model.SetPerturbation: a model with conditioning %v takes no perturbation (only a time-conditional one does)", m.cfg.Cond))
	}
	if p == nil || nilness.Is(p) {
		panic(fmt.Sprintf("nn: Model.SetPerturbation: a nil perturbation (%T)", p))
	}
	m.pert = p
}

// Perturbation returns the perturbation set by SetPerturbation, or nil.
func (m *Model) Perturbation() Perturbation { return m.pert }

// timeScaled reports whether the model divides its output by the σ(t) of
// its perturbation: ScaleBySigma with time conditioning.
func (m *Model) timeScaled() bool {
	return m.cfg.ScaleBySigma && m.cfg.Cond == CondTime
}

// sigmaScaled reports whether the model divides its output by its
// conditioning value σ: ScaleBySigma with σ or log σ conditioning.
func (m *Model) sigmaScaled() bool {
	return m.cfg.ScaleBySigma && m.cfg.Cond != CondTime
}

// pertWhy says why the model cannot score yet — it divides by σ(t) and
// has no perturbation — or returns "".
func (m *Model) pertWhy() string {
	if m.timeScaled() && m.pert == nil {
		return "the model divides its output by σ(t) (Config.ScaleBySigma with time conditioning) but has no perturbation: call SetPerturbation with the SDE it is trained on"
	}
	return ""
}

// mustPert panics, naming where, unless the model can score (pertWhy).
func (m *Model) mustPert(where string) {
	if why := m.pertWhy(); why != "" {
		panic("nn: " + where + ": " + why)
	}
}

// stdScale returns 1/σ(t) in float32 for a time-conditional ScaleBySigma
// model, σ(t) the std of its perturbation at t (as float64, as TimeScore
// passes it), or why it has none: σ(t) must be from MinSigma, whose
// reciprocal is finite in float32, to MaxFloat32, whose reciprocal is not
// 0 (above it, 1/σ(t) rounds to 0 or soon will, and every score would be
// 0): the range of a σ-conditional ScaleBySigma model's float32 σ.
func (m *Model) stdScale(t float32) (float32, string) {
	_, s := m.pert.Marginal(float64(t))
	if !(s >= MinSigma && s <= math.MaxFloat32) {
		return 0, fmt.Sprintf("its perturbation's σ(t) = %v: want 1.2e-38 ≤ σ(t) ≤ 3.4e+38, whose 1/σ is finite and not 0 in float32 (the model divides its output by σ(t))", s)
	}
	return float32(1 / s), ""
}
