package sampler

import (
	"context"
	"testing"
)

// TestPCProgress: PCConfig.Progress reports whole time steps, each at most
// once and in order, ending with N of N, with and without the corrector
// (whose segments end inside a time step, after its preparation).
func TestPCProgress(t *testing.T) {
	const N = 50
	for _, corr := range []PCCorrector{PCLangevin, PCNoCorrector} {
		var got []int
		cfg := PCConfig{Corrector: corr, Workers: 2, Progress: func(done, total int) {
			if total != N {
				t.Errorf("corrector %v: total %d, want %d", corr, total, N)
			}
			got = append(got, done)
		}}
		p := mustNew(NewPCSampler(VP{BetaMin: 0.1, BetaMax: 20, N: N}, shifted{}, cfg))
		if _, err := p.Sample(context.Background(), make([]float32, 2*64)); err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[len(got)-1] != N {
			t.Fatalf("corrector %v: progress %v, want it to end at %d", corr, got, N)
		}
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("corrector %v: progress %v not increasing", corr, got)
			}
		}
		if corr == PCLangevin && len(got) != N {
			t.Errorf("corrector %v: %d reports, want one per time step (%d)", corr, len(got), N)
		}
	}
}

// TestODEProgress: ODEConfig.Progress reports the time reached, moving from
// T towards ε and ending at ε, for Heun and for RK45 (once per accepted
// step: as many reports as SDEStats.Steps).
func TestODEProgress(t *testing.T) {
	for _, m := range []ODEMethod{ODEHeun, ODERK45} {
		var got []float64
		cfg := ODEConfig{Method: m, Steps: 40, Workers: 2, Progress: func(t float64) { got = append(got, t) }}
		o := mustNew(NewODESampler(DefaultVP(), shifted{}, cfg))
		st, err := o.Sample(context.Background(), make([]float32, 2*64))
		if err != nil {
			t.Fatal(err)
		}
		eps := o.Config().Eps
		if len(got) == 0 || got[len(got)-1] != eps {
			t.Fatalf("%v: progress %v, want it to end at ε = %g", m, got, eps)
		}
		for i := 1; i < len(got); i++ {
			if !(got[i] < got[i-1]) || got[0] >= 1 {
				t.Fatalf("%v: progress %v does not move from T = 1 towards ε", m, got)
			}
		}
		if m == ODERK45 && len(got) != st.Steps {
			t.Errorf("RK45: %d reports for %d steps", len(got), st.Steps)
		}
	}
}
