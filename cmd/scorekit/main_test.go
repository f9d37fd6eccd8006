package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scorekit/scorekit/internal/english"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

var build struct {
	once sync.Once
	dir  string
	bin  string
	out  []byte
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// scorekit builds the command once per test binary and returns its path.
func scorekit(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		if build.dir, build.err = os.MkdirTemp("", "scorekit-test"); build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "scorekit")
		build.out, build.err = exec.Command("go", "build", "-o", build.bin, ".").CombinedOutput()
	})
	if build.err != nil {
		t.Fatalf("go build: %v\n%s", build.err, build.out)
	}
	return build.bin
}

// exe runs the binary with args and an environment addition, returning
// stdout, stderr and the exit code.
func exe(t *testing.T, bin string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if x, ok := err.(*exec.ExitError); ok {
		code = x.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestCPU(t *testing.T) {
	bin := scorekit(t)
	out, _, code := exe(t, bin, nil, "cpu")
	if code != 0 || !strings.Contains(out, "active:") {
		t.Fatalf("scorekit cpu: exit %d\n%s", code, out)
	}
	// The binary is built without this test's tags (purego), so its
	// report is held to itself: the avx512 GEMM line is there exactly
	// when avx512 is available, and where avx2 is, the vendor is named.
	var avail []string
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "available:"); ok {
			avail = strings.Fields(rest)
		}
	}
	if slices.Contains(avail, "avx512") != strings.Contains(out, "avx512 GEMM: activation ") {
		t.Fatalf("scorekit cpu: the avx512 GEMM line should be there exactly when avx512 is available:\n%s", out)
	}
	if slices.Contains(avail, "avx2") && !strings.Contains(out, "\nvendor:      ") {
		t.Fatalf("scorekit cpu: no vendor line beside the amd64 assembly:\n%s", out)
	}
	if v := kernel.CPUVendor(); v != "" && !strings.Contains(out, "vendor:      "+v+"\n") {
		t.Fatalf("scorekit cpu does not name the vendor %q:\n%s", v, out)
	}
	out, _, _ = exe(t, bin, []string{"GODEBUG=cpu.avx2=off,cpu.avx512f=off,cpu.asimd=off"}, "cpu")
	if !strings.Contains(out, "active:      generic") {
		t.Fatalf("with GODEBUG switches off, scorekit cpu says\n%s", out)
	}
	// The features line shows the features switched off as such (avx2
	// was read from another feature's bit, which GODEBUG leaves on).
	if off := map[string]string{"amd64": " -avx2 ", "arm64": " -asimd "}[runtime.GOARCH]; off != "" && !strings.Contains(out, off) {
		t.Errorf("with GODEBUG switches off, cpu's features lack %q:\n%s", off, out)
	}
}

func TestUsageErrors(t *testing.T) {
	var o, e bytes.Buffer
	if code := run([]string{"frobnicate"}, &o, &e); code != 2 || !strings.Contains(e.String(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: exit %d, %q", code, e.String())
	}
	e.Reset()
	if code := run([]string{"cpu", "-bogus"}, &o, &e); code != 2 || !strings.Contains(e.String(), "flag provided but not defined: -bogus") {
		t.Fatalf("bad flag: exit %d, %q", code, e.String())
	}
	e.Reset()
	// "scorekit help <unknown>" printed the general usage and exited 0.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "frobnicate"}, `scorekit help: unknown command "frobnicate"`},
		{[]string{"help", "train", "sample"}, `scorekit help: want one command, have "train sample"`},
	} {
		e.Reset()
		if code := run(c.args, &o, &e); code != 2 || !strings.Contains(e.String(), c.want) {
			t.Errorf("%q: exit %d, %q; want 2 and %q", c.args, code, e.String(), c.want)
		}
	}
	e.Reset()
	if code := run([]string{"cpu", "extra"}, &o, &e); code != 2 || !strings.Contains(e.String(), `unexpected argument "extra"`) {
		t.Fatalf("extra argument: exit %d, %q", code, e.String())
	}
}

func TestDemo(t *testing.T) {
	bin := scorekit(t)
	dir := t.TempDir()
	out, errOut, code := exe(t, bin, nil, "demo", "-steps", "1500", "-n", "600", "-T", "40", "-out", dir)
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, f := range []string{"samples.png", "samples.csv", "model.safetensors", "samples-sde.png", "model-sde.safetensors"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("demo did not write %s: %v", f, err)
		}
	}
	// The SDE model's samplers run as the demo says (its ODE ran RK45 for
	// a while, when sample began taking -steps for Heun only if given).
	for _, want := range []string{"reverse diffusion (predictor only) on vp:0.1:20, 1000 steps", "probability-flow ODE (heun) on vp:0.1:20, 200 score evaluations"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo's output lacks %q:\n%s", want, out)
		}
	}
	// The annealed samples must beat the Gaussian baseline's energy
	// distance (an unbiased estimate: it can fall below 0).
	ours, base := math.NaN(), math.NaN()
	for _, line := range strings.Split(out, "\n") {
		if i := strings.Index(line, "energy distance "); i >= 0 {
			var v float64
			fmt.Sscan(line[i+len("energy distance "):], &v)
			switch {
			case strings.Contains(line, "annealed Langevin"):
				ours = v
			case strings.Contains(line, "Gaussian fitted"):
				base = v
			}
		}
	}
	if !(ours < base/3) {
		t.Fatalf("energy distance %g, baseline %g: want well below the baseline\n%s", ours, base, out)
	}
	// The model the demo wrote can be sampled.
	if out, errOut, code := exe(t, bin, nil, "sample", "-model", filepath.Join(dir, "model.safetensors"), "-n", "20", "-T", "5", "-out", filepath.Join(dir, "more.csv"), "-q"); code != 0 {
		t.Fatalf("sampling the demo's model: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, errOut, code := exe(t, bin, nil, "demo", "-n", "-5"); code != 2 || !strings.Contains(errOut, "-n -5: want at least 2 samples") {
		t.Fatalf("demo -n -5: exit %d, %q", code, errOut)
	}
	if _, errOut, code := exe(t, bin, nil, "demo", "-n", "10001"); code != 2 || !strings.Contains(errOut, "-n 10001: want at most 10000") {
		t.Fatalf("demo -n 10001: exit %d, %q", code, errOut)
	}
	if _, errOut, code := exe(t, bin, nil, "demo", "-out", filepath.Join(dir, "no")); code != 2 || !strings.Contains(errOut, "-out "+filepath.Join(dir, "no")+": no such folder") {
		t.Fatalf("demo -out into a missing folder: exit %d, %q", code, errOut)
	}
}

