package neon

import (
	"strings"
	"testing"

	"github.com/scorekit/scorekit/gen/arm64/emit"
)

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}

func begin() *Gen {
	return Begin(emit.New("test"), emit.Func{Name: "F", Params: []emit.Param{{Name: "dst", Type: "[]float32"}, {Name: "x", Type: "[]float32"}}})
}

func TestAllocator(t *testing.T) {
	g := begin()
	g.k = 4
	a := g.New()
	if len(a) != 4 || a[1] != a[0]+1 || a[3] != a[0]+3 {
		t.Fatalf("New() = %v, want 4 consecutive registers", a)
	}
	g.Free(a)
	mustPanic(t, "double free", func() { g.Free(a) })
	mustPanic(t, "out of vector registers", func() {
		for range 9 {
			g.New()
		}
	})
	g = begin()
	mustPanic(t, "out of general registers", func() {
		for range 26 {
			g.GP()
		}
	})
}

func TestMapLeak(t *testing.T) {
	g := begin()
	mustPanic(t, "leaking body", func() {
		g.Map([]string{"x"}, []string{"dst"}, "x", 2, func(in []G) []G {
			g.New() // never freed
			return in
		})
	})
}

func TestMapSkeleton(t *testing.T) {
	e := emit.New("test")
	g := Begin(e, emit.Func{Name: "F", Params: []emit.Param{{Name: "dst", Type: "[]float32"}, {Name: "x", Type: "[]float32"}}})
	g.Map([]string{"x"}, []string{"dst"}, "x", 4, func(in []G) []G {
		d := g.New()
		g.FADD(d, in[0], in[0])
		return []G{d}
	})
	asm := string(e.Asm())
	for _, want := range []string{
		"CMP $16, R2", "VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]", "VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R1)",
		"CMP $4, R2", "VLD1.P 16(R0), [V0.S4]", "FMOVS.P 4(R0), F0", "FMOVS.P F1, 4(R1)", "CBZ R2, done",
	} {
		if !strings.Contains(asm, want) {
			t.Errorf("Map's loops lack %q:\n%s", want, asm)
		}
	}
}
