package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func gauss(rng *rand.Rand, n, d int, shift float32) []float32 {
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64()) + shift
	}
	return x
}

func TestMMD2(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, d = 300, 2
	x, y, z := gauss(rng, n, d, 0), gauss(rng, n, d, 0), gauss(rng, n, d, 1)
	same, diff := MMD2(x, y, d), MMD2(x, z, d)
	// Under equality the unbiased statistic has standard deviation O(1/n).
	if math.Abs(same) > 10.0/n {
		t.Errorf("MMD² of equal distributions = %v", same)
	}
	if diff < 0.05 {
		t.Errorf("MMD² of N(0,I) and N(1,I) = %v, want clearly positive", diff)
	}
	if a, b := MMD2(x, z, d), MMD2(z, x, d); math.Abs(a-b) > 1e-12 {
		t.Errorf("MMD² not symmetric: %v vs %v", a, b)
	}
}

func TestEnergyDistance(t *testing.T) {
	// Point masses at 0 and 1: 2·1 − 0 − 0.
	x := []float32{0, 0, 0}
	y := []float32{1, 1}
	if got := EnergyDistance(x, y, 1); got != 2 {
		t.Errorf("EnergyDistance(δ0, δ1) = %v, want 2", got)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const n, d = 300, 2
	a, b, c := gauss(rng, n, d, 0), gauss(rng, n, d, 0), gauss(rng, n, d, 1)
	if same := EnergyDistance(a, b, d); math.Abs(same) > 0.05 {
		t.Errorf("energy distance of equal distributions = %v", same)
	}
	if diff := EnergyDistance(a, c, d); diff < 0.3 {
		t.Errorf("energy distance of N(0,I), N(1,I) = %v", diff)
	}
}

func TestSlicedWasserstein(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, d = 500, 3
	x := gauss(rng, n, d, 0)
	if got := SlicedWasserstein(x, x, d, 10, rng); got != 0 {
		t.Errorf("SW(x, x) = %v", got)
	}
	// A pure shift by c: every projection's W₂ is |θ·c| exactly, whose
	// square averages ‖c‖²/d over the sphere.
	y := append([]float32(nil), x...)
	for i := range y {
		y[i] += 2
	}
	got := SlicedWasserstein(x, y, d, 4000, rng)
	want := math.Sqrt(4 * d / float64(d))
	if math.Abs(got-want) > 0.05 {
		t.Errorf("SW of a shift by (2,2,2) = %v, want ≈ %v", got, want)
	}
	// Unequal sizes: quantile matching.
	if got := SlicedWasserstein([]float32{0, 1}, []float32{0, 0.5, 1}, 1, 1, rng); math.Abs(got-math.Sqrt(1.0/12)) > 1e-6 {
		t.Errorf("SW(unequal) = %v, want %v", got, math.Sqrt(1.0/12))
	}
}

// TestMMD2Degenerate: a bandwidth that is not positive is refused (ℓ² = −1
// gave MMD² = −2.8e11 for two samples of 50 draws of N(0, I)), and MMD2 is NaN where
// the median heuristic has no bandwidth to give.
func TestMMD2Degenerate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x, y := gauss(rng, 50, 2, 0), gauss(rng, 50, 2, 0)
	for _, l2 := range []float64{0, -1, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MMD2Bandwidth with ℓ² = %v did not panic", l2)
				}
			}()
			t.Logf("MMD2Bandwidth(ℓ² = %v) = %v", l2, MMD2Bandwidth(x, y, 2, l2))
		}()
	}
	same := []float32{1, 1, 1, 1, 1, 1}
	if got := MMD2(same, same, 2); !math.IsNaN(got) {
		t.Errorf("MMD2 of samples of one repeated point = %v, want NaN", got)
	}
	x[3] = float32(math.NaN())
	if got := MMD2(x, y, 2); !math.IsNaN(got) {
		t.Errorf("MMD2 with a NaN coordinate = %v", got)
	}
	if got := EnergyDistance(x, y, 2); !math.IsNaN(got) {
		t.Errorf("EnergyDistance with a NaN coordinate = %v", got)
	}
	if got := SlicedWasserstein(x, y, 2, 5, rng); !math.IsNaN(got) {
		t.Errorf("SlicedWasserstein with a NaN coordinate = %v", got)
	}
	// An infinite coordinate, in x or in y, makes every metric NaN: the
	// RBF kernel alone would count the point as merely far away.
	for _, inf := range []float32{float32(math.Inf(1)), float32(math.Inf(-1))} {
		x[3] = 0.5
		for _, xs := range [][]float32{x, y} {
			orig := xs[2]
			xs[2] = inf
			if got := MMD2(x, y, 2); !math.IsNaN(got) {
				t.Errorf("MMD2 with a %v coordinate = %v, want NaN", inf, got)
			}
			if got := MMD2Bandwidth(x, y, 2, 1); !math.IsNaN(got) {
				t.Errorf("MMD2Bandwidth with a %v coordinate = %v, want NaN", inf, got)
			}
			if got := EnergyDistance(x, y, 2); !math.IsNaN(got) {
				t.Errorf("EnergyDistance with a %v coordinate = %v, want NaN", inf, got)
			}
			xs[2] = orig
		}
	}
}