// TestTrainSampleRoundTrip trains small models with several losses, then
// samples them, through the binary, and checks the files and messages.
func TestTrainSampleRoundTrip(t *testing.T) {
	bin := scorekit(t)
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	ok := func(args ...string) string {
		t.Helper()
		out, errOut, code := exe(t, bin, nil, args...)
		if code != 0 {
			t.Fatalf("scorekit %v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		return out
	}
	ok("train", "-data", "8gaussians", "-loss", "ncdsm", "-hidden", "32,32", "-steps", "300", "-checkpoint", "100", "-out", in("nc.safetensors"), "-q")
	out := ok("sample", "-model", in("nc.safetensors"), "-n", "50", "-T", "10", "-out", in("nc.npy"), "-q")
	if !strings.Contains(out, "annealed Langevin") {
		t.Errorf("a σ-conditional model should be sampled by annealed Langevin:\n%s", out)
	}
	for _, f := range []string{"nc.npy", "nc.png"} {
		if _, err := os.Stat(in(f)); err != nil {
			t.Error(err)
		}
	}
	// Resume to 400 steps from the checkpoint.
	out = ok("train", "-data", "8gaussians", "-loss", "ncdsm", "-hidden", "32,32", "-steps", "400", "-resume", in("nc.safetensors"), "-out", in("nc2.safetensors"), "-q")
	if !strings.Contains(out, "resuming") || !strings.Contains(out, "trained  100 steps") {
		t.Errorf("resume:\n%s", out)
	}
	// Resuming with another seed keeps the noise levels (σ₁ follows the
	// data sample the seed draws).
	ok("train", "-data", "8gaussians", "-loss", "ncdsm", "-hidden", "32,32", "-steps", "420", "-seed", "5", "-resume", in("nc2.safetensors"), "-out", in("nc3.safetensors"), "-q")
	for _, f := range []string{"nc2.safetensors", "nc3.safetensors"} {
		a, err1 := loadModel(in("nc.safetensors"))
		b, err2 := loadModel(in(f))
		if err1 != nil || err2 != nil || a.meta[metaSigmas] != b.meta[metaSigmas] {
			t.Errorf("%s: noise levels %q, trained on %q (%v %v)", f, b.meta[metaSigmas], a.meta[metaSigmas], err1, err2)
		}
	}
	// A checkpoint alone says how to go on: its loss, network and data.
	out = ok("train", "-steps", "430", "-resume", in("nc3.safetensors"), "-out", in("nc4.safetensors"), "-q")
	if !strings.Contains(out, "training [3 32 32 2] MLP") || !strings.Contains(out, "on 8gaussians (d = 2) with ncdsm") || !strings.Contains(out, "trained  10 steps") {
		t.Errorf("resuming from the checkpoint alone:\n%s", out)
	}
	// The average goes on at the checkpoint's rate; -ema 0 drops it (it
	// went on averaging at the file's rate, and the file said rate 0).
	ok("train", "-data", "moons", "-hidden", "8", "-steps", "20", "-ema", "0.99", "-out", in("ema.safetensors"), "-q")
	ok("train", "-steps", "30", "-resume", in("ema.safetensors"), "-out", in("ema2.safetensors"), "-q")
	ok("train", "-steps", "30", "-ema", "0", "-resume", in("ema.safetensors"), "-out", in("ema3.safetensors"), "-q")
	for f, want := range map[string]string{"ema2.safetensors": "0.99 30", "ema3.safetensors": " "} {
		mf, err := loadModel(in(f))
		if err != nil {
			t.Fatal(err)
		}
		_, raw := mf.train[trainPrefix+"params"]
		if got := mf.meta[metaEMA] + " " + mf.meta[emaUpdates]; got != want || raw != (want != " ") {
			t.Errorf("%s: EMA rate and count %q, raw weights %v; want %q", f, got, raw, want)
		}
	}
	// The optimiser's settings go on unless given (they went back to the
	// defaults), and the file records what the run used.
	ok("train", "-data", "moons", "-hidden", "8", "-steps", "20", "-lr", "0.0003", "-warmup", "7", "-clip", "2", "-wd", "0.01", "-batch", "64", "-out", in("opt.safetensors"), "-q")
	ok("train", "-steps", "30", "-resume", in("opt.safetensors"), "-out", in("opt2.safetensors"), "-q")
	ok("train", "-steps", "40", "-lr", "0.0001", "-batch", "32", "-resume", in("opt2.safetensors"), "-out", in("opt3.safetensors"), "-q")
	for f, want := range map[string]string{"opt2.safetensors": "0.0003 7 2 0.01 64", "opt3.safetensors": "0.0001 7 2 0.01 32"} {
		mf, err := loadModel(in(f))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join([]string{mf.meta[metaLR], mf.meta[metaWarmup], mf.meta[metaClip], mf.meta[metaWD], mf.meta[metaBatch]}, " "); got != want {
			t.Errorf("%s: -lr -warmup -clip -wd -batch %q, want %q", f, got, want)
		}
	}
	// Resuming with another seed keeps a time-conditional model's Fourier
	// frequencies (the file paired the trained weights with new ones),
	// and nn.Load reads the checkpoint as the model it holds.
	ok("train", "-data", "8gaussians", "-loss", "vp", "-hidden", "16", "-steps", "50", "-seed", "1", "-out", in("vp.safetensors"), "-q")
	ok("train", "-data", "8gaussians", "-loss", "vp", "-hidden", "16", "-steps", "60", "-seed", "2", "-resume", in("vp.safetensors"), "-out", in("vp2.safetensors"), "-q")
	var fw [2][]float32
	for i, name := range []string{"vp.safetensors", "vp2.safetensors"} {
		f, err := os.Open(in(name))
		if err != nil {
			t.Fatal(err)
		}
		m, err := nn.Load(f)
		f.Close()
		if err != nil {
			t.Fatalf("nn.Load(%s): %v", name, err)
		}
		fw[i] = m.FourierWeights()
	}
	if len(fw[0]) == 0 || !slices.Equal(fw[0], fw[1]) {
		t.Errorf("Fourier frequencies %v after resuming with another seed, want %v", fw[1], fw[0])
	}
	// PC has no corrector unless asked for (-corrector auto is none on
	// every SDE; score_sde's choice for VP).
	if out := ok("sample", "-model", in("vp.safetensors"), "-n", "20", "-steps", "50", "-out", in("vp.csv"), "-png", "none", "-q"); !strings.Contains(out, "reverse diffusion (predictor only)") {
		t.Errorf("sampling a VP model:\n%s", out)
	}
	if out := ok("sample", "-model", in("vp.safetensors"), "-n", "20", "-steps", "50", "-corrector", "langevin", "-out", in("vp.csv"), "-png", "none", "-q"); !strings.Contains(out, "reverse diffusion + Langevin, snr 0.16") {
		t.Errorf("sampling a VP model with -corrector langevin:\n%s", out)
	}
	// PC and the ODE report progress (they said nothing before): the
	// last report of a run is 100 %.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-sampler", "pc", "-steps", "50"}, "pc: 50/50 steps (100%)"},
		{[]string{"-sampler", "ode", "-steps", "20"}, "ode: 20/20 steps (100%)"},
		{[]string{"-sampler", "ode", "-steps", "0"}, "ode: 100%, 0s left"},
		{[]string{"-sampler", "ode"}, "ode: 100%, 0s left"}, // RK45 unless -steps asks for Heun
	} {
		args := append([]string{"sample", "-model", in("vp.safetensors"), "-n", "20", "-out", in("vp.csv"), "-png", "none"}, c.args...)
		if _, errOut, code := exe(t, bin, nil, args...); code != 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("scorekit %v: exit %d, stderr %q: want progress ending %q", args, code, errOut, c.want)
		}
	}
	// -sde may repeat the model's SDE, written another way, or with
	// another N (the predictor's steps).
	ok("sample", "-model", in("vp.safetensors"), "-n", "20", "-steps", "50", "-sde", "vp:0.10:20.0", "-out", in("vp.csv"), "-png", "none", "-q")
	if out := ok("sample", "-model", in("vp.safetensors"), "-n", "20", "-sde", "vp:0.1:20:40", "-out", in("vp.csv"), "-png", "none", "-q"); !strings.Contains(out, "40 steps") {
		t.Errorf("sampling with -sde vp:0.1:20:40:\n%s", out)
	}
	// Same seed, same samples, for any number of workers.
	ok("sample", "-model", in("nc.safetensors"), "-n", "40", "-T", "5", "-workers", "1", "-out", in("w1.csv"), "-png", "none", "-q")
	ok("sample", "-model", in("nc.safetensors"), "-n", "40", "-T", "5", "-workers", "2", "-out", in("w2.csv"), "-png", "none", "-q")
	a, _ := os.ReadFile(in("w1.csv"))
	b, _ := os.ReadFile(in("w2.csv"))
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Error("samples differ between -workers 1 and 2")
	}
	// A CSV of training data, an unconditional model, ULA.
	var csv strings.Builder
	csv.WriteString("a,b,c\n")
	for i := range 200 {
		fmt.Fprintf(&csv, "%g,%g,%g\n", float64(i%7)-3, float64(i%5)-2, float64(i%3)-1)
	}
	os.WriteFile(in("d.csv"), []byte(csv.String()), 0o644)
	ok("train", "-data", in("d.csv"), "-loss", "sliced-vr", "-hidden", "16", "-steps", "100", "-out", in("u.safetensors"), "-q")
	out = ok("sample", "-model", in("u.safetensors"), "-n", "20", "-steps", "20", "-burnin", "5", "-out", in("u.csv"), "-q")
	if !strings.Contains(out, "ULA") || !strings.Contains(out, "(20 × 3)") {
		t.Errorf("unconditional 3-d model:\n%s", out)
	}
	out = ok("sample", "-model", in("u.safetensors"), "-start", in("u.csv"), "-steps", "5", "-burnin", "0", "-out", in("u2.csv"), "-q")
	if !strings.Contains(out, "(20 × 3)") {
		t.Errorf("-start from u.csv:\n%s", out)
	}

	// Bad inputs: one clear message each, a non-zero exit, no output file.
	os.WriteFile(in("bad.csv"), []byte("1,2\n3,abc\n"), 0o644)
	os.WriteFile(in("huge.csv"), []byte("1e30,1\n1,2\n3,4\n"), 0o644)
	os.WriteFile(in("line.csv"), []byte("1\n2\n3\n"), 0o644)
	os.WriteFile(in("int.npy"), npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)), 0o644)
	m, _ := os.ReadFile(in("nc.safetensors"))
	os.WriteFile(in("trunc.safetensors"), m[:len(m)/2], 0o644)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"sample", "-model", in("missing.safetensors")}, 2, "-model " + in("missing.safetensors") + ": no such file"},
		{[]string{"sample", "-model", in("trunc.safetensors"), "-out", in("never.csv")}, 2, "is it a complete safetensors file?"},
		{[]string{"train", "-data", in("bad.csv"), "-out", in("never.safetensors")}, 2, `-data ` + in("bad.csv") + `:2:3: "abc" is not a finite number`},
		{[]string{"sample", "-model", in("nc.safetensors"), "-n", "-5"}, 2, "-n -5: want at least 1 sample"},
		{[]string{"train", "-data", "moons", "-lr", "0.1", "-wd", "10", "-out", in("never.safetensors")}, 2, "-lr 0.1 -wd 10: want lr·wd below 1"},
		{[]string{"sample", "-model", in("nc.safetensors"), "-sampler", "pc"}, 2, "needs a model conditioned on time"},
		{[]string{"train", "-data", in("d.csv"), "-loss", "sliced-vr", "-hidden", "32", "-steps", "200", "-resume", in("u.safetensors"), "-out", in("never.safetensors")}, 2, "-hidden 32: " + in("u.safetensors") + " has hidden layers 16 (leave -hidden out"},
		{[]string{"train", "-data", "spiral", "-out", in("never.safetensors")}, 2, "unknown"},
		{[]string{"sample"}, 2, "-model is required"},
		{[]string{"sample", "-model", in("u.safetensors"), "-start", in("nc.npy"), "-out", in("never.csv")}, 2, "has 2 columns, but"},
		{[]string{"train", "-data", "8gaussians", "-loss", "ncdsm", "-hidden", "32,32", "-steps", "500", "-levels", "3", "-resume", in("nc.safetensors"), "-out", in("never.safetensors")}, 2, "was trained on its own 10 noise levels"},
		{[]string{"train", "-data", "8gaussians", "-loss", "vp", "-hidden", "16", "-steps", "100", "-sde-max", "5", "-resume", in("vp.safetensors"), "-out", in("never.safetensors")}, 2, "was trained on the SDE vp:0.1:20"},
		{[]string{"sample", "-model", in("vp.safetensors"), "-sampler", "ode", "-sde", "ve:0.01:0", "-out", in("never.csv")}, 2, `-sde: SDE "ve:0.01:0": `},
		{[]string{"sample", "-model", in("vp.safetensors"), "-sampler", "ode", "-sde", "vp:1", "-out", in("never.csv")}, 2, "want ve:σmin:σmax"},
		{[]string{"sample", "-model", in("vp.safetensors"), "-sampler", "ode", "-sde", "heat:1:2", "-out", in("never.csv")}, 2, "unknown kind"},
		{[]string{"sample", "-model", in("vp.safetensors"), "-sampler", "ode", "-sde", "ve:0.01:50", "-out", in("never.csv")}, 2, "was trained on the SDE vp:0.1:20, and its score fits no other"},
		{[]string{"sample", "-model", in("vp.safetensors"), "-sde", "vp:0.1:10", "-out", in("never.csv")}, 2, "was trained on the SDE vp:0.1:20"},
		{[]string{"sample", "-model", in("vp.safetensors"), "-corrector", "yes", "-out", in("never.csv")}, 2, `-corrector "yes": want langevin, none or auto`},
		// Found in review: a panic (out of memory), files left at 0600 or
		// written after minutes of work into a folder that is not there,
		// flags the sampler or loss never reads taken without a word.
		{[]string{"sample", "-model", in("nc.safetensors"), "-n", "100000000000", "-out", in("never.csv")}, 2, "-n 100000000000: 100000000000 samples of dimension 2 are more than sample holds at once"},
		{[]string{"sample", "-model", in("nc.safetensors"), "-out", in("no/s.csv")}, 2, "-out " + in("no/s.csv") + ": cannot write there: no folder"},
		{[]string{"sample", "-model", in("nc.safetensors"), "-png", in("no/s.png"), "-out", in("never.csv")}, 2, "-png " + in("no/s.png") + ": cannot write there: no folder"},
		{[]string{"sample", "-model", in("nc.safetensors"), "-png", in("s.jpg"), "-out", in("never.csv")}, 2, "want a .png file, auto or none"},
		{[]string{"sample", "-model", in("nc.safetensors"), "-stepsize", "0.1", "-out", in("never.csv")}, 2, "-stepsize is for -sampler ula, mala, underdamped; this run's sampler is annealed"},
		{[]string{"sample", "-model", in("nc.safetensors"), "-sde", "ve:0.01:5", "-out", in("never.csv")}, 2, "-sde is for -sampler pc, ode"},
		{[]string{"sample", "-model", in("nc.safetensors"), "-sampler", "ula", "-out", in("never.csv")}, 2, "-sampler ula needs an unconditional model; " + in("nc.safetensors") + " is a σ-conditional model (sample it with -sampler annealed)"},
		{[]string{"sample", "-model", in("vp.safetensors"), "-snr", "0.2", "-out", in("never.csv")}, 2, "-snr is for the Langevin corrector, and this run has none"},
		{[]string{"sample", "-model", in("vp.safetensors"), "-steps", "5", "-out", in("never.csv")}, 2, "-steps 5 on the SDE vp:0.1:20: "},
		{[]string{"sample", "-model", in("u.safetensors"), "-start", in("u.csv"), "-n", "5", "-out", in("never.csv")}, 2, "-n and -start: give one"},
		{[]string{"sample", "-model", in("u.safetensors"), "-init", "inf", "-out", in("never.csv")}, 2, "-init +Inf: want a finite standard deviation > 0"},
		{[]string{"sample", "-model", in("u.safetensors"), "-sampler", "underdamped", "-friction", "0", "-out", in("never.csv")}, 2, "-friction 0: want a finite friction > 0"},
		{[]string{"train", "-data", "moons", "-batch", "100000000", "-out", in("never.safetensors")}, 2, "-batch 100000000: more than train holds at once for a [3 128 128 128 2] network"},
		{[]string{"train", "-hidden", "65536,65536", "-out", in("never.safetensors")}, 2, "-hidden 65536,65536: a network of 4295426050 parameters is more than train holds"},
		{[]string{"train", "-data", in("line.csv"), "-sigmaL", "5", "-out", in("never.safetensors")}, 2, "its points are at most 2 apart, and σ₁ defaults to that, which is not above -sigmaL 5: give -sigma1"},
		// σ₁ from the data was named as if it had been given: "-sigma1
		// 7.0149411662583665 -sigmaL 0.01 -levels 1: want σ₁ > σ_L > 0 and
		// at least 2 levels".
		{[]string{"train", "-levels", "1", "-out", in("never.safetensors")}, 2, "scorekit train: -levels 1: want at least 2\n"},
		{[]string{"train", "-sigmaL", "0", "-out", in("never.safetensors")}, 2, "scorekit train: -sigmaL 0: want σ_L > 0\n"},
		{[]string{"train", "-sigma1", "0.5", "-sigmaL", "1", "-out", in("never.safetensors")}, 2, "scorekit train: -sigma1 0.5 -sigmaL 1: want σ₁ > σ_L\n"},
		{[]string{"demo", "-data", "spiral", "-out", dir}, 2, `-data "spiral": unknown: want one of 8gaussians,`},
		{[]string{"train", "-data", "moons", "-out", in("no/m.safetensors")}, 2, "-out " + in("no/m.safetensors") + ": cannot write there: no folder"},
		{[]string{"train", "-data", "moons", "-out", dir}, 2, "is a folder: want a file name"},
		{[]string{"train", "-data", "moons", "-sigma", "0.5", "-out", in("never.safetensors")}, 2, "-sigma is for -loss dsm; this run's loss is ncdsm"},
		{[]string{"train", "-data", in("x.txt"), "-out", in("never.safetensors")}, 2, "-data " + in("x.txt") + `: file type ".txt": want a .csv or .npy file of points`},
		{[]string{"train", "-data", in("int.npy"), "-out", in("never.safetensors")}, 2, "-data " + in("int.npy") + ": dtype <i8: want float32 or float64"},
		{[]string{"train", "-data", in("huge.csv"), "-loss", "dsm", "-hidden", "8", "-steps", "50", "-q", "-out", in("never.safetensors")}, 1, "the data reach |x| = 1e+30: standardise them"},
		{[]string{"train", "-loss", "dsm", "-steps", "500", "-resume", in("nc.safetensors"), "-out", in("never.safetensors")}, 2, "-loss dsm: " + in("nc.safetensors") + " was trained with -loss ncdsm"},
		{[]string{"train", "-data", in("line.csv"), "-steps", "500", "-resume", in("nc.safetensors"), "-out", in("never.safetensors")}, 2, "has dimension 1, but " + in("nc.safetensors") + " is a model of dimension 2"},
		{[]string{"train", "-energy", "-steps", "500", "-resume", in("nc.safetensors"), "-out", in("never.safetensors")}, 2, "holds a score network"},
		{[]string{"train", "-steps", "300", "-resume", in("nc.safetensors"), "-out", in("never.safetensors")}, 2, "-steps 300: " + in("nc.safetensors") + " has 300 steps already"},
		{[]string{"train", "-steps", "300", "-resume", "../../nn/testdata/torch_mlp.safetensors", "-out", in("never.safetensors")}, 2, "not a checkpoint of scorekit train"},
	} {
		_, errOut, code := exe(t, bin, nil, c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("scorekit %v: exit %d, stderr %q; want exit %d and one line containing %q", c.args[:2], code, errOut, c.code, c.msg)
		}
	}
	for _, f := range []string{"never.csv", "never.png", "never.safetensors", "s.jpg"} {
		if _, err := os.Stat(in(f)); err == nil {
			t.Errorf("%s was written by a failing command", f)
		}
	}
}

