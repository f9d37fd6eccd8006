package sampler

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/data"
)

func TestConfigErrors(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0}, 1)
	l := newLinReg(10)
	bad := []struct {
		name string
		err  error
	}{
		{"ULA step 0", second(NewULA(g, ULAConfig{}))},
		{"ULA negative steps", second(NewULA(g, ULAConfig{Step: 1, Chain: ChainConfig{Steps: -1}}))},
		{"ULA negative thin", second(NewULA(g, ULAConfig{Step: 1, Chain: ChainConfig{Thin: -1}}))},
		{"MALA step NaN", second(NewMALA(g, MALAConfig{Step: math.NaN()}))},
		{"MALA target 1", second(NewMALA(g, MALAConfig{Step: 1, TargetAccept: 1}))},
		{"SGLD gamma 0.4", second(NewSGLD(l, SGLDConfig{A: 1, B: 1, Gamma: 0.4, Batch: 1}))},
		{"SGLD batch 0", second(NewSGLD(l, SGLDConfig{A: 1, Batch: 0}))},
		{"SGHMC γh ≥ 1", second(NewSGHMC(l, SGHMCConfig{Step: 1, Friction: 1, Batch: 1}))},
		{"SGHMC B̂ > γ", second(NewSGHMC(l, SGHMCConfig{Step: 0.1, Friction: 1, NoiseEstimate: 1.5, Batch: 1}))},
		{"SGHMC B̂ < 0", second(NewSGHMC(l, SGHMCConfig{Step: 0.1, Friction: 1, NoiseEstimate: -0.1, Batch: 1}))},
		{"SGHMC B̂ NaN", second(NewSGHMC(l, SGHMCConfig{Step: 0.1, Friction: 1, NoiseEstimate: math.NaN(), Batch: 1}))},
		{"Annealed increasing σ", second(NewAnnealed(g, AnnealedConfig{Sigmas: []float64{1, 2}, StepsPerLevel: 1, Eps: 1}))},
		{"Annealed no levels", second(NewAnnealed(g, AnnealedConfig{StepsPerLevel: 1, Eps: 1}))},
		{"ULA BurnIn + Steps overflows", second(NewULA(g, ULAConfig{Step: 1, Chain: ChainConfig{Steps: math.MaxInt, BurnIn: 1}}))},
		{"MALA BurnIn + Steps overflows", second(NewMALA(g, MALAConfig{Step: 1, Chain: ChainConfig{Steps: math.MaxInt - 1, BurnIn: 2}}))},
		{"Annealed L·T overflows", second(NewAnnealed(g, AnnealedConfig{Sigmas: []float64{2, 1}, StepsPerLevel: math.MaxInt/2 + 1, Eps: 1}))},
		{"Underdamped friction 0", second(NewUnderdamped(g, UnderdampedConfig{Step: 1}))},
		{"Underdamped scheme", second(NewUnderdamped(g, UnderdampedConfig{Step: 1, Friction: 1, Scheme: 7}))},
	}
	for _, b := range bad {
		if b.err == nil {
			t.Errorf("%s: accepted", b.name)
		}
	}
	// The largest counts that do not overflow are taken (a run of them
	// would not end, but it is a run, not a silent no-op).
	if _, err := NewULA(g, ULAConfig{Step: 1, Chain: ChainConfig{Steps: math.MaxInt - 1, BurnIn: 1}}); err != nil {
		t.Errorf("ULA BurnIn + Steps = MaxInt: %v", err)
	}
	if _, err := NewAnnealed(g, AnnealedConfig{Sigmas: []float64{2, 1}, StepsPerLevel: math.MaxInt / 2, Eps: 1}); err != nil {
		t.Errorf("Annealed L·T ≤ MaxInt: %v", err)
	}
	if _, err := NewSGHMC(l, SGHMCConfig{Step: 0.1, Friction: 1, NoiseEstimate: 1, Batch: 1}); err != nil {
		t.Errorf("SGHMC B̂ = γ (no injected noise): %v", err)
	}
	_, err := NewSGHMC(l, SGHMCConfig{Step: 0.1, Friction: 1, NoiseEstimate: 2, Batch: 1})
	if want := "noise estimate B̂ = 2, friction 1"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("SGHMC B̂ > γ: error %v, want one saying %q", err, want)
	}
}

func second[T any](_ T, err error) error { return err }

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

func TestGeometricSigmas(t *testing.T) {
	s := GeometricSigmas(20, 1, 10)
	if len(s) != 10 || s[0] != 20 || s[9] != 1 {
		t.Fatalf("GeometricSigmas = %v", s)
	}
	for i := 1; i < len(s); i++ {
		if r := s[i] / s[i-1]; math.Abs(r-math.Pow(20, -1.0/9)) > 1e-12 {
			t.Errorf("ratio %d = %v", i, r)
		}
	}
}

