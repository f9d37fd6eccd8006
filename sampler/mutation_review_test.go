package sampler

// Tests from a mutation review of the Langevin family (ULA, MALA, SGLD,
// SGHMC, annealed and underdamped Langevin, the chain engine and the
// diagnostics). Each one kills a mutant of the library that every
// earlier test let through; its comment names the mutation.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
)

// malaRef is MALA recomputed independently in float64 from the chains'
// streams, as [MALA] documents it: the proposal from the stream's normals
// (position 0 on; below d = 64 in float64, rounded once, as MALA.propose
// says, from d = 64 on the kernel's fused proposal), the accept uniform from its words (position 2⁶³ on),
// the Metropolis–Hastings ratio with both proposal densities, dual
// averaging (Hoffman & Gelman 2014, Algorithm 5, with its constants
// written out) on the burn-in steps numbered from 1, the geometric mean
// of the chains' x̄ at the end of an adapted burn-in, and thinning.
type malaRef struct {
	draws      []float32 // the kept states, draw-major
	x          []float32 // the final states
	h          []float64 // the final steps
	acc, warm  Acceptance
	decisions  int // accept/reject decisions taken
	nanRatios  int // ratios that were NaN
	minMargins float64
}

// runMALARef runs the reference from the states x (n×d, copied) with the
// target g and the configuration cfg of a sampler made by NewMALA.
func runMALARef(g LogDensity, cfg MALAConfig, x0 []float32) malaRef {
	d := g.Dim()
	n := len(x0) / d
	target := cfg.TargetAccept
	if target == 0 {
		target = 0.574
	}
	ch := cfg.Chain
	x := slices.Clone(x0)
	grad, gradp, xp := make([]float32, n*d), make([]float32, d), make([]float32, d)
	logp, lpp := make([]float32, n), make([]float32, 1)
	g.Score(grad, x)
	g.LogDensity(logp, x)
	normals, words := make([]kernel.Stream, n), make([]kernel.Stream, n)
	for c := range n {
		normals[c] = kernel.NewStream(ch.Seed, ch.FirstChain+uint64(c))
		words[c] = kernel.NewStream(ch.Seed, ch.FirstChain+uint64(c))
		words[c].Seek(1 << 63)
	}
	r := malaRef{h: make([]float64, n), minMargins: math.Inf(1)}
	for c := range r.h {
		r.h[c] = cfg.Step
	}
	hbar, logxbar := make([]float64, n), make([]float64, n)
	z := make([]float32, d)
	mu := math.Log(10 * cfg.Step)
	for t := range ch.BurnIn + ch.Steps {
		warm := t < ch.BurnIn
		for c := range n {
			xc, gc := x[c*d:c*d+d], grad[c*d:c*d+d]
			h := float64(float32(r.h[c]))
			sq := float64(float32(math.Sqrt(2 * h)))
			var zz float64
			if d < 64 {
				normals[c].Normals(z)
				for i := range d {
					xp[i] = float32(float64(xc[i]) + h*float64(gc[i]) + sq*float64(z[i]))
					zz += float64(z[i]) * float64(z[i])
				}
			} else {
				// The kernel's fused proposal, which kernel's tests hold
				// to its doc comment (the same formula, fused).
				zz = float64(normals[c].MALAPropose(float32(h), xp, xc, gc))
			}
			g.Score(gradp, xp)
			g.LogDensity(lpp, xp)
			// ‖x − x′ − h·∇log p(x′)‖² as the kernel rounds it: the
			// adaptation below amplifies a rounding difference in the
			// ratio to 1e-5 in h after a few dozen steps.
			rev := float64(kernel.MALAReverse(float32(h), xc, xp, gradp))
			logA := float64(lpp[0]) - float64(logp[c]) - rev/(4*h) + zz/2
			var w [1]uint32
			words[c].Uint32s(w[:])
			u := float64(w[0]>>9)/(1<<23) + 1.0/(1<<24)
			if math.IsNaN(logA) {
				r.nanRatios++
			} else {
				r.minMargins = min(r.minMargins, math.Abs(math.Log(u)-logA))
			}
			r.decisions++
			a := &r.acc
			if warm {
				a = &r.warm
			}
			a.Proposed++
			if math.Log(u) < logA {
				a.Accepted++
				copy(xc, xp)
				copy(gc, gradp)
				logp[c] = lpp[0]
			}
			if warm && cfg.Adapt {
				alpha := 0.0
				if !math.IsNaN(logA) {
					alpha = math.Min(1, math.Exp(logA))
				}
				it := float64(t + 1)
				hbar[c] = (1-1/(it+10))*hbar[c] + (target-alpha)/(it+10)
				logH := mu - math.Sqrt(it)/0.05*hbar[c]
				eta := math.Pow(it, -0.75)
				logxbar[c] = eta*logH + (1-eta)*logxbar[c]
				r.h[c] = math.Exp(logH)
			}
		}
		if t+1 == ch.BurnIn && cfg.Adapt {
			var s float64
			for _, l := range logxbar {
				s += l
			}
			for c := range r.h {
				r.h[c] = math.Exp(s / float64(n))
			}
		}
		if ch.Thin > 0 && t >= ch.BurnIn && (t-ch.BurnIn+1)%ch.Thin == 0 {
			r.draws = append(r.draws, x...)
		}
	}
	r.x = x
	return r
}

