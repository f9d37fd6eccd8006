package nn

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/scorekit/scorekit/f32"
	"github.com/scorekit/scorekit/kernel"
)

func relErr(got, want []float64) float64 {
	var num, den float64
	for i := range want {
		e := got[i] - want[i]
		num += e * e
		den += want[i] * want[i]
	}
	return math.Sqrt(num / max(den, 1e-300))
}

// TestScoreMatchesReference checks the inference methods of score and
// energy models, for every activation, against the float64 reference.
func TestScoreMatchesReference(t *testing.T) {
	const n = 300 // more than one chunk
	for _, act := range kernel.Activations() {
		for _, cfg := range []Config{
			{Dim: 3, Hidden: []int{16, 12}, Act: act},
			{Dim: 3, Hidden: []int{16, 12}, Act: act, Cond: CondLogSigma, Fourier: 4, FourierScale: 1, ScaleBySigma: true},
			{Dim: 3, Hidden: []int{16}, Act: act, Cond: CondTime},
			{Dim: 3, Hidden: []int{16, 12}, Act: act, Energy: true},
		} {
			name := fmt.Sprintf("%v/%v/energy=%v", act, cfg.Cond, cfg.Energy)
			t.Run(name, func(t *testing.T) {
				m, err := New(cfg, 4)
				if err != nil {
					t.Fatal(err)
				}
				r := newRef(m)
				x := randBatch(newRand(2, 0), n, 3)
				got := make([]float32, len(x))
				const c = 0.4
				switch cfg.Cond {
				case CondNone:
					m.Score(got, x)
				case CondTime:
					m.TimeScore(got, x, c)
				default:
					m.NoiseScore(got, x, c)
				}
				theta := theta64(m)
				want := make([]float64, len(x))
				for i := range n {
					s, _ := r.score(theta, f64(x[i*3:(i+1)*3]), c)
					copy(want[i*3:], s)
				}
				if e := relErr(f64(got), want); e > 1e-6 {
					t.Errorf("score: relative error %.3g vs float64", e)
				}
				if cfg.Energy {
					lp := make([]float32, n)
					m.LogDensity(lp, x)
					wl := make([]float64, n)
					for i := range n {
						y, _ := r.eval(theta, r.input(f64(x[i*3:(i+1)*3]), 0))
						wl[i] = -y[0]
					}
					if e := relErr(f64(lp), wl); e > 1e-6 {
						t.Errorf("log density: relative error %.3g vs float64", e)
					}
				}
			})
		}
	}
}

// TestJacobian checks the forward-mode tangent pass (∇ₓs by d tangents)
// and the exact trace against central finite differences of the float64
// network, for every activation.
func TestJacobian(t *testing.T) {
	const n, d = 4, 3
	for _, act := range kernel.Activations() {
		t.Run(act.String(), func(t *testing.T) {
			m, _ := New(Config{Dim: d, Hidden: []int{10, 9}, Act: act, Cond: CondSigma}, 8)
			x := randBatch(newRand(3, 3), n, d)
			w := m.trainWork()
			w.prepare(m, n, d)
			m.setInput(w, x, true, 0.5)
			m.setBasisTangents(w, true)
			m.forward(w, true)
			y := w.a[len(m.layers)]
			r := newRef(m)
			theta := theta64(m)
			for i := range n {
				jac := mat.NewDense(d, d, nil)
				fd.Jacobian(jac, func(out, xx []float64) {
					yy, _ := r.eval(theta, r.input(xx, 0.5))
					copy(out, yy)
				}, f64(x[i*d:(i+1)*d]), &fd.JacobianSettings{Formula: fd.Central, Step: 1e-6})
				var tr, trFD float64
				for a := range d {
					for b := range d {
						got := float64(y.Data[((1+b)*n+i)*y.Stride+a]) // ∂y_a/∂x_b
						if e := math.Abs(got - jac.At(a, b)); e > 1e-5*(1+math.Abs(jac.At(a, b))) {
							t.Errorf("point %d: ∂y%d/∂x%d = %v, finite differences %v", i, a, b, got, jac.At(a, b))
						}
					}
					tr += float64(y.Data[((1+a)*n+i)*y.Stride+a])
					trFD += jac.At(a, a)
				}
				if math.Abs(tr-trFD) > 1e-5*(1+math.Abs(trFD)) {
					t.Errorf("point %d: trace %v, finite differences %v", i, tr, trFD)
				}
			}
		})
	}
}

