package kernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/scorekit/scorekit/kernel"
)

// The statistical tests run at fixed seeds; every implementation gives the
// same bits, so they run once, on the active one. Tolerances are five
// standard errors for the sample size (a false alarm below 1e-6 per
// check), or a p-value floor of 1e-6 where a distribution is known.

const statN = 1 << 20

func normals(seed, id uint64, n int) []float32 {
	s := kernel.NewStream(seed, id)
	z := make([]float32, n)
	s.Normals(z)
	return z
}

func words(seed, id uint64, n int) []uint32 {
	s := kernel.NewStream(seed, id)
	w := make([]uint32, n)
	s.Uint32s(w)
	return w
}

// TestNormalMoments checks the mean, variance, skewness and excess
// kurtosis of 2²⁰ normals against 0, 1, 0, 0 within five standard errors.
func TestNormalMoments(t *testing.T) {
	z := normals(2024, 0, statN)
	var m1, m2, m3, m4 float64
	for _, v := range z {
		x := float64(v)
		m1 += x
		m2 += x * x
		m3 += x * x * x
		m4 += x * x * x * x
	}
	n := float64(len(z))
	m1, m2, m3, m4 = m1/n, m2/n, m3/n, m4/n
	for _, c := range []struct {
		name      string
		got, want float64
		se        float64
	}{
		{"mean", m1, 0, 1 / math.Sqrt(n)},
		{"variance", m2 - m1*m1, 1, math.Sqrt(2 / n)},
		{"skewness", m3, 0, math.Sqrt(15 / n)},
		{"excess kurtosis", m4 - 3, 0, math.Sqrt(96 / n)},
	} {
		t.Logf("%s: %.5f (want %v ± %.5f)", c.name, c.got, c.want, 5*c.se)
		if math.Abs(c.got-c.want) > 5*c.se {
			t.Errorf("%s = %.5f, want %v within %.5f", c.name, c.got, c.want, 5*c.se)
		}
	}
}

// ksNormal returns the Kolmogorov–Smirnov statistic of x against N(0,1).
func ksNormal(x []float32) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := float64(len(s))
	var d float64
	for i, v := range s {
		f := distuv.UnitNormal.CDF(float64(v))
		d = max(d, math.Abs(f-float64(i)/n), math.Abs(float64(i+1)/n-f))
	}
	return d
}

// TestNormalKS runs the Kolmogorov–Smirnov test against the normal CDF on
// 2¹⁸ normals, and on each of the four words of the blocks separately
// (the cosine and sine halves of the pairs), at the 1e-4 level:
// D·√n < 2.1.
func TestNormalKS(t *testing.T) {
	const n = 1 << 18
	z := normals(77, 5, n)
	check := func(what string, x []float32) {
		d := ksNormal(x) * math.Sqrt(float64(len(x)))
		t.Logf("%s: KS D·√n = %.3f", what, d)
		if d > 2.1 {
			t.Errorf("%s: KS D·√n = %.3f > 2.1 (p < 1e-4)", what, d)
		}
	}
	check("all", z)
	for j := range 4 {
		var part []float32
		for g := 0; g < n; g += 64 {
			part = append(part, z[g+16*j:g+16*j+16]...)
		}
		check(fmt.Sprintf("word %d", j), part)
	}
	// Tails: the fraction beyond ±3 and ±4.
	for _, k := range []float64{3, 4} {
		var c int
		for _, v := range z {
			if math.Abs(float64(v)) > k {
				c++
			}
		}
		p := 2 * distuv.UnitNormal.Survival(k)
		se := math.Sqrt(p * (1 - p) / n)
		if got := float64(c) / n; math.Abs(got-p) > 5*se {
			t.Errorf("P(|z| > %v) = %.3g, want %.3g ± %.2g", k, got, p, 5*se)
		}
	}
}

// chi2 returns the p-value of counts against equal frequencies.
func chi2(counts []int, total int) float64 {
	e := float64(total) / float64(len(counts))
	var x float64
	for _, c := range counts {
		d := float64(c) - e
		x += d * d / e
	}
	return distuv.ChiSquared{K: float64(len(counts) - 1)}.Survival(x)
}

// TestUniformBitsChiSquare checks the 32-bit outputs: the top and bottom
// bytes by chi-square over 256 cells, and every bit's frequency of ones.
func TestUniformBitsChiSquare(t *testing.T) {
	w := words(99, 1, statN)
	var top, low [256]int
	var ones [32]int
	for _, v := range w {
		top[v>>24]++
		low[v&0xff]++
		for b := range 32 {
			ones[b] += int(v >> b & 1)
		}
	}
	for name, c := range map[string][]int{"top byte": top[:], "low byte": low[:]} {
		if p := chi2(c, len(w)); p < 1e-6 {
			t.Errorf("%s: chi-square p = %.3g", name, p)
		}
	}
	se := math.Sqrt(float64(len(w)) / 4)
	for b, c := range ones {
		if d := float64(c) - float64(len(w))/2; math.Abs(d) > 5*se {
			t.Errorf("bit %d: %d ones in %d", b, c, len(w))
		}
	}
	// The uniforms: chi-square over 1024 equal cells of (0, 1).
	u := make([]float32, statN)
	s := kernel.NewStream(99, 2)
	s.Uniforms(u)
	cells := make([]int, 1024)
	for _, v := range u {
		cells[int(v*1024)]++
	}
	if p := chi2(cells, len(u)); p < 1e-6 {
		t.Errorf("uniforms: chi-square p = %.3g", p)
	}
}

