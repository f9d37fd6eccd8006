package main

// Tests from a mutation review of the command: each holds a behaviour a
// user would notice that no other test held, so that changing it (a
// bound, a default, a flag's reach, a file's format) fails here.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/cpu"

	"github.com/scorekit/scorekit/bench"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// runCode runs the command in-process and returns its exit status,
// stdout and stderr.
func runCode(args ...string) (int, string, string) {
	var o, e bytes.Buffer
	code := run(args, &o, &e)
	return code, o.String(), e.String()
}

// trainTiny trains a small model in-process for the tests below.
func trainTiny(t *testing.T, out string, args ...string) string {
	t.Helper()
	return runOK(t, append([]string{"train", "-q", "-data", "moons", "-hidden", "8", "-out", out}, args...)...)
}

// TestSamplerFlagReach holds, from a table written out here rather than
// taken from samplerFlags, which sampler reads which flag: every other
// sampler refuses it by name before any work, and the one that reads it
// takes it (the run goes on to -out's check, which fails on purpose).
func TestSamplerFlagReach(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	energy := in("energy.safetensors")
	trainTiny(t, energy, "-energy", "-loss", "dsm", "-steps", "2")
	os.WriteFile(in("p3.csv"), []byte("1,2,3\n"), 0o644)
	os.WriteFile(in("p2.csv"), []byte("1,2\n"), 0o644)
	models := map[string]string{
		"ula":         "../../nn/testdata/torch_mlp.safetensors",
		"underdamped": "../../nn/testdata/torch_mlp.safetensors",
		"mala":        energy,
		"annealed":    "../../nn/testdata/torch_sigma.safetensors",
		"pc":          "../../nn/testdata/torch_time.safetensors",
		"ode":         "../../nn/testdata/torch_time.safetensors",
	}
	reads := map[string]string{
		"steps":     "ula mala underdamped pc ode",
		"burnin":    "ula mala underdamped",
		"stepsize":  "ula mala underdamped",
		"init":      "ula mala underdamped",
		"start":     "ula mala underdamped",
		"friction":  "underdamped",
		"T":         "annealed",
		"eps":       "annealed",
		"sigmas":    "annealed",
		"corrector": "pc",
		"snr":       "pc",
		"sde":       "pc ode",
	}
	values := map[string]string{"steps": "5", "burnin": "3", "stepsize": "0.02", "init": "1.5", "friction": "2", "T": "3", "eps": "1e-5", "sigmas": "1,0.1", "corrector": "langevin", "snr": "0.2", "sde": "vp:0.1:20"}
	noDir := filepath.Join(dir, "no", "s.csv")
	for flag, who := range reads {
		for kind, model := range models {
			v := values[flag]
			if flag == "start" {
				v = in("p3.csv")
				if kind == "mala" {
					v = in("p2.csv")
				}
			}
			args := []string{"sample", "-q", "-model", model, "-sampler", kind, "-out", noDir, "-" + flag, v}
			code, out, errOut := runCode(args...)
			want := "scorekit sample: -out " + noDir + ": cannot write there: no folder " + filepath.Dir(noDir) + "\n"
			if !slices.Contains(strings.Fields(who), kind) {
				want = fmt.Sprintf("scorekit sample: -%s is for -sampler %s; this run's sampler is %s\n", flag, strings.Join(strings.Fields(who), ", "), kind)
			}
			if code != 2 || out != "" || errOut != want {
				t.Errorf("sample -sampler %s -%s %s: exit %d, stderr %q; want exit 2 and %q", kind, flag, v, code, errOut, want)
			}
		}
	}
}

// TestLossFlagReach is TestSamplerFlagReach for train's losses.
func TestLossFlagReach(t *testing.T) {
	noDir := filepath.Join(t.TempDir(), "no", "m.safetensors")
	reads := map[string]string{
		"sigma":          "dsm",
		"sigma1":         "ncdsm",
		"sigmaL":         "ncdsm",
		"levels":         "ncdsm",
		"projections":    "sliced sliced-vr",
		"rademacher":     "sliced sliced-vr",
		"sde-min":        "ve vp subvp",
		"sde-max":        "ve vp subvp",
		"scale-by-sigma": "ve vp subvp",
	}
	values := map[string]string{"sigma": "0.2", "sigma1": "2", "sigmaL": "0.05", "levels": "5", "projections": "2", "rademacher": "true", "sde-min": "0.05", "sde-max": "30", "scale-by-sigma": "false"}
	for flag, who := range reads {
		for _, loss := range []string{"exact", "sliced", "sliced-vr", "dsm", "ncdsm", "ve", "vp", "subvp"} {
			code, out, errOut := runCode("train", "-q", "-loss", loss, "-out", noDir, "-"+flag+"="+values[flag])
			want := "scorekit train: -out " + noDir + ": cannot write there: no folder " + filepath.Dir(noDir) + "\n"
			if !slices.Contains(strings.Fields(who), loss) {
				want = fmt.Sprintf("scorekit train: -%s is for -loss %s; this run's loss is %s\n", flag, strings.Join(strings.Fields(who), ", "), loss)
			}
			if code != 2 || out != "" || errOut != want {
				t.Errorf("train -loss %s -%s: exit %d, stderr %q; want exit 2 and %q", loss, flag, code, errOut, want)
			}
		}
	}
}

