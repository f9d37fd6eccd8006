package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/scorekit/scorekit/internal/english"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

type sampleSettings struct {
	model, out, png, kind string
	n, steps, burnin, T   int
	workers               int
	h, eps, snr, initStd  float64
	friction              float64
	sigmas, sde, start    string
	corrector             string
	seed                  uint64
	quiet                 bool

	set map[string]bool // the flags given on the command line
}

// samplerFlags are the flags that only some samplers read: giving one to
// another sampler is an error rather than silently ignored.
var samplerFlags = map[string][]string{
	"steps":     {"ula", "mala", "underdamped", "pc", "ode"},
	"burnin":    {"ula", "mala", "underdamped"},
	"stepsize":  {"ula", "mala", "underdamped"},
	"init":      {"ula", "mala", "underdamped"},
	"start":     {"ula", "mala", "underdamped"},
	"friction":  {"underdamped"},
	"T":         {"annealed"},
	"eps":       {"annealed"},
	"sigmas":    {"annealed"},
	"corrector": {"pc"},
	"snr":       {"pc"},
	"sde":       {"pc", "ode"},
}

// maxSampleValues bounds n·d, the values sample holds: 2²⁸ float32s, 1
// GiB, before the samplers' own buffers.
const maxSampleValues = 1 << 28