// TestMALAReference runs MALA against [runMALARef] for buffered (d < 64)
// and fused (d = 64) proposals, with a fixed and an adapted step, on a
// Gaussian and on nanOutside (whose ratios are NaN outside the unit
// ball): the kept draws and final states agree to float32 rounding, the
// final steps to 1e-5, and the acceptance counts exactly; after Reset a
// second run replays the first and counts afresh. The mutants it kills:
// a proposal drift or noise 0.1 % off, a ratio computed with another h
// than the proposal, the adaptation's iteration counted from 2, a NaN
// ratio fed to the adaptation, the burn-in's geometric mean applied
// without adaptation (h = 1 after any burn-in), the fused proposal given
// its block's first chain's step, Acceptance summing the burn-in counts,
// and the counts of a reset chain kept.
func TestMALAReference(t *testing.T) {
	gauss := func(d int) LogDensity {
		mean := make([]float64, d)
		for i := range mean {
			mean[i] = 0.3 * float64(i%3)
		}
		return data.NewIsotropicGaussian(mean, 0.7)
	}
	cases := []struct {
		name string
		g    LogDensity
		n    int
		cfg  MALAConfig
	}{
		{"d=2 fixed", gauss(2), 3, MALAConfig{Step: 0.5, Chain: ChainConfig{Seed: 11, FirstChain: 3, BurnIn: 5, Steps: 40, Thin: 2}}},
		{"d=2 adapted", gauss(2), 3, MALAConfig{Step: 0.5, Adapt: true, Chain: ChainConfig{Seed: 12, BurnIn: 30, Steps: 20, Thin: 1}}},
		{"d=64 fixed", gauss(64), 2, MALAConfig{Step: 0.05, Chain: ChainConfig{Seed: 13, BurnIn: 3, Steps: 20, Thin: 4}}},
		{"d=64 adapted", gauss(64), 2, MALAConfig{Step: 0.05, Adapt: true, TargetAccept: 0.7, Chain: ChainConfig{Seed: 14, BurnIn: 30, Steps: 10, Thin: 5}}},
		{"NaN ratios adapted", nanOutside{}, 2, MALAConfig{Step: 2, Adapt: true, Chain: ChainConfig{Seed: 15, BurnIn: 40, Steps: 10, Thin: 1}}},
	}
	for _, tc := range cases {
		d := tc.g.Dim()
		x0 := make([]float32, tc.n*d)
		for i := range x0 {
			x0[i] = 0.5 * float32(math.Sin(float64(3*i+1)))
		}
		ref := runMALARef(tc.g, tc.cfg, x0)
		// A decision the float32 rounding of the library could flip would
		// make the comparison meaningless: none is that close.
		if ref.minMargins < 1e-4 {
			t.Fatalf("%s: a decision within %g of its threshold: choose another seed", tc.name, ref.minMargins)
		}
		if tc.g == (nanOutside{}) && ref.nanRatios == 0 {
			t.Fatalf("%s: no NaN ratio during the run", tc.name)
		}
		m, err := NewMALA(tc.g, tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		for run := range 2 {
			x := slices.Clone(x0)
			tr, err := m.Run(context.Background(), x)
			if err != nil {
				t.Fatal(err)
			}
			desc := fmt.Sprintf("%s (run %d)", tc.name, run)
			if tr == nil || len(tr.Data) != len(ref.draws) {
				t.Fatalf("%s: trace %v, want %d values", desc, tr, len(ref.draws))
			}
			for i, v := range tr.Data {
				if !nearF32(v, float64(ref.draws[i]), 1e-5) {
					t.Fatalf("%s: draw %d, chain %d, coordinate %d = %v, want %v", desc, i/(tc.n*d), i/d%tc.n, i%d, v, ref.draws[i])
				}
			}
			for i, v := range x {
				if !nearF32(v, float64(ref.x[i]), 1e-5) {
					t.Fatalf("%s: final x[%d] = %v, want %v", desc, i, v, ref.x[i])
				}
			}
			for c := range tc.n {
				if h := m.StepSize(c); !(math.Abs(h-ref.h[c]) <= 1e-5*ref.h[c]) {
					t.Errorf("%s: chain %d: step %v, want %v", desc, c, h, ref.h[c])
				}
			}
			if a, w := m.Acceptance(), m.WarmupAcceptance(); a != ref.acc || w != ref.warm {
				t.Errorf("%s: acceptance %+v, burn-in %+v; want %+v, %+v", desc, a, w, ref.acc, ref.warm)
			}
			m.Reset()
		}
	}
}

// markScore is a score on ℝᵈ that is 0 everywhere but NaN on a row whose
// first coordinate is 7, even where the row is not finite: it picks the
// chain whose initial score is not finite independently of its state's.
type markScore struct{ d int }

func (s markScore) Dim() int { return s.d }
func (s markScore) Score(dst, x []float32) {
	for r := 0; r < len(x); r += s.d {
		v := float32(0)
		if x[r] == 7 {
			v = float32(math.NaN())
		}
		for i := range s.d {
			dst[r+i] = v
		}
	}
}

// TestInitialDivergenceChain: a run refused for its initial state names
// the first chain whose state or score is not finite, at step −1, for a
// bad score in a row past the first (mutant: the score's bad row taken
// as an element index over d+1) and for a bad state before a bad score
// (mutant: the kernel's later chain preferred to the state's).
func TestInitialDivergenceChain(t *testing.T) {
	u, err := NewUnderdamped(markScore{2}, UnderdampedConfig{Step: 0.1, Friction: 1, Chain: ChainConfig{Steps: 1, Workers: 1}})
	if err != nil {
		t.Fatal(err)
	}
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		x     []float32
		chain int
	}{
		{[]float32{0, 0, 1, 1, 2, 2, 7, 0, 1, 1}, 3},
		{[]float32{0, 0, inf, 0, 2, 2, 7, 0, 1, 1}, 1},
	} {
		_, err := u.Run(context.Background(), tc.x)
		var de *DivergenceError
		if !errors.As(err, &de) || de.Step != -1 || de.Chain != tc.chain {
			t.Errorf("x = %v: error %v, want the initial state of chain %d", tc.x, err, tc.chain)
		}
	}
}

