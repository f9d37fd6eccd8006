package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/internal/testpanic"
)

// mustPanic calls f and fails unless it panics with a message of the
// package (not a runtime error such as an index out of range or a division
// by zero) that contains each of want.
func mustPanic(t *testing.T, what string, f func(), want ...string) {
	t.Helper()
	testpanic.Contains(t, what, f, want...)
}

// TestConstructorErrors covers what the constructors refuse, and that the
// error or panic names the constructor and the bad value.
func TestConstructorErrors(t *testing.T) {
	for _, c := range []struct {
		name       string
		mean, cov  []float64
		wantInText string
	}{
		{"empty mean", nil, nil, "empty mean"},
		{"NaN in cov", []float64{0, 0}, []float64{1, math.NaN(), math.NaN(), 1}, "cov[1]"},
		{"Inf on the diagonal", []float64{0, 0}, []float64{1, 0, 0, math.Inf(1)}, "cov[3]"},
		{"−Inf off the diagonal", []float64{0, 0}, []float64{1, math.Inf(-1), math.Inf(-1), 1}, "cov[1]"},
		{"Inf in the mean", []float64{math.Inf(-1), 0}, []float64{1, 0, 0, 1}, "mean[0]"},
		{"zero eigenvalue", []float64{0, 0}, []float64{1, 1, 1, 1}, "positive definite"},
		{"asymmetric by 1e-9", []float64{0, 0}, []float64{1, 0.5, 0.5 * (1 + 1e-9), 1}, "symmetric"},
	} {
		g, err := NewGaussian(c.mean, c.cov)
		if err == nil {
			t.Errorf("NewGaussian with %s accepted: %v", c.name, g)
		} else if !strings.Contains(err.Error(), "NewGaussian") || !strings.Contains(err.Error(), c.wantInText) {
			t.Errorf("NewGaussian with %s: error %q, want it to name NewGaussian and mention %q", c.name, err, c.wantInText)
		}
	}
	for _, std := range []float64{0, -1, math.NaN(), math.Inf(1), 1e-170, 1e170} {
		mustPanic(t, fmt.Sprintf("NewIsotropicGaussian(std = %v)", std), func() { NewIsotropicGaussian([]float64{0}, std) }, "NewIsotropicGaussian", "std = ")
	}
	mustPanic(t, "NewIsotropicGaussian(empty mean)", func() { NewIsotropicGaussian(nil, 1) }, "NewIsotropicGaussian", "empty mean")
	mustPanic(t, "NewIsotropicGaussian(NaN mean)", func() { NewIsotropicGaussian([]float64{math.NaN()}, 1) }, "NewIsotropicGaussian", "mean[0]")

	one := func() *Gaussian { return NewIsotropicGaussian([]float64{0}, 1) }
	for _, c := range []struct {
		name string
		w    []float64
		c    []*Gaussian
		want string
	}{
		{"no components", nil, nil, "0 weights for 0 components"},
		{"more weights than components", []float64{1, 1}, []*Gaussian{one()}, "2 weights for 1 component"},
		{"more components than weights", []float64{1}, []*Gaussian{one(), one()}, "1 weight for 2 components"},
		{"a zero weight", []float64{1, 0}, []*Gaussian{one(), one()}, "weight 1 is 0"},
		{"an infinite weight", []float64{math.Inf(1), 1}, []*Gaussian{one(), one()}, "weight 0 is +Inf"},
		{"a NaN weight", []float64{1, math.NaN()}, []*Gaussian{one(), one()}, "weight 1 is NaN"},
		{"a nil component", []float64{1, 1}, []*Gaussian{one(), nil}, "component 1 is nil"},
		// A zero Gaussian made a mixture of dimension 0, whose methods then
		// asked whether it was built by its constructor.
		{"a zero component", []float64{1}, []*Gaussian{{}}, "component 0 has dimension 0 (was it built by NewGaussian?)"},
	} {
		m, err := NewMixture(c.w, c.c)
		if err == nil {
			t.Errorf("NewMixture with %s accepted: %v", c.name, m)
		} else if !strings.Contains(err.Error(), "NewMixture") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewMixture with %s: error %q, want it to name NewMixture and mention %q", c.name, err, c.want)
		}
	}

	for _, d := range []int{1, 0, -1} {
		mustPanic(t, fmt.Sprintf("NewFunnel(%d)", d), func() { NewFunnel(d) }, "NewFunnel", fmt.Sprintf("d = %d", d))
		mustPanic(t, fmt.Sprintf("NewRosenbrock(%d)", d), func() { NewRosenbrock(d) }, "NewRosenbrock", fmt.Sprintf("d = %d", d))
	}
	// The smallest dimension each constructor takes works.
	x := []float64{0.3, -0.2}
	g := make([]float64, 2)
	NewFunnel(2).Score64(g, x)
	NewRosenbrock(2).Score64(g, x)
}