func TestNaNPropagates(t *testing.T) {
	for _, energy := range []bool{false, true} {
		m, _ := New(Config{Dim: 2, Hidden: []int{8}, Act: kernel.SiLU, Energy: energy}, 1)
		x := []float32{1, 2, float32(math.NaN()), 0, 3, 4}
		s := make([]float32, 6)
		m.Score(s, x)
		if !math.IsNaN(float64(s[2])) || !math.IsNaN(float64(s[3])) {
			t.Errorf("energy=%v: NaN point gives score %v", energy, s[2:4])
		}
		if math.IsNaN(float64(s[0])) || math.IsNaN(float64(s[4])) {
			t.Errorf("energy=%v: NaN leaked into other points: %v", energy, s)
		}
	}
}

func TestConcurrentScore(t *testing.T) {
	m, _ := New(Config{Dim: 4, Hidden: []int{32, 32}, Act: kernel.Tanh, Cond: CondSigma}, 2)
	x := randBatch(newRand(5, 5), 1000, 4)
	want := make([]float32, len(x))
	m.NoiseScore(want, x, 0.7)
	got := make([]float32, len(x))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := g*len(x)/8/4*4, (g+1)*len(x)/8/4*4
			for range 5 {
				m.NoiseScore(got[lo:hi], x[lo:hi], 0.7)
			}
		}()
	}
	wg.Wait()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("concurrent score differs at %d: %v vs %v", i, got[i], want[i])
		}
	}
}

