package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// demoSettings are the demo's defaults: a noise-conditional MLP trained by
// denoising score matching over ten noise levels, sampled by annealed
// Langevin dynamics (Song & Ermon 2019) on a two-dimensional toy set.
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
	fs := newFlags("demo", "demo [flags]", stderr)
	fs.StringVar(&s.data, "data", "moons", "built-in data set: "+fmt.Sprint(data.Names()))
	fs.IntVar(&s.steps, "steps", 4000, "training steps")
	fs.IntVar(&s.batch, "batch", 128, "training batch size")
	fs.IntVar(&s.chains, "n", 2000, "number of samples (chains)")
	fs.IntVar(&s.levels, "levels", 10, "noise levels")
	fs.IntVar(&s.perLvl, "T", 100, "Langevin steps per noise level")
	fs.Float64Var(&s.sigma1, "sigma1", 3, "largest noise level σ₁")
	fs.Float64Var(&s.sigmaL, "sigmaL", 0.01, "smallest noise level σ_L")
	fs.Float64Var(&s.eps, "eps", 2e-5, "annealed Langevin step ε: level i steps with ε·σᵢ²/σ_L²")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same files")
	fs.IntVar(&s.workers, "workers", 0, "goroutines for sampling (0: GOMAXPROCS); the result does not depend on it")
	fs.StringVar(&s.out, "out", ".", "folder for samples.png, samples.csv and model.safetensors")
	fs.BoolVar(&s.quiet, "q", false, "no progress output")
	fs.BoolVar(&s.sde, "sde", true, "also train a time-conditional model on the VP SDE and sample it with predictor–corrector and the probability-flow ODE")
	if err := parse(fs, args); err != nil {
		return err
	}
	s.seed = *seed
	if err := s.validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return demo(ctx, s, stdout, stderr)
}

func (s demoSettings) validate() error {
	switch {
	case s.steps < 1:
		return fmt.Errorf("-steps %d: want at least 1", s.steps)
	case s.batch < 1:
		return fmt.Errorf("-batch %d: want at least 1", s.batch)
	case s.chains < 2:
		return fmt.Errorf("-n %d: want at least 2 samples", s.chains)
	case s.levels < 2 || s.perLvl < 1:
		return fmt.Errorf("-levels %d -T %d: want at least 2 levels and 1 step per level", s.levels, s.perLvl)
	case !(s.sigma1 > s.sigmaL && s.sigmaL > 0):
		return fmt.Errorf("-sigma1 %g -sigmaL %g: want σ₁ > σ_L > 0", s.sigma1, s.sigmaL)
	case !(s.eps > 0):
		return fmt.Errorf("-eps %g: want > 0", s.eps)
	case s.workers < 0:
		return fmt.Errorf("-workers %d: want ≥ 0", s.workers)
	}
	if st, err := os.Stat(s.out); err != nil || !st.IsDir() {
		return fmt.Errorf("-out %s: not an existing folder", s.out)
	}
	return nil
}

