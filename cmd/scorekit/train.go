package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/internal/english"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

var lossNames = []string{"exact", "sliced", "sliced-vr", "dsm", "ncdsm", "ve", "vp", "subvp"}

type trainSettings struct {
	data, out, resume   string
	hidden, act, loss   string
	energy              bool
	steps, batch, every int
	lr, clip, wd, ema   float64
	warmup              int
	sigma, sigma1       float64
	sigmaL              float64
	levels, proj        int
	rademacher          bool
	sdeA, sdeB          float64
	scaleSigma          bool
	seed                uint64
	workers             int
	quiet               bool

	// set holds the flags given on the command line; fixed, when
	// resuming, the checkpoint's noise levels or SDE (metadata
	// scorekit.sigmas, scorekit.sde), which the loss keeps and those flags
	// must not contradict.
	set   map[string]bool
	fixed map[string]string
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	var s trainSettings
	fs := newFlags("train", "train -data <name|file.csv|file.npy> -out model.safetensors [flags]", stdout)
	fs.StringVar(&s.data, "data", "moons", "built-in data set "+fmt.Sprint(data.Names())+", or a .csv or .npy file of rows (a CSV's first row is skipped as a header only if none of its cells is a number)")
	fs.StringVar(&s.out, "out", "model.safetensors", "model file to write (also the checkpoint); not a .csv or .npy name, which would be taken for data")
	fs.StringVar(&s.resume, "resume", "", "checkpoint to resume from (a model file train wrote): its loss, network, data, -ema, -lr, -warmup, -clip, -wd, -batch and -seed go on unless given, and its noise levels or SDE go on (-sigma, -sigma1, -sigmaL, -levels, -sde-min and -sde-max cannot change them)")
	fs.StringVar(&s.hidden, "hidden", "128,128,128", "hidden layer widths, separated by commas (empty: none, a linear score)")
	fs.StringVar(&s.act, "act", "silu", "activation: identity, relu, leakyrelu, tanh, sigmoid, silu, softplus, elu, gelu")
	fs.BoolVar(&s.energy, "energy", false, "energy network (score = −∇E; sample can then use MALA)")
	fs.StringVar(&s.loss, "loss", "ncdsm", "loss: "+strings.Join(lossNames, ", ")+" (ve, vp, subvp: continuous-time DSM for that SDE)")
	fs.IntVar(&s.steps, "steps", 5000, "training steps (in all, when resuming)")
	fs.IntVar(&s.batch, "batch", 128, "batch size")
	fs.IntVar(&s.every, "checkpoint", 1000, "write the model file every this many steps (0: only at the end); an interrupt (Ctrl-C) stops between steps and keeps the last one written")
	fs.Float64Var(&s.lr, "lr", 1e-3, "Adam learning rate")
	fs.IntVar(&s.warmup, "warmup", 100, "learning-rate warm-up steps")
	fs.Float64Var(&s.clip, "clip", 0, "gradient-norm clipping (0: none)")
	fs.Float64Var(&s.wd, "wd", 0, "decoupled weight decay")
	fs.Float64Var(&s.ema, "ema", 0.999, "EMA rate of the weights written (0: no EMA)")
	fs.Float64Var(&s.sigma, "sigma", 0.1, "dsm: the noise level σ")
	fs.Float64Var(&s.sigma1, "sigma1", 0, "ncdsm: largest noise level σ₁ (0: the largest distance among 1000 training points, a file's first 1000 rows; at most 50)")
	fs.Float64Var(&s.sigmaL, "sigmaL", 0.01, "ncdsm: smallest noise level σ_L")
	fs.IntVar(&s.levels, "levels", 10, "ncdsm: number of noise levels, 2 to 100000")
	fs.IntVar(&s.proj, "projections", 1, "sliced, sliced-vr: projections per point")
	fs.BoolVar(&s.rademacher, "rademacher", false, "sliced, sliced-vr: Rademacher projections instead of Gaussian")
	fs.Float64Var(&s.sdeA, "sde-min", 0, "ve: σ_min (0: 0.01); vp, subvp: β_min (0: 0.1)")
	fs.BoolVar(&s.scaleSigma, "scale-by-sigma", true, "ve, vp, subvp: divide the network's output by the SDE's σ(t), score_sde's scale_by_sigma (as ncdsm's is divided by σ): its target is then −z at every t, where an unscaled one must output −z/σ(t) and its gradients grow as σ(t)³ (false: unscaled, as models trained before this flag are, which load and resume so)")
	fs.Float64Var(&s.sdeB, "sde-max", 0, "ve: σ_max (0: the largest distance among 1000 training points, as for -sigma1, uncapped but at least 2·σ_min); vp, subvp: β_max (0: 20)")
	seed := fs.Uint64("seed", 1, "random seed")
	fs.IntVar(&s.workers, "workers", 1, "goroutines for each training step's matrix products and the passes between them (0: GOMAXPROCS); more pays only on cores that are free (see BENCHMARKS.md); the trained model does not depend on it")
	fs.BoolVar(&s.quiet, "q", false, "no progress output")
	if err := parse(fs, args); err != nil {
		return err
	}
	s.seed = *seed
	s.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { s.set[f.Name] = true })
	ctx, stop := interruptible()
	defer stop()
	return train(ctx, s, stdout, stderr)
}

