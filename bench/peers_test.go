package bench

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestTorchSuiteFlags: the PyTorch peer script refuses a repetition count
// or time it cannot use (it took --reps -1 as one repetition and --time
// -1 as one call, and printed the figures as if measured). The flags are
// checked before torch is imported, so only python3 is needed.
func TestTorchSuiteFlags(t *testing.T) {
	py, err := exec.LookPath("/usr/bin/python3") // the interpreter bench/peers/README.md asks for
	if err != nil {
		if py, err = exec.LookPath("python3"); err != nil {
			t.Skip("no python3")
		}
	}
	for _, c := range []struct{ flag, want string }{
		{"--reps=-1", "--reps -1: want >= 1"},
		{"--time=-1", "--time -1.0: want a number of seconds > 0"},
		{"--time=nan", "--time nan: want a number of seconds > 0"},
	} {
		out, err := exec.Command(py, "peers/torch_suite.py", "-q", "--run", "no such case", c.flag).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), c.want) {
			t.Errorf("torch_suite.py %s: %v\n%s", c.flag, err, out)
		}
	}
}
