package data

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/scorekit/scorekit/internal/english"
)

// checkSamples returns the row counts of x and y, which are row-major with
// d columns, and panics on malformed input.
func checkSamples(fn string, x, y []float32, d int) (int, int) {
	if d <= 0 {
		panic(fmt.Sprintf("data: %s: dimension %d, want > 0", fn, d))
	}
	if len(x)%d != 0 || len(y)%d != 0 {
		panic(fmt.Sprintf("data: %s: len(x) = %d, len(y) = %d: want multiples of d = %d", fn, len(x), len(y), d))
	}
	return len(x) / d, len(y) / d
}

func sqDist(a, b []float32) float64 {
	var s float64
	for i, v := range a {
		t := float64(v) - float64(b[i])
		s += t * t
	}
	return s
}

// MedianSqDist returns the median of the squared distances between
// distinct rows of the pooled sample x ∪ y (at most the first 1000 rows of
// each are used), the bandwidth [MMD2] takes by the median heuristic: for
// P pairs, the middle distance in sorted order if P is odd, else the mean
// of the two middle ones, the value a sort of all P distances gives. It
// returns NaN if a distance is NaN (a coordinate of those rows is NaN, or
// two rows are infinite with the same sign in the same coordinate), or if
// there are fewer than two rows.
//
// It keeps no list of the up to 2·10⁶ distances (16 MB): it lists up to
// 65536 of them, else those a sample marks as holding the middle ones
// (about 55000 of 2·10⁶), in a buffer of at most about 1 MB that it keeps for the
// next call, so that calls made one after another allocate nothing, and
// selects the middle ones there (see [pairDists.median]).
func MedianSqDist(x, y []float32, d int) float64 {
	n, m := checkSamples("MedianSqDist", x, y, d)
	p := pairDists{x: x, y: y, d: d, n: min(n, 1000), rows: min(n, 1000) + min(m, 1000)}
	return p.median()
}

// pairDists is the squared distances between the distinct rows of the
// first n rows of x followed by rows − n rows of y.
type pairDists struct {
	x, y   []float32
	d, n   int
	rows   int
	passes int // calls of each, for the tests
}

// pairListMax is the most distances pairDists.median lists in full for
// a selection (512 KiB of float64, the pairs of 362 rows); beyond, it
// selects them through a sample (pairDists.sampled). A variable, so that
// the tests can lower it.
var pairListMax = 1 << 16

// The sample of pairDists.sampled: pairSample distances of pairs drawn
// with replacement, and the pivots pairMargin sample ranks outside the
// place of the middle ranks in it, 3.5 standard deviations of a sample
// rank there (√(pairSample/4) = 64), so that the pivots miss the middle
// ranks for about one pooled sample in 2000.
const (
	pairSample = 1 << 14
	pairMargin = 224
)

// pairGather is how many times the expected number of distances between
// the pivots pairDists.sampled makes room for (0 in the tests forces the
// fallback to counting).
var pairGather = 2

// pairBuf is the buffer of distances kept between calls of
// pairDists.median: at most one, the largest returned, so that it holds
// about 1 MB for good (a free list would keep one for every call that
// ever ran at once). A call that finds it taken, while another
// goroutine's call runs, makes its own.
var pairBuf struct {
	mu sync.Mutex
	b  []float64
}

// getPairBuf returns a buffer of n float64s: the kept one if it is free
// and large enough, else a new one.
func getPairBuf(n int) []float64 {
	pairBuf.mu.Lock()
	b := pairBuf.b
	pairBuf.b = nil
	pairBuf.mu.Unlock()
	if cap(b) < n {
		b = make([]float64, n)
	}
	return b[:n]
}

// putPairBuf keeps b for the next call, unless a larger one is kept.
func putPairBuf(b []float64) {
	pairBuf.mu.Lock()
	if cap(b) > cap(pairBuf.b) {
		pairBuf.b = b
	}
	pairBuf.mu.Unlock()
}

func (p *pairDists) row(i int) []float32 {
	if i < p.n {
		return p.x[i*p.d : i*p.d+p.d]
	}
	i -= p.n
	return p.y[i*p.d : i*p.d+p.d]
}