// trainingData returns the data source: a built-in set or the rows of a
// file. A name with an extension or a folder in it is a file.
func trainingData(name string) (src nn.Source, rows []float32, d int, err error) {
	if s, err := data.Named(name); err == nil {
		return s, nil, s.Dim(), nil
	}
	if filepath.Ext(name) == "" && !strings.ContainsRune(name, filepath.Separator) && !strings.ContainsRune(name, '/') {
		return nil, nil, 0, usagef("-data %q: unknown: want a built-in set (%s) or a .csv or .npy file", name, strings.Join(data.Names(), ", "))
	}
	t, err := readTable(name, maxNPYElems)
	if err != nil {
		return nil, nil, 0, flagError("data", err)
	}
	return nil, t.data, t.cols, nil
}

// lossFlags are the flags that only some losses read: giving one with
// another loss is an error rather than silently ignored.
var lossFlags = map[string][]string{
	"sigma":          {"dsm"},
	"sigma1":         {"ncdsm"},
	"sigmaL":         {"ncdsm"},
	"levels":         {"ncdsm"},
	"projections":    {"sliced", "sliced-vr"},
	"rademacher":     {"sliced", "sliced-vr"},
	"sde-min":        {"ve", "vp", "subvp"},
	"sde-max":        {"ve", "vp", "subvp"},
	"scale-by-sigma": {"ve", "vp", "subvp"},
}

// checkLossFlags rejects a flag given on the command line that the loss
// does not read.
func checkLossFlags(s *trainSettings) error {
	if !slices.Contains(lossNames, s.loss) {
		return usagef("-loss %q: want one of %s", s.loss, strings.Join(lossNames, ", "))
	}
	names := make([]string, 0, len(lossFlags))
	for f := range lossFlags {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		if s.set[f] && !slices.Contains(lossFlags[f], s.loss) {
			return usagef("-%s is for -loss %s; this run's loss is %s", f, strings.Join(lossFlags[f], ", "), s.loss)
		}
	}
	return nil
}

