package sampler

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// nanAbove7 is the score 0 in ℝ², NaN on rows whose first coordinate
// exceeds 7.
type nanAbove7 struct{}

func (nanAbove7) Dim() int { return 2 }
func (nanAbove7) TimeScore(dst, x []float32, _ float32) {
	above7(dst, x, float32(math.NaN()))
}

// infAbove7 is nanAbove7 with +Inf for NaN.
type infAbove7 struct{}

func (infAbove7) Dim() int { return 2 }
func (infAbove7) TimeScore(dst, x []float32, _ float32) {
	above7(dst, x, float32(math.Inf(1)))
}

// above7 sets dst to 0, and to v on the rows of x (in ℝ²) whose first
// coordinate exceeds 7.
func above7(dst, x []float32, v float32) {
	for i := range dst {
		dst[i] = 0
		if x[i&^1] > 7 {
			dst[i] = v
		}
	}
}

// TestODERK45NaNTrialPoint: RK45's starting step makes a trial Euler step
// of h0 to estimate the second derivative d2. When the right-hand side is
// NaN there for one chain, d2 is NaN, and so was h1 = (0.01/d2)^(1/5)
// and, through Go's min, which returns NaN if any argument is NaN, the
// first step: every chain's stages became NaN and the error named chain
// 0. As in scipy (Python's min passes over a NaN), h1 is now left out,
// the first step is min(100·h0, span), and the divergence is chain 1's,
// which starts at 7 and moves up under VP's drift −½β(t)x with a zero
// score.
//
// An infinite right-hand side there made d2 +Inf and h1 0 (as in scipy),
// and the run stopped at once with "RK45 step size 0 too small at t = 1",
// naming no chain: h1 = 0 is passed over too.
func TestODERK45NaNTrialPoint(t *testing.T) {
	for _, score := range []TimeScore{nanAbove7{}, infAbove7{}} {
		o := mustNew(NewODESampler(DefaultVP(), score, ODEConfig{Workers: 1}))
		x := []float32{1, 1, 7, 1, 1, 1}
		_, err := o.Flow(context.Background(), x, 1, 1e-3)
		var de *DivergenceError
		if !errors.As(err, &de) || de.Chain != 1 || de.Step != 0 || !strings.Contains(de.Hint, "RK45 step from t = 1") {
			t.Errorf("%T: error %v (%+v), want a *DivergenceError naming chain 1 at step 0", score, err, de)
		}
	}
}

// shifted is the score 0.5 − x in ℝ²: its ODE's right-hand side is not 0
// where x is.
type shifted struct{}

func (shifted) Dim() int { return 2 }
func (shifted) TimeScore(dst, x []float32, _ float32) {
	for i, v := range x {
		dst[i] = 0.5 - v
	}
}

// TestODERK45TinyATol: RK45's starting step takes norms of the state and
// the right-hand side scaled by atol + rtol·|y|. Where a coordinate is 0
// and atol tiny, the scaled right-hand side is huge, and with ATol =
// 1e-160 its square overflowed: the run stopped with a DivergenceError for
// chain 0 ("the initial state, its score or its log density is not
// finite"), although every value was finite. The error now says the
// tolerances are too small. An ATol of 1e-100 does not overflow and gives
// scipy's outcome, a first step too small, whose message now names the
// tolerances too.
func TestODERK45TinyATol(t *testing.T) {
	for _, c := range []struct {
		atol float64
		want string
	}{
		{1e-5, ""},
		{1e-100, "too small at t = 1: the score is not smooth there, or the tolerances (RTol 1e-05, ATol 1e-100) are too tight"},
		{1e-160, "error norms overflow at t = 1: the tolerances (RTol 1e-05, ATol 1e-160) are too small"},
		{1e-300, "error norms overflow at t = 1: the tolerances (RTol 1e-05, ATol 1e-300) are too small"},
	} {
		o := mustNew(NewODESampler(DefaultVP(), shifted{}, ODEConfig{Workers: 1, ATol: c.atol}))
		x := []float32{0, 1, 0.5, 0}
		_, err := o.Flow(context.Background(), x, 1, 1e-3)
		var de *DivergenceError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("ATol %g: %v", c.atol, err)
		case c.want != "" && (err == nil || errors.As(err, &de) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("ATol %g: error %v, want one containing %q", c.atol, err, c.want)
		}
	}
}
