package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/scorekit/scorekit/internal/fmath"
)

// Banana is the twisted Gaussian ("banana") on ℝ²:
//
//	x₀ ~ N(0, Scale²),  x₁ | x₀ ~ N(B·(x₀² − Scale²), 1)
//
// [NewBanana] gives the usual B = 0.03, Scale = 10, for which E[x₀] =
// E[x₁] = 0, E[x₀²] = 100 and E[x₁²] = 1 + 2·B²·Scale⁴ = 19.
//
// Its methods panic unless Scale is finite and > 0 with Scale² neither
// underflowing to 0 nor overflowing, and B is finite with B·Scale² finite
// (the zero value, with Scale = 0, is not a density). Beyond that range
// Scale² made the score and log density NaN at x₀ = 0 (0/0, 0·∞), and an
// infinite B·Scale² made the score NaN there (0·∞) and every draw's x₁
// infinite. The float32 methods (Score, LogDensity, Sample) compute in
// float64 and round the results to float32, so where Scale or |B|·Scale²
// is beyond float32's range (3.4e38), as with B = 1e100, Scale = 1, draws
// and scores come out ±Inf there: use the float64 methods for such a
// target.
type Banana struct {
	B, Scale float64
}

func (t Banana) check(fn string) {
	s2 := t.Scale * t.Scale
	if !(t.Scale > 0) || !(s2 > 0) || math.IsInf(s2, 1) || math.IsNaN(t.B) || math.IsInf(t.B, 0) {
		panic(fmt.Sprintf("data: %s: Scale = %v, B = %v: want Scale finite and > 0 (with Scale² = %v also), B finite", fn, t.Scale, t.B, s2))
	}
	if bs2 := t.B * s2; math.IsInf(bs2, 0) {
		panic(fmt.Sprintf("data: %s: Scale = %v, B = %v: B·Scale² = %v, want it finite", fn, t.Scale, t.B, bs2))
	}
}

// NewBanana returns the banana with B = 0.03 and Scale = 10.
func NewBanana() Banana { return Banana{B: 0.03, Scale: 10} }

// Dim returns 2.
func (Banana) Dim() int { return 2 }

// LogDensity64 returns log p(x), normalised.
func (t Banana) LogDensity64(x []float64) float64 {
	t.check("Banana.LogDensity64")
	checkPoint("Banana.LogDensity64", 2, len(x))
	return t.logDensity(x[0], x[1])
}

func (t Banana) logDensity(x0, x1 float64) float64 {
	s2 := t.Scale * t.Scale
	r := x1 - t.twist(x0)
	return -x0*x0/(2*s2) - r*r/2 - fmath.Log2Pi - math.Log(t.Scale)
}

// Score64 sets dst to ∇log p(x).
func (t Banana) Score64(dst, x []float64) {
	t.check("Banana.Score64")
	checkPoint("Banana.Score64", 2, len(x), len(dst))
	t.score(dst, x[0], x[1])
}

func (t Banana) score(dst []float64, x0, x1 float64) {
	s2 := t.Scale * t.Scale
	r := x1 - t.twist(x0)
	dst[0] = -x0/s2 + 2*t.B*x0*r
	dst[1] = -r
}

// twist returns x₁'s mean given x₀, B·(x₀² − Scale²). Where x₀²
// overflows it is B·Scale²·((x₀/Scale)² − 1), finite while that is (B·Scale²
// is, by check), and 0 if B = 0: not B·∞, which is NaN for B = 0 and
// infinite for a small B.
func (t Banana) twist(x0 float64) float64 {
	s2 := t.Scale * t.Scale
	if sq := x0 * x0; !math.IsInf(sq, 1) {
		return t.B * (sq - s2)
	}
	if t.B == 0 {
		return 0
	}
	u := x0 / t.Scale
	return t.B * s2 * (u*u - 1)
}

// Score sets dst to ∇log p at each row of x.
func (t Banana) Score(dst, x []float32) {
	t.check("Banana.Score")
	n := checkBatch("Banana.Score", 2, len(x), len(dst))
	var g [2]float64
	for r := 0; r < n; r++ {
		t.score(g[:], float64(x[2*r]), float64(x[2*r+1]))
		dst[2*r], dst[2*r+1] = float32(g[0]), float32(g[1])
	}
}

