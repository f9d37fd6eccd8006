// Package neon is the part of scorekit's arm64 generators shared by every
// kernel family, on top of package emit: a register allocator, operations
// over a group of registers (one per unrolled vector, so that each
// kernel's body is written once and emitted for every unroll), broadcast
// constants and coefficients (hoisted into vector registers where the
// registers allow: Fit), the loop skeletons of elementwise maps over
// slices and over a tile's rows and of reductions, and the exp sequence of
// kernel.exp32.
//
// A loop's body runs over k vectors of four float32 lanes, with k the
// unroll of the main loop, then k = 1 for the last whole vectors, then
// k = 1 on a single element loaded into lane 0 (FMOVS zeroes the other
// lanes), so the tail computes with exactly the same instructions and
// never touches memory outside the slices.
package neon

import (
	"fmt"
	"math"
	"strings"

	"github.com/scorekit/scorekit/gen/arm64/emit"
)

// G is a group of vector registers, one per unrolled vector.
type G []emit.V

// String names the group's registers, for comments: V3, V4.
func (x G) String() string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = fmt.Sprintf("V%d", v)
	}
	return strings.Join(s, ", ")
}

// Gen emits one function, or one part of a function (Continue).
type Gen struct {
	E      *emit.Emitter
	k      int      // vectors per group in the body being emitted
	vfree  [32]bool // vector registers not in use
	rfree  []emit.R // general registers not in use
	label  int
	prefix string // of every label
	peak   int    // most vector registers in use at once
	coefs  int    // Coef calls so far
	hoist  int    // how many Coef calls get a vector register
	pool   bool   // Const defers its loads to LoadConsts
	pooled []pooled
	// share names the table LoadConsts loads pooled[:shareN] from, a
	// prefix of the pool that other Gens pool too (LoadExp's).
	share  string
	shareN int
}

// pooled is a constant Const has allocated and LoadConsts is to load.
type pooled struct {
	v    emit.V
	bits uint32
}

// generalRegs are the general registers a generated leaf may use.
var generalRegs = []emit.R{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 24, 25}

// Begin starts function f on e.
func Begin(e *emit.Emitter, f emit.Func) *Gen {
	if f.Requires == "" {
		f.Requires = "ASIMD"
	}
	e.TEXT(f)
	return Continue(e, "")
}

// Continue returns a Gen for code inside a function e has already begun,
// with every vector and general register free: the caller's registers must
// be dead (it reloads what it needs from the arguments). Its labels start
// with prefix, so that several Gens can emit parts of one function.
func Continue(e *emit.Emitter, prefix string) *Gen {
	g := &Gen{E: e, k: 1, prefix: prefix}
	for i := range g.vfree {
		g.vfree[i] = true
	}
	g.rfree = append([]emit.R(nil), generalRegs...)
	return g
}

// Fit emits build on the Gen start returns for e, with as many of the
// coefficients build declares (Coef, in that order) hoisted into vector
// registers as the registers allow. A dry run on e.Scratch(), with
// none hoisted, measures the most vector registers build holds at once;
// each hoisted coefficient holds one more for the whole function, and
// constants are allocated before any loop body, so the bodies' groups keep
// their pattern (shifted up) and fit exactly when peak + hoisted ≤ 32.
func Fit(e *emit.Emitter, start func(e *emit.Emitter) *Gen, build func(g *Gen)) {
	dry := start(e.Scratch())
	build(dry)
	g := start(e)
	g.hoist = min(dry.coefs, 32-dry.peak)
	build(g)
}

// GP allocates a general register.
func (g *Gen) GP() emit.R {
	if len(g.rfree) == 0 {
		panic("neon: out of general registers")
	}
	r := g.rfree[0]
	g.rfree = g.rfree[1:]
	return r
}

// vec allocates n consecutive vector registers.
func (g *Gen) vec(n int) []emit.V {
	for s := 0; s+n <= 32; s++ {
		ok := true
		for i := s; i < s+n; i++ {
			ok = ok && g.vfree[i]
		}
		if !ok {
			continue
		}
		out := make([]emit.V, n)
		for i := range out {
			g.vfree[s+i] = false
			out[i] = emit.V(s + i)
		}
		g.peak = max(g.peak, g.inUse())
		return out
	}
	panic(fmt.Sprintf("neon: out of vector registers (%d wanted)", n))
}

