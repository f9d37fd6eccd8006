package data

import (
	"math"
	"testing"
)

// integrate2 returns ∫∫ f(x₀, x₁)·exp(logp(x₀, x₁)) by the rectangle rule
// (spectrally accurate for smooth integrands that vanish at the ends): x₀
// on [a, b] in n0 steps, and for each x₀ x₁ on [c(x₀) − w(x₀), c(x₀) +
// w(x₀)] in n1 steps, so that the inner grid follows a conditional that
// moves or narrows.
func integrate2(logp func(x []float64) float64, f func(x0, x1 float64) float64,
	a, b float64, n0 int, c, w func(x0 float64) float64, n1 int) float64 {
	h0 := (b - a) / float64(n0)
	x := make([]float64, 2)
	var s float64
	for i := 0; i <= n0; i++ {
		x[0] = a + float64(i)*h0
		lo, h1 := c(x[0])-w(x[0]), 2*w(x[0])/float64(n1)
		var inner float64
		for j := 0; j <= n1; j++ {
			x[1] = lo + float64(j)*h1
			inner += f(x[0], x[1]) * math.Exp(logp(x))
		}
		s += inner * h1
	}
	return s * h0
}

func one(_, _ float64) float64 { return 1 }

// TestTargetsIntegrate checks by quadrature in float64 that the log
// densities documented as normalised integrate to one in two dimensions,
// and the moments the docs state: the banana's E[x₁] = 0, E[x₀²] = 100,
// E[x₁²] = 19; the funnel's E[v²] = 9, E[x₁²] = E[eᵛ] = e^4.5; the 2-D
// Rosenbrock's normalising constant 2π·s₀·s₁ (its factorisation) and its
// moments E[x₁] = 11, Var[x₁] = 240.1, Cov[x₀, x₁] = 20.
func TestTargetsIntegrate(t *testing.T) {
	wide := func(float64) float64 { return 12 }
	zero := func(float64) float64 { return 0 }
	g, err := NewGaussian([]float64{0.5, -1}, []float64{2, 0.8, 0.8, 1})
	if err != nil {
		t.Fatal(err)
	}
	g1, _ := NewGaussian([]float64{1, 1}, []float64{0.5, -0.2, -0.2, 0.3})
	mix, err := NewMixture([]float64{1, 3}, []*Gaussian{g, g1})
	if err != nil {
		t.Fatal(err)
	}
	ban, fun, ros := NewBanana(), NewFunnel(2), NewRosenbrock(2)
	banC := func(x0 float64) float64 { return ban.B * (x0*x0 - ban.Scale*ban.Scale) }
	funW := func(v float64) float64 { return 12 * math.Exp(v/2) }
	s0, s1 := math.Sqrt(1/(2*ros.Temp)), math.Sqrt(1/(2*ros.Temp*ros.B))
	rosC := func(x0 float64) float64 { return x0 * x0 }
	rosW := func(float64) float64 { return 12 * s1 }
	rosZ := 2 * math.Pi * s0 * s1
	cases := []struct {
		name      string
		got, want float64
	}{
		{"Gaussian ∫p", integrate2(g.LogDensity64, one, -12, 12, 800, zero, wide, 800), 1},
		{"Gaussian E[x₀x₁]", integrate2(g.LogDensity64, func(a, b float64) float64 { return a * b }, -12, 12, 800, zero, wide, 800), 0.8 + 0.5*-1},
		{"Mixture ∫p", integrate2(mix.LogDensity64, one, -12, 12, 800, zero, wide, 800), 1},
		{"NCSNMixture ∫p", integrate2(NCSNMixture().LogDensity64, one, -14, 14, 800, zero, func(float64) float64 { return 14 }, 800), 1},
		{"Banana ∫p", integrate2(ban.LogDensity64, one, -80, 80, 2000, banC, wide, 400), 1},
		{"Banana E[x₁]", integrate2(ban.LogDensity64, func(_, b float64) float64 { return b }, -80, 80, 2000, banC, wide, 400), 0},
		{"Banana E[x₀²]", integrate2(ban.LogDensity64, func(a, _ float64) float64 { return a * a }, -80, 80, 2000, banC, wide, 400), 100},
		{"Banana E[x₁²]", integrate2(ban.LogDensity64, func(_, b float64) float64 { return b * b }, -80, 80, 2000, banC, wide, 400), 19},
		{"Funnel ∫p", integrate2(fun.LogDensity64, one, -30, 30, 1000, zero, funW, 400), 1},
		{"Funnel E[v²]", integrate2(fun.LogDensity64, func(v, _ float64) float64 { return v * v }, -30, 30, 1000, zero, funW, 400), 9},
		{"Funnel E[x₁²]", integrate2(fun.LogDensity64, func(_, x float64) float64 { return x * x }, -30, 30, 1000, zero, funW, 400), math.Exp(4.5)},
		{"Rosenbrock ∫exp(log p)/Z", integrate2(ros.LogDensity64, one, 1-12*s0, 1+12*s0, 1000, rosC, rosW, 400) / rosZ, 1},
		{"Rosenbrock E[x₁]", integrate2(ros.LogDensity64, func(_, b float64) float64 { return b }, 1-12*s0, 1+12*s0, 1000, rosC, rosW, 400) / rosZ, 11},
		{"Rosenbrock Var[x₁]", integrate2(ros.LogDensity64, func(_, b float64) float64 { return (b - 11) * (b - 11) }, 1-12*s0, 1+12*s0, 1000, rosC, rosW, 400) / rosZ, 240.1},
		{"Rosenbrock Cov[x₀,x₁]", integrate2(ros.LogDensity64, func(a, b float64) float64 { return (a - 1) * (b - 11) }, 1-12*s0, 1+12*s0, 1000, rosC, rosW, 400) / rosZ, 20},
	}
	for _, c := range cases {
		if math.Abs(c.got-c.want) > 1e-8*math.Max(1, math.Abs(c.want)) {
			t.Errorf("%s = %.12g, want %.12g", c.name, c.got, c.want)
		} else {
			t.Logf("%s = %.12g, want %.12g", c.name, c.got, c.want)
		}
	}
}
