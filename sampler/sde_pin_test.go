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

// The tests in this file pin behaviour of the score-SDE samplers that a
// mutation review (changing one constant or term at a time) found no
// other test held: edge cases of the discretisations, a hand-computed
// corrector step, the defaults, the argument checks and the counts.

// sdeCountScore counts batched score calls (of any kind) to check the
// documented ScoreEvals; run it with Workers 1.
type sdeCountScore struct {
	*sdeGauss
	n *int
}

func (c sdeCountScore) TimeScore(dst, x []float32, t float32) {
	*c.n++
	c.sdeGauss.TimeScore(dst, x, t)
}

type sdeCountJVP struct{ sdeCountScore }

func (c sdeCountJVP) TimeScoreJVP(dst, jv, x, v []float32, t float32) {
	*c.n++
	sdeGaussJVP{c.sdeGauss}.TimeScoreJVP(dst, jv, x, v, t)
}

type sdeCountDiv struct{ sdeCountScore }

func (c sdeCountDiv) TimeScoreDiv(dst, div, x []float32, t float32) {
	*c.n++
	sdeGaussDiv{c.sdeGauss}.TimeScoreDiv(dst, div, x, t)
}

// sdeZeroScore is the score 0 everywhere.
type sdeZeroScore struct{ d int }

func (z sdeZeroScore) Dim() int                              { return z.d }
func (z sdeZeroScore) TimeScore(dst, _ []float32, _ float32) { clear(dst) }

// TestSDEDiscreteEdges: with N = 1 the discrete levels are the
// reference's linspace(a, b, 1) = [a], σ_0 = σ_min and β_0 = β_min; and
// Discrete clamps the index ⌊t(N−1)/T⌋ to [0, N−1] for t outside [0, T].
func TestSDEDiscreteEdges(t *testing.T) {
	if s := (VE{0.1, 5, 1}).DiscreteSigma(0); s != 0.1 {
		t.Errorf("VE N = 1: σ_0 = %g, want σ_min = 0.1", s)
	}
	if b := (VP{0.1, 0.5, 1}).DiscreteBeta(0); b != 0.1 {
		t.Errorf("VP N = 1: β_0 = %g, want β_min/N = 0.1", b)
	}
	for _, sde := range []SDE{VE{0.1, 5, 10}, VP{0.1, 5, 10}} {
		for _, c := range [][2]float64{{1.5, 1}, {-0.5, 0}} {
			f, g := sde.Discrete(c[0])
			wf, wg := sde.Discrete(c[1])
			if f != wf || g != wg {
				t.Errorf("%T: Discrete(%g) = %g, %g, want Discrete(%g) = %g, %g", sde, c[0], f, g, c[1], wf, wg)
			}
		}
	}
}