// LogDensity sets dst[i] to log p at row i of x.
func (t Banana) LogDensity(dst, x []float32) {
	t.check("Banana.LogDensity")
	n := checkBatch("Banana.LogDensity", 2, len(x), -1)
	if len(dst) != n {
		panicDst("Banana.LogDensity", len(dst), n)
	}
	for r := 0; r < n; r++ {
		dst[r] = float32(t.logDensity(float64(x[2*r]), float64(x[2*r+1])))
	}
}

// Sample fills dst with len(dst)/2 independent draws.
func (t Banana) Sample(dst []float32, rng *rand.Rand) {
	t.check("Banana.Sample")
	n := checkBatch("Banana.Sample", 2, len(dst), -1)
	checkRNG("Banana.Sample", "the rows", rng)
	for r := 0; r < n; r++ {
		x0 := t.Scale * rng.NormFloat64()
		dst[2*r] = float32(x0)
		dst[2*r+1] = float32(t.twist(x0) + rng.NormFloat64())
	}
}

// Funnel is Neal's funnel on ℝᵈ:
//
//	v = x₀ ~ N(0, Scale²),  xᵢ | v ~ N(0, eᵛ) for i = 1, …, d−1
//
// (Neal 2003; Scale = 3 in [NewFunnel]). Its neck, where v is very
// negative, defeats samplers with a fixed step size.
//
// Its methods panic unless D ≥ 1 and Scale is finite and > 0 with Scale²
// not underflowing to 0 (the zero value is not a density; below that the
// score and log density were NaN at v = 0, from 0/0).
type Funnel struct {
	D     int
	Scale float64
}

func (t Funnel) check(fn string) {
	if !(t.Scale > 0) || !(t.Scale*t.Scale > 0) || math.IsInf(t.Scale, 1) {
		panic(fmt.Sprintf("data: %s: Scale = %v, want finite and > 0 with Scale² > 0", fn, t.Scale))
	}
}

// NewFunnel returns the d-dimensional funnel with Scale = 3. It panics if
// d < 2.
func NewFunnel(d int) Funnel {
	if d < 2 {
		panic(fmt.Sprintf("data: NewFunnel: d = %d, want ≥ 2", d))
	}
	return Funnel{D: d, Scale: 3}
}

// Dim returns d.
func (t Funnel) Dim() int { return t.D }

// LogDensity64 returns log p(x), normalised.
func (t Funnel) LogDensity64(x []float64) float64 {
	t.check("Funnel.LogDensity64")
	checkPoint("Funnel.LogDensity64", t.D, len(x))
	return t.logDensity(x[0], sumSqTail64(x))
}

func sumSqTail64(x []float64) float64 {
	var s float64
	for _, v := range x[1:] {
		s += v * v
	}
	return s
}

func (t Funnel) logDensity(v, ss float64) float64 {
	m := float64(t.D - 1)
	return -v*v/(2*t.Scale*t.Scale) - 0.5*fmath.Log2Pi - math.Log(t.Scale) -
		0.5*ss*math.Exp(-v) - 0.5*m*v - 0.5*m*fmath.Log2Pi
}

// Score64 sets dst to ∇log p(x).
func (t Funnel) Score64(dst, x []float64) {
	t.check("Funnel.Score64")
	checkPoint("Funnel.Score64", t.D, len(x), len(dst))
	ev := math.Exp(-x[0])
	dst[0] = -x[0]/(t.Scale*t.Scale) + 0.5*sumSqTail64(x)*ev - 0.5*float64(t.D-1)
	for i := 1; i < t.D; i++ {
		dst[i] = -x[i] * ev
	}
}

// Score sets dst to ∇log p at each row of x.
func (t Funnel) Score(dst, x []float32) {
	d := t.D
	t.check("Funnel.Score")
	n := checkBatch("Funnel.Score", d, len(x), len(dst))
	for r := 0; r < n; r++ {
		xr, gr := x[r*d:r*d+d], dst[r*d:r*d+d]
		v := float64(xr[0])
		ev := math.Exp(-v)
		var ss float64
		for i := 1; i < d; i++ {
			xi := float64(xr[i])
			ss += xi * xi
			gr[i] = float32(-xi * ev)
		}
		gr[0] = float32(-v/(t.Scale*t.Scale) + 0.5*ss*ev - 0.5*float64(d-1))
	}
}

