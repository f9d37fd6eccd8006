package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
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

// ulaStepCase is one ULA step of a 2-w-w-w-2 SiLU net over chains.
func ulaStepCase(width, chains, workers int) (Case, error) {
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{width, width, width}, Act: kernel.SiLU}, 1)
	if err != nil {
		return Case{}, err
	}
	u, err := sampler.NewULA(m, sampler.ULAConfig{Step: 1e-4, Chain: sampler.ChainConfig{Seed: 1, Steps: 1, Workers: workers}})
	if err != nil {
		return Case{}, err
	}
	x := suiteRand(2*chains, 1, 11)
	ctx := context.Background()
	return Case{Group: "scaling", Name: fmt.Sprintf("ULA step 2-%d-%d-%d-2, %d chains, %d goroutines", width, width, width, chains, workers),
		Impl: "active", Work: float64(chains), Unit: "sample", Run: func(k int) error {
			for range k {
				if _, err := u.Run(ctx, x); err != nil {
					return err
				}
			}
			return nil
		}}, nil
}

// MeasureScaling measures the scaling series, each point for about target.
func MeasureScaling(target time.Duration) (Scaling, error) {
	var s Scaling
	for _, workers := range []int{1, 2} {
		ser := Series{Label: fmt.Sprintf("%d goroutine(s)", workers)}
		for _, b := range Batches {
			c, err := ulaStepCase(128, b, workers)
			if err != nil {
				return s, err
			}
			r, err := Measure(c, target, nil)
			if err != nil {
				return s, err
			}
			ser.X = append(ser.X, float64(b))
			ser.Y = append(ser.Y, r.PerSec)
		}
		s.ByBatch = append(s.ByBatch, ser)
	}
	ser := Series{Label: "1 goroutine, 1024 chains"}
	for _, w := range Widths {
		c, err := ulaStepCase(w, 1024, 1)
		if err != nil {
			return s, err
		}
		r, err := Measure(c, target, nil)
		if err != nil {
			return s, err
		}
		ser.X = append(ser.X, float64(w))
		ser.Y = append(ser.Y, r.NsPerOp/1e3)
	}
	s.ByWidth = append(s.ByWidth, ser)
	return s, nil
}
