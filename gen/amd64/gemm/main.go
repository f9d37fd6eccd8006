// Command gemm generates the amd64 GEMM microkernels and packed matvec
// kernels of package kernel (asm/gemm_amd64.s and its Go declarations),
// one of each per instruction set:
//
//	GemmAVX2     6×16 tile,  Y0..Y11 accumulators
//	GemmAVX512  12×32 tile,  Z0..Z23 accumulators, Z24..Z27 b row and
//	            broadcasts; with pipe ≠ 0 a full tile runs the previous
//	            tile's activation inside its k-loop (see gemmRows), its
//	            temporaries in Z24..Z31 and K1 between the steps, which
//	            reload Z24..Z27. kernel passes pipe ≠ 0 on AMD cores only:
//	            on the Zen 5 it took SiLU's cost over the identity layer
//	            at M=1024, K=N=128 from 19–20 to 15–16.5 µs; on an Intel
//	            Xeon (family 6, model 207) it made that layer 7.6 % and
//	            the K=N=256 one 12.7 % slower (2026-12-06), its 512-bit
//	            operations sharing two ports with the multiply-adds
//	MatVecAVX2, MatVecAVX512: y = b + xᵀ·B over packed panels, axpy form
//
// Run by go generate from kernel/gemm.go.
package main

import (
	"fmt"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/acts"
	"github.com/scorekit/scorekit/gen/amd64/vec"
)

// isa describes one instruction set's register file and tile shape; v
// is the instruction set as gen/amd64/vec describes it (name, lanes), for
// the activation bodies.
type isa struct {
	v   *vec.ISA
	vec func(i int) VecPhysical
	mr  int // tile rows
	nv  int // vectors per tile row: nr = nv·lanes
	// pipe says whether the full-tile path applies the activation of the
	// previous tile of a strip inside its own k-loop (see gemmRows): the
	// register file must leave the activation's temporaries free.
	pipe bool
}

var zmm = []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
	Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}
var ymm = []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}

var isas = []isa{
	{v: vec.AVX2, vec: func(i int) VecPhysical { return ymm[i] }, mr: 6, nv: 2},
	{v: vec.AVX512, vec: func(i int) VecPhysical { return zmm[i] }, mr: 12, nv: 2, pipe: true},
}

func main() {
	Package("github.com/scorekit/scorekit/asm")
	ConstraintExpr("gc,!purego") // avo takes the +build syntax: gc && !purego
	acts.Declare()
	for _, s := range isas {
		gemm(s)
	}
	for _, s := range isas {
		matvec(s)
	}
	Generate()
}