// fromCheckpoint takes from the checkpoint mf what the command line left
// out — the loss, the network, the data — and checks that what it gives
// agrees: resuming needs only -resume, -steps and -out.
func fromCheckpoint(s *trainSettings, mf *modelFile) error {
	loss := mf.meta[metaLoss]
	if loss == "" || mf.meta[metaStep] == "" {
		return usagef("-resume %s: not a checkpoint of scorekit train (no %s or %s in its metadata)", s.resume, metaLoss, metaStep)
	}
	if s.set["loss"] && s.loss != loss {
		return usagef("-loss %s: %s was trained with -loss %s (leave -loss out to go on with it)", s.loss, s.resume, loss)
	}
	s.loss = loss
	cfg := mf.model.Config()
	if slices.ContainsFunc(cfg.Acts, func(a kernel.Activation) bool { return a != cfg.Act }) || cfg.OutAct != kernel.Identity {
		return usagef("-resume %s: a network with an activation per layer, which train does not make", s.resume)
	}
	widths := make([]string, len(cfg.Hidden))
	for i, w := range cfg.Hidden {
		widths[i] = strconv.Itoa(w)
	}
	if s.set["hidden"] {
		h, err := parseInts(s.hidden)
		if err != nil {
			return usagef("-hidden: %v", err)
		}
		if !slices.Equal(h, cfg.Hidden) {
			return usagef("-hidden %s: %s has hidden layers %s (leave -hidden out to go on with them)", s.hidden, s.resume, strings.Join(widths, ","))
		}
	}
	s.hidden = strings.Join(widths, ",")
	if s.set["act"] {
		a, err := kernel.ParseActivation(s.act)
		if err != nil {
			return usagef("-act: %v", err)
		}
		if a != cfg.Act {
			return usagef("-act %s: %s uses %v (leave -act out to go on with it)", s.act, s.resume, cfg.Act)
		}
	}
	s.act = cfg.Act.String()
	if s.set["energy"] && s.energy != cfg.Energy {
		what := "a score network"
		if cfg.Energy {
			what = "an energy network"
		}
		return usagef("-energy=%v: %s holds %s (leave -energy out)", s.energy, s.resume, what)
	}
	s.energy = cfg.Energy
	if cfg.Cond == nn.CondTime {
		// Files from before -scale-by-sigma hold scale_by_sigma false, or
		// none, and go on unscaled.
		if s.set["scale-by-sigma"] && s.scaleSigma != cfg.ScaleBySigma {
			return usagef("-scale-by-sigma=%v: %s holds a network trained with -scale-by-sigma=%v (leave -scale-by-sigma out to go on with it)", s.scaleSigma, s.resume, cfg.ScaleBySigma)
		}
		s.scaleSigma = cfg.ScaleBySigma
	}
	if !s.set["ema"] {
		// Go on averaging at the checkpoint's rate, or not averaging.
		s.ema = 0
		if v, ok := mf.meta[metaEMA]; ok {
			r, err := strconv.ParseFloat(v, 64)
			if err != nil || !(r > 0 && r < 1) {
				return usagef("-resume %s: metadata %s %q: want a rate in (0, 1)", s.resume, metaEMA, v)
			}
			s.ema = r
		}
	}
	if !s.set["data"] && mf.meta[metaData] != "" {
		s.data = mf.meta[metaData]
	}
	// The optimiser's settings go on too, unless given (a smaller -lr is
	// a usual reason to resume). Checkpoints written before they were
	// recorded leave the defaults.
	for _, f := range []struct {
		flag, key string
		float     *float64
		int       *int
		min       float64 // the least value; lr must exceed it
	}{
		{"lr", metaLR, &s.lr, nil, 0}, {"clip", metaClip, &s.clip, nil, 0}, {"wd", metaWD, &s.wd, nil, 0},
		{"warmup", metaWarmup, nil, &s.warmup, 0}, {"batch", metaBatch, nil, &s.batch, 1},
	} {
		v, ok := mf.meta[f.key]
		if s.set[f.flag] || !ok {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(x, 0) || !(x >= f.min) || f.flag == "lr" && x == 0 || f.int != nil && (x != math.Trunc(x) || x > 1<<40) {
			return usagef("-resume %s: metadata %s %q: not a valid -%s", s.resume, f.key, v, f.flag)
		}
		if f.float != nil {
			*f.float = x
		} else {
			*f.int = int(x)
		}
	}
	// So does the seed: the file records one, which a resumed run that
	// drew from seed 1 instead would overwrite with 1.
	if v, ok := mf.meta[metaSeed]; ok && !s.set["seed"] {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return usagef("-resume %s: metadata %s %q: not a valid -seed", s.resume, metaSeed, v)
		}
		s.seed = seed
	}
	// The loss goes on with the checkpoint's noise levels or SDE: the
	// defaults that follow the data and the seed (σ₁, VE's σ_max) could
	// otherwise move, and the file would record the old ones.
	s.fixed = map[string]string{}
	for _, k := range []string{metaSigmas, metaSDE} {
		if v, ok := mf.meta[k]; ok {
			s.fixed[k] = v
		}
	}
	return nil
}