// each calls f with the distance of every pair, in a fixed order.
func (p *pairDists) each(f func(v float64)) {
	p.passes++
	for i := 1; i < p.rows; i++ {
		ri := p.row(i)
		for j := 0; j < i; j++ {
			f(sqDist(ri, p.row(j)))
		}
	}
}

// pairBins is the number of bins of each counting pass of
// pairDists.count, and the most distances it gathers for a selection.
const pairBins = 4096

// median returns the median distance, NaN if there is none or a distance
// is NaN, with the bits a sort of all the distances gives. Up to
// pairListMax distances, it lists them all in a kept buffer (getPairBuf)
// and selects the middle ranks with selectKth; beyond, it selects them
// through a sample in one pass (pairDists.sampled), or, if that misses,
// counts them in passes (pairDists.count).
func (p *pairDists) median() float64 {
	total := p.rows * (p.rows - 1) / 2
	if total == 0 {
		return math.NaN()
	}
	a, b := (total-1)/2, total/2 // the middle ranks, equal if total is odd
	if total > pairListMax {
		return p.sampled(total, a, b)
	}
	buf := getPairBuf(total)
	defer putPairBuf(buf)
	k := 0
	for i := 1; i < p.rows; i++ {
		ri := p.row(i)
		for j := 0; j < i; j++ {
			v := sqDist(ri, p.row(j))
			if v != v {
				return math.NaN()
			}
			buf[k] = v
			k++
		}
	}
	return middle(buf, a, b)
}

// sampled returns the mean of the distances of ranks a and b = a or a+1
// of the total (NaN if a distance is NaN) in the manner of Floyd and
// Rivest's selection (CACM 18(3), 1975): it draws a sample of the
// distances, takes two of them as pivots lo ≤ hi that the middle ranks
// very likely lie between, and in one pass over the pairs counts the
// distances below lo and gathers those in [lo, hi], among which
// selectKth finds the middle ranks. For 2·10⁶ distances it gathers about
// 55000 (pairMargin/pairSample of them on either side). If the middle
// ranks are not among them, or they overflow the room made for them, it
// falls back to pairDists.count, which is exact but takes 2 to 7 passes.
// The sample's pairs come from a fixed generator, so the result never
// depends on it, only the time.
func (p *pairDists) sampled(total, a, b int) float64 {
	room := pairGather * (int(int64(total)*(2*pairMargin+2)/pairSample) + 1024)
	buf := getPairBuf(pairSample + room)
	defer putPairBuf(buf)
	smp, g := buf[:pairSample], buf[pairSample:pairSample]
	// Pairs i ≠ j uniform among the rows, from SplitMix64 (Steele, Lea
	// and Flood 2014).
	var state uint64
	rows := uint64(p.rows)
	for k := range smp {
		state += 0x9e3779b97f4a7c15
		z := state
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		z ^= z >> 31
		i, j := int((z>>32)*rows>>32), int((z&0xffffffff)*(rows-1)>>32)
		if j >= i {
			j++
		}
		v := sqDist(p.row(i), p.row(j))
		if v != v {
			return math.NaN()
		}
		smp[k] = v
	}
	ra := int(int64(a)*pairSample/int64(total)) - pairMargin
	rb := int(int64(b)*pairSample/int64(total)) + pairMargin + 1
	lo, hi := math.Inf(-1), math.Inf(1)
	if ra > 0 {
		lo = selectKth(smp, ra)
	} else {
		ra = 0
	}
	if rb < pairSample {
		hi = selectKth(smp[ra:], rb-ra) // selectKth left those ≥ lo after ra
	}
	below, between := 0, 0
	for i := 1; i < p.rows; i++ {
		ri := p.row(i)
		for j := 0; j < i; j++ {
			switch v := sqDist(ri, p.row(j)); {
			case v < lo:
				below++
			case v <= hi:
				if len(g) < room {
					g = append(g, v)
				}
				between++
			case v != v:
				return math.NaN()
			}
		}
	}
	if between > len(g) || a < below || b >= below+between {
		return p.count()
	}
	return middle(g, a-below, b-below)
}