// TestMetricsBadInput: each metric refuses a dimension below one, rows cut
// short, samples too small for its estimator and (SlicedWasserstein) a
// nil rng, which dereferenced nil, with a message that names
// it (not a division by zero or an index out of range, nor a NaN from
// 0/0), and MedianSqDist is NaN where there is no median to take.
func TestMetricsBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	x, y := gauss(rng, 10, 2, 0), gauss(rng, 12, 2, 1)
	metrics := map[string]func(x, y []float32, d int) float64{
		"MedianSqDist":   MedianSqDist,
		"MMD2":           MMD2,
		"MMD2Bandwidth":  func(x, y []float32, d int) float64 { return MMD2Bandwidth(x, y, d, 1) },
		"EnergyDistance": EnergyDistance,
		"SlicedWasserstein": func(x, y []float32, d int) float64 {
			return SlicedWasserstein(x, y, d, 3, rand.New(rand.NewPCG(1, 1)))
		},
	}
	for name, f := range metrics {
		fn := name
		if name == "MMD2Bandwidth" {
			fn = "MMD2" // it checks its samples as MMD2 does
		}
		for _, d := range []int{0, -2} {
			mustPanic(t, fmt.Sprintf("%s with d = %d", name, d), func() { f(x, y, d) }, "data: "+fn, fmt.Sprintf("dimension %d", d))
		}
		mustPanic(t, name+" with a partial row", func() { f(x[:5], y, 2) }, "data: "+fn, "len(x) = 5")
	}
	one, other := []float32{0.5, 1}, []float32{2, 3}
	for _, c := range []struct {
		name string
		f    func()
		want string
	}{
		{"EnergyDistance with one row in x", func() { EnergyDistance(one, y, 2) }, "x has 1 row, y 12 rows"},
		{"EnergyDistance with one row in y", func() { EnergyDistance(x, one, 2) }, "x has 10 rows, y 1 row"},
		{"MMD2 with one row each", func() { MMD2(one, other, 2) }, "x has 1 row, y 1 row"},
		{"MMD2 with the same single row", func() { MMD2(one, one, 2) }, "x has 1 row, y 1 row"},
		{"MMD2 with no rows", func() { MMD2(nil, nil, 2) }, "x has 0 rows, y 0 rows"},
		{"MMD2Bandwidth with one row in y", func() { MMD2Bandwidth(x, one, 2, 1) }, "x has 10 rows, y 1 row"},
		{"SlicedWasserstein with no rows in y", func() { SlicedWasserstein(x, nil, 2, 3, rng) }, "x has 10 rows, y 0 rows"},
		{"SlicedWasserstein with no projections", func() { SlicedWasserstein(x, y, 2, 0, rng) }, "0 projections"},
		{"SlicedWasserstein with a nil rng", func() { SlicedWasserstein(x, y, 2, 3, nil) }, "data: SlicedWasserstein: nil rng"},
	} {
		mustPanic(t, c.name, c.f, c.want)
	}
	if got := MedianSqDist(one, nil, 2); !math.IsNaN(got) {
		t.Errorf("MedianSqDist of one row = %v, want NaN", got)
	}
	if got := MedianSqDist(nil, nil, 2); !math.IsNaN(got) {
		t.Errorf("MedianSqDist of no rows = %v, want NaN", got)
	}
	if got := MedianSqDist(one, other, 2); got != 1.5*1.5+2*2 {
		t.Errorf("MedianSqDist of two rows = %v, want their squared distance 6.25", got)
	}
	// A NaN coordinate: NaN, not the median of the other distances shifted
	// by the NaNs that sorting puts first.
	xn := append([]float32(nil), x...)
	xn[3] = float32(math.NaN())
	if got := MedianSqDist(xn, y, 2); !math.IsNaN(got) {
		t.Errorf("MedianSqDist with a NaN coordinate = %v, want NaN", got)
	}
}