// gemm emits the microkernel: the first m rows (1 ≤ m ≤ mr) of an mr×nr
// tile of C, at c with row stride ldc elements, become init + Σₚ
// a[r·rs+p·ps]·b[p·ldb+j], one FMA per p in order, where init is 0 (mode 0),
// C (mode 1) or bias[j] (mode 2). Each row count has its own code path, so
// a short edge tile neither computes nor touches rows it does not own.
// Each tile's rows get y = act(C) for act ≠ 0 (a kernel.Activation): in
// one epilogue after the tile's k-loop, or, for a pipelined full tile
// (s.pipe; see gemmRows), in the next tile's k-loop.
func gemm(s isa) {
	nr := s.nv * s.v.Lanes
	name := "Gemm" + s.v.Name
	sig := "func(k, m int, a *float32, rs, ps int, b *float32, ldb, qs int, c *float32, ldc int, bias *float32, mode int, y *float32, ldy, act, np int)"
	pipeDoc := ""
	if s.pipe {
		sig = strings.TrimSuffix(sig, ")") + ", pipe int)"
		pipeDoc = " With pipe = 0, every tile's activation runs in its epilogue: none in the next tile's k-loop."
	}
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes rows 0..m−1 (1 ≤ m ≤ %d) of a %d×%d tile of C (row stride ldc elements):", name, s.mr, s.mr, nr),
		"C[r][j] = init + Σₚ a[r·rs+p·ps]·b[p·ldb+j], one FMA per p in order; init is 0 (mode 0),",
		"C[r][j] (mode 1) or bias[j] (mode 2). A and B are read in place with their strides (elements):",
		fmt.Sprintf("A packed (rs=1, ps=mr) or not (rs=lda, ps=1), B's k rows packed (ldb=%d) or not (ldb=its stride).", nr),
		"Then, if act (a kernel.Activation) is not 0, Y[r][j] = act(C[r][j]) for the m rows (row stride",
		"ldy), by the operation sequence of the activation kernels; y is c or does not overlap it.",
		fmt.Sprintf("It does this for np tiles side by side: tile q reads B at b + q·qs (qs = k·%d packed, %d not) and", nr, nr),
		fmt.Sprintf("bias + q·%d, and writes C and Y %d columns on; for np < 1 it returns at once.%s", nr, nr, pipeDoc))
	Comment("np < 1: nothing to do (the Go wrapper never calls with one; nextPanel stops at np = 0)")
	CMPQ(Load(Param("np"), GP64()), U8(1))
	JL(LabelRef(name + "_ret"))
	var pend Mem // 1 while the previous tile's activation is pending
	if s.pipe {
		pend = AllocLocal(8)
		MOVQ(U32(0), pend)
	}
	Label(name + "_panel")
	m := Load(Param("m"), GP64())
	for rows := s.mr; rows >= 1; rows-- {
		CMPQ(m, U8(rows))
		JEQ(LabelRef(fmt.Sprintf("%s_m%d", name, rows)))
	}
	RET() // m out of range: the Go wrapper never calls with one
	for rows := s.mr; rows >= 1; rows-- {
		gemmRows(s, name, rows, pend)
	}
	epilogue(s, name)
	nextPanel(s, name)
}

// nextPanel emits the end of a tile: if it was the last of the np, return;
// else move the arguments b (by qs), c, bias (mode 2) and y (act ≠ 0) on
// to the next tile's and start it from the dispatch on m. (Pointers that
// would be nil or past their slice are not moved.)
func nextPanel(s isa, name string) {
	nr := s.nv * s.v.Lanes
	Label(name + "_next")
	np := Load(Param("np"), GP64())
	DECQ(np)
	JZ(LabelRef(name + "_ret"))
	Store(np, Param("np"))
	step := Load(Param("qs"), GP64())
	SHLQ(U8(2), step) // bytes from one panel of B to the next
	b := Load(Param("b"), GP64())
	ADDQ(step, b)
	Store(b, Param("b"))
	c := Load(Param("c"), GP64())
	ADDQ(U32(4*nr), c)
	Store(c, Param("c"))
	mode := Load(Param("mode"), GP64())
	CMPQ(mode, U8(2))
	JNE(LabelRef(name + "_nobias"))
	bias := Load(Param("bias"), GP64())
	ADDQ(U32(4*nr), bias)
	Store(bias, Param("bias"))
	Label(name + "_nobias")
	act := Load(Param("act"), GP64())
	TESTQ(act, act)
	JZ(LabelRef(name + "_panel"))
	y := Load(Param("y"), GP64())
	ADDQ(U32(4*nr), y)
	Store(y, Param("y"))
	JMP(LabelRef(name + "_panel"))
	Label(name + "_ret")
	VZEROUPPER()
	RET()
}

// epiPairs says whether the epilogue runs two rows per iteration (four
// vectors interleaved, as the elementwise kernels do) rather than one:
// AVX-512's 32 registers hold their temporaries.
func epiPairs(a *vec.ISA) bool { return a.AVX512 }

