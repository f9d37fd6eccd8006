package sampler

import (
	"context"
	"math"
	"strings"
	"testing"
)

// TestODEFlowTimes: Flow refuses times outside [1.2e-38, T]. From 2 (past
// T = 1) it flowed without a word; to t = 0 Heun's last step reached
// t = −2.8e-17 by rounding, where a model that divides by σ(t) panicked.
func TestODEFlowTimes(t *testing.T) {
	g := newSDEGauss2(DefaultVP(), []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	o := mustNew(NewODESampler(g.sde, g, ODEConfig{Method: ODEHeun, Steps: 10}))
	for _, tt := range [][2]float64{{2, 0.5}, {1, 0}, {0.5, -1}, {math.NaN(), 0.5}, {0.5, math.Inf(1)}, {1, 1e-40}, {5, 5}} {
		x := []float32{0.3, -0.7}
		st, err := o.Flow(context.Background(), x, tt[0], tt[1])
		if err == nil || !strings.Contains(err.Error(), "want times from 1.2e-38 to T = 1") || st != (SDEStats{}) || x[0] != 0.3 || x[1] != -0.7 {
			t.Errorf("Flow from %g to %g: %+v, %v, x = %v; want an error and x as it was", tt[0], tt[1], st, err, x)
		}
	}
	for _, tt := range [][2]float64{{1, 1e-3}, {1e-3, 1}, {0x1p-126, 1e-3}} {
		if _, err := o.Flow(context.Background(), []float32{0.3, -0.7}, tt[0], tt[1]); err != nil {
			t.Errorf("Flow from %g to %g: %v", tt[0], tt[1], err)
		}
	}
}