// TestBadTargets: struct literals and zero values that are not densities,
// and calls with lengths that do not fit, panic with a message naming the
// method and the bad value, not with a division by zero, an index out of
// range or NaN results.
func TestBadTargets(t *testing.T) {
	type method struct {
		name string
		f    func()
	}
	methods := func(prefix string, tg interface {
		Score64(dst, x []float64)
		LogDensity64(x []float64) float64
		Score(dst, x []float32)
		LogDensity(dst, x []float32)
	}, d int) []method {
		x64, g64 := make([]float64, d), make([]float64, d)
		x, s, lp := make([]float32, 2*d), make([]float32, 2*d), make([]float32, 2)
		ms := []method{
			{prefix + ".Score64", func() { tg.Score64(g64, x64) }},
			{prefix + ".LogDensity64", func() { tg.LogDensity64(x64) }},
			{prefix + ".Score", func() { tg.Score(s, x) }},
			{prefix + ".LogDensity", func() { tg.LogDensity(lp, x) }},
		}
		if sp, ok := tg.(Source); ok && prefix != "Rosenbrock" { // its Sample first checks D = 2: below
			ms = append(ms, method{prefix + ".Sample", func() { sp.Sample(s, rand.New(rand.NewPCG(1, 1))) }})
		}
		return ms
	}
	cases := []struct {
		what string
		ms   []method
		want string
	}{
		{"Gaussian{}", methods("Gaussian", &Gaussian{}, 0), "dimension 0"},
		{"Gaussian{}", []method{{"Gaussian.NoiseScore", func() { (&Gaussian{}).NoiseScore(nil, nil, 1) }}}, "dimension 0"},
		{"Mixture{}", methods("Mixture", &Mixture{}, 0), "dimension 0"},
		{"Mixture{}", []method{
			{"Mixture.NoiseScore", func() { (&Mixture{}).NoiseScore(nil, nil, 1) }},
			{"Mixture.NoiseScore64", func() { (&Mixture{}).NoiseScore64(nil, nil, 1) }},
		}, "dimension 0"},
		{"Funnel{}", methods("Funnel", Funnel{}, 0), "Scale = 0"},
		{"Funnel{D: 0, Scale: 3}", methods("Funnel", Funnel{Scale: 3}, 0), "dimension 0"},
		{"Funnel{D: 3, Scale: −3}", methods("Funnel", Funnel{D: 3, Scale: -3}, 3), "Scale = -3"},
		{"Funnel{D: 3, Scale: NaN}", methods("Funnel", Funnel{D: 3, Scale: math.NaN()}, 3), "Scale = NaN"},
		{"Funnel{D: 3, Scale: +Inf}", methods("Funnel", Funnel{D: 3, Scale: math.Inf(1)}, 3), "Scale = +Inf"},
		{"Banana{}", methods("Banana", Banana{}, 2), "Scale = 0"},
		{"Banana{Scale: −10}", methods("Banana", Banana{B: 0.03, Scale: -10}, 2), "Scale = -10"},
		{"Banana{B: NaN}", methods("Banana", Banana{B: math.NaN(), Scale: 10}, 2), "B = NaN"},
		// Scale² underflows (NaN at x₀ = 0 was the result) or overflows.
		{"Banana{Scale: 1e-170}", methods("Banana", Banana{B: 0.03, Scale: 1e-170}, 2), "Scale = 1e-170"},
		{"Banana{Scale: 1e-320}", methods("Banana", Banana{B: 0.03, Scale: 1e-320}, 2), "Scale = 1e-320"},
		{"Banana{Scale: 1e160}", methods("Banana", Banana{B: 0.03, Scale: 1e160}, 2), "Scale = 1e+160"},
		// B·Scale² overflows: the score was NaN at x = 0 (0·∞).
		{"Banana{B: 1e200, Scale: 1e150}", methods("Banana", Banana{B: 1e200, Scale: 1e150}, 2), "B = 1e+200: B·Scale² = +Inf, want it finite"},
		{"Banana{B: −1e10, Scale: 1e150}", methods("Banana", Banana{B: -1e10, Scale: 1e150}, 2), "B·Scale² = -Inf"},
		{"Funnel{D: 3, Scale: 1e-170}", methods("Funnel", Funnel{D: 3, Scale: 1e-170}, 3), "Scale = 1e-170"},
		{"Rosenbrock{}", methods("Rosenbrock", Rosenbrock{}, 0), "dimension 0"},
		{"Rosenbrock{B: NaN}", methods("Rosenbrock", Rosenbrock{D: 3, A: 1, B: math.NaN(), Temp: 0.05}, 3), "B = NaN"},
		{"Rosenbrock{Temp: +Inf}", methods("Rosenbrock", Rosenbrock{D: 3, A: 1, B: 100, Temp: math.Inf(1)}, 3), "Temp = +Inf"},
		{"Rosenbrock{A: −Inf}", methods("Rosenbrock", Rosenbrock{D: 3, A: math.Inf(-1), B: 100, Temp: 0.05}, 3), "A = -Inf"},
	}
	mustPanic(t, "Rosenbrock{}.Sample", func() { Rosenbrock{}.Sample(nil, rand.New(rand.NewPCG(1, 1))) }, "Rosenbrock.Sample", "D = 0")
	for _, c := range cases {
		for _, m := range c.ms {
			// The method called, not one it calls (Score named NoiseScore).
			mustPanic(t, c.what+": "+m.name, m.f, "data: "+m.name+": ", c.want)
		}
	}
	mustPanic(t, "SourceFunc{}.Sample", func() { SourceFunc{}.Sample(make([]float32, 2), rand.New(rand.NewPCG(1, 1))) }, "SourceFunc.Sample", "dimension 0")
	mustPanic(t, "SourceFunc{D: 2}.Sample", func() { SourceFunc{D: 2}.Sample(make([]float32, 2), rand.New(rand.NewPCG(1, 1))) }, "SourceFunc.Sample", "Row is nil")

	// Rosenbrock.Sample refuses every parameter for which the 2-D density is
	// not normalisable or the draws would not be finite.
	for _, r := range []Rosenbrock{
		{D: 2, A: 1, B: 0, Temp: 0.05},
		{D: 2, A: 1, B: -100, Temp: 0.05},
		{D: 2, A: 1, B: 100, Temp: -0.05},
		{D: 2, A: 1, B: math.Inf(1), Temp: 0.05},
		{D: 2, A: 1, B: 100, Temp: math.Inf(1)},
		{D: 2, A: 1, B: math.NaN(), Temp: 0.05},
		{D: 2, A: math.NaN(), B: 100, Temp: 0.05},
		{D: 2, A: math.Inf(-1), B: 100, Temp: 0.05},
	} {
		mustPanic(t, fmt.Sprintf("Sample of %+v", r), func() { r.Sample(make([]float32, 4), rand.New(rand.NewPCG(1, 1))) }, "Rosenbrock.Sample", "want Temp and B > 0, all finite")
	}

	// Lengths that do not fit, for a target of each kind.
	gauss := NewIsotropicGaussian([]float64{0, 0}, 1)
	mix := NCSNMixture()
	for _, tg := range []struct {
		name string
		t    target64
	}{{"Gaussian", gauss}, {"Mixture", mix}, {"Banana", NewBanana()}, {"Funnel", NewFunnel(2)}, {"Rosenbrock", NewRosenbrock(2)}} {
		n := tg.name
		mustPanic(t, n+".Score64 with a long x", func() { tg.t.Score64(make([]float64, 2), make([]float64, 3)) }, "data: "+n, "length 3, want dimension 2")
		mustPanic(t, n+".Score64 with a short dst", func() { tg.t.Score64(make([]float64, 1), make([]float64, 2)) }, "data: "+n, "length 1, want dimension 2")
		mustPanic(t, n+".LogDensity64 with a long x", func() { tg.t.LogDensity64(make([]float64, 3)) }, "data: "+n, "length 3, want dimension 2")
		mustPanic(t, n+".Score with a partial row", func() { tg.t.Score(make([]float32, 5), make([]float32, 5)) }, "data: "+n, "len(x) = 5 is not a multiple of the dimension 2")
		mustPanic(t, n+".Score with an empty dst", func() { tg.t.Score(nil, make([]float32, 2)) }, "data: "+n, "len(dst) = 0, len(x) = 2")
		mustPanic(t, n+".LogDensity with a long dst", func() { tg.t.LogDensity(make([]float32, 3), make([]float32, 4)) }, "data: "+n, "len(dst) = 3, want one per point = 2")
		mustPanic(t, n+".LogDensity with a short dst", func() { tg.t.LogDensity(make([]float32, 1), make([]float32, 4)) }, "data: "+n, "len(dst) = 1, want one per point = 2")
		if s, ok := tg.t.(Source); ok {
			mustPanic(t, n+".Sample with a partial row", func() { s.Sample(make([]float32, 3), rand.New(rand.NewPCG(1, 1))) }, "data: "+n, "len(x) = 3 is not a multiple")
		}
		// Empty batches are fine and touch nothing.
		tg.t.Score(nil, nil)
		tg.t.LogDensity(nil, nil)
	}
	mustPanic(t, "Gaussian.NoiseScore with a partial row", func() { gauss.NoiseScore(make([]float32, 3), make([]float32, 3), 1) }, "Gaussian.NoiseScore", "not a multiple")
	mustPanic(t, "Mixture.NoiseScore64 with a short x", func() { mix.NoiseScore64(make([]float64, 2), make([]float64, 1), 1) }, "Mixture.NoiseScore64", "length 1")
}