func train(ctx context.Context, s trainSettings, stdout, stderr io.Writer) error {
	switch {
	case s.steps < 1:
		return usagef("-steps %d: want at least 1", s.steps)
	case s.batch < 1:
		return usagef("-batch %d: want at least 1", s.batch)
	case s.every < 0:
		return usagef("-checkpoint %d: want ≥ 0", s.every)
	case !(s.lr > 0) || math.IsInf(s.lr, 0):
		return usagef("-lr %g: want a finite rate > 0", s.lr)
	case s.warmup < 0:
		return usagef("-warmup %d: want ≥ 0", s.warmup)
	case !(s.clip >= 0) || math.IsInf(s.clip, 0):
		return usagef("-clip %g: want a finite norm > 0, or 0 for none", s.clip)
	case !(s.wd >= 0) || math.IsInf(s.wd, 0):
		return usagef("-wd %g: want ≥ 0", s.wd)
	case s.lr*s.wd >= 1:
		return usagef("-lr %g -wd %g: want lr·wd below 1 (each step multiplies the weights by 1 − lr·wd)", s.lr, s.wd)
	case !(s.ema >= 0 && s.ema < 1):
		return usagef("-ema %g: want 0 (none) or a rate in (0, 1)", s.ema)
	case s.workers < 0:
		return usagef("-workers %d: want ≥ 0", s.workers)
	}
	var ckpt *modelFile
	var err error
	if s.resume != "" {
		if ckpt, err = loadModel(s.resume); err != nil {
			return flagError("resume", err)
		}
		if err := fromCheckpoint(&s, ckpt); err != nil {
			return err
		}
	}
	if err := checkLossFlags(&s); err != nil {
		return err
	}
	hidden, err := parseInts(s.hidden)
	if err != nil {
		return usagef("-hidden: %v", err)
	}
	act, err := kernel.ParseActivation(s.act)
	if err != nil {
		return usagef("-act: %v", err)
	}
	if ckpt != nil {
		if done, err := strconv.Atoi(ckpt.meta[metaStep]); err == nil && done >= s.steps {
			return usagef("-steps %d: %s has %s already; ask for more", s.steps, s.resume, english.Count(done, "step"))
		}
	}
	// A model written over a data file (-data d.csv -out d.csv, or the
	// two flags swapped) would destroy it.
	if ext := strings.ToLower(filepath.Ext(s.out)); ext == ".csv" || ext == ".npy" {
		return usagef("-out %s: a model file, not a %s data file (name it .safetensors)", s.out, ext)
	}
	// Before the data are read and the steps run: the file must be
	// writable at the first checkpoint.
	if err := checkOutput("-out", s.out); err != nil {
		return err
	}
	src, rows, d, err := trainingData(s.data)
	if err != nil {
		if ckpt != nil && !s.set["data"] {
			// A file named relative to where the checkpoint's run started.
			return fmt.Errorf("%w (the data -resume %s records; give -data)", err, s.resume)
		}
		return err
	}
	if ckpt != nil && d != ckpt.model.Dim() {
		return usagef("-data %s has dimension %d, but %s is a model of dimension %d", s.data, d, s.resume, ckpt.model.Dim())
	}
	meta := map[string]string{metaLoss: s.loss, metaData: s.data, metaSeed: strconv.FormatUint(s.seed, 10),
		metaLR: formatFloat(s.lr), metaWarmup: strconv.Itoa(s.warmup), metaClip: formatFloat(s.clip),
		metaWD: formatFloat(s.wd), metaBatch: strconv.Itoa(s.batch)}
	cfg := nn.Config{Dim: d, Hidden: hidden, Act: act, Energy: s.energy}
	loss, err := makeLoss(&s, &cfg, meta, src, rows, d)
	if err != nil {
		return err
	}
	if n := numParams(cfg.Widths()); n > maxParams {
		return usagef("-hidden %s: a network of %d parameters is more than train holds (at most %d)", s.hidden, n, maxParams)
	}
	// Each point of a batch is a row of activations, and so is each of
	// its tangents (projections, or a basis of ℝᵈ).
	if w, k := cfg.Widths(), tangents(&s, d); s.batch > maxBatchValues/sum(w)/(1+k) {
		rows := maxBatchValues / sum(w)
		switch {
		case k == 0:
			return usagef("-batch %d: more than train holds at once for a %v network (at most %d)", s.batch, w, rows)
		case s.loss == "sliced" || s.loss == "sliced-vr":
			return usagef("-batch %d -projections %d: batch × (1 + projections) rows of activations are more than train holds at once for a %v network (at most %d rows)", s.batch, s.proj, w, rows)
		}
		return usagef("-batch %d: with %s, each point takes d = %d tangent rows of activations beside its own, and batch × (1 + d) rows are more than train holds at once for a %v network (at most %d rows)", s.batch, map[bool]string{true: "-energy", false: "-loss exact"}[s.energy], d, w, rows)
	}

	var model *nn.Model
	var opt *nn.Adam
	var ema *nn.EMA
	done := 0
	if s.resume != "" {
		model, opt, ema, done, err = resumeFrom(s, cfg, ckpt)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "resuming %s at step %d\n", s.resume, done)
	} else {
		if model, err = nn.New(cfg, s.seed); err != nil {
			return usagef("%v", err)
		}
		opt = nn.NewAdam(model.NumParams(), s.lr)
		if s.ema > 0 {
			ema = nn.NewEMA(model.Params(), s.ema)
		}
	}
	opt.LR, opt.Warmup, opt.ClipNorm, opt.WeightDecay = s.lr, s.warmup, s.clip, s.wd
	if l, ok := loss.(nn.ContinuousDSM); ok {
		// A -scale-by-sigma network divides by the σ(t) of the SDE it learns.
		// The loss then takes the model's SDE (a nil SDE): given the same
		// one again, it would ask it for σ(t) a second time per point only
		// to check that the two agree.
		model.SetPerturbation(l.SDE)
		l.SDE = nil
		loss = l
	}
	// At most GOMAXPROCS goroutines run (f32 has GOMAXPROCS−1 helpers).
	workers := runtime.GOMAXPROCS(0)
	if s.workers > 0 {
		workers = min(s.workers, workers)
	}
	model.SetWorkers(workers)
	fmt.Fprintf(stdout, "training %v MLP (%d parameters) on %s (d = %d) with %s, kernels %s, %s\n",
		cfg.Widths(), model.NumParams(), s.data, d, s.loss, kernel.Active(), english.Count(workers, "goroutine"))

	save := func(step int) error {
		meta[metaStep] = strconv.Itoa(step)
		extra := map[string]nn.Tensor{}
		out := model
		if ema != nil {
			// The file's weights are the average, for sampling; the raw
			// weights and the average's count go with it for resuming.
			meta[metaEMA] = strconv.FormatFloat(s.ema, 'g', -1, 64)
			meta[emaUpdates] = strconv.Itoa(ema.Updates())
			raw := append([]float32(nil), model.Params()...)
			extra[trainPrefix+"params"] = nn.Tensor{Shape: []int{len(raw)}, Data: raw}
			avg := model.Clone() // the Fourier frequencies with the weights
			ema.CopyTo(avg)
			out = avg
		}
		m, v, _ := opt.State() // the step count is metaStep
		extra[trainPrefix+"adam.m"] = nn.Tensor{Shape: []int{len(m)}, Data: append([]float32(nil), m...)}
		extra[trainPrefix+"adam.v"] = nn.Tensor{Shape: []int{len(v)}, Data: append([]float32(nil), v...)}
		return saveModel(s.out, out, meta, extra)
	}

	bar := newProgress(stderr, s.quiet, "train", "steps", s.steps)
	var last float64
	var saveErr error
	saved := 0 // the step of the last checkpoint this run wrote
	at := done // the last step finished
	tr := nn.Trainer{
		Model: model, Loss: loss, Opt: opt, EMA: ema,
		Data: src, Rows: rows, Batch: s.batch, Steps: s.steps - done,
		// A resumed run draws from a stream of its own, fixed by the seed
		// and the step it starts at.
		Seed: s.seed ^ uint64(done)*0x9e3779b97f4a7c15,
		Callback: func(step int, l, _ float64) error {
			last = l
			step += done
			at = step
			bar.update(step, fmt.Sprintf("loss %.4g", l))
			if s.every > 0 && step%s.every == 0 && step < s.steps {
				if saveErr = save(step); saveErr != nil {
					return saveErr
				}
				saved = step
			}
			return nil
		},
	}
	t0 := time.Now()
	runErr := tr.Run(ctx)
	bar.done()
	if runErr != nil {
		if saveErr != nil {
			return saveErr
		}
		if errors.Is(runErr, context.Canceled) {
			if saved == 0 {
				if ckpt != nil {
					return interruptedResumed(at, s.resume, s.out, ckpt.meta[metaStep])
				}
				return fmt.Errorf("interrupted at step %d, before the first checkpoint: %s was not written", at, s.out)
			}
			return fmt.Errorf("interrupted at step %d; the checkpoint of step %d is in %s (go on with -resume %s)", at, saved, s.out, s.out)
		}
		hint := "a lower -lr or a -clip may help"
		if big := maxAbs(rows); big > 1e3 {
			hint = fmt.Sprintf("the data reach |x| = %.3g: standardise them", big)
		}
		return fmt.Errorf("training: %w (%s)", runErr, hint)
	}
	if err := save(s.steps); err != nil {
		return err
	}
	el := time.Since(t0).Seconds()
	fmt.Fprintf(stdout, "trained  %s in %.1fs (%.0f steps/s), final loss %.4g\nwrote    %s\n", english.Count(s.steps-done, "step"), el, float64(s.steps-done)/el, last, s.out)
	return nil
}