// TestPCCorrectorStep computes one corrector step by hand: VP with N = 1
// (the grid linspace(T, ε, 1) is [T]), no predictor, noise kept, so the
// result is x₀ + ε·s(x₀, T) + √(2ε)·z with x₀ and z the chain's first and
// second d normals, α = 1 − β_0 = 0.9 and ε = 2α(snr·‖z‖/‖s‖)², the norms
// averaged over the chains (batch rule) or each chain's own (PerChainSNR).
// Trace reports step 0 at t = T with the batch ε.
func TestPCCorrectorStep(t *testing.T) {
	const d, n, seed, snr = 2, 3, 8, 0.3
	sde := VP{0.1, 0.5, 1}
	g := newSDEGaussIso(sde, []float64{0.5, -1}, 0.7)
	const alpha = 0.9
	x0 := make([][]float64, n)
	z := make([][]float64, n)
	s := make([][]float64, n)
	var zs, ss float64
	for c := range n {
		all := streamNormals(seed, 0, c, 2*d)
		x0[c], z[c] = all[:d], all[d:]
		x32 := []float32{float32(x0[c][0]), float32(x0[c][1])}
		s32 := make([]float32, d)
		g.TimeScore(s32, x32, 1)
		s[c] = []float64{float64(s32[0]), float64(s32[1])}
		zs += math.Hypot(z[c][0], z[c][1])
		ss += math.Hypot(s[c][0], s[c][1])
	}
	batchEps := 2 * alpha * math.Pow(snr*(zs/n)/(ss/n), 2)
	for _, perChain := range []bool{false, true} {
		var traced [][3]float64
		p, err := NewPCSampler(sde, g, PCConfig{Predictor: PCNoPredictor, SNR: snr, KeepNoise: true, PerChainSNR: perChain, Seed: seed,
			Trace: func(step int, tt, eps float64) { traced = append(traced, [3]float64{float64(step), tt, eps}) }})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, n*d)
		if _, err := p.Sample(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		for c := range n {
			e := batchEps
			if perChain {
				e = 2 * alpha * math.Pow(snr*math.Hypot(z[c][0], z[c][1])/math.Hypot(s[c][0], s[c][1]), 2)
			}
			for j := range d {
				want := x0[c][j] + e*s[c][j] + math.Sqrt(2*e)*z[c][j]
				if !nearF32(x[c*d+j], want, 1e-5) {
					t.Errorf("per chain %v: chain %d coordinate %d = %v, want x₀ + ε·s + √(2ε)·z = %v (ε = %g)", perChain, c, j, x[c*d+j], want, e)
				}
			}
		}
		want := [][3]float64{{0, 1, batchEps}}
		if perChain {
			want = nil
		}
		if len(traced) != len(want) || (len(want) == 1 && (traced[0][0] != 0 || traced[0][1] != 1 || math.Abs(traced[0][2]/batchEps-1) > 1e-6)) {
			t.Errorf("per chain %v: Trace calls %v, want %v", perChain, traced, want)
		}
	}
}

