package neon

import (
	"strings"
	"testing"

	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/internal/testpanic"
)

// mustPanic fails unless f (described by what) panics with a message of
// the package.
func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	testpanic.Contains(t, what, f)
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

// TestFitHoists checks that Fit hoists the coefficients that fit beside a
// body's peak and leaves the rest in general registers.
func TestFitHoists(t *testing.T) {
	f := emit.Func{Name: "F", Params: []emit.Param{{Name: "dst", Type: "[]float32"}, {Name: "x", Type: "[]float32"}}}
	start := func(e *emit.Emitter) *Gen { return Begin(e, f) }
	for _, c := range []struct {
		hold, hoisted int
	}{{0, 3}, {26, 3}, {27, 2}, {29, 0}} {
		e := emit.New("test")
		var cs []Coef
		Fit(e, start, func(g *Gen) {
			cs = []Coef{g.Coef(F32(1)), g.Coef(F32(2)), g.Coef(F32(3))}
			g.Map([]string{"x"}, []string{"dst"}, "x", 1, func(in []G) []G {
				// three registers live at once (the input, p and a fresh
				// copy), plus hold more
				var held []G
				for range c.hold {
					held = append(held, g.New())
				}
				p := g.Copy(in[0])
				for _, k := range cs {
					p = g.Horner(p, in[0], k)
				}
				g.Free(held...)
				return []G{p}
			})
		})
		n := 0
		for _, k := range cs {
			if k.inV {
				n++
			}
		}
		if n != c.hoisted {
			t.Errorf("%d held: %d coefficients hoisted, want %d", c.hold, n, c.hoisted)
		}
		asm := string(e.Asm())
		loop := asm[strings.Index(asm, "vec"):]
		if got, want := strings.Count(loop, "VDUP"), 2*(3-c.hoisted); got != want {
			t.Errorf("%d held: %d VDUPs in the loops, want %d:\n%s", c.hold, got, want, asm)
		}
	}
}

func TestMapRowsSkeleton(t *testing.T) {
	e := emit.New("test")
	g := Continue(e, "p")
	rows, src, ss, dst, ds := g.GP(), g.GP(), g.GP(), g.GP(), g.GP()
	g.MapRows(rows, src, ss, dst, ds, 4, 2, func(x G) G {
		d := g.New()
		g.FADD(d, x, x)
		return d
	})
	asm := string(e.Asm())
	for _, want := range []string{
		"prow1:", "MOVD R1, R5", "MOVD R3, R6", "MOVD $2, R7", "pgroup2:", "VLD1.P 32(R5), [V0.S4, V1.S4]",
		"VST1.P [V2.S4, V3.S4], 32(R6)", "CBNZ R7, pgroup2", "ADD R2, R1", "ADD R4, R3", "SUB $1, R0", "CBNZ R0, prow1",
	} {
		if !strings.Contains(asm, want) {
			t.Errorf("MapRows lacks %q:\n%s", want, asm)
		}
	}
	if g.inUse() != 0 {
		t.Errorf("MapRows left %d vector registers in use", g.inUse())
	}
	mustPanic(t, "unroll not dividing", func() { g.MapRows(rows, src, ss, dst, ds, 4, 3, func(x G) G { return x }) })
}

func TestGString(t *testing.T) {
	if got := (G{3, 4}).String(); got != "V3, V4" {
		t.Errorf("G{3, 4}.String() = %q, want \"V3, V4\"", got)
	}
}

// TestLoadConsts checks that pooled constants load from one table, four
// consecutive registers per VLD4R and a shorter VLDnR where a run of
// consecutive registers ends, that a lone constant is an immediate, and
// that Const loads at once again after LoadConsts.
func TestLoadConsts(t *testing.T) {
	g := begin()
	g.PoolConsts()
	var vs []emit.V
	for i := range 5 {
		vs = append(vs, g.Const(uint32(i+1)))
	}
	gap := g.V()
	vs = append(vs, g.Const(6), g.Const(7))
	if before := string(g.E.Asm()); strings.Contains(before, "V0") {
		t.Fatalf("pooled Const emitted code before LoadConsts:\n%s", before)
	}
	g.LoadConsts("k")
	g.FreeV(gap)
	one := g.Const(8) // not pooled
	asm := string(g.E.Asm())
	for _, want := range []string{
		"VLD4R.P 16(R0), [V0.S4, V1.S4, V2.S4, V3.S4]",
		"VLD1R.P 4(R0), [V4.S4]",
		"VLD2R.P 8(R0), [V6.S4, V7.S4]",
		"MOVW $0x00000008, R0 // V5: int 8 in every lane",
		"DATA k<>+24(SB)/4, $0x00000007",
		"GLOBL k<>(SB), RODATA|NOPTR, $28",
	} {
		if !strings.Contains(asm, want) {
			t.Errorf("no %q in\n%s", want, asm)
		}
	}
	if len(vs) != 7 || vs[5] != 6 || one != 5 {
		t.Errorf("registers %v and %v, want V0..V4, V6, V7 and V5", vs, one)
	}
	g = begin()
	g.PoolConsts()
	g.Const(0x3f800000)
	g.LoadConsts("lone")
	if asm := string(g.E.Asm()); strings.Contains(asm, "lone") || !strings.Contains(asm, "VDUP R0, V0.S4") {
		t.Errorf("a lone pooled constant is not an immediate:\n%s", asm)
	}
}
