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
//
//	go test ./sampler -run '^$' -bench ULAStepNet -count 6 | benchstat -
func BenchmarkULAStepNet(b *testing.B) {
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{128, 128, 128}, Act: kernel.SiLU}, 1)
	if err != nil {
		b.Fatal(err)
	}
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}
