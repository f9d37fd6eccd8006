package sampler

import (
	"math"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/data"
)

// TestStepFloat32: the Langevin samplers' chains step in float32, so
// each constructor refuses, naming it, a step that is positive in
// float64 but 0, subnormal or +Inf in float32, and accepts the edges
// (2⁻¹²⁶, and a step just below it that rounds up to it; MaxFloat32).
// Each refused case was accepted before checkStep.
func TestStepFloat32(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0}, 1)
	l := newLinReg(10)
	const (
		zero = "is 0 in float32"
		sub  = "is subnormal"
		inf  = "is +Inf in float32"
	)
	roundsUp := 0x1p-126 * (1 - 0x1p-30) // float32 rounds it to 2⁻¹²⁶
	for _, c := range []struct {
		name string
		err  error
		msg  string // "" if accepted; else pieces of the error, split at …
	}{
		{"ULA 1e-50", second(NewULA(g, ULAConfig{Step: 1e-50})), "ULA: step = 1e-50 " + zero},
		{"ULA 1e-40", second(NewULA(g, ULAConfig{Step: 1e-40})), "ULA: step = 1e-40 " + sub},
		{"ULA 1e39", second(NewULA(g, ULAConfig{Step: 1e39})), "ULA: step = 1e+39 " + inf},
		{"ULA 2⁻¹²⁶", second(NewULA(g, ULAConfig{Step: 0x1p-126})), ""},
		{"ULA rounds up", second(NewULA(g, ULAConfig{Step: roundsUp})), ""},
		{"ULA MaxFloat32", second(NewULA(g, ULAConfig{Step: math.MaxFloat32})), ""},
		{"MALA 1e-320", second(NewMALA(g, MALAConfig{Step: 1e-320})), "MALA: step = 1e-320 " + zero},
		{"MALA 1e-39", second(NewMALA(g, MALAConfig{Step: 1e-39})), "MALA: step = 1e-39 " + sub},
		{"MALA 1e300", second(NewMALA(g, MALAConfig{Step: 1e300})), "MALA: step = 1e+300 " + inf},
		{"MALA 2⁻¹²⁶", second(NewMALA(g, MALAConfig{Step: 0x1p-126})), ""},
		{"SGHMC 1e-50", second(NewSGHMC(l, SGHMCConfig{Step: 1e-50, Friction: 1, Batch: 1})), "SGHMC: step = 1e-50 " + zero},
		{"SGHMC 2⁻¹²⁶", second(NewSGHMC(l, SGHMCConfig{Step: 0x1p-126, Friction: 1, Batch: 1})), ""},
		{"Underdamped 1e-40", second(NewUnderdamped(g, UnderdampedConfig{Step: 1e-40, Friction: 1})), "Underdamped: step = 1e-40 " + sub},
		{"Underdamped 1e39", second(NewUnderdamped(g, UnderdampedConfig{Step: 1e39, Friction: 1})), "Underdamped: step = 1e+39 " + inf},
		// The kicks take h/2: 2⁻¹²⁶ halves to a subnormal.
		{"Underdamped 2⁻¹²⁶", second(NewUnderdamped(g, UnderdampedConfig{Step: 0x1p-126, Friction: 1})), "the half step = 5.877471754111438e-39 " + sub},
		{"Underdamped 2⁻¹²⁵", second(NewUnderdamped(g, UnderdampedConfig{Step: 0x1p-125, Friction: 1})), ""},
		{"SGLD A 1e-50", second(NewSGLD(l, SGLDConfig{A: 1e-50, Batch: 1})), "A = 1e-50, B = 0, Gamma = 0: the first step h₀ = 1e-50 " + zero},
		{"SGLD A 1e39", second(NewSGLD(l, SGLDConfig{A: 1e39, Batch: 1})), "the first step h₀ = 1e+39 " + inf},
		{"SGLD B tiny", second(NewSGLD(l, SGLDConfig{A: 1, B: 1e-40, Gamma: 1, Batch: 1})), "the first step h₀ = 1e+40 " + inf},
		// h_t = 2⁻¹²³/(1 + t): h₇ = 2⁻¹²⁶, h₈ = 2⁻¹²³/9 is subnormal.
		{"SGLD last", second(NewSGLD(l, SGLDConfig{A: 0x1p-123, B: 1, Gamma: 1, Batch: 1, Chain: ChainConfig{BurnIn: 3, Steps: 6}})), "the last step h_8 = 1.04…" + sub},
		{"SGLD last ok", second(NewSGLD(l, SGLDConfig{A: 0x1p-123, B: 1, Gamma: 1, Batch: 1, Chain: ChainConfig{BurnIn: 3, Steps: 5}})), ""},
	} {
		switch {
		case c.msg == "" && c.err != nil:
			t.Errorf("%s: %v", c.name, c.err)
		case c.msg != "" && c.err == nil:
			t.Errorf("%s: accepted, want an error saying %q", c.name, c.msg)
		case c.msg != "":
			for _, m := range strings.Split(c.msg, "…") {
				if !strings.Contains(c.err.Error(), m) {
					t.Errorf("%s: error %v, want one saying %q", c.name, c.err, m)
				}
			}
		}
	}
}
