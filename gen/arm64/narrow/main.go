// Command narrow generates the NEON kernel of kernel.Impl.DenseNarrow
// (kernel/narrow.go) into package asm: asm/narrow_arm64.s and its
// declaration. It computes z = bias + x·Wᵀ for a layer with at most 8
// outputs, vectorised over the rows of x, as gen/amd64/narrow does with
// wider vectors; kernel.Impl.DenseNarrow runs 9 to 16 outputs in two
// calls of ⌈n/2⌉ and ⌊n/2⌋, as it does for avx2. Run by go generate from
// kernel/generate_neon.go.
//
// A vector holds one output of a group of four consecutive rows, so every
// lane runs the chain s = fma(x[r][p], w[j][p], s) over p in order, as
// the other dense paths do, and no horizontal sum is needed. Four steps of
// k at a time, a group's four rows are loaded (one 16-byte VLD1 each) and
// transposed in registers (TRN1/TRN2 on 32-bit elements, then on 64-bit
// halves), leaving in register c the column x[r..r+3][p+c]. W's row j
// gives one vector w[j][p..p+3], and FMLA by element multiplies column c
// by its lane c: four multiply-adds per load of W, one per step, in
// order. The product is fused and rounded once, as fma32 is.
//
// With few outputs, several groups of rows (a block) run at once so that
// eight or more accumulator chains are in flight: groups(n) below. W's n
// vectors are loaded once per four steps and held for all the block's
// groups. Transposes use one or two sets of eight registers, so that two
// groups' loads and transposes can be in flight.
//
// Every n has its own code: blocks of groups(n) groups, then smaller
// blocks (halving, down to two groups) for the rows left, and last a loop
// of one group at a time that reads its four rows through four pointers,
// the rows past m repeating the last row, and stores only the rows that
// exist. In a block of two or more groups one pointer walks down the rows
// (post-increment by ldx), and the last row's post-increment brings it
// back to the first row, four (or one) steps on.
//
// The k tail (k mod 4 steps) runs one step at a time: each group's
// column is loaded lane by lane (LD1 to a lane), each w[j][p] broadcast
// (LD1R), then a vector FMLA. Nothing past a row's k-th element is read,
// and z is written one element at a time (ST1 from a lane), so nothing
// outside the three matrices is touched whatever m, n, k and the strides.
//
// The inner loop, per group of four rows and four steps: 4 loads and 8
// TRNs of x, 4·n FMLA by element, and n loads of W shared by the block's
// groups, plus a SUBS and a BNE per iteration: 131 instructions for 32
// FMLA at n = 1 (8 groups), 84 for 32 at n = 2 (4 groups), 54 for 32 at
// n = 8. The GEMM path it replaces in f32 for n ≤ 8 (x transposed through
// memory by Transpose8NEON, then GemmNEON with n of its 6 rows) runs the
// same FMLAs and as many TRNs, plus the stores and loads of the
// transposed panel and the microkernel's per-step loop: about 5.5, 3.4
// and 1.9 instructions per FMLA at n = 1, 2 and 8, against 4.1, 2.6 and
// 1.7 here. (Not timed: the arm64 tests run under qemu.)
//
// Why not 16 outputs in one pass: f32 takes this kernel only for layers of
// at most nr/2 = 8 outputs (f32/dense.go forwardNarrow), and one-pass code
// for n = 9..16 (a group of one; W held to n = 12, streamed above) made
// 53 KB of a 140 KB file. The two passes load and transpose x twice: at
// most 5n + 28 instructions per group and four steps instead of 5n + 14
// (4n of them FMLA either way). GemmNEON, which f32 uses for those
// layers, takes 34 per step and six rows on a 16-column panel whatever n,
// 91 per four rows and four steps, 24·16/6 = 64 of them FMLA.
package main