// makeLoss builds the loss named by s.loss, sets the conditioning it needs
// in cfg and records its settings in meta.
func makeLoss(s *trainSettings, cfg *nn.Config, meta map[string]string, src nn.Source, rows []float32, d int) (nn.Loss, error) {
	if cfg.Energy && (s.loss == "exact" || strings.HasPrefix(s.loss, "sliced")) {
		return nil, usagef("-energy with -loss %s: these losses need the Jacobian of the score, a Hessian for an energy network; use -loss dsm or ncdsm", s.loss)
	}
	switch s.loss {
	case "exact":
		return nn.ExactSM{}, nil
	case "sliced", "sliced-vr":
		if s.proj < 1 {
			return nil, usagef("-projections %d: want at least 1", s.proj)
		}
		return nn.SlicedSM{Projections: s.proj, Rademacher: s.rademacher, VR: s.loss == "sliced-vr"}, nil
	case "dsm":
		if v, ok := s.fixed[metaSigmas]; ok {
			sig, err := parseFloats(v)
			if err != nil || len(sig) != 1 || !sigmaOK(sig[0]) {
				return nil, usagef("-resume %s: metadata %s %q: want a noise level %s", s.resume, metaSigmas, v, sigmaRange)
			}
			if s.set["sigma"] && s.sigma != sig[0] {
				return nil, usagef("-sigma %g: %s was trained at σ = %g (leave -sigma out to go on with it)", s.sigma, s.resume, sig[0])
			}
			s.sigma = sig[0]
		}
		if !sigmaOK(s.sigma) {
			return nil, usagef("-sigma %g: want a finite σ > 0 (%s)", s.sigma, sigmaRange)
		}
		meta[metaSigmas] = formatFloats([]float64{s.sigma})
		return nn.DSM{Sigma: s.sigma}, nil
	case "ncdsm":
		var sig []float64
		if v, ok := s.fixed[metaSigmas]; ok {
			var err error
			if sig, err = parseFloats(v); err != nil || len(sig) < 2 || slices.ContainsFunc(sig, badSigma) {
				return nil, usagef("-resume %s: metadata %s %q: want two or more noise levels %s", s.resume, metaSigmas, v, sigmaRange)
			}
			if s.set["sigma1"] || s.set["sigmaL"] || s.set["levels"] {
				return nil, usagef("-sigma1, -sigmaL, -levels: %s was trained on its own %s, %g to %g (leave these flags out to go on with them)", s.resume, english.Count(len(sig), "noise level"), sig[0], sig[len(sig)-1])
			}
		} else {
			// Each flag on its own first, so that a message names only
			// flags that were given (σ₁ may be the data's default).
			if s.levels < 2 {
				return nil, usagef("-levels %d: want at least 2", s.levels)
			}
			if s.levels > maxLevels {
				return nil, usagef("-levels %d: want at most %d (the model file's header records every level)", s.levels, maxLevels)
			}
			if !(s.sigmaL > 0) {
				return nil, usagef("-sigmaL %g: want σ_L > 0", s.sigmaL)
			}
			if s.sigma1 == 0 {
				s.sigma1 = min(spread(src, rows, d, s.seed), 50)
				if !(s.sigma1 > s.sigmaL) {
					return nil, usagef("-data %s: its points are at most %g apart, and σ₁ defaults to that, which is not above -sigmaL %g: give -sigma1", s.data, s.sigma1, s.sigmaL)
				}
			}
			if !(s.sigma1 > s.sigmaL) {
				return nil, usagef("-sigma1 %g -sigmaL %g: want σ₁ > σ_L", s.sigma1, s.sigmaL)
			}
			if !sigmaOK(s.sigma1) || !sigmaOK(s.sigmaL) {
				return nil, usagef("-sigma1 %g -sigmaL %g: want levels %s", s.sigma1, s.sigmaL, sigmaRange)
			}
			sig = sampler.GeometricSigmas(s.sigma1, s.sigmaL, s.levels)
		}
		meta[metaSigmas] = formatFloats(sig)
		cfg.Cond, cfg.ScaleBySigma = nn.CondLogSigma, true
		return nn.NCDSM{Sigmas: sig}, nil
	case "ve", "vp", "subvp":
		var sde sampler.SDE
		var spec string
		var err error
		if v, ok := s.fixed[metaSDE]; ok {
			if s.set["sde-min"] || s.set["sde-max"] {
				return nil, usagef("-sde-min, -sde-max: %s was trained on the SDE %s (leave these flags out to go on with it)", s.resume, v)
			}
			if sde, err = parseSDE(v); err != nil {
				return nil, usagef("-resume %s: metadata %s: %v", s.resume, metaSDE, err)
			}
			spec = v
		} else if sde, spec, err = makeSDE(s.loss, s.sdeA, s.sdeB, func() float64 { return spread(src, rows, d, s.seed) }); err != nil {
			return nil, err
		}
		if err := sdeSigmaErr(sde); err != nil {
			if s.fixed[metaSDE] != "" {
				return nil, usagef("-resume %s: metadata %s %q: %v", s.resume, metaSDE, spec, err)
			}
			return nil, usagef("%s: the SDE %s: %v", sdeFlags(s.sdeA, s.sdeB), spec, err)
		}
		meta[metaSDE] = spec
		// 16 Fourier features of t at scale 4: smooth enough in t for the toy
		// sets (score_sde's scale 16 suits its log σ or 999·t inputs).
		cfg.Cond, cfg.Fourier, cfg.FourierScale = nn.CondTime, 16, 4
		cfg.ScaleBySigma = s.scaleSigma
		return nn.ContinuousDSM{SDE: sde}, nil
	}
	return nil, usagef("-loss %q: want one of %s", s.loss, strings.Join(lossNames, ", "))
}

