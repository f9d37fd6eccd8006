package sampler

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
)

// checkMoment checks that the mean of f over the trace is within z
// Monte Carlo standard errors of want, the standard error taken from the
// effective sample size of f's chains (see [moment]).
func checkMoment(t *testing.T, tr *Trace, name string, f func(x []float32) float64, want, z float64) {
	t.Helper()
	mean, mcse, ess := moment(tr, f)
	if math.IsNaN(mcse) || math.Abs(mean-want) > z*mcse {
		t.Errorf("%s = %.5g ± %.2g (ESS %.0f), want %.5g", name, mean, mcse, ess, want)
	} else {
		t.Logf("%s = %.5g ± %.2g (ESS %.0f), want %.5g", name, mean, mcse, ess, want)
	}
}

// moment returns the mean of f over the trace, its Monte Carlo standard
// error (the standard deviation of f over all draws divided by the square
// root of the effective sample size of f's chains) and that ESS.
func moment(tr *Trace, f func(x []float32) float64) (mean, mcse, ess float64) {
	ch := make([][]float64, tr.Chains)
	for c := range ch {
		ch[c] = make([]float64, tr.Draws)
		for k := range ch[c] {
			ch[c][k] = f(tr.At(k, c))
		}
	}
	var ss float64
	for _, c := range ch {
		for _, v := range c {
			mean += v
		}
	}
	cnt := float64(tr.Chains * tr.Draws)
	mean /= cnt
	for _, c := range ch {
		for _, v := range c {
			ss += (v - mean) * (v - mean)
		}
	}
	ess = ESS(ch)
	return mean, math.Sqrt(ss/(cnt-1)) / math.Sqrt(ess), ess
}

func gaussianStart(rng *rand.Rand, n, d int, scale float32) []float32 {
	x := make([]float32, n*d)
	for i := range x {
		x[i] = scale * float32(rng.NormFloat64())
	}
	return x
}

