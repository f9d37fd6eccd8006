package sampler

// Deterministic tests that pin the samplers' documented coefficients
// (step sizes, friction, adaptation constants, thinning, final denoising
// steps) by recomputing the expected state independently from the same
// random streams. The statistical tests cannot see these: a wrong
// friction, a wrong dual-averaging constant or a wrong last step moves a
// moment by less than its Monte Carlo error, or not at all. Each was
// found by a mutation of the library that no test caught.

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
)

// nearF32 reports whether got is within rel of want, relative to
// 1 + |want| (float32 states after a few float32 operations).
func nearF32(got float32, want, rel float64) bool {
	return math.Abs(float64(got)-want) <= rel*(1+math.Abs(want))
}

// streamNormals returns the first k normals of chain c's stream.
func streamNormals(seed, first uint64, c, k int) []float64 {
	s := kernel.NewStream(seed, first+uint64(c))
	z := make([]float32, k)
	s.Normals(z)
	out := make([]float64, k)
	for i, v := range z {
		out[i] = float64(v)
	}
	return out
}

// TestMALADualAveraging holds MALA's step-size adaptation to Hoffman &
// Gelman (2014), Algorithm 5, written out here with the documented
// constants μ = log(10·ε₀), γ = 0.05, t₀ = 10, κ = 0.75 and the default
// target 0.574, over a fixed sequence of acceptance probabilities. Only
// float64 rounding separates the two (1e-12 relative over 200 steps).
func TestMALADualAveraging(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0, 0}, 1)
	m, err := NewMALA(g, MALAConfig{Step: 0.3, Adapt: true})
	if err != nil {
		t.Fatal(err)
	}
	m.resize(0, 1)
	mu := math.Log(10 * 0.3)
	m.mu[0] = mu // as begin sets it at the start of a Run's burn-in (TestMALAReadapts)
	var hbar, logxbar float64
	for it := 1; it <= 200; it++ {
		alpha := 0.5 + 0.45*math.Sin(float64(it))
		m.adapt(0, it, alpha)
		fi := float64(it)
		hbar = (1-1/(fi+10))*hbar + (0.574-alpha)/(fi+10)
		logEps := mu - math.Sqrt(fi)/0.05*hbar
		eta := math.Pow(fi, -0.75)
		logxbar = eta*logEps + (1-eta)*logxbar
		if math.Abs(math.Log(m.h[0])-logEps) > 1e-12*(1+math.Abs(logEps)) || math.Abs(m.logxbar[0]-logxbar) > 1e-12*(1+math.Abs(logxbar)) {
			t.Fatalf("iteration %d: log h = %.15g, log x̄ = %.15g; want %.15g, %.15g", it, math.Log(m.h[0]), m.logxbar[0], logEps, logxbar)
		}
	}
}

// TestMALAAdaptsOnlyDuringBurnIn: after an adapted burn-in every chain
// has h = exp(mean of the chains' log x̄), and the steps after burn-in do
// not change it (adapting then would break the chain's invariance).
func TestMALAAdaptsOnlyDuringBurnIn(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0, 0, 0}, 1)
	var ref []float64
	for _, steps := range []int{0, 60} {
		m, err := NewMALA(g, MALAConfig{Step: 0.3, Adapt: true, Chain: ChainConfig{Seed: 4, BurnIn: 40, Steps: steps}})
		if err != nil {
			t.Fatal(err)
		}
		x := startBatch(4*3, 5, 0.4, 0.8)
		if _, err := m.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		var s float64
		for _, l := range m.logxbar {
			s += l
		}
		want := math.Exp(s / 4)
		var hs []float64
		for c := range 4 {
			hs = append(hs, m.StepSize(c))
			if steps == 0 && math.Abs(m.StepSize(c)-want) > 1e-15*want {
				t.Errorf("after burn-in: chain %d has h = %v, want exp(mean log x̄) = %v", c, m.StepSize(c), want)
			}
		}
		if ref == nil {
			ref = hs
			continue
		}
		for c := range hs {
			if hs[c] != ref[c] {
				t.Errorf("chain %d: h = %v after %d steps past burn-in, %v at its end: adapted after burn-in", c, hs[c], steps, ref[c])
			}
		}
	}
}