func demo(ctx context.Context, s demoSettings, stdout, stderr io.Writer) error {
	src, err := data.Named(s.data)
	if err != nil {
		return fmt.Errorf("%w: -data: %v", errUsage, err)
	}
	d := src.Dim()
	fmt.Fprintf(stdout, "scorekit demo: %s (d = %d), kernels: %s\n", s.data, d, kernel.Active())

	// Train a σ-conditional MLP with noise-conditional DSM.
	sigmas := sampler.GeometricSigmas(s.sigma1, s.sigmaL, s.levels)
	cfg := nn.Config{Dim: d, Hidden: []int{128, 128, 128}, Act: kernel.SiLU, Cond: nn.CondLogSigma, ScaleBySigma: true}
	model, err := nn.New(cfg, s.seed)
	if err != nil {
		return err
	}
	opt := nn.NewAdam(model.NumParams(), 2e-3)
	opt.Warmup = 100
	ema := nn.NewEMA(model.Params(), 0.995)
	bar := newProgress(stderr, s.quiet, "train", "steps", s.steps)
	tr := nn.Trainer{
		Model: model, Loss: nn.NCDSM{Sigmas: sigmas}, Opt: opt, EMA: ema,
		Data: src, Batch: s.batch, Steps: s.steps, Seed: s.seed,
		Callback: func(step int, loss, _ float64) error {
			bar.update(step, fmt.Sprintf("loss %.4f", loss))
			return nil
		},
	}
	t0 := time.Now()
	if err := tr.Run(ctx); err != nil {
		return fmt.Errorf("training: %w", err)
	}
	bar.done()
	trainTime := time.Since(t0)
	ema.CopyTo(model)
	fmt.Fprintf(stdout, "trained  %d-%d-%d-%d-%d SiLU MLP (%d parameters), %d steps of batch %d in %.1fs (%.0f steps/s)\n",
		d+1, 128, 128, 128, d, model.NumParams(), s.steps, s.batch, trainTime.Seconds(), float64(s.steps)/trainTime.Seconds())

	// Sample with annealed Langevin from N(0, σ₁²I).
	x := make([]float32, s.chains*d)
	st := kernel.NewStream(s.seed, math.MaxUint64) // a stream no chain uses
	st.Normals(x)
	kernel.Scale(float32(s.sigma1), x)
	total := s.levels * s.perLvl
	sbar := newProgress(stderr, s.quiet, "sample", "steps", total)
	an, err := sampler.NewAnnealed(model, sampler.AnnealedConfig{
		Sigmas: sigmas, StepsPerLevel: s.perLvl, Eps: s.eps, Denoise: true,
		Chain: sampler.ChainConfig{Seed: s.seed, Workers: s.workers, Progress: func(done, _ int) { sbar.update(done, "") }},
	})
	if err != nil {
		return err
	}
	t0 = time.Now()
	if _, err := an.Run(ctx, x); err != nil {
		return fmt.Errorf("sampling: %w", err)
	}
	sbar.done()
	sampleTime := time.Since(t0)
	fmt.Fprintf(stdout, "sampled  %d points by annealed Langevin, %d levels × %d steps, in %.2fs: %.0f samples/s, %.2f M chain-steps/s\n",
		s.chains, s.levels, s.perLvl, sampleTime.Seconds(), float64(s.chains)/sampleTime.Seconds(),
		float64(s.chains*(total+1))/sampleTime.Seconds()/1e6)

	// Quality against held-out data, beside a Gaussian fitted to the data.
	rng := rand.New(rand.NewPCG(s.seed, 2))
	held := make([]float32, s.chains*d)
	src.Sample(held, rng)
	fit := make([]float32, 20000*d)
	src.Sample(fit, rng)
	base := gaussianBaseline(fit, d, s.chains, rng)
	rows := []qualityRow{{"annealed Langevin (NCSN)", x}}
	var pcX []float32
	if s.sde {
		var err error
		var sdeRows []qualityRow
		if pcX, sdeRows, err = demoSDE(ctx, s, src, stdout, stderr); err != nil {
			return err
		}
		rows = append(rows, sdeRows...)
	}
	rows = append(rows, qualityRow{"Gaussian fitted to the data", base})
	fmt.Fprintf(stdout, "quality  against %d held-out points (lower is better):\n", s.chains)
	for _, r := range rows {
		fmt.Fprintf(stdout, "           %-34s energy distance %.4f   MMD² %.5f\n", r.name, data.EnergyDistance(r.x, held, d), data.MMD2(r.x, held, d))
	}

	// Files.
	samples := table{rows: s.chains, cols: d, data: x}
	png := filepath.Join(s.out, "samples.png")
	if err := writeScatterPNG(png, fmt.Sprintf("scorekit: %d samples over %s", s.chains, s.data), samples, table{rows: s.chains, cols: d, data: held}); err != nil {
		return err
	}
	csvPath := filepath.Join(s.out, "samples.csv")
	if err := writeTable(csvPath, samples); err != nil {
		return err
	}
	modelPath := filepath.Join(s.out, "model.safetensors")
	meta := map[string]string{metaLoss: "ncdsm", metaSigmas: formatFloats(sigmas), metaData: s.data, metaSeed: fmt.Sprint(s.seed), metaStep: fmt.Sprint(s.steps)}
	if err := saveModel(modelPath, model, meta, nil); err != nil {
		return err
	}
	abs, _ := filepath.Abs(s.out)
	fmt.Fprintf(stdout, "wrote    %s (samples in blue over held-out data in grey), %s, %s\n",
		filepath.Base(png), filepath.Base(csvPath), filepath.Base(modelPath))
	if pcX != nil {
		png2 := filepath.Join(s.out, "samples-sde.png")
		if err := writeScatterPNG(png2, fmt.Sprintf("VP SDE, predictor–corrector: %d samples over %s", s.chains, s.data), table{rows: s.chains, cols: d, data: pcX}, table{rows: s.chains, cols: d, data: held}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "         %s (the SDE model's predictor–corrector samples)\n", filepath.Base(png2))
	}
	fmt.Fprintf(stdout, "         in %s\n", abs)
	fmt.Fprintf(stdout, "next     go run ./cmd/scorekit sample -model %s -n 1000 -out more.csv\n", modelPath)
	return nil
}