// sigmaRange is where sigmaOK holds, for the usage errors.
var sigmaRange = fmt.Sprintf("from %.2g, where 1/σ is finite in float32, to %.2g, where σ² is: the gradients grow as σ²", nn.MinSigma, nn.MaxSigma)

// sigmaOK reports whether v is a noise level the losses take: finite,
// from nn.MinSigma to nn.MaxSigma (nn panics otherwise).
func sigmaOK(v float64) bool { return v >= nn.MinSigma && v <= nn.MaxSigma }

func badSigma(v float64) bool { return !sigmaOK(v) }

// sdeSigmaErr says if the SDE's σ(t) leaves, over the t that
// nn.ContinuousDSM draws (1e-5, its default Eps, to 1), the range where
// the loss takes it (it would panic). σ(t) grows with t for VE, VP and
// sub-VP, so the ends tell.
func sdeSigmaErr(sde sampler.SDE) error {
	for _, t := range []float64{1e-5, 1} {
		if _, sig := sde.Marginal(t); !sigmaOK(sig) {
			return fmt.Errorf("σ(%g) = %g: want σ(t) %s", t, sig, sigmaRange)
		}
	}
	return nil
}

// sdeFlags names the flags -sde-min a and -sde-max b that were given
// (not 0, their default), for a message.
func sdeFlags(a, b float64) string {
	switch {
	case a != 0 && b != 0:
		return fmt.Sprintf("-sde-min %g -sde-max %g", a, b)
	case b != 0:
		return fmt.Sprintf("-sde-max %g", b)
	}
	return fmt.Sprintf("-sde-min %g", a)
}