// TestSampleTorchFixture samples the model PyTorch exported.
func TestSampleTorchFixture(t *testing.T) {
	bin := scorekit(t)
	out, errOut, code := exe(t, bin, nil, "sample", "-model", "../../nn/testdata/torch_mlp.safetensors", "-n", "10", "-steps", "10", "-burnin", "0", "-out", filepath.Join(t.TempDir(), "t.csv"), "-q")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestBench(t *testing.T) {
	bin := scorekit(t)
	out, errOut, code := exe(t, bin, nil, "bench", "-quick", "-run", "dot", "-time", "10ms", "-q")
	if code != 0 || !strings.Contains(out, "| dot n=4096 |") || !strings.Contains(out, "FMA peak") {
		t.Fatalf("bench: exit %d\n%s\n%s", code, out, errOut)
	}
	out, _, code = exe(t, bin, nil, "bench", "-quick", "-run", "axpy", "-time", "10ms", "-json", "-q")
	if code != 0 || !strings.Contains(out, `"Results"`) {
		t.Fatalf("bench -json: exit %d\n%s", code, out)
	}
	if _, errOut, code := exe(t, bin, nil, "bench", "-run", "nothing-matches"); code != 2 || !strings.Contains(errOut, "matches no benchmark") {
		t.Fatalf("bench -run nothing: exit %d %q", code, errOut)
	}
}

// TestHelp: every command takes -h (sample's step size was -h, so -h
// there asked for a number).
func TestHelp(t *testing.T) {
	bin := scorekit(t)
	for _, c := range []string{"demo", "train", "sample", "bench", "cpu"} {
		out, errOut, code := exe(t, bin, nil, c, "-h")
		if code != 0 || !strings.Contains(out+errOut, "Usage: scorekit "+c) {
			t.Errorf("scorekit %s -h: exit %d\n%s%s", c, code, out, errOut)
		}
		out, errOut, code = exe(t, bin, nil, "help", c)
		if code != 0 || !strings.Contains(out+errOut, "Usage: scorekit "+c) {
			t.Errorf("scorekit help %s: exit %d\n%s%s", c, code, out, errOut)
		}
	}
}

// TestHelpStreams: help that was asked for (scorekit help, -h) goes to
// stdout, so that "scorekit help | less" shows it (it went to stderr), and
// a wrong flag is said once, on stderr (the flag package printed it with
// the whole usage, then run printed it again).
func TestHelpStreams(t *testing.T) {
	bin := scorekit(t)
	for _, args := range [][]string{{"help"}, {"-h"}, {"help", "train"}, {"sample", "-h"}} {
		out, errOut, code := exe(t, bin, nil, args...)
		if code != 0 || !strings.Contains(out, "Usage") || errOut != "" {
			t.Errorf("scorekit %s: exit %d, stdout %q, stderr %q: want the usage on stdout alone", strings.Join(args, " "), code, out, errOut)
		}
	}
	if out, errOut, code := exe(t, bin, nil); code != 2 || out != "" || !strings.Contains(errOut, "Usage") {
		t.Errorf("scorekit: exit %d, stdout %q, stderr %q: want the usage on stderr, exit 2", code, out, errOut)
	}
	for _, c := range []struct{ flag, msg string }{
		{"-nosuch", "flag provided but not defined: -nosuch"},
		{"-steps=abc", `invalid value "abc" for flag -steps`},
	} {
		out, errOut, code := exe(t, bin, nil, "train", c.flag)
		if code != 2 || out != "" || strings.Count(errOut, c.msg) != 1 || !strings.Contains(errOut, "scorekit train -h lists the flags") {
			t.Errorf("scorekit train %s: exit %d, stdout %q, stderr %q: want the error once, exit 2", c.flag, code, out, errOut)
		}
	}
}

// TestTrainInterrupted: an interrupted train says at which step it
// stopped and which checkpoint it wrote, or that it wrote none (it
// claimed a checkpoint at -out either way, which could be an older file
// there); it exits with status 1. SIGTERM (a container's stop) is an
// interrupt too, and the checkpoint it names resumes.
func TestTrainInterrupted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sends SIGINT")
	}
	bin := scorekit(t)
	dir := t.TempDir()
	for _, c := range []struct {
		sig   os.Signal
		every string
		want  string
	}{
		{os.Interrupt, "0", "before the first checkpoint: " + filepath.Join(dir, "int0.safetensors") + " was not written"},
		{syscall.SIGTERM, "20", "the checkpoint of step "},
	} {
		out := filepath.Join(dir, "int"+c.every+".safetensors")
		e, err := signalled(t, c.sig, bin, "train", "-data", "moons", "-hidden", "16", "-steps", "100000000", "-checkpoint", c.every, "-out", out, "-q")
		if x, ok := err.(*exec.ExitError); !ok || x.ExitCode() != 1 || !strings.Contains(e.String(), "interrupted at step ") || !strings.Contains(e.String(), c.want) {
			t.Fatalf("%v: exit %v, stderr %q; want status 1 and %q", c.sig, err, e.String(), c.want)
		}
		_, err = os.Stat(out)
		if c.every == "0" {
			if err == nil {
				t.Error("the interrupted run wrote -out")
			}
			continue
		}
		if !strings.Contains(e.String(), "(go on with -resume "+out+")") {
			t.Errorf("%v: stderr %q does not say how to go on", c.sig, e.String())
		}
		mf, err := loadModel(out)
		if err != nil {
			t.Fatal(err)
		}
		steps, _ := strconv.Atoi(mf.meta[metaStep])
		// Checkpoints fall on multiples of -checkpoint, and the message
		// names the one in the file.
		if steps <= 0 || steps%20 != 0 || !strings.Contains(e.String(), fmt.Sprintf("the checkpoint of step %d is in ", steps)) {
			t.Errorf("%v: the checkpoint holds step %d; stderr %q", c.sig, steps, e.String())
		}
		if o, errOut, code := exe(t, bin, nil, "train", "-steps", strconv.Itoa(steps+5), "-resume", out, "-out", out, "-q"); code != 0 || !strings.Contains(o, "trained  5 steps") {
			t.Errorf("resuming the interrupted run: exit %d\n%s%s", code, o, errOut)
		}
	}
}

