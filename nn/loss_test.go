package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/scorekit/scorekit/kernel"
)

// vp is a variance-preserving perturbation with a linear β(t) from 0.1 to
// 20, as score_sde's VP SDE.
type vp struct{}

func (vp) Marginal(t float64) (float64, float64) {
	lmc := -0.25*t*t*(20-0.1) - 0.5*t*0.1
	a := math.Exp(lmc)
	return a, math.Sqrt(1 - math.Exp(2*lmc))
}

// ve is a variance-exploding perturbation, σ(t) = σ_min·(σ_max/σ_min)^t
// with mean scale 1, as score_sde's VE SDE.
type ve struct{ min, max float64 }

func (v ve) Marginal(t float64) (float64, float64) { return 1, v.min * math.Pow(v.max/v.min, t) }

// smallModel is the tests' 2-4-… tanh model with conditioning cond, an
// energy network if energy, its output divided by σ if scaled.
func smallModel(t testing.TB, cond Conditioning, energy, scaled bool, seed uint64) *Model {
	t.Helper()
	m, err := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: cond, Energy: energy, ScaleBySigma: scaled}, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// nnPanic calls f and reports whether it panicked, and with what: the
// message of a panic from nn (a string "nn: …"), or a description of any
// other value, which no test's "nn: …" prefix matches.
func nnPanic(f func()) (msg string, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			panicked = true
			if s, ok := p.(string); ok && strings.HasPrefix(s, "nn: ") {
				msg = s
			} else {
				msg = fmt.Sprintf("a panic not from nn: %v", p)
			}
		}
	}()
	f()
	return "", false
}