// LogDensity sets dst[i] to log p at row i of x.
func (t Funnel) LogDensity(dst, x []float32) {
	d := t.D
	t.check("Funnel.LogDensity")
	n := checkBatch("Funnel.LogDensity", d, len(x), -1)
	if len(dst) != n {
		panicDst("Funnel.LogDensity", len(dst), n)
	}
	for r := 0; r < n; r++ {
		xr := x[r*d : r*d+d]
		var ss float64
		for _, v := range xr[1:] {
			ss += float64(v) * float64(v)
		}
		dst[r] = float32(t.logDensity(float64(xr[0]), ss))
	}
}

// Sample fills dst with len(dst)/d independent draws.
func (t Funnel) Sample(dst []float32, rng *rand.Rand) {
	d := t.D
	t.check("Funnel.Sample")
	n := checkBatch("Funnel.Sample", d, len(dst), -1)
	checkRNG("Funnel.Sample", "the rows", rng)
	for r := 0; r < n; r++ {
		v := t.Scale * rng.NormFloat64()
		dst[r*d] = float32(v)
		s := math.Exp(v / 2)
		for i := 1; i < d; i++ {
			dst[r*d+i] = float32(s * rng.NormFloat64())
		}
	}
}

// Rosenbrock is the Rosenbrock density on ℝᵈ, unnormalised:
//
//	log p(x) = −Temp · Σᵢ₌₀^{d−2} [ B·(xᵢ₊₁ − xᵢ²)² + (A − xᵢ)² ]
//
// [NewRosenbrock] gives A = 1, B = 100, Temp = 1/20 (the usual sampling
// benchmark). Its log density is known only up to a constant (which is all
// MALA needs).
//
// For d = 2 it factorises into Gaussians,
//
//	x₀ ~ N(A, s₀²),  x₁ | x₀ ~ N(x₀², s₁²),  s₀² = 1/(2·Temp), s₁² = 1/(2·Temp·B),
//
// which [Rosenbrock.Sample] draws from exactly, and its moments are known:
//
//	E[x₀] = A,            Var[x₀] = s₀²,
//	E[x₁] = E[x₀²] = A² + s₀²,
//	Var[x₁] = s₁² + Var[x₀²] = s₁² + 4A²s₀² + 2s₀⁴,
//	Cov[x₀, x₁] = E[(x₀ − A)·x₀²] = 2A·s₀²,
//
// so with the defaults E[x₀] = 1, Var[x₀] = 10, E[x₁] = 11, Var[x₁] =
// 240.1 and Cov[x₀, x₁] = 20. For d ≥ 3 the marginal of x₀ is no longer
// Gaussian (integrating out x₂ … leaves a quartic in x₀) and there is no
// exact sampler.
//
// Its methods panic unless D ≥ 1 (the zero value has D = 0) and A, B and
// Temp are finite; Sample also needs B, Temp > 0.
type Rosenbrock struct {
	D          int
	A, B, Temp float64
}

func (t Rosenbrock) check(fn string) {
	for _, v := range [...]float64{t.A, t.B, t.Temp} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			panic(fmt.Sprintf("data: %s: A = %v, B = %v, Temp = %v: want all finite", fn, t.A, t.B, t.Temp))
		}
	}
}

// NewRosenbrock returns the d-dimensional Rosenbrock density with A = 1,
// B = 100, Temp = 1/20. It panics if d < 2.
func NewRosenbrock(d int) Rosenbrock {
	if d < 2 {
		panic(fmt.Sprintf("data: NewRosenbrock: d = %d, want ≥ 2", d))
	}
	return Rosenbrock{D: d, A: 1, B: 100, Temp: 1.0 / 20}
}

// Dim returns d.
func (t Rosenbrock) Dim() int { return t.D }