// TestSelectKth: selectKth puts the k-th smallest value at k with nothing
// larger before it and nothing smaller after it, for every k of arrays
// of lengths 1–40 with many ties (values from a few integers), distinct
// values, and sorted and reversed input (the median-of-three pivot's
// worst cases for a plain quickselect).
func TestSelectKth(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for n := 1; n <= 40; n++ {
		for kind := range 7 {
			a := make([]float64, n)
			for i := range a {
				switch kind {
				case 4: // signed zeros among a few values
					a[i] = []float64{0, math.Copysign(0, -1), 1, -1}[rng.IntN(4)]
				case 5: // infinities
					a[i] = []float64{math.Inf(1), math.Inf(-1), 0, 2}[rng.IntN(4)]
				case 6: // organ pipe
					a[i] = float64(min(i, n-i))
				case 0:
					a[i] = float64(rng.IntN(4))
				case 1:
					a[i] = rng.NormFloat64()
				case 2:
					a[i] = float64(i)
				case 3:
					a[i] = float64(n - i)
				}
			}
			want := slices.Sorted(slices.Values(a))
			for k := range n {
				b := slices.Clone(a)
				got := selectKth(b, k)
				if got != want[k] || b[k] != want[k] {
					t.Fatalf("n=%d kind %d k=%d: selectKth = %v, b[k] = %v, want %v", n, kind, k, got, b[k], want[k])
				}
				if slices.Max(b[:k+1]) != got || slices.Min(b[k:]) != got {
					t.Fatalf("n=%d kind %d k=%d: not partitioned around %v: %v", n, kind, k, got, b)
				}
			}
		}
	}
}

// TestSelectKthRounds: selectKth makes at most 2·log₂(n) + 4 partitions
// and stays right on the inputs that defeat a median-of-three pivot (an
// organ pipe of 2·10⁶ values took it 20 s, where a sort takes 0.2 s).
func TestSelectKthRounds(t *testing.T) {
	const n = 1 << 16
	for name, f := range map[string]func(i int) float64{
		"organ pipe": func(i int) float64 { return float64(min(i, n-i)) },
		"sorted":     func(i int) float64 { return float64(i) },
		"sawtooth":   func(i int) float64 { return float64(i % 100) },
	} {
		a := make([]float64, n)
		for i := range a {
			a[i] = f(i)
		}
		want := slices.Sorted(slices.Values(a))
		for _, k := range []int{0, n / 3, n / 2, n - 1} {
			b := slices.Clone(a)
			got, rounds := selectKthRounds(b, k)
			if got != want[k] || slices.Max(b[:k+1]) != got || slices.Min(b[k:]) != got {
				t.Fatalf("%s, k = %d: %v, want %v", name, k, got, want[k])
			}
			if limit := 2*17 + 4; rounds > limit {
				t.Errorf("%s, k = %d: %d partitions, want at most %d", name, k, rounds, limit)
			}
		}
	}
}

