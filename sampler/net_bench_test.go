package sampler_test

import (
	"context"
	"testing"

	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// BenchmarkULAStepNet is one ULA step of one chain through the small
// score net 2-128-128-128-2 (SiLU), the latency path of a sampler over a
// network: nn.Model.Score on one row, Philox normals and the update.
// "steps" runs all the steps in one Run; "run" calls Run for each step, as
// scorekit bench does, so it adds the cost of starting a run.
//
//	go test ./sampler -run '^$' -bench ULAStepNet -count 6 | benchstat -
func BenchmarkULAStepNet(b *testing.B) {
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{128, 128, 128}, Act: kernel.SiLU}, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("steps", func(b *testing.B) {
		u, err := sampler.NewULA(m, sampler.ULAConfig{Step: 1e-4, Chain: sampler.ChainConfig{Seed: 1, Steps: b.N, Workers: 1, Segment: 1 << 20}})
		if err != nil {
			b.Fatal(err)
		}
		x := make([]float32, 2)
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := u.Run(context.Background(), x); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("run", func(b *testing.B) {
		u, err := sampler.NewULA(m, sampler.ULAConfig{Step: 1e-4, Chain: sampler.ChainConfig{Seed: 1, Steps: 1, Workers: 1}})
		if err != nil {
			b.Fatal(err)
		}
		x := make([]float32, 2)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := u.Run(context.Background(), x); err != nil {
				b.Fatal(err)
			}
		}
	})
}