// TestPCTraceSteps: Trace reports every time step's index and t_i of
// the grid linspace(T, ε, N), once per corrector step.
func TestPCTraceSteps(t *testing.T) {
	sde := VE{0.1, 5, 6}
	g := newSDEGaussIso(sde, []float64{0.5, -1}, 0.7)
	var steps []int
	var times []float64
	p, err := NewPCSampler(sde, g, PCConfig{CorrectorSteps: 2, Eps: 0.5, Seed: 1, Trace: func(step int, tt, _ float64) {
		steps = append(steps, step)
		times = append(times, tt)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Sample(context.Background(), make([]float32, 8)); err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}; !slices.Equal(steps, want) {
		t.Errorf("Trace steps %v, want %v", steps, want)
	}
	for k, tt := range times {
		if want := 1 - 0.1*float64(k/2); math.Abs(tt-want) > 1e-15 {
			t.Errorf("Trace call %d: t = %g, want %g", k, tt, want)
		}
	}
}

// TestPCZeroScore: a zero score makes the corrector's step rule 0/0; the
// documented rule skips the step, so corrector-only sampling returns the
// prior draws unchanged, with either step rule, instead of NaN.
func TestPCZeroScore(t *testing.T) {
	const d, n, seed = 2, 4, 3
	sde := VE{0.1, 5, 5}
	for _, perChain := range []bool{false, true} {
		p, err := NewPCSampler(sde, sdeZeroScore{d}, PCConfig{Predictor: PCNoPredictor, PerChainSNR: perChain, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, n*d)
		if _, err := p.Sample(context.Background(), x); err != nil {
			t.Fatalf("per chain %v: %v", perChain, err)
		}
		for c := range n {
			z := streamNormals(seed, 0, c, d)
			for j := range d {
				if want := float32(5) * float32(z[j]); x[c*d+j] != want {
					t.Errorf("per chain %v: chain %d = %v, want the prior draw σ_max·z = %v", perChain, c, x[c*d:c*d+d], want)
				}
			}
		}
	}
}

// TestSDEConfigDefaults: the zero configurations mean the reference's
// settings (score_sde: snr 0.16, one corrector step, sampling ε = 10⁻³,
// likelihood ε = 10⁻⁵, rtol = atol = 10⁻⁵) and the documented others.
func TestSDEConfigDefaults(t *testing.T) {
	g := newSDEGaussIso(DefaultVP(), []float64{0}, 1)
	pc := mustNew(NewPCSampler(g.sde, g, PCConfig{})).Config()
	if pc.SNR != 0.16 || pc.CorrectorSteps != 1 || pc.Eps != 1e-3 {
		t.Errorf("PC defaults %+v", pc)
	}
	ode := mustNew(NewODESampler(g.sde, g, ODEConfig{})).Config()
	if ode.Steps != 100 || ode.RTol != 1e-5 || ode.ATol != 1e-5 || ode.MaxSteps != 100000 || ode.Eps != 1e-3 {
		t.Errorf("ODE defaults %+v", ode)
	}
	l := mustNew(NewLikelihood(g.sde, g, LikelihoodConfig{})).Config()
	if l.RTol != 1e-5 || l.ATol != 1e-5 || l.MaxSteps != 100000 || l.Eps != 1e-5 || l.FDStep != 1e-3 {
		t.Errorf("Likelihood defaults %+v", l)
	}
}

// TestSDEConfigErrors: the constructors refuse an invalid SDE and every
// out-of-range setting.
func TestSDEConfigErrors(t *testing.T) {
	g := newSDEGaussIso(DefaultVP(), []float64{0}, 1)
	pc := func(c PCConfig) error { return second(NewPCSampler(g.sde, g, c)) }
	ode := func(c ODEConfig) error { return second(NewODESampler(g.sde, g, c)) }
	lik := func(c LikelihoodConfig) error { return second(NewLikelihood(g.sde, g, c)) }
	bad := map[string]error{
		"PC invalid SDE":           second(NewPCSampler(VE{0, 1, 10}, g, PCConfig{})),
		"ODE invalid SDE":          second(NewODESampler(VP{0.1, 20, 10}, g, ODEConfig{})),
		"Likelihood invalid SDE":   second(NewLikelihood(SubVP{1, 0.5, 10}, g, LikelihoodConfig{})),
		"PC SNR +Inf":              pc(PCConfig{SNR: math.Inf(1)}),
		"PC SNR NaN":               pc(PCConfig{SNR: math.NaN()}),
		"PC CorrectorSteps −1":     pc(PCConfig{CorrectorSteps: -1}),
		"PC predictor −1":          pc(PCConfig{Predictor: -1}),
		"PC predictor 4":           pc(PCConfig{Predictor: PCNoPredictor + 1}),
		"PC corrector −1":          pc(PCConfig{Corrector: -1}),
		"PC corrector 2":           pc(PCConfig{Corrector: PCNoCorrector + 1}),
		"PC Eps −1":                pc(PCConfig{Eps: -1}),
		"ODE method −1":            ode(ODEConfig{Method: -1}),
		"ODE method 2":             ode(ODEConfig{Method: ODEHeun + 1}),
		"ODE Steps −1":             ode(ODEConfig{Steps: -1}),
		"ODE RTol −1":              ode(ODEConfig{RTol: -1}),
		"ODE ATol −1":              ode(ODEConfig{ATol: -1}),
		"ODE MaxSteps −1":          ode(ODEConfig{MaxSteps: -1}),
		"ODE Eps 1":                ode(ODEConfig{Eps: 1}),
		"Likelihood divergence −1": lik(LikelihoodConfig{Divergence: -1}),
		"Likelihood divergence 3":  lik(LikelihoodConfig{Divergence: LikelihoodExact + 1}),
		"Likelihood FDStep 1":      lik(LikelihoodConfig{FDStep: 1}),
		"Likelihood FDStep −1":     lik(LikelihoodConfig{FDStep: -1}),
		"Likelihood ATol −1":       lik(LikelihoodConfig{ATol: -1}),
	}
	for name, err := range bad {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestSDEEpsFloat32: PC, ODE and Likelihood refuse an Eps whose float32
// is subnormal or 0 (the score takes t as a float32, and a VP σ(0) = 0
// made a model that divides by σ(t) panic inside a sampler goroutine),
// naming it, and take the smallest normal float32.
func TestSDEEpsFloat32(t *testing.T) {
	g := newSDEGaussIso(DefaultVP(), []float64{0}, 1)
	for _, eps := range []float64{0x1p-126 - 0x1p-149, 0x1p-127, 1e-40, 1e-46} {
		for who, err := range map[string]error{
			"PC":         second(NewPCSampler(g.sde, g, PCConfig{Eps: eps})),
			"ODE":        second(NewODESampler(g.sde, g, ODEConfig{Eps: eps})),
			"Likelihood": second(NewLikelihood(g.sde, g, LikelihoodConfig{Eps: eps})),
		} {
			want := fmt.Sprintf("sampler: %s: Eps %g: want a normal float32, Eps ≥ 1.2e-38", who, eps)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s Eps = %g: error %v, want %q", who, eps, err, want)
			}
		}
	}
	// 2⁻¹²⁶ − 2⁻¹⁵¹ rounds up to 2⁻¹²⁶ in float32 (the subnormals are
	// 2⁻¹⁴⁹ apart), where 2⁻¹²⁶ − 2⁻¹⁴⁹ above is the largest subnormal.
	for _, eps := range []float64{0x1p-126, 0x1p-126 - 0x1p-151, 1e-30} {
		for who, err := range map[string]error{
			"PC":         second(NewPCSampler(g.sde, g, PCConfig{Eps: eps})),
			"ODE":        second(NewODESampler(g.sde, g, ODEConfig{Eps: eps})),
			"Likelihood": second(NewLikelihood(g.sde, g, LikelihoodConfig{Eps: eps})),
		} {
			if err != nil {
				t.Errorf("%s Eps = %g: %v", who, eps, err)
			}
		}
	}
}

// TestSDERaggedBatch: the samplers panic when len(x) is not a multiple
// of d, naming the method.
func TestSDERaggedBatch(t *testing.T) {
	g := newSDEGaussIso(DefaultVP(), []float64{0, 0}, 1)
	p := mustNew(NewPCSampler(g.sde, g, PCConfig{}))
	o := mustNew(NewODESampler(g.sde, g, ODEConfig{}))
	for name, call := range map[string]func(){
		"PCSampler.Sample":  func() { p.Sample(context.Background(), make([]float32, 3)) },
		"ODESampler.Sample": func() { o.Sample(context.Background(), make([]float32, 3)) },
		"ODESampler.Flow":   func() { o.Flow(context.Background(), make([]float32, 3), 1, 0.5) },
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, name) {
					t.Errorf("%s with len(x) = 3, d = 2: panic %q, want one naming %s", name, r, name)
				}
			}()
			call()
		}()
	}
}

// TestODEMaxSteps: RK45 stops with an error after exactly MaxSteps
// accepted plus rejected steps.
func TestODEMaxSteps(t *testing.T) {
	g := newSDEGauss2(DefaultVP(), []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	o := mustNew(NewODESampler(g.sde, g, ODEConfig{MaxSteps: 3}))
	st, err := o.Sample(context.Background(), make([]float32, 8))
	if err == nil || !strings.Contains(err.Error(), "reached 3 steps") || st.Steps+st.Rejected != 3 {
		t.Errorf("MaxSteps 3: %+v, %v; want an error after 3 steps", st, err)
	}
}

// TestODEFlowNoSpan: a flow from t to t does nothing and counts nothing.
func TestODEFlowNoSpan(t *testing.T) {
	g := newSDEGauss2(DefaultVP(), []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	for _, m := range []ODEMethod{ODERK45, ODEHeun} {
		o := mustNew(NewODESampler(g.sde, g, ODEConfig{Method: m}))
		x := []float32{0.3, -0.7}
		st, err := o.Flow(context.Background(), x, 0.5, 0.5)
		if err != nil || st != (SDEStats{}) || x[0] != 0.3 || x[1] != -0.7 {
			t.Errorf("%v: Flow from 0.5 to 0.5: %+v, %v, x = %v", m, st, err, x)
		}
	}
}

// TestODECounts: ScoreEvals is the number of batched score calls,
// the denoising step's included, and so is Evals (2 per Heun step, plus
// one to denoise); a Heun run that diverges counts the failing step:
// with a score that is NaN below t = 0.5, 100 steps of h = −0.00999 from
// T = 1 first evaluate below 0.5 at step 50 (t + h = 0.4905).
func TestODECounts(t *testing.T) {
	sde := DefaultVP()
	g := newSDEGauss2(sde, []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	for _, den := range []bool{false, true} {
		var calls int
		o := mustNew(NewODESampler(sde, sdeCountScore{g, &calls}, ODEConfig{Method: ODEHeun, Steps: 20, Denoise: den, Workers: 1}))
		st, err := o.Sample(context.Background(), make([]float32, 8))
		want := 40
		if den {
			want++
		}
		if err != nil || st.Steps != 20 || st.Evals != want || st.ScoreEvals != want || calls != want {
			t.Errorf("Heun, denoise %v: %+v (%v) after %d score calls, want %d evaluations", den, st, err, calls, want)
		}
	}
	o := mustNew(NewODESampler(sde, sdeBadScore{2}, ODEConfig{Method: ODEHeun, Workers: 1}))
	st, err := o.Sample(context.Background(), make([]float32, 20))
	var de *DivergenceError
	if !errors.As(err, &de) || de.Step != 50 || st.Steps != 51 || st.Evals != 102 || st.ScoreEvals != 102 {
		t.Errorf("Heun diverging: %+v, %v; want step 50 reported, 51 steps and 102 evaluations counted", st, err)
	}
}

// TestLikelihoodScoreEvals: ScoreEvals counts the batched score calls,
// whichever way the divergence is taken: per right-hand side 1 with the
// model's exact divergence or a Hutchinson JVP, d with exact JVPs, 2 for
// a Hutchinson forward difference and d + 1 for exact ones.
func TestLikelihoodScoreEvals(t *testing.T) {
	g := newSDEGauss2(DefaultVP(), []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	x := sdeDataPoints(g, 5, 1)
	for _, mode := range []LikelihoodDivergence{LikelihoodRademacher, LikelihoodExact} {
		for _, kind := range []string{"score", "jvp", "div"} {
			var calls int
			var s TimeScore = sdeCountScore{g, &calls}
			switch kind {
			case "jvp":
				s = sdeCountJVP{sdeCountScore{g, &calls}}
			case "div":
				s = sdeCountDiv{sdeCountScore{g, &calls}}
			}
			l := mustNew(NewLikelihood(g.sde, s, LikelihoodConfig{Divergence: mode, Workers: 1}))
			st, err := l.LogP(context.Background(), make([]float64, 5), nil, x)
			if err != nil {
				t.Fatal(err)
			}
			if st.ScoreEvals != calls || st.Evals != 2+6*(st.Steps+st.Rejected) {
				t.Errorf("%v/%s: %+v after %d score calls", mode, kind, st, calls)
			}
		}
	}
}

// TestLikelihoodRademacherDiagonal: with a diagonal Jacobian, Hutchinson's
// estimate with ±1 probes is exact (vᵀJv = Σ J_ii v_i² = tr J), so the
// Rademacher log-likelihood of data with a diagonal covariance is the
// exact-divergence one; Gaussian probes are not.
func TestLikelihoodRademacherDiagonal(t *testing.T) {
	g := &sdeGauss{sde: DefaultVP(), mu: []float64{1, -2, 0.5}, lam: []float64{0.1, 1, 3}}
	x := sdeDataPoints(g, 20, 4)
	logp := func(mode LikelihoodDivergence) []float64 {
		out := make([]float64, 20)
		l := mustNew(NewLikelihood(g.sde, sdeGaussJVP{g}, LikelihoodConfig{Divergence: mode, Seed: 2}))
		if _, err := l.LogP(context.Background(), out, nil, x); err != nil {
			t.Fatal(err)
		}
		return out
	}
	exact, rad, gauss := logp(LikelihoodExact), logp(LikelihoodRademacher), logp(LikelihoodGaussian)
	var worstRad, worstGauss float64
	for c := range exact {
		worstRad = max(worstRad, math.Abs(rad[c]-exact[c]))
		worstGauss = max(worstGauss, math.Abs(gauss[c]-exact[c]))
	}
	if worstRad > 1e-9 {
		t.Errorf("Rademacher probes on a diagonal Jacobian: off the exact divergence's log-likelihood by %.3g nats", worstRad)
	}
	if worstGauss < 0.01 {
		t.Errorf("Gaussian probes: within %.3g nats of the exact divergence's log-likelihood at every point, want a visible spread", worstGauss)
	}
}

// TestLikelihoodEps: the data are put at Eps: with Eps = 0.5 the result
// is log p_0.5(x), the marginal at 0.5 (net of the prior's mismatch).
func TestLikelihoodEps(t *testing.T) {
	g := newSDEGauss2(DefaultVP(), []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	x := sdeDataPoints(g, 10, 6)
	l := mustNew(NewLikelihood(g.sde, sdeGaussDiv{g}, LikelihoodConfig{Divergence: LikelihoodExact, Eps: 0.5}))
	lp := make([]float64, 10)
	z := make([]float32, len(x))
	if _, err := l.LogP(context.Background(), lp, z, x); err != nil {
		t.Fatal(err)
	}
	for c := range lp {
		want := g.logDensity(x[2*c:2*c+2], 0.5)
		if got := lp[c] + sdePriorMismatch(g, z[2*c:2*c+2]); math.Abs(got-want) > 3e-4 {
			t.Errorf("point %d: log p = %.6g, want log p_0.5 = %.6g", c, got, want)
		}
	}
}

// TestLikelihoodConfigErrorNames: a bad Likelihood setting is reported as
// the Likelihood's, once, not as the ODE sampler's it shares checks with.
func TestLikelihoodConfigErrorNames(t *testing.T) {
	g := newSDEGaussIso(DefaultVP(), []float64{0}, 1)
	for _, c := range []LikelihoodConfig{{Eps: 1}, {ATol: -1}, {MaxSteps: -1}} {
		_, err := NewLikelihood(g.sde, g, c)
		if err == nil || !strings.HasPrefix(err.Error(), "sampler: Likelihood: ") || strings.Contains(err.Error(), "ODE") {
			t.Errorf("%+v: error %v, want one from sampler: Likelihood alone", c, err)
		}
	}
}

// sdeEdgeScore is −x/2, under which VP's reverse-time samples grow, but
// NaN in every coordinate above 3: chains diverge at different steps.
type sdeEdgeScore struct{ d int }

func (e sdeEdgeScore) Dim() int { return e.d }
func (e sdeEdgeScore) TimeScore(dst, x []float32, t float32) {
	for i, v := range x {
		dst[i] = -v / 2
		if v > 3 {
			dst[i] = float32(math.NaN())
		}
	}
}

// TestSDEDivergenceWorkers: a divergence is reported at the earliest step
// and, among the chains that diverge there, the lowest, with the same
// counts, whatever the split into blocks; the PC sampler counts the steps
// before the failing one, Heun's the failing one too.
func TestSDEDivergenceWorkers(t *testing.T) {
	smallBlocks(t)
	sde := DefaultVP()
	type result struct {
		step, chain int
		st          SDEStats
	}
	for _, name := range []string{"PC", "PC corrector", "Heun"} {
		var ref *result
		for _, pw := range splits {
			var st SDEStats
			var err error
			withProcs(pw[0], func() {
				x := make([]float32, 2*37)
				switch name {
				case "PC":
					st, err = mustNew(NewPCSampler(sde, sdeEdgeScore{2}, PCConfig{Corrector: PCNoCorrector, Seed: 5, Workers: pw[1]})).Sample(context.Background(), x)
				case "PC corrector":
					st, err = mustNew(NewPCSampler(sde, sdeEdgeScore{2}, PCConfig{PerChainSNR: true, Seed: 5, Workers: pw[1]})).Sample(context.Background(), x)
				default:
					st, err = mustNew(NewODESampler(sde, sdeEdgeScore{2}, ODEConfig{Method: ODEHeun, Steps: 200, Seed: 5, Workers: pw[1]})).Sample(context.Background(), x)
				}
			})
			var de *DivergenceError
			if !errors.As(err, &de) {
				t.Fatalf("%s: GOMAXPROCS %d, Workers %d: error %v, want a *DivergenceError", name, pw[0], pw[1], err)
			}
			r := &result{de.Step, de.Chain, st}
			steps := de.Step
			if name == "Heun" {
				steps++
			}
			if st.Steps != steps {
				t.Errorf("%s: divergence at step %d counted %d steps, want %d", name, de.Step, st.Steps, steps)
			}
			if ref == nil {
				ref = r
				t.Logf("%s: %v; %+v", name, err, st)
			} else if *r != *ref {
				t.Errorf("%s: GOMAXPROCS %d, Workers %d: step %d, chain %d, %+v; one worker: step %d, chain %d, %+v", name, pw[0], pw[1], r.step, r.chain, r.st, ref.step, ref.chain, ref.st)
			}
		}
	}
}

// TestODENonFiniteStart: RK45 refuses a right-hand side that is not
// finite at the start, naming the chain, as every divergence does.
func TestODENonFiniteStart(t *testing.T) {
	o := mustNew(NewODESampler(DefaultVP(), sdeBadScore{2}, ODEConfig{}))
	_, err := o.Flow(context.Background(), []float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 0.3, 1)
	var de *DivergenceError
	if !errors.As(err, &de) || de.Sampler != "ODE" || de.Step != -1 || de.Chain != 1 ||
		!strings.Contains(err.Error(), "chain 1: the initial state, its score or its log density is not finite") {
		t.Errorf("flow from a NaN score at chain 1: error %v", err)
	}
}

// TestLikelihoodCancelCounts: a cancelled likelihood call reports the
// steps it finished: cancelled at the last score call of the first RK45
// step (d + 1 = 3 calls per right-hand side with forward differences:
// 2·3 to start, 6·3 per step) it has made 1 step, 8 evaluations and 24
// score calls.
func TestLikelihoodCancelCounts(t *testing.T) {
	g := newSDEGauss2(DefaultVP(), []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls int
	l := mustNew(NewLikelihood(g.sde, sdeCancelAfter{g, 24, &calls, cancel}, LikelihoodConfig{Divergence: LikelihoodExact, Workers: 1}))
	st, err := l.LogP(ctx, make([]float64, 2), nil, sdeDataPoints(g, 2, 1))
	if !errors.Is(err, context.Canceled) || st.Steps != 1 || st.Evals != 8 || st.ScoreEvals != 24 || calls != 24 {
		t.Errorf("cancelled likelihood: %+v, %v after %d score calls; want 1 step, 8 evaluations, 24 score calls", st, err, calls)
	}
}

// TestPCLastTime: PC's grid ends at Eps itself, so that the last step's
// score sees a normal float32 t whenever Eps is one (NewPCSampler's
// check); computed as T + (Eps − T) it was 0 for Eps = 2⁻¹²⁶.
func TestPCLastTime(t *testing.T) {
	g := newSDEGaussIso(DefaultVP(), []float64{0}, 1)
	for _, eps := range []float64{0x1p-126, 1e-20, 1e-3, 0.1, 1.0 / 3} {
		p, err := NewPCSampler(g.sde, g, PCConfig{Eps: eps})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.time(g.sde.Steps() - 1); got != eps {
			t.Errorf("Eps %g: last time %g", eps, got)
		}
	}
}
