package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// runOK runs the command in-process and fails the test on a non-zero
// exit, returning its standard output.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var o, e bytes.Buffer
	if code := run(args, &o, &e); code != 0 {
		t.Fatalf("scorekit %s: exit %d\n%s%s", strings.Join(args, " "), code, o.String(), e.String())
	}
	return o.String()
}

// finalLoss reads the final loss train reports.
func finalLoss(t *testing.T, out string) float64 {
	t.Helper()
	i := strings.Index(out, "final loss ")
	if i < 0 {
		t.Fatalf("no final loss in\n%s", out)
	}
	v, err := strconv.ParseFloat(strings.Fields(out[i+len("final loss "):])[0], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTrainVEHugeSigma: continuous-time DSM on the VE SDE with σ_max =
// 1e12 trains with -scale-by-sigma (the default), the network's output
// divided by σ(t); unscaled, as before, the gradients grow as σ(t)³ and
// the loss is NaN at step 2.
func TestTrainVEHugeSigma(t *testing.T) {
	dir := t.TempDir()
	out := runOK(t, "train", "-q", "-data", "moons", "-loss", "ve", "-sde-max", "1e12", "-steps", "200", "-out", filepath.Join(dir, "ve.safetensors"))
	if l := finalLoss(t, out); math.IsNaN(l) || math.IsInf(l, 0) {
		t.Errorf("final loss %v", l)
	}
	mf, err := loadModel(filepath.Join(dir, "ve.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if !mf.model.Config().ScaleBySigma {
		t.Error("train -loss ve wrote an unscaled network; -scale-by-sigma is the default")
	}
	var o, e bytes.Buffer
	code := run([]string{"train", "-q", "-data", "moons", "-loss", "ve", "-sde-max", "1e12", "-steps", "200", "-scale-by-sigma=false", "-out", filepath.Join(dir, "never.safetensors")}, &o, &e)
	if code != 1 || !strings.Contains(e.String(), "loss is NaN at step 2") {
		t.Errorf("unscaled at σ_max = 1e12: exit %d, %q; want the NaN loss at step 2 of the unscaled network", code, e.String())
	}
}

// TestScaleBySigmaSampleVE trains a scaled VE model on moons and samples
// it with the PC sampler and the probability-flow ODE: the samples must be
// much nearer the data, in energy distance to held-out points, than a
// Gaussian fitted to the data (as TestDemo asks of the demo). The file
// records the flag, sample sets the perturbation from the SDE the file
// records (it would panic otherwise), and resuming keeps the flag.
func TestScaleBySigmaSampleVE(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	if kernel.Active() == kernel.Generic {
		// The portable kernels take minutes over the training run (8 on
		// this machine); the amd64 and arm64 runs check the samples, and
		// the resume checks below still run, on a small network.
		runOK(t, "train", "-q", "-data", "moons", "-loss", "ve", "-hidden", "8", "-steps", "3000", "-batch", "8", "-out", in("ve.safetensors"))
		checkScaledResume(t, in)
		return
	}
	runOK(t, "train", "-q", "-data", "moons", "-loss", "ve", "-hidden", "128,128", "-steps", "3000", "-batch", "256", "-lr", "2e-3", "-ema", "0.995", "-out", in("ve.safetensors"))
	const n = 1000
	held := make([]float32, n*2)
	src, _ := data.Named("moons")
	rng := rand.New(rand.NewPCG(7, 7))
	src.Sample(held, rng)
	fit := make([]float32, 20000*2)
	src.Sample(fit, rng)
	base := data.EnergyDistance(gaussianBaseline(fit, 2, n, rng), held, 2)
	// Measured: 0.016 (PC) and 0.009 (ODE), baseline 0.031; the same
	// network unscaled gave 0.036 and 0.031. (PC with its Langevin
	// corrector at snr 0.16 gave 0.11 scaled, 0.35 unscaled: on these
	// two-dimensional sets its step settles the samples in the network's
	// score at the smallest σ(t), its least accurate, see sampler.PCConfig;
	// so -corrector auto, the default here, is none on VE too.)
	for _, c := range []struct {
		args []string
		frac float64
	}{
		{[]string{"-sampler", "pc"}, 0.75},
		{[]string{"-sampler", "ode", "-steps", "100"}, 0.5},
	} {
		args := c.args
		out := runOK(t, append([]string{"sample", "-q", "-model", in("ve.safetensors"), "-n", strconv.Itoa(n), "-png", "none", "-out", in("s.csv")}, args...)...)
		tab, err := readTable(in("s.csv"), n*2)
		if err != nil {
			t.Fatal(err)
		}
		ed := data.EnergyDistance(tab.data, held, 2)
		t.Logf("%v: energy distance %.4f, Gaussian baseline %.4f\n%s", args, ed, base, out)
		if !(ed < c.frac*base) {
			t.Errorf("%v: energy distance %.4f to held-out data, Gaussian baseline %.4f: want below %g of it", args, ed, base, c.frac)
		}
	}
	checkScaledResume(t, in)
}

// checkScaledResume checks that resuming ve.safetensors (3000 steps,
// -scale-by-sigma) goes on scaled, and refuses to change the flag.
func checkScaledResume(t *testing.T, in func(string) string) {
	t.Helper()
	runOK(t, "train", "-q", "-steps", "3010", "-resume", in("ve.safetensors"), "-out", in("ve2.safetensors"))
	mf, err := loadModel(in("ve2.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if !mf.model.Config().ScaleBySigma {
		t.Error("resuming lost -scale-by-sigma")
	}
	var o, e bytes.Buffer
	if code := run([]string{"train", "-q", "-steps", "3020", "-scale-by-sigma=false", "-resume", in("ve.safetensors"), "-out", in("never.safetensors")}, &o, &e); code != 2 || !strings.Contains(e.String(), "-scale-by-sigma=false: "+in("ve.safetensors")+" holds a network trained with -scale-by-sigma=true") {
		t.Errorf("resume with -scale-by-sigma=false: exit %d, %q", code, e.String())
	}
}

// TestUnscaledModelFiles: a time-conditional model file without
// scale_by_sigma in its metadata (scorekit before -scale-by-sigma wrote it
// false for every time model, as -scale-by-sigma=false does) loads
// unscaled and samples exactly as the unscaled network does, and resumes
// unscaled; the flag is refused with another loss.
func TestUnscaledModelFiles(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	runOK(t, "train", "-q", "-data", "moons", "-loss", "ve", "-hidden", "8", "-steps", "20", "-scale-by-sigma=false", "-out", in("new.safetensors"))
	mf, err := loadModel(in("new.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(in("new.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	tf, err := nn.DecodeSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	if v := tf.Metadata["scale_by_sigma"]; v != "false" {
		t.Fatalf("-scale-by-sigma=false wrote scale_by_sigma = %q", v)
	}
	delete(tf.Metadata, "scale_by_sigma")
	var buf bytes.Buffer
	if err := nn.WriteSafetensors(&buf, tf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in("old.safetensors"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	old, err := loadModel(in("old.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := old.meta["scale_by_sigma"]; ok {
		t.Fatal("the old file has scale_by_sigma")
	}
	if old.model.Config().ScaleBySigma {
		t.Fatal("a file without scale_by_sigma loaded scaled")
	}
	// The same samples as the unscaled network sampled directly (with the
	// corrector, which auto no longer picks on VE, so that the network's
	// score enters through both steps).
	runOK(t, "sample", "-q", "-model", in("old.safetensors"), "-n", "30", "-steps", "50", "-corrector", "langevin", "-png", "none", "-out", in("old.csv"))
	got, err := readTable(in("old.csv"), 60)
	if err != nil {
		t.Fatal(err)
	}
	sde, err := parseSDE(old.meta[metaSDE])
	if err != nil {
		t.Fatal(err)
	}
	pc, err := sampler.NewPCSampler(withSteps(sde, 50), mf.model, sampler.PCConfig{SNR: 0.16, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float32, 60)
	if _, err := pc.Sample(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got.data[i] != want[i] {
			t.Fatalf("sample %d: %v from the old file, %v from the unscaled network", i, got.data[i], want[i])
		}
	}
	runOK(t, "train", "-q", "-steps", "30", "-resume", in("old.safetensors"), "-out", in("old2.safetensors"))
	if mf2, err := loadModel(in("old2.safetensors")); err != nil || mf2.model.Config().ScaleBySigma {
		t.Errorf("resuming an old file: %v, ScaleBySigma %v; want it unscaled", err, mf2 != nil && mf2.model.Config().ScaleBySigma)
	}
	var o, e bytes.Buffer
	if code := run([]string{"train", "-q", "-loss", "ncdsm", "-scale-by-sigma", "-out", in("never.safetensors")}, &o, &e); code != 2 || !strings.Contains(e.String(), "-scale-by-sigma is for -loss ve, vp, subvp; this run's loss is ncdsm") {
		t.Errorf("-scale-by-sigma with ncdsm: exit %d, %q", code, e.String())
	}
}