// epilogue emits the activation of the m stored rows of C into Y: a
// dispatch on act, then for each activation a loop over the rows whose
// body is that activation's on the row's vectors, interleaved. The
// accumulators are dead by then, so the body's temporaries and the
// constants it keeps in registers have the whole register file.
func epilogue(s isa, name string) {
	Label(name + "_epi")
	Comment("Epilogue: Y = act(C) on the m rows, if act ≠ 0")
	next := func() { JMP(LabelRef(name + "_next")) }
	actLoops(s, name, next, func(a *vec.ISA, l string, body actBody) {
		Commentf("%s on each row's %d vectors", l, s.nv)
		vb := a.Bytes()
		cp := Load(Param("c"), GP64())
		yp := Load(Param("y"), GP64())
		ldc := Load(Param("ldc"), GP64())
		SHLQ(U8(2), ldc)
		ldy := Load(Param("ldy"), GP64())
		SHLQ(U8(2), ldy)
		rows := Load(Param("m"), GP64())
		// rowsAt emits the activation of u consecutive rows, their
		// vectors interleaved, and moves cp and yp past them.
		rowsAt := func(u int) {
			res := vec.Interleaved(u*s.nv, func(i int) VecVirtual {
				x := a.Vec()
				if i < s.nv {
					VMOVUPS(Mem{Base: cp, Disp: i * vb}, x)
				} else {
					VMOVUPS(Mem{Base: cp, Index: ldc, Scale: 1, Disp: (i - s.nv) * vb}, x)
				}
				return body(a, x)
			})
			for i, r := range res {
				if i < s.nv {
					VMOVUPS(r, Mem{Base: yp, Disp: i * vb})
				} else {
					VMOVUPS(r, Mem{Base: yp, Index: ldy, Scale: 1, Disp: (i - s.nv) * vb})
				}
			}
			for range u {
				ADDQ(ldc, cp)
				ADDQ(ldy, yp)
			}
		}
		if epiPairs(a) {
			Comment("two rows at a time, then the last if m is odd")
			Label(l + "_pair")
			SUBQ(U8(2), rows)
			JL(LabelRef(l + "_odd"))
			rowsAt(2)
			JMP(LabelRef(l + "_pair"))
			Label(l + "_odd")
			ADDQ(U8(2), rows)
			JZ(LabelRef(l + "_done"))
			rowsAt(1)
			Label(l + "_done")
		} else {
			Label(l + "_row")
			rowsAt(1)
			DECQ(rows)
			JNZ(LabelRef(l + "_row"))
		}
	})
}

// actBody emits one activation on the vector x and returns the result.
type actBody = func(a *vec.ISA, x VecVirtual) VecVirtual

// actLoops emits what the microkernel's and the matvec's epilogues share:
// a dispatch on the act argument to one block per activation, and exit()
// when act is 0; each block is loop (given the block's label, which its
// own labels extend, and the activation's body) with the activation's
// constants hoisted into registers (6 of AVX2's, 12 of AVX-512's), then
// exit().
func actLoops(s isa, name string, exit func(), loop func(a *vec.ISA, l string, body actBody)) {
	act := Load(Param("act"), GP64())
	for i := 1; i < len(acts.Forward); i++ {
		CMPQ(act, U8(i))
		JEQ(LabelRef(fmt.Sprintf("%s_%s", name, acts.Forward[i])))
	}
	exit()
	a := s.v
	hoist := 6
	if a.AVX512 {
		hoist = 12
	}
	for i := 1; i < len(acts.Forward); i++ {
		l := fmt.Sprintf("%s_%s", name, acts.Forward[i])
		Label(l)
		end := a.HoistConstants(hoist, l+"_")
		loop(a, l, acts.Body(acts.Forward[i]))
		exit()
		end()
	}
}

// pipeK is the smallest k for which a full tile applies the previous
// tile's activation inside its k-loop: one row of that tile per
// pipeSteps·nv steps, mr rows.
func pipeK(s isa) int { return pipeSteps * s.nv * s.mr }

// pipeSteps is the number of k steps per vector of the previous tile's
// activation: 4 measured faster than 2 (which crowds the activation's
// dependency chains into the scheduler) and as fast as 5. It must be
// even: the pipelined loop moves B's pointer on after each pair of steps
// (B's rows are ldb apart, at (bp) and (bp)(ldb*1)).
const pipeSteps = 4

func init() {
	if pipeSteps%2 != 0 {
		panic("gemm: pipeSteps must be even")
	}
}

