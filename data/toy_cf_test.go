package data

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// simpson returns ∫ₐᵇ f by the composite Simpson rule on n (even)
// intervals.
func simpson(f func(t float64) complex128, a, b float64, n int) complex128 {
	h := (b - a) / float64(n)
	s := f(a) + f(b)
	for i := 1; i < n; i++ {
		w := complex(2, 0)
		if i%2 == 1 {
			w = 4
		}
		s += w * f(a+float64(i)*h)
	}
	return s * complex(h/3, 0)
}

// cis returns e^{iθ}.
func cis(th float64) complex128 { return complex(math.Cos(th), math.Sin(th)) }

// sinc returns sin(s)/s.
func sinc(s float64) float64 {
	if s == 0 {
		return 1
	}
	return math.Sin(s) / s
}

// toyCF holds the characteristic function φ(ω) = E[exp(iω·X)] of each toy
// set, worked out from its definition (toy.go's doc comments, FFJORD's
// toy_data.py): a noiseless shape C plus independent Gaussian noise gives
// φ = φ_C(ω)·exp(−s²|ω|²/2), and φ_C is a closed form or an integral over
// the shape's uniform parameter, taken by Simpson's rule with enough
// points for 1e-8.
var toyCF = map[string]func(w0, w1 float64) complex128{
	// (c_k + ½z)/√2, c_k = 4(cos kπ/4, sin kπ/4): per-coordinate noise
	// variance 1/8.
	"8gaussians": func(w0, w1 float64) complex128 {
		var s complex128
		for k := 0; k < 8; k++ {
			a := float64(k) * math.Pi / 4
			s += cis((w0*4*math.Cos(a) + w1*4*math.Sin(a)) / math.Sqrt2)
		}
		return s / 8 * complex(math.Exp(-(w0*w0+w1*w1)/16), 0)
	},
	// 2(C + 0.1z) − (1, 0.2), C = (cos t, sin t) or (1 − cos t, ½ − sin t)
	// with probability ½ each, t ~ U(0, π).
	"moons": func(w0, w1 float64) complex128 {
		u0, u1 := 2*w0, 2*w1
		upper := simpson(func(t float64) complex128 { return cis(u0*math.Cos(t) + u1*math.Sin(t)) }, 0, math.Pi, 2000)
		lower := simpson(func(t float64) complex128 { return cis(u0*(1-math.Cos(t)) + u1*(0.5-math.Sin(t))) }, 0, math.Pi, 2000)
		return (upper + lower) / complex(2*math.Pi, 0) * cis(-w0-0.2*w1) * complex(math.Exp(-0.04*(w0*w0+w1*w1)/2), 0)
	},
	// (t cos t + z₀, t sin t + z₁)/5, t ~ U(1.5π, 4.5π).
	"swissroll": func(w0, w1 float64) complex128 {
		c := simpson(func(t float64) complex128 { return cis((w0*t*math.Cos(t) + w1*t*math.Sin(t)) / 5) }, 1.5*math.Pi, 4.5*math.Pi, 8000)
		return c / complex(3*math.Pi, 0) * complex(math.Exp(-(w0*w0+w1*w1)/50), 0)
	},
	// 3(r(cos t, sin t) + 0.08z), r = 1 or ½, t ~ U(0, 2π): the uniform
	// measure on a circle of radius ρ has φ = J₀(ρ|ω|).
	"circles": func(w0, w1 float64) complex128 {
		w := math.Hypot(w0, w1)
		return complex((math.J0(3*w)+math.J0(1.5*w))/2*math.Exp(-9*0.0064*w*w/2), 0)
	},
	// Uniform on the eight 2×2 squares [2f, 2f + 2) × [2(o − 2b), 2(o − 2b) + 2),
	// f ∈ {−2, −1, 0, 1}, o = f mod 2, b ∈ {0, 1}; a square of side 2 about
	// its centre has φ = sinc(ω₀)·sinc(ω₁).
	"checkerboard": func(w0, w1 float64) complex128 {
		var s complex128
		for f := -2; f <= 1; f++ {
			o := (f + 4) % 2
			for b := 0; b < 2; b++ {
				s += cis(w0*(2*float64(f)+1) + w1*(2*float64(o-2*b)+1))
			}
		}
		return s / 8 * complex(sinc(w0)*sinc(w1), 0)
	},
	// 2f₀(cos a, −sin a) + 2f₁(sin a, cos a), f₀ ~ N(1, 0.3²), f₁ ~ N(0, 0.1²),
	// a = 2πk/5 + ¼e^{f₀}, k uniform on 0…4: Gaussian in f₁ given (k, f₀),
	// then a Gaussian-weighted integral over f₀.
	"pinwheel": func(w0, w1 float64) complex128 {
		var s complex128
		for k := 0; k < 5; k++ {
			s += simpson(func(f0 float64) complex128 {
				a := 2*math.Pi*float64(k)/5 + 0.25*math.Exp(f0)
				c, sn := math.Cos(a), math.Sin(a)
				g := (w0*sn + w1*c) * 0.2
				dens := math.Exp(-(f0-1)*(f0-1)/(2*0.09)) / math.Sqrt(2*math.Pi*0.09)
				return cis(2*f0*(w0*c-w1*sn)) * complex(dens*math.Exp(-g*g/2), 0)
			}, 1-3, 1+3, 4000)
		}
		return s / 5
	},
	// 0.8·N((5, 5), I) + 0.2·N((−5, −5), I).
	"mixture": func(w0, w1 float64) complex128 {
		return (0.8*cis(5*(w0+w1)) + 0.2*cis(-5*(w0+w1))) * complex(math.Exp(-(w0*w0+w1*w1)/2), 0)
	},
}