// middle returns a[i] if i = j, else the mean of a[i] and a[j] = the
// next larger value, of a sorted copy of a (no NaNs; j = i or i+1), and
// reorders a.
func middle(a []float64, i, j int) float64 {
	v := selectKth(a, i)
	if i == j {
		return v
	}
	// selectKth left the larger values after rank i.
	return (v + slices.Min(a[i+1:])) / 2
}

// count returns the median distance (NaN if there is none or a distance
// is NaN), exactly, in a few passes over the pairs without storing them.
// A distance is ≥ 0, so its bit pattern orders as it does. Each pass
// counts the distances whose bits lie in the range known to hold the two
// middle ranks (at first every non-NaN value) into pairBins bins of equal
// width, and narrows the range to the bin that holds them; once that bin
// holds at most pairBins distances, one pass gathers them and selectKth
// picks the ranks among them. If the two middle ranks fall in different
// bins, they are the largest of the first bin and the smallest of the
// second, which one pass finds. Each pass divides the range's width by
// 4096, so there are at most seven passes; two or three for samples whose
// distances are not concentrated within a relative 10⁻⁴ or so. The
// counts and the gathered distances live in arrays on the stack (48 KB),
// so it allocates nothing.
func (p *pairDists) count() float64 {
	total := p.rows * (p.rows - 1) / 2
	if total == 0 {
		return math.NaN()
	}
	a, b := (total-1)/2, total/2 // the middle ranks, equal if total is odd
	var counts [pairBins]uint32
	var buf [pairBins]float64
	lo, hi := uint64(0), math.Float64bits(math.Inf(1)) // the keys' range, inclusive
	below := 0                                         // distances with keys < lo
	first := true
	for {
		if lo == hi {
			return math.Float64frombits(lo)
		}
		shift := uint(max(0, bits.Len64(hi-lo)-bits.Len(pairBins-1)))
		clear(counts[:])
		nan := false
		p.each(func(v float64) {
			if k := math.Float64bits(v); k >= lo && k <= hi {
				counts[(k-lo)>>shift]++
			} else if first && v != v {
				nan = true
			}
		})
		if nan {
			return math.NaN()
		}
		first = false
		ba, bb := -1, -1
		c := below
		for i, n := range counts {
			if ba < 0 && a < c+int(n) {
				ba, below = i, c
			}
			if b < c+int(n) {
				bb = i
				break
			}
			c += int(n)
		}
		binLo := func(i int) uint64 { return lo + uint64(i)<<shift }
		binHi := func(i int) uint64 { return min(hi, lo+(uint64(i+1)<<shift)-1) }
		if ba != bb {
			// a is the last rank in bin ba, b the first in bin bb.
			aLo, aHi, bLo, bHi := binLo(ba), binHi(ba), binLo(bb), binHi(bb)
			va, vb := math.Inf(-1), math.Inf(1)
			p.each(func(v float64) {
				switch k := math.Float64bits(v); {
				case k >= aLo && k <= aHi:
					va = max(va, v)
				case k >= bLo && k <= bHi:
					vb = min(vb, v)
				}
			})
			return (va + vb) / 2
		}
		cnt := int(counts[ba])
		lo, hi = binLo(ba), binHi(ba)
		if cnt > len(buf) || lo == hi {
			continue
		}
		g := buf[:0]
		p.each(func(v float64) {
			if k := math.Float64bits(v); k >= lo && k <= hi {
				g = append(g, v)
			}
		})
		return middle(g, a-below, b-below)
	}
}

// selectKth reorders a (no NaNs) so that a[k] is the value a sorted copy
// would hold there, everything before it ≤ a[k] and everything after it
// ≥ a[k], and returns a[k] (Hoare's selection with a median-of-three
// pivot and three-way partitioning, so that ties cost nothing).
func selectKth(a []float64, k int) float64 {
	v, _ := selectKthRounds(a, k)
	return v
}

