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
