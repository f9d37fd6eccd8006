package sampler

import (
	"context"
	"testing"

	"github.com/scorekit/scorekit/data"
)

// TestTraceIndexPanics: a chain or coordinate past its range panicked
// nowhere: At(0, Chains) returned chain 0 of draw 1, Series(c, Dim) chain
// c+1's first coordinate, and only a draw past the last fell outside
// Data (with a runtime error that names no method).
func TestTraceIndexPanics(t *testing.T) {
	tr := &Trace{Chains: 2, Dim: 3, Draws: 4, Data: make([]float32, 2*3*4)}
	for i := range tr.Data {
		tr.Data[i] = float32(i)
	}
	if got := tr.At(1, 1); got[0] != 9 || len(got) != 3 {
		t.Fatalf("At(1, 1) = %v, want [9 10 11]", got)
	}
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"sampler: Trace.At: chain 2 out of range [0, 2)", func() { tr.At(0, 2) }},
		{"sampler: Trace.At: chain -1 out of range [0, 2)", func() { tr.At(1, -1) }},
		{"sampler: Trace.At: draw 4 out of range [0, 4)", func() { tr.At(4, 0) }},
		{"sampler: Trace.Draw: draw -1 out of range [0, 4)", func() { tr.Draw(-1) }},
		{"sampler: Trace.Draw: draw 4 out of range [0, 4)", func() { tr.Draw(4) }},
		{"sampler: Trace.Series: chain 2 out of range [0, 2)", func() { tr.Series(2, 0) }},
		{"sampler: Trace.Series: coordinate 3 out of range [0, 3)", func() { tr.Series(0, 3) }},
		{"sampler: Trace.Coordinate: coordinate 3 out of range [0, 3)", func() { tr.Coordinate(3) }},
		{"sampler: Trace.Coordinate: coordinate -1 out of range [0, 3)", func() { tr.Coordinate(-1) }},
	} {
		wantPanic(t, c.f, c.want)
	}
}

// TestMALAStepSizeRange: StepSize of a chain the last Run did not have
// panicked with a bare index error (before any Run, with every chain).
func TestMALAStepSizeRange(t *testing.T) {
	m, err := NewMALA(data.NewIsotropicGaussian([]float64{0, 0}, 1), MALAConfig{Step: 0.1, Chain: ChainConfig{Steps: 2}})
	if err != nil {
		t.Fatal(err)
	}
	wantPanic(t, func() { m.StepSize(0) }, "sampler: MALA.StepSize: chain (of the last Run) 0 out of range [0, 0)")
	if _, err := m.Run(context.Background(), make([]float32, 3*2)); err != nil {
		t.Fatal(err)
	}
	if h := m.StepSize(2); h != 0.1 {
		t.Errorf("StepSize(2) = %v, want 0.1", h)
	}
	wantPanic(t, func() { m.StepSize(3) }, "sampler: MALA.StepSize: chain (of the last Run) 3 out of range [0, 3)")
	wantPanic(t, func() { m.StepSize(-1) }, "sampler: MALA.StepSize: chain (of the last Run) -1 out of range [0, 3)")
	if _, err := m.Run(context.Background(), make([]float32, 2*2)); err != nil {
		t.Fatal(err)
	}
	wantPanic(t, func() { m.StepSize(2) }, "sampler: MALA.StepSize: chain (of the last Run) 2 out of range [0, 2)")
}