// TestNeighbourStreams checks independence between neighbouring streams
// (ids k and k+1 under one seed, and seeds s and s+1 for one id), and
// between the values of one stream at neighbouring positions: correlation
// of the normals within five standard errors of 0, and chi-square of the
// joint top nibbles over 256 cells.
func TestNeighbourStreams(t *testing.T) {
	const n = 1 << 18
	corr := func(x, y []float32) float64 {
		var sxy, sxx, syy float64
		for i := range x {
			sxy += float64(x[i]) * float64(y[i])
			sxx += float64(x[i]) * float64(x[i])
			syy += float64(y[i]) * float64(y[i])
		}
		return sxy / math.Sqrt(sxx*syy)
	}
	tol := 5 / math.Sqrt(n)
	for _, c := range []struct {
		name       string
		s1, i1, s2 uint64
		i2         uint64
	}{
		{"ids 0, 1", 5, 0, 5, 1},
		{"ids 1000, 1001", 5, 1000, 5, 1001},
		{"ids 2^32-1, 2^32", 5, 1<<32 - 1, 5, 1 << 32},
		{"seeds 0, 1", 0, 3, 1, 3},
		{"seeds 2^32, 2^32+1", 1 << 32, 3, 1<<32 + 1, 3},
	} {
		x, y := normals(c.s1, c.i1, n), normals(c.s2, c.i2, n)
		if r := corr(x, y); math.Abs(r) > tol {
			t.Errorf("%s: correlation %.4f, want |r| < %.4f", c.name, r, tol)
		}
		wx, wy := words(c.s1, c.i1, n), words(c.s2, c.i2, n)
		cells := make([]int, 256)
		for i := range wx {
			cells[wx[i]>>28<<4|wy[i]>>28]++
		}
		if p := chi2(cells, n); p < 1e-6 {
			t.Errorf("%s: joint top nibbles, chi-square p = %.3g", c.name, p)
		}
	}
	// Within one stream: lag 1, the Box–Muller partner (lag 16) and the
	// other pair of the same block (lag 32), and squares at lag 16 (r is
	// shared by a pair, but z₁ and z₂ are independent).
	z := normals(11, 11, n+64)
	for _, lag := range []int{1, 16, 32, 64} {
		if r := corr(z[:n], z[lag:lag+n]); math.Abs(r) > tol {
			t.Errorf("lag %d: correlation %.4f, want |r| < %.4f", lag, r, tol)
		}
	}
	sq := make([]float32, len(z))
	for i, v := range z {
		sq[i] = v*v - 1
	}
	var sxy, sxx float64
	for g := 0; g+64 <= n; g += 64 {
		for l := range 16 {
			a, b := float64(sq[g+l]), float64(sq[g+16+l])
			sxy += a * b
			sxx += (a*a + b*b) / 2
		}
	}
	if r := sxy / sxx; math.Abs(r) > 5/math.Sqrt(n/4) {
		t.Errorf("z₁², z₂² of the pairs: correlation %.4f", r)
	}
}

// TestSource checks the math/rand/v2 Source: its Uint64s are the stream's
// outputs in pairs, it works with rand.New, and it is reproducible.
func TestSource(t *testing.T) {
	src := kernel.NewSource(7, 3)
	w := words(7, 3, 300)
	for i := 0; i < 150; i++ {
		if got, want := src.Uint64(), uint64(w[2*i])|uint64(w[2*i+1])<<32; got != want {
			t.Fatalf("Uint64 %d = %#x, want %#x", i, got, want)
		}
	}
	r1, r2, r3 := rand.New(kernel.NewSource(1, 1)), rand.New(kernel.NewSource(1, 1)), rand.New(kernel.NewSource(1, 2))
	same := 0
	var sum float64
	for range 10000 {
		a, b, c := r1.Float64(), r2.Float64(), r3.Float64()
		if a != b {
			t.Fatal("two Sources with the same seed and id differ")
		}
		if a == c {
			same++
		}
		sum += a
	}
	if same > 0 {
		t.Errorf("streams 1 and 2 agree %d times in 10000", same)
	}
	if m := sum / 10000; math.Abs(m-0.5) > 5*math.Sqrt(1.0/12/10000) {
		t.Errorf("mean of Float64 = %v", m)
	}
}

// TestULAStationary runs the fused ULA step on N(0,1), ∇log p(x) = −x, over
// 2¹⁶ chains: x ← (1−h)x + √(2h)z has stationary variance 1/(1 − h/2).
func TestULAStationary(t *testing.T) {
	const chains, steps, h = 1 << 16, 60, 0.1
	x := make([]float32, chains)
	g := make([]float32, chains)
	s := kernel.NewStream(31, 4)
	for range steps {
		for i, v := range x {
			g[i] = -v
		}
		s.LangevinStep(h, float32(math.Sqrt(2*h)), x, g)
	}
	var m, v float64
	for _, xi := range x {
		m += float64(xi)
		v += float64(xi) * float64(xi)
	}
	m /= chains
	v = v/chains - m*m
	// (1−h)^(2·steps) of the start (0) is left: 1.5e-6.
	want := 1 / (1 - h/2.0)
	if se := want * math.Sqrt(2.0/chains); math.Abs(v-want) > 5*se || math.Abs(m) > 5*math.Sqrt(want/chains) {
		t.Errorf("ULA on N(0,1): mean %.4f, variance %.4f, want 0, %.4f ± %.4f", m, v, want, 5*se)
	}
}
