package sampler_test

import (
	"strings"
	"testing"

	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// TestConstructorsCheckModel: every constructor refuses an nn model of
// the wrong kind or conditioning (through sampler.MethodChecker) with an
// error naming the method it lacks, where it used to accept it and panic
// at the first step; and accepts the right kind.
func TestConstructorsCheckModel(t *testing.T) {
	chain := sampler.ChainConfig{Steps: 1}
	makers := []struct {
		name string
		want func(c nn.Conditioning, energy bool) bool // accepted
		make func(m *nn.Model) error
	}{
		{"ULA", func(c nn.Conditioning, _ bool) bool { return c == nn.CondNone }, func(m *nn.Model) error {
			_, err := sampler.NewULA(m, sampler.ULAConfig{Step: 0.01, Chain: chain})
			return err
		}},
		{"Underdamped", func(c nn.Conditioning, _ bool) bool { return c == nn.CondNone }, func(m *nn.Model) error {
			_, err := sampler.NewUnderdamped(m, sampler.UnderdampedConfig{Step: 0.01, Friction: 1, Chain: chain})
			return err
		}},
		{"MALA", func(c nn.Conditioning, e bool) bool { return c == nn.CondNone && e }, func(m *nn.Model) error {
			_, err := sampler.NewMALA(m, sampler.MALAConfig{Step: 0.01, Chain: chain})
			return err
		}},
		{"Annealed", func(c nn.Conditioning, _ bool) bool { return c == nn.CondSigma || c == nn.CondLogSigma }, func(m *nn.Model) error {
			_, err := sampler.NewAnnealed(m, sampler.AnnealedConfig{Sigmas: []float64{1, 0.1}, StepsPerLevel: 1, Eps: 1e-3, Chain: chain})
			return err
		}},
		{"PC", func(c nn.Conditioning, _ bool) bool { return c == nn.CondTime }, func(m *nn.Model) error {
			_, err := sampler.NewPCSampler(sampler.DefaultVP(), m, sampler.PCConfig{})
			return err
		}},
		{"ODE", func(c nn.Conditioning, _ bool) bool { return c == nn.CondTime }, func(m *nn.Model) error {
			_, err := sampler.NewODESampler(sampler.DefaultVP(), m, sampler.ODEConfig{})
			return err
		}},
		{"Likelihood", func(c nn.Conditioning, _ bool) bool { return c == nn.CondTime }, func(m *nn.Model) error {
			_, err := sampler.NewLikelihood(sampler.DefaultVP(), m, sampler.LikelihoodConfig{})
			return err
		}},
	}
	for _, cond := range []nn.Conditioning{nn.CondNone, nn.CondSigma, nn.CondLogSigma, nn.CondTime} {
		for _, energy := range []bool{false, true} {
			m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{8}, Act: kernel.SiLU, Cond: cond, Energy: energy}, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, mk := range makers {
				err := mk.make(m)
				switch want := mk.want(cond, energy); {
				case want && err != nil:
					t.Errorf("%s of a %v model (energy %v): %v", mk.name, cond, energy, err)
				case !want && err == nil:
					t.Errorf("%s accepted a %v model (energy %v)", mk.name, cond, energy)
				case !want && !strings.Contains(err.Error(), mk.name):
					t.Errorf("%s of a %v model (energy %v): the error %q does not name the sampler", mk.name, cond, energy, err)
				}
			}
		}
	}
}

// TestConstructorsRefuseNil: a nil score function or SDE is an error.
func TestConstructorsRefuseNil(t *testing.T) {
	if _, err := sampler.NewULA(nil, sampler.ULAConfig{Step: 0.1}); err == nil {
		t.Error("NewULA(nil) accepted")
	}
	if _, err := sampler.NewMALA(nil, sampler.MALAConfig{Step: 0.1}); err == nil {
		t.Error("NewMALA(nil) accepted")
	}
	if _, err := sampler.NewAnnealed(nil, sampler.AnnealedConfig{Sigmas: []float64{1}, StepsPerLevel: 1, Eps: 1e-3}); err == nil {
		t.Error("NewAnnealed(nil) accepted")
	}
	// SGLD and SGHMC used to panic on a nil score (checkMinibatch called
	// its Len) and accept a dimension of 0 (Run then panicked).
	if _, err := sampler.NewSGLD(nil, sampler.SGLDConfig{A: 0.1, Batch: 1}); err == nil {
		t.Error("NewSGLD(nil) accepted")
	}
	if _, err := sampler.NewSGHMC(nil, sampler.SGHMCConfig{Step: 0.1, Friction: 1, Batch: 1}); err == nil {
		t.Error("NewSGHMC(nil) accepted")
	}
	if _, err := sampler.NewSGLD(noData{}, sampler.SGLDConfig{A: 0.1, Batch: 1}); err == nil || !strings.Contains(err.Error(), "dimension 0") {
		t.Errorf("NewSGLD of a 0-dimensional score: %v, want an error naming the dimension", err)
	}
	if _, err := sampler.NewSGHMC(noData{}, sampler.SGHMCConfig{Step: 0.1, Friction: 1, Batch: 1}); err == nil || !strings.Contains(err.Error(), "dimension 0") {
		t.Errorf("NewSGHMC of a 0-dimensional score: %v, want an error naming the dimension", err)
	}
	if _, err := sampler.NewUnderdamped(nil, sampler.UnderdampedConfig{Step: 0.1, Friction: 1}); err == nil {
		t.Error("NewUnderdamped(nil) accepted")
	}
	if _, err := sampler.NewLikelihood(sampler.DefaultVP(), nil, sampler.LikelihoodConfig{}); err == nil {
		t.Error("NewLikelihood(nil score) accepted")
	}
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{8}, Act: kernel.SiLU, Cond: nn.CondTime}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sampler.NewPCSampler(nil, m, sampler.PCConfig{}); err == nil {
		t.Error("NewPCSampler(nil SDE) accepted")
	}
	if _, err := sampler.NewODESampler(sampler.DefaultVE(), nil, sampler.ODEConfig{}); err == nil {
		t.Error("NewODESampler(nil score) accepted")
	}
}