// TestUnderdampedReference recomputes BAOAB and OBABO step by step in
// float64 from the chains' streams (velocities first, then the O steps'
// normals) and checks the final positions and velocities, for a buffered
// (d < 64) and a fused dimension. It pins the O step's duration (h for
// BAOAB, h/2 twice for OBABO) and c₁ = e^{−γτ}, c₂ = √(1 − c₁²), which
// change the friction but hardly the stationary law.
func TestUnderdampedReference(t *testing.T) {
	const (
		h, gamma = 0.2, 1.3
		steps, n = 4, 2
		seed     = 5
		first    = 1
	)
	for _, scheme := range []UnderdampedScheme{BAOAB, OBABO} {
		for _, d := range []int{3, 70} {
			u, err := NewUnderdamped(linScore{d}, UnderdampedConfig{Step: h, Friction: gamma, Scheme: scheme, Chain: ChainConfig{Seed: seed, FirstChain: first, Steps: steps}})
			if err != nil {
				t.Fatal(err)
			}
			x := startBatch(n*d, 7, 0.3, 1)
			x0 := slices.Clone(x)
			if _, err := u.Run(context.Background(), x); err != nil {
				t.Fatal(err)
			}
			perStep := 1
			if scheme == OBABO {
				perStep = 2
			}
			for c := range n {
				z := streamNormals(seed, first, c, d*(1+perStep*steps))
				xs, v := make([]float64, d), z[:d]
				for j := range xs {
					xs[j] = float64(x0[c*d+j])
				}
				z = z[d:]
				score := func(j int) float64 { return -0.7*xs[j] + 0.1 }
				o := func(tau float64) {
					c1 := math.Exp(-gamma * tau)
					c2 := math.Sqrt(1 - c1*c1)
					for j := range v {
						v[j] = c1*v[j] + c2*z[j]
					}
					z = z[d:]
				}
				for range steps {
					if scheme == BAOAB {
						for j := range xs {
							v[j] += h / 2 * score(j)
							xs[j] += h / 2 * v[j]
						}
						o(h)
						for j := range xs {
							xs[j] += h / 2 * v[j]
							v[j] += h / 2 * score(j)
						}
						continue
					}
					o(h / 2)
					for j := range xs {
						v[j] += h / 2 * score(j)
						xs[j] += h * v[j]
						v[j] += h / 2 * score(j)
					}
					o(h / 2)
				}
				for j := range xs {
					if !nearF32(x[c*d+j], xs[j], 1e-5) || !nearF32(u.Velocities()[c*d+j], v[j], 1e-5) {
						t.Fatalf("%v d=%d chain %d coordinate %d: x = %v, v = %v; want %v, %v", scheme, d, c, j, x[c*d+j], u.Velocities()[c*d+j], xs[j], v[j])
					}
				}
			}
		}
	}
}

// TestAnnealedDenoiseStep: Denoise adds exactly x ← x + σ_L²·s(x, σ_L)
// to the same run (σ_L = 0.5, so σ_L² and σ_L differ).
func TestAnnealedDenoiseStep(t *testing.T) {
	const d, n = 3, 4
	run := func(denoise bool) []float32 {
		a, err := NewAnnealed(linScore{d}, AnnealedConfig{Sigmas: []float64{2, 0.5}, StepsPerLevel: 5, Eps: 0.1, Denoise: denoise, Chain: ChainConfig{Seed: 8}})
		if err != nil {
			t.Fatal(err)
		}
		x := startBatch(n*d, 5, 0.5, 1)
		if _, err := a.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	x, y := run(false), run(true)
	s := make([]float32, len(x))
	linScore{d}.NoiseScore(s, x, 0.5)
	for i := range x {
		if want := float64(x[i]) + 0.25*float64(s[i]); !nearF32(y[i], want, 1e-6) {
			t.Fatalf("coordinate %d: denoised %v from %v, want x + σ_L²·s = %v", i, y[i], x[i], want)
		}
	}
}

// TestTraceThinning: draw k of a run with burn-in b and thinning m is the
// state after b + (k+1)·m steps, the same bits as a run of that length,
// for Thin = 1 (every step kept, the first one too) and 3; and so when
// the run is cut into segments of 2 steps (shorter than Thin, so that a
// count restarted at each segment's start keeps the wrong states: only a
// statistical test saw that) and its chains into blocks of one chain
// (each copying its rows of the draw).
func TestTraceThinning(t *testing.T) {
	smallBlocks(t)
	const d, n, steps = 2, 3, 7
	start := func() []float32 {
		x := startBatch(n*d, 4, 0.5, 0.7)
		return x
	}
	run := func(burn, steps, thin, seg, workers int) (*Trace, []float32) {
		u, err := NewULA(linScore{d}, ULAConfig{Step: 0.05, Chain: ChainConfig{Seed: 11, BurnIn: burn, Steps: steps, Thin: thin, Segment: seg, Workers: workers}})
		if err != nil {
			t.Fatal(err)
		}
		x := start()
		tr, err := u.Run(context.Background(), x)
		if err != nil {
			t.Fatal(err)
		}
		return tr, x
	}
	for _, split := range [][2]int{{0, 1}, {2, n}} {
		seg, workers := split[0], split[1]
		for _, burn := range []int{0, 3} {
			for _, thin := range []int{1, 3} {
				tr, _ := run(burn, steps, thin, seg, workers)
				if tr.Draws != steps/thin || tr.Chains != n || tr.Dim != d {
					t.Fatalf("burn %d thin %d: trace %d draws of %d chains in %d dims, want %d, %d, %d", burn, thin, tr.Draws, tr.Chains, tr.Dim, steps/thin, n, d)
				}
				for k := range tr.Draws {
					_, want := run(burn, (k+1)*thin, 0, 0, 1)
					got := tr.Draw(k)
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("segment %d, %d workers, burn %d thin %d: draw %d = %v, want the state after %d steps %v", seg, workers, burn, thin, k, got, burn+(k+1)*thin, want)
						}
					}
				}
			}
		}
	}
}

