package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// Source is a data set to draw from: Sample fills dst with n = len(dst)/Dim()
// rows, drawing randomness only from rng, so a seeded rng gives the same
// rows every time. The package's Sample methods panic if rng is nil: there
// is no default source.
type Source interface {
	Dim() int
	Sample(dst []float32, rng *rand.Rand)
}

// SourceFunc is a Source from a function that draws one row at a time. Its
// Sample panics unless D ≥ 1 and Row is not nil.
type SourceFunc struct {
	D   int
	Row func(dst []float32, rng *rand.Rand)
}

// Dim returns D.
func (s SourceFunc) Dim() int { return s.D }

// Sample fills dst row by row.
func (s SourceFunc) Sample(dst []float32, rng *rand.Rand) {
	n := checkBatch("SourceFunc.Sample", s.D, len(dst), -1)
	if s.Row == nil {
		panic("data: SourceFunc.Sample: Row is nil")
	}
	checkRNG("SourceFunc.Sample", "the rows", rng)
	for r := 0; r < n; r++ {
		s.Row(dst[r*s.D:r*s.D+s.D], rng)
	}
}

var toys = map[string]func() Source{
	"8gaussians":   EightGaussians,
	"moons":        Moons,
	"swissroll":    SwissRoll,
	"circles":      Circles,
	"checkerboard": Checkerboard,
	"pinwheel":     Pinwheel,
	"mixture":      func() Source { return NCSNMixture() },
}

// Names returns the names [Named] knows, sorted.
func Names() []string {
	var ns []string
	for n := range toys {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// Named returns the toy data set with the given name (case-insensitive):
// "8gaussians", "moons", "swissroll", "circles", "checkerboard",
// "pinwheel" or "mixture".
func Named(name string) (Source, error) {
	if f, ok := toys[strings.ToLower(name)]; ok {
		return f(), nil
	}
	return nil, fmt.Errorf("data: unknown data set %q (want one of %s)", name, strings.Join(Names(), ", "))
}

// EightGaussians is eight Gaussians of standard deviation 0.5/√2 centred
// at (4/√2)·(cos kπ/4, sin kπ/4), as in FFJORD (Grathwohl et al. 2019).
func EightGaussians() Source {
	return SourceFunc{D: 2, Row: func(dst []float32, rng *rand.Rand) {
		k := rng.IntN(8)
		a := float64(k) * math.Pi / 4
		cx, cy := 4*math.Cos(a), 4*math.Sin(a)
		dst[0] = float32((cx + 0.5*rng.NormFloat64()) / math.Sqrt2)
		dst[1] = float32((cy + 0.5*rng.NormFloat64()) / math.Sqrt2)
	}}
}

// Moons is scikit-learn's two interleaving half circles with noise 0.1,
// scaled by 2 and shifted by (−1, −0.2), as in FFJORD.
func Moons() Source {
	return SourceFunc{D: 2, Row: func(dst []float32, rng *rand.Rand) {
		t := math.Pi * rng.Float64()
		var x, y float64
		if rng.IntN(2) == 0 {
			x, y = math.Cos(t), math.Sin(t)
		} else {
			x, y = 1-math.Cos(t), 0.5-math.Sin(t)
		}
		x += 0.1 * rng.NormFloat64()
		y += 0.1 * rng.NormFloat64()
		dst[0] = float32(2*x - 1)
		dst[1] = float32(2*y - 0.2)
	}}
}

// SwissRoll is scikit-learn's Swiss roll (noise 1) projected on its
// (x, z) plane and divided by 5, as in FFJORD: t = 1.5π(1 + 2u),
// (t·cos t, t·sin t) + noise.
func SwissRoll() Source {
	return SourceFunc{D: 2, Row: func(dst []float32, rng *rand.Rand) {
		t := 1.5 * math.Pi * (1 + 2*rng.Float64())
		dst[0] = float32((t*math.Cos(t) + rng.NormFloat64()) / 5)
		dst[1] = float32((t*math.Sin(t) + rng.NormFloat64()) / 5)
	}}
}

// Circles is scikit-learn's two concentric circles (radii 1 and 0.5,
// noise 0.08) scaled by 3, as in FFJORD.
func Circles() Source {
	return SourceFunc{D: 2, Row: func(dst []float32, rng *rand.Rand) {
		t := 2 * math.Pi * rng.Float64()
		r := 1.0
		if rng.IntN(2) == 1 {
			r = 0.5
		}
		dst[0] = float32(3 * (r*math.Cos(t) + 0.08*rng.NormFloat64()))
		dst[1] = float32(3 * (r*math.Sin(t) + 0.08*rng.NormFloat64()))
	}}
}

// Checkerboard is uniform on the black squares of a 4×4 checkerboard of
// side 2 over [−4, 4]², as in FFJORD.
func Checkerboard() Source {
	return SourceFunc{D: 2, Row: func(dst []float32, rng *rand.Rand) {
		x1 := 4*rng.Float64() - 2
		x2 := rng.Float64() - 2*float64(rng.IntN(2))
		x2 += math.Mod(math.Floor(x1)+4, 2) // floor(x1) mod 2, non-negative
		dst[0] = float32(2 * x1)
		dst[1] = float32(2 * x2)
	}}
}

// Pinwheel is five spiral arms (radial std 0.3, tangential std 0.1, rate
// 0.25) scaled by 2, as in FFJORD.
func Pinwheel() Source {
	const classes, radial, tangential, rate = 5, 0.3, 0.1, 0.25
	return SourceFunc{D: 2, Row: func(dst []float32, rng *rand.Rand) {
		f0 := radial*rng.NormFloat64() + 1
		f1 := tangential * rng.NormFloat64()
		a := 2*math.Pi*float64(rng.IntN(classes))/classes + rate*math.Exp(f0)
		c, s := math.Cos(a), math.Sin(a)
		// Row vector times the rotation [[c, −s], [s, c]].
		dst[0] = float32(2 * (f0*c + f1*s))
		dst[1] = float32(2 * (-f0*s + f1*c))
	}}
}