// gemmRows emits the code path of gemm for a tile of rows rows. With
// s.pipe, the full-tile path (rows = mr) is software-pipelined when act ≠
// 0, k ≥ pipeK and the strip has np ≥ 2 tiles: a tile that is not the
// strip's last stores C and leaves its activation pending (pend = 1); the
// next tile, in the first pipeK steps of its k-loop, reads that tile's
// C back one vector per pipeSteps steps and writes its activation to Y
// (the activation's temporaries get the registers the step does not
// hold: its b row and broadcasts are reloaded every step), so the
// activation's operations issue beside the multiply-adds (on the pipes
// they leave idle) instead of after them; the strip's last tile runs the
// epilogue. The same operations on the same values: the same bits.
func gemmRows(s isa, name string, rows int, pend Mem) {
	pipe := s.pipe && rows == s.mr
	nr := s.nv * s.v.Lanes
	vb := 4 * s.v.Lanes // bytes per vector
	l := func(x string) string { return fmt.Sprintf("%s_m%d%s", name, rows, x) }
	Label(l(""))
	acc := func(r, v int) VecPhysical { return s.vec(r*s.nv + v) }
	nacc := s.mr * s.nv
	bv := []VecPhysical{s.vec(nacc), s.vec(nacc + 1)}
	bc := []VecPhysical{s.vec(nacc + 2), s.vec(nacc + 3)}
	Commentf("%d rows. %s..%s: %d×%d accumulators (row r in %d vectors); %s, %s: b row; %s, %s: broadcast a",
		rows, acc(0, 0).Asm(), acc(rows-1, s.nv-1).Asm(), rows, nr, s.nv, bv[0].Asm(), bv[1].Asm(), bc[0].Asm(), bc[1].Asm())

	k := Load(Param("k"), GP64())
	bp := Load(Param("b"), GP64())
	// B's row stride in bytes: the b rows of a pair of steps are at (bp)
	// and (bp)(ldb*1), and bp moves two rows on after each pair.
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb)
	// A's rows: base pointers five rows apart, each reaching rows
	// base+0..4 as (base), (base)(rs*1), (base)(rs*2), (base)(rs3*1),
	// (base)(rs*4).
	rs := Load(Param("rs"), GP64())
	SHLQ(U8(2), rs)
	ps := Load(Param("ps"), GP64())
	SHLQ(U8(2), ps)
	nb := (rows + 4) / 5
	bases := make([]GPVirtual, nb)
	bases[0] = Load(Param("a"), GP64()).(GPVirtual)
	var rs3 GPVirtual
	if rows > 3 {
		rs3 = GP64()
		LEAQ(Mem{Base: rs, Index: rs, Scale: 2}, rs3)
	}
	for i := 1; i < nb; i++ {
		bases[i] = GP64()
		LEAQ(Mem{Base: bases[i-1], Index: rs, Scale: 4}, bases[i])
		ADDQ(rs, bases[i])
	}
	arow := func(r int) Mem {
		base := bases[r/5]
		switch r % 5 {
		case 1:
			return Mem{Base: base, Index: rs, Scale: 1}
		case 2:
			return Mem{Base: base, Index: rs, Scale: 2}
		case 3:
			return Mem{Base: base, Index: rs3, Scale: 1}
		case 4:
			return Mem{Base: base, Index: rs, Scale: 4}
		}
		return Mem{Base: base}
	}
	mode := Load(Param("mode"), GP64())

	CMPQ(mode, U8(1))
	JEQ(LabelRef(l("load")))
	CMPQ(mode, U8(2))
	JEQ(LabelRef(l("bias")))

	Comment("mode 0: start from zero")
	for r := range rows {
		for v := range s.nv {
			VXORPS(acc(r, v), acc(r, v), acc(r, v))
		}
	}
	JMP(LabelRef(l("begin")))

	Label(l("load"))
	Comment("mode 1: start from C")
	t := Load(Param("c"), GP64())
	ldc1 := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc1)
	for r := range rows {
		for v := range s.nv {
			VMOVUPS(Mem{Base: t, Disp: v * vb}, acc(r, v))
		}
		if r < rows-1 {
			ADDQ(ldc1, t)
		}
	}
	JMP(LabelRef(l("begin")))

	Label(l("bias"))
	Comment("mode 2: start from the bias row, in every tile row")
	bias := Load(Param("bias"), GP64())
	for v := range s.nv {
		VMOVUPS(Mem{Base: bias, Disp: v * vb}, acc(0, v))
	}
	for r := 1; r < rows; r++ {
		for v := range s.nv {
			VMOVAPS(acc(0, v), acc(r, v))
		}
	}

	// step emits one step p (its b row at (bp), or (bp)(ldb*1) if odd):
	// the b row in vectors, the a column broadcast row by row, one FMA per
	// accumulator, then A's bases move one step on.
	step := func(odd bool) {
		row := Mem{Base: bp}
		if odd {
			row = Mem{Base: bp, Index: ldb, Scale: 1}
		}
		for v := range s.nv {
			VMOVUPS(row.Offset(v*vb), bv[v])
		}
		for r := range rows {
			x := bc[r%2]
			VBROADCASTSS(arow(r), x)
			for v := range s.nv {
				VFMADD231PS(bv[v], x, acc(r, v))
			}
		}
		for _, base := range bases {
			ADDQ(ps, base)
		}
	}
	Label(l("begin"))
	if pipe {
		Comment("the previous tile's activation pending? then the k-loop runs it")
		CMPQ(pend, U8(0))
		JEQ(LabelRef(l("start")))
		act := Load(Param("act"), GP64())
		for i := 1; i < len(acts.Forward); i++ {
			CMPQ(act, U8(i))
			JEQ(LabelRef(l("pipe_" + acts.Forward[i])))
		}
	}
	Label(l("start"))
	Comment("two steps per iteration while k ≥ 2")
	SUBQ(U8(2), k)
	JL(LabelRef(l("tail")))
	Label(l("loop"))
	step(false)
	step(true)
	LEAQ(Mem{Base: bp, Index: ldb, Scale: 2}, bp)
	SUBQ(U8(2), k)
	JGE(LabelRef(l("loop")))
	Label(l("tail"))
	Comment("the last step if k is odd")
	ADDQ(U8(2), k)
	JZ(LabelRef(l("store")))
	step(false)

	Label(l("store"))
	Comment("write the rows to C, then the epilogue")
	cp := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	for r := range rows {
		for v := range s.nv {
			VMOVUPS(acc(r, v), Mem{Base: cp, Disp: v * vb})
		}
		if r < rows-1 {
			ADDQ(ldc, cp)
		}
	}
	if !pipe {
		JMP(LabelRef(name + "_epi"))
		return
	}
	Comment("leave the activation to the next tile if there is one, k ≥ " + fmt.Sprint(pipeK(s)) + " and pipe ≠ 0")
	MOVQ(U32(0), pend)
	act := Load(Param("act"), GP64())
	TESTQ(act, act)
	JZ(LabelRef(name + "_epi"))
	kk := Load(Param("k"), GP64())
	CMPQ(kk, U32(pipeK(s)))
	JL(LabelRef(name + "_epi"))
	np := Load(Param("np"), GP64())
	CMPQ(np, U8(1))
	JLE(LabelRef(name + "_epi"))
	p := Load(Param("pipe"), GP64())
	TESTQ(p, p)
	JZ(LabelRef(name + "_epi"))
	MOVQ(U32(1), pend)
	JMP(LabelRef(name + "_next"))

	a := s.v
	for i := 1; i < len(acts.Forward); i++ {
		an := acts.Forward[i]
		body := acts.Body(an)
		Label(l("pipe_" + an))
		Commentf("the previous tile's %s, one row per %d steps, during the first %d steps", an, pipeSteps*s.nv, pipeK(s))
		cpv := Load(Param("c"), GP64())
		SUBQ(U32(4*nr), cpv)
		yp := Load(Param("y"), GP64())
		SUBQ(U32(4*nr), yp)
		n := GP64()
		MOVQ(U32(rows), n)
		Label(l("pipe_" + an + "_loop"))
		for v := range s.nv {
			for i := range pipeSteps {
				step(i%2 == 1)
				if i%2 == 1 {
					LEAQ(Mem{Base: bp, Index: ldb, Scale: 2}, bp)
				}
			}
			x := a.Vec()
			VMOVUPS(Mem{Base: cpv, Disp: v * vb}, x)
			VMOVUPS(body(a, x), Mem{Base: yp, Disp: v * vb})
		}
		t := Load(Param("ldc"), GP64())
		LEAQ(Mem{Base: cpv, Index: t, Scale: 4}, cpv)
		t = Load(Param("ldy"), GP64())
		LEAQ(Mem{Base: yp, Index: t, Scale: 4}, yp)
		SUBQ(U8(pipeSteps*s.nv), k)
		DECQ(n)
		JNZ(LabelRef(l("pipe_" + an + "_loop")))
		JMP(LabelRef(l("start")))
	}
}