// TestPCLastStepMean: by default PC returns the last mean, so that
// x(KeepNoise) − x(default) is exactly the noise term c·z of the last
// step (the predictor's, or with no predictor the last corrector step's
// √(2ε)·z), z the last d normals the chain drew. With N = 40 the VP
// predictor's last a = 1 − f differs from 1 by 1.25e-3, so a last step
// that forgets it is seen; CorrectorSteps = 2 checks that the noise is
// dropped from the last corrector step, not another.
func TestPCLastStepMean(t *testing.T) {
	const d, n, seed = 2, 3, 6
	cases := []struct {
		name string
		sde  SDE
		cfg  PCConfig
	}{
		{"VP/reverse-diffusion", VP{0.1, 20, 40}, PCConfig{Corrector: PCNoCorrector}},
		{"VP/reverse-diffusion/langevin", VP{0.1, 20, 40}, PCConfig{}},
		{"VP/ancestral", VP{0.1, 20, 40}, PCConfig{Predictor: PCAncestral, Corrector: PCNoCorrector}},
		{"VP/euler-maruyama", VP{0.1, 20, 40}, PCConfig{Predictor: PCEulerMaruyama, Corrector: PCNoCorrector}},
		{"VE/corrector", VE{0.1, 5, 20}, PCConfig{Predictor: PCNoPredictor}},
		{"VE/corrector×2", VE{0.1, 5, 20}, PCConfig{Predictor: PCNoPredictor, CorrectorSteps: 2}},
	}
	for _, tc := range cases {
		g := newSDEGaussIso(tc.sde, []float64{0.5, -1}, 0.7)
		var lastEps float64
		run := func(keep bool) []float32 {
			cfg := tc.cfg
			cfg.Seed, cfg.KeepNoise = seed, keep
			cfg.Trace = func(_ int, _, eps float64) { lastEps = eps }
			p, err := NewPCSampler(tc.sde, g, cfg)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, n*d)
			if _, err := p.Sample(context.Background(), x); err != nil {
				t.Fatal(err)
			}
			return x
		}
		mean, noisy := run(false), run(true)
		N := tc.sde.Steps()
		k := 0
		if tc.cfg.Corrector == PCLangevin {
			k = max(1, tc.cfg.CorrectorSteps)
		}
		draws := d + N*k*d // the prior, then each corrector step
		var c float64
		if tc.cfg.Predictor == PCNoPredictor {
			c = math.Sqrt(2 * lastEps)
		} else {
			draws += N * d
			_, _, c = sdePredictor(tc.sde, tc.cfg.Predictor, 1e-3) // the last time, ε
		}
		for ch := range n {
			z := streamNormals(seed, 0, ch, draws)[draws-d:]
			for j := range d {
				i := ch*d + j
				want := float64(mean[i]) + float32c(c)*z[j]
				if !nearF32(noisy[i], want, 2e-6) {
					t.Errorf("%s chain %d: KeepNoise %v, mean %v: difference %v, want the last noise term %v", tc.name, ch, noisy[i], mean[i], float64(noisy[i])-float64(mean[i]), float32c(c)*z[j])
				}
			}
		}
	}
}