func randBatch(rng *rand.Rand, n, d int) []float32 {
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func f64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// lossCase is a loss and its float64 reference: refFn returns the
// reference loss as a function of the parameters, given a fresh rng
// seeded as the one handed to Grad.
type lossCase struct {
	name  string
	cfg   Config
	loss  Loss
	refFn func(r ref, x []float32, rng *rand.Rand) func(theta []float64) float64
	pert  Perturbation // for a time-conditional ScaleBySigma model
}

// newModel returns the case's model for cfg (lc.cfg, or a variant of it)
// with its perturbation set.
func (lc lossCase) newModel(t testing.TB, cfg Config, seed uint64) *Model {
	t.Helper()
	m, err := New(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	if lc.pert != nil {
		m.SetPerturbation(lc.pert)
	}
	return m
}

func exactRef(c float32) func(r ref, x []float32, rng *rand.Rand) func([]float64) float64 {
	return func(r ref, x []float32, _ *rand.Rand) func([]float64) float64 {
		d := r.m.cfg.Dim
		n := len(x) / d
		return func(theta []float64) float64 {
			var sum float64
			for i := range n {
				s, js := r.score(theta, f64(x[i*d:(i+1)*d]), c)
				for j := range d {
					sum += js[j*d+j] + s[j]*s[j]/2
				}
			}
			return sum / float64(n)
		}
	}
}

func slicedRef(l SlicedSM) func(r ref, x []float32, rng *rand.Rand) func([]float64) float64 {
	return func(r ref, x []float32, rng *rand.Rand) func([]float64) float64 {
		d := r.m.cfg.Dim
		n := len(x) / d
		k := max(1, l.Projections)
		v := make([]float32, k*n*d)
		if l.Rademacher {
			fillRademacher(v, rng)
		} else {
			fillNormals(v, rng)
		}
		return func(theta []float64) float64 {
			var sum float64
			for i := range n {
				s, js := r.score(theta, f64(x[i*d:(i+1)*d]), l.Cond)
				for b := range k {
					vb := f64(v[(b*n+i)*d : (b*n+i+1)*d])
					var vjv, vs float64
					for a := range d {
						vs += vb[a] * s[a]
						for c := range d {
							vjv += vb[a] * js[a*d+c] * vb[c]
						}
					}
					sum += vjv / float64(k)
					if !l.VR {
						sum += vs * vs / 2 / float64(k)
					}
				}
				if l.VR {
					for _, sj := range s {
						sum += sj * sj / 2
					}
				}
			}
			return sum / float64(n)
		}
	}
}

// dsmRef evaluates the denoising loss given per-point levels, mean scales,
// conditioning values and noise.
func dsmRef(r ref, x []float32, lvl, ms []float64, cond []float32, z []float32, weighted bool) func([]float64) float64 {
	d := r.m.cfg.Dim
	n := len(x) / d
	return func(theta []float64) float64 {
		var sum float64
		for i := range n {
			xt := make([]float64, d)
			for j := range d {
				xt[j] = float64(float32(ms[i]*float64(x[i*d+j]) + lvl[i]*float64(z[i*d+j])))
			}
			s, _ := r.score(theta, xt, cond[i])
			lam := 1.0
			if weighted {
				lam = lvl[i] * lvl[i]
			}
			for j := range d {
				e := s[j] + float64(z[i*d+j])/lvl[i]
				sum += lam * e * e / 2
			}
		}
		return sum / float64(n)
	}
}

func ones(n int) []float64 {
	o := make([]float64, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

func dsmOneRef(l DSM) func(r ref, x []float32, rng *rand.Rand) func([]float64) float64 {
	return func(r ref, x []float32, rng *rand.Rand) func([]float64) float64 {
		d := r.m.cfg.Dim
		n := len(x) / d
		z := make([]float32, n*d)
		fillNormals(z, rng)
		lvl := make([]float64, n)
		cond := make([]float32, n)
		for i := range n {
			lvl[i] = l.Sigma
			cond[i] = l.Cond
			if r.m.cfg.Cond == CondSigma || r.m.cfg.Cond == CondLogSigma {
				cond[i] = float32(l.Sigma)
			}
		}
		return dsmRef(r, x, lvl, ones(n), cond, z, false)
	}
}

func ncdsmRef(l NCDSM) func(r ref, x []float32, rng *rand.Rand) func([]float64) float64 {
	return func(r ref, x []float32, rng *rand.Rand) func([]float64) float64 {
		d := r.m.cfg.Dim
		n := len(x) / d
		lo, hi := slicesMinMax(l.Sigmas)
		lvl := make([]float64, n)
		cond := make([]float32, n)
		for i := range n {
			if l.Continuous {
				lvl[i] = lo * math.Exp(rng.Float64()*math.Log(hi/lo))
			} else {
				lvl[i] = l.Sigmas[rng.IntN(len(l.Sigmas))]
			}
			cond[i] = float32(lvl[i])
		}
		z := make([]float32, n*d)
		fillNormals(z, rng)
		return dsmRef(r, x, lvl, ones(n), cond, z, true)
	}
}

func slicesMinMax(s []float64) (lo, hi float64) {
	lo, hi = s[0], s[0]
	for _, v := range s {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

func cdsmRef(l ContinuousDSM) func(r ref, x []float32, rng *rand.Rand) func([]float64) float64 {
	return func(r ref, x []float32, rng *rand.Rand) func([]float64) float64 {
		d := r.m.cfg.Dim
		n := len(x) / d
		lvl := make([]float64, n)
		ms := make([]float64, n)
		cond := make([]float32, n)
		for i := range n {
			eps := l.Eps
			if eps == 0 {
				eps = 1e-5
			}
			t := eps + (1-eps)*rng.Float64()
			ms[i], lvl[i] = l.SDE.Marginal(t)
			cond[i] = float32(t)
		}
		z := make([]float32, n*d)
		fillNormals(z, rng)
		return dsmRef(r, x, lvl, ms, cond, z, true)
	}
}

func lossCases(act kernel.Activation) []lossCase {
	base := Config{Dim: 3, Hidden: []int{6, 5}, Act: act}
	sig := base
	sig.Cond, sig.Fourier, sig.ScaleBySigma = CondLogSigma, 3, true
	sig.FourierScale = 0.5
	sigRaw := base
	sigRaw.Cond = CondSigma
	tim := base
	tim.Cond = CondTime
	en := base
	en.Energy = true
	enSig := sigRaw
	enSig.Energy = true
	cds := ContinuousDSM{SDE: vp{}, Eps: 1e-3}
	// Time-conditional models whose output is divided by σ(t).
	timS := tim
	timS.ScaleBySigma = true
	timSF := timS
	timSF.Fourier, timSF.FourierScale = 3, 0.5
	enTimS := timS
	enTimS.Energy = true
	v := ve{0.01, 50}
	cve := ContinuousDSM{SDE: v}
	return []lossCase{
		{"exact", base, ExactSM{}, exactRef(0), nil},
		{"exact/cond", sigRaw, ExactSM{Cond: 0.3}, exactRef(0.3), nil},
		{"exact/scaled", sig, ExactSM{Cond: 0.7}, exactRef(0.7), nil},
		{"ssm/gauss", base, SlicedSM{Projections: 2}, slicedRef(SlicedSM{Projections: 2}), nil},
		{"ssm-vr/rademacher", base, SlicedSM{Projections: 3, Rademacher: true, VR: true}, slicedRef(SlicedSM{Projections: 3, Rademacher: true, VR: true}), nil},
		{"ssm-vr/scaled", sig, SlicedSM{VR: true, Cond: 0.7}, slicedRef(SlicedSM{VR: true, Cond: 0.7}), nil},
		{"ssm/scaled", sig, SlicedSM{Projections: 2, Cond: 0.7}, slicedRef(SlicedSM{Projections: 2, Cond: 0.7}), nil},
		{"dsm", base, DSM{Sigma: 0.5}, dsmOneRef(DSM{Sigma: 0.5}), nil},
		{"dsm/scaled", sig, DSM{Sigma: 0.5, Cond: 9}, dsmOneRef(DSM{Sigma: 0.5, Cond: 9}), nil},
		{"ncdsm/fourier", sig, NCDSM{Sigmas: []float64{1, 0.3, 0.1}}, ncdsmRef(NCDSM{Sigmas: []float64{1, 0.3, 0.1}}), nil},
		{"ncdsm/continuous", sigRaw, NCDSM{Sigmas: []float64{1, 0.1, 0.01}, Continuous: true}, ncdsmRef(NCDSM{Sigmas: []float64{1, 0.1, 0.01}, Continuous: true}), nil},
		{"cdsm/vp", tim, cds, cdsmRef(cds), nil},
		{"energy/dsm", en, DSM{Sigma: 0.5}, dsmOneRef(DSM{Sigma: 0.5}), nil},
		{"energy/ncdsm", enSig, NCDSM{Sigmas: []float64{1, 0.3}}, ncdsmRef(NCDSM{Sigmas: []float64{1, 0.3}}), nil},
		{"exact/std-scaled", timS, ExactSM{Cond: 0.3}, exactRef(0.3), v},
		{"ssm/std-scaled", timS, SlicedSM{Projections: 2, Cond: 0.8}, slicedRef(SlicedSM{Projections: 2, Cond: 0.8}), vp{}},
		{"dsm/std-scaled", timS, DSM{Sigma: 0.5, Cond: 0.2}, dsmOneRef(DSM{Sigma: 0.5, Cond: 0.2}), v},
		{"cdsm/vp/std-scaled", timS, cds, cdsmRef(cds), vp{}},
		{"cdsm/ve/std-scaled", timSF, cve, cdsmRef(cve), v},
		{"energy/cdsm/ve/std-scaled", enTimS, cve, cdsmRef(cve), v},
	}
}

// TestLossGrad checks every loss, for every activation, against the
// float64 reference: the loss value, and the gradient against central
// finite differences of the reference (gonum diff/fd).
func TestLossGrad(t *testing.T) {
	const n = 5
	for _, act := range kernel.Activations() {
		for ci, lc := range lossCases(act) {
			t.Run(fmt.Sprintf("%v/%s", act, lc.name), func(t *testing.T) {
				m := lc.newModel(t, lc.cfg, uint64(10+ci))
				x := randBatch(newRand(7, uint64(ci)), n, lc.cfg.Dim)
				grad := make([]float32, m.NumParams())
				got := lc.loss.Grad(m, x, newRand(99, 0), grad)
				f := lc.refFn(newRef(m), x, newRand(99, 0))
				theta := theta64(m)
				want := f(theta)
				if math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
					t.Errorf("loss = %v, float64 reference %v", got, want)
				}
				fdg := fd.Gradient(nil, f, theta, &fd.Settings{Formula: fd.Central, Step: 1e-5})
				var num, den, worst float64
				for i := range fdg {
					e := float64(grad[i]) - fdg[i]
					num += e * e
					den += fdg[i] * fdg[i]
					worst = max(worst, math.Abs(e))
				}
				rel := math.Sqrt(num / max(den, 1e-30))
				t.Logf("loss %.6g ref %.6g grad rel err %.2g", got, want, rel)
				if rel > 5e-6 { // measured ≤ 3e-7 on every case
					t.Errorf("‖grad − fd‖/‖fd‖ = %.3g (worst element %.3g, ‖fd‖ = %.3g)", rel, worst, math.Sqrt(den))
				}
			})
		}
	}
}

// TestExactShortcuts holds exact score matching's shortcuts through its
// basis tangents and its trace to the passes without them: the same
// gradient bit for bit (the skipped products are with zeros, and the
// remaining chains keep their order), and the same loss up to the
// summation order of the diagonal's dot products.
func TestExactShortcuts(t *testing.T) {
	cfgs := []Config{
		{Dim: 3, Hidden: []int{6, 5}},
		{Dim: 2, Hidden: []int{40, 33}, Cond: CondSigma},
		{Dim: 16, Hidden: []int{128, 128, 128}},
		{Dim: 2, Hidden: nil},
		{Dim: 3, Hidden: []int{7}, OutAct: kernel.Tanh},
		{Dim: 3, Hidden: []int{7}}, // the trace's layer right above the basis tangents' layer
	}
	for ci, cfg := range cfgs {
		for _, act := range []kernel.Activation{kernel.SiLU, kernel.Tanh, kernel.ReLU} {
			for _, impl := range kernel.Available() {
				cfg.Act = act
				m, err := New(cfg, uint64(20+ci))
				if err != nil {
					t.Fatal(err)
				}
				m.SetImpl(impl)
				x := randBatch(newRand(8, uint64(ci)), 37, cfg.Dim)
				want := make([]float32, m.NumParams())
				got := make([]float32, m.NumParams())
				l := ExactSM{Cond: 0.4}
				lw := l.grad(m, x, want, false)
				// Another loss first, so that the workspace holds its
				// values: the shortcuts must not read what they do not
				// write (they once did with a non-identity output layer).
				SlicedSM{Projections: 2, Cond: 0.4}.Grad(m, x, newRand(9, uint64(ci)), make([]float32, m.NumParams()))
				lg := l.grad(m, x, got, true)
				if math.Abs(lg-lw) > 1e-6*math.Max(1, math.Abs(lw)) {
					t.Errorf("%d %v %v: loss %v with shortcuts, %v without", ci, act, impl, lg, lw)
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%d %v %v: ∂loss/∂θ[%d] = %v with shortcuts, %v without", ci, act, impl, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// constSource is a rand.Source that always returns the same word: with
// 0, Float64 returns 0 and NormFloat64 returns 0.
type constSource uint64

func (c constSource) Uint64() uint64 { return uint64(c) }

// recordSDE is a VE-like Perturbation that records the times asked for.
type recordSDE struct{ ts *[]float64 }

func (r recordSDE) Marginal(t float64) (float64, float64) {
	*r.ts = append(*r.ts, t)
	return 1, 0.5 + t
}

// TestDSMLevelRanges: ContinuousDSM draws t ~ U(Eps, 1) with Eps = 0
// meaning 1e-5, and continuous NCDSM draws σ log-uniformly between the
// smallest and largest level: a uniform draw of 0 gives t = Eps and
// σ = σ_min, one just below 1 gives t and σ just below 1 and σ_max.
func TestDSMLevelRanges(t *testing.T) {
	tm, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: CondTime}, 1)
	x := []float32{0.5, -1, 2, 0}
	for _, c := range []struct {
		eps, u, want float64
		src          constSource
	}{
		{0, 0, 1e-5, 0},
		{0.01, 0, 0.01, 0},
		{0, 1, 1, ^constSource(0)},
	} {
		var ts []float64
		ContinuousDSM{SDE: recordSDE{&ts}, Eps: c.eps}.Grad(tm, x, rand.New(c.src), make([]float32, tm.NumParams()))
		for _, got := range ts {
			if math.Abs(got-c.want) > 1e-12 || got > 1 {
				t.Errorf("Eps %v, uniform draw %v: t = %v, want %v", c.eps, c.u, got, c.want)
			}
		}
		if len(ts) != 2 {
			t.Errorf("%d times for 2 points", len(ts))
		}
	}
	sm, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: CondSigma}, 1)
	l := NCDSM{Sigmas: []float64{1, 5, 0.2, 0.01, 2}, Continuous: true}
	for _, c := range []struct {
		src  constSource
		want float64
	}{{0, 0.01}, {^constSource(0), 5}} {
		got := l.Grad(sm, x, rand.New(c.src), make([]float32, sm.NumParams()))
		// With z = 0 (or about 10⁻⁹ from the all-ones word) the loss is
		// ½σ²‖s(x, σ)‖² averaged over the points.
		ref := newRef(sm)
		var want float64
		for i := range 2 {
			s, _ := ref.score(theta64(sm), f64(x[2*i:2*i+2]), float32(c.want))
			want += c.want * c.want * (s[0]*s[0] + s[1]*s[1]) / 2 / 2
		}
		if math.Abs(got-want) > 1e-5*want {
			t.Errorf("uniform draw %v: loss %v, want %v (σ = %v)", c.src, got, want, c.want)
		}
	}
}

// TestNCDSMOneLevel: NCDSM with one level σ, discrete or continuous, is
// DSM at σ weighted by λ(σ) = σ² (compared with the noise z = 0 of a
// constant source, which both draw alike).
func TestNCDSMOneLevel(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: CondLogSigma}, 1)
	x := []float32{0.5, -1, 2, 0}
	const sigma = 0.3
	dsm := DSM{Sigma: sigma}.Grad(m, x, rand.New(constSource(0)), make([]float32, m.NumParams()))
	for _, cont := range []bool{false, true} {
		got := NCDSM{Sigmas: []float64{sigma}, Continuous: cont}.Grad(m, x, rand.New(constSource(0)), make([]float32, m.NumParams()))
		if want := sigma * sigma * dsm; math.Abs(got-want) > 1e-12*want {
			t.Errorf("continuous %v: loss %v, want σ²·DSM = %v", cont, got, want)
		}
	}
}

// fixedSDE is a Perturbation with the same mean scale and σ at every t.
type fixedSDE struct{ a, s float64 }

func (f fixedSDE) Marginal(float64) (float64, float64) { return f.a, f.s }

// TestLossPanics: each loss refuses an empty batch, a model it does not
// apply to and noise settings that would make the loss NaN or infinite,
// by a panic that names it (and, where msg is given, says why).
func TestLossPanics(t *testing.T) {
	mk := func(cond Conditioning, energy, scaled bool) *Model { return smallModel(t, cond, energy, scaled, 1) }
	plain, sigma, tim, energy := mk(CondNone, false, false), mk(CondSigma, false, false), mk(CondTime, false, false), mk(CondNone, true, false)
	scaled, logSigma := mk(CondSigma, false, true), mk(CondLogSigma, false, false)
	x := []float32{0.5, -1}
	nan, inf := math.NaN(), math.Inf(1)
	nan32, inf32 := float32(nan), float32(inf)
	const badSigma = "want a finite σ > 0"
	const recipWhy = "want σ ≥ 1.2e-38, whose 1/σ is finite in float32"
	const squareWhy = "want σ ≤ 9.2e+18, whose σ² is finite in float32"
	type panicCase struct {
		name string
		m    *Model
		l    Loss
		x    []float32
		msg  string
	}
	cases := []panicCase{
		{"ExactSM empty", plain, ExactSM{}, nil, ""},
		{"SlicedSM empty", plain, SlicedSM{}, nil, ""},
		{"DSM empty", plain, DSM{Sigma: 1}, nil, ""},
		{"NCDSM empty", sigma, NCDSM{Sigmas: []float64{1}}, nil, ""},
		{"ContinuousDSM empty", tim, ContinuousDSM{SDE: vp{}}, nil, ""},
		{"ExactSM energy", energy, ExactSM{}, x, ""},
		{"SlicedSM energy", energy, SlicedSM{}, x, ""},
		{"NCDSM unconditional", plain, NCDSM{Sigmas: []float64{1}}, x, ""},
		{"NCDSM time", tim, NCDSM{Sigmas: []float64{1}}, x, ""},
		{"NCDSM no levels", sigma, NCDSM{}, x, ""},
		{"ContinuousDSM unconditional", plain, ContinuousDSM{SDE: vp{}}, x, ""},
		{"ContinuousDSM sigma", sigma, ContinuousDSM{SDE: vp{}}, x, ""},
		{"ragged batch", plain, DSM{Sigma: 1}, []float32{1, 2, 3}, ""},
		{"DSM σ = 0", plain, DSM{}, x, "DSM.Grad: σ = 0: " + badSigma},
		{"DSM σ < 0", plain, DSM{Sigma: -1}, x, "DSM.Grad: σ = -1: " + badSigma},
		{"DSM σ NaN", plain, DSM{Sigma: nan}, x, badSigma},
		{"DSM σ +Inf", plain, DSM{Sigma: inf}, x, badSigma},
		{"DSM σ -Inf", plain, DSM{Sigma: -inf}, x, badSigma},
		{"DSM σ NaN, σ-conditional", scaled, DSM{Sigma: nan}, x, badSigma},
		{"DSM σ = 1e-320", plain, DSM{Sigma: 1e-320}, x, "σ = 1e-320: " + recipWhy},
		{"DSM σ = 5e-39", scaled, DSM{Sigma: 5e-39}, x, "σ = 5e-39: " + recipWhy},
		{"DSM σ = 1e39", plain, DSM{Sigma: 1e39}, x, "σ = 1e+39: " + squareWhy},
		// σ finite in float32 but σ² not: x + σz and the gradients overflow.
		{"DSM σ = 3e38", plain, DSM{Sigma: 3e38}, x, "σ = 3e+38: " + squareWhy},
		{"DSM σ = 2⁶³·(1+2⁻⁵²)", plain, DSM{Sigma: math.Nextafter(MaxSigma, math.Inf(1))}, x, "σ = 9.223372036854778e+18: " + squareWhy},
		{"DSM t NaN", tim, DSM{Sigma: 1, Cond: nan32}, x, "want a finite t"},
		{"DSM t Inf", tim, DSM{Sigma: 1, Cond: inf32}, x, "want a finite t"},
		{"NCDSM level 0", sigma, NCDSM{Sigmas: []float64{1, 0}}, x, "Sigmas[1] = 0: " + badSigma},
		{"NCDSM level < 0", sigma, NCDSM{Sigmas: []float64{-0.5, 1}}, x, "Sigmas[0] = -0.5: " + badSigma},
		{"NCDSM level NaN", sigma, NCDSM{Sigmas: []float64{1, nan, 0.1}}, x, badSigma},
		{"NCDSM level Inf", sigma, NCDSM{Sigmas: []float64{inf, 1}}, x, badSigma},
		{"NCDSM continuous, level 0", sigma, NCDSM{Sigmas: []float64{1, 0}, Continuous: true}, x, badSigma},
		{"NCDSM continuous, level < 0", logSigma, NCDSM{Sigmas: []float64{1, -1}, Continuous: true}, x, badSigma},
		{"NCDSM continuous, level NaN", sigma, NCDSM{Sigmas: []float64{nan, 1}, Continuous: true}, x, badSigma},
		{"NCDSM continuous, level Inf", sigma, NCDSM{Sigmas: []float64{0.1, inf}, Continuous: true}, x, badSigma},
		{"NCDSM level 1e-320", logSigma, NCDSM{Sigmas: []float64{5, 1e-320}}, x, "Sigmas[1] = 1e-320: " + recipWhy},
		{"NCDSM levels 3e38 to 2e-38", scaled, NCDSM{Sigmas: []float64{3e38, 1e10, 2e-38}}, x, "Sigmas[0] = 3e+38: " + squareWhy},
		{"NCDSM continuous, level 1e20", logSigma, NCDSM{Sigmas: []float64{1, 1e20}, Continuous: true}, x, "Sigmas[1] = 1e+20: " + squareWhy},
		{"NCDSM continuous, empty", sigma, NCDSM{Sigmas: []float64{}, Continuous: true}, x, ""},
		{"ContinuousDSM no SDE", tim, ContinuousDSM{}, x, "ContinuousDSM.Grad: no SDE"},
		{"ContinuousDSM typed-nil SDE", tim, ContinuousDSM{SDE: (*vp)(nil)}, x, "ContinuousDSM.Grad: the SDE is a nil *nn.vp"},
		{"ContinuousDSM Eps < 0", tim, ContinuousDSM{SDE: vp{}, Eps: -0.1}, x, "Eps = -0.1: want 0 ≤ Eps < 1"},
		{"ContinuousDSM Eps = 1", tim, ContinuousDSM{SDE: vp{}, Eps: 1}, x, "Eps = 1: want 0 ≤ Eps < 1"},
		{"ContinuousDSM Eps > 1", tim, ContinuousDSM{SDE: vp{}, Eps: 2}, x, "Eps = 2: want 0 ≤ Eps < 1"},
		{"ContinuousDSM Eps NaN", tim, ContinuousDSM{SDE: vp{}, Eps: nan}, x, "Eps = NaN: want 0 ≤ Eps < 1"},
		{"ContinuousDSM Eps Inf", tim, ContinuousDSM{SDE: vp{}, Eps: inf}, x, "Eps = +Inf: want 0 ≤ Eps < 1"},
		{"ContinuousDSM σ(t) = 0", tim, ContinuousDSM{SDE: fixedSDE{1, 0}}, x, "want a finite mean scale and a finite σ > 0"},
		{"ContinuousDSM σ(t) NaN", tim, ContinuousDSM{SDE: fixedSDE{1, nan}}, x, "want a finite mean scale and a finite σ > 0"},
		{"ContinuousDSM σ(t) = 1e-320", tim, ContinuousDSM{SDE: fixedSDE{1, 1e-320}}, x, "want a finite mean scale and a finite σ > 0"},
		{"ContinuousDSM σ(t) = 1e20", tim, ContinuousDSM{SDE: fixedSDE{1, 1e20}}, x, "(1, 1e+20): want a finite mean scale and a finite σ > 0 (1.2e-38 ≤ σ ≤ 9.2e+18)"},
		{"ContinuousDSM a(t) Inf", tim, ContinuousDSM{SDE: fixedSDE{inf, 1}}, x, "want a finite mean scale and a finite σ > 0"},
	}
	// ExactSM and SlicedSM alike: a Cond that the model's conditioning
	// cannot take.
	for _, c := range []struct {
		name string
		m    *Model
		cond float32
		msg  string
	}{
		{"scaled σ = 0", scaled, 0, "Cond = 0: " + badSigma},
		{"scaled σ < 0", scaled, -0.5, "Cond = -0.5: " + badSigma},
		{"scaled σ NaN", scaled, nan32, "Cond = NaN: " + badSigma},
		{"scaled σ Inf", scaled, inf32, "Cond = +Inf: " + badSigma},
		{"scaled σ = 1e-40", scaled, 1e-40, "Cond = 1e-40: " + recipWhy},
		{"σ NaN", sigma, nan32, "Cond = NaN: want a finite σ"},
		{"σ -Inf", sigma, -inf32, "Cond = -Inf: want a finite σ"},
		{"log σ = 0", logSigma, 0, "Cond = 0: " + badSigma},
		{"log σ < 0", logSigma, -1, "Cond = -1: " + badSigma},
		{"log σ Inf", logSigma, inf32, "Cond = +Inf: " + badSigma},
		{"t NaN", tim, nan32, "Cond = NaN: want a finite t"},
		{"t -Inf", tim, -inf32, "Cond = -Inf: want a finite t"},
	} {
		cases = append(cases,
			panicCase{"ExactSM " + c.name, c.m, ExactSM{Cond: c.cond}, x, "ExactSM.Grad: " + c.msg},
			panicCase{"SlicedSM " + c.name, c.m, SlicedSM{Cond: c.cond}, x, "SlicedSM.Grad: " + c.msg})
	}
	for _, c := range cases {
		msg, ok := nnPanic(func() { c.l.Grad(c.m, c.x, newRand(1, 1), make([]float32, c.m.NumParams())) })
		if !ok || !strings.HasPrefix(msg, "nn: ") || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: panic %q, want one from nn saying %q", c.name, msg, c.msg)
		}
	}
}

// TestLossCondAccepted: the losses refuse only the Cond values that the
// model's conditioning cannot take (TestLossPanics): an unconditional
// model ignores Cond, a σ-conditional one without ScaleBySigma takes any
// finite σ, and a time-conditional one any finite t.
func TestLossCondAccepted(t *testing.T) {
	x := []float32{0.5, -1}
	for _, c := range []struct {
		cond Conditioning
		v    float32
	}{
		{CondNone, float32(math.NaN())},
		{CondNone, 0},
		{CondSigma, 0},
		{CondSigma, -0.5},
		{CondTime, 0},
		{CondTime, -2},
	} {
		m, err := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh, Cond: c.cond}, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range []Loss{ExactSM{Cond: c.v}, SlicedSM{Cond: c.v}} {
			if got := l.Grad(m, x, newRand(1, 1), make([]float32, m.NumParams())); math.IsNaN(got) || math.IsInf(got, 0) {
				t.Errorf("%T, conditioning %v, Cond %v: loss %v", l, c.cond, c.v, got)
			}
		}
	}
}