func TestWrongMethodPanics(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.ReLU, Cond: CondSigma}, 1)
	for name, f := range map[string]func(){
		"Score":      func() { m.Score(make([]float32, 2), make([]float32, 2)) },
		"TimeScore":  func() { m.TimeScore(make([]float32, 2), make([]float32, 2), 0) },
		"LogDensity": func() { m.LogDensity(make([]float32, 1), make([]float32, 2)) },
		"length":     func() { m.NoiseScore(make([]float32, 3), make([]float32, 2), 1) },
		"ragged x":   func() { m.NoiseScore(make([]float32, 2), make([]float32, 3), 1) },
		"ExactSM":    func() { ExactSM{}.Grad(m, make([]float32, 2), newRand(1, 1), make([]float32, 3)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestScoreCondRefused: the inference methods refuse, by a panic naming
// the value, a conditioning value for which the model has no finite
// score (σ ≤ 0 or NaN for log σ, 1/σ infinite in float32 with
// ScaleBySigma, a non-finite σ or t), where they returned Inf or NaN
// scores, and take every other one: with ScaleBySigma, down to MinSigma
// and up to MaxFloat32, s(x, σ) is exactly float32(1/σ) times the score
// of the same network without it (s = net(x, σ)/σ).
func TestScoreCondRefused(t *testing.T) {
	mk := func(cond Conditioning, scaled, energy bool) *Model { return smallModel(t, cond, energy, scaled, 3) }
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	x := []float32{0.5, -1, 2, 0.25}
	dst := make([]float32, len(x))
	e := make([]float32, 2)
	scaledLog, scaledRaw, logSigma, raw, tim := mk(CondLogSigma, true, false), mk(CondSigma, true, false), mk(CondLogSigma, false, false), mk(CondSigma, false, false), mk(CondTime, false, false)
	energyLog, energyScaled := mk(CondLogSigma, false, true), mk(CondSigma, true, true)
	const scaledWhy, logWhy = "want a finite σ > 0 (the model divides its output by σ)", "want a finite σ > 0 (the model takes log σ)"
	const recipWhy = "want σ ≥ 1.2e-38, whose 1/σ is finite in float32"
	for _, c := range []struct {
		name string
		m    *Model
		v    float32
		msg  string // "" if the value is taken
	}{
		{"scaled σ = 0", scaledLog, 0, "Model.NoiseScore: σ = 0: " + scaledWhy},
		{"scaled σ < 0", scaledRaw, -1, "Model.NoiseScore: σ = -1: " + scaledWhy},
		{"scaled σ NaN", scaledRaw, nan, "Model.NoiseScore: σ = NaN: " + scaledWhy},
		{"scaled σ Inf", scaledLog, inf, "Model.NoiseScore: σ = +Inf: " + scaledWhy},
		{"scaled σ = 1e-39", scaledLog, 1e-39, "Model.NoiseScore: σ = 1e-39: " + recipWhy},
		{"scaled σ = MinSigma/2", scaledRaw, MinSigma / 2, "Model.NoiseScore: σ = 5.877472e-39: " + recipWhy},
		{"scaled σ = MinSigma", scaledLog, MinSigma, ""},
		{"scaled σ = MaxFloat32", scaledLog, math.MaxFloat32, ""},
		{"scaled raw σ = 1e-30", scaledRaw, 1e-30, ""},
		{"log σ = 0", logSigma, 0, "Model.NoiseScore: σ = 0: " + logWhy},
		{"log σ < 0", logSigma, -2, "Model.NoiseScore: σ = -2: " + logWhy},
		{"log σ -Inf", logSigma, -inf, "Model.NoiseScore: σ = -Inf: " + logWhy},
		{"log σ = 1e-45", logSigma, 1e-45, ""},
		{"raw σ NaN", raw, nan, "Model.NoiseScore: σ = NaN: want a finite σ"},
		{"raw σ Inf", raw, inf, "Model.NoiseScore: σ = +Inf: want a finite σ"},
		{"raw σ = 0", raw, 0, ""},
		{"raw σ < 0", raw, -3, ""},
		{"t NaN", tim, nan, "Model.TimeScore: t = NaN: want a finite t"},
		{"t -Inf", tim, -inf, "Model.TimeScore: t = -Inf: want a finite t"},
		{"t < 0", tim, -1, ""},
		{"energy log σ = 0", energyLog, 0, "Model.Energy: σ = 0: " + logWhy},
		{"energy scaled σ NaN", energyScaled, nan, "Model.Energy: σ = NaN: want a finite σ"},
		{"energy scaled σ = 0", energyScaled, 0, ""}, // ScaleBySigma divides the score, not E
	} {
		msg, panicked := nnPanic(func() {
			switch {
			case c.m.cfg.Energy:
				c.m.Energy(e, x, c.v)
			case c.m.cfg.Cond == CondTime:
				c.m.TimeScore(dst, x, c.v)
			default:
				c.m.NoiseScore(dst, x, c.v)
			}
		})
		switch {
		case c.msg == "" && panicked:
			t.Errorf("%s: panic %q, want none", c.name, msg)
		case c.msg != "" && !strings.HasPrefix(msg, "nn: "+c.msg):
			t.Errorf("%s: panic %q, want %q", c.name, msg, "nn: "+c.msg)
		}
	}
	// s = net/σ at the ends of the range taken.
	for _, m := range []*Model{scaledLog, scaledRaw} {
		cfg := m.Config()
		cfg.ScaleBySigma = false
		plain, err := New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		copy(plain.Params(), m.Params())
		copy(plain.FourierWeights(), m.FourierWeights())
		plain.Repack()
		for _, sig := range []float32{MinSigma, 1e-30, 0.5, 1e30, math.MaxFloat32} {
			net := make([]float32, len(x))
			plain.NoiseScore(net, x, sig)
			m.NoiseScore(dst, x, sig)
			for i := range net {
				if want := 1 / sig * net[i]; dst[i] != want {
					t.Errorf("%v conditioning, σ = %v: s[%d] = %v, want net/σ = %v", cfg.Cond, sig, i, dst[i], want)
				}
			}
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{32, 32}, Act: kernel.SiLU, Cond: CondLogSigma, ScaleBySigma: true}, 1)
	x := randBatch(newRand(1, 1), 128, 2)
	s := make([]float32, len(x))
	if a := testing.AllocsPerRun(20, func() { m.NoiseScore(s, x, 0.5) }); a != 0 {
		t.Errorf("NoiseScore: %v allocations per call", a)
	}
	// Two collections empty a sync.Pool: its workspace was made again.
	if a := testing.AllocsPerRun(3, func() { runtime.GC(); runtime.GC(); m.NoiseScore(s, x, 0.5) }); a != 0 {
		t.Errorf("NoiseScore after two collections: %v allocations per call", a)
	}
	grad := make([]float32, m.NumParams())
	opt := NewAdam(m.NumParams(), 1e-3)
	rng := newRand(1, 2)
	for _, l := range []Loss{NCDSM{Sigmas: []float64{1, 0.1}}, SlicedSM{VR: true, Cond: 0.5}, ExactSM{Cond: 0.5}} {
		if a := testing.AllocsPerRun(20, func() {
			clear(grad)
			l.Grad(m, x, rng, grad)
			opt.Step(m.Params(), grad)
			m.Repack()
		}); a != 0 {
			t.Errorf("%T step: %v allocations", l, a)
		}
	}
}

// TestActDeriv2 holds the local σ″ to the kernel package's.
func TestActDeriv2(t *testing.T) {
	x := make([]float32, 2001)
	for i := range x {
		x[i] = float32(i-1000) / 50
	}
	for _, a := range kernel.Activations() {
		got, want := make([]float32, len(x)), make([]float32, len(x))
		actDeriv2(a, got, x)
		kernel.ActDeriv2(a, want, x)
		for i := range x {
			if math.Abs(float64(got[i]-want[i])) > 1e-6*math.Abs(float64(want[i]))+2e-7 {
				t.Errorf("%v''(%v) = %v, kernel %v", a, x[i], got[i], want[i])
				break
			}
		}
	}
}

// TestActDeriv2Limits: f″ at ±∞ and beyond the float32 range of the
// exponentials is the limit 0, and NaN for NaN, as the kernel's.
func TestActDeriv2Limits(t *testing.T) {
	inf := float32(math.Inf(1))
	x := []float32{inf, -inf, float32(math.NaN()), 1e30, -1e30}
	for _, a := range kernel.Activations() {
		got, want := make([]float32, len(x)), make([]float32, len(x))
		actDeriv2(a, got, x)
		kernel.ActDeriv2(a, want, x)
		for i := range x {
			if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
				t.Errorf("%v''(%v) = %v, kernel %v", a, x[i], got[i], want[i])
			}
		}
	}
}

// TestDeriv2From holds the σ″ computed from the forward pass's values to
// the kernel package's.
func TestDeriv2From(t *testing.T) {
	x := make([]float32, 4001)
	for i := range x {
		x[i] = float32(i-2000) / 100
	}
	n := len(x)
	for _, a := range kernel.Activations() {
		y, d1, tmp, got, want := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		kernel.Act(a, y, x)
		kernel.ActDeriv(a, d1, x)
		deriv2From(kernel.Active(), a, got, x, y, d1, tmp)
		kernel.ActDeriv2(a, want, x)
		var worst float64
		for i := range x {
			e := math.Abs(float64(got[i]-want[i])) - 1e-5*math.Abs(float64(want[i]))
			worst = max(worst, e)
		}
		if worst > 2e-7 {
			t.Errorf("%v: |Δf″| exceeds 1e-5 relative by %.3g", a, worst)
		}
	}
}

// TestImplsAgree runs every loss and the score on every available
// implementation against the portable one: the GEMM's summation order
// and the activation kernels' documented ulp bounds are all that differ.
func TestImplsAgree(t *testing.T) {
	for _, impl := range kernel.Available() {
		for ci, lc := range lossCases(kernel.SiLU) {
			t.Run(impl.String()+"/"+lc.name, func(t *testing.T) {
				cfg := lc.cfg
				cfg.Hidden = []int{40, 33}
				run := func(impl kernel.Impl) (float64, []float32, []float32) {
					m := lc.newModel(t, cfg, uint64(ci))
					m.SetImpl(impl)
					x := randBatch(newRand(7, uint64(ci)), 37, cfg.Dim)
					grad := make([]float32, m.NumParams())
					loss := lc.loss.Grad(m, x, newRand(99, 0), grad)
					s := make([]float32, len(x))
					switch cfg.Cond {
					case CondNone:
						m.Score(s, x)
					case CondTime:
						m.TimeScore(s, x, 0.5)
					default:
						m.NoiseScore(s, x, 0.5)
					}
					return loss, grad, s
				}
				l0, g0, s0 := run(kernel.Generic)
				l1, g1, s1 := run(impl)
				if math.Abs(l1-l0) > 1e-5*math.Abs(l0) {
					t.Errorf("loss %v, generic %v", l1, l0)
				}
				if e := relErr(f64(g1), f64(g0)); e > 1e-5 {
					t.Errorf("gradient: relative difference %.3g from generic", e)
				}
				if e := relErr(f64(s1), f64(s0)); e > 1e-6 {
					t.Errorf("score: relative difference %.3g from generic", e)
				}
			})
		}
	}
}

// The sampler package's interfaces, restated (nn does not import
// sampler): a Model satisfies them structurally.
var (
	_ interface {
		Dim() int
		Score(dst, x []float32)
		LogDensity(dst, x []float32)
	} = (*Model)(nil)
	_ interface {
		Dim() int
		NoiseScore(dst, x []float32, sigma float32)
	} = (*Model)(nil)
	_ interface {
		Dim() int
		TimeScore(dst, x []float32, t float32)
	} = (*Model)(nil)
)

// TestCheckMethod: CheckMethod agrees with what the methods do — nil
// exactly where the call works, and otherwise an error naming the method
// to use — and refuses unknown names.
func TestCheckMethod(t *testing.T) {
	x, dst := []float32{0.3, -0.2}, make([]float32, 2)
	calls := map[string]func(m *Model){
		"Score":      func(m *Model) { m.Score(dst, x) },
		"LogDensity": func(m *Model) { m.LogDensity(dst[:1], x) },
		"NoiseScore": func(m *Model) { m.NoiseScore(dst, x, 0.5) },
		"TimeScore":  func(m *Model) { m.TimeScore(dst, x, 0.5) },
	}
	for _, cond := range []Conditioning{CondNone, CondSigma, CondLogSigma, CondTime} {
		for _, energy := range []bool{false, true} {
			m, err := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: cond, Energy: energy}, 1)
			if err != nil {
				t.Fatal(err)
			}
			for name, call := range calls {
				err := m.CheckMethod(name)
				panicked := func() (p bool) {
					defer func() { p = recover() != nil }()
					call(m)
					return false
				}()
				// The package documentation: an unconditional model answers
				// Score, a σ-conditional one NoiseScore, a time-conditional
				// one TimeScore, and only an unconditional energy model
				// LogDensity.
				serves := map[string]bool{
					"Score":      cond == CondNone,
					"NoiseScore": cond == CondSigma || cond == CondLogSigma,
					"TimeScore":  cond == CondTime,
					"LogDensity": cond == CondNone && energy,
				}[name]
				if (err == nil) != serves {
					t.Errorf("%v model (energy %v): CheckMethod(%q) = %v, want it served: %v", cond, energy, name, err, serves)
				}
				if err != nil && name != "LogDensity" {
					for other, ok := range map[string]bool{
						"Score":      cond == CondNone,
						"NoiseScore": cond == CondSigma || cond == CondLogSigma,
						"TimeScore":  cond == CondTime,
					} {
						if ok && !strings.Contains(err.Error(), other) {
							t.Errorf("%v model: CheckMethod(%q) = %q: does not name %s, the method to call instead", cond, name, err, other)
						}
					}
				}
				if (err == nil) == panicked {
					t.Errorf("%v model (energy %v): CheckMethod(%q) = %v, but the call panicked: %v", cond, energy, name, err, panicked)
				}
				if err != nil && !strings.Contains(err.Error(), name) {
					t.Errorf("CheckMethod(%q) = %q: does not name the method", name, err)
				}
			}
			if m.CheckMethod("Energy") == nil {
				t.Error(`CheckMethod("Energy") = nil, want an error (not a sampler method)`)
			}
		}
	}
}