// TestDivergenceAcrossBlocks: ULA on s(x) = 40x with h = 1 multiplies x
// by 41 a step (the noise, of order 1, aside), so a chain started at 10³⁶
// has a finite state after step 0 (4.1·10³⁷) and an infinite score, then
// state, at step 1, while chains started near 0 stay below 10⁶. With
// chains 5 and 9 started there, the error names step 1 and chain 5 for
// every split of the 12 chains: with 4 blocks of 3, chain 5 is the last
// of block 1 and chain 9 the first of block 3. Mutants killed: the
// chain's index within its block reported, the higher chain preferred on
// a tie of steps, the last chain of a block not checked.
func TestDivergenceAcrossBlocks(t *testing.T) {
	smallBlocks(t)
	for _, w := range []int{1, 2, 3, 4, 12} {
		withProcs(2, func() {
			u, err := NewULA(blowScore{1}, ULAConfig{Step: 1, Chain: ChainConfig{Seed: 2, Steps: 3, Workers: w, Segment: 1}})
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, 12)
			x[5], x[9] = 1e36, 1e36
			_, err = u.Run(context.Background(), x)
			var de *DivergenceError
			if !errors.As(err, &de) || de.Step != 1 || de.Chain != 5 {
				t.Errorf("%d workers: error %v, want step 1, chain 5", w, err)
			}
		})
	}
}

