package nn

import (
	"bytes"
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// TestScaleBySigmaTimeScore: a time-conditional ScaleBySigma model
// scores net(x, t)/σ(t), σ(t) the std of its perturbation at the float32 t it is given: the same
// weights without the flag, times 1/σ(t) rounded to float32, to the bit;
// for an energy model −∇ₓE/σ(t), while its energy is not divided. Clone
// and a saved and loaded model (given the perturbation again) score the
// same.
func TestScaleBySigmaTimeScore(t *testing.T) {
	x := []float32{0.3, -1, 2, 0.5, -4, 9}
	for _, energy := range []bool{false, true} {
		for _, p := range []Perturbation{ve{0.01, 1e12}, vp{}} {
			cfg := Config{Dim: 2, Hidden: []int{16, 16}, Act: kernel.Tanh, Cond: CondTime, Fourier: 4, FourierScale: 2, Energy: energy}
			plain, _ := New(cfg, 3)
			cfg.ScaleBySigma = true
			m, _ := New(cfg, 3)
			m.SetPerturbation(p)
			if m.Perturbation() != p {
				t.Fatalf("Perturbation() = %v, want %v", m.Perturbation(), p)
			}
			var buf bytes.Buffer
			if err := m.Save(&buf); err != nil {
				t.Fatal(err)
			}
			loaded, err := Load(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if !loaded.Config().ScaleBySigma || loaded.Perturbation() != nil {
				t.Fatalf("loaded: ScaleBySigma %v, perturbation %v; want true and none (a file does not hold it)", loaded.Config().ScaleBySigma, loaded.Perturbation())
			}
			loaded.SetPerturbation(p)
			for _, tt := range []float32{1e-5, 0.37, 1} {
				_, std := p.Marginal(float64(tt))
				sc := float32(1 / std)
				want, got := make([]float32, len(x)), make([]float32, len(x))
				plain.TimeScore(want, x, tt)
				for i := range want {
					want[i] *= sc
				}
				for name, s := range map[string]*Model{"model": m, "clone": m.Clone(), "loaded": loaded} {
					clear(got)
					s.TimeScore(got, x, tt)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("energy %v, %T, t = %v, %s: s[%d] = %v, want net/σ(t) = %v", energy, p, tt, name, i, got[i], want[i])
						}
					}
				}
				if energy {
					e, pe := make([]float32, 3), make([]float32, 3)
					m.Energy(e, x, tt)
					plain.Energy(pe, x, tt)
					if !equalBits(e, pe) {
						t.Errorf("t = %v: energy %v, want the unscaled net's %v", tt, e, pe)
					}
				}
			}
		}
	}
}