// signalled runs bin with args, sends it sig 1.5 s after it starts, and
// returns its standard error and Wait's error.
func signalled(t *testing.T, sig os.Signal, bin string, args ...string) (*bytes.Buffer, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var e bytes.Buffer
	cmd.Stderr = &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(sig)
	return &e, cmd.Wait()
}

// TestTrainResumedInterrupted: a resumed run interrupted before its first
// checkpoint names the checkpoint that is still there to go on from: -out
// itself when it is the -resume file (which the run has not touched),
// else the -resume file, with -out not written.
func TestTrainResumedInterrupted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sends SIGINT")
	}
	bin := scorekit(t)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "c.safetensors")
	if o, errOut, code := exe(t, bin, nil, "train", "-data", "moons", "-hidden", "16", "-steps", "7", "-out", ckpt, "-q"); code != 0 {
		t.Fatalf("train: exit %d\n%s%s", code, o, errOut)
	}
	before, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.safetensors")
	for _, c := range []struct{ out, want string }{
		{ckpt, ckpt + " still holds the checkpoint of step 7 it resumed from (go on with -resume " + ckpt + ")"},
		{other, other + " was not written; " + ckpt + " still holds the checkpoint of step 7 (go on with -resume " + ckpt + ")"},
	} {
		e, err := signalled(t, os.Interrupt, bin, "train", "-resume", ckpt, "-steps", "100000000", "-checkpoint", "0", "-out", c.out, "-q")
		if x, ok := err.(*exec.ExitError); !ok || x.ExitCode() != 1 || !strings.Contains(e.String(), "before this run's first checkpoint: "+c.want) {
			t.Errorf("-out %s: exit %v, stderr %q; want status 1 and %q", c.out, err, e.String(), c.want)
		}
		if after, err := os.ReadFile(ckpt); err != nil || !bytes.Equal(after, before) {
			t.Errorf("-out %s: the checkpoint changed (%v)", c.out, err)
		}
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("the interrupted run wrote -out")
	}
}