// V allocates one vector register outside any group (a constant or an
// accumulator).
func (g *Gen) V() emit.V { return g.vec(1)[0] }

// New allocates a group of consecutive registers for the current body.
func (g *Gen) New() G { return G(g.vec(g.k)) }

// FreeV returns single registers to the allocator.
func (g *Gen) FreeV(vs ...emit.V) { g.Free(G(vs)) }

// Free returns groups to the allocator.
func (g *Gen) Free(gs ...G) {
	for _, x := range gs {
		for _, v := range x {
			if g.vfree[v] {
				panic(fmt.Sprintf("neon: V%d freed twice", v))
			}
			g.vfree[v] = true
		}
	}
}

// B is the constant register c repeated for every vector of the group.
func (g *Gen) B(c emit.V) G {
	out := make(G, g.k)
	for i := range out {
		out[i] = c
	}
	return out
}

// F32 returns float32(v)'s bits.
func F32(v float64) uint32 { return math.Float32bits(float32(v)) }

// Const broadcasts bits into a vector register kept for the whole function
// (written where called: call it before the loops).
func (g *Gen) Const(bits uint32) emit.V {
	if g.pool {
		v := g.V()
		g.pooled = append(g.pooled, pooled{v, bits})
		return v
	}
	v := g.V()
	g.dup(v, bits)
	return v
}

// dup broadcasts bits into v through a general register.
func (g *Gen) dup(v emit.V, bits uint32) {
	r := g.GP()
	g.E.Inst("MOVW $0x%08x, %s // V%d: %s in every lane", bits, r, v, describe(bits))
	g.E.VDUP(v, r)
	g.rfree = append([]emit.R{r}, g.rfree...)
}

// PoolConsts makes the Const calls that follow (and the Coefs Fit
// hoists) only allocate their registers, for LoadConsts to load together:
// a code path that runs many times per call (an epilogue per tile) then
// loads four constants per instruction, not one per two or three.
func (g *Gen) PoolConsts() { g.pool = true }

// LoadConsts emits the loads of the constants pooled since PoolConsts,
// from a read-only table named table (shared by every Gen that pools the
// same constants under that name): its address, then one VLD4R (up to
// four consecutive registers, each broadcast from one word) per group; a
// single constant is loaded as Const does. If the pool begins with 1.0
// and exp's constants (LoadExp), those come from a table of their own
// that every such Gen shares, and the rest from table: one address load
// more, for one copy of exp's constants in the binary. It ends the
// pooling.
func (g *Gen) LoadConsts(table string) {
	g.pool = false
	if g.shareN > 0 {
		g.loadTable(g.share, g.pooled[:g.shareN])
		g.pooled = g.pooled[g.shareN:]
	}
	g.loadTable(table, g.pooled)
	g.pooled, g.share, g.shareN = nil, "", 0
}

// loadTable emits the loads of the constants cs from table, as
// LoadConsts says.
func (g *Gen) loadTable(table string, cs []pooled) {
	if len(cs) == 1 { // a table costs more than its one immediate
		g.dup(cs[0].v, cs[0].bits)
		return
	}
	if len(cs) == 0 {
		return
	}
	words := make([]uint32, len(cs))
	for i, c := range cs {
		words[i] = c.bits
	}
	e := g.E
	p := g.GP()
	e.Comment("the constants, each in every lane of its register, from %s<>", table)
	e.Inst("MOVD $%s, %s", e.Data(table, words), p)
	for i := 0; i < len(cs); {
		n := 1
		for n < 4 && i+n < len(cs) && cs[i+n].v == cs[i+n-1].v+1 {
			n++
		}
		vs := make([]emit.V, n)
		what := make([]string, n)
		for j := range vs {
			vs[j] = cs[i+j].v
			what[j] = fmt.Sprintf("V%d: %s", vs[j], describe(cs[i+j].bits))
		}
		e.VLDnRP(p, vs...)
		e.Inst("// %s", strings.Join(what, ", "))
		i += n
	}
	g.rfree = append([]emit.R{p}, g.rfree...)
}

// Coef is a constant of which a loop body needs fresh copies, to be
// overwritten: a Horner step's addend, where FMLA accumulates into it.
// It lives in a vector register, hoisted out of the loops, where the
// function has one to spare (a copy is then a VMOV), else in a general
// register (a copy is a VDUP from it).
type Coef struct {
	inV bool
	v   emit.V
	r   emit.R
}