// constNoiseScore is the noise-conditional score 10, whatever x and σ.
type constNoiseScore struct{}

func (constNoiseScore) Dim() int { return 1 }
func (constNoiseScore) NoiseScore(dst, _ []float32, _ float32) {
	for i := range dst {
		dst[i] = 10
	}
}

// TestDenoiseDivergenceStep: the denoising step is step L·T (0-based,
// after the L·T Langevin steps 0 … L·T−1). With σ_L = 10¹⁹ it adds
// σ_L²·10 = 10³⁹ to x, which overflows float32, while the Langevin steps
// (ε = 10⁻⁶) stay small. Mutant killed: the denoising step's divergence
// reported at step L·T−1.
func TestDenoiseDivergenceStep(t *testing.T) {
	a, err := NewAnnealed(constNoiseScore{}, AnnealedConfig{Sigmas: []float64{2e19, 1e19}, StepsPerLevel: 3, Eps: 1e-6, Denoise: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Run(context.Background(), make([]float32, 2))
	var de *DivergenceError
	if !errors.As(err, &de) || de.Step != 6 || de.Chain != 0 {
		t.Errorf("error %v, want step 6 (the denoising step), chain 0", err)
	}
}

// TestTraceNilAboveSteps: a Run that keeps no draw (Thin above Steps)
// returns a nil *Trace, as [ULA.Run] says, and one of Thin = Steps keeps
// exactly the last state. Mutant killed: an empty Trace returned.
func TestTraceNilAboveSteps(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0}, 1)
	for _, tc := range []struct{ thin, draws int }{{5, 0}, {4, 1}} {
		u, err := NewULA(g, ULAConfig{Step: 0.1, Chain: ChainConfig{Seed: 1, BurnIn: 2, Steps: 4, Thin: tc.thin}})
		if err != nil {
			t.Fatal(err)
		}
		x := []float32{0, 1}
		tr, err := u.Run(context.Background(), x)
		if err != nil {
			t.Fatal(err)
		}
		if tc.draws == 0 {
			if tr != nil {
				t.Errorf("Thin %d > Steps 4: trace %+v, want nil", tc.thin, tr)
			}
			continue
		}
		if tr == nil || tr.Draws != 1 || !slices.Equal(tr.Draw(0), x) {
			t.Errorf("Thin = Steps: trace %+v, want one draw, the final state %v", tr, x)
		}
	}
}

// TestConfigBoundaries holds the constructors to the edges of the ranges
// their documentation gives, one mutant each: a negative BurnIn (named
// as such), SGLD's
// Gamma = 0.5 (outside (0.5, 1]), SGLD's last step h₁ subnormal in a run
// of two steps, equal annealing levels (not strictly decreasing); and an
// annealing whose first step α₁ = 5·10³⁸ overflows float32 while α₁/2,
// the step taken, does not, which must be accepted.
func TestConfigBoundaries(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0}, 1)
	l := newLinReg(10)
	for _, b := range []struct {
		name string
		err  error
	}{
		{"SGLD Gamma 0.5", second(NewSGLD(l, SGLDConfig{A: 1, B: 1, Gamma: 0.5, Batch: 1}))},
		// h₀ = 2e-38 is normal, h₁ = 1e-38 subnormal in float32.
		{"SGLD last of 2 steps subnormal", second(NewSGLD(l, SGLDConfig{A: 2e-38, B: 1, Gamma: 1, Batch: 1, Chain: ChainConfig{Steps: 2}}))},
		{"Annealed equal levels", second(NewAnnealed(g, AnnealedConfig{Sigmas: []float64{2, 1, 1}, StepsPerLevel: 1, Eps: 1}))},
	} {
		if b.err == nil {
			t.Errorf("%s: accepted", b.name)
		}
	}
	// A negative BurnIn is refused as negative (MaxInt − BurnIn, in the
	// overflow check after it, would wrap and blame the sum instead).
	for _, b := range []int{-1, -5} {
		_, err := NewMALA(g, MALAConfig{Step: 1, Chain: ChainConfig{BurnIn: b, Steps: 5}})
		if want := fmt.Sprintf("BurnIn = %d: want ≥ 0", b); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("BurnIn %d: error %v, want one saying %q", b, err, want)
		}
	}
	if _, err := NewSGLD(l, SGLDConfig{A: 2e-38, B: 1, Gamma: 1, Batch: 1, Chain: ChainConfig{Steps: 1}}); err != nil {
		t.Errorf("SGLD one normal step: %v", err)
	}
	if _, err := NewAnnealed(g, AnnealedConfig{Sigmas: []float64{1e10, 1e-10}, StepsPerLevel: 1, Eps: 0.05}); err != nil {
		t.Errorf("Annealed α₁/2 = 2.5e38: %v", err)
	}
}