// qualityRow is one line of the demo's quality table.
type qualityRow struct {
	name string
	x    []float32
}

// demoSDE trains a time-conditional model by continuous-time DSM on the
// VP SDE (Song et al. 2021) and samples it with predictor–corrector and the
// probability-flow ODE.
func demoSDE(ctx context.Context, s demoSettings, src data.Source, stdout, stderr io.Writer) ([]float32, []qualityRow, error) {
	d := src.Dim()
	sde := sampler.DefaultVP()
	cfg := nn.Config{Dim: d, Hidden: []int{128, 128, 128}, Act: kernel.SiLU, Cond: nn.CondTime, Fourier: 16, FourierScale: 4}
	model, err := nn.New(cfg, s.seed)
	if err != nil {
		return nil, nil, err
	}
	ema := nn.NewEMA(model.Params(), 0.999)
	steps := s.steps
	bar := newProgress(stderr, s.quiet, "train SDE", "steps", steps)
	tr := nn.Trainer{
		Model: model, Loss: nn.ContinuousDSM{SDE: sde}, Opt: nn.NewAdam(model.NumParams(), 2e-3), EMA: ema,
		Data: src, Batch: 256, Steps: steps, Seed: s.seed + 1,
		Callback: func(step int, loss, _ float64) error {
			bar.update(step, fmt.Sprintf("loss %.4f", loss))
			return nil
		},
	}
	t0 := time.Now()
	if err := tr.Run(ctx); err != nil {
		return nil, nil, fmt.Errorf("training the SDE model: %w", err)
	}
	bar.done()
	ema.CopyTo(model)
	fmt.Fprintf(stdout, "trained  the same MLP on t (16 Fourier features) by continuous-time DSM on the VP SDE, %d steps of batch 256 in %.1fs\n", steps, time.Since(t0).Seconds())
	pcX := make([]float32, s.chains*d)
	pc, err := sampler.NewPCSampler(sde, model, sampler.PCConfig{Seed: s.seed, Workers: s.workers})
	if err != nil {
		return nil, nil, err
	}
	t0 = time.Now()
	st, err := pc.Sample(ctx, pcX)
	if err != nil {
		return nil, nil, fmt.Errorf("predictor–corrector sampling: %w", err)
	}
	el := time.Since(t0).Seconds()
	fmt.Fprintf(stdout, "sampled  %d points by predictor–corrector (reverse diffusion + Langevin), N = %d, %d score evaluations, in %.2fs: %.0f samples/s\n",
		s.chains, sde.Steps(), st.ScoreEvals, el, float64(s.chains)/el)
	odeX := make([]float32, s.chains*d)
	o, err := sampler.NewODESampler(sde, model, sampler.ODEConfig{Method: sampler.ODEHeun, Steps: 100, Seed: s.seed, Workers: s.workers})
	if err != nil {
		return nil, nil, err
	}
	t0 = time.Now()
	if st, err = o.Sample(ctx, odeX); err != nil {
		return nil, nil, fmt.Errorf("probability-flow ODE: %w", err)
	}
	el = time.Since(t0).Seconds()
	fmt.Fprintf(stdout, "sampled  %d points by the probability-flow ODE (Heun, 100 steps), %d score evaluations, in %.2fs: %.0f samples/s\n",
		s.chains, st.ScoreEvals, el, float64(s.chains)/el)
	return pcX, []qualityRow{{"VP SDE, predictor–corrector", pcX}, {"VP SDE, probability-flow ODE", odeX}}, nil
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
