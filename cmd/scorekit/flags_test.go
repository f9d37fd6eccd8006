package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// flagCase is a command line that must be refused before any work, with
// exit status 2 and one line of stderr that begins "scorekit <command>:
// <prefix>" and contains want.
type flagCase struct {
	args   []string
	prefix string // the flag and its value, as the message begins
	want   string
}

// checkRefused runs each case in the process (refusals come before any
// work, so this is cheap) and checks the exit status, the message, and
// that nothing was written to stdout.
func checkRefused(t *testing.T, cases []flagCase) {
	t.Helper()
	for _, c := range cases {
		var o, e bytes.Buffer
		code := run(c.args, &o, &e)
		msg := e.String()
		head := "scorekit " + c.args[0] + ": " + c.prefix
		if code != 2 || !strings.HasPrefix(msg, head) || !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 || o.Len() > 0 {
			t.Errorf("scorekit %s:\nexit %d, stdout %q, stderr %q\nwant exit 2, nothing on stdout, and one line beginning %q containing %q",
				strings.Join(c.args, " "), code, o.String(), msg, head, c.want)
		}
	}
}

// TestFileFlags: every flag that names a file, in every command, refuses
// a file of the wrong type, a missing or unreadable one, a folder, and
// one whose content is not what the flag takes, as a usage error (exit
// status 2) whose message begins with the flag and the file; and an
// output that cannot be written there likewise, before any work. (sample
// -start m.safetensors and train -data x.txt exited 1, with a message
// that began with the file.)
func TestFileFlags(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	write := func(f, content string) string {
		if err := os.WriteFile(in(f), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return in(f)
	}
	mkdir := func(f string) string {
		if err := os.MkdirAll(in(f), 0o755); err != nil {
			t.Fatal(err)
		}
		return in(f)
	}
	const model = "../../nn/testdata/torch_mlp.safetensors" // unconditional, d = 3
	pts := write("pts.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9\n")
	two := write("two.csv", "1,2\n3,4\n")
	bad := write("bad.csv", "1,2,3\n3,abc,4\n")
	txt := write("x.txt", "1,2,3\n")
	noType := write("points", "1,2,3\n")
	empty := write("empty.npy", "")
	folderCSV := mkdir("folder.csv")
	folder := mkdir("folder")
	missing := in("missing.csv")
	noDir := in("no/such")
	var unreadable string
	if os.Geteuid() != 0 { // root reads it anyway
		unreadable = write("locked.csv", "1,2,3\n")
		if err := os.Chmod(unreadable, 0); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	modelCopy := write("m.safetensors", string(ms))

	// Command lines that would do little if they passed.
	sample := func(flag, value string) []string {
		return []string{"sample", "-q", "-n", "4", "-steps", "1", "-burnin", "0", "-model", model, "-out", in("never.csv"), "-" + flag, value}
	}
	start := func(value string) []string { // not with -n
		return []string{"sample", "-q", "-steps", "1", "-burnin", "0", "-model", model, "-out", in("never.csv"), "-start", value}
	}
	train := func(flag, value string) []string {
		return append([]string{"train", "-q", "-hidden", "4", "-steps", "1", "-out", in("never.safetensors")}, "-"+flag, value)
	}
	cases := []flagCase{
		// sample -model: a safetensors file of a scorekit model.
		{sample("model", in("missing.safetensors")), "-model " + in("missing.safetensors"), ": no such file or directory"},
		{sample("model", folder), "-model " + folder, ": is a directory"},
		{sample("model", pts), "-model " + pts, ": not a safetensors file: want a model file"},
		{sample("model", empty), "-model " + empty, "(is it a complete safetensors file?)"},
		// sample -start: a .csv or .npy file of points of the model's
		// dimension.
		{start(modelCopy), "-start " + modelCopy, `: file type ".safetensors": want a .csv or .npy file of points`},
		{start(txt), "-start " + txt, `: file type ".txt": want a .csv or .npy file of points`},
		{start(noType), "-start " + noType, ": no file type: want a .csv or .npy file of points"},
		{start(missing), "-start " + missing, ": no such file or directory"},
		{start(folderCSV), "-start " + folderCSV, ": a folder, not a .csv file"},
		{start(bad), "-start " + bad, `:2:3: "abc" is not a finite number`},
		{start(empty), "-start " + empty, ": not a NumPy .npy file"},
		{start(two), "-start " + two, "has 2 columns, but " + model + " is a model of dimension 3"},
		// sample -out and -png: files to write, of their types.
		{sample("out", in("s.txt")), "-out " + in("s.txt"), "want a .csv or .npy file"},
		{sample("out", filepath.Join(noDir, "s.csv")), "-out " + filepath.Join(noDir, "s.csv"), ": cannot write there: no folder"},
		{sample("out", folderCSV), "-out " + folderCSV, " is a folder: want a file name"},
		{sample("png", in("s.jpg")), "-png " + in("s.jpg"), "want a .png file, auto or none"},
		{sample("png", filepath.Join(noDir, "s.png")), "-png " + filepath.Join(noDir, "s.png"), ": cannot write there: no folder"},
		// train -data: a built-in set or a .csv or .npy file of points.
		{train("data", txt), "-data " + txt, `: file type ".txt": want a .csv or .npy file of points`},
		{train("data", modelCopy), "-data " + modelCopy, `: file type ".safetensors"`},
		{train("data", filepath.Join(dir, "points")), "-data " + noType, ": no file type"},
		{train("data", "spiral"), `-data "spiral": unknown: want a built-in set`, "moons"},
		{train("data", missing), "-data " + missing, ": no such file or directory"},
		{train("data", folderCSV), "-data " + folderCSV, ": a folder, not a .csv file"},
		{train("data", bad), "-data " + bad, `:2:3: "abc" is not a finite number`},
		{train("data", empty), "-data " + empty, ": not a NumPy .npy file"},
		// train -resume: a checkpoint train wrote.
		{train("resume", in("missing.safetensors")), "-resume " + in("missing.safetensors"), ": no such file or directory"},
		{train("resume", folder), "-resume " + folder, ": is a directory"},
		{train("resume", pts), "-resume " + pts, ": not a safetensors file"},
		{train("resume", model), "-resume " + model, ": not a checkpoint of scorekit train"},
		// train -out: a model file to write.
		{train("out", in("m.csv")), "-out " + in("m.csv"), ": a model file, not a .csv data file"},
		{train("out", filepath.Join(noDir, "m.safetensors")), "-out " + filepath.Join(noDir, "m.safetensors"), ": cannot write there: no folder"},
		{train("out", folder), "-out " + folder, " is a folder: want a file name"},
		// demo -out: the folder to write to.
		{[]string{"demo", "-q", "-out", noDir}, "-out " + noDir, ": no such folder"},
		{[]string{"demo", "-q", "-out", pts}, "-out " + pts, " is a file: want the folder to write to"},
		// bench -plots: the folder for the plots (made if need be).
		{[]string{"bench", "-q", "-run", "dot", "-plots", filepath.Join(pts, "plots")}, "-plots " + filepath.Join(pts, "plots"), ": cannot make the folder"},
		{[]string{"bench", "-q", "-run", "dot", "-plots", filepath.Dir(mkdir("taken/scaling-batch.png"))}, "-plots " + filepath.Join(in("taken"), "scaling-batch.png"), " is a folder: want a file name"},
	}
	if unreadable != "" {
		cases = append(cases,
			flagCase{start(unreadable), "-start " + unreadable, ": permission denied"},
			flagCase{train("data", unreadable), "-data " + unreadable, ": permission denied"},
		)
	}
	checkRefused(t, cases)
	for _, f := range []string{"never.csv", "never.png", "never.safetensors", "s.jpg", "s.txt", "m.csv"} {
		if _, err := os.Stat(in(f)); err == nil {
			t.Errorf("%s was written by a refused command", f)
		}
	}
}

// TestBadFlagValues: a value out of range, NaN or infinite, or one the
// sampler or loss in use would refuse, or take for another (PC took -snr
// 0 for 0.16; a step that is 0 in float32 exited 1 as if the sampler had
// failed), is refused before any work, naming the flag — in every
// command.
func TestBadFlagValues(t *testing.T) {
	dir := t.TempDir()
	in := func(f string) string { return filepath.Join(dir, f) }
	pts := in("pts.csv")
	if err := os.WriteFile(pts, []byte("1,2,3\n4,5,6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sample := func(model string, args ...string) []string {
		return append([]string{"sample", "-q", "-n", "4", "-model", "../../nn/testdata/" + model + ".safetensors", "-out", in("never.csv")}, args...)
	}
	ula := func(args ...string) []string { return sample("torch_mlp", args...) }
	annealed := func(args ...string) []string {
		return sample("torch_sigma", append([]string{"-sigmas", "1,0.1"}, args...)...)
	}
	pc := func(args ...string) []string {
		return sample("torch_time", append([]string{"-sde", "vp:0.1:20"}, args...)...)
	}
	train := func(args ...string) []string {
		return append([]string{"train", "-q", "-hidden", "4", "-steps", "1", "-out", in("never.safetensors")}, args...)
	}
	demo := func(args ...string) []string { return append([]string{"demo", "-q", "-out", dir}, args...) }
	maxInt := strconv.Itoa(math.MaxInt)
	checkRefused(t, []flagCase{
		{ula("-n", "0"), "-n 0", "want at least 1 sample"},
		{ula("-steps", "-1"), "-steps -1", "want ≥ 0"},
		{ula("-burnin", "-1"), "-burnin -1", "want ≥ 0"},
		{ula("-steps", "0", "-burnin", "0"), "-steps 0 -burnin 0", "no steps"},
		{ula("-steps", maxInt, "-burnin", "1"), "-steps " + maxInt + " -burnin 1", "more steps in all than an int counts"},
		{annealed("-T", maxInt), "-T " + maxInt, "2 levels × -T steps is more than an int counts"},
		{ula("-stepsize", "NaN"), "-stepsize NaN", "want a finite step > 0"},
		{ula("-stepsize", "-1"), "-stepsize -1", "want a finite step > 0"},
		{ula("-stepsize", "inf"), "-stepsize +Inf", "want a finite step > 0"},
		{ula("-stepsize", "1e-50"), "-stepsize 1e-50", "is 0 in float32"},
		{ula("-stepsize", "1e39"), "-stepsize 1e+39", "is +Inf in float32"},
		{ula("-sampler", "underdamped", "-stepsize", "2e-38"), "-stepsize 2e-38 -friction 1", "the half step"},
		{ula("-sampler", "underdamped", "-friction", "NaN"), "-friction NaN", "want a finite friction > 0"},
		{ula("-init", "0"), "-init 0", "want a finite standard deviation > 0"},
		{[]string{"sample", "-q", "-model", "../../nn/testdata/torch_mlp.safetensors", "-out", in("never.csv"), "-init", "2", "-start", pts}, "-init and -start", "give one"},
		{ula("-workers", "-1"), "-workers -1", "want ≥ 0"},
		{ula("-seed", "-1"), `invalid value "-1" for flag -seed`, "scorekit sample -h lists the flags"},
		{ula("-sampler", "langevin"), `-sampler "langevin"`, "want auto, ula, mala, underdamped, annealed, pc or ode"},
		{annealed("-T", "0"), "-T 0", "want at least 1 step per level"},
		{annealed("-eps", "NaN"), "-eps NaN", "want a finite step > 0"},
		{annealed("-eps", "inf"), "-eps +Inf", "want a finite step > 0"},
		{annealed("-eps", "1e-45"), "-sigmas 1,0.1 with -eps 1e-45", "the last level's step"},
		{annealed("-sigmas", "1,NaN"), "-sigmas 1,NaN", "want positive and strictly decreasing"},
		{annealed("-sigmas", "0.1,1"), "-sigmas 0.1,1", "want positive and strictly decreasing"},
		{annealed("-sigmas", "1,x"), "-sigmas 1,x", `"x" is not a number`},
		{pc("-snr", "0"), "-snr 0", "want a finite ratio > 0 (-corrector none for no corrector)"},
		{pc("-snr", "NaN"), "-snr NaN", "want a finite ratio > 0"},
		{pc("-corrector", "yes"), `-corrector "yes"`, "want langevin, none or auto"},
		{pc("-sde", "vp:NaN:20"), "-sde: ", "vp:NaN:20"},
		{pc("-steps", "5"), "-steps 5 on the SDE vp:0.1:20", "BetaMax/N < 1"},
		{pc("-sampler", "ode", "-steps", "-1"), "-steps -1", "want ≥ 0"},
		{train("-steps", "0"), "-steps 0", "want at least 1"},
		{train("-batch", "0"), "-batch 0", "want at least 1"},
		{train("-checkpoint", "-1"), "-checkpoint -1", "want ≥ 0"},
		{train("-lr", "NaN"), "-lr NaN", "want a finite rate > 0"},
		{train("-lr", "0"), "-lr 0", "want a finite rate > 0"},
		{train("-warmup", "-1"), "-warmup -1", "want ≥ 0"},
		{train("-clip", "NaN"), "-clip NaN", "want a finite norm > 0, or 0 for none"},
		{train("-wd", "inf"), "-wd +Inf", "want ≥ 0"},
		{train("-ema", "1"), "-ema 1", "want 0 (none) or a rate in (0, 1)"},
		{train("-ema", "NaN"), "-ema NaN", "want 0 (none) or a rate in (0, 1)"},
		{train("-workers", "-1"), "-workers -1", "want ≥ 0"},
		{train("-hidden", "4,0"), "-hidden: ", `"0" is not a positive width`},
		{train("-act", "swishy"), "-act: ", "swishy"},
		{train("-loss", "score"), `-loss "score"`, "want one of exact, sliced"},
		{train("-levels", "1"), "-levels 1", "want at least 2"},
		{train("-levels", "1000001"), "-levels 1000001", "want at most 100000"},
		{train("-sigmaL", "NaN"), "-sigmaL NaN", "want σ_L > 0"},
		{train("-sigma1", "NaN"), "-sigma1 NaN -sigmaL 0.01", "want σ₁ > σ_L"},
		{train("-loss", "dsm", "-sigma", "NaN"), "-sigma NaN", "want a finite σ > 0"},
		{train("-loss", "sliced", "-projections", "0"), "-projections 0", "want at least 1"},
		// (1 + 1,000,000) rows per point: 10⁸ rows of activations.
		{train("-loss", "sliced", "-batch", "100", "-projections", "1000000"), "-batch 100 -projections 1000000", "more than train holds at once"},
		// An energy network's score takes d tangents per point: 3 rows.
		{train("-energy", "-hidden", "128,128,128", "-batch", "100000"), "-batch 100000", "with -energy, each point takes d = 2 tangent rows"},
		// Only the flags given (σ_max's default, the data's spread, is in
		// the values the message gives).
		{train("-loss", "ve", "-sde-min", "-1"), "-sde-min -1: ", "want 0 < SigmaMin < SigmaMax < ∞, have -1, 7.01"},
		{train("-loss", "vp", "-sde-max", "NaN"), "-sde-max NaN: ", "want 0 ≤ BetaMin ≤ BetaMax < ∞"},
		{train("-loss", "ve", "-sde-max", "1e300"), "-sde-max 1e+300: the SDE ve:0.01:1e+300: ", "σ(1) = 1e+300"},
		{demo("-steps", "0"), "-steps 0", "want at least 1"},
		{demo("-batch", "-1"), "-batch -1", "want at least 1"},
		{demo("-T", maxInt), "-levels 10 -T " + maxInt, "more steps in all than an int counts"},
		{demo("-n", "1"), "-n 1", "want at least 2 samples"},
		{demo("-levels", "1000001"), "-levels 1000001", "want at most 100000"},
		{demo("-T", "0"), "-levels 10 -T 0", "want at least 2 levels and 1 step per level"},
		{demo("-sigmaL", "NaN"), "-sigma1 3 -sigmaL NaN", "want σ₁ > σ_L > 0"},
		{demo("-eps", "inf"), "-eps +Inf", "want a finite step > 0"},
		// ε·(σ₁/σ_L)² = 10³⁴·300² overflows float32: refused before
		// training, where it was refused after it, as the model's fault.
		{demo("-eps", "1e34"), "-eps 1e+34 -sigma1 3 -sigmaL 0.01", "overflows float32"},
		{demo("-workers", "-1"), "-workers -1", "want ≥ 0"},
		{demo("-data", "spiral"), `-data "spiral": unknown`, "moons"},
		{[]string{"bench", "-q", "-time", "-1s"}, "-time -1s", "want > 0"},
		{[]string{"bench", "-q", "-run", "no such benchmark"}, `-run "no such benchmark"`, "matches no benchmark"},
	})
	for _, f := range []string{"never.csv", "never.safetensors", "model.safetensors", "samples.csv"} {
		if _, err := os.Stat(in(f)); err == nil {
			t.Errorf("%s was written by a refused command", f)
		}
	}
}
