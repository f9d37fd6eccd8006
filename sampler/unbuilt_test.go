package sampler

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/internal/testpanic"
)

// TestUnbuiltPanics: a sampler its constructor did not make (a zero
// value, or the nil pointer a constructor returns with an error) panics
// naming the method and the constructor, where it failed with a nil
// dereference (the Langevin family, via the score's Dim) or an integer
// division by zero (the SDE samplers, whose d is 0).
func TestUnbuiltPanics(t *testing.T) {
	ctx := context.Background()
	x := make([]float32, 4)
	cases := []struct {
		method string
		zero   func()
		nilPtr func()
	}{
		{"ULA.Run", func() { new(ULA).Run(ctx, x) }, func() { (*ULA)(nil).Run(ctx, x) }},
		{"MALA.Run", func() { new(MALA).Run(ctx, x) }, func() { (*MALA)(nil).Run(ctx, x) }},
		{"SGLD.Run", func() { new(SGLD).Run(ctx, x) }, func() { (*SGLD)(nil).Run(ctx, x) }},
		{"SGHMC.Run", func() { new(SGHMC).Run(ctx, x) }, func() { (*SGHMC)(nil).Run(ctx, x) }},
		{"Underdamped.Run", func() { new(Underdamped).Run(ctx, x) }, func() { (*Underdamped)(nil).Run(ctx, x) }},
		{"Annealed.Run", func() { new(Annealed).Run(ctx, x) }, func() { (*Annealed)(nil).Run(ctx, x) }},
		{"PCSampler.Sample", func() { new(PCSampler).Sample(ctx, x) }, func() { (*PCSampler)(nil).Sample(ctx, x) }},
		{"PCSampler.Config", func() { new(PCSampler).Config() }, func() { (*PCSampler)(nil).Config() }},
		{"ODESampler.Sample", func() { new(ODESampler).Sample(ctx, x) }, func() { (*ODESampler)(nil).Sample(ctx, x) }},
		{"ODESampler.Flow", func() { new(ODESampler).Flow(ctx, x, 1, 0.5) }, func() { (*ODESampler)(nil).Flow(ctx, x, 1, 0.5) }},
		{"ODESampler.Config", func() { new(ODESampler).Config() }, func() { (*ODESampler)(nil).Config() }},
		{"Likelihood.LogP", func() { new(Likelihood).LogP(ctx, make([]float64, 2), nil, x) }, func() { (*Likelihood)(nil).LogP(ctx, make([]float64, 2), nil, x) }},
		{"Likelihood.Config", func() { new(Likelihood).Config() }, func() { (*Likelihood)(nil).Config() }},
	}
	for _, c := range cases {
		typ, _, _ := strings.Cut(c.method, ".")
		wantPanic(t, c.zero, fmt.Sprintf("sampler: %s: zero %s: build it with New%s", c.method, typ, typ))
		wantPanic(t, c.nilPtr, fmt.Sprintf("sampler: %s: nil *%s: build it with New%s (did it return an error?)", c.method, typ, typ))
	}
}

// wantPanic fails unless f panics with exactly the message want.
func wantPanic(t *testing.T, f func(), want string) {
	t.Helper()
	testpanic.Exactly(t, want, f)
}