// matvec emits y[j] = init[j] + Σₚ x[p]·B[p][j] over np packed panels of
// nr columns (panel q holds k rows of nr values, at q·k·nr), init being
// bias or, if bias is nil, 0. Panels go four, two, then one at a time so
// that eight independent FMA chains hide the latency.
func matvec(s isa) {
	nr := s.nv * s.v.Lanes
	vb := 4 * s.v.Lanes
	name := "MatVec" + s.v.Name
	TEXT(name, NOSPLIT, "func(k, np int, b, x, y, bias, out *float32, act int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes y[j] = init[j] + Σₚ x[p]·B[p][j], one FMA per p in order, over np", name),
		fmt.Sprintf("packed panels of %d columns (panel q: k rows of %d values at b[q·k·%d:]); init is bias,", nr, nr, nr),
		fmt.Sprintf("or 0 if bias is nil. y (and bias) hold np·%d values. Then, if act (a kernel.Activation)", nr),
		"is not 0, out[j] = act(y[j]) by the operation sequence of the activation kernels; out is y",
		"or does not overlap it. For np < 1 it returns at once.")
	l := func(x string) string { return name + "_" + x }

	k := Load(Param("k"), GP64())
	np := Load(Param("np"), GP64())
	bb := Load(Param("b"), GP64())
	yp := Load(Param("y"), GP64())
	bias := Load(Param("bias"), GP64())
	Comment("np < 1: nothing to do (the Go wrapper never calls with one)")
	CMPQ(np, U8(1))
	JL(LabelRef(l("none")))
	stride := GP64()
	MOVQ(k, stride)
	SHLQ(U8(2+log2(nr)), stride) // bytes per panel
	stride3 := GP64()
	LEAQ(Mem{Base: stride, Index: stride, Scale: 2}, stride3)
	x := s.vec(15)
	if s.v.Lanes == 16 {
		x = s.vec(31)
	}
	Commentf("%s: broadcast x[p]; accumulators from %s", x.Asm(), s.vec(0).Asm())

	for _, g := range []int{4, 2, 1} {
		gl := fmt.Sprintf("g%d", g)
		Label(l(gl))
		CMPQ(np, U8(g))
		if g == 4 {
			JL(LabelRef(l("g2")))
		} else if g == 2 {
			JL(LabelRef(l("g1")))
		} else {
			JL(LabelRef(l("done")))
		}
		Commentf("%d panels: %d independent accumulators", g, g*s.nv)
		acc := func(q, v int) VecPhysical { return s.vec(q*s.nv + v) }
		TESTQ(bias, bias)
		JZ(LabelRef(l(gl + "zero")))
		for q := range g {
			for v := range s.nv {
				VMOVUPS(Mem{Base: bias, Disp: (q*s.nv + v) * vb}, acc(q, v))
			}
		}
		JMP(LabelRef(l(gl + "init")))
		Label(l(gl + "zero"))
		for q := range g {
			for v := range s.nv {
				VXORPS(acc(q, v), acc(q, v), acc(q, v))
			}
		}
		Label(l(gl + "init"))
		bp := GP64()
		MOVQ(bb, bp)
		xp := Load(Param("x"), GP64())
		kk := GP64()
		MOVQ(k, kk)
		TESTQ(kk, kk)
		JZ(LabelRef(l(gl + "store")))
		Label(l(gl + "loop"))
		VBROADCASTSS(Mem{Base: xp}, x)
		for q := range g {
			m := Mem{Base: bp}
			switch q {
			case 1:
				m = Mem{Base: bp, Index: stride, Scale: 1}
			case 2:
				m = Mem{Base: bp, Index: stride, Scale: 2}
			case 3:
				m = Mem{Base: bp, Index: stride3, Scale: 1}
			}
			for v := range s.nv {
				VFMADD231PS(m.Offset(v*vb), x, acc(q, v))
			}
		}
		ADDQ(U32(4*nr), bp)
		ADDQ(U8(4), xp)
		DECQ(kk)
		JNZ(LabelRef(l(gl + "loop")))
		Label(l(gl + "store"))
		for q := range g {
			for v := range s.nv {
				VMOVUPS(acc(q, v), Mem{Base: yp, Disp: (q*s.nv + v) * vb})
			}
		}
		ADDQ(U32(4*nr*g), yp)
		TESTQ(bias, bias)
		JZ(LabelRef(l(gl + "nobias")))
		ADDQ(U32(4*nr*g), bias)
		Label(l(gl + "nobias"))
		switch g {
		case 4:
			LEAQ(Mem{Base: bb, Index: stride, Scale: 4}, bb)
		case 2:
			LEAQ(Mem{Base: bb, Index: stride, Scale: 2}, bb)
		case 1:
			ADDQ(stride, bb)
		}
		SUBQ(U8(g), np)
		JMP(LabelRef(l(gl)))
	}
	Label(l("done"))
	matvecEpilogue(s, name)
	Label(l("none"))
	RET()
}