// makeSDE builds the SDE kind with parameters a, b (0: defaults; VE's
// σ_max defaults to the data's spread) and returns its spec for the file.
func makeSDE(kind string, a, b float64, spreadOf func() float64) (sampler.SDE, string, error) {
	given := sdeFlags(a, b)
	var sde sampler.SDE
	switch kind {
	case "ve":
		if a == 0 {
			a = 0.01
		}
		if b == 0 {
			b = max(spreadOf(), 2*a)
		}
		sde = sampler.VE{SigmaMin: a, SigmaMax: b, N: 1000}
	case "vp", "subvp":
		if a == 0 {
			a = 0.1
		}
		if b == 0 {
			b = 20
		}
		if kind == "vp" {
			sde = sampler.VP{BetaMin: a, BetaMax: b, N: 1000}
		} else {
			sde = sampler.SubVP{BetaMin: a, BetaMax: b, N: 1000}
		}
	default:
		return nil, "", fmt.Errorf("unknown SDE %q", kind)
	}
	if err := sde.Validate(); err != nil {
		return nil, "", usagef("%s: %v", given, err)
	}
	return sde, sde.(fmt.Stringer).String(), nil
}

// parseSDE reads an SDE spec as makeSDE writes it (sampler.ParseSDE:
// kind:a:b, σ_min:σ_max for ve and β_min:β_max for vp and subvp, maybe
// :N), its errors without the package's prefix, for the command's own.
func parseSDE(spec string) (sampler.SDE, error) {
	sde, err := sampler.ParseSDE(spec)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "sampler: "))
	}
	return sde, nil
}

// maxBatchValues bounds a batch's activations, batch × the sum of the
// layer widths: 2²⁶, about 1.2 GB with the buffers of the passes (a batch
// of 65,536 for the default network took 0.48 GB).
const maxBatchValues = 1 << 26

// tangents returns the tangent rows the loss of s computes per point,
// beside the point's own: the projections of sliced score matching, the
// basis of ℝᵈ of exact score matching and of an energy network's score.
func tangents(s *trainSettings, d int) int {
	switch {
	case s.loss == "sliced" || s.loss == "sliced-vr":
		return max(1, s.proj)
	case s.loss == "exact" || s.energy:
		return d
	}
	return 0
}

