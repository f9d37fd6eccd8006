package data

import (
	"math"
	"testing"
)

// FuzzScores holds the banana, funnel and Rosenbrock scores to central
// differences of their log densities at arbitrary moderate points.
func FuzzScores(f *testing.F) {
	f.Add(0.0, 0.0, 0.0)
	f.Add(3.0, -1.0, 0.5)
	f.Add(-2.5, 4.0, -1.5)
	f.Fuzz(func(t *testing.T, a, b, c float64) {
		for _, v := range []float64{a, b, c} {
			if math.IsNaN(v) || math.Abs(v) > 5 {
				t.Skip()
			}
		}
		targets := []target64{NewBanana(), NewFunnel(3), NewRosenbrock(3)}
		for _, tg := range targets {
			x := []float64{a, b, c}[:tg.Dim()]
			g := make([]float64, len(x))
			tg.Score64(g, x)
			xp := make([]float64, len(x))
			for i := range x {
				h := 1e-6 * max(1, math.Abs(x[i]))
				copy(xp, x)
				xp[i] = x[i] + h
				fp := tg.LogDensity64(xp)
				xp[i] = x[i] - h
				fd := (fp - tg.LogDensity64(xp)) / (2 * h)
				if math.Abs(fd-g[i]) > 1e-4*(1+math.Abs(g[i])+math.Abs(tg.LogDensity64(x))) {
					t.Errorf("%T at %v: score[%d] = %v, finite difference %v", tg, x, i, g[i], fd)
				}
			}
		}
	})
}