// TestToyCharacteristicFunctions holds each toy set to its exact
// characteristic function at eighteen frequencies: the empirical means of
// cos(ω·x) and sin(ω·x) over n rows must lie within 5 standard errors of
// Re φ(ω) and Im φ(ω), the variances being exact too: Var cos(ω·X) =
// (1 + Re φ(2ω))/2 − (Re φ(ω))² and Var sin(ω·X) = (1 − Re φ(2ω))/2 −
// (Im φ(ω))². This pins every constant of each set (centres, radii,
// noise levels, scales, shifts, the pinwheel's rate and handedness), where
// TestToyShapes checks only coarse properties. The frequencies reach
// |ω| = 6, where the noise factor exp(−s²|ω|²/2) is far from 1: with them
// the 8 Gaussians' noise 20 % too large in x alone, the swiss roll's
// halved in x alone, or the circles' 0.1 instead of 0.08 each move some
// frequency by 8 to 13 standard errors (up to |ω| = 2.5 they moved none
// by 5).
func TestToyCharacteristicFunctions(t *testing.T) {
	const n = 20000
	var freqs [][2]float64
	for _, r := range []float64{0.5, 1, 2, 3, 4.5, 6} {
		for _, a := range []float64{0.3, 1.2, 2.1} {
			freqs = append(freqs, [2]float64{r * math.Cos(a), r * math.Sin(a)})
		}
	}
	if len(toyCF) != len(Names()) {
		t.Fatalf("toyCF has %d sets, Names %d", len(toyCF), len(Names()))
	}
	x := make([]float32, 2*n)
	for i, name := range Names() {
		phi, ok := toyCF[name]
		if !ok {
			t.Fatalf("no characteristic function for %q", name)
		}
		src, _ := Named(name)
		src.Sample(x, rand.New(rand.NewPCG(uint64(i)+100, 7)))
		var worst float64
		for _, w := range freqs {
			want, want2 := phi(w[0], w[1]), phi(2*w[0], 2*w[1])
			var sc, ss float64
			for r := 0; r < n; r++ {
				th := w[0]*float64(x[2*r]) + w[1]*float64(x[2*r+1])
				sc += math.Cos(th)
				ss += math.Sin(th)
			}
			sc /= n
			ss /= n
			vc := (1+real(want2))/2 - real(want)*real(want)
			vs := (1-real(want2))/2 - imag(want)*imag(want)
			zc := (sc - real(want)) / math.Sqrt(vc/n)
			zs := (ss - imag(want)) / math.Sqrt(max(vs, 1e-12)/n)
			if vs < 1e-12 { // sin(ω·X) is almost surely 0 only for a symmetric set at ω = 0
				zs = 0
			}
			if math.Abs(zc) > 5 || math.Abs(zs) > 5 {
				t.Errorf("%s: ω = (%.3f, %.3f): empirical φ = %.4f%+.4fi, exact %.4f%+.4fi (%.1f and %.1f standard errors)",
					name, w[0], w[1], sc, ss, real(want), imag(want), zc, zs)
			}
			worst = max(worst, math.Abs(zc), math.Abs(zs))
		}
		t.Logf("%s: largest deviation %.2f standard errors over %d frequencies", name, worst, len(freqs))
	}
	// The quadratures themselves: φ(0) = 1 and, for sets symmetric about
	// the origin, φ real.
	for name, phi := range toyCF {
		if v := phi(0, 0); cmplx.Abs(v-1) > 1e-9 {
			t.Errorf("%s: φ(0) = %v, want 1", name, v)
		}
	}
	for _, name := range []string{"8gaussians", "circles"} {
		if v := toyCF[name](0.7, -1.3); math.Abs(imag(v)) > 1e-12 {
			t.Errorf("%s: φ(0.7, −1.3) = %v, want real (the set is symmetric about 0)", name, v)
		}
	}
}