// readNPYFile reads a .npy file the command wrote.
func readNPYFile(t *testing.T, path string) table {
	t.Helper()
	tb, err := readTable(path, maxNPYElems)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// TestSampleAsLibrary: each sampler of the command draws exactly what the
// library's sampler draws with the settings its flags name — the seed,
// the start (N(0, init²I) from the stream no chain uses, N(0, σ₁²I) for
// annealed), MALA's adaptation only with burn-in, the final denoising
// step — and the command says what it ran and shows progress over all
// its steps.
func TestSampleAsLibrary(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	energy, nc, vp := in("energy.safetensors"), in("nc.safetensors"), in("vp.safetensors")
	trainTiny(t, energy, "-energy", "-loss", "dsm", "-steps", "5")
	trainTiny(t, nc, "-loss", "ncdsm", "-levels", "3", "-steps", "5")
	trainTiny(t, vp, "-loss", "vp", "-steps", "5")
	const n, seed = 7, 3
	start := func(x []float32, std float64) {
		st := kernel.NewStream(seed, 1<<63)
		st.Normals(x)
		kernel.Scale(float32(std), x)
	}
	chain := sampler.ChainConfig{Seed: seed, Steps: 3, BurnIn: 2}
	for _, c := range []struct {
		name     string
		model    string
		args     []string
		stdout   string // what the command says it did, before " in "
		progress string // its last progress line
		want     func(m *nn.Model, mf *modelFile, x []float32) error
	}{
		{"ula", "../../nn/testdata/torch_mlp.safetensors", []string{"-steps", "3", "-burnin", "2", "-init", "2", "-stepsize", "0.02"},
			"sampled  7 points by ULA, h = 0.02, 3 + 2 burn-in steps", "ula: 5/5 steps (100%)",
			func(m *nn.Model, _ *modelFile, x []float32) error {
				start(x, 2)
				u, err := sampler.NewULA(m, sampler.ULAConfig{Step: 0.02, Chain: chain})
				if err != nil {
					return err
				}
				_, err = u.Run(context.Background(), x)
				return err
			}},
		{"mala auto, no burn-in", energy, []string{"-steps", "4", "-burnin", "0", "-stepsize", "0.05"},
			"sampled  7 points by MALA, h = 0.05, acceptance ", "mala: 4/4 steps (100%)",
			func(m *nn.Model, _ *modelFile, x []float32) error {
				start(x, 1)
				u, err := sampler.NewMALA(m, sampler.MALAConfig{Step: 0.05, Chain: sampler.ChainConfig{Seed: seed, Steps: 4}})
				if err != nil {
					return err
				}
				_, err = u.Run(context.Background(), x)
				return err
			}},
		{"mala adapted", energy, []string{"-sampler", "mala", "-steps", "3", "-burnin", "2", "-stepsize", "0.05"},
			"sampled  7 points by MALA, h = ", "mala: 5/5 steps (100%)",
			func(m *nn.Model, _ *modelFile, x []float32) error {
				start(x, 1)
				u, err := sampler.NewMALA(m, sampler.MALAConfig{Step: 0.05, Adapt: true, Chain: chain})
				if err != nil {
					return err
				}
				_, err = u.Run(context.Background(), x)
				return err
			}},
		{"underdamped", "../../nn/testdata/torch_mlp.safetensors", []string{"-sampler", "underdamped", "-steps", "3", "-burnin", "2", "-friction", "2", "-stepsize", "0.02"},
			"sampled  7 points by underdamped Langevin, h = 0.02, γ = 2, 3 + 2 burn-in steps", "underdamped: 5/5 steps (100%)",
			func(m *nn.Model, _ *modelFile, x []float32) error {
				start(x, 1)
				u, err := sampler.NewUnderdamped(m, sampler.UnderdampedConfig{Step: 0.02, Friction: 2, Chain: chain})
				if err != nil {
					return err
				}
				_, err = u.Run(context.Background(), x)
				return err
			}},
		{"annealed", nc, []string{"-T", "2", "-eps", "1e-4"},
			"sampled  7 points by annealed Langevin, 3 levels × 2 steps, ε = 0.0001", "annealed: 6/6 steps (100%)",
			func(m *nn.Model, mf *modelFile, x []float32) error {
				sig, err := parseFloats(mf.meta[metaSigmas])
				if err != nil {
					return err
				}
				start(x, sig[0])
				an, err := sampler.NewAnnealed(m, sampler.AnnealedConfig{Sigmas: sig, StepsPerLevel: 2, Eps: 1e-4, Denoise: true, Chain: sampler.ChainConfig{Seed: seed}})
				if err != nil {
					return err
				}
				_, err = an.Run(context.Background(), x)
				return err
			}},
		{"pc", vp, []string{"-steps", "25"},
			"sampled  7 points by reverse diffusion (predictor only) on vp:0.1:20, 25 steps, 25 score evaluations", "pc: 25/25 steps (100%)",
			func(m *nn.Model, _ *modelFile, x []float32) error {
				sde := sampler.VP{BetaMin: 0.1, BetaMax: 20, N: 25}
				m.SetPerturbation(sde)
				pc, err := sampler.NewPCSampler(sde, m, sampler.PCConfig{Seed: seed, Corrector: sampler.PCNoCorrector})
				if err != nil {
					return err
				}
				_, err = pc.Sample(context.Background(), x)
				return err
			}},
		{"ode", vp, []string{"-sampler", "ode", "-steps", "6"},
			"sampled  7 points by probability-flow ODE (heun) on vp:0.1:20, 12 score evaluations", "ode: 6/6 steps (100%)",
			func(m *nn.Model, _ *modelFile, x []float32) error {
				sde := sampler.VP{BetaMin: 0.1, BetaMax: 20, N: 1000}
				m.SetPerturbation(sde)
				o, err := sampler.NewODESampler(sde, m, sampler.ODEConfig{Seed: seed, Method: sampler.ODEHeun, Steps: 6})
				if err != nil {
					return err
				}
				_, err = o.Sample(context.Background(), x)
				return err
			}},
	} {
		out := in("s.npy")
		code, stdout, stderr := runCode(append([]string{"sample", "-model", c.model, "-n", strconv.Itoa(n), "-seed", strconv.Itoa(seed), "-png", "none", "-out", out}, c.args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", c.name, code, stdout, stderr)
		}
		if !strings.HasPrefix(stdout, c.stdout) || c.name == "mala adapted" && !strings.Contains(stdout, " after adaptation, acceptance ") {
			t.Errorf("%s: the command says %q, want it to begin %q", c.name, stdout, c.stdout)
		}
		if lines := strings.Split(strings.TrimSpace(stderr), "\n"); !strings.HasPrefix(lines[len(lines)-1], c.progress) {
			t.Errorf("%s: progress ends %q, want %q", c.name, lines[len(lines)-1], c.progress)
		}
		got := readNPYFile(t, out)
		mf, err := loadModel(c.model)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float32, n*mf.model.Dim())
		if err := c.want(mf.model, mf, want); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.rows != n || !slices.Equal(got.data, want) {
			t.Errorf("%s: the command drew\n%v\nthe library\n%v", c.name, got.data, want)
		}
	}
}

// TestSampleFlagsRefusedMore: refusals no other test made.
func TestSampleFlagsRefusedMore(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	const mlp = "../../nn/testdata/torch_mlp.safetensors" // d = 3
	n := strconv.Itoa(maxSampleValues/3 + 1)
	checkRefused(t, []flagCase{
		{[]string{"sample", "-q", "-model", mlp, "-sampler", "mala", "-out", in("never.csv")}, "-sampler mala needs log p", "train an energy model (scorekit train -energy)"},
		{[]string{"sample", "-q", "-model", mlp, "-sampler", "annealed", "-out", in("never.csv")}, "-sampler annealed needs a model conditioned on σ (train -loss ncdsm); " + mlp + " is an unconditional model", ""},
		// n·d values, not n, are bounded (here just above, in a folder
		// that is not there, which is checked after).
		{[]string{"sample", "-q", "-model", mlp, "-n", n, "-out", in("no/never.csv")}, "-n " + n + ": " + n + " samples of dimension 3 are more than sample holds at once (268435456 values)", ""},
	})
}

// TestSampleFileNames: -out and -png take their types in any case, and
// -png none writes no picture where auto writes -out's name with .png.
func TestSampleFileNames(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	const mlp = "../../nn/testdata/torch_mlp.safetensors"
	sample := func(args ...string) {
		t.Helper()
		runOK(t, append([]string{"sample", "-q", "-model", mlp, "-n", "3", "-steps", "2", "-burnin", "0"}, args...)...)
	}
	sample("-out", in("A.CSV"), "-png", in("P.PNG"))
	b, err := os.ReadFile(in("A.CSV"))
	if err != nil || !strings.HasPrefix(string(b), "x0,x1,x2\n") || strings.Count(string(b), "\n") != 4 {
		t.Errorf("-out A.CSV: %q, %v; want CSV with a header and 3 rows", b, err)
	}
	if _, err := os.Stat(in("P.PNG")); err != nil {
		t.Error(err)
	}
	sample("-out", in("b.NPY"))
	if tb := readNPYFile(t, in("b.NPY")); tb.rows != 3 || tb.cols != 3 {
		t.Errorf("-out b.NPY: %d×%d", tb.rows, tb.cols)
	}
	if _, err := os.Stat(in("b.png")); err != nil {
		t.Errorf("-png auto: %v", err)
	}
	sample("-out", in("c.csv"), "-png", "none")
	if _, err := os.Stat(in("c.png")); err == nil {
		t.Error("-png none wrote c.png")
	}
}

// TestWriteCSVExact: the samples' CSV has the header x0,x1,… and each
// float32 in the fewest digits that read back as it.
func TestWriteCSVExact(t *testing.T) {
	var b bytes.Buffer
	if err := writeCSV(&b, table{rows: 2, cols: 2, data: []float32{0.1, -2, 3e-8, 1e10}}); err != nil {
		t.Fatal(err)
	}
	if want := "x0,x1\n0.1,-2\n3e-08,1e+10\n"; b.String() != want {
		t.Errorf("writeCSV wrote %q, want %q", b.String(), want)
	}
}

// TestCSVMore: a row of words after the first is an error, not a header
// skipped without a word; infinities are refused; a space before a quoted
// cell is taken.
func TestCSVMore(t *testing.T) {
	for in, want := range map[string]string{
		"1,2\nx,y\n3,4\n": `2:1: "x" is not a finite number`,
		"1,2\n3,inf\n":    `2:3: "inf" is not a finite number`,
		"1,2\n-Inf,4\n":   `2:1: "-Inf" is not a finite number`,
	} {
		if _, err := readCSV(strings.NewReader(in), maxNPYElems); err == nil || err.Error() != want {
			t.Errorf("readCSV(%q): %v, want %q", in, err, want)
		}
	}
	tb, err := readCSV(strings.NewReader("1, \"2\"\n"), maxNPYElems)
	if err != nil || !slices.Equal(tb.data, []float32{1, 2}) {
		t.Errorf("readCSV(`1, \"2\"`) = %+v, %v", tb, err)
	}
}

// TestNPYMore: .npy versions 2.0 (a 4-byte header length) and a 1.0
// header longer than 255 bytes, the native byte order '=', and shapes
// with a negative or zero size.
func TestNPYMore(t *testing.T) {
	le := binary.LittleEndian
	data := npyData(le, 4, 1, 2, 3, 4)
	v2 := func(dict string) []byte {
		h := dict + " "
		h += strings.Repeat(" ", (64-(12+len(h)+1)%64)%64) + "\n"
		b := append([]byte("\x93NUMPY\x02\x00"), byte(len(h)), byte(len(h)>>8), 0, 0)
		return append(append(b, h...), data...)
	}
	long := func(dict string) []byte {
		h := dict + strings.Repeat(" ", 300)
		h += strings.Repeat(" ", (64-(10+len(h)+1)%64)%64) + "\n"
		b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
		return append(append(b, h...), data...)
	}
	const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"
	for name, file := range map[string][]byte{
		"version 2.0":  v2(dict),
		"long header":  long(dict),
		"native order": npyFile("{'descr': '=f4', 'fortran_order': False, 'shape': (2, 2), }", data),
	} {
		tb, err := readNPY(bytes.NewReader(file), maxNPYElems)
		if err != nil || tb.rows != 2 || tb.cols != 2 || !slices.Equal(tb.data, []float32{1, 2, 3, 4}) {
			t.Errorf("%s: %+v, %v", name, tb, err)
		}
	}
	for shape, want := range map[string]string{
		"(-1, 2)": `shape (-1, 2): "-1" is not a size`,
		"(2, 0)":  "shape (2, 0) is empty",
	} {
		_, err := readNPY(bytes.NewReader(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': "+shape+", }", data)), maxNPYElems)
		if err == nil || err.Error() != want {
			t.Errorf("shape %s: %v, want %q", shape, err, want)
		}
	}
}

// TestProgressMore: before any unit is done the time left is unknown,
// and a bar that printed nothing ends no line.
func TestProgressMore(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var w bytes.Buffer
	p := newProgress(&w, false, "train", "steps", 10)
	p.start = t0
	p.now = func() time.Time { return t0.Add(2 * time.Second) }
	p.update(0, "")
	if want := "train: 0/10 steps (0%), 0 steps/s, ? left\n"; w.String() != want {
		t.Errorf("printed %q, want %q", w.String(), want)
	}
	w.Reset()
	p = newProgress(&w, false, "train", "steps", 10)
	p.tty = true
	p.done()
	if w.Len() != 0 {
		t.Errorf("a terminal's bar that printed nothing: done printed %q", w.String())
	}
}

// TestBenchFormats: the table's time and rate units change at 1000×.
func TestBenchFormats(t *testing.T) {
	for ns, want := range map[float64]string{999: "999.0 ns", 1000: "1.00 µs", 999000: "999.00 µs", 1e6: "1.00 ms", 2e8: "200.00 ms", 1e9: "1.00 s"} {
		if got := fmtDuration(ns); got != want {
			t.Errorf("fmtDuration(%g) = %q, want %q", ns, got, want)
		}
	}
	for _, c := range []struct {
		r    float64
		unit string
		want string
	}{
		{999, "steps", "999.0 steps/s"},
		{1000, "steps", "1.0 ksteps/s"},
		{1e6, "steps", "1.0 Msteps/s"},
		{2.5e10, "FLOP", "25.0 GFLOP/s"},
		{500, "FLOP", "0.0 GFLOP/s"},
	} {
		if got := fmtRate(c.r, c.unit); got != c.want {
			t.Errorf("fmtRate(%g, %q) = %q, want %q", c.r, c.unit, got, c.want)
		}
	}
}

// TestCPUFeatures: cpu's features line names each feature x/sys/cpu
// reports, minus-prefixed when absent, and the note about a purego build
// appears exactly when this process has no assembly on a CPU that could
// run it.
func TestCPUFeatures(t *testing.T) {
	var o, e bytes.Buffer
	if err := runCPU(nil, &o, &e); err != nil {
		t.Fatal(err)
	}
	var want []string
	add := func(name string, on bool) {
		if !on {
			name = "-" + name
		}
		want = append(want, name)
	}
	switch runtime.GOARCH {
	case "amd64":
		add("avx", cpu.X86.HasAVX)
		add("avx2", cpu.X86.HasAVX2)
		add("fma", cpu.X86.HasFMA)
		add("avx512f", cpu.X86.HasAVX512F)
		add("avx512bw", cpu.X86.HasAVX512BW)
		add("avx512dq", cpu.X86.HasAVX512DQ)
		add("avx512vl", cpu.X86.HasAVX512VL)
	case "arm64":
		add("asimd", cpu.ARM64.HasASIMD)
		add("fphp", cpu.ARM64.HasFPHP)
		add("asimdhp", cpu.ARM64.HasASIMDHP)
	default:
		t.Skip("no features to check on", runtime.GOARCH)
	}
	if line := "features:    " + strings.Join(want, " ") + "\n"; !strings.Contains(o.String(), line) {
		t.Errorf("cpu's report lacks %q:\n%s", line, o.String())
	}
	capable := runtime.GOARCH == "amd64" && cpu.X86.HasAVX2 && cpu.X86.HasFMA || runtime.GOARCH == "arm64" && cpu.ARM64.HasASIMD
	noAsm := len(kernel.Available()) == 1
	if note := strings.Contains(o.String(), "note:        the CPU has the features, but this build has no assembly"); note != (capable && noAsm) {
		t.Errorf("purego note %v; want it exactly when the CPU could run assembly (%v) and this build has none (%v):\n%s", note, capable, noAsm, o.String())
	}
}

// TestScatterLayout: the picture has one 5-inch panel for 1-D and 2-D
// points, and 3.5-inch panels for the pairs of up to the first four
// coordinates, in a near-square grid (96 dots per inch).
func TestScatterLayout(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		d, w, h int
	}{
		{1, 480, 480},  // one panel
		{2, 480, 480},  // one panel
		{3, 672, 672},  // 3 pairs: 2×2
		{5, 1008, 672}, // 6 pairs of the first 4: 3×2
		{9, 1008, 672}, // still the first 4
	} {
		tb := table{rows: 3, cols: c.d, data: make([]float32, 3*c.d)}
		for i := range tb.data {
			tb.data[i] = float32(i % 7)
		}
		path := filepath.Join(dir, fmt.Sprintf("d%d.png", c.d))
		if err := writeScatterPNG(path, "layout", tb, table{}); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != c.w || cfg.Height != c.h {
			t.Errorf("d = %d: %d×%d (%v), want %d×%d", c.d, cfg.Width, cfg.Height, err, c.w, c.h)
		}
	}
}

// TestDemoBounds: the demo's limits are inclusive (-n 10000, -levels
// 100000 are taken; the checks are the validate method's, cheap), and
// -levels 1 and a negative σ_L are refused by name.
func TestDemoBounds(t *testing.T) {
	s := demoSettings{data: "moons", steps: 1, batch: 1, chains: maxDemoSamples, levels: maxLevels, perLvl: 1, sigma1: 3, sigmaL: 0.01, eps: 2e-5}
	if err := s.validate(); err != nil {
		t.Errorf("-n %d -levels %d: %v", s.chains, s.levels, err)
	}
	dir := t.TempDir()
	checkRefused(t, []flagCase{
		{[]string{"demo", "-q", "-out", dir, "-levels", "1"}, "-levels 1 -T 100: want at least 2 levels and 1 step per level", ""},
		{[]string{"demo", "-q", "-out", dir, "-sigmaL", "-1"}, "-sigma1 3 -sigmaL -1: want σ₁ > σ_L > 0", ""},
		{[]string{"demo", "-q", "-out", dir, "-levels", "100001"}, "-levels 100001: want at most 100000", ""},
	})
	if runtime.GOOS == "linux" {
		// A folder that takes no files: refused before the training.
		checkRefused(t, []flagCase{{[]string{"demo", "-q", "-steps", "1", "-n", "2", "-levels", "2", "-T", "1", "-sde=false", "-out", "/proc"}, "-out /proc/model.safetensors: cannot write there", ""}})
	}
}

// TestDemoNoSDE: -sde=false trains and samples the σ-conditional model
// alone: no SDE model, picture or table rows.
func TestDemoNoSDE(t *testing.T) {
	dir := t.TempDir()
	out := runOK(t, "demo", "-q", "-steps", "1", "-n", "2", "-levels", "2", "-T", "1", "-sde=false", "-out", dir)
	if strings.Contains(out, "VP SDE") || strings.Contains(out, "model-sde") {
		t.Errorf("demo -sde=false ran the SDE model:\n%s", out)
	}
	for _, f := range []string{"model-sde.safetensors", "samples-sde.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("demo -sde=false wrote %s", f)
		}
	}
	for _, f := range []string{"model.safetensors", "samples.csv", "samples.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// TestGaussianBaseline: the demo's baseline draws from the Gaussian with
// the data's mean and covariance (here a correlated one).
func TestGaussianBaseline(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const m = 20000
	fit := make([]float32, 2*m)
	for i := range m {
		z0, z1 := rng.NormFloat64(), rng.NormFloat64()
		fit[2*i] = float32(3 + 2*z0)
		fit[2*i+1] = float32(-1 + 0.5*z0 + z1)
	}
	x := gaussianBaseline(fit, 2, m, rng)
	var s0, s1, s00, s01, s11 float64
	for i := range m {
		a, b := float64(x[2*i]), float64(x[2*i+1])
		s0, s1 = s0+a, s1+b
		s00, s01, s11 = s00+a*a, s01+a*b, s11+b*b
	}
	mean0, mean1 := s0/m, s1/m
	got := []float64{mean0, mean1, s00/m - mean0*mean0, s01/m - mean0*mean1, s11/m - mean1*mean1}
	want := []float64{3, -1, 4, 1, 1.25}
	// Five standard errors of each moment, fitted from m draws and then
	// estimated from m more: var(mean_i) = 2Σᵢᵢ/m, var(cov_ij) =
	// 2(ΣᵢᵢΣⱼⱼ + Σᵢⱼ²)/m. A broken mean or covariance is off by 1 or more.
	s := [2][2]float64{{4, 1}, {1, 1.25}}
	v := []float64{2 * s[0][0], 2 * s[1][1],
		2 * (s[0][0]*s[0][0] + s[0][0]*s[0][0]), 2 * (s[0][0]*s[1][1] + s[0][1]*s[0][1]), 2 * (s[1][1]*s[1][1] + s[1][1]*s[1][1])}
	for i := range want {
		if tol := 5 * math.Sqrt(v[i]/m); math.Abs(got[i]-want[i]) > tol {
			t.Errorf("moment %d: %.4f, want %v within %.3f (5 standard errors); all %v", i, got[i], want[i], tol, got)
		}
	}
}

// TestResumeTrainingState: resuming goes on from the checkpoint's raw
// weights (not the average the file holds for sampling), its Adam
// moments, its EMA (or none), and a data stream fixed by the step it
// starts at. A learning rate of 1e-30 leaves the weights as they are
// (below float32's resolution beside them) while the moments advance.
func TestResumeTrainingState(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	load := func(f string) *modelFile {
		t.Helper()
		mf, err := loadModel(in(f))
		if err != nil {
			t.Fatal(err)
		}
		return mf
	}
	save := func(mf *modelFile, f string) {
		t.Helper()
		if err := saveModel(in(f), mf.model, mf.meta, mf.train); err != nil {
			t.Fatal(err)
		}
	}
	trainTiny(t, in("ema.safetensors"), "-steps", "20", "-ema", "0.995", "-lr", "0.01", "-warmup", "0")
	ckpt := load("ema.safetensors")
	if got := ckpt.meta[metaEMA] + " " + ckpt.meta[emaUpdates]; got != "0.995 20" {
		t.Errorf("-ema 0.995, 20 steps: metadata EMA rate and count %q", got)
	}
	raw := ckpt.train[trainPrefix+"params"].Data
	still := []string{"-lr", "1e-30", "-ema", "0"}
	outA := runOK(t, append([]string{"train", "-q", "-steps", "21", "-resume", in("ema.safetensors"), "-out", in("a.safetensors")}, still...)...)
	a := load("a.safetensors")
	if p := a.model.Params(); !closeTo(p, raw, 1e-20) || closeTo(p, ckpt.model.Params(), 1e-20) {
		t.Error("resumed with -ema 0, the weights are not the checkpoint's raw weights")
	}
	// Its first step computes the loss at the raw weights too: the same
	// loss as a checkpoint that holds them as its weights, without EMA.
	rawFile := load("ema.safetensors")
	copy(rawFile.model.Params(), raw)
	delete(rawFile.train, trainPrefix+"params")
	delete(rawFile.meta, metaEMA)
	save(rawFile, "raw.safetensors")
	outR := runOK(t, append([]string{"train", "-q", "-steps", "21", "-resume", in("raw.safetensors"), "-out", in("r.safetensors")}, still...)...)
	if la, lr := finalLoss(t, outA), finalLoss(t, outR); la != lr {
		t.Errorf("resumed from the average's file, the first step's loss is %g; from the raw weights' %g", la, lr)
	}
	// Without the checkpoint's moments (as a file without them resumes),
	// the same gradient gives m = (1−β₁)g, v = (1−β₂)g²: the difference
	// is what the checkpoint's moments carried, β₁m and β₂v.
	noAdam := load("ema.safetensors")
	delete(noAdam.train, trainPrefix+"adam.m")
	delete(noAdam.train, trainPrefix+"adam.v")
	save(noAdam, "noadam.safetensors")
	runOK(t, append([]string{"train", "-q", "-steps", "21", "-resume", in("noadam.safetensors"), "-out", in("b.safetensors")}, still...)...)
	b := load("b.safetensors")
	for _, c := range []struct {
		name string
		beta float64
	}{{"adam.m", 0.9}, {"adam.v", 0.999}} {
		old, ma, mb := ckpt.train[trainPrefix+c.name].Data, a.train[trainPrefix+c.name].Data, b.train[trainPrefix+c.name].Data
		carried := make([]float32, len(ma))
		for i := range ma {
			carried[i] = ma[i] - mb[i]
		}
		scaled := make([]float32, len(old))
		for i := range old {
			scaled[i] = float32(c.beta) * old[i]
		}
		if !closeTo(carried, scaled, 1e-6*maxAbs(old)) || maxAbs(old) == 0 {
			t.Errorf("%s: the resumed run did not go on from the checkpoint's moments", c.name)
		}
	}
	// A checkpoint without an average resumes without one, unless -ema
	// asks for one, which then counts this run's steps.
	runOK(t, "train", "-q", "-steps", "22", "-resume", in("a.safetensors"), "-out", in("c.safetensors"))
	if c := load("c.safetensors"); c.meta[metaEMA] != "" || c.train[trainPrefix+"params"].Data != nil {
		t.Errorf("resuming a checkpoint without EMA: EMA rate %q", c.meta[metaEMA])
	}
	runOK(t, "train", "-q", "-steps", "24", "-ema", "0.9", "-resume", in("a.safetensors"), "-out", in("d.safetensors"))
	if d := load("d.safetensors"); d.meta[metaEMA]+" "+d.meta[emaUpdates] != "0.9 3" {
		t.Errorf("resuming a checkpoint without EMA with -ema 0.9 for 3 steps: EMA rate and count %q", d.meta[metaEMA]+" "+d.meta[emaUpdates])
	}
	// The same weights, resumed at another step, draw another batch.
	later := load("ema.safetensors")
	later.meta[metaStep] = "40"
	save(later, "later.safetensors")
	outB := runOK(t, append([]string{"train", "-q", "-steps", "41", "-resume", in("later.safetensors"), "-out", in("e.safetensors")}, still...)...)
	if la, lb := finalLoss(t, outA), finalLoss(t, outB); la == lb {
		t.Errorf("resumed at steps 20 and 40, the first step's loss is %g both times: the same batch", la)
	}
}

// closeTo reports whether a and b have the same length and differ by at
// most tol in each element.
func closeTo(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i])-float64(b[i])) > tol {
			return false
		}
	}
	return true
}

