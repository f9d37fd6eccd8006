package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestNamed(t *testing.T) {
	for _, name := range Names() {
		s, err := Named(name)
		if err != nil {
			t.Fatal(err)
		}
		if s.Dim() != 2 {
			t.Errorf("%s: Dim = %d", name, s.Dim())
		}
		const n = 2000
		a, b := make([]float32, 2*n), make([]float32, 2*n)
		s.Sample(a, rand.New(rand.NewPCG(1, 2)))
		s.Sample(b, rand.New(rand.NewPCG(1, 2)))
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: same seed, different samples", name)
			}
			if math.IsNaN(float64(a[i])) || math.Abs(float64(a[i])) > 20 {
				t.Fatalf("%s: sample %v out of range", name, a[i])
			}
		}
	}
	if _, err := Named("nope"); err == nil {
		t.Error("unknown name accepted")
	}
}

// TestToyShapes checks a defining property of each set.
func TestToyShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 4000
	x := make([]float32, 2*n)

	Checkerboard().Sample(x, rng)
	for r := 0; r < n; r++ {
		i, j := math.Floor(float64(x[2*r])/2), math.Floor(float64(x[2*r+1])/2)
		if math.Mod(i+j+8, 2) != 0 || math.Abs(float64(x[2*r])) > 4 || math.Abs(float64(x[2*r+1])) > 4 {
			t.Fatalf("checkerboard point %v, %v on a white square", x[2*r], x[2*r+1])
		}
	}

	Circles().Sample(x, rng)
	var inner int
	for r := 0; r < n; r++ {
		rad := math.Hypot(float64(x[2*r]), float64(x[2*r+1]))
		if rad < 0.3 || rad > 4.2 {
			t.Fatalf("circles point at radius %v", rad)
		}
		if rad < 2.25 {
			inner++
		}
	}
	if math.Abs(float64(inner)/n-0.5) > 5*math.Sqrt(0.25/n) {
		t.Errorf("circles: inner fraction %v", float64(inner)/n)
	}

	EightGaussians().Sample(x, rng)
	for r := 0; r < n; r++ {
		rad := math.Hypot(float64(x[2*r]), float64(x[2*r+1]))
		if math.Abs(rad-2*math.Sqrt2) > 2 {
			t.Fatalf("8gaussians point at radius %v", rad)
		}
	}

	for _, s := range []Source{Moons(), SwissRoll(), Pinwheel()} {
		s.Sample(x, rng)
		var mx, my float64
		for r := 0; r < n; r++ {
			mx += float64(x[2*r])
			my += float64(x[2*r+1])
		}
		if math.Abs(mx/n) > 1 || math.Abs(my/n) > 1 {
			t.Errorf("%T: mean (%v, %v) far from the origin", s, mx/n, my/n)
		}
	}
}

// TestNamedLookup: Named ignores case, Names is sorted and lists every
// set once, and SourceFunc draws its rows in order from the rng it is
// given and nothing else (so a seed fixes the rows, and another seed
// changes them).
func TestNamedLookup(t *testing.T) {
	ns := Names()
	if !sort.StringsAreSorted(ns) || len(ns) != 7 {
		t.Errorf("Names() = %v, want the 7 sets sorted", ns)
	}
	for _, n := range ns {
		for _, v := range []string{strings.ToUpper(n), strings.ToUpper(n[:1]) + n[1:]} {
			if _, err := Named(v); err != nil {
				t.Errorf("Named(%q): %v", v, err)
			}
		}
	}
	if _, err := Named("moons "); err == nil {
		t.Error(`Named("moons ") accepted`)
	} else if !strings.Contains(err.Error(), strings.Join(ns, ", ")) {
		t.Errorf("Named's error %q does not list the sets", err)
	}

	src := SourceFunc{D: 2, Row: func(dst []float32, rng *rand.Rand) {
		dst[0], dst[1] = float32(rng.Float64()), float32(rng.Float64())
	}}
	x := make([]float32, 8)
	src.Sample(x, rand.New(rand.NewPCG(5, 6)))
	ref := rand.New(rand.NewPCG(5, 6))
	for i, v := range x {
		if w := float32(ref.Float64()); v != w {
			t.Fatalf("SourceFunc.Sample: x[%d] = %v, want the rng's %d-th draw %v", i, v, i, w)
		}
	}
	for _, n := range ns {
		s, _ := Named(n)
		a, b := make([]float32, 20), make([]float32, 20)
		s.Sample(a, rand.New(rand.NewPCG(1, 2)))
		s.Sample(b, rand.New(rand.NewPCG(3, 4)))
		if slices.Equal(a, b) {
			t.Errorf("%s: two seeds gave the same rows", n)
		}
	}
}