func equalBits(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// TestScaleBySigmaTimeRefused: a time-conditional ScaleBySigma model
// without a perturbation refuses to score or train, saying to call SetPerturbation (CheckMethod,
// which the samplers ask, returns that error); SetPerturbation refuses a
// model that is not time-conditional and a nil perturbation;
// ContinuousDSM refuses an SDE whose σ(t) is not the model's; the scores
// refuse a t at which the model's σ(t) has no finite reciprocal in
// float32.
func TestScaleBySigmaTimeRefused(t *testing.T) {
	cfg := Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: CondTime, ScaleBySigma: true}
	bare, _ := New(cfg, 1)
	x := []float32{0.5, -1}
	grad := make([]float32, bare.NumParams())
	const noPert = "has no perturbation: call SetPerturbation"
	if err := bare.CheckMethod("TimeScore"); err == nil || !strings.Contains(err.Error(), noPert) {
		t.Errorf("CheckMethod(TimeScore) without a perturbation: %v, want an error saying %q", err, noPert)
	}
	withPert := func(p Perturbation) *Model {
		m := bare.Clone()
		m.SetPerturbation(p)
		return m
	}
	if err := withPert(vp{}).CheckMethod("TimeScore"); err != nil {
		t.Errorf("CheckMethod(TimeScore) with a perturbation: %v", err)
	}
	sigma, _ := New(Config{Dim: 2, Cond: CondSigma}, 1)
	tiny := ve{1e-40, 1} // σ(0) = 1e-40: 1/σ overflows float32
	huge := ve{1, 1e50}  // σ(1) = 1e50: 1/σ is 0 in float32
	for _, c := range []struct {
		name string
		f    func()
		msg  string
	}{
		{"TimeScore", func() { bare.TimeScore(make([]float32, 2), x, 0.5) }, "Model.TimeScore: the model divides its output by σ(t) (Config.ScaleBySigma with time conditioning) but " + noPert},
		{"ContinuousDSM", func() { ContinuousDSM{SDE: vp{}}.Grad(bare, x, newRand(1, 1), grad) }, "ContinuousDSM.Grad: the model divides its output by σ(t)"},
		{"ContinuousDSM no SDE", func() { ContinuousDSM{}.Grad(bare, x, newRand(1, 1), grad) }, "ContinuousDSM.Grad: no SDE, and the model has no perturbation (Model.SetPerturbation) to use instead"},
		{"DSM", func() { DSM{Sigma: 1, Cond: 0.5}.Grad(bare, x, newRand(1, 1), grad) }, "DSM.Grad: the model divides its output by σ(t)"},
		{"ExactSM", func() { ExactSM{Cond: 0.5}.Grad(bare, x, newRand(1, 1), grad) }, "ExactSM.Grad: the model divides"},
		{"SlicedSM", func() { SlicedSM{Cond: 0.5}.Grad(bare, x, newRand(1, 1), grad) }, "SlicedSM.Grad: the model divides"},
		{"SetPerturbation σ-conditional", func() { sigma.SetPerturbation(vp{}) }, "Model.SetPerturbation: a model with conditioning sigma takes no perturbation"},
		{"SetPerturbation nil", func() { bare.Clone().SetPerturbation(nil) }, "Model.SetPerturbation: a nil perturbation"},
		{"SetPerturbation typed nil", func() { bare.Clone().SetPerturbation((*vp)(nil)) }, "a nil perturbation (*nn.vp)"},
		{"ContinuousDSM other SDE", func() { ContinuousDSM{SDE: ve{0.01, 50}}.Grad(withPert(ve{0.01, 51}), x, newRand(1, 1), grad) }, "ContinuousDSM.Grad: at t = "},
		{"ContinuousDSM VP for VE", func() { ContinuousDSM{SDE: vp{}}.Grad(withPert(ve{0.01, 50}), x, newRand(1, 1), grad) }, "but the loss's SDE has σ(t) = "},
		{"TimeScore σ(t) = 1e-40", func() { withPert(tiny).TimeScore(make([]float32, 2), x, 0) }, "Model.TimeScore: t = 0: its perturbation's σ(t) = 1e-40: want 1.2e-38 ≤ σ(t) ≤ 3.4e+38"},
		// 1/σ(t) rounds to 0 in float32: every score was 0.
		{"TimeScore σ(t) = 1e50", func() { withPert(huge).TimeScore(make([]float32, 2), x, 1) }, "Model.TimeScore: t = 1: its perturbation's σ(t) = 1e+50: want 1.2e-38 ≤ σ(t) ≤ 3.4e+38"},
		{"TimeScore σ(t) = MaxFloat32·(1+2⁻²⁰)", func() { withPert(ve{1, math.MaxFloat32 * (1 + 0x1p-20)}).TimeScore(make([]float32, 2), x, 1) }, "its perturbation's σ(t) = 3.40282"},
		{"TimeScore t NaN", func() { withPert(vp{}).TimeScore(make([]float32, 2), x, float32(math.NaN())) }, "t = NaN: want a finite t"},
		{"TimeScore VP σ(0) = 0", func() { withPert(vp{}).TimeScore(make([]float32, 2), x, 0) }, "its perturbation's σ(t) = 0: want"},
		{"ExactSM σ(t) = 1e-40", func() { ExactSM{Cond: 0}.Grad(withPert(tiny), x, newRand(1, 1), grad) }, "ExactSM.Grad: Cond = 0: its perturbation's σ(t) = 1e-40"},
		{"ExactSM σ(t) = 1e50", func() { ExactSM{Cond: 1}.Grad(withPert(huge), x, newRand(1, 1), grad) }, "ExactSM.Grad: Cond = 1: its perturbation's σ(t) = 1e+50"},
	} {
		if msg, ok := nnPanic(c.f); !ok || !strings.HasPrefix(msg, "nn: ") || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: panic %q, want one from nn saying %q", c.name, msg, c.msg)
		}
	}
	// The energy itself is not divided: it needs no perturbation.
	en := cfg
	en.Energy = true
	em, _ := New(en, 1)
	em.Energy(make([]float32, 1), x, 0.5)
	// The same process as another value of the same type is no mismatch.
	m := withPert(ve{0.01, 50})
	if l := (ContinuousDSM{SDE: ve{0.01, 50}}).Grad(m, x, newRand(1, 1), grad); math.IsNaN(l) || math.IsInf(l, 0) {
		t.Errorf("loss %v", l)
	}
}