// TestResumeBadMetadata: a checkpoint whose metadata or training tensors
// are not what train wrote is refused by name, before any step.
func TestResumeBadMetadata(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	trainTiny(t, in("nc.safetensors"), "-steps", "2", "-ema", "0.99")
	trainTiny(t, in("dsm.safetensors"), "-steps", "2", "-loss", "dsm")
	var cases []flagCase
	for i, c := range []struct {
		base, key, value, want string
	}{
		{"nc", metaEMA, "1", `metadata scorekit.ema "1": want a rate in (0, 1)`},
		{"nc", metaEMA, "0", `metadata scorekit.ema "0": want a rate in (0, 1)`},
		{"nc", metaLR, "0", `metadata scorekit.lr "0": not a valid -lr`},
		{"nc", metaLR, "-1", `metadata scorekit.lr "-1": not a valid -lr`},
		{"nc", metaClip, "inf", `metadata scorekit.clip "inf": not a valid -clip`},
		{"nc", metaBatch, "0", `metadata scorekit.batch "0": not a valid -batch`},
		{"nc", metaBatch, "1.5", `metadata scorekit.batch "1.5": not a valid -batch`},
		{"nc", metaBatch, "2e12", `metadata scorekit.batch "2e12": not a valid -batch`},
		{"nc", metaWarmup, "-1", `metadata scorekit.warmup "-1": not a valid -warmup`},
		{"nc", metaSeed, "x", `metadata scorekit.seed "x": not a valid -seed`},
		{"nc", metaStep, "x", `not a checkpoint of scorekit train (metadata scorekit.step "x" is no step count)`},
		{"nc", metaSigmas, "1", `metadata scorekit.sigmas "1": want two or more noise levels`},
		{"dsm", metaSigmas, "0.1,0.05", `metadata scorekit.sigmas "0.1,0.05": want a noise level`},
		{"nc", trainPrefix + "params", "", "3 raw parameters, the network has "},
	} {
		mf, err := loadModel(in(c.base + ".safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		if c.key == trainPrefix+"params" {
			mf.train[c.key] = nn.Tensor{Shape: []int{3}, Data: []float32{1, 2, 3}}
		} else {
			mf.meta[c.key] = c.value
		}
		bad := in(fmt.Sprintf("bad%d.safetensors", i))
		if err := saveModel(bad, mf.model, mf.meta, mf.train); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, flagCase{[]string{"train", "-q", "-steps", "30", "-resume", bad, "-out", in("never.safetensors")}, "-resume " + bad, c.want})
	}
	// Flags that contradict the checkpoint.
	cases = append(cases,
		flagCase{[]string{"train", "-q", "-steps", "30", "-act", "relu", "-resume", in("nc.safetensors"), "-out", in("never.safetensors")}, "-act relu: " + in("nc.safetensors") + " uses silu (leave -act out to go on with it)", ""},
		flagCase{[]string{"train", "-q", "-steps", "30", "-sigma", "0.3", "-resume", in("dsm.safetensors"), "-out", in("never.safetensors")}, "-sigma 0.3: " + in("dsm.safetensors") + " was trained at σ = 0.1 (leave -sigma out to go on with it)", ""},
	)
	checkRefused(t, cases)
	if _, err := os.Stat(in("never.safetensors")); err == nil {
		t.Error("a refused resume wrote -out")
	}
}