// maxLevels bounds ncdsm's -levels: the model file records the levels
// in its header (about 20 bytes each); NCSNv2's largest set used 2311.
const maxLevels = 100_000

// maxParams bounds a network's parameters: 2²⁷, 512 MiB, which the
// gradient, Adam's moments and the average take four times over again.
const maxParams = 1 << 27

// numParams returns the weights and biases of an MLP of the layer widths
// w, in int64 (widths of 65,536 overflow int on 32-bit platforms).
func numParams(w []int) int64 {
	var n int64
	for i := 1; i < len(w); i++ {
		n += int64(w[i-1]+1) * int64(w[i])
	}
	return n
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// maxAbs returns the largest |x| of xs.
func maxAbs(xs []float32) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, math.Abs(float64(x)))
	}
	return m
}

// spread estimates the largest distance between training points (NCSNv2's
// rule for σ₁) from up to 1000 of them.
func spread(src nn.Source, rows []float32, d int, seed uint64) float64 {
	n := 1000
	var x []float32
	if src != nil {
		x = make([]float32, n*d)
		src.Sample(x, newRand(seed))
	} else {
		x = rows[:min(len(rows), n*d)]
		n = len(x) / d
	}
	best := 0.0
	for i := range n {
		for j := range i {
			s := 0.0
			for k := range d {
				t := float64(x[i*d+k] - x[j*d+k])
				s += t * t
			}
			best = max(best, s)
		}
	}
	return math.Sqrt(best)
}

// resumeFrom checks that the checkpoint mf, read from s.resume, fits cfg
// and returns its model, optimiser, average and step count.
func resumeFrom(s trainSettings, cfg nn.Config, mf *modelFile) (*nn.Model, *nn.Adam, *nn.EMA, int, error) {
	got := mf.model.Config()
	if fmt.Sprint(got.Widths()) != fmt.Sprint(cfg.Widths()) || got.Act != cfg.Act || got.Cond != cfg.Cond || got.Energy != cfg.Energy || got.ScaleBySigma != cfg.ScaleBySigma {
		return nil, nil, nil, 0, usagef("-resume %s holds a %v %v network; the flags ask for %v %v", s.resume, got.Widths(), got.Act, cfg.Widths(), cfg.Act)
	}
	done, err := strconv.Atoi(mf.meta[metaStep])
	if err != nil || done < 0 {
		return nil, nil, nil, 0, usagef("-resume %s: not a checkpoint of scorekit train (metadata %s %q is no step count)", s.resume, metaStep, mf.meta[metaStep])
	}
	model := mf.model
	var ema *nn.EMA
	if raw, ok := mf.train[trainPrefix+"params"]; ok {
		if len(raw.Data) != model.NumParams() {
			return nil, nil, nil, 0, usagef("-resume %s: %s, the network has %d", s.resume, english.Count(len(raw.Data), "raw parameter"), model.NumParams())
		}
		// The file's weights are the average; with -ema 0 it is dropped
		// and training goes on from the raw weights.
		if s.ema > 0 {
			n, _ := strconv.Atoi(mf.meta[emaUpdates])
			ema = nn.RestoreEMA(model.Params(), s.ema, n)
		}
		copy(model.Params(), raw.Data)
		model.Repack()
	} else if s.ema > 0 {
		ema = nn.NewEMA(model.Params(), s.ema)
	}
	opt := nn.NewAdam(model.NumParams(), s.lr)
	m, okm := mf.train[trainPrefix+"adam.m"]
	v, okv := mf.train[trainPrefix+"adam.v"]
	if okm && okv {
		if err := opt.SetState(m.Data, v.Data, done); err != nil {
			return nil, nil, nil, 0, usagef("-resume %s: %v", s.resume, err)
		}
	}
	return model, opt, ema, done, nil
}

// interruptedResumed is the error of a resumed run interrupted before its
// first checkpoint: the checkpoint it resumed from (of step done) is
// still there to go on from, in out itself when out is that file.
func interruptedResumed(at int, resume, out, done string) error {
	if a, err := os.Stat(resume); err == nil {
		if b, err := os.Stat(out); err == nil && os.SameFile(a, b) {
			return fmt.Errorf("interrupted at step %d, before this run's first checkpoint: %s still holds the checkpoint of step %s it resumed from (go on with -resume %s)", at, out, done, out)
		}
	}
	return fmt.Errorf("interrupted at step %d, before this run's first checkpoint: %s was not written; %s still holds the checkpoint of step %s (go on with -resume %s)", at, out, resume, done, resume)
}