// TestGeometricSigmasExtremes: levels spanning more than float64's
// range of ratios are still a finite geometric progression, and an
// infinite first level is refused.
func TestGeometricSigmasExtremes(t *testing.T) {
	s := GeometricSigmas(1e300, 1e-300, 7)
	for i, v := range s {
		want := math.Pow(10, 300-100*float64(i))
		if math.Abs(v-want) > 1e-12*want {
			t.Errorf("level %d = %v, want %v", i, v, want)
		}
	}
	// The ends are first and last exactly, as the doc says, even where
	// exp(log first) rounds up past MaxFloat64.
	for _, c := range [][2]float64{{1e300, 1e-300}, {math.MaxFloat64, 5e-324}} {
		s := GeometricSigmas(c[0], c[1], 5)
		if s[0] != c[0] || s[4] != c[1] {
			t.Errorf("GeometricSigmas(%v, %v, 5) = %v: want the ends exactly", c[0], c[1], s)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "want finite first > last > 0") {
			t.Errorf("GeometricSigmas(+Inf, 1, 3): panic %v", r)
		}
	}()
	GeometricSigmas(math.Inf(1), 1, 3)
}

func TestSGLDSchedule(t *testing.T) {
	c := SGLDConfig{A: 2, B: 3, Gamma: 1}
	if h := c.step(5); math.Abs(h-0.25) > 1e-15 {
		t.Errorf("h_5 = %v, want 2/(3+5)", h)
	}
	c.Gamma = 0
	if h := c.step(100); h != 2 {
		t.Errorf("constant schedule h = %v", h)
	}
}

// TestInitialNotFinite: MALA refuses to start where log p is −∞ (it would
// reject every proposal and silently never move).
func TestInitialNotFinite(t *testing.T) {
	m, err := NewMALA(nanOutside{}, MALAConfig{Step: 0.1, Chain: ChainConfig{Steps: 10}})
	if err != nil {
		t.Fatal(err)
	}
	var de *DivergenceError
	_, err = m.Run(context.Background(), []float32{0, 0.5, 3})
	if !errors.As(err, &de) || de.Step != -1 || de.Chain != 2 {
		t.Errorf("err = %v, want a divergence of chain 2 at the initial state", err)
	}
}