// float32c rounds c to float32, as the samplers do with their
// coefficients.
func float32c(c float64) float64 { return float64(float32(c)) }

// TestODEDenoiseStep: Denoise ends with exactly one reverse-diffusion
// step without noise at ε, x ← (1 − f₀)·x + G₀²·s(x, ε), on the flow's
// result. VE with σ_min = 0.1 makes G₀² = 0.01 large enough to see a
// wrong factor.
func TestODEDenoiseStep(t *testing.T) {
	const d, n = 2, 3
	for _, sde := range []SDE{VE{0.1, 5, 50}, VP{0.1, 20, 40}} {
		g := newSDEGaussIso(sde, []float64{0.5, -1}, 0.3)
		run := func(denoise bool) []float32 {
			o, err := NewODESampler(sde, g, ODEConfig{Method: ODEHeun, Steps: 20, Seed: 3, Denoise: denoise})
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, n*d)
			if _, err := o.Sample(context.Background(), x); err != nil {
				t.Fatal(err)
			}
			return x
		}
		x, y := run(false), run(true)
		s := make([]float32, len(x))
		g.TimeScore(s, x, 1e-3)
		f, G := sde.Discrete(1e-3)
		for i := range x {
			want := (1-f)*float64(x[i]) + G*G*float64(s[i])
			if !nearF32(y[i], want, 1e-6) {
				t.Fatalf("%T coordinate %d: denoised %v from %v, want (1 − f)x + G²s = %v", sde, i, y[i], x[i], want)
			}
		}
	}
}

// TestSDEFirstChain: chain c of an SDE sampler's call with FirstChain f
// draws from stream f + c, so it gives the sample of chain f + c of a call
// from FirstChain 0, to the bit (the ODE and a PC sampler without the
// corrector's batch step size treat chains independently). A call that
// ignored FirstChain would repeat the samples of another call.
func TestSDEFirstChain(t *testing.T) {
	const d, n, first = 2, 5, 2
	sde := VP{0.1, 20, 40}
	g := newSDEGaussIso(sde, []float64{0.5, -1}, 0.7)
	samplers := map[string]func(first uint64) func(context.Context, []float32) (SDEStats, error){
		"PC": func(first uint64) func(context.Context, []float32) (SDEStats, error) {
			return mustNew(NewPCSampler(sde, g, PCConfig{Corrector: PCNoCorrector, Seed: 4, FirstChain: first})).Sample
		},
		"PC per-chain SNR": func(first uint64) func(context.Context, []float32) (SDEStats, error) {
			return mustNew(NewPCSampler(sde, g, PCConfig{PerChainSNR: true, Seed: 4, FirstChain: first})).Sample
		},
		"ODE": func(first uint64) func(context.Context, []float32) (SDEStats, error) {
			return mustNew(NewODESampler(sde, g, ODEConfig{Method: ODEHeun, Steps: 10, Seed: 4, FirstChain: first})).Sample
		},
	}
	for name, mk := range samplers {
		all := make([]float32, n*d)
		if _, err := mk(0)(context.Background(), all); err != nil {
			t.Fatal(err)
		}
		part := make([]float32, (n-first)*d)
		if _, err := mk(first)(context.Background(), part); err != nil {
			t.Fatal(err)
		}
		for i, v := range part {
			if math.Float32bits(v) != math.Float32bits(all[first*d+i]) {
				t.Fatalf("%s: FirstChain %d: chain %d = %v, want chain %d of FirstChain 0: %v", name, first, i/d, part[i/d*d:i/d*d+d], first+i/d, all[(first+i/d)*d:(first+i/d+1)*d])
			}
		}
	}
}

// TestChainFirstChain is TestSDEFirstChain for the Langevin samplers
// (chain state started alike): chain c under FirstChain f is chain f + c
// under FirstChain 0, to the bit.
func TestChainFirstChain(t *testing.T) {
	const d, n, first = 3, 5, 2
	start := func(from, count int) []float32 {
		x := make([]float32, count*d)
		for i := range x {
			x[i] = float32((from*d+i)%7)*0.2 - 0.6
		}
		return x
	}
	for name, mk := range chainRunners(d) {
		all := start(0, n)
		if _, err := mk(ChainConfig{Seed: 4, Steps: 20})(context.Background(), all); err != nil {
			t.Fatal(err)
		}
		part := start(first, n-first)
		if _, err := mk(ChainConfig{Seed: 4, FirstChain: first, Steps: 20})(context.Background(), part); err != nil {
			t.Fatal(err)
		}
		for i, v := range part {
			if math.Float32bits(v) != math.Float32bits(all[first*d+i]) {
				t.Fatalf("%s: FirstChain %d: chain %d differs from chain %d of FirstChain 0", name, first, i/d, first+i/d)
			}
		}
	}
}

