package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/sampler"
)

// demoSettings are the demo's defaults: a noise-conditional MLP trained by
// denoising score matching over ten noise levels, sampled by annealed
// Langevin dynamics (Song & Ermon 2019) on a two-dimensional toy set. The
// demo runs the train and sample commands' own code (train, sampleModel).
type demoSettings struct {
	data           string
	steps, batch   int
	chains         int
	levels, perLvl int
	sigma1, sigmaL float64
	eps            float64
	seed           uint64
	workers        int
	out            string
	quiet          bool
	sde            bool
}

func runDemo(args []string, stdout, stderr io.Writer) error {
	s := demoSettings{}
	fs := newFlags("demo", "demo [flags]", stdout)
	fs.StringVar(&s.data, "data", "moons", "built-in data set: "+fmt.Sprint(data.Names()))
	fs.IntVar(&s.steps, "steps", 4000, "training steps")
	fs.IntVar(&s.batch, "batch", 128, "training batch size of the σ-conditional model (the -sde model's is 256)")
	fs.IntVar(&s.chains, "n", 2000, "number of samples (chains), at most 10000")
	fs.IntVar(&s.levels, "levels", 10, "noise levels, 2 to 100000")
	fs.IntVar(&s.perLvl, "T", 100, "Langevin steps per noise level")
	fs.Float64Var(&s.sigma1, "sigma1", 3, "largest noise level σ₁")
	fs.Float64Var(&s.sigmaL, "sigmaL", 0.01, "smallest noise level σ_L")
	fs.Float64Var(&s.eps, "eps", 2e-5, "annealed Langevin step ε: level i steps with ε·σᵢ²/σ_L²")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same files")
	fs.IntVar(&s.workers, "workers", 0, "goroutines for sampling (0: GOMAXPROCS); the result does not depend on it")
	fs.StringVar(&s.out, "out", ".", "folder for samples.png, samples.csv and model.safetensors (and, with -sde, samples-sde.png and model-sde.safetensors)")
	fs.BoolVar(&s.quiet, "q", false, "no progress output")
	fs.BoolVar(&s.sde, "sde", true, "also train a time-conditional model on the VP SDE and sample it with reverse diffusion (the PC sampler without corrector) and the probability-flow ODE")
	if err := parse(fs, args); err != nil {
		return err
	}
	s.seed = *seed
	if err := s.validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if _, err := data.Named(s.data); err != nil {
		return usagef("-data %q: unknown: want one of %s", s.data, strings.Join(data.Names(), ", "))
	}
	if st, err := os.Stat(s.out); err != nil {
		return usagef("-out %s: no such folder", s.out)
	} else if !st.IsDir() {
		return usagef("-out %s is a file: want the folder to write to", s.out)
	}
	if err := checkOutput("-out", filepath.Join(s.out, "model.safetensors")); err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	return demo(ctx, s, stdout, stderr)
}

// maxDemoSamples bounds the demo's -n: its energy distances and MMDs
// compare every pair of points, in time n² (at 20,000 each row of the
// table took a minute on this project's machine).
const maxDemoSamples = 10000

func (s demoSettings) validate() error {
	switch {
	case s.steps < 1:
		return fmt.Errorf("-steps %d: want at least 1", s.steps)
	case s.batch < 1:
		return fmt.Errorf("-batch %d: want at least 1", s.batch)
	case s.chains < 2:
		return fmt.Errorf("-n %d: want at least 2 samples", s.chains)
	case s.chains > maxDemoSamples:
		return fmt.Errorf("-n %d: want at most %d (the quality measures take time in n²; scorekit sample draws more)", s.chains, maxDemoSamples)
	case s.levels < 2 || s.perLvl < 1:
		return fmt.Errorf("-levels %d -T %d: want at least 2 levels and 1 step per level", s.levels, s.perLvl)
	case !(s.sigma1 > s.sigmaL && s.sigmaL > 0):
		return fmt.Errorf("-sigma1 %g -sigmaL %g: want σ₁ > σ_L > 0", s.sigma1, s.sigmaL)
	case !sigmaOK(s.sigma1) || !sigmaOK(s.sigmaL):
		return fmt.Errorf("-sigma1 %g -sigmaL %g: want levels %s", s.sigma1, s.sigmaL, sigmaRange)
	case s.levels > maxLevels:
		return fmt.Errorf("-levels %d: want at most %d", s.levels, maxLevels)
	case s.perLvl > math.MaxInt/s.levels:
		return fmt.Errorf("-levels %d -T %d: more steps in all than an int counts", s.levels, s.perLvl)
	case !(s.eps > 0) || math.IsInf(s.eps, 0):
		return fmt.Errorf("-eps %g: want a finite step > 0", s.eps)
	case s.workers < 0:
		return fmt.Errorf("-workers %d: want ≥ 0", s.workers)
	}
	// The sampler's own checks of its steps ε·σᵢ²/σ_L² (none may overflow
	// or be 0 in float32), before minutes of training.
	cfg := sampler.AnnealedConfig{Sigmas: sampler.GeometricSigmas(s.sigma1, s.sigmaL, s.levels), StepsPerLevel: s.perLvl, Eps: s.eps}
	if _, err := sampler.NewAnnealed(noScore{}, cfg); err != nil {
		return fmt.Errorf("-eps %g -sigma1 %g -sigmaL %g: %v", s.eps, s.sigma1, s.sigmaL, err)
	}
	return nil
}