// TestTrainRecordsNoise: what train records of the noise is what it
// trained on, exactly: the levels of -sigma1, -sigmaL, -levels to the
// last bit, σ₁ from the first 1000 rows of a file and at most 50, and
// each SDE's defaults (VE's σ_max at least 2·σ_min); the networks are
// the ones the losses need (log σ in, scaled by σ; 16 Fourier features
// of t at scale 4).
func TestTrainRecordsNoise(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	far := in("far.csv")
	os.WriteFile(far, []byte("0,0\n100,0\n0,1\n"), 0o644)
	var rows strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&rows, "%d,0\n", i%2)
	}
	rows.WriteString("30,0\n") // row 1001: not among those σ₁ looks at
	many := in("many.csv")
	os.WriteFile(many, []byte(rows.String()), 0o644)
	for _, c := range []struct {
		args []string
		key  string
		want string
	}{
		{[]string{"-sigma1", "2", "-sigmaL", "0.013", "-levels", "7"}, metaSigmas, formatFloats(sampler.GeometricSigmas(2, 0.013, 7))},
		{[]string{"-data", far, "-levels", "2"}, metaSigmas, "50,0.01"},
		{[]string{"-data", many, "-levels", "2"}, metaSigmas, "1,0.01"},
		{[]string{"-loss", "ve", "-sde-min", "5"}, metaSDE, "ve:5:10"},
		{[]string{"-loss", "vp"}, metaSDE, "vp:0.1:20"},
		{[]string{"-loss", "subvp"}, metaSDE, "subvp:0.1:20"},
	} {
		f := in("m.safetensors")
		trainTiny(t, f, append([]string{"-steps", "1"}, c.args...)...)
		mf, err := loadModel(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := mf.meta[c.key]; got != c.want {
			t.Errorf("train %q: %s %q, want %q", c.args, c.key, got, c.want)
		}
		cfg := mf.model.Config()
		switch {
		case c.key == metaSigmas && (cfg.Cond != nn.CondLogSigma || !cfg.ScaleBySigma):
			t.Errorf("train %q: conditioning %v, scaled %v; want log σ, scaled", c.args, cfg.Cond, cfg.ScaleBySigma)
		case c.key == metaSDE && (cfg.Cond != nn.CondTime || cfg.Fourier != 16 || cfg.FourierScale != 4 || !cfg.ScaleBySigma):
			t.Errorf("train %q: conditioning %v, %d Fourier features at scale %g, scaled %v; want time, 16 at scale 4, scaled", c.args, cfg.Cond, cfg.Fourier, cfg.FourierScale, cfg.ScaleBySigma)
		}
		if c.key == metaSigmas {
			sig, err := parseFloats(mf.meta[metaSigmas])
			if err != nil || c.args[0] == "-sigma1" && !slices.Equal(sig, sampler.GeometricSigmas(2, 0.013, 7)) {
				t.Errorf("the levels recorded read back as %v, %v", sig, err)
			}
		}
	}
	// An empty -hidden is a linear score.
	f := in("linear.safetensors")
	trainTiny(t, f, "-steps", "1", "-hidden", "")
	if mf, err := loadModel(f); err != nil || len(mf.model.Config().Hidden) != 0 {
		t.Errorf("-hidden \"\": %v", err)
	}
}