// selectKthRounds is selectKth, also returning the number of partitions
// it made. A median-of-three pivot can still be the range's second
// smallest or largest at every round (an organ-pipe input, 0 1 2 … 2 1 0,
// took 20 s for 2·10⁶ values), so after 2·log₂(len(a)) + 4 rounds it
// sorts what remains: O(n log n) at worst, as the sort it replaced.
func selectKthRounds(a []float64, k int) (float64, int) {
	lo, hi := 0, len(a)-1
	limit := 2*bits.Len(uint(len(a))) + 4
	rounds := 0
	for lo < hi {
		if rounds == limit {
			slices.Sort(a[lo : hi+1])
			return a[k], rounds
		}
		rounds++
		mid := lo + (hi-lo)/2
		p := median3(a[lo], a[mid], a[hi])
		// Partition a[lo:hi+1] into < p, == p, > p (Dijkstra).
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch v := a[i]; {
			case v < p:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case v > p:
				a[i], a[gt] = a[gt], a[i]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return a[k], rounds
		}
	}
	return a[k], rounds
}

// allFinite reports whether no value of x is NaN or ±Inf.
func allFinite(x []float32) bool {
	for _, v := range x {
		if v-v != 0 {
			return false
		}
	}
	return true
}

func median3(a, b, c float64) float64 {
	return max(min(a, b), min(max(a, b), c))
}

// MMD2 returns the unbiased estimate of the squared maximum mean
// discrepancy (Gretton et al. 2012) between the samples x and y (n and m
// rows of d columns, n, m ≥ 2) with the RBF kernel
// k(a, b) = exp(−‖a − b‖²/ℓ²), where ℓ² is the median squared pairwise
// distance of the pooled sample ([MedianSqDist], the median heuristic):
//
//	MMD² = Σᵢ≠ⱼ k(xᵢ,xⱼ)/(n(n−1)) + Σᵢ≠ⱼ k(yᵢ,yⱼ)/(m(m−1)) − 2·Σᵢⱼ k(xᵢ,yⱼ)/(nm)
//
// It is zero in expectation when x and y come from the same distribution
// and can then be slightly negative. Cost O((n+m)²·d). It returns NaN if a
// coordinate is NaN or ±Inf (as EnergyDistance does: the kernel alone
// would count an infinite point as merely far) or if the median is not
// positive (more than half of the pooled rows' pairs coincide, as in
// samples of a few repeated points), and panics unless n, m ≥ 2.
func MMD2(x, y []float32, d int) float64 {
	checkMMD2(x, y, d)
	if !allFinite(x) || !allFinite(y) {
		return math.NaN()
	}
	l2 := MedianSqDist(x, y, d)
	if !(l2 > 0) {
		return math.NaN()
	}
	return MMD2Bandwidth(x, y, d, l2)
}

func checkMMD2(x, y []float32, d int) (n, m int) {
	n, m = checkSamples("MMD2", x, y, d)
	if n < 2 || m < 2 {
		panic(fmt.Sprintf("data: MMD2: x has %s, y %s; want at least 2 each", english.Count(n, "row"), english.Count(m, "row")))
	}
	return n, m
}

// MMD2Bandwidth is [MMD2] with the kernel's ℓ² given; it too returns NaN
// if a coordinate is NaN or ±Inf. It panics unless ℓ² > 0 (a negative ℓ²
// made the kernel grow with the distance).
func MMD2Bandwidth(x, y []float32, d int, l2 float64) float64 {
	n, m := checkMMD2(x, y, d)
	if !(l2 > 0) {
		panic(fmt.Sprintf("data: MMD2Bandwidth: ℓ² = %v, want > 0", l2))
	}
	if !allFinite(x) || !allFinite(y) {
		return math.NaN()
	}
	k := func(a, b []float32) float64 { return math.Exp(-sqDist(a, b) / l2) }
	var kxx, kyy, kxy float64
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			kxx += k(x[i*d:i*d+d], x[j*d:j*d+d])
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < i; j++ {
			kyy += k(y[i*d:i*d+d], y[j*d:j*d+d])
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			kxy += k(x[i*d:i*d+d], y[j*d:j*d+d])
		}
	}
	fn, fm := float64(n), float64(m)
	return 2*kxx/(fn*(fn-1)) + 2*kyy/(fm*(fm-1)) - 2*kxy/(fn*fm)
}