// noScore stands for the demo's model in the checks of validate, which
// never call it.
type noScore struct{}

func (noScore) Dim() int                                   { return 2 }
func (noScore) NoiseScore(dst, x []float32, sigma float32) { panic("noScore: called") }

func demo(ctx context.Context, s demoSettings, stdout, stderr io.Writer) error {
	src, err := data.Named(s.data)
	if err != nil {
		return err // runDemo checked it
	}
	d := src.Dim()
	fmt.Fprintf(stdout, "scorekit demo: %s (d = %d), kernels: %s\n", s.data, d, kernel.Active())

	// Train a σ-conditional MLP with noise-conditional DSM, as train
	// -loss ncdsm does, and sample it with annealed Langevin from
	// N(0, σ₁²I), as sample does.
	modelPath := filepath.Join(s.out, "model.safetensors")
	ncsn, err := demoTrain(ctx, s, trainSettings{
		loss: "ncdsm", out: modelPath, batch: s.batch, lr: 2e-3, warmup: 100, ema: 0.995,
		sigma1: s.sigma1, sigmaL: s.sigmaL, levels: s.levels, seed: s.seed,
	}, stdout, stderr)
	if err != nil {
		return err
	}
	x, err := demoSample(ctx, s, ncsn, modelPath, sampleSettings{kind: "annealed", T: s.perLvl, eps: s.eps}, stdout, stderr)
	if err != nil {
		return err
	}

	// Quality against held-out data, beside a Gaussian fitted to the data.
	rng := rand.New(rand.NewPCG(s.seed, 2))
	held := make([]float32, s.chains*d)
	src.Sample(held, rng)
	fit := make([]float32, 20000*d)
	src.Sample(fit, rng)
	base := gaussianBaseline(fit, d, s.chains, rng)
	rows := []qualityRow{{"annealed Langevin (NCSN)", x}}
	var pcX []float32
	sdePath := filepath.Join(s.out, "model-sde.safetensors")
	if s.sde {
		// A time-conditional model trained by continuous-time DSM on the
		// VP SDE (train -loss vp, its output divided by σ(t) as
		// -scale-by-sigma's default asks), sampled by reverse diffusion —
		// the PC sampler without corrector, score_sde's choice for VP — and
		// the probability-flow ODE with 100 Heun steps (sample -sampler pc,
		// ode).
		// As if given on the command line: sample takes -steps for PC's N
		// and Heun's steps only then (the ODE's default is RK45).
		givenSteps := map[string]bool{"steps": true}
		sdeModel, err := demoTrain(ctx, s, trainSettings{
			loss: "vp", out: sdePath, batch: 256, lr: 2e-3, ema: 0.999, seed: s.seed + 1, scaleSigma: true,
		}, stdout, stderr)
		if err != nil {
			return err
		}
		if pcX, err = demoSample(ctx, s, sdeModel, sdePath, sampleSettings{kind: "pc", steps: sampler.DefaultVP().N, snr: 0.16, corrector: "auto", set: givenSteps}, stdout, stderr); err != nil {
			return err
		}
		odeX, err := demoSample(ctx, s, sdeModel, sdePath, sampleSettings{kind: "ode", steps: 100, set: givenSteps}, stdout, stderr)
		if err != nil {
			return err
		}
		rows = append(rows, qualityRow{"VP SDE, reverse diffusion", pcX}, qualityRow{"VP SDE, probability-flow ODE", odeX})
	}
	rows = append(rows, qualityRow{"Gaussian fitted to the data", base})
	fmt.Fprintf(stdout, "quality  against %d held-out points (lower is better):\n", s.chains)
	for _, r := range rows {
		fmt.Fprintf(stdout, "           %-34s energy distance %.4f   MMD² %.5f\n", r.name, data.EnergyDistance(r.x, held, d), data.MMD2(r.x, held, d))
	}

	// Files.
	samples := table{rows: s.chains, cols: d, data: x}
	heldOut := table{rows: s.chains, cols: d, data: held}
	png := filepath.Join(s.out, "samples.png")
	if err := writeScatterPNG(png, fmt.Sprintf("scorekit: %d samples over %s", s.chains, s.data), samples, heldOut); err != nil {
		return err
	}
	csvPath := filepath.Join(s.out, "samples.csv")
	if err := writeTable(csvPath, samples); err != nil {
		return err
	}
	abs, _ := filepath.Abs(s.out)
	fmt.Fprintf(stdout, "wrote    %s (samples in blue over held-out data in grey), %s\n", filepath.Base(png), filepath.Base(csvPath))
	if pcX != nil {
		png2 := filepath.Join(s.out, "samples-sde.png")
		if err := writeScatterPNG(png2, fmt.Sprintf("VP SDE, reverse diffusion: %d samples over %s", s.chains, s.data), table{rows: s.chains, cols: d, data: pcX}, heldOut); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "         %s (the SDE model's reverse-diffusion samples)\n", filepath.Base(png2))
	}
	fmt.Fprintf(stdout, "         in %s\n", abs)
	fmt.Fprintf(stdout, "next     go run ./cmd/scorekit sample -model %s -n 1000 -out more.csv\n", modelPath)
	if pcX != nil {
		fmt.Fprintf(stdout, "         go run ./cmd/scorekit sample -model %s -sampler ode -out more-ode.csv\n", sdePath)
	}
	return nil
}