// Coef declares a coefficient (written where called: call it before the
// loops). Fit decides which coefficients get a vector register: without
// Fit, none does.
func (g *Gen) Coef(bits uint32) Coef {
	g.coefs++
	if g.coefs <= g.hoist {
		return Coef{inV: true, v: g.Const(bits)}
	}
	r := g.GP()
	g.E.Inst("MOVW $0x%08x, %s // %s", bits, r, describe(bits))
	return Coef{r: r}
}

// describe says what a constant's bits mean, for the comment beside it.
func describe(bits uint32) string {
	if bits < 1<<16 {
		return fmt.Sprintf("int %d", bits)
	}
	if bits == 0x80000000 {
		return "sign bit"
	}
	return fmt.Sprintf("%.9g", math.Float32frombits(bits))
}

// ArgConst broadcasts the float32 argument name into a vector register.
func (g *Gen) ArgConst(name string) emit.V {
	v := g.V()
	g.E.Comment("V%d: %s in every lane", v, name)
	g.E.Inst("FMOVS %s, %s", g.E.Arg(name), v.F())
	g.E.VDUPLane(v, v, 0)
	return v
}

// Fresh allocates a group holding a copy of c in every lane.
func (g *Gen) Fresh(c Coef) G {
	if c.inV {
		return g.Copy(g.B(c.v))
	}
	d := g.New()
	for _, v := range d {
		g.E.VDUP(v, c.r)
	}
	return d
}

// Copy allocates a group holding a copy of a.
func (g *Gen) Copy(a G) G {
	d := g.New()
	for i := range d {
		g.E.VMOV(d[i], a[i])
	}
	return d
}

func (g *Gen) each3(op func(d, n, m emit.V), d, n, m G) {
	for i := range d {
		op(d[i], n[i], m[i])
	}
}

func (g *Gen) each2(op func(d, n emit.V), d, n G) {
	for i := range d {
		op(d[i], n[i])
	}
}

// Group operations, destination first; d may alias an operand.

func (g *Gen) FADD(d, n, m G)  { g.each3(g.E.FADD, d, n, m) }
func (g *Gen) FSUB(d, n, m G)  { g.each3(g.E.FSUB, d, n, m) }
func (g *Gen) FMUL(d, n, m G)  { g.each3(g.E.FMUL, d, n, m) }
func (g *Gen) FDIV(d, n, m G)  { g.each3(g.E.FDIV, d, n, m) }
func (g *Gen) FMAX(d, n, m G)  { g.each3(g.E.FMAX, d, n, m) }
func (g *Gen) FMIN(d, n, m G)  { g.each3(g.E.FMIN, d, n, m) }
func (g *Gen) FMLA(d, n, m G)  { g.each3(g.E.VFMLA, d, n, m) }
func (g *Gen) FMLS(d, n, m G)  { g.each3(g.E.VFMLS, d, n, m) }
func (g *Gen) FCMEQ(d, n, m G) { g.each3(g.E.FCMEQ, d, n, m) }
func (g *Gen) FCMGE(d, n, m G) { g.each3(g.E.FCMGE, d, n, m) }
func (g *Gen) FCMGT(d, n, m G) { g.each3(g.E.FCMGT, d, n, m) }
func (g *Gen) VADD(d, n, m G)  { g.each3(g.E.VADD, d, n, m) }
func (g *Gen) VSUB(d, n, m G)  { g.each3(g.E.VSUB, d, n, m) }
func (g *Gen) VAND(d, n, m G)  { g.each3(g.E.VAND, d, n, m) }
func (g *Gen) VBIT(d, n, m G)  { g.each3(g.E.VBIT, d, n, m) }
func (g *Gen) VBIF(d, n, m G)  { g.each3(g.E.VBIF, d, n, m) }
func (g *Gen) VBSL(d, n, m G)  { g.each3(g.E.VBSL, d, n, m) }
func (g *Gen) FABS(d, n G)     { g.each2(g.E.FABS, d, n) }
func (g *Gen) FNEG(d, n G)     { g.each2(g.E.FNEG, d, n) }
func (g *Gen) FRINTN(d, n G)   { g.each2(g.E.FRINTN, d, n) }
func (g *Gen) FCVTZS(d, n G)   { g.each2(g.E.FCVTZS, d, n) }
func (g *Gen) FCMGTZ(d, n G)   { g.each2(g.E.FCMGTZ, d, n) }
func (g *Gen) FCMGEZ(d, n G)   { g.each2(g.E.FCMGEZ, d, n) }
func (g *Gen) FCMLEZ(d, n G)   { g.each2(g.E.FCMLEZ, d, n) }
func (g *Gen) FCMLTZ(d, n G)   { g.each2(g.E.FCMLTZ, d, n) }
func (g *Gen) FCMEQZ(d, n G)   { g.each2(g.E.FCMEQZ, d, n) }
func (g *Gen) SSHR(d, n G, sh int) {
	for i := range d {
		g.E.SSHR(d[i], n[i], sh)
	}
}
func (g *Gen) VSHL(d, n G, sh int) {
	for i := range d {
		g.E.VSHL(d[i], n[i], sh)
	}
}