// noData is a MinibatchScore of dimension 0 over one datum.
type noData struct{}

func (noData) Dim() int                                { return 0 }
func (noData) Len() int                                { return 1 }
func (noData) PriorScore(dst, theta []float32)         {}
func (noData) DataScore(dst, theta []float32, _ []int) {}

// nilScore is a score function whose methods use the receiver, so that a
// nil *nilScore panics at its first call, as a nil *nn.Model does.
type nilScore struct{ d int }

func (s *nilScore) Dim() int                                   { return s.d }
func (s *nilScore) Len() int                                   { return 1 }
func (s *nilScore) Score(dst, x []float32)                     {}
func (s *nilScore) LogDensity(dst, x []float32)                {}
func (s *nilScore) NoiseScore(dst, x []float32, sigma float32) {}
func (s *nilScore) TimeScore(dst, x []float32, t float32)      {}
func (s *nilScore) PriorScore(dst, theta []float32)            {}
func (s *nilScore) DataScore(dst, theta []float32, _ []int)    {}

// TestConstructorsRefuseTypedNil: a nil pointer inside a non-nil
// interface (a nil *nn.Model given as the score, say) is an error that
// names the type, where the nil check used to let it through and Dim
// panicked.
func TestConstructorsRefuseTypedNil(t *testing.T) {
	var p *nilScore
	var sde *sampler.VP // its value methods panic on nil
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{8}, Act: kernel.SiLU, Cond: nn.CondTime}, 1)
	if err != nil {
		t.Fatal(err)
	}
	chain := sampler.ChainConfig{Steps: 1}
	makers := []struct {
		name string
		make func() error
	}{
		{"ULA", func() error { _, err := sampler.NewULA(p, sampler.ULAConfig{Step: 0.1, Chain: chain}); return err }},
		{"MALA", func() error { _, err := sampler.NewMALA(p, sampler.MALAConfig{Step: 0.1, Chain: chain}); return err }},
		{"Underdamped", func() error {
			_, err := sampler.NewUnderdamped(p, sampler.UnderdampedConfig{Step: 0.1, Friction: 1, Chain: chain})
			return err
		}},
		{"Annealed", func() error {
			_, err := sampler.NewAnnealed(p, sampler.AnnealedConfig{Sigmas: []float64{1}, StepsPerLevel: 1, Eps: 1e-3, Chain: chain})
			return err
		}},
		{"SGLD", func() error {
			_, err := sampler.NewSGLD(p, sampler.SGLDConfig{A: 0.1, Batch: 1, Chain: chain})
			return err
		}},
		{"SGHMC", func() error {
			_, err := sampler.NewSGHMC(p, sampler.SGHMCConfig{Step: 0.1, Friction: 1, Batch: 1, Chain: chain})
			return err
		}},
		{"PC", func() error { _, err := sampler.NewPCSampler(sampler.DefaultVP(), p, sampler.PCConfig{}); return err }},
		{"ODE", func() error { _, err := sampler.NewODESampler(sampler.DefaultVP(), p, sampler.ODEConfig{}); return err }},
		{"Likelihood", func() error {
			_, err := sampler.NewLikelihood(sampler.DefaultVP(), p, sampler.LikelihoodConfig{})
			return err
		}},
		{"PC", func() error { _, err := sampler.NewPCSampler(sde, m, sampler.PCConfig{}); return err }},
		{"ODE", func() error { _, err := sampler.NewODESampler(sde, m, sampler.ODEConfig{}); return err }},
		{"Likelihood", func() error { _, err := sampler.NewLikelihood(sde, m, sampler.LikelihoodConfig{}); return err }},
	}
	for _, mk := range makers {
		var err error
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Errorf("%s of a typed nil panicked: %v", mk.name, v)
				}
			}()
			err = mk.make()
		}()
		switch {
		case err == nil:
			t.Errorf("%s accepted a typed nil", mk.name)
		case !strings.Contains(err.Error(), mk.name) || !strings.Contains(err.Error(), "nil *"):
			t.Errorf("%s of a typed nil: the error %q does not name the sampler and the nil type", mk.name, err)
		}
	}
}