// TestAnnealedReference recomputes annealed Langevin in float64 from the
// chains' streams: T steps at each level i with α_i = ε·σ_i²/σ_L²,
// x ← x + (α_i/2)·s(x, σ_i) + √α_i·z. Only a golden hash held the level
// schedule before (a shifted level or σ_L for σ_L² changed nothing else).
func TestAnnealedReference(t *testing.T) {
	const d, n, T, eps, seed = 3, 2, 3, 0.1, 12
	sigmas := []float64{2, 1, 0.5}
	for _, dim := range []int{d, 70} {
		a, err := NewAnnealed(linScore{dim}, AnnealedConfig{Sigmas: sigmas, StepsPerLevel: T, Eps: eps, Chain: ChainConfig{Seed: seed}})
		if err != nil {
			t.Fatal(err)
		}
		x := startBatch(n*dim, 5, 0.5, 1)
		x0 := slices.Clone(x)
		if _, err := a.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		last := sigmas[len(sigmas)-1]
		for c := range n {
			z := streamNormals(seed, 0, c, dim*T*len(sigmas))
			for j := range dim {
				v := float64(x0[c*dim+j])
				for i, sig := range sigmas {
					alpha := eps * sig * sig / (last * last)
					for k := range T {
						s := -v / (1 + float64(float32(sig)*float32(sig)))
						v += alpha/2*s + math.Sqrt(alpha)*z[(i*T+k)*dim+j]
					}
				}
				if !nearF32(x[c*dim+j], v, 1e-5) {
					t.Fatalf("d=%d chain %d coordinate %d: %v, want %v", dim, c, j, x[c*dim+j], v)
				}
			}
		}
	}
}