// Horner returns c + p·r, from a fresh copy of the coefficient c,
// freeing p.
func (g *Gen) Horner(p, r G, c Coef) G {
	t := g.Fresh(c)
	g.FMLA(t, p, r)
	g.Free(p)
	return t
}

// HornerV is Horner with the addend c in a vector register.
func (g *Gen) HornerV(p, r G, c emit.V) G {
	t := g.Copy(g.B(c))
	g.FMLA(t, p, r)
	g.Free(p)
	return t
}

func (g *Gen) inUse() int {
	n := 0
	for _, f := range g.vfree {
		if !f {
			n++
		}
	}
	return n
}

// checkLeaks panics if a loop body did not free what it allocated.
func (g *Gen) checkLeaks(before int) {
	if after := g.inUse(); after != before {
		panic(fmt.Sprintf("neon: loop body leaked %d vector registers", after-before))
	}
}

// Label returns a fresh label name with the given stem.
func (g *Gen) Label(stem string) string {
	g.label++
	return fmt.Sprintf("%s%s%d", g.prefix, stem, g.label)
}

// Map emits an elementwise loop over n = len(count) elements: each
// iteration loads one group from every input, runs body and stores the
// groups it returns to the outputs, in order. unroll is the number of
// vectors per main-loop iteration. body must free what it allocates except
// the groups it returns; the loop frees those and the inputs (an input
// returned as an output is freed once).
func (g *Gen) Map(ins, outs []string, count string, unroll int, body func(in []G) []G) {
	e := g.E
	pin := make([]emit.R, len(ins))
	pout := make([]emit.R, len(outs))
	for i, a := range ins {
		pin[i] = g.GP()
		e.MOVD(e.Arg(a+"_base"), pin[i])
	}
	for i, a := range outs {
		pout[i] = g.GP()
		e.MOVD(e.Arg(a+"_base"), pout[i])
	}
	n := g.GP()
	e.MOVD(e.Arg(count+"_len"), n)

	iter := func(k int, scalar bool) {
		defer g.checkLeaks(g.inUse())
		g.k = k
		in := make([]G, len(ins))
		for i := range ins {
			in[i] = g.New()
			if scalar {
				e.FLDP(pin[i], in[i][0])
			} else {
				e.VLD1P(pin[i], in[i]...)
			}
		}
		out := body(in)
		for i := range outs {
			if scalar {
				e.FSTP(pout[i], out[i][0])
			} else {
				e.VST1P(pout[i], out[i]...)
			}
		}
		freed := map[emit.V]bool{}
		for _, x := range append(in, out...) {
			if !freed[x[0]] {
				freed[x[0]] = true
				g.Free(x)
			}
		}
	}
	main, one, tail, done := g.Label("main"), g.Label("vec"), g.Label("tail"), g.Label("done")
	if unroll > 1 {
		e.Comment("%d vectors (%d elements) per iteration", unroll, 4*unroll)
		e.Label(main)
		e.Inst("CMP $%d, %s", 4*unroll, n)
		e.Inst("BLT %s", one)
		iter(unroll, false)
		e.Inst("SUB $%d, %s", 4*unroll, n)
		e.Inst("B %s", main)
	}
	e.Comment("one vector (4 elements) per iteration")
	e.Label(one)
	e.Inst("CMP $4, %s", n)
	e.Inst("BLT %s", tail)
	iter(1, false)
	e.Inst("SUB $4, %s", n)
	e.Inst("B %s", one)
	e.Comment("one element per iteration, in lane 0")
	e.Label(tail)
	e.Inst("CBZ %s, %s", n, done)
	iter(1, true)
	e.Inst("SUB $1, %s", n)
	e.Inst("B %s", tail)
	e.Label(done)
	e.Inst("RET")
}

