package sampler

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/scorekit/scorekit/internal/refrand"
)

type refCase struct {
	Name                  string
	Seed                  uint64
	M, N                  int
	Kind                  string
	Phi, Shift, Scale0    float64
	ESS, RHat, Bulk, Tail json.RawMessage
	MCSE                  json.RawMessage
	First                 []float64
}

// makeChains mirrors make_chains in testdata/diag_ref.py.
func (c refCase) makeChains() [][]float64 {
	rng := refrand.New(c.Seed)
	scale0 := c.Scale0
	if scale0 == 0 {
		scale0 = 1
	}
	out := make([][]float64, c.M)
	for m := range out {
		ch := make([]float64, c.N)
		switch c.Kind {
		case "ar1":
			s := math.Sqrt(1 - float64(c.Phi*c.Phi))
			x := rng.Normal()
			for t := range ch {
				x = float64(c.Phi*x) + float64(s*rng.Normal()) // rounded products: no fused a*b + c on arm64
				v := x + float64(m)*c.Shift
				if m == 0 {
					v *= scale0
				}
				ch[t] = v
			}
		case "cauchy":
			for t := range ch {
				a := rng.Normal()
				ch[t] = a / rng.Normal()
			}
		case "ties":
			for t := range ch {
				ch[t] = float64(rng.Uint64() % 5)
			}
		case "trend":
			for t := range ch {
				ch[t] = float64(t)/100 + rng.Normal()
			}
		case "stuck":
			for t := range ch {
				ch[t] = float64(m + 1)
			}
		default:
			panic("unknown kind " + c.Kind)
		}
		out[m] = ch
	}
	return out
}

// refValue decodes a stored result: null is NaN, "inf" is +Inf; ok is
// false if the reference did not compute it.
func refValue(raw json.RawMessage) (v float64, ok bool) {
	if len(raw) == 0 {
		return 0, false
	}
	if string(raw) == "null" {
		return math.NaN(), true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		v, err := strconv.ParseFloat(s, 64)
		return v, err == nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		panic(err)
	}
	return v, true
}

// TestDiagnosticsReference holds ESS, BulkESS, TailESS, SplitRHat and
// Summarize's MCSE to the independent numpy implementation in
// testdata/diag_ref.py (Stan's and ArviZ's definitions; see its doc
// string) on AR(1) chains with positive and negative correlation, odd
// lengths, one chain and many, heavy tails, ties, a trend, chains stuck at
// different values and chains of 4 to 9 draws.
func TestDiagnosticsReference(t *testing.T) {
	raw, err := os.ReadFile("testdata/diag_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []refCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	same := func(got, want float64) bool {
		if math.IsNaN(want) || math.IsInf(want, 0) {
			return got == want || math.IsNaN(got) && math.IsNaN(want)
		}
		return math.Abs(got-want) <= 1e-9*math.Abs(want)
	}
	for _, c := range cases {
		ch := c.makeChains()
		for i, v := range c.First {
			if math.Abs(ch[0][i]-v) > 1e-13*math.Abs(v) {
				t.Fatalf("%s: draw %d is %v, the reference's %v: the generators differ", c.Name, i, ch[0][i], v)
			}
		}
		checks := []struct {
			what string
			raw  json.RawMessage
			f    func([][]float64) float64
		}{
			{"ESS", c.ESS, ESS},
			{"SplitRHat", c.RHat, SplitRHat},
			{"BulkESS", c.Bulk, BulkESS},
			{"TailESS", c.Tail, TailESS},
			{"Summarize(…).MCSE", c.MCSE, func(ch [][]float64) float64 { return Summarize(ch).MCSE }},
		}
		for _, k := range checks {
			want, ok := refValue(k.raw)
			if !ok {
				continue
			}
			if got := k.f(ch); !same(got, want) {
				t.Errorf("%s: %s = %.10g, reference %.10g", c.Name, k.what, got, want)
			} else {
				t.Logf("%s: %s = %.10g, reference %.10g", c.Name, k.what, got, want)
			}
		}
	}
}