// TestStartingDraws: SGHMC's velocities start at the first d normals of
// each chain's stream (N(0, I), as documented), and the likelihood's
// Hutchinson probes are the first d normals of each chain's stream,
// Gaussian, or their signs for Rademacher probes.
func TestStartingDraws(t *testing.T) {
	const d, n, seed = 3, 4, 13
	s, err := NewSGHMC(&isoMean{d: d}, SGHMCConfig{Step: 0.01, Friction: 1, Batch: 2, Chain: ChainConfig{Seed: seed}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background(), make([]float32, n*d)); err != nil {
		t.Fatal(err)
	}
	for c := range n {
		z := streamNormals(seed, 0, c, d)
		for j := range d {
			if v := s.Velocities()[c*d+j]; float64(v) != z[j] {
				t.Fatalf("SGHMC chain %d: velocity %d = %v, want the stream's normal %v", c, j, v, z[j])
			}
		}
	}
	g := newSDEGaussIso(VP{0.1, 20, 40}, []float64{0.5, -1, 0}, 0.7)
	for _, mode := range []LikelihoodDivergence{LikelihoodGaussian, LikelihoodRademacher} {
		l, err := NewLikelihood(VP{0.1, 20, 40}, g, LikelihoodConfig{Divergence: mode, Seed: seed, RTol: 1e-3, ATol: 1e-3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.LogP(context.Background(), make([]float64, n), nil, make([]float32, n*d)); err != nil {
			t.Fatal(err)
		}
		for c := range n {
			z := streamNormals(seed, 0, c, d)
			for j := range d {
				want := z[j]
				if mode == LikelihoodRademacher {
					want = math.Copysign(1, z[j])
				}
				if v := l.v32[c*d+j]; float64(v) != want {
					t.Fatalf("%v chain %d: probe %d = %v, want %v", mode, c, j, v, want)
				}
			}
		}
	}
}

// TestSGLDReference recomputes SGLD in float64 from the chains' streams:
// step t (from 0, burn-in included) draws Batch words u from the chain's
// word stream (its stream from position 2⁶³), takes the data indices
// ⌊u·N/2³²⌋, and moves
// x ← x + h_t·(∇log p(x) + (N/n)·Σᵢ ∇log p(y_i | x)) + √(2h_t)·z with
// h_t = A·(B + t)^(−γ) and z the chain's next d normals, for a buffered
// (d < 64) and a direct dimension, within 10⁻⁶ relative (the float32
// run is 5·10⁻⁸ off). Only ExampleSGHMC saw the scale N/n of the
// minibatch sum (N/(n+1) passed every other test), and nothing saw the
// prior's term dropped, indices taken as u mod N, or the schedule
// counted from 1.
func TestSGLDReference(t *testing.T) {
	const (
		n, batch, burn, steps = 2, 3, 1, 3
		seed, first           = 9, 2
		a, b, gamma           = 0.02, 2, 0.75
	)
	for _, d := range []int{3, 70} {
		l := &isoMean{d: d}
		s, err := NewSGLD(l, SGLDConfig{A: a, B: b, Gamma: gamma, Batch: batch, Chain: ChainConfig{Seed: seed, FirstChain: first, BurnIn: burn, Steps: steps}})
		if err != nil {
			t.Fatal(err)
		}
		x := startBatch(n*d, 7, 0.3, 1)
		x0 := slices.Clone(x)
		if _, err := s.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		N := float64(l.Len())
		total := burn + steps
		for c := range n {
			z := streamNormals(seed, first, c, d*total)
			words := kernel.NewStream(seed, first+uint64(c))
			words.Seek(1 << 63)
			u := make([]uint32, batch*total)
			words.Uint32s(u)
			v := make([]float64, d)
			for j := range v {
				v[j] = float64(x0[c*d+j])
			}
			for k := range total {
				h := a * math.Pow(b+float64(k), -gamma)
				var ys []float64 // the minibatch's y_i = (i mod 5)/5, isoMean's data
				for _, w := range u[k*batch : (k+1)*batch] {
					i := int(math.Floor(float64(w) * N / (1 << 32)))
					ys = append(ys, float64(i%5)/5)
				}
				for j := range v {
					var sum float64
					for _, y := range ys {
						sum += y - v[j]
					}
					grad := -v[j] + N/batch*sum
					v[j] += h*grad + math.Sqrt(2*h)*z[k*d+j]
				}
			}
			for j := range v {
				if !nearF32(x[c*d+j], v[j], 1e-6) {
					t.Fatalf("d=%d chain %d coordinate %d: %v, want %v", d, c, j, x[c*d+j], v[j])
				}
			}
		}
	}
}

// startBatch returns the starting points of the reference tests: size
// values (i mod period)·step − off, spread over a few units so that
// every coordinate starts somewhere else.
func startBatch(size, period int, step, off float32) []float32 {
	x := make([]float32, size)
	for i := range x {
		x[i] = float32(i%period)*step - off
	}
	return x
}

// flatTarget is log p = 0 on ℝᵈ: MALA accepts every proposal (the ratio
// is 0 up to float32 rounding, about 1e-7).
type flatTarget struct{ d int }

func (f flatTarget) Dim() int                    { return f.d }
func (f flatTarget) Score(dst, _ []float32)      { clear(dst) }
func (f flatTarget) LogDensity(dst, _ []float32) { clear(dst) }

// TestMALAReadapts: every Run's burn-in adapts afresh, from the step each
// chain has then. On a flat target α = 1 at every step, so an adapted
// burn-in multiplies ε₀ by a constant K (the recursion of
// TestMALADualAveraging with α = 1, written out here): the first Run ends
// at Step·K, the second at Step·K². Carrying the first Run's H̄ and μ
// into the second (as MALA once did) ends it near 10.7 instead of 108.
func TestMALAReadapts(t *testing.T) {
	const step, burn = 0.01, 3
	var hbar, logxbar float64
	for it := 1; it <= burn; it++ {
		fi := float64(it)
		hbar = (1-1/(fi+10))*hbar + (0.574-1)/(fi+10)
		eta := math.Pow(fi, -0.75)
		logxbar = eta*(math.Log(10)-math.Sqrt(fi)/0.05*hbar) + (1-eta)*logxbar
	}
	k := math.Exp(logxbar) // ≈ 104
	m, err := NewMALA(flatTarget{2}, MALAConfig{Step: step, Adapt: true, Chain: ChainConfig{Seed: 3, BurnIn: burn, Steps: 1}})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 4*2)
	for run, want := range []float64{step * k, step * k * k} {
		if _, err := m.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		for c := range 4 {
			if h := m.StepSize(c); math.Abs(h-want) > 1e-4*want {
				t.Errorf("Run %d: chain %d's step %.6g, want %.6g (ε₀ = %g times %.6g)", run+1, c, h, want, want/k, k)
			}
		}
	}
}
