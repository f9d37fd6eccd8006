package nn

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/internal/testpanic"
)

// TestUnbuiltModel: a Model that New, Load or FromTensors did not make (the
// zero Model, or the nil one a constructor returns with an error) panics
// naming the method and saying how to build one, where Score, NoiseScore,
// TimeScore, LogDensity, Energy and the losses' Grad failed with an
// integer division by zero (its dimension is 0), Clone with "Config.Dim =
// 0", SetPerturbation and NCDSM with a complaint about the conditioning,
// and a nil one with a nil dereference; CheckMethod said a zero Model
// serves Score, and Save wrote a file Load refuses. Layer out of range
// was a bare index error. Trainer.Run returns errors for them, and for an
// Opt or EMA of another size, which panicked at the first step.
func TestUnbuiltModel(t *testing.T) {
	x, dst, grad := make([]float32, 2), make([]float32, 2), make([]float32, 0)
	for _, c := range []struct {
		m    *Model
		want string
	}{
		{new(Model), "zero Model: build it with nn.New or nn.Load"},
		{nil, "nil *Model: build it with nn.New or nn.Load (did it return an error?)"},
	} {
		m := c.m
		for _, f := range []struct {
			where string
			call  func()
		}{
			{"Model.Score", func() { m.Score(dst, x) }},
			{"Model.NoiseScore", func() { m.NoiseScore(dst, x, 1) }},
			{"Model.TimeScore", func() { m.TimeScore(dst, x, 0.5) }},
			{"Model.LogDensity", func() { m.LogDensity(dst[:1], x) }},
			{"Model.Energy", func() { m.Energy(dst[:1], x, 0) }},
			{"Model.Clone", func() { m.Clone() }},
			{"Model.SetPerturbation", func() { m.SetPerturbation(testPert{}) }},
			{"DSM.Grad", func() { DSM{Sigma: 1}.Grad(m, x, newRand(1, 1), grad) }},
			{"NCDSM.Grad", func() { NCDSM{Sigmas: []float64{1, 0.5}}.Grad(m, x, newRand(1, 1), grad) }},
			{"ContinuousDSM.Grad", func() { ContinuousDSM{}.Grad(m, x, newRand(1, 1), grad) }},
			{"ExactSM.Grad", func() { ExactSM{}.Grad(m, x, newRand(1, 1), grad) }},
			{"SlicedSM.Grad", func() { SlicedSM{}.Grad(m, x, newRand(1, 1), grad) }},
			{"EMA.CopyTo", func() { NewEMA(nil, 0.9).CopyTo(m) }},
		} {
			mustPanicWith(t, f.call, "nn: "+f.where+": "+c.want)
		}
		if err := m.CheckMethod("Score"); err == nil || err.Error() != "nn: Model.CheckMethod: "+c.want {
			t.Errorf("CheckMethod: %v, want %q", err, c.want)
		}
		if err := m.Save(new(bytes.Buffer)); err == nil || err.Error() != "nn: Model.Save: "+c.want {
			t.Errorf("Save: %v, want %q", err, c.want)
		}
		if c.m != nil {
			mustPanicWith(t, func() { m.Layer(0) }, "nn: Model.Layer: layer 0 out of range [0, 0)")
		}
		tr := Trainer{Model: m, Loss: DSM{Sigma: 1}, Rows: x, Steps: 1}
		if err := tr.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "Model") {
			t.Errorf("Trainer.Run: %v, want an error about the Model", err)
		}
	}
	m, err := New(Config{Dim: 2, Hidden: []int{3}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	mustPanicWith(t, func() { m.Layer(2) }, "nn: Model.Layer: layer 2 out of range [0, 2)")
	for _, c := range []struct {
		tr   Trainer
		want string
	}{
		{Trainer{Model: m, Rows: x}, "the Loss is nil"},
		{Trainer{Model: m, Loss: (*ExactSM)(nil), Rows: x}, "the Loss is nil (*nn.ExactSM"},
		{Trainer{Model: m, Loss: DSM{Sigma: 1}, Data: (*testSource)(nil)}, "the Data is a nil *nn.testSource"},
		{Trainer{Model: m, Loss: DSM{Sigma: 1}, Rows: x, Opt: NewAdam(3, 1e-3)}, "the Opt is for 3 parameters, the model has 17"},
		{Trainer{Model: m, Loss: DSM{Sigma: 1}, Rows: x, EMA: NewEMA(make([]float32, 4), 0.9)}, "the EMA averages 4 parameters, the model has 17"},
		{Trainer{Model: m, Loss: DSM{Sigma: 1}, Rows: x, Opt: &Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, m: make([]float32, 17), v: make([]float32, 17)}}, "nn: Trainer.Run: Opt.Eps = 0: want a finite Eps > 0"},
		{Trainer{Model: m, Loss: DSM{Sigma: 1}, Rows: x, EMA: &EMA{Rate: -1, shadow: make([]float32, 17)}}, "nn: Trainer.Run: EMA.Rate = -1, want 0 ≤ EMA.Rate < 1"},
	} {
		c.tr.Steps = 1
		if err := c.tr.Run(context.Background()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Trainer.Run: %v, want an error with %q", err, c.want)
		}
	}
}

type testPert struct{}

func (testPert) Marginal(t float64) (float64, float64) { return 1, t }

type testSource struct{}

func (*testSource) Dim() int                     { return 2 }
func (*testSource) Sample([]float32, *rand.Rand) {}

// mustPanicWith fails unless f panics with exactly the message want.
func mustPanicWith(t *testing.T, f func(), want string) {
	t.Helper()
	testpanic.Exactly(t, want, f)
}
