// Command gemm generates the NEON GEMM microkernel and packed matvec of
// package kernel (asm/gemm_arm64.s and its declarations):
//
//	GemmNEON    np 6×16 tiles side by side, V0..V23 accumulators (row r in
//	            V4r..V4r+3), each followed by the activation epilogue
//	MatVecNEON  y = bias + xᵀ·B over packed panels of 16 columns, axpy form
//
// The products need only instructions Go's assembler knows (VLD1, VLD1R,
// VFMLA, VST1): the a operand is broadcast by LD1R, so there is no
// multiply by element and no horizontal sum. The epilogue emits the
// activations' bodies of gen/arm64/actbody, as gen/arm64/act does. Run by
// go generate from kernel/generate_neon.go.
package main

import (
	"fmt"

	"github.com/scorekit/scorekit/gen/arm64/actbody"
	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func main() { neon.Main("gemm", build) }

const (
	mr = 6  // tile rows
	nv = 4  // vectors per tile row
	nr = 16 // tile columns

	panelShift = 6 // a packed panel's row is 4·nr = 1<<panelShift bytes (MatVecNEON)
)

func build(e *emit.Emitter) {
	gemm(e)
	matvec(e)
}

func p(name, typ string) emit.Param { return emit.Param{Name: name, Type: typ} }

// The general registers of GemmNEON.
const (
	rK    emit.R = 0
	rA    emit.R = 1
	rRS   emit.R = 2 // row stride of A, bytes
	rPS   emit.R = 3 // step stride of A, bytes
	rB    emit.R = 4
	rC    emit.R = 5
	rLDC  emit.R = 6 // row stride of C, bytes
	rBias emit.R = 7
	rMode emit.R = 8
	rM    emit.R = 9
	rRow0 emit.R = 10 // R10..R15: A's row pointers
	rT    emit.R = 16
	rLDB  emit.R = 19 // row stride of B, bytes
)

func acc(r, v int) emit.V { return emit.V(nv*r + v) }

// bv are the b row's registers, bc the a broadcasts (rotated).
var (
	bv = []emit.V{24, 25, 26, 27}
	bc = []emit.V{28, 29, 30, 31}
)

func gemm(e *emit.Emitter) {
	name := "GemmNEON"
	e.TEXT(emit.Func{
		Name: name,
		Doc: []string{
			fmt.Sprintf("%s computes rows 0..m−1 (1 ≤ m ≤ %d) of a %d×%d tile of C (row stride ldc elements):", name, mr, mr, nr),
			"C[r][j] = init + Σₚ a[r·rs+p·ps]·b[p·ldb+j], one FMA per p in order; init is 0 (mode 0),",
			"C[r][j] (mode 1) or bias[j] (mode 2). A and B are read in place with their strides (elements):",
			fmt.Sprintf("A packed (rs=1, ps=mr) or not (rs=lda, ps=1), B's k rows packed (ldb=%d) or not (ldb=its stride).", nr),
			"Then, if act ≠ 0 (a kernel.Activation; 0 is identity: y is not touched), y[r·ldy+j] = act(C[r][j])",
			"for the m rows, by the operation sequence of kernel's Act. y is C itself (ldy = ldc) or a tile",
			"that does not overlap it; act is in range (the caller checks).",
			fmt.Sprintf("It does this for np tiles side by side: tile q reads B at b + q·qs (qs = k·%d packed, %d not) and", nr, nr),
			fmt.Sprintf("bias + q·%d, and writes C and y %d columns on; for np < 1 it returns at once.", nr, nr),
		},
		Params: []emit.Param{p("k", "int"), p("m", "int"), p("a", "*float32"), p("rs", "int"), p("ps", "int"),
			p("b", "*float32"), p("ldb", "int"), p("qs", "int"), p("c", "*float32"), p("ldc", "int"), p("bias", "*float32"), p("mode", "int"),
			p("y", "*float32"), p("ldy", "int"), p("act", "int"), p("np", "int")},
		Requires: "ASIMD",
	})
	e.Comment("np < 1: nothing to do (the Go wrapper never calls with one)")
	e.MOVD(e.Arg("np"), rT)
	e.Inst("CMP $1, %s", rT)
	e.Inst("BLT ret")
	e.Comment("each tile starts here, from the arguments (nextPanel moves them on)")
	e.Label("panel")
	for _, x := range []struct {
		arg string
		r   emit.R
	}{{"k", rK}, {"m", rM}, {"a", rA}, {"rs", rRS}, {"ps", rPS}, {"b", rB}, {"ldb", rLDB}, {"c", rC}, {"ldc", rLDC}, {"bias", rBias}, {"mode", rMode}} {
		e.MOVD(e.Arg(x.arg), x.r)
	}
	e.Inst("LSL $2, %s", rLDB)
	e.Inst("LSL $2, %s", rRS)
	e.Inst("LSL $2, %s", rPS)
	e.Inst("LSL $2, %s", rLDC)
	e.Comment("a code path per row count, so that a short tile touches only its rows")
	for rows := mr; rows >= 1; rows-- {
		e.Inst("CMP $%d, %s", rows, rM)
		e.Inst("BEQ m%d", rows)
	}
	e.Inst("RET // m out of range: the Go wrapper never calls with one")
	for rows := mr; rows >= 1; rows-- {
		gemmRows(e, rows)
	}
	e.Comment("the activation: y = act(C), C's m rows to y's")
	epilogue(e, "B next", func(e *emit.Emitter, rows, src, ss, dst, ds emit.R) {
		e.MOVD(e.Arg("m"), rows)
		e.MOVD(e.Arg("c"), src)
		e.MOVD(e.Arg("ldc"), ss)
		e.Inst("LSL $2, %s", ss)
		e.MOVD(e.Arg("y"), dst)
		e.MOVD(e.Arg("ldy"), ds)
		e.Inst("LSL $2, %s", ds)
	})
	nextPanel(e)
}

// nextPanel emits the end of GemmNEON's tile, at label next: if it was the
// last of the np, return; otherwise move the arguments b (by qs), c, bias
// (mode 2 only) and y (act ≠ 0 only) on to the next tile, write them back to
// their slots, and start again at panel. Pointers that are not used (a nil
// bias or y) or would pass their slice's end (after the last tile) are not
// moved.
func nextPanel(e *emit.Emitter) {
	const (
		rNP emit.R = 0
		rS  emit.R = 1 // bytes from one panel of B to the next
		rP  emit.R = 2
	)
	e.Comment("the next tile: b by qs values (a panel), c, bias (mode 2) and y (act ≠ 0) by %d columns", nr)
	e.Label("next")
	e.MOVD(e.Arg("np"), rNP)
	e.Inst("SUBS $1, %s", rNP)
	e.Inst("BLE ret")
	e.Inst("MOVD %s, %s", rNP, e.Arg("np"))
	e.MOVD(e.Arg("qs"), rS)
	e.Inst("LSL $2, %s", rS)
	move := func(arg, by string) {
		e.MOVD(e.Arg(arg), rP)
		e.Inst("ADD %s, %s", by, rP)
		e.Inst("MOVD %s, %s", rP, e.Arg(arg))
	}
	move("b", rS.String())
	move("c", fmt.Sprintf("$%d", 4*nr))
	e.MOVD(e.Arg("mode"), rP)
	e.Inst("CMP $2, %s", rP)
	e.Inst("BNE nobias")
	move("bias", fmt.Sprintf("$%d", 4*nr))
	e.Label("nobias")
	e.MOVD(e.Arg("act"), rP)
	e.Inst("CBZ %s, panel", rP)
	move("y", fmt.Sprintf("$%d", 4*nr))
	e.Inst("B panel")
	e.Label("ret")
	e.Inst("RET")
}

func gemmRows(e *emit.Emitter, rows int) {
	l := func(s string) string { return fmt.Sprintf("m%d%s", rows, s) }
	e.Comment("%d rows. V0..V%d: %d×%d accumulators (row r in V4r..V4r+3); V24..V27: b row (the next %s bytes on); V28..V31: broadcast a; R10..R%d: A's rows",
		rows, nv*rows-1, rows, nr, rLDB, 10+rows-1)
	e.Label(l(""))
	e.MOVD(rA.String(), rRow0)
	for r := 1; r < rows; r++ {
		e.Inst("ADD %s, %s, %s", rRS, rRow0+emit.R(r-1), rRow0+emit.R(r))
	}
	e.Inst("CMP $1, %s", rMode)
	e.Inst("BEQ %s", l("load"))
	e.Inst("CMP $2, %s", rMode)
	e.Inst("BEQ %s", l("bias"))
	e.Comment("mode 0: start from zero")
	for r := range rows {
		for v := range nv {
			e.VEOR(acc(r, v), acc(r, v), acc(r, v))
		}
	}
	e.Inst("B %s", l("loop"))

	e.Label(l("load"))
	e.Comment("mode 1: start from C")
	e.MOVD(rC.String(), rT)
	for r := range rows {
		e.VLD1(rT, acc(r, 0), acc(r, 1), acc(r, 2), acc(r, 3))
		if r < rows-1 {
			e.Inst("ADD %s, %s", rLDC, rT)
		}
	}
	e.Inst("B %s", l("loop"))

	e.Label(l("bias"))
	e.Comment("mode 2: start from the bias row, in every tile row")
	e.VLD1(rBias, acc(0, 0), acc(0, 1), acc(0, 2), acc(0, 3))
	for r := 1; r < rows; r++ {
		for v := range nv {
			e.VMOV(acc(r, v), acc(0, v))
		}
	}

	e.Comment("one step p per iteration: the b row, then each row's a broadcast and its %d FMAs", nv)
	e.Label(l("loop"))
	e.Inst("CBZ %s, %s", rK, l("store"))
	e.Inst("VLD1.P (%s)(%s), [%s, %s, %s, %s]", rB, rLDB, bv[0].S4(), bv[1].S4(), bv[2].S4(), bv[3].S4())
	for r := range rows {
		x := bc[r%len(bc)]
		e.Inst("VLD1R.P (%s)(%s), [%s]", rRow0+emit.R(r), rPS, x.S4())
		for v := range nv {
			e.VFMLA(acc(r, v), bv[v], x)
		}
	}
	e.Inst("SUB $1, %s", rK)
	e.Inst("B %s", l("loop"))

	e.Label(l("store"))
	e.Comment("write the rows to C")
	for r := range rows {
		e.Inst("VST1 [%s, %s, %s, %s], (%s)", acc(r, 0).S4(), acc(r, 1).S4(), acc(r, 2).S4(), acc(r, 3).S4(), rC)
		if r < rows-1 {
			e.Inst("ADD %s, %s", rLDC, rC)
		}
	}
	if rows > 1 {
		e.Inst("B epilogue")
	} else {
		e.Comment("fall through to the epilogue")
	}
}

// epilogue emits the end of the current function, at label epilogue: it
// applies the activation named by the function's argument act to a tile
// the code before has already stored (so it is in L1 and every register is
// free), then emits exit (RET, or a branch on). For act = 0 (identity) it
// exits at once; otherwise it branches to that activation's loop, which
// walks the tile row by row (4 vectors a row): it loads each row from src,
// passes it through the activation's body from gen/arm64/actbody (as many
// vectors at a time as Act's kernel takes), and stores the results to the
// same row of dst. The activation's constants are loaded before its loop,
// into vector registers as far as they fit (neon.Fit), from a read-only
// table, four to a VLD4R: GemmNEON runs the epilogue once per tile, and
// they cannot stay in registers from one tile to the next, as a 6-row
// tile's products hold all 32 (24 accumulators, 4 b vectors, 4 a
// broadcasts). The twelve constants of exp (1.0 first) that six
// activations begin with come from one table they share (see
// neon.Gen.LoadConsts), their others from their own: one address load
// more per tile than a table each, which held the twelve six times. That
// takes 4–9 assembly instructions per tile (coefficients in general
// registers included) where an immediate and a VDUP per constant took
// 31–55. tile emits the code that sets the loop's registers from the
// arguments: the row count, the first src and dst rows, and their strides
// in bytes.
func epilogue(e *emit.Emitter, exit string, tile func(e *emit.Emitter, rows, src, srcStride, dst, dstStride emit.R)) {
	const rAct emit.R = 0
	e.Label("epilogue")
	e.MOVD(e.Arg("act"), rAct)
	e.Inst("CBNZ %s, activation", rAct)
	e.Inst("%s // identity: nothing to do", exit)
	e.Label("activation")
	for i, a := range actbody.Activations[1:] {
		e.Inst("CMP $%d, %s", i+1, rAct)
		e.Inst("BEQ %s", a.Name)
	}
	e.Inst("RET // act out of range: the Go wrapper never calls with one")
	for _, a := range actbody.Activations[1:] {
		e.Comment("%s: %s on every row", a.Name, a.Body.Scalar)
		e.Label(a.Name)
		neon.Fit(e, func(e *emit.Emitter) *neon.Gen { return neon.Continue(e, a.Name) }, func(g *neon.Gen) {
			g.PoolConsts()
			body := a.Body.Setup(g)
			g.LoadConsts(a.Name + "consts")
			rows, src, ss, dst, ds := g.GP(), g.GP(), g.GP(), g.GP(), g.GP()
			e := g.E
			e.Comment("%s: rows left, %s, %s: the source and destination rows, %s, %s: their strides in bytes", rows, src, dst, ss, ds)
			tile(e, rows, src, ss, dst, ds)
			e.Inst("CBZ %s, %sdone", rows, a.Name)
			g.MapRows(rows, src, ss, dst, ds, nv, a.Body.Unroll, func(x neon.G) neon.G {
				e.Inst("// %s of %s", a.Body.Scalar, x)
				return body(x)
			})
			e.Label(a.Name + "done")
			e.Inst(exit)
		})
	}
}

// The general registers of MatVecNEON.
const (
	mK      emit.R = 0
	mNP     emit.R = 1
	mBB     emit.R = 2 // the next panel
	mX      emit.R = 3
	mY      emit.R = 4
	mBias   emit.R = 5
	mStride emit.R = 6 // bytes per panel
	mP0     emit.R = 7 // R7..R10: the panels of a group
	mXP     emit.R = 11
	mKK     emit.R = 12
)

// matvec emits y[j] = init[j] + Σₚ x[p]·B[p][j] over np packed panels of
// nr columns, init being bias or 0 if bias is nil. Panels go four, two,
// then one at a time (up to sixteen independent FMA chains).
func matvec(e *emit.Emitter) {
	name := "MatVecNEON"
	e.TEXT(emit.Func{
		Name: name,
		Doc: []string{
			fmt.Sprintf("%s computes y[j] = init[j] + Σₚ x[p]·B[p][j], one FMA per p in order, over np", name),
			fmt.Sprintf("packed panels of %d columns (panel q: k rows of %d values at b[q·k·%d:]); init is bias,", nr, nr, nr),
			fmt.Sprintf("or 0 if bias is nil. y (and bias) hold np·%d values. Then, if act (a kernel.Activation)", nr),
			"is not 0, out[j] = act(y[j]) by the operation sequence of kernel's Act; out is y or does",
			"not overlap it. For np < 1 it returns at once.",
		},
		Params: []emit.Param{p("k", "int"), p("np", "int"), p("b", "*float32"), p("x", "*float32"), p("y", "*float32"), p("bias", "*float32"),
			p("out", "*float32"), p("act", "int")},
		Requires: "ASIMD",
	})
	for _, x := range []struct {
		arg string
		r   emit.R
	}{{"k", mK}, {"np", mNP}, {"b", mBB}, {"x", mX}, {"y", mY}, {"bias", mBias}} {
		e.MOVD(e.Arg(x.arg), x.r)
	}
	e.Comment("np < 1: nothing to do (the Go wrapper never calls with one)")
	e.Inst("CMP $1, %s", mNP)
	e.Inst("BLT none")
	e.Inst("LSL $%d, %s, %s", panelShift, mK, mStride)
	const xb emit.V = 31
	tmp := [][]emit.V{{16, 17, 18, 19}, {20, 21, 22, 23}}
	for gi, g := range []int{4, 2, 1} {
		next := []string{"g2", "g1", "done"}[gi]
		gl := fmt.Sprintf("g%d", g)
		e.Comment("%d panels at a time. V0..V%d: accumulators (panel q in V4q..V4q+3); V16..V23: b rows; V31: broadcast x[p]", g, 4*g-1)
		e.Label(gl)
		e.Inst("CMP $%d, %s", g, mNP)
		e.Inst("BLT %s", next)
		accs := func(q int) []emit.V { return []emit.V{acc(q, 0), acc(q, 1), acc(q, 2), acc(q, 3)} }
		e.Inst("CBZ %s, %szero", mBias, gl)
		for q := range g {
			e.VLD1P(mBias, accs(q)...)
		}
		e.Inst("B %sinit", gl)
		e.Label(gl + "zero")
		for q := range g {
			for _, v := range accs(q) {
				e.VEOR(v, v, v)
			}
		}
		e.Label(gl + "init")
		e.MOVD(mBB.String(), mP0)
		for q := 1; q < g; q++ {
			e.Inst("ADD %s, %s, %s", mStride, mP0+emit.R(q-1), mP0+emit.R(q))
		}
		e.MOVD(mX.String(), mXP)
		e.MOVD(mK.String(), mKK)
		e.Label(gl + "loop")
		e.Inst("CBZ %s, %sstore", mKK, gl)
		e.Inst("VLD1R.P 4(%s), [%s]", mXP, xb.S4())
		for q := range g {
			t := tmp[q%2]
			e.VLD1P(mP0+emit.R(q), t...)
			for v := range nv {
				e.VFMLA(acc(q, v), t[v], xb)
			}
		}
		e.Inst("SUB $1, %s", mKK)
		e.Inst("B %sloop", gl)
		e.Label(gl + "store")
		for q := range g {
			e.VST1P(mY, accs(q)...)
		}
		e.Comment("the last panel's pointer ends where the next group starts")
		e.MOVD((mP0 + emit.R(g-1)).String(), mBB)
		e.Inst("SUB $%d, %s", g, mNP)
		e.Inst("B %s", gl)
	}
	e.Label("done")
	e.Comment("the activation: out = act(y), a panel's %d values per row", nr)
	epilogue(e, "RET", func(e *emit.Emitter, rows, src, ss, dst, ds emit.R) {
		e.MOVD(e.Arg("np"), rows)
		e.MOVD(e.Arg("y"), src)
		e.MOVD(fmt.Sprintf("$%d", 4*nr), ss)
		e.MOVD(e.Arg("out"), dst)
		e.MOVD(fmt.Sprintf("$%d", 4*nr), ds)
	})
	e.Label("none")
	e.Inst("RET")
}