// TestTrainFlagsRefusedMore: refusals no other test made, at their
// bounds.
func TestTrainFlagsRefusedMore(t *testing.T) {
	dir := t.TempDir()
	train := func(args ...string) []string {
		return append([]string{"train", "-q", "-steps", "1", "-out", filepath.Join(dir, "never.safetensors")}, args...)
	}
	checkRefused(t, []flagCase{
		{train("-lr", "inf"), "-lr +Inf: want a finite rate > 0", ""},
		{train("-clip", "inf"), "-clip +Inf: want a finite norm > 0, or 0 for none", ""},
		{train("-energy", "-hidden", "4", "-loss", "exact"), "-energy with -loss exact: these losses need the Jacobian of the score, a Hessian for an energy network; use -loss dsm or ncdsm", ""},
		{train("-energy", "-hidden", "4", "-loss", "sliced-vr"), "-energy with -loss sliced-vr: ", ""},
		{train("-loss", "ve", "-sde-min", "1e-300", "-sde-max", "1"), "-sde-min 1e-300 -sde-max 1: the SDE ve:1e-300:1: σ(1e-05) = ", ""},
		// -levels 100000 is taken (the next check refuses the network).
		{train("-levels", "100000", "-hidden", "65536,65536"), "-hidden 65536,65536: a network of 4295426050 parameters is more than train holds (at most 134217728)", ""},
		{train("-levels", "100001"), "-levels 100001: want at most 100000", ""},
		// Just past the bound (the batch would be refused next).
		{train("-hidden", "11582,11582", "-batch", "3000"), "-hidden 11582,11582: a network of 134223800 parameters is more than train holds (at most 134217728)", ""},
	})
}

