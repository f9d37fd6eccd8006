package data

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/scorekit/scorekit/internal/refrand"
)

// refSample returns n×d draws shift + scale·z of r (metrics_ref.py's sample).
func refSample(r *refrand.SplitMix, n, d int, shift, scale float64) []float32 {
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(shift + scale*r.Normal())
	}
	return x
}

// TestMetricsReference holds MedianSqDist, MMD2, EnergyDistance and, in
// one dimension, SlicedWasserstein to the numpy implementation in
// testdata/metrics_ref.py, written from the definitions (see its doc
// string): samples of 2 to 1100 rows, equal and unequal sizes, d = 1 to 5.
func TestMetricsReference(t *testing.T) {
	raw, err := os.ReadFile("testdata/metrics_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name             string
		Seed             uint64
		N, M, D          int
		Shift, Scale     float64
		MedianSqDist     float64 `json:"median_sqdist"`
		MMD2, Energy, W2 float64
		First            []float64
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		rng := refrand.New(c.Seed)
		x := refSample(rng, c.N, c.D, 0, 1)
		y := refSample(rng, c.M, c.D, c.Shift, c.Scale)
		if float64(x[0]) != c.First[0] || float64(y[0]) != c.First[1] {
			t.Fatalf("%s: first draws %v, %v; the reference's %v: the generators differ", c.Name, x[0], y[0], c.First)
		}
		check := func(what string, got, want, tol float64) {
			if math.Abs(got-want) > tol*math.Max(math.Abs(want), 1e-3) {
				t.Errorf("%s: %s = %.12g, reference %.12g", c.Name, what, got, want)
			} else {
				t.Logf("%s: %s = %.12g, reference %.12g", c.Name, what, got, want)
			}
		}
		check("MedianSqDist", MedianSqDist(x, y, c.D), c.MedianSqDist, 1e-12)
		check("MMD2", MMD2(x, y, c.D), c.MMD2, 1e-9)
		check("EnergyDistance", EnergyDistance(x, y, c.D), c.Energy, 1e-9)
		if c.D == 1 {
			check("SlicedWasserstein", SlicedWasserstein(x, y, 1, 3, rand.New(rand.NewPCG(1, 2))), c.W2, 1e-9)
		}
	}
}

// w2Exact is W₂ between the empirical measures of a and b (sorted in
// place): the integral over (0, 1) of the squared difference of their
// quantile functions, which are constant between the breakpoints i/n and
// j/m.
func w2Exact(a, b []float64) float64 {
	slices.Sort(a)
	slices.Sort(b)
	n, m := len(a), len(b)
	var s float64
	i, j := 0, 0
	lo := 0.0
	for i < n && j < m {
		hi := math.Min(float64(i+1)/float64(n), float64(j+1)/float64(m))
		t := a[i] - b[j]
		s += (hi - lo) * t * t
		lo = hi
		if float64(i+1)/float64(n) <= hi {
			i++
		}
		if float64(j+1)/float64(m) <= hi {
			j++
		}
	}
	return s
}

// TestSlicedWassersteinDirections recomputes SlicedWasserstein in float64
// on the same directions (drawn from a copy of its rng) with the exact
// one-dimensional W₂². The last case has n·m > 2³¹, past int on 32-bit
// platforms (GOARCH=arm: `go test -exec qemu-arm-static`).
func TestSlicedWassersteinDirections(t *testing.T) {
	gen := refrand.New(7)
	for _, tc := range []struct{ n, m, d int }{{200, 200, 3}, {150, 60, 2}, {7, 5, 4}, {1, 9, 2}, {50000, 50001, 1}} {
		x := refSample(gen, tc.n, tc.d, 0, 1)
		y := refSample(gen, tc.m, tc.d, 0.3, 1.2)
		const projections = 25
		got := SlicedWasserstein(x, y, tc.d, projections, rand.New(rand.NewPCG(3, 4)))
		rng := rand.New(rand.NewPCG(3, 4))
		theta := make([]float64, tc.d)
		var total float64
		for p := 0; p < projections; p++ {
			var nn float64
			for j := range theta {
				theta[j] = rng.NormFloat64()
				nn += theta[j] * theta[j]
			}
			nn = math.Sqrt(nn)
			proj := func(s []float32, rows int) []float64 {
				out := make([]float64, rows)
				for i := range out {
					for j, th := range theta {
						out[i] += th / nn * float64(s[i*tc.d+j])
					}
				}
				return out
			}
			total += w2Exact(proj(x, tc.n), proj(y, tc.m))
		}
		want := math.Sqrt(total / projections)
		if math.Abs(got-want) > 1e-9*want {
			t.Errorf("n = %d, m = %d, d = %d: SlicedWasserstein = %.12g, exact on the same directions %.12g", tc.n, tc.m, tc.d, got, want)
		} else {
			t.Logf("n = %d, m = %d, d = %d: SlicedWasserstein = %.12g, exact on the same directions %.12g", tc.n, tc.m, tc.d, got, want)
		}
	}
}