func runSample(args []string, stdout, stderr io.Writer) error {
	var s sampleSettings
	fs := newFlags("sample", "sample -model model.safetensors [flags]", stdout)
	fs.StringVar(&s.model, "model", "", "model file (required): from scorekit train, or scripts/export_torch.py")
	fs.IntVar(&s.n, "n", 1000, "number of samples (chains)")
	fs.StringVar(&s.kind, "sampler", "auto", "auto, ula, mala, underdamped, annealed, pc or ode (auto: annealed for σ-conditional models, pc for time-conditional ones, mala for energy models, ula otherwise)")
	fs.StringVar(&s.out, "out", "samples.csv", "output file, .csv or .npy")
	fs.StringVar(&s.png, "png", "auto", "picture of the samples, a .png file (auto: -out's name with .png; none: no picture)")
	fs.IntVar(&s.steps, "steps", 1000, "ula, mala, underdamped: steps after burn-in; pc: time steps N (if not given, or 0: the SDE's N, 1000 unless -sde gives one); ode: Heun steps (if not given, or 0: adaptive RK45)")
	fs.IntVar(&s.burnin, "burnin", 200, "ula, mala, underdamped: burn-in steps (MALA adapts its step size during them)")
	fs.Float64Var(&s.h, "stepsize", 0.01, "ula, mala, underdamped: step size h (ula: x ← x + h·∇log p + √(2h)·z; mala: the proposal of that form, h adapted during -burnin; underdamped: the time step of its BAOAB splitting)")
	fs.Float64Var(&s.friction, "friction", 1, "underdamped: friction γ")
	fs.Float64Var(&s.initStd, "init", 1, "ula, mala, underdamped: chains start from N(0, init²I) (not with -start)")
	fs.StringVar(&s.start, "start", "", "ula, mala, underdamped: start the chains from the rows of this .csv or .npy file (one chain per row, instead of -n; at most 2²⁸ values; a CSV's first row is skipped as a header only if none of its cells is a number)")
	fs.IntVar(&s.T, "T", 100, "annealed: steps per noise level (then one denoising step x ← x + σ_L²·s(x, σ_L))")
	fs.Float64Var(&s.eps, "eps", 2e-5, "annealed: step ε: level i steps with αᵢ = ε·σᵢ²/σ_L² in x ← x + (αᵢ/2)·s(x, σᵢ) + √αᵢ·z")
	fs.StringVar(&s.sigmas, "sigmas", "", "annealed: noise levels σ₁,…,σ_L (default: those the model was trained with)")
	fs.StringVar(&s.corrector, "corrector", "auto", "pc: langevin, none, or auto: none on every SDE (score_sde adds langevin on ve, but on low-dimensional data it settles the samples in a trained network's score at the smallest σ(t), its least accurate: on two moons it gave energy distance 0.11, none 0.016; see sampler.PCConfig)")
	fs.Float64Var(&s.snr, "snr", 0.16, "pc: the Langevin corrector's signal-to-noise ratio, > 0 (only with -corrector langevin)")
	fs.StringVar(&s.sde, "sde", "", "pc, ode: the SDE as kind:a:b or kind:a:b:N, e.g. ve:0.01:50 or vp:0.1:20 (N = 1000 unless given; default: the one the model records, and then only that one; a model trained with -scale-by-sigma divides its output by this SDE's σ(t))")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same samples, for any -workers")
	fs.IntVar(&s.workers, "workers", 0, "goroutines (0: GOMAXPROCS)")
	fs.BoolVar(&s.quiet, "q", false, "no progress output")
	if err := parse(fs, args); err != nil {
		return err
	}
	s.seed = *seed
	s.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { s.set[f.Name] = true })
	finite := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	switch {
	case s.model == "":
		return usagef("-model is required (a file written by scorekit train or scripts/export_torch.py)")
	case s.n < 1:
		return usagef("-n %d: want at least 1 sample", s.n)
	case s.set["n"] && s.start != "":
		return usagef("-n and -start: give one (-start runs one chain from each row of its file)")
	case s.set["init"] && s.start != "":
		return usagef("-init and -start: give one (the chains start from the rows of -start's file)")
	case s.steps < 0:
		return usagef("-steps %d: want ≥ 0", s.steps)
	case s.burnin < 0:
		return usagef("-burnin %d: want ≥ 0", s.burnin)
	case s.T < 1:
		return usagef("-T %d: want at least 1 step per level", s.T)
	case s.workers < 0:
		return usagef("-workers %d: want ≥ 0", s.workers)
	case !finite(s.h):
		return usagef("-stepsize %g: want a finite step > 0", s.h)
	case !finite(s.eps):
		return usagef("-eps %g: want a finite step > 0", s.eps)
	case !finite(s.initStd):
		return usagef("-init %g: want a finite standard deviation > 0", s.initStd)
	case !finite(s.friction):
		return usagef("-friction %g: want a finite friction > 0", s.friction)
	case !finite(s.snr):
		// (sampler.PCConfig would take 0 for its default, 0.16.)
		return usagef("-snr %g: want a finite ratio > 0 (-corrector none for no corrector)", s.snr)
	}
	if s.start != "" {
		if err := tableType(s.start); err != nil {
			return flagError("start", err)
		}
	}
	ext := strings.ToLower(filepath.Ext(s.out))
	if ext != ".csv" && ext != ".npy" {
		return usagef("-out %s: want a .csv or .npy file", s.out)
	}
	png := s.png
	switch png {
	case "none":
		png = ""
	case "auto":
		png = strings.TrimSuffix(s.out, filepath.Ext(s.out)) + ".png"
	default:
		if !strings.EqualFold(filepath.Ext(png), ".png") {
			return usagef("-png %s: want a .png file, auto or none", png)
		}
	}
	mf, err := loadModel(s.model)
	if err != nil {
		return flagError("model", err)
	}
	kind, err := samplerFor(s.kind, mf, s.model)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(samplerFlags))
	for f := range samplerFlags {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		if s.set[f] && !slices.Contains(samplerFlags[f], kind) {
			return usagef("-%s is for -sampler %s; this run's sampler is %s", f, strings.Join(samplerFlags[f], ", "), kind)
		}
	}
	if kind == "ula" || kind == "mala" || kind == "underdamped" {
		switch {
		case s.steps == 0 && s.burnin == 0:
			return usagef("-steps 0 -burnin 0: no steps, and the samples would be where the chains start")
		case s.steps > math.MaxInt-s.burnin:
			return usagef("-steps %d -burnin %d: more steps in all than an int counts", s.steps, s.burnin)
		}
	}
	d := mf.model.Dim()
	var start []float32
	if s.start != "" {
		t, err := readTable(s.start, maxSampleValues)
		if tm := (*tooManyValues)(nil); errors.As(err, &tm) {
			return usagef("-start %v: more than sample holds at once (%d values, rows × columns): split the file and run each part", err, maxSampleValues)
		}
		if err != nil {
			return flagError("start", err)
		}
		if t.cols != d {
			return usagef("-start %s has %s, but %s is a model of dimension %d", s.start, english.Count(t.cols, "column"), s.model, d)
		}
		start, s.n = t.data, t.rows
	}
	if s.n > maxSampleValues/d {
		return usagef("-n %d: %s of dimension %d are more than sample holds at once (%d values): draw them in several runs with other -seed values", s.n, english.Count(s.n, "sample"), d, maxSampleValues)
	}
	// Before the sampling: both files must be writable.
	if err := checkOutput("-out", s.out); err != nil {
		return err
	}
	if png != "" {
		if err := checkOutput("-png", png); err != nil {
			return err
		}
	}
	ctx, stop := interruptible()
	defer stop()
	x, how, err := sampleModel(ctx, s, mf, start, stderr)
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted, %s not written: %v", s.out, err)
	}
	if err != nil {
		return err
	}
	t := table{rows: s.n, cols: d, data: x}
	if err := writeTable(s.out, t); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\nwrote    %s (%d × %d)\n", how, s.out, s.n, d)
	if png != "" {
		if err := writeScatterPNG(png, fmt.Sprintf("%s of %s", english.Count(s.n, "sample"), filepath.Base(s.model)), t, table{}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote    %s\n", png)
	}
	return nil
}