// TestTrainHintLargeData: a training that diverges on data beyond 10³
// says to standardise them.
func TestTrainHintLargeData(t *testing.T) {
	f := filepath.Join(t.TempDir(), "big.csv")
	os.WriteFile(f, []byte("5000,1\n1,2\n3,4\n"), 0o644)
	code, _, errOut := runCode("train", "-q", "-data", f, "-loss", "dsm", "-hidden", "4", "-steps", "50", "-lr", "1e30", "-out", filepath.Join(filepath.Dir(f), "never.safetensors"))
	if want := "(the data reach |x| = 5e+03: standardise them)\n"; code != 1 || !strings.HasSuffix(errOut, want) {
		t.Errorf("exit %d, %q; want exit 1 and %q", code, errOut, want)
	}
}

// TestSampleSigmasSpaces: -sigmas takes spaces after its commas.
func TestSampleSigmasSpaces(t *testing.T) {
	runOK(t, "sample", "-q", "-model", "../../nn/testdata/torch_sigma.safetensors", "-sigmas", "1, 0.1", "-n", "2", "-T", "1", "-png", "none", "-out", filepath.Join(t.TempDir(), "s.csv"))
}

// TestBenchFormatsRounding: a figure just below a unit's boundary that
// rounds up to it is shown in the next unit ("1000.00 µs" read as a
// microsecond figure in the table).
func TestBenchFormatsRounding(t *testing.T) {
	for ns, want := range map[float64]string{999.94: "999.9 ns", 999.97: "1.00 µs", 999990: "999.99 µs", 999999: "1.00 ms", 999999999: "1.00 s"} {
		if got := fmtDuration(ns); got != want {
			t.Errorf("fmtDuration(%g) = %q, want %q", ns, got, want)
		}
	}
	for r, want := range map[float64]string{999.94: "999.9 steps/s", 999.97: "1.0 ksteps/s", 999940: "999.9 ksteps/s", 999970: "1.0 Msteps/s"} {
		if got := fmtRate(r, "steps"); got != want {
			t.Errorf("fmtRate(%g) = %q, want %q", r, got, want)
		}
	}
}

