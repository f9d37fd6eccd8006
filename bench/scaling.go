package bench

import (
	"fmt"
	"time"
)

// Series is one line of a scaling plot: Y against X.
type Series struct {
	Label string
	X, Y  []float64
}

// Scaling is how the cost grows with the work, for the plots in docs/.
type Scaling struct {
	// ByBatch: chain-steps per second of one ULA step of the small net
	// against the number of chains, for 1 and 2 goroutines.
	ByBatch []Series
	// ByWidth: microseconds per ULA step of 1024 chains of the MLP
	// 2-w-w-w-2 against the width w, one goroutine.
	ByWidth []Series
}

// Batches and Widths are the scaling plots' x values.
var (
	Batches = []int{1, 4, 16, 64, 256, 1024, 4096, 8192}
	Widths  = []int{64, 128, 256, 512, 1024}
)

// MeasureScaling measures the scaling series, each point for about target.
func MeasureScaling(target time.Duration) (Scaling, error) {
	var s Scaling
	for _, workers := range []int{1, 2} {
		ser, err := measureSeries(fmt.Sprintf("%d goroutine(s)", workers), Batches, target,
			func(b int) Case { return ulaStepCase(128, b, workers) },
			func(r Result) float64 { return r.PerSec })
		if err != nil {
			return s, err
		}
		s.ByBatch = append(s.ByBatch, ser)
	}
	ser, err := measureSeries("1 goroutine, 1024 chains", Widths, target,
		func(w int) Case { return ulaStepCase(w, 1024, 1) },
		func(r Result) float64 { return r.NsPerOp / 1e3 })
	if err != nil {
		return s, err
	}
	s.ByWidth = append(s.ByWidth, ser)
	return s, nil
}

// measureSeries measures the case at every x for about target and
// returns the series of y(result) against x.
func measureSeries(label string, xs []int, target time.Duration, at func(x int) Case, y func(Result) float64) (Series, error) {
	ser := Series{Label: label}
	for _, x := range xs {
		r, err := Measure(at(x), target, nil)
		if err != nil {
			return ser, err
		}
		ser.X = append(ser.X, float64(x))
		ser.Y = append(ser.Y, y(r))
	}
	return ser, nil
}
