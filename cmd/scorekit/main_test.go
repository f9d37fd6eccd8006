package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// scorekit builds the command once per test binary and returns its path.
func scorekit(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "scorekit")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
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
	out, _, _ = exe(t, bin, []string{"GODEBUG=cpu.avx2=off,cpu.avx512f=off,cpu.asimd=off"}, "cpu")
	if !strings.Contains(out, "active:      generic") {
		t.Fatalf("with GODEBUG switches off, scorekit cpu says\n%s", out)
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
	if code := run([]string{"cpu", "extra"}, &o, &e); code != 2 || !strings.Contains(e.String(), `unexpected argument "extra"`) {
		t.Fatalf("extra argument: exit %d, %q", code, e.String())
	}
}