// TestProgressTimeLeft: the time left is rounded to the nearest second
// (it was cut to whole seconds first: 4.67 s showed as 4s, and 0.9 s as
// 0s).
func TestProgressTimeLeft(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		done int
		want string
	}{
		{3, "train: 3/10 steps (30%), 2 steps/s, 5s left\n"},  // 7 at 1.5/s: 4.67 s
		{7, "train: 7/10 steps (70%), 4 steps/s, 1s left\n"},  // 3 at 3.5/s: 0.86 s
		{6, "train: 6/10 steps (60%), 3 steps/s, 1s left\n"},  // 4 at 3/s: 1.33 s
		{1, "train: 1/10 steps (10%), 0 steps/s, 18s left\n"}, // 9 at 0.5/s
	} {
		var w bytes.Buffer
		p := newProgress(&w, false, "train", "steps", 10)
		p.start = t0
		p.now = func() time.Time { return t0.Add(2 * time.Second) }
		p.update(c.done, "")
		if w.String() != c.want {
			t.Errorf("%d done after 2s: %q, want %q", c.done, w.String(), c.want)
		}
	}
}

// TestSampleStepsEverySDE: -steps sets the predictor's N on each of the
// three SDEs (the VP case alone was tried).
func TestSampleStepsEverySDE(t *testing.T) {
	dir := t.TempDir()
	for _, loss := range []string{"ve", "vp", "subvp"} {
		model := filepath.Join(dir, loss+".safetensors")
		trainTiny(t, model, "-loss", loss, "-steps", "1")
		out := runOK(t, "sample", "-q", "-model", model, "-n", "3", "-steps", "30", "-png", "none", "-out", filepath.Join(dir, "s.csv"))
		if want := ", 30 steps, 30 score evaluations"; !strings.Contains(out, want) {
			t.Errorf("%s: %q lacks %q", loss, out, want)
		}
	}
}