// TestMedianSqDistBySort: MedianSqDist equals the median of the sorted
// squared distances, for odd and even pair counts, rows that repeat and
// rows that do not.
func TestMedianSqDistBySort(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for c, nm := range [][2]int{{2, 0}, {3, 0}, {2, 2}, {5, 4}, {40, 33}, {2, 2}, {5, 4}, {40, 33}} {
		x, y := make([]float32, 2*nm[0]), make([]float32, 2*nm[1])
		for _, s := range [][]float32{x, y} {
			for i := range s {
				if c < 5 {
					s[i] = float32(rng.IntN(3)) // repeated rows and distances
				} else {
					s[i] = float32(rng.NormFloat64()) // distinct middle pair
				}
			}
		}
		rows := slices.Concat(x, y)
		var ds []float64
		for i := 0; i < len(rows)/2; i++ {
			for j := 0; j < i; j++ {
				ds = append(ds, sqDist(rows[2*i:2*i+2], rows[2*j:2*j+2]))
			}
		}
		slices.Sort(ds)
		want := ds[len(ds)/2]
		if len(ds)%2 == 0 {
			want = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
		}
		if got := MedianSqDist(x, y, 2); got != want {
			t.Errorf("%d and %d rows: MedianSqDist = %v, want %v (sorted)", nm[0], nm[1], got, want)
		}
	}
}

// TestMedianSqDistBound: pairDists.median lists the distances up to
// pairListMax of them and selects through a sample beyond, falling back
// to counting if the pivots miss or too many distances lie between them
// (forced here with pairGather = 0); each way gives the sorted median bit
// for bit, NaN for a NaN distance, and none allocates once a first call
// has made the buffer of distances.
func TestMedianSqDistBound(t *testing.T) {
	defer func(l, g int) { pairListMax, pairGather = l, g }(pairListMax, pairGather)
	pairListMax = 45 // the pairs of 10 rows
	rng := rand.New(rand.NewPCG(8, 8))
	inf := float32(math.Inf(1))
	for _, gather := range []int{2, 0} {
		pairGather = gather
		for _, rows := range []int{9, 10, 11, 40, 41} {
			x, y := gauss(rng, rows/2, 3, 0), gauss(rng, rows-rows/2, 3, 1)
			if rows == 41 { // two rows infinite in the same coordinate: a NaN distance
				x[0], y[0] = inf, inf
			}
			p := pairDists{x: x, y: y, d: 3, n: rows / 2, rows: rows}
			got, want := p.median(), medianSqDistSort(x, y, 3)
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("gather %d, %d rows: median %v, sorted %v", gather, rows, got, want)
			}
			if counted, want := p.passes > 0, rows > 10 && gather == 0 && rows != 41; counted != want { // the sample finds the NaN
				t.Errorf("gather %d, %d rows, %d pairs: counted %v (%d passes), want %v", gather, rows, rows*(rows-1)/2, counted, p.passes, want)
			}
			MedianSqDist(x, y, 3)
			if a := testing.AllocsPerRun(5, func() { MedianSqDist(x, y, 3) }); a != 0 {
				t.Errorf("gather %d, %d rows: %v allocations per call", gather, rows, a)
			}
		}
	}
}

// medianSqDistSort is MedianSqDist by its definition: all the distances
// of the first 1000 rows of x and of y, sorted, and the middle one or the
// mean of the middle two; NaN if a distance is.
func medianSqDistSort(x, y []float32, d int) float64 {
	x, y = x[:min(len(x), 1000*d)], y[:min(len(y), 1000*d)]
	rows := slices.Concat(x, y)
	var ds []float64
	for i := 0; i < len(rows)/d; i++ {
		for j := 0; j < i; j++ {
			ds = append(ds, sqDist(rows[i*d:i*d+d], rows[j*d:j*d+d]))
		}
	}
	if len(ds) == 0 || slices.ContainsFunc(ds, math.IsNaN) {
		return math.NaN()
	}
	slices.Sort(ds)
	k := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[k]
	}
	return (ds[k-1] + ds[k]) / 2
}

