package kernel

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/scorekit/scorekit/internal/testpanic"
)

// TestRequireAssembly asserts which implementation was chosen on this
// machine, so that a broken detection cannot silently fall back to the
// portable code.
func TestRequireAssembly(t *testing.T) {
	t.Logf("active %v, available %v", Active(), Available())
	if !asmBuild || strings.Contains(os.Getenv("GODEBUG"), "cpu.") {
		t.Skip("no assembly in this build, or CPU features switched off by GODEBUG")
	}
	switch runtime.GOARCH {
	case "amd64":
		if cpu.X86.HasAVX2 && cpu.X86.HasFMA && Active() == Generic {
			t.Fatalf("AVX2 and FMA present but the generic kernels are active")
		}
		if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL && Active() != AVX512 {
			t.Fatalf("AVX-512 present but %v is active", Active())
		}
	case "arm64":
		if Active() != NEON {
			t.Fatalf("arm64 but %v is active", Active())
		}
	}
}

func TestGODEBUGSwitches(t *testing.T) {
	g := os.Getenv("GODEBUG")
	if strings.Contains(g, "cpu.avx2=off") || strings.Contains(g, "cpu.asimd=off") {
		if Active() != Generic {
			t.Fatalf("GODEBUG=%s but %v is active", g, Active())
		}
	}
	if strings.Contains(g, "cpu.avx512f=off") && Active() == AVX512 {
		t.Fatalf("GODEBUG=%s but avx512 is active", g)
	}
}

func TestParseImpl(t *testing.T) {
	for i := Generic; i < numImpls; i++ {
		got, err := ParseImpl(strings.ToUpper(i.String()))
		if err != nil || got != i {
			t.Fatalf("ParseImpl(%q) = %v, %v", i.String(), got, err)
		}
	}
	if _, err := ParseImpl("sse"); err == nil {
		t.Fatal("ParseImpl(sse): no error")
	}
	if Available()[0] != Generic || Available()[len(Available())-1] != Active() {
		t.Fatalf("Available() = %v, Active() = %v", Available(), Active())
	}
}

func TestUnavailablePanics(t *testing.T) {
	for i := Generic; i < numImpls; i++ {
		if i.Available() {
			continue
		}
		mustPanic(t, "not available", func() { i.Dot(nil, nil) })
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	a, b := make([]float32, 3), make([]float32, 4)
	mustPanic(t, "Dot: length mismatch: len(x), len(y) = [3 4]", func() { Dot(a, b) })
	mustPanic(t, "Axpy: length mismatch", func() { Axpy(1, a, b) })
	mustPanic(t, "Act(silu): length mismatch", func() { Act(SiLU, a, b) })
	mustPanic(t, "ActDeriv(tanh): length mismatch", func() { ActDeriv(Tanh, a, b) })
	mustPanic(t, "LangevinUpdate: length mismatch: len(x), len(s), len(z) = [3 3 4]", func() { LangevinUpdate(1, 1, a, a, b) })
	mustPanic(t, "unknown activation", func() { Act(numActs, a, a) })
}

// mustPanic fails unless f panics with a message of the package that
// contains want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	testpanic.Contains(t, "the call", f, want)
}

// TestActivationNames: every activation is Valid and reads back from its
// String through ParseActivation (case-insensitive, "swish" for SiLU); the
// first value past them is not Valid, prints its number and is unknown to
// ParseActivation.
func TestActivationNames(t *testing.T) {
	for _, a := range Activations() {
		if !a.Valid() {
			t.Errorf("%v: not Valid", a)
		}
		for _, name := range []string{a.String(), strings.ToUpper(a.String())} {
			if got, err := ParseActivation(name); err != nil || got != a {
				t.Errorf("ParseActivation(%q) = %v, %v: want %v", name, got, err, a)
			}
		}
	}
	if got, err := ParseActivation("Swish"); err != nil || got != SiLU {
		t.Errorf("ParseActivation(Swish) = %v, %v: want silu", got, err)
	}
	bad := Activation(len(Activations()))
	if bad.Valid() || bad.String() != fmt.Sprintf("Activation(%d)", len(Activations())) {
		t.Errorf("Activation(%d): Valid %v, String %q", len(Activations()), bad.Valid(), bad.String())
	}
	if _, err := ParseActivation("mish"); err == nil || !strings.Contains(err.Error(), `unknown activation "mish"`) {
		t.Errorf("ParseActivation(mish): error %v", err)
	}
}