// EnergyDistance returns the energy distance (Székely & Rizzo 2013)
// between the samples x and y (n, m ≥ 2 rows of d columns):
//
//	2·E‖X − Y‖ − E‖X − X′‖ − E‖Y − Y′‖
//
// with the within-sample means over distinct pairs (U-statistics), so it
// is unbiased and zero in expectation for equal distributions. The
// population value is non-negative and zero only for equal distributions.
func EnergyDistance(x, y []float32, d int) float64 {
	n, m := checkSamples("EnergyDistance", x, y, d)
	if n < 2 || m < 2 {
		panic(fmt.Sprintf("data: EnergyDistance: x has %s, y %s; want at least 2 each", english.Count(n, "row"), english.Count(m, "row")))
	}
	var exy, exx, eyy float64
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			exy += math.Sqrt(sqDist(x[i*d:i*d+d], y[j*d:j*d+d]))
		}
		for j := 0; j < i; j++ {
			exx += math.Sqrt(sqDist(x[i*d:i*d+d], x[j*d:j*d+d]))
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < i; j++ {
			eyy += math.Sqrt(sqDist(y[i*d:i*d+d], y[j*d:j*d+d]))
		}
	}
	fn, fm := float64(n), float64(m)
	return 2*exy/(fn*fm) - 2*exx/(fn*(fn-1)) - 2*eyy/(fm*(fm-1))
}

// SlicedWasserstein returns the sliced 2-Wasserstein distance between the
// samples x and y (n, m ≥ 1 rows of d columns):
//
//	SW₂ = ( mean over θ of W₂²(θᵀX, θᵀY) )^{1/2}
//
// over the given number of directions θ drawn uniformly on the unit sphere
// from rng. Each one-dimensional W₂² is exact for the empirical measures:
// ∫₀¹ (F⁻¹(u) − G⁻¹(u))² du over their quantile functions, which are
// constant between the breakpoints i/n and j/m, so for n = m it is the
// mean squared difference of the sorted projections. It panics if rng is
// nil: the directions are random, and the caller's seed makes the
// distance reproducible.
func SlicedWasserstein(x, y []float32, d, projections int, rng *rand.Rand) float64 {
	n, m := checkSamples("SlicedWasserstein", x, y, d)
	if n < 1 || m < 1 || projections < 1 {
		panic(fmt.Sprintf("data: SlicedWasserstein: x has %s, y %s, and %s; want ≥ 1 each", english.Count(n, "row"), english.Count(m, "row"), english.Count(projections, "projection")))
	}
	checkRNG("SlicedWasserstein", "the directions", rng)
	theta := make([]float64, d)
	px, py := make([]float64, n), make([]float64, m)
	project := func(dst []float64, s []float32) {
		for i := range dst {
			var v float64
			for j, t := range theta {
				v += t * float64(s[i*d+j])
			}
			dst[i] = v
		}
		slices.Sort(dst)
	}
	var total float64
	for p := 0; p < projections; p++ {
		var nn float64
		for nn == 0 {
			nn = 0
			for j := range theta {
				theta[j] = rng.NormFloat64()
				nn += theta[j] * theta[j]
			}
		}
		nn = math.Sqrt(nn)
		for j := range theta {
			theta[j] /= nn
		}
		project(px, x)
		project(py, y)
		total += w2Sorted(px, py)
	}
	return math.Sqrt(total / float64(projections))
}

// w2Sorted returns W₂² between the empirical measures of the sorted
// samples a and b: the quantile functions are aᵢ on (i/n, (i+1)/n] and bⱼ
// on (j/m, (j+1)/m], so the integral is a sum over the merged breakpoints,
// which are compared as the integers (i+1)·m and (j+1)·n to stay exact
// (in 64 bits: n·m passes 2³¹ on 32-bit platforms at n, m ≈ 46,000).
func w2Sorted(a, b []float64) float64 {
	n, m := int64(len(a)), int64(len(b))
	var s float64
	var i, j, lo int64 // lo: the last breakpoint times n·m
	for i < n && j < m {
		ea, eb := (i+1)*m, (j+1)*n
		hi := min(ea, eb)
		t := a[i] - b[j]
		s += float64(hi-lo) * t * t
		lo = hi
		if ea == hi {
			i++
		}
		if eb == hi {
			j++
		}
	}
	return s / (float64(n) * float64(m))
}
