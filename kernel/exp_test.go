package kernel

import (
	"flag"
	"math"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
)

var exhaustive = flag.Bool("exhaustive", false, "test exp over every float32 in its range, not a sample")

// expMaxULP is the bound written in exp32's doc comment.
const expMaxULP = 1

// TestExpULP measures exp32 against float64 math.Exp rounded to float32
// over the float32 values of [−104, 89] (every 61st one, or all of them
// with -exhaustive), and the values beyond it. The vector implementations
// compute the same sequence: TestElementwiseImplsAgree (and, with
// -exhaustive, TestActExhaustive) holds them to it bit for bit through
// ELU's derivative, which is exp below zero.
func TestExpULP(t *testing.T) {
	step := uint32(61)
	if *exhaustive {
		step = 1
	}
	var worst uint32
	var worstX float32
	check := func(x float32) {
		want := float32(math.Exp(float64(x)))
		if u := kerneltest.ULP(exp32(x), want); u > worst {
			worst, worstX = u, x
		}
	}
	for b := uint32(0); b <= math.Float32bits(89); b += step {
		check(math.Float32frombits(b))
	}
	for b := uint32(1 << 31); b <= math.Float32bits(-104); b += step {
		check(math.Float32frombits(b))
	}
	for _, x := range kerneltest.Specials {
		check(x)
	}
	t.Logf("max error %d ulp at x = %g", worst, worstX)
	if worst > expMaxULP {
		t.Fatalf("exp32 max error %d ulp at x = %g (exp32 %g, math.Exp %g), bound %d", worst, worstX, exp32(worstX), math.Exp(float64(worstX)), expMaxULP)
	}
	for _, c := range []struct{ x, want float32 }{{0, 1}, {float32(math.Inf(1)), float32(math.Inf(1))}, {float32(math.Inf(-1)), 0}, {89, float32(math.Inf(1))}, {-104, 0}} {
		if got := exp32(c.x); got != c.want {
			t.Errorf("exp32(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if x := exp32(float32(math.NaN())); x == x {
		t.Errorf("exp32(NaN) = %g", x)
	}
}

// TestExpTies holds exp32 to the sequence its doc comment writes, with the
// coefficients given there by their bits, at the inputs where x·log2e
// (rounded to float32) is exactly k + ½: there roundeven and round-half-
// away pick different n, and a different n gives a result one ulp off in
// 16 of the 291 such inputs of [−104, 89]. Every implementation must give
// the same bits (through ELU's derivative, which is exp below zero); a
// sample of the range would almost never draw one of these inputs.
func TestExpTies(t *testing.T) {
	f := math.Float32frombits
	p2, p3, p4, p5, p6 := f(0x3effffff), f(0x3e2aaa3f), f(0x3d2aab1c), f(0x3c092384), f(0x3ab61a88)
	ref := func(x float32) float32 {
		n := float32(math.RoundToEven(float64(x * float32(log2e))))
		r := exactFMA(-n, f(0x3f318000), x)
		r = exactFMA(-n, ln2Lo, r)
		p := exactFMA(p6, r, p5)
		p = exactFMA(p, r, p4)
		p = exactFMA(p, r, p3)
		p = exactFMA(p, r, p2)
		p = exactFMA(p, r, 1)
		p = exactFMA(p, r, 1)
		// p·2ⁿ rounded once (float64 holds p·2ⁿ exactly down to 2⁻¹⁰⁷⁴)
		return float32(math.Ldexp(float64(p), int(n)))
	}
	var ties, neg []float32
	for k := -151; k <= 129; k++ {
		y := float32(k) + 0.5
		b := math.Float32bits(float32(float64(y) / float64(float32(log2e))))
		for d := b - 20; d < b+20; d++ {
			if x := f(d); x*float32(log2e) == y && x >= expMin && x <= expMax {
				ties = append(ties, x)
				if x < 0 {
					neg = append(neg, x)
				}
			}
		}
	}
	if len(ties) < 200 {
		t.Fatalf("found only %d ties", len(ties))
	}
	for _, x := range ties {
		if got, want := exp32(x), ref(x); got != want {
			t.Fatalf("exp32(%g) = %g (%#x), want %g (%#x)", x, got, bits(got), want, bits(want))
		}
	}
	got := make([]float32, len(neg))
	for _, impl := range Available() {
		impl.ActDeriv(ELU, got, neg)
		for i, x := range neg {
			if bits(got[i]) != bits(exp32(x)) {
				t.Fatalf("%v: ELU'(%g) = %g, exp32 %g", impl, x, got[i], exp32(x))
			}
		}
	}
}
