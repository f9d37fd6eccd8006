// Command transpose generates the NEON matrix transpose kernels of
// package kernel (see kernel/transpose.go): asm/transpose_arm64.s and its
// declarations. Go's assembler knows every instruction they need (VLD1,
// VST1 with register post-increment, VTRN1/VTRN2 on .S4 and .D2), so
// there is no WORD here.
package main

import (
	"fmt"

	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func main() { neon.Main("transpose", build) }

func build(e *emit.Emitter) {
	kernel(e, 8)
	kernel(e, 4)
}

var integer = func(n string) emit.Param { return emit.Param{Name: n, Type: "int"} }
var pointer = func(n string) emit.Param { return emit.Param{Name: n, Type: "*float32"} }

// General registers.
const (
	rSrc, rDst, rLds, rLdd = emit.R(0), emit.R(1), emit.R(2), emit.R(3)
	rS, rD, rQ, rN, rStrip = emit.R(4), emit.R(5), emit.R(6), emit.R(7), emit.R(8)
	rStep                  = emit.R(9)
)

// trn writes TRN1 or TRN2 (mn) d, n, m on the arrangement arr (S4: the
// 32-bit elements, D2: the 64-bit halves), in Go's operand order: the
// even (TRN1) or odd (TRN2) elements of n interleaved with those of m.
func trn(e *emit.Emitter, mn, arr string, d, n, m emit.V) {
	for _, v := range []emit.V{d, n, m} {
		_ = v.S4() // checks the register number
	}
	e.Inst("%s V%d.%s, V%d.%s, V%d.%s", mn, m, arr, n, arr, d, arr)
}

// transpose4 transposes the 4×4 matrix whose rows are in a (clobbering
// a) into the columns out[0..3], distinct from a and each other.
//
//	t0 = TRN1.4S(a0, a1) = a0₀ a1₀ a0₂ a1₂    t1 = TRN2.4S(a0, a1) = a0₁ a1₁ a0₃ a1₃
//	t2 = TRN1.4S(a2, a3) = a2₀ a3₀ a2₂ a3₂    t3 = TRN2.4S(a2, a3) = a2₁ a3₁ a2₃ a3₃
//	column 0 = TRN1.2D(t0, t2), column 2 = TRN2.2D(t0, t2)
//	column 1 = TRN1.2D(t1, t3), column 3 = TRN2.2D(t1, t3)
//
// t0 is kept in out[1], written only after t0's last use; t1, t2, t3 in
// a1, a0, a3.
func transpose4(e *emit.Emitter, a, out [4]emit.V) {
	t0, t1, t2, t3 := out[1], a[1], a[0], a[3]
	trn(e, "VTRN1", "S4", t0, a[0], a[1])
	trn(e, "VTRN2", "S4", t1, a[0], a[1])
	trn(e, "VTRN1", "S4", t2, a[2], a[3])
	trn(e, "VTRN2", "S4", t3, a[2], a[3])
	trn(e, "VTRN1", "D2", out[0], t0, t2)
	trn(e, "VTRN2", "D2", out[2], t0, t2)
	trn(e, "VTRN1", "D2", out[1], t1, t3)
	trn(e, "VTRN2", "D2", out[3], t1, t3)
}

// list is the register list [V{v}.S4, …] of n consecutive registers.
func list(v emit.V, n int) string {
	s := "["
	for i := range n {
		if i > 0 {
			s += ", "
		}
		s += (v + emit.V(i)).S4()
	}
	return s + "]"
}

// kernel emits Transpose{b}NEON, which transposes the leading
// (rows&^(b−1)) × (cols&^(b−1)) corner of src in b×b blocks (b = 4 or 8;
// an 8×8 block is four 4×4 transposes). Each strip is b columns of src
// (b rows of dst), its blocks going down the rows of src (along the rows
// of dst), as the amd64 kernels do. A row of a block is b/4 vectors:
// rows load into V0.., one post-incremented VLD1 per row, whose pointer
// ends at the next block; the columns go to V16.. so that each row of dst
// is consecutive registers for one VST1.
func kernel(e *emit.Emitter, b int) {
	name := fmt.Sprintf("Transpose%dNEON", b)
	w := b / 4 // vectors per row of a block
	neon.Begin(e, emit.Func{
		Name: name,
		Doc: []string{
			fmt.Sprintf("%s sets dst[c·ldd+r] = src[r·lds+c] for r < rows&^%d, c < cols&^%d,", name, b-1, b-1),
			fmt.Sprintf("in %d×%d blocks of 4×4 transposes (TRN1/TRN2 on 32-bit elements, then on 64-bit halves);", b, b),
			"the caller transposes the rest. lds and ldd are in elements; nothing else is read or written.",
		},
		Params: []emit.Param{integer("rows"), integer("cols"), pointer("src"), integer("lds"), pointer("dst"), integer("ldd")},
	})
	shift := map[int]int{4: 2, 8: 3}[b]
	done := "done"
	e.Comment("%d-column strips of src (rows of dst), each of %d-row blocks.", b, b)
	e.MOVD(e.Arg("cols"), rStrip)
	e.Inst("LSR $%d, %s, %s", shift, rStrip, rStrip)
	e.Inst("CBZ %s, %s", rStrip, done)
	e.MOVD(e.Arg("rows"), rN)
	e.Inst("LSR $%d, %s, %s", shift, rN, rN)
	e.Inst("CBZ %s, %s", rN, done)
	e.MOVD(e.Arg("src"), rSrc)
	e.MOVD(e.Arg("dst"), rDst)
	e.MOVD(e.Arg("lds"), rLds)
	e.MOVD(e.Arg("ldd"), rLdd)
	e.Inst("LSL $2, %s, %s", rLds, rLds)
	e.Inst("LSL $2, %s, %s", rLdd, rLdd)
	e.Comment("R9: the step from one strip of dst to the next, %d rows.", b)
	e.Inst("LSL $%d, %s, %s", shift, rLdd, rStep)

	e.Label("strip")
	e.MOVD(rSrc.String(), rS)
	e.MOVD(rDst.String(), rD)
	e.MOVD(e.Arg("rows"), rN)
	e.Inst("LSR $%d, %s, %s", shift, rN, rN)

	e.Label("block")
	e.Comment("Row k of the block into V%d·k.., then the pointer is at the next block.", w)
	for k := range b {
		e.Inst("VLD1.P (%s)(%s), %s", rS, rLds, list(emit.V(w*k), w))
	}
	// Sub-block (p, q): rows 4p..4p+3, columns 4q..4q+3 of the block; its
	// row j is V(w·(4p+j)+q). Its column c is row 4q+c of dst, columns
	// 4p..4p+3: V(16 + w·(4q+c) + p).
	for p := range w {
		for q := range w {
			e.Comment("4×4 transpose: rows %d–%d, columns %d–%d of the block.", 4*p, 4*p+3, 4*q, 4*q+3)
			var a, out [4]emit.V
			for j := range 4 {
				a[j] = emit.V(w*(4*p+j) + q)
				out[j] = emit.V(16 + w*(4*q+j) + p)
			}
			transpose4(e, a, out)
		}
	}
	e.Comment("Row c of dst's block from V%d+%d·c.., then the next block along dst.", 16, w)
	e.MOVD(rD.String(), rQ)
	for c := range b {
		e.Inst("VST1.P %s, (%s)(%s)", list(emit.V(16+w*c), w), rQ, rLdd)
	}
	e.Inst("ADD $%d, %s, %s", 4*b, rD, rD)
	e.Inst("SUBS $1, %s, %s", rN, rN)
	e.Inst("BNE block")

	e.Comment("Next strip: %d columns along src, %d rows down dst.", b, b)
	e.Inst("ADD $%d, %s, %s", 4*b, rSrc, rSrc)
	e.Inst("ADD %s, %s, %s", rStep, rDst, rDst)
	e.Inst("SUBS $1, %s, %s", rStrip, rStrip)
	e.Inst("BNE strip")
	e.Label(done)
	e.Inst("RET")
}