// LogDensity64 returns log p(x) up to an additive constant.
func (t Rosenbrock) LogDensity64(x []float64) float64 {
	t.check("Rosenbrock.LogDensity64")
	checkPoint("Rosenbrock.LogDensity64", t.D, len(x))
	var e float64
	for i := 0; i+1 < t.D; i++ {
		a := x[i+1] - x[i]*x[i]
		b := t.A - x[i]
		e += t.B*a*a + b*b
	}
	return -t.Temp * e
}

// Score64 sets dst to ∇log p(x).
func (t Rosenbrock) Score64(dst, x []float64) {
	t.check("Rosenbrock.Score64")
	checkPoint("Rosenbrock.Score64", t.D, len(x), len(dst))
	d := t.D
	for i := 0; i < d; i++ {
		var g float64
		if i+1 < d {
			g += -4*t.B*x[i]*(x[i+1]-x[i]*x[i]) - 2*(t.A-x[i])
		}
		if i > 0 {
			g += 2 * t.B * (x[i] - x[i-1]*x[i-1])
		}
		dst[i] = -t.Temp * g
	}
}

// Score sets dst to ∇log p at each row of x.
func (t Rosenbrock) Score(dst, x []float32) {
	d := t.D
	t.check("Rosenbrock.Score")
	n := checkBatch("Rosenbrock.Score", d, len(x), len(dst))
	for r := 0; r < n; r++ {
		xr, gr := x[r*d:r*d+d], dst[r*d:r*d+d]
		for i := 0; i < d; i++ {
			xi := float64(xr[i])
			var g float64
			if i+1 < d {
				g += -4*t.B*xi*(float64(xr[i+1])-xi*xi) - 2*(t.A-xi)
			}
			if i > 0 {
				p := float64(xr[i-1])
				g += 2 * t.B * (xi - p*p)
			}
			gr[i] = float32(-t.Temp * g)
		}
	}
}

// LogDensity sets dst[i] to log p at row i of x, up to a constant.
func (t Rosenbrock) LogDensity(dst, x []float32) {
	d := t.D
	t.check("Rosenbrock.LogDensity")
	n := checkBatch("Rosenbrock.LogDensity", d, len(x), -1)
	if len(dst) != n {
		panicDst("Rosenbrock.LogDensity", len(dst), n)
	}
	for r := 0; r < n; r++ {
		xr := x[r*d : r*d+d]
		var e float64
		for i := 0; i+1 < d; i++ {
			xi := float64(xr[i])
			a := float64(xr[i+1]) - xi*xi
			b := t.A - xi
			e += t.B*a*a + b*b
		}
		dst[r] = float32(-t.Temp * e)
	}
}

// Sample fills dst with len(dst)/2 independent draws, x₀ = A + s₀·z₀ and
// x₁ = x₀² + s₁·z₁ (see [Rosenbrock]). It panics unless D = 2: only the
// two-dimensional density has an exact sampler; and unless Temp > 0 and
// B > 0, without which the density is not normalisable, and all three of
// A, B and Temp are finite.
func (t Rosenbrock) Sample(dst []float32, rng *rand.Rand) {
	if t.D != 2 {
		panic(fmt.Sprintf("data: Rosenbrock.Sample: D = %d: only D = 2 has an exact sampler", t.D))
	}
	if !(t.Temp > 0 && t.B > 0) || math.IsInf(t.Temp, 0) || math.IsInf(t.B, 0) || math.IsNaN(t.A) || math.IsInf(t.A, 0) {
		panic(fmt.Sprintf("data: Rosenbrock.Sample: A = %v, Temp = %v, B = %v: want Temp and B > 0, all finite", t.A, t.Temp, t.B))
	}
	n := checkBatch("Rosenbrock.Sample", 2, len(dst), -1)
	checkRNG("Rosenbrock.Sample", "the rows", rng)
	s0, s1 := math.Sqrt(1/(2*t.Temp)), math.Sqrt(1/(2*t.Temp*t.B))
	for r := 0; r < n; r++ {
		x0 := t.A + s0*rng.NormFloat64()
		dst[2*r] = float32(x0)
		dst[2*r+1] = float32(x0*x0 + s1*rng.NormFloat64())
	}
}