// TestScaleBySigmaTimeTrainsVE: continuous-time DSM on a VE SDE with
// σ_max = 1e12. An unscaled time-conditional network must output −z/σ(t), and
// its weights' gradients grow as σ(t)³: the loss is NaN within a few
// steps. Divided by σ(t), the network's target is −z at every t, and 200
// steps give finite losses that fall.
func TestScaleBySigmaTimeTrainsVE(t *testing.T) {
	p := ve{0.01, 1e12}
	rows := randBatch(newRand(3, 0), 512, 2)
	for _, scaled := range []bool{false, true} {
		m, err := New(Config{Dim: 2, Hidden: []int{64, 64}, Act: kernel.SiLU, Cond: CondTime, Fourier: 8, FourierScale: 4, ScaleBySigma: scaled}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if scaled {
			m.SetPerturbation(p)
		}
		var first, last float64
		tr := Trainer{Model: m, Loss: ContinuousDSM{SDE: p}, Rows: rows, Steps: 200, Seed: 1, Opt: NewAdam(m.NumParams(), 1e-3),
			Callback: func(step int, loss, _ float64) error {
				if step <= 10 {
					first += loss / 10
				}
				if step > 190 {
					last += loss / 10
				}
				return nil
			}}
		err = tr.Run(context.Background())
		t.Logf("ScaleBySigma %v: %v; mean loss of steps 1–10 %.4g, 191–200 %.4g", scaled, err, first, last)
		switch {
		case !scaled && (err == nil || !strings.Contains(err.Error(), "loss is NaN")):
			t.Errorf("unscaled: %v, want a NaN loss (if it trains now, MaxSigma's note is out of date)", err)
		case scaled && err != nil:
			t.Errorf("scaled: %v", err)
		case scaled && !(last < first):
			t.Errorf("scaled: loss %.4g at the start, %.4g at the end: want it to fall", first, last)
		}
	}
}

// TestScaleBySigmaTimeRange: a time-conditional ScaleBySigma model
// scores wherever σ(t) is from MinSigma to MaxFloat32 (1/σ(t) is then a
// nonzero finite float32, as a σ-conditional one's 1/σ is for a float32
// σ), net/σ(t) to the bit at both
// ends.
func TestScaleBySigmaTimeRange(t *testing.T) {
	cfg := Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: CondTime}
	plain, _ := New(cfg, 5)
	cfg.ScaleBySigma = true
	m, _ := New(cfg, 5)
	x := []float32{0.5, -1}
	for _, s := range []float64{MinSigma, 1e-30, 1e30, math.MaxFloat32} {
		m.SetPerturbation(ve{s, s})
		want, got := make([]float32, 2), make([]float32, 2)
		plain.TimeScore(want, x, 0.5)
		m.TimeScore(got, x, 0.5)
		for i := range got {
			if w := float32(1/s) * want[i]; got[i] != w || w == 0 {
				t.Errorf("σ(t) = %v: s[%d] = %v, want net/σ(t) = %v, not 0", s, i, got[i], w)
			}
		}
	}
}