// gradOf returns loss l's value and gradient on m for batch x, drawing
// the loss's noise from newRand(seed, 0).
func gradOf(m *Model, l Loss, x []float32, seed uint64) (float64, []float32) {
	g := make([]float32, m.NumParams())
	return l.Grad(m, x, newRand(seed, 0), g), g
}

// sameGrad fails unless two evaluations agree bit for bit.
func sameGrad(t *testing.T, what string, l1, l2 float64, g1, g2 []float32) {
	t.Helper()
	if math.Float64bits(l1) != math.Float64bits(l2) {
		t.Errorf("%s: loss %v, want %v", what, l1, l2)
	}
	for i := range g2 {
		if math.Float32bits(g1[i]) != math.Float32bits(g2[i]) {
			t.Errorf("%s: ∂loss/∂θ[%d] = %v, want %v", what, i, g1[i], g2[i])
			return
		}
	}
}

// TestWorkspaceReuse: a loss on a model whose training workspace holds
// an earlier call's values (another loss, batch size or number of
// tangents) computes exactly what it computes on a fresh copy of the
// model. The stacked rows of one call are other rows of the next: a
// primal row with conditioning features becomes a tangent row, whose
// conditioning columns must be zero, and σ″ and the tangent sums of a
// call with tangents remain for one without.
func TestWorkspaceReuse(t *testing.T) {
	m, err := New(Config{Dim: 3, Hidden: []int{6, 5}, Act: kernel.SiLU, Cond: CondSigma, Fourier: 2, FourierScale: 0.5}, 2)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		l Loss
		n int
	}{
		{SlicedSM{Projections: 1, Cond: 0.5}, 7},
		{SlicedSM{Projections: 2, Cond: 0.5}, 3},
		{DSM{Sigma: 0.5}, 3},
		{ExactSM{Cond: 0.5}, 4},
		{NCDSM{Sigmas: []float64{1, 0.2}}, 4},
		{SlicedSM{Projections: 3, VR: true, Cond: 0.5}, 2},
	}
	for i, s := range steps {
		x := randBatch(newRand(3, uint64(i)), s.n, 3)
		fresh := m.Clone()
		l1, g1 := gradOf(m, s.l, x, uint64(i))
		l2, g2 := gradOf(fresh, s.l, x, uint64(i))
		sameGrad(t, fmt.Sprintf("step %d (%T, n = %d) after step %d", i, s.l, s.n, i-1), l1, l2, g1, g2)
	}
}