// TestULABias: on N(0, s²) ULA's stationary variance is s²/(1 − h/(2s²)),
// not s².
func TestULABias(t *testing.T) {
	const s, h = 1.5, 0.5
	g := data.NewIsotropicGaussian([]float64{0, 0}, s)
	u, err := NewULA(g, ULAConfig{Step: h, Chain: ChainConfig{Seed: 1, BurnIn: 100, Steps: 2000, Thin: 1}})
	if err != nil {
		t.Fatal(err)
	}
	x := gaussianStart(rand.New(rand.NewPCG(1, 1)), 64, 2, s)
	tr, err := u.Run(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	biased := s * s / (1 - h/(2*s*s))
	for j := 0; j < 2; j++ {
		checkMoment(t, tr, "ULA E[x²]", func(x []float32) float64 { return float64(x[j]) * float64(x[j]) }, biased, 4.5)
	}
	// The exact variance is far outside the error bars.
	var m float64
	for _, v := range tr.Data {
		m += float64(v) * float64(v)
	}
	m /= float64(len(tr.Data))
	if math.Abs(m-s*s) < 0.05 {
		t.Errorf("ULA variance %v matches the unbiased %v: the bias is not visible", m, s*s)
	}
}

func correlatedGaussian(t *testing.T) *data.Gaussian {
	g, err := data.NewGaussian([]float64{1, -1, 0.5}, []float64{
		2, 0.9, -0.3,
		0.9, 1, 0.2,
		-0.3, 0.2, 0.5,
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestMALACorrelatedGaussian: MALA is exact, so the mean and covariance
// match within their Monte Carlo errors even with a large step.
func TestMALACorrelatedGaussian(t *testing.T) {
	g := correlatedGaussian(t)
	m, err := NewMALA(g, MALAConfig{Step: 0.3, Adapt: true, Chain: ChainConfig{Seed: 2, BurnIn: 300, Steps: 2000, Thin: 1}})
	if err != nil {
		t.Fatal(err)
	}
	x := gaussianStart(rand.New(rand.NewPCG(2, 2)), 32, 3, 1)
	tr, err := m.Run(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	rate := m.Acceptance().Rate()
	t.Logf("adapted h = %.3g, acceptance %.3f (warm-up %.3f)", m.StepSize(0), rate, m.WarmupAcceptance().Rate())
	if math.Abs(rate-0.574) > 0.1 {
		t.Errorf("acceptance %v after adaptation, want ≈ 0.574", rate)
	}
	mean, cov := g.Mean(), g.Cov()
	for i := 0; i < 3; i++ {
		checkMoment(t, tr, "MALA mean", func(x []float32) float64 { return float64(x[i]) }, mean[i], 4.5)
		for j := 0; j <= i; j++ {
			checkMoment(t, tr, "MALA cov", func(x []float32) float64 {
				return (float64(x[i]) - mean[i]) * (float64(x[j]) - mean[j])
			}, cov[i*3+j], 4.5)
		}
	}
}

// TestMALABanana: E[x₀²] = 100 and E[x₁²] = 19 on the banana.
func TestMALABanana(t *testing.T) {
	b := data.NewBanana()
	m, err := NewMALA(b, MALAConfig{Step: 0.5, Adapt: true, Chain: ChainConfig{Seed: 3, BurnIn: 500, Steps: 6000, Thin: 2}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 64
	x := make([]float32, 2*n)
	b.Sample(x, rand.New(rand.NewPCG(3, 3)))
	tr, err := m.Run(context.Background(), x)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("banana: h = %.3g, acceptance %.3f", m.StepSize(0), m.Acceptance().Rate())
	checkMoment(t, tr, "banana E[x0²]", func(x []float32) float64 { return float64(x[0]) * float64(x[0]) }, 100, 4.5)
	checkMoment(t, tr, "banana E[x1²]", func(x []float32) float64 { return float64(x[1]) * float64(x[1]) }, 19, 4.5)
}

// TestMALARosenbrock: on the 2-D Rosenbrock density (A = 1, B = 100,
// Temp = 1/20; see data.Rosenbrock) MALA keeps the exact moments
// E[x₀] = 1, E[x₀²] = E[x₁] = 11 and E[(x₁ − x₀²)²] = 1/(2·Temp·B) = 0.1,
// each within 4.5 Monte Carlo standard errors from the effective sample
// size.
//
// The chains start at exact draws (data's sampler), since MALA cannot
// cross this target in a test's time: the valley x₁ ≈ x₀² is at most 0.3
// wide and some 70 long (x₀ from −5 to 7), so with a step the valley's
// curvature allows a chain travels a small fraction of its length. The
// moments along the valley then have an ESS near the estimator's floor of
// chains/2 and wide error bars: they only check that nothing drifts. The
// sharp check is the squared distance across the valley, which mixes
// within hundreds of steps (ESS in the tens of thousands). The step is
// fixed and small, h = 5·10⁻⁴: the curvature across the valley,
// 2·Temp·B·(1 + 4x₀²) = 10·(1 + 4x₀²), stays below 2/h = 4000 for
// |x₀| < √99.75 ≈ 9.987 (99.75 % of the mass; at |x₀| = 10 it is 4010),
// so no chain sticks in the tails (a stuck chain's error is invisible to
// the ESS).
//
// ULA with the same step has no accept/reject, and the test shows that
// the check across the valley can fail. Not on E[(x₁ − x₀²)²] itself:
// beyond |x₀| ≈ 9.987 ULA is unstable across the valley, and the rare
// chain that gets there dominates its estimate (seed 5: 0.21 ± 0.12, one
// chain of 256 averaging 23), so its bias is not measurable there. Where
// ULA is stable its variance across the valley is inflated by
// 1/(1 − h·curvature/2), which is what the check should see: with
// d = x₁ − x₀² ~ N(0, s₁²) independent of x₀ under the target,
// E[(d² − s₁²)·1{|x₀| < 6}] = 0 whatever x₀'s distribution, so its
// estimate mixes as fast as d does; within |x₀| < 6 the inflation is at
// most 1.57 and ULA's excess comes to about 0.009 (0.0091 averaged over
// the exact x₀). MALA must keep it within 4.5 standard errors of 0, and
// ULA must exceed 0 by more than 4.5 of its own (from its own ESS): ULA
// fails, in the direction of its bias, the check MALA passes (seed 5:
// 9.7 standard errors; 8.5 to 17 over seeds 1 to 8, MALA's within 2.1).
func TestMALARosenbrock(t *testing.T) {
	r := data.NewRosenbrock(2)
	const n, h, z = 256, 5e-4, 4.5
	chain := ChainConfig{Seed: 5, Steps: 10000, Thin: 5}
	start := make([]float32, 2*n)
	r.Sample(start, rand.New(rand.NewPCG(5, 5)))
	across := func(x []float32) float64 { d := float64(x[1]) - float64(x[0])*float64(x[0]); return d * d }
	s12 := 1 / (2 * r.Temp * r.B)
	// excess is (d² − s₁²)·1{|x₀| < 6}, whose exact expectation is 0.
	excess := func(x []float32) float64 {
		if math.Abs(float64(x[0])) >= 6 {
			return 0
		}
		return across(x) - s12
	}

	m, err := NewMALA(r, MALAConfig{Step: h, Chain: chain})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := m.Run(context.Background(), slices.Clone(start))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rosenbrock: h = %.3g, acceptance %.3f", h, m.Acceptance().Rate())
	checkMoment(t, tr, "rosenbrock E[x0]", func(x []float32) float64 { return float64(x[0]) }, r.A, z)
	checkMoment(t, tr, "rosenbrock E[x0²]", func(x []float32) float64 { return float64(x[0]) * float64(x[0]) }, r.A*r.A+1/(2*r.Temp), z)
	checkMoment(t, tr, "rosenbrock E[x1]", func(x []float32) float64 { return float64(x[1]) }, r.A*r.A+1/(2*r.Temp), z)
	checkMoment(t, tr, "rosenbrock E[(x1−x0²)²]", across, s12, z)
	checkMoment(t, tr, "rosenbrock E[((x1−x0²)² − s1²)·1{|x0| < 6}]", excess, 0, z)

	u, err := NewULA(r, ULAConfig{Step: h, Chain: chain})
	if err != nil {
		t.Fatal(err)
	}
	if tr, err = u.Run(context.Background(), slices.Clone(start)); err != nil {
		t.Fatal(err)
	}
	mean, se, ess := moment(tr, across)
	t.Logf("rosenbrock: ULA E[(x1−x0²)²] = %.4g ± %.2g (ESS %.0f)", mean, se, ess)
	mean, se, ess = moment(tr, excess)
	t.Logf("rosenbrock: ULA E[((x1−x0²)² − s1²)·1{|x0| < 6}] = %.3g ± %.2g (ESS %.0f): %.1f standard errors above 0", mean, se, ess, mean/se)
	if !(mean > z*se) {
		t.Errorf("ULA's E[((x1−x0²)² − s1²)·1{|x0| < 6}] = %.3g ± %.2g (ESS %.0f), not %g standard errors above the exact 0: the check has lost its power", mean, se, ess, z)
	}
}

// TestMALARejectsNaN: a proposal where log p is NaN is rejected, so the
// chain stays finite.
func TestMALARejectsNaN(t *testing.T) {
	m, err := NewMALA(nanOutside{}, MALAConfig{Step: 2, Chain: ChainConfig{Seed: 4, Steps: 200}})
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{0.5, -0.5}
	if _, err := m.Run(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if m.Acceptance().Rate() >= 0.9 || math.Abs(float64(x[0])) > 1 {
		t.Errorf("acceptance %v, x %v: NaN proposals accepted", m.Acceptance().Rate(), x)
	}
}

// nanOutside is N(0, I) on the unit ball with log p = NaN outside it.
type nanOutside struct{}

func (nanOutside) Dim() int { return 1 }
func (nanOutside) Score(dst, x []float32) {
	for i, v := range x {
		dst[i] = -v
	}
}
func (nanOutside) LogDensity(dst, x []float32) {
	for i, v := range x {
		dst[i] = -v * v / 2
		if v > 1 || v < -1 {
			dst[i] = float32(math.NaN())
		}
	}
}

// TestDeterministicAcrossWorkers: the same seed gives bit-identical
// samples with 1 and 2 workers and GOMAXPROCS 1 and 2.
func TestDeterministicAcrossWorkers(t *testing.T) {
	g := correlatedGaussian(t)
	run := func(procs, workers int) ([]float32, []float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		m, err := NewMALA(g, MALAConfig{Step: 0.2, Adapt: true, Chain: ChainConfig{Seed: 5, BurnIn: 50, Steps: 100, Thin: 10, Workers: workers, Segment: 7}})
		if err != nil {
			t.Fatal(err)
		}
		x := gaussianStart(rand.New(rand.NewPCG(5, 5)), 13, 3, 1)
		tr, err := m.Run(context.Background(), x)
		if err != nil {
			t.Fatal(err)
		}
		return x, tr.Data
	}
	x1, t1 := run(1, 0)
	for _, c := range [][2]int{{2, 0}, {2, 3}, {1, 5}} {
		x2, t2 := run(c[0], c[1])
		for i := range x1 {
			if math.Float32bits(x1[i]) != math.Float32bits(x2[i]) {
				t.Fatalf("GOMAXPROCS %d, workers %d: final state differs at %d", c[0], c[1], i)
			}
		}
		for i := range t1 {
			if math.Float32bits(t1[i]) != math.Float32bits(t2[i]) {
				t.Fatalf("GOMAXPROCS %d, workers %d: trace differs at %d", c[0], c[1], i)
			}
		}
	}
}

// TestDivergence: a step far too large makes ULA blow up on a stiff
// Gaussian; the error names the step and chain.
func TestDivergence(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0}, 0.01)
	u, err := NewULA(g, ULAConfig{Step: 1, Chain: ChainConfig{Seed: 6, Steps: 1000, Workers: 2}})
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{1, 0, 0, 0}
	_, err = u.Run(context.Background(), x)
	var de *DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a DivergenceError", err)
	}
	// Each step multiplies x by 1 − h/σ² = −9999 (the noise, of order 1,
	// aside): chain 0 starts at 1, so at step t (0-based) its score is
	// −10⁴·9999ᵗ, which overflows float32 first at t = 9; the chains that
	// start at 0 are a step behind.
	if de.Chain != 0 || de.Step != 9 {
		t.Errorf("divergence at step %d chain %d, want step 9 chain 0: %v", de.Step, de.Chain, err)
	}
	t.Log(err)
}

func TestCancel(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var calls int
	u, err := NewULA(g, ULAConfig{Step: 0.1, Chain: ChainConfig{Seed: 7, Steps: 1 << 30, Segment: 10, Progress: func(done, total int) {
		calls++
		if done >= 100 {
			cancel()
		}
	}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = u.Run(ctx, make([]float32, 8))
	if !errors.Is(err, context.Canceled) || calls != 10 {
		t.Errorf("err = %v after %d progress calls", err, calls)
	}
}

func TestStepAllocs(t *testing.T) {
	smallBlocks(t) // so that two workers really split the 8 chains
	st := kernel.NewStream(1, 1)
	u := make([]float32, 1)
	if a := testing.AllocsPerRun(10, func() { st.Uniforms(u) }); a != 0 {
		t.Skipf("kernel.Stream.Uniforms itself allocates %v times per call", a)
	}
	g := correlatedGaussian(t)
	for _, cfg := range []ChainConfig{{Seed: 8, Steps: 1000, Workers: 1}, {Seed: 8, Steps: 1000, Workers: 2}} {
		m, err := NewMALA(g, MALAConfig{Step: 0.2, Chain: cfg})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 3*8)
		m.Run(context.Background(), x)
		// A run of 1000 steps allocates a fixed few objects (the team's
		// channels and goroutines), none per step.
		if a := testing.AllocsPerRun(3, func() { m.Run(context.Background(), x) }); a > 10 {
			t.Errorf("workers %d: %v allocations per 1000-step run", cfg.Workers, a)
		}
	}
}

// slowScore is a Score that takes 5 ms a call (standing for a large batch
// or network) and cancels its context at the after-th call.
type slowScore struct {
	inner  Score
	after  int64
	cancel context.CancelFunc
	calls  atomic.Int64
}

func (s *slowScore) Score(dst, x []float32) {
	if s.calls.Add(1) == s.after {
		s.cancel()
	}
	time.Sleep(5 * time.Millisecond)
	s.inner.Score(dst, x)
}

func (s *slowScore) Dim() int { return s.inner.Dim() }

// TestCancelSlowScore: with the default Segment, a cancelled run of a slow
// score stops within about 25 ms (five or so calls), not at the end of a
// 64-step segment, for each Langevin sampler over a Score.
func TestCancelSlowScore(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0, 0}, 1)
	chain := ChainConfig{Seed: 9, Steps: 1000}
	for _, r := range []struct {
		name string
		run  func(context.Context, Score, []float32) error
	}{
		{"ULA", func(ctx context.Context, s Score, x []float32) error {
			u, err := NewULA(s, ULAConfig{Step: 0.1, Chain: chain})
			if err != nil {
				t.Fatal(err)
			}
			_, err = u.Run(ctx, x)
			return err
		}},
		{"Underdamped", func(ctx context.Context, s Score, x []float32) error {
			u, err := NewUnderdamped(s, UnderdampedConfig{Step: 0.1, Friction: 1, Chain: chain})
			if err != nil {
				t.Fatal(err)
			}
			_, err = u.Run(ctx, x)
			return err
		}},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		s := &slowScore{inner: g, after: 12, cancel: cancel}
		err := r.run(ctx, s, make([]float32, 2*4))
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want one wrapping %v", r.name, err, context.Canceled)
			continue
		}
		if late := s.calls.Load() - s.after; late > 10 {
			t.Errorf("%s: %d score calls of 5 ms after the cancellation, want at most 10", r.name, late)
		}
	}
}