// samplerFor returns the sampler kind names for the model in mf (read
// from path), or the one that fits it for "auto", and checks that the
// model can be sampled so.
func samplerFor(kind string, mf *modelFile, path string) (string, error) {
	cfg := mf.model.Config()
	if kind == "auto" {
		switch {
		case cfg.Cond == nn.CondSigma || cfg.Cond == nn.CondLogSigma:
			kind = "annealed"
		case cfg.Cond == nn.CondTime:
			kind = "pc"
		case cfg.Energy:
			kind = "mala"
		default:
			kind = "ula"
		}
	}
	cond := "an unconditional model"
	switch cfg.Cond {
	case nn.CondSigma, nn.CondLogSigma:
		cond = "a σ-conditional model (sample it with -sampler annealed)"
	case nn.CondTime:
		cond = "a time-conditional model (sample it with -sampler pc or ode)"
	}
	switch kind {
	case "ula", "underdamped":
		if cfg.Cond != nn.CondNone {
			return "", usagef("-sampler %s needs an unconditional model; %s is %s", kind, path, cond)
		}
	case "mala":
		if cfg.Cond != nn.CondNone {
			return "", usagef("-sampler mala needs an unconditional energy model; %s is %s", path, cond)
		}
		if !cfg.Energy {
			return "", usagef("-sampler mala needs log p: train an energy model (scorekit train -energy)")
		}
	case "annealed":
		if cfg.Cond != nn.CondSigma && cfg.Cond != nn.CondLogSigma {
			return "", usagef("-sampler annealed needs a model conditioned on σ (train -loss ncdsm); %s is %s", path, cond)
		}
	case "pc", "ode":
		if cfg.Cond != nn.CondTime {
			return "", usagef("-sampler %s needs a model conditioned on time (train -loss ve, vp or subvp); %s is %s", kind, path, cond)
		}
	default:
		return "", usagef("-sampler %q: want auto, ula, mala, underdamped, annealed, pc or ode", kind)
	}
	return kind, nil
}