// TestTrainPacksFollowRepack: with enough tangent rows for the training
// passes' chunks, a gradient after the parameters change (and Repack) is
// the one a fresh copy of the model computes, not one with the weights
// packed before the change.
func TestTrainPacksFollowRepack(t *testing.T) {
	// Hidden layers wide enough that f32.Dense reads its packed panels
	// (a layer with at most nr/2 outputs reads W in place), and one with
	// more inputs than f32.GemmWith reads in place, whose adjoint uses its
	// Wᵀ packed.
	_, wide := f32.InPlaceB(kernel.Active())
	m, err := New(Config{Dim: 2, Hidden: []int{64, wide + 8, 64}, Act: kernel.Tanh}, 3)
	if err != nil {
		t.Fatal(err)
	}
	l := SlicedSM{Projections: 4}
	n := packRows(m.Impl())/l.Projections + 1
	x := randBatch(newRand(4, 0), n, 2)
	gradOf(m, l, x, 1)
	for i := range m.Params() {
		m.Params()[i] *= 1.25
	}
	m.Repack()
	l1, g1 := gradOf(m, l, x, 2)
	l2, g2 := gradOf(m.Clone(), l, x, 2)
	sameGrad(t, "after Repack", l1, l2, g1, g2)
}

// TestEnergyOnScoreModel: Energy is an energy model's; a score model
// panics rather than return its first output as an energy.
func TestEnergyOnScoreModel(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh}, 1)
	defer func() {
		if recover() == nil {
			t.Error("Energy on a score model did not panic")
		}
	}()
	m.Energy(make([]float32, 1), []float32{1, 2}, 0)
}