// demoTrain trains a model as the train command does, with the demo's
// data, network, steps and progress settings, and loads the file it wrote.
func demoTrain(ctx context.Context, s demoSettings, ts trainSettings, stdout, stderr io.Writer) (*modelFile, error) {
	ts.data, ts.hidden, ts.act = s.data, "128,128,128", "silu"
	// One goroutine, as train's default: more pays only on a free core
	// (BENCHMARKS.md).
	ts.steps, ts.quiet, ts.workers = s.steps, s.quiet, 1
	if err := train(ctx, ts, stdout, stderr); err != nil {
		return nil, err
	}
	return loadModel(ts.out)
}

// demoSample draws the demo's s.chains samples of the model in the file
// path as the sample command does, and says so.
func demoSample(ctx context.Context, s demoSettings, mf *modelFile, path string, ss sampleSettings, stdout, stderr io.Writer) ([]float32, error) {
	ss.model, ss.n, ss.seed, ss.workers, ss.quiet = path, s.chains, s.seed, s.workers, s.quiet
	x, how, err := sampleModel(ctx, ss, mf, nil, stderr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(stdout, how)
	return x, nil
}

// qualityRow is one line of the demo's quality table.
type qualityRow struct {
	name string
	x    []float32
}

// gaussianBaseline draws n points from the Gaussian with the mean and
// covariance of the rows of fit: the trivial model a score model must beat.
func gaussianBaseline(fit []float32, d, n int, rng *rand.Rand) []float32 {
	m := len(fit) / d
	mean := make([]float64, d)
	for i := range m {
		for j := range d {
			mean[j] += float64(fit[i*d+j]) / float64(m)
		}
	}
	cov := make([]float64, d*d)
	for i := range m {
		for a := range d {
			for b := range d {
				cov[a*d+b] += (float64(fit[i*d+a]) - mean[a]) * (float64(fit[i*d+b]) - mean[b]) / float64(m-1)
			}
		}
	}
	// Cholesky factor L of the covariance (it is positive definite for
	// any data set that is not degenerate; a tiny ridge keeps it so).
	l := make([]float64, d*d)
	for i := range d {
		for j := 0; j <= i; j++ {
			s := cov[i*d+j]
			for k := range j {
				s -= l[i*d+k] * l[j*d+k]
			}
			if i == j {
				l[i*d+i] = math.Sqrt(max(s, 1e-12))
			} else {
				l[i*d+j] = s / l[j*d+j]
			}
		}
	}
	out := make([]float32, n*d)
	z := make([]float64, d)
	for i := range n {
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		for a := range d {
			v := mean[a]
			for k := 0; k <= a; k++ {
				v += l[a*d+k] * z[k]
			}
			out[i*d+a] = float32(v)
		}
	}
	return out
}
