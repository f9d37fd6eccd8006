package sampler

import (
	"math"
	"math/rand/v2"
	"testing"
)

func ar1Chains(seed uint64, m, n int, phi, shift float64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([][]float64, m)
	s := math.Sqrt(1 - phi*phi)
	for c := range out {
		out[c] = make([]float64, n)
		x := rng.NormFloat64()
		for t := range out[c] {
			x = phi*x + s*rng.NormFloat64()
			out[c][t] = x + float64(c)*shift
		}
	}
	return out
}

func TestAutocovariance(t *testing.T) {
	x := ar1Chains(1, 1, 257, 0.5, 0)[0]
	got := Autocovariance(nil, x)
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for lag := 0; lag < len(x); lag += 17 {
		var want float64
		for i := 0; i+lag < len(x); i++ {
			want += (x[i] - mean) * (x[i+lag] - mean)
		}
		want /= float64(len(x))
		if math.Abs(got[lag]-want) > 1e-10 {
			t.Errorf("lag %d: %v, want %v", lag, got[lag], want)
		}
	}
}

// TestESS checks ESS on AR(1) chains against the integrated
// autocorrelation time (1+φ)/(1−φ); the estimator's relative error at
// these sizes is a few percent.
func TestESS(t *testing.T) {
	for _, phi := range []float64{0, 0.5, 0.9} {
		const m, n = 4, 5000
		ch := ar1Chains(2, m, n, phi, 0)
		want := m * n * (1 - phi) / (1 + phi)
		got := ESS(ch)
		if math.Abs(got/want-1) > 0.15 {
			t.Errorf("φ = %v: ESS = %v, want ≈ %v", phi, got, want)
		}
		if b := BulkESS(ch); math.Abs(b/want-1) > 0.2 {
			t.Errorf("φ = %v: bulk ESS = %v, want ≈ %v", phi, b, want)
		}
	}
	if e := ESS([][]float64{{1, 1, 1, 1, 1}}); !math.IsNaN(e) {
		t.Errorf("ESS of a constant chain = %v, want NaN", e)
	}
}

func TestSplitRHat(t *testing.T) {
	good := ar1Chains(3, 4, 2000, 0.5, 0)
	if r := SplitRHat(good); r > 1.01 || r < 0.99 {
		t.Errorf("R̂ of mixed chains = %v", r)
	}
	bad := ar1Chains(4, 4, 2000, 0.5, 1)
	if r := SplitRHat(bad); r < 1.1 {
		t.Errorf("R̂ of chains with different means = %v", r)
	}
	// A trend within each chain is caught by splitting even with one chain.
	trend := make([]float64, 1000)
	for i := range trend {
		trend[i] = float64(i) / 100
	}
	if r := SplitRHat([][]float64{trend}); r < 1.5 {
		t.Errorf("R̂ of a trending chain = %v", r)
	}
	// Same location, different scales: the folded R̂ sees it.
	scale := ar1Chains(5, 4, 2000, 0, 0)
	for i := range scale[0] {
		scale[0][i] *= 4
	}
	if r := SplitRHat(scale); r < 1.05 {
		t.Errorf("R̂ of chains with different scales = %v", r)
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize(ar1Chains(6, 4, 5000, 0, 0))
	if math.Abs(s.Mean) > 5*s.MCSE || math.Abs(s.SD-1) > 0.03 || math.Abs(s.Q95-1.645) > 0.05 || math.Abs(s.Q50) > 0.05 {
		t.Errorf("summary of N(0,1) draws: %v", s)
	}
	if s.ESSTail < 5000 || s.RHat > 1.01 {
		t.Errorf("summary of independent draws: %v", s)
	}
	if a := (Acceptance{3, 4}).Add(Acceptance{1, 4}); a.Rate() != 0.5 {
		t.Errorf("Acceptance rate %v", a.Rate())
	}
}