import (
	"fmt"

	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func main() { neon.Main("narrow", build) }

// maxN is the most outputs the kernel computes in one call: half of
// kernel.DenseNarrowMax (kernel/narrow_asm.go splits n above it).
const maxN = 8

// The general registers.
const (
	rLeft  emit.R = 0  // rows of x not yet done
	rX     emit.R = 1  // the block's first row of x
	rZ     emit.R = 2  // the block's first row of z
	rLDX   emit.R = 3  // ldx in bytes
	rLDW   emit.R = 4  // ldw in bytes
	rZRow  emit.R = 5  // ldz − n in bytes: from past a row's outputs to the next row's
	rW     emit.R = 6  // w
	rBias  emit.R = 7  // bias
	rK4    emit.R = 8  // k/4
	rKT    emit.R = 9  // k mod 4
	rWL16  emit.R = 10 // 16 − (n−1)·ldw bytes: the post-increment after W's last row, four steps
	rWL4   emit.R = 11 // 4 − (n−1)·ldw: the same, one step
	rXL16  emit.R = 12 // 16 − (rows−1)·ldx bytes: the post-increment after a block's last row
	rXL4   emit.R = 13 // 4 − (rows−1)·ldx: the same, one step
	rRow   emit.R = 14 // R14: the walking pointer down a block's rows; R14..R17: one group's rows
	rWP    emit.R = 19 // the walking pointer down W's rows
	rCnt   emit.R = 20 // steps left
	rZP    emit.R = 21 // the next element of z to store
	rT     emit.R = 22 // scratch; rows left to store (one group)
	rXStep emit.R = 23 // a block's rows of x, bytes
	rZStep emit.R = 24 // a block's rows of z, bytes
	rLDZ   emit.R = 25 // ldz in bytes
)

func p(name, typ string) emit.Param { return emit.Param{Name: name, Type: typ} }

func build(e *emit.Emitter) {
	name := "DenseNarrowNEON"
	neon.Begin(e, emit.Func{
		Name: name,
		Doc: []string{
			fmt.Sprintf("%s sets z[r·ldz+j] = bias[j] + Σₚ x[r·ldx+p]·w[j·ldw+p] for r < m, j < n,", name),
			fmt.Sprintf("one FMA per p in order (1 ≤ n ≤ %d, k ≥ 1, m ≥ 1; bias is not nil), 4 rows per vector;", maxN),
			"strides are in elements, and nothing outside the m×k, n×k and m×n matrices is read or written.",
			"Each output is the chain of kernel.Impl.DenseNarrow's portable loop, the same bits, so within",
			"(k+1)·2⁻²⁴·(|bias[j]| + Σₚ|x·w|) of the exact value.",
		},
		Params: []emit.Param{p("m", "int"), p("n", "int"), p("k", "int"), p("x", "*float32"), p("ldx", "int"),
			p("w", "*float32"), p("ldw", "int"), p("bias", "*float32"), p("z", "*float32"), p("ldz", "int")},
	})
	e.Comment("the arguments, strides in bytes")
	for _, a := range []struct {
		arg string
		r   emit.R
	}{{"m", rLeft}, {"x", rX}, {"z", rZ}, {"ldx", rLDX}, {"ldw", rLDW}, {"ldz", rLDZ}, {"w", rW}, {"bias", rBias}, {"k", rK4}} {
		e.MOVD(e.Arg(a.arg), a.r)
	}
	for _, r := range []emit.R{rLDX, rLDW, rLDZ} {
		e.Inst("LSL $2, %s, %s", r, r)
	}
	e.Inst("AND $3, %s, %s", rK4, rKT)
	e.Inst("LSR $2, %s, %s", rK4, rK4)
	e.MOVD(e.Arg("n"), rT)
	e.Comment("%s = ldz − n, %s = 16 − (n−1)·ldw, %s = %s − 12 (bytes)", rZRow, rWL16, rWL4, rWL16)
	e.Inst("LSL $2, %s, %s", rT, rZRow)
	e.Inst("SUB %s, %s, %s", rZRow, rLDZ, rZRow)
	e.Inst("SUB $1, %s, %s", rT, rCnt)
	e.Inst("MUL %s, %s, %s", rLDW, rCnt, rCnt)
	e.MOVD("$16", rWL16)
	e.Inst("SUB %s, %s, %s", rCnt, rWL16, rWL16)
	e.Inst("SUB $12, %s, %s", rWL16, rWL4)
	e.Comment("a code path per n")
	for n := 1; n <= maxN; n++ {
		e.Inst("CMP $%d, %s", n, rT)
		e.Inst("BEQ n%d", n)
	}
	e.Inst("RET // n out of range: the Go wrapper never calls with one")
	for n := 1; n <= maxN; n++ {
		gs := blocks(n)
		for i, g := range gs {
			next := fmt.Sprintf("n%dg1", n)
			if i+1 < len(gs) {
				next = fmt.Sprintf("n%dg%dinit", n, gs[i+1])
			}
			walkBlock(e, plan(n, g), next, i == 0)
		}
		groupLoop(e, plan(n, 1), len(gs) == 0)
	}
	e.Label("done")
	e.Inst("RET")
}

// groups is the number of groups of four rows in n's largest block:
// enough for eight or more accumulator chains (n·groups), within the
// registers (plan).
func groups(n int) int {
	switch {
	case n == 1:
		return 8
	case n == 2:
		return 4
	case n == 3:
		return 3
	case n < 8:
		return 2
	}
	return 1
}

// blocks lists the group counts of n's blocks of two or more groups: the
// largest, then the powers of two below it down to 2. The rows left after
// them go one group at a time.
func blocks(n int) []int {
	g := groups(n)
	if g < 2 {
		return nil
	}
	gs := []int{g}
	for h := 1 << 30; h >= 2; h /= 2 {
		if h < g {
			gs = append(gs, h)
		}
	}
	return gs
}

// shape is the register plan of a block of g groups for n outputs.
type shape struct {
	n, g int
	acc  [][]emit.V  // acc[gi][j]: output j of group gi's rows, lane i for row 4gi+i
	w    []emit.V    // W's n vectors, held for the block: w[j] is output j's
	sets [][8]emit.V // transpose registers: a group's rows in [0..3], their columns after, [4..7] scratch
}

// plan lays out the vector registers of a block of g groups, n outputs:
// the accumulators from V0, then W's n vectors, then one or two sets of
// eight for the transposes. It panics if they do not fit.
func plan(n, g int) shape {
	s := shape{n: n, g: g}
	next := 0
	alloc := func() emit.V {
		if next > 31 {
			panic(fmt.Sprintf("narrow: n=%d g=%d does not fit in 32 vector registers", n, g))
		}
		next++
		return emit.V(next - 1)
	}
	s.acc = make([][]emit.V, g)
	for gi := range g {
		for range n {
			s.acc[gi] = append(s.acc[gi], alloc())
		}
	}
	for range n {
		s.w = append(s.w, alloc())
	}
	for range min(2, (32-next)/8, g) {
		var set [8]emit.V
		for i := range set {
			set[i] = alloc()
		}
		s.sets = append(s.sets, set)
	}
	if len(s.sets) == 0 || len(s.sets)*8 < g {
		panic(fmt.Sprintf("narrow: n=%d g=%d: no room for the transposes", n, g))
	}
	return s
}

// col is the register that holds group gi's column in the one-step tail.
func (s shape) col(gi int) emit.V { return s.sets[gi/8][gi%8] }

// trn writes TRN1 or TRN2 (mn) d, n, m on the arrangement arr (S4 or D2),
// in Go's operand order.
func trn(e *emit.Emitter, mn, arr string, d, n, m emit.V) {
	for _, v := range []emit.V{d, n, m} {
		_ = v.S4() // checks the register number
	}
	e.Inst("%s V%d.%s, V%d.%s, V%d.%s", mn, m, arr, n, arr, d, arr)
}

// transpose4 transposes the 4×4 block whose rows are in set[0..3] into
// its columns, in set[0..3] again, through set[4..7]:
//
//	t0 = TRN1.4S(r0, r1) = r0₀ r1₀ r0₂ r1₂    t1 = TRN2.4S(r0, r1) = r0₁ r1₁ r0₃ r1₃
//	t2 = TRN1.4S(r2, r3) = r2₀ r3₀ r2₂ r3₂    t3 = TRN2.4S(r2, r3) = r2₁ r3₁ r2₃ r3₃
//	column 0 = TRN1.2D(t0, t2), column 2 = TRN2.2D(t0, t2)
//	column 1 = TRN1.2D(t1, t3), column 3 = TRN2.2D(t1, t3)
func transpose4(e *emit.Emitter, set [8]emit.V) {
	r, t := set[:4], set[4:]
	trn(e, "VTRN1", "S4", t[0], r[0], r[1])
	trn(e, "VTRN2", "S4", t[1], r[0], r[1])
	trn(e, "VTRN1", "S4", t[2], r[2], r[3])
	trn(e, "VTRN2", "S4", t[3], r[2], r[3])
	trn(e, "VTRN1", "D2", r[0], t[0], t[2])
	trn(e, "VTRN2", "D2", r[2], t[0], t[2])
	trn(e, "VTRN1", "D2", r[1], t[1], t[3])
	trn(e, "VTRN2", "D2", r[3], t[1], t[3])
}

// initAcc starts every accumulator from its output's bias.
func initAcc(e *emit.Emitter, s shape) {
	e.Comment("the accumulators from the bias, broadcast")
	e.MOVD(rBias.String(), rT)
	for _, v := range s.acc[0] {
		e.Inst("VLD1R.P 4(%s), [%s]", rT, v.S4())
	}
	for gi := 1; gi < s.g; gi++ {
		for j, v := range s.acc[gi] {
			e.VMOV(v, s.acc[0][j])
		}
	}
}

// loadW loads W's row j at the walking pointer: four steps into a vector
// (four), or one step broadcast; the last row's post-increment moves the
// pointer back to row 0, on by the steps.
func loadW(e *emit.Emitter, s shape, j int, v emit.V, four bool) {
	inc := rLDW
	switch {
	case j == s.n-1 && four:
		inc = rWL16
	case j == s.n-1:
		inc = rWL4
	}
	if four {
		e.Inst("VLD1.P (%s)(%s), [%s]", rWP, inc, v.S4())
		return
	}
	e.Inst("VLD1R.P (%s)(%s), [%s]", rWP, inc, v.S4())
}

// loadX loads row i of group gi: four steps into a vector, or one step
// into lane i of v. table: the group's rows are R14..R17; else R14 walks
// down the block's rows, and the last row's post-increment moves it back
// to the first, on by the steps.
func loadX(e *emit.Emitter, s shape, table bool, gi, i int, v emit.V, four bool) {
	dst, size := "["+v.S4()+"]", 16
	if !four {
		dst, size = v.Lane(i), 4
	}
	if table {
		e.Inst("VLD1.P %d(%s), %s", size, rRow+emit.R(i), dst)
		return
	}
	inc := rLDX
	switch {
	case 4*gi+i == 4*s.g-1 && four:
		inc = rXL16
	case 4*gi+i == 4*s.g-1:
		inc = rXL4
	}
	e.Inst("VLD1.P (%s)(%s), %s", rRow, inc, dst)
}

// steps emits the k loop of a block: four steps an iteration, then the
// k mod 4 steps one at a time, then a branch to store.
func steps(e *emit.Emitter, s shape, table bool, l func(string) string) {
	e.MOVD(rW.String(), rWP)
	if !table {
		e.MOVD(rX.String(), rRow)
	}
	e.MOVD(rK4.String(), rCnt)
	e.Inst("CBZ %s, %s", rCnt, l("tail"))
	wdesc := fmt.Sprintf("V%d..V%d: W's rows, four steps", s.w[0], s.w[len(s.w)-1])
	sets := fmt.Sprintf("V%d..V%d", s.sets[0][0], s.sets[len(s.sets)-1][7])
	e.Comment("four steps an iteration. V0..V%d: accumulators (group g, output j in V%d·g+j); %s; %s: rows of x, transposed to columns",
		s.g*s.n-1, s.n, wdesc, sets)
	e.Label(l("k4"))
	for j, v := range s.w {
		loadW(e, s, j, v, true)
	}
	for b := 0; b < s.g; b += len(s.sets) {
		batch := make([]int, 0, len(s.sets))
		for gi := b; gi < min(b+len(s.sets), s.g); gi++ {
			batch = append(batch, gi)
		}
		for bi, gi := range batch {
			for i := range 4 {
				loadX(e, s, table, gi, i, s.sets[bi][i], true)
			}
		}
		for bi := range batch {
			transpose4(e, s.sets[bi])
		}
		for c := range 4 {
			for bi, gi := range batch {
				for j := range s.n {
					e.FMLAElem(s.acc[gi][j], s.sets[bi][c], s.w[j], c)
				}
			}
		}
	}
	e.Inst("SUBS $1, %s, %s", rCnt, rCnt)
	e.Inst("BNE %s", l("k4"))

	e.Label(l("tail"))
	e.Comment("the last k mod 4 steps, one at a time: columns loaded lane by lane, W broadcast")
	e.Inst("CBZ %s, %s", rKT, l("store"))
	e.MOVD(rKT.String(), rCnt)
	e.Label(l("k1"))
	for gi := range s.g {
		for i := range 4 {
			loadX(e, s, table, gi, i, s.col(gi), false)
		}
	}
	for j, v := range s.w {
		loadW(e, s, j, v, false)
	}
	for gi := range s.g {
		for j := range s.n {
			e.VFMLA(s.acc[gi][j], s.col(gi), s.w[j])
		}
	}
	e.Inst("SUBS $1, %s, %s", rCnt, rCnt)
	e.Inst("BNE %s", l("k1"))
}

// store writes the block's outputs to z, row by row, one element from a
// lane at a time. With valid, only the first rT rows (rT ≥ 1), then it
// jumps to next.
func store(e *emit.Emitter, s shape, valid bool, next string) {
	e.MOVD(rZ.String(), rZP)
	for gi := range s.g {
		for i := range 4 {
			for _, v := range s.acc[gi] {
				e.Inst("VST1.P %s, 4(%s)", v.Lane(i), rZP)
			}
			if gi == s.g-1 && i == 3 {
				break
			}
			if valid {
				e.Inst("SUBS $1, %s, %s", rT, rT)
				e.Inst("BEQ %s", next)
			}
			e.Inst("ADD %s, %s, %s", rZRow, rZP, rZP)
		}
	}
}

// walkBlock emits the loop over n's blocks of g ≥ 2 groups while 4g rows
// are left, then moves on to next. first: its label is n's entry, n<n>.
func walkBlock(e *emit.Emitter, s shape, next string, first bool) {
	rows := 4 * s.g
	l := func(x string) string { return fmt.Sprintf("n%dg%d%s", s.n, s.g, x) }
	e.Comment("n = %d: blocks of %d rows (%d groups, %d accumulators)", s.n, rows, s.g, s.g*s.n)
	if first {
		e.Label(fmt.Sprintf("n%d", s.n))
	}
	e.Label(l("init"))
	e.Comment("%s = 16 − %d·ldx, %s = %s − 12, %s = %d·ldx, %s = %d·ldz (bytes)", rXL16, rows-1, rXL4, rXL16, rXStep, rows, rZStep, rows)
	e.MOVD(fmt.Sprintf("$%d", rows-1), rT)
	e.Inst("MUL %s, %s, %s", rLDX, rT, rT)
	e.MOVD("$16", rXL16)
	e.Inst("SUB %s, %s, %s", rT, rXL16, rXL16)
	e.Inst("SUB $12, %s, %s", rXL16, rXL4)
	e.MOVD(fmt.Sprintf("$%d", rows), rT)
	e.Inst("MUL %s, %s, %s", rLDX, rT, rXStep)
	e.Inst("MUL %s, %s, %s", rLDZ, rT, rZStep)
	e.Label(l(""))
	e.Inst("CMP $%d, %s", rows, rLeft)
	e.Inst("BLT %s", next)
	initAcc(e, s)
	steps(e, s, false, l)
	e.Label(l("store"))
	e.Comment("the block's %d rows to z", rows)
	store(e, s, false, "")
	e.Inst("ADD %s, %s, %s", rXStep, rX, rX)
	e.Inst("ADD %s, %s, %s", rZStep, rZ, rZ)
	e.Inst("SUB $%d, %s, %s", rows, rLeft, rLeft)
	e.Inst("B %s", l(""))
}

// groupLoop emits n's loop over the rows left, four at a time, the rows
// read through R14..R17: rows past m repeat the last row, and are not
// stored. first: its label is n's entry, n<n>.
func groupLoop(e *emit.Emitter, s shape, first bool) {
	l := func(x string) string { return fmt.Sprintf("n%dg1%s", s.n, x) }
	e.Comment("n = %d: groups of 4 rows (%d accumulators), the last one partial", s.n, s.n)
	if first {
		e.Label(fmt.Sprintf("n%d", s.n))
	}
	e.Label(l(""))
	e.Inst("CMP $1, %s", rLeft)
	e.Inst("BLT done")
	e.Comment("R14..R17: the group's rows, those past m repeating the last")
	e.MOVD(rX.String(), rRow)
	for i := 1; i < 4; i++ {
		e.Inst("ADD %s, %s, %s", rLDX, rRow+emit.R(i-1), rRow+emit.R(i))
		e.Inst("CMP $%d, %s", i+1, rLeft)
		e.Inst("CSEL LT, %s, %s, %s", rRow+emit.R(i-1), rRow+emit.R(i), rRow+emit.R(i))
	}
	initAcc(e, s)
	steps(e, s, true, l)
	e.Label(l("store"))
	e.Comment("the group's rows to z, min(4, rows left) of them")
	e.MOVD(rLeft.String(), rT)
	store(e, s, true, l("next"))
	e.Label(l("next"))
	e.Inst("ADD %s<<2, %s, %s", rLDX, rX, rX)
	e.Inst("ADD %s<<2, %s, %s", rLDZ, rZ, rZ)
	e.Inst("SUB $4, %s, %s", rLeft, rLeft)
	e.Inst("B %s", l(""))
}
