package nn

import (
	"fmt"
	"math"
	"testing"
)

// TestOptimRanges: NewAdam refuses a negative, NaN or infinite rate (and
// a negative size, a bare makeslice error before), and Step an LR set so
// afterwards, where a negative rate climbed the loss and a NaN one made
// every parameter NaN; LR 0 stays legal (the parameters stand still).
// NewEMA, RestoreEMA and Update refuse a rate outside [0, 1), where a
// negative one made the average overshoot and grow.
func TestOptimRanges(t *testing.T) {
	for _, lr := range []float64{-1e-3, math.NaN(), math.Inf(1), math.Inf(-1)} {
		mustPanicWith(t, func() { NewAdam(2, lr) }, "nn: NewAdam: lr = "+fmt.Sprint(lr)+": want a finite rate ≥ 0")
		a := NewAdam(2, 1e-3)
		a.LR = lr
		mustPanicWith(t, func() { a.Step(make([]float32, 2), make([]float32, 2)) }, "nn: Adam.Step: LR = "+fmt.Sprint(lr)+": want a finite rate ≥ 0")
	}
	mustPanicWith(t, func() { NewAdam(-1, 1e-3) }, "nn: NewAdam: n = -1 parameters, want ≥ 0")
	// The other fields, which Step took without a word: Beta1 = 1 made
	// the parameters NaN at the first step.
	for _, c := range []struct {
		set  func(*Adam)
		want string
	}{
		{func(a *Adam) { a.Beta1 = 1 }, "Beta1 = 1: want 0 ≤ Beta1 < 1"},
		{func(a *Adam) { a.Beta1 = -0.1 }, "Beta1 = -0.1: want 0 ≤ Beta1 < 1"},
		{func(a *Adam) { a.Beta2 = math.NaN() }, "Beta2 = NaN: want 0 ≤ Beta2 < 1"},
		{func(a *Adam) { a.Eps = 0 }, "Eps = 0: want a finite Eps > 0"},
		{func(a *Adam) { a.WeightDecay = -1e-2 }, "WeightDecay = -0.01: want a finite WeightDecay ≥ 0"},
		{func(a *Adam) { a.WeightDecay = 1000 }, "LR·WeightDecay = 0.001·1000: want it below 1"},
	} {
		a := NewAdam(2, 1e-3)
		c.set(a)
		mustPanicWith(t, func() { a.Step(make([]float32, 2), make([]float32, 2)) }, "nn: Adam.Step: "+c.want)
	}
	p := []float32{1, -2}
	a := NewAdam(2, 0)
	a.Step(p, []float32{0.5, 0.5})
	if p[0] != 1 || p[1] != -2 {
		t.Errorf("LR 0: params %v, want them unchanged", p)
	}
	for _, r := range []float64{-0.5, 1, 2, math.NaN()} {
		want := "rate = " + fmt.Sprint(r) + ", want 0 ≤ rate < 1"
		mustPanicWith(t, func() { NewEMA(p, r) }, "nn: NewEMA: "+want)
		mustPanicWith(t, func() { RestoreEMA(p, r, 3) }, "nn: RestoreEMA: "+want)
		e := NewEMA(p, 0.9)
		e.Rate = r
		mustPanicWith(t, func() { e.Update(p) }, "nn: EMA.Update: Rate = "+fmt.Sprint(r)+", want 0 ≤ Rate < 1")
	}
	e := NewEMA([]float32{0}, 0)
	e.Update([]float32{3})
	if e.Params()[0] != 3 {
		t.Errorf("rate 0: average %v, want the latest parameters, 3", e.Params()[0])
	}
}
