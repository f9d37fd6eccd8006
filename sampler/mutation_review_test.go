package sampler

// Tests from a mutation review of the Langevin family (ULA, MALA, SGLD,
// SGHMC, annealed and underdamped Langevin, the chain engine and the
// diagnostics). Each one kills a mutant of the library that every
// earlier test let through; its comment names the mutation.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

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
