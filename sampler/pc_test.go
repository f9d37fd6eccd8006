package sampler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestPCGaussian runs every predictor–corrector combination on every SDE
// (N = 500) with the exact score of 2-d Gaussian data and checks the samples' mean
// and covariance against the data's (at ε), within 4.5 standard errors
// of 2000 samples plus a discretisation bias budget of 4% of the scale.
func TestPCGaussian(t *testing.T) {
	const n = 2000
	mu := []float64{1, -2}
	// N = 500 rather than the reference's 1000 keeps the test fast; the
	// discretisation bias stays within the budget.
	sdes := []SDE{VE{0.01, 50, 500}, VP{0.1, 20, 500}, SubVP{0.1, 20, 500}}
	preds := []PCPredictor{PCReverseDiffusion, PCEulerMaruyama, PCAncestral, PCNoPredictor}
	corrs := []PCCorrector{PCLangevin, PCNoCorrector}
	if testing.Short() {
		preds = preds[:1]
	}
	for _, sde := range sdes {
		g := newSDEGauss2(sde, mu, [2]float64{0.25, 1}, 0.5)
		for _, pr := range preds {
			for _, co := range corrs {
				name := fmt.Sprintf("%T/%v/%v", sde, pr, co)
				cfg := PCConfig{Predictor: pr, Corrector: co, Seed: 7}
				if pr == PCNoPredictor && co == PCNoCorrector {
					continue
				}
				if pr == PCNoPredictor {
					// Corrector-only sampling needs more Langevin steps per
					// level to track the marginals (annealed Langevin).
					cfg.CorrectorSteps = 3
					if _, ok := sde.(VE); !ok {
						continue // the VP corrector alone mixes too slowly at the prior's end
					}
				}
				p, err := NewPCSampler(sde, g, cfg)
				if _, isSub := sde.(SubVP); isSub && pr == PCAncestral {
					if err == nil {
						t.Errorf("%s: ancestral accepted for sub-VP", name)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				x := make([]float32, n*2)
				st, err := p.Sample(context.Background(), x)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				N := sde.Steps()
				want := N
				if co == PCLangevin {
					want += N * p.Config().CorrectorSteps
				}
				if pr == PCNoPredictor {
					want -= N
				}
				if st.ScoreEvals != want || st.Steps != N {
					t.Errorf("%s: stats %+v, want %d score evaluations", name, st, want)
				}
				checkGaussian(t, name, g, x, p.Config().Eps, 0.04)
			}
		}
	}
}

// TestPCWorkers checks that the samples do not depend on the number of
// goroutines nor on GOMAXPROCS, with the batch-mean and the per-chain step
// rule, blocks of one chain allowed.
func TestPCWorkers(t *testing.T) {
	smallBlocks(t)
	g := newSDEGauss2(VE{0.01, 10, 100}, []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	for _, perChain := range []bool{false, true} {
		var ref []float32
		for _, pw := range splits {
			x := make([]float32, 2*37)
			var p *PCSampler
			var want int
			withProcs(pw[0], func() {
				want = chainWorkers(pw[1], 37, 2)
				var err error
				if p, err = NewPCSampler(g.sde, g, PCConfig{Workers: pw[1], Seed: 3, PerChainSNR: perChain}); err != nil {
					t.Fatal(err)
				}
				if _, err := p.Sample(context.Background(), x); err != nil {
					t.Fatal(err)
				}
			})
			if p.team.blocks() != want || (pw[1] > 1 && want < 2) {
				t.Fatalf("GOMAXPROCS %d, Workers %d: %d blocks, want %d", pw[0], pw[1], p.team.blocks(), want)
			}
			if ref == nil {
				ref = x
			} else if !slices.Equal(x, ref) {
				t.Errorf("perChain %v: GOMAXPROCS %d, Workers %d differ from one worker", perChain, pw[0], pw[1])
			}
		}
	}
}

// TestPCAllocs checks that a sampler call allocates nothing per step:
// as much for 400 steps as for 40 with one worker, and within the noise of
// starting goroutines with two (blocks of one chain allowed, so that two
// workers really split the 64 chains).
func TestPCAllocs(t *testing.T) {
	smallBlocks(t)
	allocs := func(steps, workers int) float64 {
		g := newSDEGauss2(VP{0.1, 20, steps}, []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
		p, err := NewPCSampler(g.sde, g, PCConfig{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 2*64)
		p.Sample(context.Background(), x)
		return testing.AllocsPerRun(5, func() { p.Sample(context.Background(), x) })
	}
	if a, b := allocs(40, 1), allocs(400, 1); a != b || a != 0 {
		t.Errorf("one worker: allocations per call: %v for 40 steps, %v for 400", a, b)
	}
	if a, b := allocs(40, 2), allocs(400, 2); b > a+2 {
		t.Errorf("two workers: allocations per call: %v for 40 steps, %v for 400", a, b)
	}
}

// TestPCNCSNStepSizes checks that the Langevin corrector with
// snr = √(ε/(2σ_L²)) takes annealed Langevin's steps ε·σ_i²/σ_L² on a VE
// SDE: exactly when ‖s‖ = ‖z‖/σ_i, for every level; and along a run on
// data much narrower than σ_min, where the score at level i is −x/σ_i²:
// at the first step, with x drawn from the prior, the step is annealed
// Langevin's within 5% (the norms' fluctuation is about 1/√(d·chains));
// later the chains sit between the marginal's variance σ_i² and the
// Langevin step's own stationary variance σ_i²/(1 − snr²) (unadjusted
// Langevin at step 2snr²σ_i² on N(0, σ_i²)), so the steps are annealed
// Langevin's times a factor between 1 − snr² = 0.9 and 1 (0.92 measured,
// on average over the later steps).
func TestPCNCSNStepSizes(t *testing.T) {
	const epsNCSN, sigmaL = 2e-5, 0.01
	snr := PCSNRFromNCSN(epsNCSN, sigmaL)
	if math.Abs(snr-math.Sqrt(0.1)) > 1e-15 {
		t.Errorf("snr for NCSN = %g, want √0.1 ≈ 0.316", snr)
	}
	ve := VE{SigmaMin: sigmaL, SigmaMax: 50, N: 200}
	for i := range ve.N {
		sig := ve.DiscreteSigma(i)
		zn := 7.0
		got := PCStepSize(snr, 1, zn, zn/sig)
		want := epsNCSN * sig * sig / (sigmaL * sigmaL)
		if math.Abs(got-want) > 1e-12*want {
			t.Fatalf("level %d: corrector step %g, annealed Langevin %g", i, got, want)
		}
	}
	const d = 512
	g := newSDEGaussIso(ve, make([]float64, d), 1e-4)
	ratios := make([]float64, 0, ve.N)
	p, err := NewPCSampler(ve, g, PCConfig{SNR: snr, Seed: 1, Trace: func(step int, tt, eps float64) {
		sig := ve.DiscreteSigma(sdeIndex(tt, 1, ve.N))
		ratios = append(ratios, eps/(epsNCSN*sig*sig/(sigmaL*sigmaL)))
	}})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 8*d)
	if _, err := p.Sample(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if math.Abs(ratios[0]-1) > 0.05 {
		t.Errorf("first corrector step / annealed Langevin's = %.4f, want 1 ± 0.05", ratios[0])
	}
	var mean float64
	for _, r := range ratios[20:] {
		mean += r
	}
	mean /= float64(len(ratios) - 20)
	if want := 1 - snr*snr; math.Abs(mean/want-1) > 0.03 {
		t.Errorf("later corrector steps / annealed Langevin's = %.4f on average, want %.4f ± 3%%", mean, want)
	}
	t.Logf("corrector step / annealed Langevin step: first %.4f, mean of later steps %.4f (1 − snr² = %.4f)", ratios[0], mean, 1-snr*snr)
}

// sdeBadScore returns NaN from time < 0.5 on.
type sdeBadScore struct{ d int }

func (b sdeBadScore) Dim() int { return b.d }
func (b sdeBadScore) TimeScore(dst, x []float32, t float32) {
	for i, v := range x {
		dst[i] = -v
		if t < 0.5 && i == 3 {
			dst[i] = float32(math.NaN())
		}
	}
}

func TestPCDiverges(t *testing.T) {
	p, err := NewPCSampler(DefaultVP(), sdeBadScore{2}, PCConfig{Corrector: PCNoCorrector, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Sample(context.Background(), make([]float32, 20))
	var de *DivergenceError
	if !errors.As(err, &de) || de.Sampler != "PC" || de.Chain != 1 || de.Step != 501 || !strings.Contains(de.Hint, "predictor") {
		t.Errorf("error %v, want a *DivergenceError: chain 1 at step 501, by the predictor", err)
	}
	// With the batch-mean step rule one bad chain spoils the step size:
	// the corrector reports it first.
	p, _ = NewPCSampler(DefaultVP(), sdeBadScore{2}, PCConfig{Workers: 1})
	if _, err = p.Sample(context.Background(), make([]float32, 20)); !errors.As(err, &de) || de.Step != 501 || !strings.Contains(de.Hint, "corrector at t = ") {
		t.Errorf("error %v, want the corrector at step 501", err)
	}
}

func TestPCConfigErrors(t *testing.T) {
	g := newSDEGaussIso(DefaultVP(), []float64{0}, 1)
	for _, cfg := range []PCConfig{{SNR: -1}, {Eps: 1}, {Predictor: 9}, {Predictor: PCNoPredictor, Corrector: PCNoCorrector}} {
		if _, err := NewPCSampler(g.sde, g, cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

// TestPCStepsOverflow: a grid of N time steps whose N·(2·CorrectorSteps
// + 1) phases overflow an int is refused; the run's count wrapped
// negative, and Sample returned at once having run nothing.
func TestPCStepsOverflow(t *testing.T) {
	g := newSDEGauss2(VP{0.1, 20, 100}, []float64{0, 0}, [2]float64{1, 1}, 0)
	for _, c := range []struct {
		sde  SDE
		cfg  PCConfig
		want string
	}{
		{VP{0.1, 20, math.MaxInt/3 + 1}, PCConfig{}, "time steps of 3 phases each overflow an int"},
		{VP{0.1, 20, 100}, PCConfig{CorrectorSteps: math.MaxInt/2 + 1}, "a time step's phases overflow an int"},
	} {
		if _, err := NewPCSampler(c.sde, g, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("N = %d, CorrectorSteps = %d: error %v, want one saying %q", c.sde.Steps(), c.cfg.CorrectorSteps, err, c.want)
		}
	}
	// Without a corrector a phase is a time step: N = MaxInt/3 + 1 is
	// fine there (and with one, MaxInt/3 is).
	if _, err := NewPCSampler(VP{0.1, 20, math.MaxInt/3 + 1}, g, PCConfig{Corrector: PCNoCorrector}); err != nil {
		t.Errorf("N = MaxInt/3 + 1, no corrector: %v", err)
	}
	if _, err := NewPCSampler(VP{0.1, 20, math.MaxInt / 3}, g, PCConfig{}); err != nil {
		t.Errorf("N = MaxInt/3: %v", err)
	}
}