// matvecEpilogue emits MatVec's activation: out = act(y) over the np·nr
// values, dispatched like the microkernel's epilogue, four (AVX-512) or
// two vectors at a time, interleaved (then, on AVX-512, the last pair of
// an odd np).
func matvecEpilogue(s isa, name string) {
	ret := func() {
		VZEROUPPER()
		RET()
	}
	actLoops(s, name, ret, func(a *vec.ISA, l string, body actBody) {
		Commentf("%s over the np·%d values", l, s.nv*s.v.Lanes)
		vb := a.Bytes()
		u := 2
		if a.AVX512 {
			u = 4
		}
		yp := Load(Param("y"), GP64())
		op := Load(Param("out"), GP64())
		nvec := Load(Param("np"), GP64())
		SHLQ(U8(log2(s.nv)), nvec)
		// vectors emits the activation of w vectors, interleaved, and
		// moves yp and op past them.
		vectors := func(w int) {
			res := vec.Interleaved(w, func(v int) VecVirtual {
				x := a.Vec()
				VMOVUPS(Mem{Base: yp, Disp: v * vb}, x)
				return body(a, x)
			})
			for v, r := range res {
				VMOVUPS(r, Mem{Base: op, Disp: v * vb})
			}
			ADDQ(U32(w*vb), yp)
			ADDQ(U32(w*vb), op)
		}
		Label(l + "_many")
		SUBQ(U8(u), nvec)
		JL(LabelRef(l + "_few"))
		vectors(u)
		JMP(LabelRef(l + "_many"))
		Label(l + "_few")
		if s.nv%u != 0 {
			// np·nv vectors leave a remainder of nv (np odd) or none.
			ADDQ(U8(u), nvec)
			JZ(LabelRef(l + "_done"))
			vectors(s.nv)
			Label(l + "_done")
		}
	})
}

func log2(n int) int {
	l := 0
	for 1<<l < n {
		l++
	}
	return l
}