// MapRows emits an elementwise map over a tile of rows × 4·cols float32
// (rows ≥ 1, a register): row i is read from src + i·srcStride and written
// to dst + i·dstStride (strides in bytes, in registers), unroll vectors at
// a time (unroll divides cols), each group through body as in Map (body
// frees what it allocates but the group it returns). The row's vectors go
// in order, each loaded before it is stored and never read again, so dst
// may be src with the same stride. It touches nothing outside the rows'
// 16·cols bytes, clobbers rows, src and dst, and falls through when done.
func (g *Gen) MapRows(rows, src, srcStride, dst, dstStride emit.R, cols, unroll int, body func(x G) G) {
	if unroll < 1 || cols%unroll != 0 {
		panic(fmt.Sprintf("neon: MapRows: unroll %d does not divide %d vectors", unroll, cols))
	}
	e := g.E
	ps, pd := g.GP(), g.GP()
	var n emit.R
	if cols > unroll {
		n = g.GP()
	}
	row, group := g.Label("row"), g.Label("group")
	e.Comment("one row of %d vectors per iteration, %d at a time", cols, unroll)
	e.Label(row)
	e.MOVD(src.String(), ps)
	e.MOVD(dst.String(), pd)
	if cols > unroll {
		e.MOVD(fmt.Sprintf("$%d", cols/unroll), n)
		e.Label(group)
	}
	func() {
		defer g.checkLeaks(g.inUse())
		g.k = unroll
		x := g.New()
		e.VLD1P(ps, x...)
		y := body(x)
		e.VST1P(pd, y...)
		g.Free(x)
		if y[0] != x[0] {
			g.Free(y)
		}
	}()
	if cols > unroll {
		e.Inst("SUB $1, %s", n)
		e.Inst("CBNZ %s, %s", n, group)
	}
	e.Inst("ADD %s, %s", srcStride, src)
	e.Inst("ADD %s, %s", dstStride, dst)
	e.Inst("SUB $1, %s", rows)
	e.Inst("CBNZ %s, %s", rows, row)
	g.rfree = append([]emit.R{ps, pd}, g.rfree...)
	if cols > unroll {
		g.rfree = append([]emit.R{n}, g.rfree...)
	}
}

// Reduce emits a reduction loop over n = len(count) elements into
// unroll accumulator vectors, then sums them into the float32 result ret.
// body adds one group of each input into acc (a group of accumulators).
func (g *Gen) Reduce(ins []string, count string, unroll int, body func(acc G, in []G)) {
	e := g.E
	pin := make([]emit.R, len(ins))
	for i, a := range ins {
		pin[i] = g.GP()
		e.MOVD(e.Arg(a+"_base"), pin[i])
	}
	n := g.GP()
	e.MOVD(e.Arg(count+"_len"), n)
	acc := G(g.vec(unroll))
	e.Comment("V%d..V%d: accumulators", acc[0], acc[len(acc)-1])
	for _, a := range acc {
		e.VEOR(a, a, a)
	}
	iter := func(k int, scalar bool) {
		defer g.checkLeaks(g.inUse())
		g.k = k
		in := make([]G, len(ins))
		for i := range ins {
			in[i] = g.New()
			if scalar {
				e.FLDP(pin[i], in[i][0])
			} else {
				e.VLD1P(pin[i], in[i]...)
			}
		}
		body(acc[:k], in)
		g.Free(in...)
	}
	main, one, tail, done := g.Label("main"), g.Label("vec"), g.Label("tail"), g.Label("done")
	e.Comment("%d vectors (%d elements) per iteration", unroll, 4*unroll)
	e.Label(main)
	e.Inst("CMP $%d, %s", 4*unroll, n)
	e.Inst("BLT %s", one)
	iter(unroll, false)
	e.Inst("SUB $%d, %s", 4*unroll, n)
	e.Inst("B %s", main)
	e.Comment("one vector per iteration, into V%d", acc[0])
	e.Label(one)
	e.Inst("CMP $4, %s", n)
	e.Inst("BLT %s", tail)
	iter(1, false)
	e.Inst("SUB $4, %s", n)
	e.Inst("B %s", one)
	e.Comment("one element per iteration, into lane 0 of V%d (the other lanes add 0·0)", acc[0])
	e.Label(tail)
	e.Inst("CBZ %s, %s", n, done)
	iter(1, true)
	e.Inst("SUB $1, %s", n)
	e.Inst("B %s", tail)
	e.Label(done)
	e.Comment("sum the accumulators pairwise, then the four lanes")
	for w := len(acc); w > 1; w /= 2 {
		for i := 0; i < w/2; i++ {
			e.FADD(acc[i], acc[i], acc[i+w/2])
		}
	}
	e.FADDP(acc[0], acc[0], acc[0])
	e.FADDPS(acc[0], acc[0])
	e.Inst("FMOVS %s, %s", acc[0].F(), e.Arg("ret"))
	e.Inst("RET")
}

