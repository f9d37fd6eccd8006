package sampler

// Tests of the sampler's logarithms of quantities that may be subnormal
// (σ levels, step sizes, a prior's 2πσ²): amd64's math.Log takes a
// subnormal's exponent for the smallest normal one (math.Log(1e-320) is
// −709.09 there, not −736.83; golang/go#56600), and each test failed on
// amd64 while the site called math.Log.

import (
	"context"
	"math"
	"testing"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/internal/fmath"
)

// relNear reports whether got is within rel of want relative to |want|.
func relNear(got, want, rel float64) bool { return math.Abs(got-want) <= rel*math.Abs(want) }

// TestGeometricSigmasSubnormal: levels from 1 to 10⁻³²⁰ (ratio subnormal,
// so interpolated in logs) have the geometric mean √(10⁻³²⁰) = 10⁻¹⁶⁰ in
// the middle; it was 1.05·10⁻¹⁵⁴.
func TestGeometricSigmasSubnormal(t *testing.T) {
	s := GeometricSigmas(1, 1e-320, 3)
	if want := math.Sqrt(1e-320); !relNear(s[1], want, 1e-12) {
		t.Errorf("GeometricSigmas(1, 1e-320, 3) = %v, want the middle %v", s, want)
	}
}

// TestVESubnormal: VE with σ_min = 10⁻³²⁰ (subnormal) has the discrete
// level and σ(t) exp((1−t)·log σ_min + t·log σ_max): for σ_max = 10⁻³⁰⁰
// σ₁ of 3 is 10⁻³¹⁰ (it was 10⁻³⁰⁴); for σ_max = 1 the ratio 10³²⁰
// overflows, and σ(½) is 10⁻¹⁶⁰ (it was +Inf) and the diffusion at t = ½
// 10⁻¹⁶⁰·√(2·ln 10³²⁰) (it was +Inf).
func TestVESubnormal(t *testing.T) {
	ve := VE{SigmaMin: 1e-320, SigmaMax: 1e-300, N: 3}
	if err := ve.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, want := ve.DiscreteSigma(1), math.Sqrt(1e-320)*1e-150; !relNear(got, want, 1e-12) {
		t.Errorf("%+v.DiscreteSigma(1) = %v, want %v", ve, got, want)
	}
	ve = VE{SigmaMin: 1e-320, SigmaMax: 1, N: 3}
	// ln(1/σ_min) from a normal argument; σ_min is a variable so that
	// the product is not the exact constant 10⁻³²⁰·2¹⁰⁰.
	logR := -math.Log(ve.SigmaMin*0x1p100) + 100*math.Ln2
	if got, want := ve.Sigma(0.5), math.Sqrt(1e-320); !relNear(got, want, 1e-12) {
		t.Errorf("%+v.Sigma(0.5) = %v, want %v", ve, got, want)
	}
	if _, got := ve.Coefficients(0.5); !relNear(got, math.Sqrt(1e-320)*math.Sqrt(2*logR), 1e-12) {
		t.Errorf("%+v.Coefficients(0.5): diffusion %v, want %v", ve, got, math.Sqrt(1e-320)*math.Sqrt(2*logR))
	}
	if got := ve.Sigma(1); !relNear(got, 1, 1e-12) {
		t.Errorf("%+v.Sigma(1) = %v, want 1", ve, got)
	}
}

// TestSDEPriorLogPExtremes: the prior N(0, σ²I) in two dimensions has
// log density −2·log σ − log 2π − ‖z‖²/(2σ²): at z = 0 with σ = 10⁻¹⁶⁰
// (2πσ² subnormal) 736.83 − 1.84 (it was 709.09); with σ = 10²⁰⁰ (σ²
// overflows) −921.03 − 1.84 at z = 0 and at z = (1, 0), where ‖z‖²/(2σ²)
// underflows (it was −Inf).
func TestSDEPriorLogPExtremes(t *testing.T) {
	for _, c := range []struct {
		sigma float64
		z     []float32
		want  float64
	}{
		{1e-160, []float32{0, 0}, 2*160*math.Ln10 - fmath.Log2Pi},
		{1e200, []float32{1, 0}, -2*200*math.Ln10 - fmath.Log2Pi},
		{1e200, []float32{0, 0}, -2*200*math.Ln10 - fmath.Log2Pi},
		{2, []float32{1, -2}, -2*math.Ln2 - fmath.Log2Pi - 5.0/8},
	} {
		ve := VE{SigmaMin: c.sigma / 10, SigmaMax: c.sigma, N: 10}
		if got := SDEPriorLogP(ve, c.z); !relNear(got, c.want, 1e-14) {
			t.Errorf("SDEPriorLogP(σ = %v, %v) = %.17g, want %.17g", c.sigma, c.z, got, c.want)
		}
	}
}

// TestMALASubnormalStep: a chain added by a later Run starts at the
// geometric mean of the kept chains' steps, 10⁻³²⁰ here (it was
// 1.1·10⁻³⁰⁸ with math.Log). Adaptation no longer leaves a step below
// 2⁻¹⁴⁹ (TestMALAAdaptStepInFloat32), so the step is set by hand.
func TestMALASubnormalStep(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0, 0}, 1)
	m, err := NewMALA(g, MALAConfig{Step: 0.1, Chain: ChainConfig{Seed: 1, Steps: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(context.Background(), []float32{0.5, 0.5}); err != nil {
		t.Fatal(err)
	}
	m.h[0] = 1e-320
	if _, err := m.Run(context.Background(), []float32{0.5, 0.5, 1, 1}); err != nil {
		t.Fatal(err)
	}
	if got := m.StepSize(1); !relNear(got, 1e-320, 1e-3) { // 1e-320 has 14 bits
		t.Errorf("added chain's step %v, want the kept chain's 1e-320", got)
	}
}

// TestMALAAdaptStepInFloat32: a Gaussian of scale 3·10⁻²³ wants a step
// h ≈ σ² ≈ 10⁻⁴⁵, below the smallest positive float32 2⁻¹⁴⁹ ≈ 1.4·10⁻⁴⁵.
// The adaptation took h to 0 in float32, where every proposal is rejected
// (0/0 in the ratio) and h only goes down: no proposal after burn-in was
// accepted. Held at 2⁻¹⁴⁹, 40 of 300 are. Then the adaptation alone,
// accepting always (α = 1) or never (α = 0), keeps h a positive finite
// float32 (it reached +Inf and 0).
func TestMALAAdaptStepInFloat32(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0, 0}, 3e-23)
	m, err := NewMALA(g, MALAConfig{Step: 1, Adapt: true, Chain: ChainConfig{Seed: 1, BurnIn: 300, Steps: 100}})
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{3e-23, 0, 0, -3e-23, 0, 0}
	if _, err := m.Run(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if h := float32(m.StepSize(0)); h == 0 {
		t.Errorf("adapted step %v in float32, want > 0", h)
	}
	if a := m.Acceptance(); a.Rate() < 0.05 {
		t.Errorf("acceptance after burn-in %+v, want a rate ≥ 0.05", a)
	}
	for _, alpha := range []float64{0, 1} {
		m.Reset()
		m.resize(0, 1)
		for it := 1; it <= 1000; it++ {
			m.adapt(0, it, alpha)
			if h := float32(m.h[0]); !(h > 0 && h <= math.MaxFloat32) {
				t.Fatalf("α = %v: step %v in float32 after %d adaptations", alpha, h, it)
			}
		}
	}
}