// TestMedianSqDistSort holds MedianSqDist (which lists the distances or,
// beyond 362 rows, selects them through a sample) and pairDists.count
// (which counts them in bins over several passes) to the median of the
// sorted distances, bit for bit: random samples of 2 to 2200 rows (the
// median uses 1000 of each), two-point samples whose middle distance is
// repeated more times than a pass gathers, distances that agree to a
// relative 10⁻³ (so the bins must narrow more than once), tiny and
// infinite distances, and a NaN one (two rows infinite with the same sign
// in one coordinate). The passes stay within the documented seven, and
// within three for Gaussian samples.
func TestMedianSqDistSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	type tc struct {
		name   string
		x, y   []float32
		d      int
		passes int // the most passes wanted
	}
	var cases []tc
	for _, s := range [][3]int{{2, 0, 1}, {1, 1, 2}, {2, 1, 1}, {3, 2, 3}, {5, 5, 2}, {17, 30, 1}, {200, 150, 3}, {1100, 1100, 2}} {
		cases = append(cases, tc{fmt.Sprintf("gaussian %d+%d rows, d=%d", s[0], s[1], s[2]), gauss(rng, s[0], s[2], 0), gauss(rng, s[1], s[2], 1), s[2], 3})
	}
	two := make([]float32, 200)
	for i := 100; i < 200; i++ {
		two[i] = 1
	}
	cases = append(cases, tc{"two points, 100 rows each", two[:100], two[100:], 1, 7})
	// x: 1000 rows at u ∈ [0, 2⁻¹³); y: 500 at ±(1 + v), v ∈ [0, 2⁻¹³).
	// Of the 1999000 distances, 749000 within clusters are below 2⁻²⁶,
	// the 10⁶ between x and y lie in [1 − 2⁻¹², 1 + 2⁻¹¹] and hold the
	// median, the rest are near 4.
	near := make([]float32, 2000)
	for i := range near {
		v := float32(rng.IntN(1<<10)) * 0x1p-23
		switch {
		case i < 1000:
			near[i] = v
		case i < 1500:
			near[i] = 1 + v
		default:
			near[i] = -1 - v
		}
	}
	cases = append(cases, tc{"distances within 10⁻³", near[:1000], near[1000:], 1, 7})
	tiny := gauss(rng, 50, 2, 0)
	for i := range tiny {
		tiny[i] *= 1e-30
	}
	cases = append(cases, tc{"tiny distances", tiny[:20], tiny[20:], 2, 7})
	inf := float32(math.Inf(1))
	cases = append(cases,
		tc{"infinite median", []float32{inf, 0, 0, inf}, []float32{-inf, 0, 1, 1}, 2, 7},
		tc{"infinite distances, finite median", []float32{inf, 0, 0, 0, 1, 1}, []float32{2, 0, 0, 3, 5, 5}, 2, 7},
		tc{"NaN distance", []float32{inf, 0, 0, 0}, []float32{inf, 1, 1, 1}, 2, 7},
	)
	for _, c := range cases {
		n, m := len(c.x)/c.d, len(c.y)/c.d
		p := pairDists{x: c.x, y: c.y, d: c.d, n: min(n, 1000), rows: min(n, 1000) + min(m, 1000)}
		got, want := p.count(), medianSqDistSort(c.x, c.y, c.d)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s: counted %v, sorted %v", c.name, got, want)
		}
		sel := MedianSqDist(c.x, c.y, c.d) // lists up to 362 rows, else samples
		if math.Float64bits(sel) != math.Float64bits(want) && !(math.IsNaN(sel) && math.IsNaN(want)) {
			t.Errorf("%s: selected %v, sorted %v", c.name, sel, want)
		}
		q := pairDists{x: c.x, y: c.y, d: c.d, n: min(n, 1000), rows: min(n, 1000) + min(m, 1000)}
		if q.median(); q.passes != 0 { // the fixed sample's pivots hold the middle ranks
			t.Errorf("%s: MedianSqDist fell back to counting (%d passes)", c.name, q.passes)
		}
		if p.passes > c.passes {
			t.Errorf("%s: %d passes, want at most %d", c.name, p.passes, c.passes)
		}
		t.Logf("%s: %v in %d passes", c.name, got, p.passes)
	}
}