// ExpConsts are the registers exp needs, loaded once per function.
type ExpConsts struct {
	min, max, log2e, ln2Hi, ln2Lo, p6, one, bias emit.V
	// p5..p2 are the Horner addends of exp's polynomial.
	p5, p4, p3, p2 Coef
}

// The constants of kernel.exp32 (kernel/exp.go).
const (
	expMin  = -104.0
	expMax  = 89.0
	log2e   = 1.44269504088896341
	ln2Hi   = 0.693359375
	ln2Lo   = -2.12194440e-4
	expBias = 127
)

// The bits of kernel.exp32's polynomial coefficients expP2..expP6.
const (
	expP2 = 0x3effffff
	expP3 = 0x3e2aaa3f
	expP4 = 0x3d2aab1c
	expP5 = 0x3c092384
	expP6 = 0x3ab61a88
)

// LoadExp loads exp's constants; one is the register holding 1.0, shared
// with the caller.
func (g *Gen) LoadExp(one emit.V) *ExpConsts {
	g.E.Comment("constants of exp32")
	first := len(g.pooled) == 1 && g.pooled[0].v == one
	c := &ExpConsts{
		min: g.Const(F32(expMin)), max: g.Const(F32(expMax)), log2e: g.Const(F32(log2e)),
		ln2Hi: g.Const(F32(ln2Hi)), ln2Lo: g.Const(F32(ln2Lo)), p6: g.Const(expP6),
		one: one, bias: g.Const(expBias),
		p5: g.Coef(expP5), p4: g.Coef(expP4), p3: g.Coef(expP3), p2: g.Coef(expP2),
	}
	if first { // 1.0 and these lead the pool: LoadConsts shares them
		g.shareN = len(g.pooled)
		g.share = fmt.Sprintf("exp%dconsts", g.shareN)
	}
	return c
}

// Exp returns a new group holding exp32(x), with kernel.exp32's operation
// sequence. x is not changed.
func (g *Gen) Exp(c *ExpConsts, x G) G {
	g.E.Inst("// exp32(%s): n = roundeven(clamp(x)·log2e)", x)
	xc := g.New()
	g.FMAX(xc, x, g.B(c.min))
	g.FMIN(xc, xc, g.B(c.max))
	n := g.New()
	g.FMUL(n, xc, g.B(c.log2e))
	g.FRINTN(n, n)
	g.E.Inst("// r = fma(−n, ln2Lo, fma(−n, ln2Hi, x)), then p(r) by Horner")
	g.FMLS(xc, n, g.B(c.ln2Hi))
	g.FMLS(xc, n, g.B(c.ln2Lo))
	r := xc
	// Horner: p = 1 + r(1 + r(p₂ + r(p₃ + … + r·p₆)))
	p := g.Fresh(c.p5)
	g.FMLA(p, g.B(c.p6), r)
	for _, k := range []Coef{c.p4, c.p3, c.p2} {
		p = g.Horner(p, r, k)
	}
	p = g.HornerV(p, r, c.one)
	p = g.HornerV(p, r, c.one)
	g.Free(r)
	g.E.Inst("// p · 2^(n>>1) · 2^(n − n>>1), each factor built in the exponent field")
	ni := n
	g.FCVTZS(ni, n)
	n1 := g.New()
	g.SSHR(n1, ni, 1)
	g.VSUB(ni, ni, n1)
	g.VADD(n1, n1, g.B(c.bias))
	g.VADD(ni, ni, g.B(c.bias))
	g.VSHL(n1, n1, 23)
	g.VSHL(ni, ni, 23)
	g.FMUL(p, p, n1)
	g.FMUL(p, p, ni)
	g.Free(n1, ni)
	return p
}