// TestProjectOneD: 1-D samples are drawn against their index.
func TestProjectOneD(t *testing.T) {
	xy := project(table{rows: 3, cols: 1, data: []float32{5, 6, 7}}, [2]int{0, 0})
	for i, p := range xy {
		if p.X != float64(5+i) || p.Y != float64(i) {
			t.Errorf("point %d: (%g, %g), want (%d, %d)", i, p.X, p.Y, 5+i, i)
		}
	}
	xy = project(table{rows: 1, cols: 3, data: []float32{5, 6, 7}}, [2]int{2, 0})
	if xy[0].X != 7 || xy[0].Y != 5 {
		t.Errorf("pair (2, 0) of (5, 6, 7): %v", xy[0])
	}
}

// TestBenchMarkdownRows: a row gives its group's header once, and the %
// of peak only for a case measured against the peak.
func TestBenchMarkdownRows(t *testing.T) {
	var b bytes.Buffer
	rs := []bench.Result{
		{Case: bench.Case{Group: "kernels", Name: "dot n=8", Impl: "generic", Unit: "FLOP"}, NsPerOp: 12, PerSec: 2e9, PeakPct: 25, Peak: 8e9},
		{Case: bench.Case{Group: "kernels", Name: "rng", Impl: "generic", Unit: "elem"}, NsPerOp: 3, PerSec: 5e8},
		{Case: bench.Case{Group: "langevin", Name: "ula", Impl: "active", Unit: "step"}, NsPerOp: 2e6, PerSec: 500},
	}
	if err := writeMarkdown(&b, map[string]string{}, map[string]float64{}, rs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\n### kernels\n\n| benchmark | impl | time/op | throughput | % of peak |\n|---|---|---:|---:|---:|\n| dot n=8 | generic | 12.0 ns | 2.0 GFLOP/s | 25 % (8.0) |\n| rng | generic | 3.0 ns | 500.0 Melem/s |  |\n",
		"\n### langevin\n\n| benchmark | impl | time/op | throughput | % of peak |\n|---|---|---:|---:|---:|\n| ula | active | 2.00 ms | 500.0 step/s |  |\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestSampleWorkersSplit: the same samples for -workers 1 and 2 with
// enough chains that two goroutines do split them (a run gives each
// goroutine at least 256 chains: TestTrainSampleRoundTrip's 40 chains run
// on one goroutine either way).
func TestSampleWorkersSplit(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	trainTiny(t, in("nc.safetensors"), "-levels", "3", "-steps", "2")
	trainTiny(t, in("vp.safetensors"), "-loss", "vp", "-steps", "2")
	for _, args := range [][]string{
		{"-model", in("nc.safetensors"), "-T", "2"},
		{"-model", "../../nn/testdata/torch_mlp.safetensors", "-steps", "3", "-burnin", "1"},
		{"-model", in("vp.safetensors"), "-steps", "25"},
		{"-model", in("vp.safetensors"), "-sampler", "ode", "-steps", "4"},
	} {
		var files [2]table
		for i, w := range []string{"1", "2"} {
			out := in("w" + w + ".npy")
			runOK(t, append([]string{"sample", "-q", "-n", "600", "-seed", "5", "-png", "none", "-workers", w, "-out", out}, args...)...)
			files[i] = readNPYFile(t, out)
		}
		if !slices.Equal(files[0].data, files[1].data) || files[0].rows != 600 {
			t.Errorf("%q: -workers 1 and 2 drew different samples", args)
		}
	}
}

// TestTrainBatchBound: -batch is bounded by the rows of activations a
// step holds, batch × (1 + projections) × the layer widths' sum, 2²⁶
// values, inclusive. (The run taken at the bound is stopped before any
// step by its checkpoint's raw weights, cut to 3 values.)
func TestTrainBatchBound(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	trainTiny(t, in("s.safetensors"), "-hidden", "4", "-loss", "sliced", "-ema", "0.99", "-steps", "1")
	mf, err := loadModel(in("s.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	mf.train[trainPrefix+"params"] = nn.Tensor{Shape: []int{3}, Data: []float32{1, 2, 3}}
	bad := in("cut.safetensors")
	if err := saveModel(bad, mf.model, mf.meta, mf.train); err != nil {
		t.Fatal(err)
	}
	resume := func(batch int) []string {
		return []string{"train", "-q", "-steps", "2", "-batch", strconv.Itoa(batch), "-resume", bad, "-out", in("never.safetensors")}
	}
	const limit = 1 << 26 / 8 / 2 // widths 2, 4, 2; one projection
	checkRefused(t, []flagCase{
		{resume(limit), "-resume " + bad + ": 3 raw parameters, the network has ", ""},
		{resume(limit + 1), fmt.Sprintf("-batch %d -projections 1: batch × (1 + projections) rows of activations are more than train holds at once for a [2 4 2] network (at most 8388608 rows)", limit+1), ""},
	})
}

// TestBenchQuickTime: -quick times each case for 150ms unless -time says
// otherwise, and the table says so.
func TestBenchQuickTime(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := runBench([]string{"-quick", "-run", "dot n=4096 generic", "-q"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(out.String(), "\n"); !strings.Contains(first, ", quick set, 150ms per case, ") {
		t.Errorf("header line %q", first)
	}
}