// TestSampleInterrupted: Ctrl-C stops a sampler of many chains within
// about a second (the chains' segments of 64 steps took 17 s for 300,000
// chains of the default network), exits 1 and writes nothing.
func TestSampleInterrupted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sends SIGINT")
	}
	bin := scorekit(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.safetensors")
	if out, errOut, code := exe(t, bin, nil, "train", "-steps", "1", "-out", model, "-q"); code != 0 {
		t.Fatalf("train: exit %d\n%s%s", code, out, errOut)
	}
	out := filepath.Join(dir, "s.csv")
	cmd := exec.Command(bin, "sample", "-model", model, "-n", "300000", "-T", "1000", "-out", out, "-q")
	var e bytes.Buffer
	cmd.Stderr = &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	t0 := time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if el := time.Since(t0); el > 5*time.Second {
			t.Errorf("stopped %v after the interrupt, want about a second", el)
		}
		if x, ok := err.(*exec.ExitError); !ok || x.ExitCode() != 1 || !strings.Contains(e.String(), "interrupted, "+out+" not written") {
			t.Errorf("exit %v, stderr %q", err, e.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("still sampling 30 s after the interrupt")
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the interrupted run wrote -out")
	}
}

// TestSamplingErrorFlags: a divergence names only flags its sampler
// reads (it named -stepsize, -eps, -snr and -steps for every sampler,
// most of which that sampler then refuses).
func TestSamplingErrorFlags(t *testing.T) {
	for _, kind := range []string{"ula", "mala", "underdamped", "annealed", "pc", "ode"} {
		err := samplingError(kind, fmt.Errorf("wrapped: %w", &sampler.DivergenceError{Sampler: "X", Step: 3, Chain: 1, Hint: "h"}))
		msg := err.Error()
		i := strings.Index(msg, "(flags: ")
		if i < 0 {
			t.Fatalf("%s: %q names no flags", kind, msg)
		}
		for _, f := range strings.Split(strings.TrimSuffix(msg[i+len("(flags: "):], ")"), ", ") {
			if !strings.HasPrefix(f, "-") || !slices.Contains(samplerFlags[f[1:]], kind) {
				t.Errorf("%s: the divergence names %q, which -sampler %s does not read: %q", kind, f, kind, msg)
			}
		}
	}
	if err := errors.New("other"); samplingError("ula", err) != err {
		t.Error("an error other than a divergence was changed")
	}
}

// TestTrainOutNotData: train refuses an -out that names a data file
// (.csv, .npy): -data d.csv -out d.csv wrote the model over the data.
func TestTrainOutNotData(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "d.csv")
	const rows = "1,2\n3,4\n5,7\n"
	if err := os.WriteFile(data, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{data, filepath.Join(dir, "m.NPY")} {
		var o, e bytes.Buffer
		code := run([]string{"train", "-data", data, "-out", out, "-steps", "2", "-hidden", "4", "-q"}, &o, &e)
		if code != 2 || !strings.Contains(e.String(), "-out "+out+": a model file") {
			t.Errorf("-out %s: exit %d, %q; want 2 and a refusal", out, code, e.String())
		}
	}
	if b, err := os.ReadFile(data); err != nil || string(b) != rows {
		t.Errorf("the data file now holds %q (%v)", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "m.NPY")); err == nil {
		t.Error("m.NPY was written")
	}
}

// TestResumeOldCheckpoint: a checkpoint written before train recorded
// its optimiser's settings (no scorekit.lr, .warmup, .clip, .wd, .batch)
// resumes with the defaults; the seed goes on as the other settings do
// (it went back to 1, and the file then said 1), unless -seed is given.
func TestResumeOldCheckpoint(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	train := func(args ...string) {
		t.Helper()
		var o, e bytes.Buffer
		if code := run(append([]string{"train", "-q"}, args...), &o, &e); code != 0 {
			t.Fatalf("train %q: exit %d\n%s%s", args, code, o.String(), e.String())
		}
	}
	train("-data", "moons", "-hidden", "8", "-steps", "10", "-seed", "7", "-lr", "0.0003", "-warmup", "7", "-clip", "2", "-wd", "0.01", "-batch", "64", "-out", in("new.safetensors"))
	mf, err := loadModel(in("new.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{metaLR, metaWarmup, metaClip, metaWD, metaBatch} {
		if _, ok := mf.meta[k]; !ok {
			t.Fatalf("the checkpoint has no %s", k)
		}
		delete(mf.meta, k)
	}
	if err := saveModel(in("old.safetensors"), mf.model, mf.meta, mf.train); err != nil {
		t.Fatal(err)
	}
	train("-steps", "12", "-resume", in("old.safetensors"), "-out", in("old2.safetensors"))
	train("-steps", "12", "-resume", in("new.safetensors"), "-out", in("new2.safetensors"))
	train("-steps", "12", "-seed", "9", "-resume", in("new.safetensors"), "-out", in("new3.safetensors"))
	for f, want := range map[string]string{
		"old2.safetensors": "0.001 100 0 0 128 7",
		"new2.safetensors": "0.0003 7 2 0.01 64 7",
		"new3.safetensors": "0.0003 7 2 0.01 64 9",
	} {
		mf, err := loadModel(in(f))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join([]string{mf.meta[metaLR], mf.meta[metaWarmup], mf.meta[metaClip], mf.meta[metaWD], mf.meta[metaBatch], mf.meta[metaSeed]}, " "); got != want {
			t.Errorf("%s: -lr -warmup -clip -wd -batch -seed %q, want %q", f, got, want)
		}
	}
}

// TestResumeDataGone: when the data file a checkpoint records cannot be
// read (a relative name, resumed from another folder), the error says
// that the name came from the checkpoint and that -data gives another.
func TestResumeDataGone(t *testing.T) {
	dir := t.TempDir()
	data, ckpt := filepath.Join(dir, "d.csv"), filepath.Join(dir, "m.safetensors")
	if err := os.WriteFile(data, []byte("1,2\n3,4\n5,7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	if code := run([]string{"train", "-q", "-data", data, "-hidden", "4", "-steps", "2", "-out", ckpt}, &o, &e); code != 0 {
		t.Fatalf("train: exit %d: %s", code, e.String())
	}
	if err := os.Remove(data); err != nil {
		t.Fatal(err)
	}
	e.Reset()
	code := run([]string{"train", "-q", "-steps", "4", "-resume", ckpt, "-out", ckpt}, &o, &e)
	if want := "-data " + data + ": no such file or directory (the data -resume " + ckpt + " records; give -data)"; code != 2 || !strings.Contains(e.String(), want) {
		t.Errorf("exit %d, %q; want 1 and %q", code, e.String(), want)
	}
}

// TestStartTooLarge: a -start file of more values than sample holds is
// refused naming -start and the limit, from the .npy header alone (this
// one has no data), where the message used to be about -n.
func TestStartTooLarge(t *testing.T) {
	bin := scorekit(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.npy")
	shape := fmt.Sprintf("(%d, 2)", maxSampleValues/2+1)
	os.WriteFile(big, npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': "+shape+", }", nil), 0o644)
	_, errOut, code := exe(t, bin, nil, "sample", "-model", "../../nn/testdata/torch_mlp.safetensors", "-start", big, "-out", filepath.Join(dir, "never.csv"), "-q")
	want := fmt.Sprintf("-start %s: shape %s is too large (more than %d values): more than sample holds at once", big, shape, maxSampleValues)
	if code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("sample -start of shape %s: exit %d, %q; want exit 2 and %q", shape, code, errOut, want)
	}
}

// TestNotAScorekitModel: a valid safetensors file that is not a scorekit
// model (no scorekit metadata, or another format's) gets a message that
// says what is missing and what the file should be, where it said only
// `format "", want "scorekit-mlp-v1"`.
func TestNotAScorekitModel(t *testing.T) {
	bin := scorekit(t)
	dir := t.TempDir()
	for name, meta := range map[string]map[string]string{
		"plain.safetensors": nil,
		"other.safetensors": {"format": "pt"},
	} {
		var b bytes.Buffer
		if err := nn.WriteSafetensors(&b, &nn.TensorFile{Metadata: meta, Tensors: map[string]nn.Tensor{"w": {Shape: []int{2}, Data: []float32{1, 2}}}}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, b.Bytes(), 0o644)
		_, errOut, code := exe(t, bin, nil, "sample", "-model", path, "-out", filepath.Join(dir, "never.csv"), "-q")
		what := `its metadata has no "format"`
		if meta != nil {
			what = `its metadata says format "pt"`
		}
		for _, want := range []string{path + ": a safetensors file, but not a scorekit model: " + what, nn.FormatName, "a model written by scorekit train or scripts/export_torch.py"} {
			if code != 2 || !strings.Contains(errOut, want) {
				t.Errorf("sample -model %s: exit %d, %q; want exit 2 and %q", name, code, errOut, want)
			}
		}
	}
	// Not a safetensors file at all (the samples or a picture given as
	// the model): its first 8 bytes were read as a header length, "header
	// length 3615557283434213496, but the file has 42697 bytes after it
	// (limit 100000000) (is it a complete safetensors file?)".
	for name, content := range map[string]string{
		"samples.csv": "x0,x1\n0.5182252,0.74885416\n-0.056461714,1.6837204\n",
		"short.csv":   "1,2,3,4\n", // 8 bytes: nothing after a length
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o644)
		for _, args := range [][]string{
			{"sample", "-model", path, "-out", filepath.Join(dir, "never.csv"), "-q"},
			{"train", "-resume", path, "-out", filepath.Join(dir, "never.safetensors"), "-q"},
		} {
			_, errOut, code := exe(t, bin, nil, args...)
			want := args[1] + " " + path + ": not a safetensors file: want a model file written by scorekit train or scripts/export_torch.py\n"
			if code != 2 || !strings.HasSuffix(errOut, want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("%s %s %s: exit %d, %q; want exit 2 and %q", args[0], args[1], name, code, errOut, want)
			}
		}
	}
}

// TestTrainWorkersSame trains the same model on one goroutine and on two:
// the files are the same byte for byte (weights, EMA, optimiser state),
// and the run says how many goroutines it used. A bad -workers is a
// usage error.
func TestTrainWorkersSame(t *testing.T) {
	bin := scorekit(t)
	dir := t.TempDir()
	var files [][]byte
	for _, w := range []string{"1", "2"} {
		f := filepath.Join(dir, "w"+w+".safetensors")
		out, errOut, code := exe(t, bin, nil, "train", "-data", "moons", "-loss", "sliced-vr", "-hidden", "64,64", "-batch", "300", "-steps", "25", "-workers", w, "-out", f, "-q")
		if code != 0 {
			t.Fatalf("-workers %s: exit %d\n%s\n%s", w, code, out, errOut)
		}
		if want := map[string]string{"1": "1 goroutine\n", "2": "2 goroutines\n"}[w]; !strings.Contains(out, want) {
			t.Errorf("-workers %s: the output does not say %q:\n%s", w, want, out)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("-workers 1 and -workers 2 wrote different model files")
	}
	// More than GOMAXPROCS run as GOMAXPROCS, and the message says so.
	out, errOut, code := exe(t, bin, nil, "train", "-data", "moons", "-hidden", "8", "-steps", "2", "-workers", "64", "-out", filepath.Join(dir, "w64.safetensors"), "-q")
	if want := english.Count(min(64, runtime.GOMAXPROCS(0)), "goroutine") + "\n"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("-workers 64: exit %d, output does not say %q:\n%s\n%s", code, want, out, errOut)
	}
	if _, errOut, code := exe(t, bin, nil, "train", "-workers", "-1", "-out", filepath.Join(dir, "x.safetensors")); code != 2 || !strings.Contains(errOut, "-workers -1: want ≥ 0") {
		t.Errorf("-workers -1: exit %d, %q", code, errOut)
	}
}

// TestTrainNoiseRefused: noise settings the losses would refuse by a panic
// (σ not finite and positive, or beyond float32) are usage errors, and a
// checkpoint recording such levels or such an SDE is refused by name,
// where -sigma inf, -sigma1 inf or -sde-max 1e300 made nn panic.
func TestTrainNoiseRefused(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	train := func(args ...string) (int, string) {
		var o, e bytes.Buffer
		code := run(append([]string{"train", "-q", "-data", "moons", "-hidden", "4", "-steps", "2"}, args...), &o, &e)
		return code, e.String()
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-loss", "dsm", "-sigma", "inf"}, "-sigma +Inf: want a finite σ > 0 (from 1.2e-38, where 1/σ is finite in float32, to 9.2e+18, where σ² is"},
		// Finite in float32, but σ² is not: x + σz, and the gradients,
		// overflow (a NaN loss at the first steps, where they were taken).
		{[]string{"-loss", "dsm", "-sigma", "3e38"}, "-sigma 3e+38: want a finite σ > 0 (from 1.2e-38, where 1/σ is finite in float32, to 9.2e+18, where σ² is"},
		{[]string{"-loss", "ncdsm", "-sigma1", "3e38", "-sigmaL", "2e-38"}, "-sigma1 3e+38 -sigmaL 2e-38: want levels from 1.2e-38, where 1/σ is finite in float32, to 9.2e+18, where σ² is"},
		{[]string{"-loss", "ncdsm", "-sigma1", "1e19", "-sigmaL", "2e-38"}, "-sigma1 1e+19 -sigmaL 2e-38: want levels from"},
		{[]string{"-loss", "ve", "-sde-max", "3e38"}, "the SDE ve:0.01:3e+38: σ(1) = 3e+38: want σ(t) from 1.2e-38"},
		{[]string{"-loss", "dsm", "-sigma", "1e-320"}, "-sigma 1e-320: want a finite σ > 0"},
		{[]string{"-loss", "ncdsm", "-sigma1", "inf", "-sigmaL", "0.1"}, "-sigma1 +Inf -sigmaL 0.1: want levels from"},
		{[]string{"-loss", "ncdsm", "-sigma1", "1e308", "-sigmaL", "1e-308"}, "-sigma1 1e+308 -sigmaL 1e-308: want levels from"},
		{[]string{"-loss", "ncdsm", "-sigma1", "5", "-sigmaL", "1e-320"}, "-sigma1 5 -sigmaL 1e-320: want levels from"},
		{[]string{"-loss", "ve", "-sde-max", "1e300"}, "the SDE ve:0.01:1e+300: σ(1) = 1e+300: want σ(t) from 1.2e-38"},
		{[]string{"-loss", "ve", "-sde-min", "1e-300", "-sde-max", "1"}, "the SDE ve:1e-300:1: σ(1e-05) = "},
		{[]string{"-loss", "vp", "-sde-min", "1e-300", "-sde-max", "2e-300"}, "the SDE vp:1e-300:2e-300: σ(1e-05) = "},
	} {
		args := append(c.args, "-out", in("never.safetensors"))
		if code, e := train(args...); code != 2 || !strings.Contains(e, c.msg) {
			t.Errorf("train %q: exit %d, %q; want exit 2 and %q", c.args, code, e, c.msg)
		}
	}
	if _, err := os.Stat(in("never.safetensors")); err == nil {
		t.Error("never.safetensors was written")
	}
	var o, e bytes.Buffer
	if code := run([]string{"demo", "-sigma1", "inf", "-out", dir}, &o, &e); code != 2 || o.Len() > 0 || !strings.Contains(e.String(), "-sigma1 +Inf -sigmaL 0.01: want levels from") {
		t.Errorf("demo -sigma1 inf: exit %d, %q%q; want exit 2 and the usage error alone", code, o.String(), e.String())
	}
	for _, c := range []struct {
		loss, key, value string
	}{
		{"dsm", metaSigmas, "+Inf"},
		{"dsm", metaSigmas, "1e-320"},
		{"ncdsm", metaSigmas, "1,-1"},
		{"ncdsm", metaSigmas, "1,NaN"},
		{"ve", metaSDE, "ve:1e-300:1"},
	} {
		f := in(c.loss + ".safetensors")
		if code, e := train("-loss", c.loss, "-out", f); code != 0 {
			t.Fatalf("train -loss %s: exit %d: %s", c.loss, code, e)
		}
		mf, err := loadModel(f)
		if err != nil {
			t.Fatal(err)
		}
		mf.meta[c.key] = c.value
		bad := in("bad-" + c.loss + ".safetensors")
		if err := saveModel(bad, mf.model, mf.meta, mf.train); err != nil {
			t.Fatal(err)
		}
		var o, e bytes.Buffer
		code := run([]string{"train", "-q", "-steps", "4", "-resume", bad, "-out", in("never.safetensors")}, &o, &e)
		if want := "-resume " + bad + ": "; code != 2 || !strings.Contains(e.String(), want) || !strings.Contains(e.String(), c.value) {
			t.Errorf("resume with %s %q: exit %d, %q; want exit 2 naming the flag, the file and the value", c.key, c.value, code, e.String())
		}
	}
}

// TestSampleLevelsRefused: annealed sampling refuses, before any step and
// naming the values, levels the score cannot take as float32 and a
// first step ε·σ₁²/σ_L² that overflows float32, given by -sigmas or by
// -model's file: a usage error that names the flag (and -eps if given).
// The step overflow ended in a divergence at step 0 blamed on -eps, and
// a subnormal σ_L in Inf scores.
func TestSampleLevelsRefused(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	var o, e bytes.Buffer
	if code := run([]string{"train", "-q", "-data", "moons", "-hidden", "4", "-steps", "2", "-loss", "ncdsm", "-out", in("nc.safetensors")}, &o, &e); code != 0 {
		t.Fatalf("train: exit %d: %s", code, e.String())
	}
	sample := func(model string, args ...string) (int, string) {
		var o, e bytes.Buffer
		code := run(append([]string{"sample", "-q", "-n", "4", "-T", "2", "-model", model, "-out", in("never.csv")}, args...), &o, &e)
		return code, e.String()
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-sigmas", "1,1e-40"}, "-sigmas 1,1e-40: sampler: Annealed: σ_2 = 1e-40: want a normal float32"},
		{[]string{"-sigmas", "1e39,1"}, "σ_1 = 1e+39: want a normal float32"},
		{[]string{"-sigmas", "3e38,2e-38"}, "-sigmas 3e38,2e-38: sampler: Annealed: ε = 2e-05, σ₁ = 3e+38, σ_L = 2e-38: the first step α₁ = ε·σ₁²/σ_L² = 4.5e+147 overflows float32"},
		{[]string{"-sigmas", "50,1e-20", "-eps", "1"}, "the first step α₁ = ε·σ₁²/σ_L² = 2.5e+43 overflows float32"},
	} {
		if code, e := sample(in("nc.safetensors"), c.args...); code != 2 || !strings.Contains(e, c.msg) {
			t.Errorf("sample %q: exit %d, %q; want exit 2 and %q", c.args, code, e, c.msg)
		}
	}
	mf, err := loadModel(in("nc.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	mf.meta[metaSigmas] = "3e+38,2e-38"
	if err := saveModel(in("bad.safetensors"), mf.model, mf.meta, mf.train); err != nil {
		t.Fatal(err)
	}
	if code, e := sample(in("bad.safetensors")); code != 2 || !strings.Contains(e, "-model "+in("bad.safetensors")+": metadata "+metaSigmas+": sampler: Annealed: ε = 2e-05") {
		t.Errorf("sample a model whose levels overflow the step: exit %d, %q; want exit 2 naming the flag, the file and the values", code, e)
	}
	if code, e := sample(in("bad.safetensors"), "-eps", "1e-5"); code != 2 || !strings.Contains(e, "-model "+in("bad.safetensors")+": metadata "+metaSigmas+" with -eps 1e-05: sampler: Annealed: ε = 1e-05") {
		t.Errorf("sample -eps 1e-5 a model whose levels overflow the step: exit %d, %q; want exit 2 naming both flags", code, e)
	}
	if _, err := os.Stat(in("never.csv")); err == nil {
		t.Error("never.csv was written")
	}
}

// TestBenchPlotsChecked: bench -plots checks before measuring that the
// folder takes the plots' files. It created the folder only, so a folder
// that exists but refuses files failed after the whole measurement (4
// minutes for the standard set), having written the first plot.
func TestBenchPlotsChecked(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "scaling-width.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := runBench([]string{"-run", "dot n=4096 generic", "-time", "1ms", "-q", "-plots", dir}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "-plots "+filepath.Join(dir, "scaling-width.png")+" is a folder") {
		t.Errorf("a plot's file is a folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "scaling-batch.png")); err == nil || out.Len() > 0 {
		t.Errorf("bench measured and wrote before refusing -plots (stdout %q)", out.String())
	}
	if runtime.GOOS == "linux" {
		err := runBench([]string{"-run", "dot n=4096 generic", "-time", "1ms", "-q", "-plots", "/proc"}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "-plots /proc/scaling-batch.png: cannot write there") {
			t.Errorf("-plots /proc: %v", err)
		}
	}
}

// failWriter fails every write, as a full disk does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestBenchWriteError: a table that cannot be written is an error (the
// Markdown table's write errors were dropped: "bench > bench.md" on a
// full disk exited 0 with nothing written).
func TestBenchWriteError(t *testing.T) {
	for _, format := range []string{"-json=false", "-json"} {
		var errOut bytes.Buffer
		err := runBench([]string{"-run", "dot n=4096 generic", "-time", "1ms", "-q", format}, failWriter{}, &errOut)
		if err == nil || !strings.Contains(err.Error(), "no space left on device") {
			t.Errorf("bench %s to a full disk: %v", format, err)
		}
	}
}

// TestScatterExtremes: the samples' PNG is drawn for points whose
// coordinates all share one large value (one sample at 1e17 made gonum
// panic, "illegal range": it pads a constant axis by ±1, lost beside
// 1e17), and points it cannot draw are an error that names the file.
func TestScatterExtremes(t *testing.T) {
	dir := t.TempDir()
	for i, tb := range []table{
		{rows: 1, cols: 2, data: []float32{1e17, 1}},
		{rows: 3, cols: 2, data: []float32{-3e38, 1, -3e38, 2, -3e38, 3}},
		{rows: 1, cols: 1, data: []float32{1e20}},
		{rows: 2, cols: 3, data: []float32{1e30, 1e30, 1e30, 1e30, 1e30, 1e30}},
	} {
		path := filepath.Join(dir, fmt.Sprintf("s%d.png", i))
		if err := writeScatterPNG(path, "extreme", tb, table{}); err != nil {
			t.Errorf("%v: %v", tb.data, err)
		} else if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Errorf("%v: no PNG (%v)", tb.data, err)
		}
	}
	path := filepath.Join(dir, "nan.png")
	err := writeScatterPNG(path, "NaN", table{rows: 2, cols: 2, data: []float32{1, 2, float32(math.NaN()), 3}}, table{})
	if err == nil || !strings.HasPrefix(err.Error(), "drawing "+path+": the samples: ") {
		t.Errorf("a NaN sample: %v", err)
	}
}

// TestBenchHeader: the table's header line and the JSON header say which
// set was run, for how long each case was timed and under which -run
// filter (a -quick table read like a full one).
func TestBenchHeader(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := runBench([]string{"-quick", "-run", "dot n=4096 generic", "-time", "2ms", "-q"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if !strings.Contains(first, `, quick set, 2ms per case, -run "dot n=4096 generic", `) {
		t.Errorf("header line %q", first)
	}
	out.Reset()
	if err := runBench([]string{"-run", "dot n=4096 generic", "-time", "3ms", "-q", "-json"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"set": "full"`, `"time": "3ms"`, `"run": "dot n=4096 generic"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("JSON without %s:\n%s", want, out.String())
		}
	}
}

// TestCPUWriteError: cpu's report that cannot be written is an error, as
// bench's is ("scorekit cpu > /dev/full" exited 0 with nothing written).
func TestCPUWriteError(t *testing.T) {
	var errOut bytes.Buffer
	if err := runCPU(nil, failWriter{}, &errOut); err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("cpu to a full disk: %v", err)
	}
}

// TestSampleExportedSDE: a time model exported from PyTorch with
// export_torch.py's sde= (nn/testdata/torch_timestd: scale_by_sigma, VE
// σ 0.01..50) samples without -sde, its scores divided by the recorded
// SDE's σ(t), and another -sde is refused as for a trained model.
func TestSampleExportedSDE(t *testing.T) {
	model := filepath.Join("..", "..", "nn", "testdata", "torch_timestd.safetensors")
	dir := t.TempDir()
	for _, sampler := range []string{"pc", "ode"} {
		var o, e bytes.Buffer
		out := filepath.Join(dir, sampler+".csv")
		if code := run([]string{"sample", "-q", "-model", model, "-sampler", sampler, "-n", "8", "-steps", "20", "-out", out}, &o, &e); code != 0 {
			t.Fatalf("sample -sampler %s: exit %d: %s", sampler, code, e.String())
		}
		if _, err := os.Stat(out); err != nil {
			t.Error(err)
		}
	}
	var o, e bytes.Buffer
	if code := run([]string{"sample", "-q", "-model", model, "-sampler", "ode", "-sde", "ve:0.01:40", "-n", "8", "-out", filepath.Join(dir, "never.csv")}, &o, &e); code != 2 || !strings.Contains(e.String(), "was trained on the SDE ve:0.01:50") {
		t.Errorf("sample -sde ve:0.01:40: exit %d, %q; want exit 2 naming the recorded SDE", code, e.String())
	}
}