// TestNoAliasing: the Gaussian and the mixture keep their own copies of
// what they are built from and hand out copies, so a caller that reuses
// its slices cannot change a target behind its back.
func TestNoAliasing(t *testing.T) {
	mean := []float64{1, 2}
	g := NewIsotropicGaussian(mean, 1)
	at := func() float64 { return g.LogDensity64([]float64{1, 2}) }
	want := at()
	mean[0] = 100
	g.Mean()[1] = 100
	g.Cov()[0] = 100
	if got := at(); got != want {
		t.Errorf("log density at the mean changed from %v to %v after the caller wrote to its mean or to Mean()'s or Cov()'s result", want, got)
	}
	if m := g.Mean(); m[0] != 1 || m[1] != 2 {
		t.Errorf("Mean() = %v, want [1 2]", m)
	}

	a, b := NewIsotropicGaussian([]float64{-3}, 1), NewIsotropicGaussian([]float64{3}, 1)
	comps, w := []*Gaussian{a, b}, []float64{1, 1}
	m, err := NewMixture(w, comps)
	if err != nil {
		t.Fatal(err)
	}
	atM := func() float64 { return m.LogDensity64([]float64{3}) }
	want = atM()
	comps[1] = a
	w[1] = 100
	m.Components()[1] = a
	m.Weights()[1] = 100
	if got := atM(); got != want {
		t.Errorf("mixture log density changed from %v to %v after the caller wrote to its slices or to Components()'s or Weights()'s result", want, got)
	}
	if c := m.Components(); c[1] != b {
		t.Error("Components()[1] is no longer the second component")
	}
}