// TestAnnealedKeepsLevels: NewAnnealed copies the levels, so that a
// caller who reuses the slice does not change the sampler. Mutant killed:
// the caller's slice kept.
func TestAnnealedKeepsLevels(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0, 0}, 1)
	run := func(sigmas []float64, change bool) []float32 {
		a, err := NewAnnealed(g, AnnealedConfig{Sigmas: sigmas, StepsPerLevel: 4, Eps: 0.01, Chain: ChainConfig{Seed: 3}})
		if err != nil {
			t.Fatal(err)
		}
		if change {
			sigmas[2] = 0.25
		}
		x := []float32{1, -1, 0.5, 2}
		if _, err := a.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	if got, want := run([]float64{3, 2, 1}, true), run([]float64{3, 2, 1}, false); !slices.Equal(got, want) {
		t.Errorf("after the caller changed its levels: %v, want %v", got, want)
	}
}

// TestSGHMCContinuation: as TestContinuation for Underdamped, SGHMC's
// velocities and streams continue from one Run to the next (two runs of
// 30 steps are one of 60) and Reset replays; and a batch that grows
// keeps the velocities of its first chains. Mutants killed: velocities
// redrawn at every Run, or at every resize.
func TestSGHMCContinuation(t *testing.T) {
	l := newLinReg(40)
	mk := func(steps int) *SGHMC {
		s, err := NewSGHMC(l, SGHMCConfig{Step: 0.01, Friction: 2, Batch: 4, Chain: ChainConfig{Seed: 8, Steps: steps}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, c := make([]float32, 6), make([]float32, 6), make([]float32, 6)
	s := mk(30)
	for range 2 {
		if _, err := s.Run(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := mk(60).Run(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Fatalf("2×30 steps %v ≠ 60 steps %v", a, b)
	}
	s.Reset()
	for range 2 {
		if _, err := s.Run(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(a, c) {
		t.Fatalf("Reset did not replay: %v, want %v", c, a)
	}
	// Three chains, then six: chains 0–2 go on as in a batch of three.
	ref, grow := mk(30), mk(30)
	x, y := make([]float32, 6), make([]float32, 12)
	for _, r := range []*SGHMC{ref, grow} {
		if _, err := r.Run(context.Background(), make([]float32, 6)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ref.Run(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if _, err := grow.Run(context.Background(), y); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x, y[:6]) || !slices.Equal(ref.Velocities(), grow.Velocities()[:6]) {
		t.Errorf("chains 0–2 in a batch of 6: %v, velocities %v; want %v, %v as in a batch of 3", y[:6], grow.Velocities()[:6], x, ref.Velocities())
	}
}

// TestNextSegment holds the timed segments to their rule, without a
// clock: the next segment is as many steps as took 25 ms at the pace of
// the last (rounded down), at least 1 and at most 64; 64 if the last took
// no measurable time. Mutant killed: segments four times too long.
func TestNextSegment(t *testing.T) {
	defer func(h func(int) int) { segmentHook = h }(segmentHook)
	segmentHook = nil
	for _, tc := range []struct {
		steps int
		d     time.Duration
		want  int
	}{
		{10, 50 * time.Millisecond, 5},
		{1, 10 * time.Millisecond, 2},
		{3, 7 * time.Millisecond, 10},
		{1, time.Second, 1},
		{4, time.Microsecond, 64},
		{5, 0, 64},
	} {
		if got := nextSegment(tc.steps, tc.d); got != tc.want {
			t.Errorf("nextSegment(%d, %v) = %d, want %d", tc.steps, tc.d, got, tc.want)
		}
	}
}

// TestTailESSOnDraw: the tail indicators are x ≤ q, so that a quantile
// that lands on a draw counts it. With 81 draws, R's type-7 q₀.₀₅ is
// exactly the fifth smallest draw and q₀.₉₅ the fifth largest; the
// expected value is the smaller ESS of the two indicators written out
// here over the split chain (the middle draw dropped). Mutant killed:
// x < q. (With 21 draws of this sequence the two mistakes cancel in the
// minimum.)
func TestTailESSOnDraw(t *testing.T) {
	x := make([]float64, 81)
	for i := range x {
		x[i] = math.Sin(float64(7*i + 2)) // distinct values
	}
	sorted := slices.Sorted(slices.Values(x))
	want := math.Inf(1)
	for _, q := range []float64{sorted[4], sorted[76]} {
		var ind [][]float64
		for _, half := range [][]float64{x[:40], x[41:]} {
			row := make([]float64, 40)
			for t, v := range half {
				if v <= q {
					row[t] = 1
				}
			}
			ind = append(ind, row)
		}
		want = min(want, ESS(ind))
	}
	if got := TailESS([][]float64{x}); got != want {
		t.Errorf("TailESS = %v, want %v", got, want)
	}
}

// TestCancelKeepsDraws: a run cancelled between segments returns the
// Trace with the draws kept so far and the later ones zero, and an error
// that wraps the context's and names the step it stopped at; a context
// cancelled before the run stops it before its first step, leaving x
// as it was. Mutants killed: no Trace returned on cancellation, the
// first segment run whatever the context.
func TestCancelKeepsDraws(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0}, 1)
	mk := func(progress func(done, total int)) *ULA {
		u, err := NewULA(g, ULAConfig{Step: 0.1, Chain: ChainConfig{Seed: 9, Steps: 20, Thin: 1, Segment: 5, Progress: progress}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	full, err := mk(nil).Run(context.Background(), []float32{1, -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	x := []float32{1, -1}
	tr, err := mk(func(done, _ int) {
		if done == 10 {
			cancel()
		}
	}).Run(ctx, x)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped at step 10 of 20") {
		t.Fatalf("error %v, want one wrapping context.Canceled at step 10 of 20", err)
	}
	if tr == nil || tr.Draws != 20 {
		t.Fatalf("trace %+v, want the 20 draws' Trace", tr)
	}
	if !slices.Equal(tr.Data[:20], full.Data[:20]) || slices.ContainsFunc(tr.Data[20:], func(v float32) bool { return v != 0 }) {
		t.Errorf("draws %v, want the first 10 of %v and zeros", tr.Data, full.Data)
	}
	if !slices.Equal(x, full.Draw(9)) {
		t.Errorf("x = %v, want draw 9, %v", x, full.Draw(9))
	}
	y := []float32{1, -1}
	if _, err := mk(nil).Run(ctx, y); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped at step 0 of 20") || !slices.Equal(y, []float32{1, -1}) {
		t.Errorf("cancelled before the run: error %v, x = %v; want step 0 of 20 and x unchanged", err, y)
	}
}

// TestMALANewChainStep: a chain new to a MALA sampler starts at the
// geometric mean of the steps of the chains that continue, which differ
// after a burn-in cut short (here cancelled after 10 of its 40 steps).
// Mutant killed: the new chain given chain 0's step.
func TestMALANewChainStep(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0, 0}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, err := NewMALA(g, MALAConfig{Step: 0.5, Adapt: true, Chain: ChainConfig{Seed: 5, BurnIn: 40, Segment: 5, Progress: func(done, _ int) {
		if done == 10 {
			cancel()
		}
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(ctx, []float32{0, 0, 1, 1, -1, 2}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want a cancellation", err)
	}
	var s float64
	for c := range 3 {
		s += math.Log(m.StepSize(c))
	}
	if m.StepSize(0) == m.StepSize(1) && m.StepSize(1) == m.StepSize(2) {
		t.Fatalf("steps %v, %v, %v: want them different after 10 adapting steps", m.StepSize(0), m.StepSize(1), m.StepSize(2))
	}
	// The context is cancelled: the run resizes and stops before its
	// first step.
	if _, err := m.Run(ctx, make([]float32, 8)); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want a cancellation", err)
	}
	if got, want := m.StepSize(3), math.Exp(s/3); math.Abs(got-want) > 1e-14*want {
		t.Errorf("new chain's step %v, want the geometric mean %v", got, want)
	}
}

// emptyData is a MinibatchScore with no data, which SGLD and SGHMC
// cannot draw a minibatch from.
type emptyData struct{}

func (emptyData) Dim() int                            { return 1 }
func (emptyData) Len() int                            { return 0 }
func (emptyData) PriorScore(dst, _ []float32)         { clear(dst) }
func (emptyData) DataScore(dst, _ []float32, _ []int) { clear(dst) }

// TestConfigRefusesEmpty: SGLD and SGHMC refuse a score without data,
// and every sampler a negative Segment. Mutants killed: either accepted.
func TestConfigRefusesEmpty(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0}, 1)
	for _, b := range []struct {
		name string
		err  error
	}{
		{"SGLD no data", second(NewSGLD(emptyData{}, SGLDConfig{A: 0.1, Batch: 1}))},
		{"SGHMC no data", second(NewSGHMC(emptyData{}, SGHMCConfig{Step: 0.1, Friction: 1, Batch: 1}))},
		{"ULA Segment −1", second(NewULA(g, ULAConfig{Step: 0.1, Chain: ChainConfig{Segment: -1}}))},
	} {
		if b.err == nil {
			t.Errorf("%s: accepted", b.name)
		}
	}
}

// TestTraceCoordinate: Coordinate(j)[c] is chain c's series of
// coordinate j, Series(c, j), read from the draw-major Data at
// (k·Chains + c)·Dim + j. Mutant killed: every chain given chain 0's
// series (which would make every R̂ of a Trace look converged).
func TestTraceCoordinate(t *testing.T) {
	tr := &Trace{Chains: 3, Dim: 2, Draws: 4, Data: make([]float32, 24)}
	for k := range 4 {
		for c := range 3 {
			for j := range 2 {
				tr.Data[(k*3+c)*2+j] = float32(100*k + 10*c + j)
			}
		}
	}
	for j := range 2 {
		got := tr.Coordinate(j)
		for c := range 3 {
			for k := range 4 {
				if want := float64(100*k + 10*c + j); got[c][k] != want {
					t.Fatalf("Coordinate(%d)[%d][%d] = %v, want %v", j, c, k, got[c][k], want)
				}
			}
		}
	}
}

// TestDiagnosticsMinDraws holds each diagnostic to the fewest draws its
// documentation allows: 4 for ESS and SplitRHat, 8 for BulkESS, TailESS
// and Summarize; one fewer panics. Mutants killed: ESS taking 3 draws,
// SplitRHat 2.
func TestDiagnosticsMinDraws(t *testing.T) {
	draws := func(n int) [][]float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Sin(float64(3*i + 1))
		}
		return [][]float64{x, slices.Clone(x)}
	}
	for _, f := range []struct {
		name string
		min  int
		fn   func([][]float64)
	}{
		{"ESS", 4, func(c [][]float64) { ESS(c) }},
		{"SplitRHat", 4, func(c [][]float64) { SplitRHat(c) }},
		{"BulkESS", 8, func(c [][]float64) { BulkESS(c) }},
		{"TailESS", 8, func(c [][]float64) { TailESS(c) }},
		{"Summarize", 8, func(c [][]float64) { Summarize(c) }},
	} {
		f.fn(draws(f.min))
		for _, n := range []int{f.min - 1, 2} {
			wantPanic(t, func() { f.fn(draws(n)) }, fmt.Sprintf("sampler: %s: %d draws per chain, want at least %d", f.name, n, f.min))
		}
	}
}