// TestContinuation: two runs of n steps equal one run of 2n steps, since
// the streams continue; Reset replays.
func TestContinuation(t *testing.T) {
	g := correlatedGaussian(t)
	mk := func(steps int) *Underdamped {
		u, err := NewUnderdamped(g, UnderdampedConfig{Step: 0.2, Friction: 1, Chain: ChainConfig{Seed: 3, Steps: steps}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	a, b := make([]float32, 9), make([]float32, 9)
	u := mk(50)
	u.Run(context.Background(), a)
	u.Run(context.Background(), a)
	mk(100).Run(context.Background(), b)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("2×50 steps ≠ 100 steps at %d: %v vs %v", i, a[i], b[i])
		}
	}
	c := make([]float32, 9)
	u.Reset()
	u.Run(context.Background(), c)
	u.Run(context.Background(), c)
	for i := range a {
		if a[i] != c[i] {
			t.Fatalf("Reset did not replay at %d", i)
		}
	}
}

// TestEveryDeterministic runs each sampler with 1 and 3 workers under
// GOMAXPROCS 1 and 2: the final states agree to the bit.
func TestEveryDeterministic(t *testing.T) {
	g := correlatedGaussian(t)
	l := newLinReg(50)
	type runner interface {
		Run(context.Context, []float32) (*Trace, error)
	}
	makers := map[string]func(ChainConfig) (runner, int){
		"ULA": func(c ChainConfig) (runner, int) { r, _ := NewULA(g, ULAConfig{Step: 0.1, Chain: c}); return r, 3 },
		"SGLD": func(c ChainConfig) (runner, int) {
			r, _ := NewSGLD(l, SGLDConfig{A: 1e-3, B: 10, Gamma: 0.6, Batch: 5, Chain: c})
			return r, 2
		},
		"SGHMC": func(c ChainConfig) (runner, int) {
			r, _ := NewSGHMC(l, SGHMCConfig{Step: 1e-3, Friction: 10, Batch: 5, Chain: c})
			return r, 2
		},
		"SGHMC B̂": func(c ChainConfig) (runner, int) {
			r, _ := NewSGHMC(l, SGHMCConfig{Step: 1e-3, Friction: 10, NoiseEstimate: 4, Batch: 5, Chain: c})
			return r, 2
		},
		"Annealed": func(c ChainConfig) (runner, int) {
			r, _ := NewAnnealed(g, AnnealedConfig{Sigmas: []float64{3, 1}, StepsPerLevel: 30, Eps: 0.05, Denoise: true, Chain: c})
			return r, 3
		},
		"MALA": func(c ChainConfig) (runner, int) {
			r, _ := NewMALA(g, MALAConfig{Step: 0.3, Adapt: true, Chain: c})
			return r, 3
		},
		"BAOAB": func(c ChainConfig) (runner, int) {
			r, _ := NewUnderdamped(g, UnderdampedConfig{Step: 0.1, Friction: 1, Chain: c})
			return r, 3
		},
		"OBABO": func(c ChainConfig) (runner, int) {
			r, _ := NewUnderdamped(g, UnderdampedConfig{Step: 0.1, Friction: 1, Scheme: OBABO, Chain: c})
			return r, 3
		},
	}
	for name, mk := range makers {
		var ref []float32
		for _, pw := range [][2]int{{1, 1}, {2, 3}, {1, 3}, {2, 0}} {
			prev := runtime.GOMAXPROCS(pw[0])
			r, d := mk(ChainConfig{Seed: 9, BurnIn: 20, Steps: 60, Workers: pw[1], Segment: 11})
			x := make([]float32, 7*d)
			for i := range x {
				x[i] = float32(i%5) * 0.1
			}
			_, err := r.Run(context.Background(), x)
			runtime.GOMAXPROCS(prev)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if ref == nil {
				ref = x
				continue
			}
			for i := range x {
				if math.Float32bits(x[i]) != math.Float32bits(ref[i]) {
					t.Fatalf("%s: GOMAXPROCS %d, workers %d: state differs at %d", name, pw[0], pw[1], i)
				}
			}
		}
	}
}

// TestAnnealedFloat32Levels: the annealed sampler hands each level to the
// score as a float32 and steps with α_i = ε·σ_i²/σ_L² in float32, so
// NewAnnealed refuses, naming the values, a level that is no normal
// float32 (0 or subnormal: a score that divides by σ gives Inf; above
// MaxFloat32: Inf), an α₁/2 beyond MaxFloat32, which made every chain
// diverge at step 0 with the advice to lower ε, and an α_L/2 = ε/2 that
// is 0 or subnormal in float32 (accepted before, with chains that did
// not move at the last levels). At the edges it accepts: σ from 2⁻¹²⁶
// to 2¹²⁷, and α_L/2 = 2⁻¹²⁶ with α₁/2 = 2¹²⁶.
func TestAnnealedFloat32Levels(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0}, 1)
	for _, c := range []struct {
		sig []float64
		eps float64
		msg string // "" if accepted
	}{
		{[]float64{10, 1e-40}, 1e-3, "σ_2 = 1e-40: want a normal float32, 1.2e-38 ≤ σ ≤ 3.4e+38"},
		{[]float64{10, 1, 1e-46}, 1e-3, "σ_3 = 1e-46: want a normal float32"},                                // 0 in float32
		{[]float64{0x1p-126, 0x1p-126 - 0x1p-149}, 1, "σ_2 = 1.1754942106924411e-38: want a normal float32"}, // the largest subnormal
		{[]float64{0x1p-125, 0x1p-126 * (1 - 0x1p-30)}, 1, ""},                                               // rounds to 2⁻¹²⁶
		{[]float64{1e39, 1}, 1e-300, "σ_1 = 1e+39: want a normal float32"},
		{[]float64{3e38, 1, 2e-38}, 2e-5, "ε = 2e-05, σ₁ = 3e+38, σ_L = 2e-38: the first step α₁ = ε·σ₁²/σ_L² = 4.5e+147 overflows float32"},
		{[]float64{50, 1e-30}, 2e-5, "ε = 2e-05, σ₁ = 50, σ_L = 1e-30: the first step α₁ = ε·σ₁²/σ_L² = 5e+58 overflows float32"},
		{[]float64{0x1p127, 0x1p-126}, 0x1p-376, "overflows float32: want ε·(σ₁/σ_L)² ≤ 6.8e+38"},
		{[]float64{0x1p127, 1, 0x1p-126}, 0x1p-380, "ε = 4.060706939705039e-115: the last level's step α_L/2 = 2.0303534698525194e-115 is 0 in float32"},
		{[]float64{0x1p63, 1, 0x1p-63}, 0x1p-125 * (1 - 0x1p-20), "the last level's step α_L/2 = 1.175493229783516e-38 is subnormal"},
		{[]float64{0x1p63, 1, 0x1p-63}, 0x1p-125, ""}, // α_L/2 = 2⁻¹²⁶, α₁/2 = 2¹²⁶
		{[]float64{0x1p-126 * 2, 0x1p-126}, 1, ""},
	} {
		_, err := NewAnnealed(g, AnnealedConfig{Sigmas: c.sig, StepsPerLevel: 1, Eps: c.eps})
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("σ %v, ε %v: %v", c.sig, c.eps, err)
		case c.msg != "" && (err == nil || !strings.Contains(err.Error(), c.msg)):
			t.Errorf("σ %v, ε %v: error %v, want one saying %q", c.sig, c.eps, err, c.msg)
		}
	}
}
