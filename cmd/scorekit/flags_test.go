package main

import (
	"bytes"
	"os"
	"path/filepath"
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