// TestContinuousDSMModelSDE: ContinuousDSM with no SDE trains on the
// model's perturbation, scaled or not: the same loss and gradient, to the
// bit, as with that SDE given; without either it panics, saying so.
func TestContinuousDSMModelSDE(t *testing.T) {
	p := ve{0.01, 50}
	x := []float32{0.5, -1, 2, 0.25, -3, 1}
	for _, scaled := range []bool{false, true} {
		m, _ := New(Config{Dim: 2, Hidden: []int{8}, Act: kernel.SiLU, Cond: CondTime, Fourier: 2, ScaleBySigma: scaled}, 4)
		bare := m.Clone()
		m.SetPerturbation(p)
		gGiven, gOwn := make([]float32, m.NumParams()), make([]float32, m.NumParams())
		lGiven := ContinuousDSM{SDE: p}.Grad(m, x, newRand(7, 0), gGiven)
		lOwn := ContinuousDSM{}.Grad(m, x, newRand(7, 0), gOwn)
		if lOwn != lGiven || !slices.Equal(gOwn, gGiven) {
			t.Errorf("ScaleBySigma %v: no SDE gave loss %v, the model's SDE %v (gradients equal: %v)", scaled, lOwn, lGiven, slices.Equal(gOwn, gGiven))
		}
		// Another SDE changes the loss: the comparison can fail.
		if !scaled {
			if l := (ContinuousDSM{SDE: ve{0.01, 5}}).Grad(bare, x, newRand(7, 0), gOwn); l == lGiven {
				t.Errorf("unscaled: another SDE gave the same loss %v", l)
			}
		}
		const want = "nn: ContinuousDSM.Grad: no SDE, and the model has no perturbation"
		if msg, ok := nnPanic(func() { ContinuousDSM{}.Grad(bare, x, newRand(7, 0), gOwn) }); !ok || !strings.Contains(msg, want) {
			t.Errorf("ScaleBySigma %v, no SDE, no perturbation: panic %q, want %q", scaled, msg, want)
		}
	}
}

// countSDE is ve counting its Marginal calls.
type countSDE struct {
	ve
	calls *int
}

func (c countSDE) Marginal(t float64) (float64, float64) {
	*c.calls++
	return c.ve.Marginal(t)
}

// TestTimeScoreMarginalOnce: a time-conditional ScaleBySigma model's
// TimeScore asks its perturbation for σ(t) once per call, for the check
// and the scaling both.
func TestTimeScoreMarginalOnce(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: CondTime, ScaleBySigma: true}, 5)
	var calls int
	m.SetPerturbation(countSDE{ve{0.01, 50}, &calls})
	x := []float32{0.5, -1, 2, 0.25}
	m.TimeScore(make([]float32, 4), x, 0.5)
	if calls != 1 {
		t.Errorf("TimeScore called Marginal %d times, want 1", calls)
	}
}

// TestLossMarginalCalls: the losses ask a time-conditional ScaleBySigma
// model's perturbation for σ(t) once per t they need: exact and sliced
// score matching and DSM, which train at one t, twice per step (the
// check, then the scales), not once per point; ContinuousDSM three times
// per point (the loss's SDE and the model's at the drawn t, the model's
// at its float32 rounding), not four, and twice with no SDE of its own
// (the model's is the loss's: nothing to compare).
func TestLossMarginalCalls(t *testing.T) {
	const n = 6
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: CondTime, ScaleBySigma: true}, 5)
	var calls int
	p := countSDE{ve{0.01, 50}, &calls}
	m.SetPerturbation(p)
	x := randBatch(newRand(1, 2), n, 2)
	grad := make([]float32, m.NumParams())
	for _, c := range []struct {
		loss Loss
		want int
	}{
		{ExactSM{Cond: 0.5}, 2},
		{SlicedSM{Cond: 0.5}, 2},
		{DSM{Sigma: 0.3, Cond: 0.5}, 2},
		{ContinuousDSM{SDE: p}, 3 * n},
		{ContinuousDSM{}, 2 * n},
	} {
		calls = 0
		c.loss.Grad(m, x, newRand(3, 4), grad)
		if calls != c.want {
			t.Errorf("%T: %d calls of Marginal for %d points, want %d", c.loss, calls, n, c.want)
		}
	}
}