// TestValidate: Config.Validate (and so New) refuses every configuration
// its documentation and the layer sizes rule out, and accepts the edges.
func TestValidate(t *testing.T) {
	acts := len(kernel.Activations())
	bad := map[string]Config{
		"zero dim":            {Dim: 0},
		"negative dim":        {Dim: -1},
		"dim too wide":        {Dim: maxWidth + 1},
		"zero hidden":         {Dim: 2, Hidden: []int{4, 0}},
		"hidden too wide":     {Dim: 2, Hidden: []int{maxWidth + 1}},
		"acts count":          {Dim: 2, Hidden: []int{4, 4}, Acts: []kernel.Activation{kernel.Tanh}},
		"unknown act":         {Dim: 2, Hidden: []int{4}, Act: kernel.Activation(acts)},
		"unknown out act":     {Dim: 2, OutAct: kernel.Activation(acts)},
		"unknown cond":        {Dim: 2, Cond: numConds},
		"negative fourier":    {Dim: 2, Cond: CondTime, Fourier: -1},
		"fourier too wide":    {Dim: 2, Cond: CondTime, Fourier: maxWidth/2 + 1},
		"fourier no cond":     {Dim: 2, Fourier: 4},
		"negative scale":      {Dim: 2, Cond: CondTime, Fourier: 4, FourierScale: -1},
		"NaN scale":           {Dim: 2, Cond: CondTime, Fourier: 4, FourierScale: math.NaN()},
		"infinite scale":      {Dim: 2, Cond: CondTime, Fourier: 4, FourierScale: math.Inf(1)},
		"scale unconditional": {Dim: 2, ScaleBySigma: true},
		"input too wide":      {Dim: maxWidth, Cond: CondSigma},
	}
	for name, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: %+v accepted", name, c)
		}
	}
	good := []Config{
		{Dim: maxWidth},
		{Dim: 2, Hidden: []int{1}},
		{Dim: maxWidth - 1, Cond: CondSigma},
		{Dim: 2, Cond: CondLogSigma, ScaleBySigma: true},
		{Dim: 2, Cond: CondTime, Fourier: 1},
		{Dim: 2, Cond: CondSigma, ScaleBySigma: true},
		{Dim: 2, Cond: CondTime, ScaleBySigma: true},
		{Dim: 2, Hidden: []int{3}, Act: kernel.Activation(acts - 1), OutAct: kernel.Activation(acts - 1)},
	}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// TestModelOwnsConfig: the model keeps its own copy of the