// sampleModel draws s.n samples of the model with the sampler s.kind asks
// for (or the one that fits the model) and says what it did.
func sampleModel(ctx context.Context, s sampleSettings, mf *modelFile, startAt []float32, stderr io.Writer) ([]float32, string, error) {
	m := mf.model
	d := m.Dim()
	kind, err := samplerFor(s.kind, mf, s.model)
	if err != nil {
		return nil, "", err
	}
	x := make([]float32, s.n*d)
	// The samplers look at ctx (Ctrl-C) between segments of steps that
	// take about 25 ms each (ChainConfig.Segment 0), however many chains.
	chain := sampler.ChainConfig{Seed: s.seed, Workers: s.workers, Steps: s.steps, BurnIn: s.burnin}
	if startAt != nil && (kind == "annealed" || kind == "pc" || kind == "ode") {
		return nil, "", usagef("-start: the %s sampler starts from its own prior", kind)
	}
	// start sets x to startAt or to draws of N(0, std²I) from a stream no
	// chain uses.
	start := func(std float64) {
		if startAt != nil {
			copy(x, startAt)
			return
		}
		st := kernel.NewStream(s.seed, 1<<63)
		st.Normals(x)
		kernel.Scale(float32(std), x)
	}
	t0 := time.Now()
	var desc string
	switch kind {
	case "ula", "mala", "underdamped":
		bar := newProgress(stderr, s.quiet, kind, "steps", s.steps+s.burnin)
		chain.Progress = func(done, _ int) { bar.update(done, "") }
		// The samplers refuse a step that is 0, subnormal or +Inf in
		// float32, the chains' arithmetic: a value of the flags.
		var runChains func() error
		switch kind {
		case "ula":
			u, err := sampler.NewULA(m, sampler.ULAConfig{Step: s.h, Chain: chain})
			if err != nil {
				return nil, "", usagef("-stepsize %g: %v", s.h, err)
			}
			runChains = func() error { _, err := u.Run(ctx, x); return err }
			desc = fmt.Sprintf("ULA, h = %g", s.h)
		case "mala":
			u, err := sampler.NewMALA(m, sampler.MALAConfig{Step: s.h, Adapt: s.burnin > 0, Chain: chain})
			if err != nil {
				return nil, "", usagef("-stepsize %g: %v", s.h, err)
			}
			runChains = func() error {
				if _, err := u.Run(ctx, x); err != nil {
					return err
				}
				desc = fmt.Sprintf("MALA, h = %g, acceptance %.3f", s.h, u.Acceptance().Rate())
				if s.burnin > 0 {
					desc = fmt.Sprintf("MALA, h = %.3g after adaptation, acceptance %.3f", u.StepSize(0), u.Acceptance().Rate())
				}
				return nil
			}
		case "underdamped":
			u, err := sampler.NewUnderdamped(m, sampler.UnderdampedConfig{Step: s.h, Friction: s.friction, Chain: chain})
			if err != nil {
				return nil, "", usagef("-stepsize %g -friction %g: %v", s.h, s.friction, err)
			}
			runChains = func() error { _, err := u.Run(ctx, x); return err }
			desc = fmt.Sprintf("underdamped Langevin, h = %g, γ = %g", s.h, s.friction)
		}
		start(s.initStd)
		err := runChains()
		bar.done()
		if err != nil {
			return nil, "", samplingError(kind, err)
		}
		desc = fmt.Sprintf("%s, %d + %d burn-in steps", desc, s.steps, s.burnin)
	case "annealed":
		// The levels of -sigmas, else the model's (a file the command
		// line names: a bad one is a usage error too).
		spec, from := s.sigmas, "-sigmas "+s.sigmas
		if spec == "" {
			spec, from = mf.meta[metaSigmas], fmt.Sprintf("-model %s: metadata %s", s.model, metaSigmas)
		}
		if spec == "" {
			return nil, "", usagef("-model %s does not say its noise levels: give -sigmas σ₁,…,σ_L", s.model)
		}
		sig, err := parseFloats(spec)
		if err != nil {
			return nil, "", usagef("%s: %v", from, err)
		}
		if s.T > math.MaxInt/max(len(sig), 1) {
			return nil, "", usagef("-T %d: %s × -T steps is more than an int counts", s.T, english.Count(len(sig), "level"))
		}
		bar := newProgress(stderr, s.quiet, "annealed", "steps", len(sig)*s.T)
		chain.Progress = func(done, _ int) { bar.update(done, "") }
		an, err := sampler.NewAnnealed(m, sampler.AnnealedConfig{Sigmas: sig, StepsPerLevel: s.T, Eps: s.eps, Denoise: true, Chain: chain})
		if err != nil {
			// The steps ε·σᵢ²/σ_L² may be what is wrong: say so if
			// -eps was given.
			if s.set["eps"] {
				from += fmt.Sprintf(" with -eps %g", s.eps)
			}
			return nil, "", usagef("%s: %v", from, err)
		}
		start(sig[0]) // N(0, σ₁²I); -start is refused above
		_, err = an.Run(ctx, x)
		bar.done()
		if err != nil {
			return nil, "", samplingError(kind, err)
		}
		desc = fmt.Sprintf("annealed Langevin, %s × %s, ε = %g", english.Count(len(sig), "level"), english.Count(s.T, "step"), s.eps)
	case "pc", "ode":
		spec := strings.TrimSpace(s.sde)
		if spec == "" {
			spec = mf.meta[metaSDE]
		}
		if spec == "" {
			return nil, "", usagef("-model %s does not say its SDE: give -sde, e.g. ve:0.01:50", s.model)
		}
		sde, err := parseSDE(spec)
		if err != nil {
			if spec == strings.TrimSpace(s.sde) {
				return nil, "", usagef("-sde: %v", err)
			}
			return nil, "", usagef("-model %s: metadata %s: %v", s.model, metaSDE, err)
		}
		// A time-conditional score fits the marginals of the SDE it was
		// trained on only: another one is a mistake, not a choice.
		if trained := mf.meta[metaSDE]; trained != "" && spec != trained {
			// (Its N, the discretisation, is the sampler's choice.)
			if t, err := parseSDE(trained); err == nil && withSteps(t, sde.Steps()) != sde {
				return nil, "", usagef("-sde %s: %s was trained on the SDE %s, and its score fits no other (leave -sde out)", spec, s.model, trained)
			}
		}
		// A -scale-by-sigma model divides its output by this SDE's σ(t).
		m.SetPerturbation(sde)
		var st sampler.SDEStats
		if kind == "pc" {
			// N: -steps if given, else the spec's (1000 unless it says).
			if s.set["steps"] && s.steps > 0 {
				sde = withSteps(sde, s.steps)
			}
			corr := s.corrector
			if corr == "auto" || corr == "" {
				// Not score_sde's Langevin corrector on VE: see -corrector.
				corr = "none"
			}
			cfg := sampler.PCConfig{SNR: s.snr, Seed: s.seed, Workers: s.workers}
			desc = fmt.Sprintf("predictor–corrector (reverse diffusion + Langevin, snr %g) on %s, %s", s.snr, spec, english.Count(sde.Steps(), "step"))
			switch corr {
			case "langevin":
			case "none":
				cfg.Corrector = sampler.PCNoCorrector
				desc = fmt.Sprintf("reverse diffusion (predictor only) on %s, %s", spec, english.Count(sde.Steps(), "step"))
			default:
				return nil, "", usagef("-corrector %q: want langevin, none or auto", s.corrector)
			}
			if corr == "none" && s.set["snr"] {
				return nil, "", usagef("-snr is for the Langevin corrector, and this run has none (add -corrector langevin)")
			}
			bar := newProgress(stderr, s.quiet, "pc", "steps", sde.Steps())
			cfg.Progress = func(done, _ int) { bar.update(done, "") }
			pc, err := sampler.NewPCSampler(sde, m, cfg)
			if err != nil {
				return nil, "", usagef("-steps %d on the SDE %s: %v", sde.Steps(), spec, err)
			}
			st, err = pc.Sample(ctx, x)
			bar.done()
			if err != nil {
				return nil, "", samplingError(kind, err)
			}
		} else {
			c := sampler.ODEConfig{Seed: s.seed, Workers: s.workers}
			// The library's default, RK45, unless -steps asks for Heun:
			// the flag's 1000 (for the chains) was 2000 score evaluations,
			// where RK45 at its tolerances takes a few hundred.
			if s.set["steps"] && s.steps > 0 {
				c.Method, c.Steps = sampler.ODEHeun, s.steps
			}
			// Progress in Heun's steps, or for RK45 (adaptive: no step
			// count ahead) as the share of the time from T to ε, in
			// thousandths.
			T, eps := sde.End(), 0.0 // ε once the sampler has filled it in
			total := 1000
			bar := newShareProgress(stderr, s.quiet, "ode", total)
			if c.Method == sampler.ODEHeun {
				total = c.Steps
				bar = newProgress(stderr, s.quiet, "ode", "steps", total)
			}
			c.Progress = func(t float64) { bar.update(int(math.Round(float64(total)*(T-t)/(T-eps))), "") }
			o, err := sampler.NewODESampler(sde, m, c)
			if err != nil {
				return nil, "", usagef("-steps %d on the SDE %s: %v", s.steps, spec, err)
			}
			eps = o.Config().Eps
			st, err = o.Sample(ctx, x)
			bar.done()
			if err != nil {
				return nil, "", samplingError(kind, err)
			}
			desc = fmt.Sprintf("probability-flow ODE (%v) on %s", c.Method, spec)
		}
		desc += fmt.Sprintf(", %s", english.Count(st.ScoreEvals, "score evaluation"))
	}
	el := time.Since(t0).Seconds()
	return x, fmt.Sprintf("sampled  %s by %s in %.2fs (%.0f samples/s)", english.Count(s.n, "point"), desc, el, float64(s.n)/el), nil
}

// withSteps returns sde with N discretisation steps.
func withSteps(sde sampler.SDE, n int) sampler.SDE {
	switch v := sde.(type) {
	case sampler.VE:
		v.N = n
		return v
	case sampler.VP:
		v.N = n
		return v
	case sampler.SubVP:
		v.N = n
		return v
	}
	return sde
}

// divergenceFlags are, for each sampler, the flags that set its step
// sizes, which a divergence points to (each one the sampler reads: see
// samplerFlags).
var divergenceFlags = map[string][]string{
	"ula":         {"stepsize"},
	"mala":        {"stepsize"},
	"underdamped": {"stepsize", "friction"},
	"annealed":    {"eps"},
	"pc":          {"steps", "snr"},
	"ode":         {"steps"},
}

// samplingError turns a divergence of the sampler kind into advice.
func samplingError(kind string, err error) error {
	var de *sampler.DivergenceError
	if errors.As(err, &de) {
		return fmt.Errorf("%v (flags: -%s)", err, strings.Join(divergenceFlags[kind], ", -"))
	}
	return err
}