// configuration, and Clone keeps the model's kernels.
func TestModelOwnsConfig(t *testing.T) {
	hidden := []int{5, 4}
	acts := []kernel.Activation{kernel.Tanh, kernel.SiLU}
	m, err := New(Config{Dim: 2, Hidden: hidden, Acts: acts}, 1)
	if err != nil {
		t.Fatal(err)
	}
	hidden[0], acts[0] = 9, kernel.ReLU
	if c := m.Config(); c.Hidden[0] != 5 || c.Acts[0] != kernel.Tanh {
		t.Errorf("changing the caller's slices changed the model's configuration: %+v", c)
	}
	c := m.Config()
	c.Hidden[1], c.Acts[1] = 7, kernel.ReLU
	if c := m.Config(); c.Hidden[1] != 4 || c.Acts[1] != kernel.SiLU {
		t.Errorf("changing Config()'s slices changed the model's configuration: %+v", c)
	}
	for _, impl := range kernel.Available() {
		m.SetImpl(impl)
		if got := m.Clone().Impl(); got != impl {
			t.Errorf("clone of a model on %v computes with %v", impl, got)
		}
	}
}

// TestInit: New draws every weight and bias of a layer uniformly from
// ±1/√fan_in (PyTorch's default), and Fourier frequencies from
// N(0, FourierScale²) with DefaultFourierScale for 0. With at least 1000
// draws the extremes of a uniform sample lie within 2 % of the ends
// (failure probability below 2e^−10), and the standard deviation of 4096
// normal draws within 5 % of σ (over 6 standard errors).
func TestInit(t *testing.T) {
	m, err := New(Config{Dim: 64, Hidden: []int{16}, Act: kernel.Tanh, Cond: CondTime, Fourier: 2048}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for l := range m.NumLayers() {
		w, b := m.Layer(l)
		bound := 1 / math.Sqrt(float64(w.Cols))
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range append(slices.Clone(w.Data), b...) {
			lo, hi = min(lo, float64(v)), max(hi, float64(v))
		}
		if lo < -bound || hi > bound || lo > -0.98*bound || hi < 0.98*bound {
			t.Errorf("layer %d (fan-in %d): parameters in [%.4g, %.4g], want uniform in ±%.4g", l, w.Cols, lo, hi, bound)
		}
	}
	for _, scale := range []float64{0, 0.5} {
		m, err := New(Config{Dim: 2, Cond: CondTime, Fourier: 4096, FourierScale: scale}, 2)
		if err != nil {
			t.Fatal(err)
		}
		want := scale
		if scale == 0 {
			want = DefaultFourierScale
		}
		var ss float64
		for _, v := range m.FourierWeights() {
			ss += float64(v) * float64(v)
		}
		if sd := math.Sqrt(ss / 4096); math.Abs(sd-want) > 0.05*want {
			t.Errorf("FourierScale %v: frequencies' standard deviation %.4g, want %v", scale, sd, want)
		}
	}
}
