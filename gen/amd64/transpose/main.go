// Command transpose generates the AVX2 and AVX-512 matrix transpose
// kernels of package kernel (see kernel/transpose.go) into package asm.
// Run by go generate in kernel.
//
// On Zen 5 (BenchmarkTranspose), AVX-512's own 16×16 kernel and the AVX2
// 16×16 kernel run GEMM panels alike, at about the speed of a copy; on
// whole matrices with power-of-two strides the AVX-512 one is 15–35%
// faster. Loading rows k and k+4 into the two lanes of one register
// (VINSERTF128 from memory) and transposing within lanes measured the
// same as loading whole rows and exchanging lanes with VPERM2F128.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/vec"
)

const sig = "func(rows, cols int, src *float32, lds int, dst *float32, ldd int)"

func main() {
	ConstraintExpr("gc,!purego")
	kernel("Transpose16AVX2", 16, insert8x4,
		"in 16×16 blocks of four 8×8 transposes (VINSERTF128, VUNPCKLPS/VUNPCKHPS, VSHUFPS)")
	kernel("Transpose8AVX2", 8, insert8,
		"in 8×8 blocks (VINSERTF128, VUNPCKLPS/VUNPCKHPS, VSHUFPS), for the edges Transpose16AVX2 leaves")
	kernel("Transpose4AVX2", 4, block4,
		"in 4×4 blocks (VUNPCKLPS/VUNPCKHPS, VSHUFPS on 128 bits), for the edges Transpose8AVX2 leaves")
	kernel("Transpose16AVX512", 16, classic16,
		"in 16×16 blocks (VUNPCKLPS/VUNPCKHPS, VSHUFPS, two rounds of VSHUFF32X4)")
	Generate()
}

// rowAddr addresses row k (0 ≤ k < 16) of a block whose row 0 is at p,
// rows ld bytes apart, l3 = 3·ld: rows 4q..4q+3 are reached from
// x = p + 4q·ld, which row computes into the scratch register x when it
// does not hold it yet (cur is the q it holds, −1 for none). row may
// emit that LEAQ, so its result goes straight into the next instruction.
type rowAddr struct {
	p, x, ld, l3 Register
	cur          *int
}

func newRowAddr(p, x, ld, l3 Register) rowAddr {
	cur := -1
	return rowAddr{p: p, x: x, ld: ld, l3: l3, cur: &cur}
}

func (a rowAddr) row(k, disp int) Mem {
	b := a.p
	if q := k / 4; q > 0 {
		if *a.cur != q {
			switch q {
			case 1:
				LEAQ(Mem{Base: a.p, Index: a.ld, Scale: 4}, a.x)
			case 2:
				LEAQ(Mem{Base: a.p, Index: a.ld, Scale: 8}, a.x)
			case 3:
				LEAQ(Mem{Base: a.p, Index: a.ld, Scale: 8}, a.x)
				LEAQ(Mem{Base: a.x, Index: a.ld, Scale: 4}, a.x)
			}
			*a.cur = q
		}
		b = a.x
	}
	switch k % 4 {
	case 0:
		return Mem{Base: b, Disp: disp}
	case 1:
		return Mem{Base: b, Index: a.ld, Scale: 1, Disp: disp}
	case 2:
		return Mem{Base: b, Index: a.ld, Scale: 2, Disp: disp}
	}
	return Mem{Base: b, Index: a.l3, Scale: 1, Disp: disp}
}

// kernel emits name, which transposes the leading (rows&^(b−1)) ×
// (cols&^(b−1)) corner of src in b×b blocks, block emitting one. Each
// strip is b columns of src (b rows of dst), its blocks going down the
// rows of src (along the rows of dst): dst is written as b sequential
// streams, which is much faster than the other order when ldd is a
// multiple of 512 or so (the rows of dst then compete for a few cache
// sets), and no slower otherwise.
func kernel(name string, b int, block func(s, d rowAddr), how string) {
	TEXT(name, NOSPLIT, sig)
	Doc(fmt.Sprintf("%s sets dst[c·ldd+r] = src[r·lds+c] for r < rows&^%d, c < cols&^%d,", name, b-1, b-1),
		how+";",
		"the caller transposes the rest. lds and ldd are in elements; nothing else is read or written.")
	Pragma("noescape")
	shift := map[int]uint64{4: 2, 8: 3, 16: 4}[b]

	// Strips of b columns, each of blocks of b rows. The strip count
	// lives on the stack: the block loop needs every general register
	// it can get.
	strips := AllocLocal(8)
	nc := Load(Param("cols"), GP64())
	SHRQ(U8(shift), nc)
	JZ(LabelRef("done"))
	MOVQ(nc, strips)
	nr := Load(Param("rows"), GP64())
	SHRQ(U8(shift), nr)
	JZ(LabelRef("done"))
	src := Load(Param("src"), GP64())
	dst := Load(Param("dst"), GP64())
	lds := Load(Param("lds"), GP64())
	ldd := Load(Param("ldd"), GP64())
	SHLQ(U8(2), lds)
	SHLQ(U8(2), ldd)
	l3s, l3d := GP64(), GP64()
	LEAQ(Mem{Base: lds, Index: lds, Scale: 2}, l3s)
	LEAQ(Mem{Base: ldd, Index: ldd, Scale: 2}, l3d)

	Comment(fmt.Sprintf("Each strip: %d columns of src, %d rows of dst, in blocks down the rows of src.", b, b))
	Label("strip")
	s, d := GP64(), GP64()
	MOVQ(src, s)
	MOVQ(dst, d)
	n := Load(Param("rows"), GP64())
	SHRQ(U8(shift), n)
	xs, xd := GP64(), GP64()

	Label("block")
	block(newRowAddr(s, xs, lds, l3s), newRowAddr(d, xd, ldd, l3d))
	// step moves s and d to the next block along (b rows of s, b columns
	// of d): the next one in the strip, or the next strip.
	step := func(s, d, lds Register) {
		for k := 0; k < b; k += 8 {
			LEAQ(Mem{Base: s, Index: lds, Scale: uint8(min(b-k, 8))}, s)
		}
		ADDQ(U32(4*b), d)
	}
	Comment(fmt.Sprintf("Next block: %d rows down src, %d columns along dst.", b, b))
	step(s, d, lds)
	DECQ(n)
	JNZ(LabelRef("block"))

	Comment(fmt.Sprintf("Next strip: %d columns along src, %d rows down dst.", b, b))
	step(dst, src, ldd)
	DECQ(strips)
	JNZ(LabelRef("strip"))
	VZEROUPPER()
	Label("done")
	RET()
}

// insert8 transposes an 8×8 block as two 8×4 halves: lane 0 of t[k]
// holds four elements of row k, lane 1 those of row k+4, so that the
// in-lane 4×4 transposes leave whole rows of dst.
func insert8(s, d rowAddr) { insert8At(s, d, 0, 0) }

// insert8At is insert8 on the block of src rows r0..r0+7, columns
// c0..c0+7.
func insert8At(s, d rowAddr, r0, c0 int) {
	Comment(fmt.Sprintf("8×8 block at (%d, %d): rows k and k+4 in the lanes of one register, then 4×4 transposes in each lane.", r0, c0))
	for h := range 2 {
		// Rows r0..r0+3 first, then r0+4..r0+7: one base register each.
		lo, t := make([]VecVirtual, 4), make([]VecVirtual, 4)
		for k := range lo {
			lo[k] = XMM()
			VMOVUPS(s.row(r0+k, 4*c0+16*h), lo[k])
		}
		for k := range t {
			t[k] = YMM()
			VINSERTF128(U8(1), s.row(r0+k+4, 4*c0+16*h), lo[k].AsY(), t[k])
		}
		for c, v := range vec.Transpose4(t, YMM) {
			VMOVUPS(v, d.row(c0+4*h+c, 4*r0))
		}
	}
}

// insert8x4 transposes a 16×16 block as four 8×8 blocks, so that each
// line of src and of dst it touches is used whole while in cache.
func insert8x4(s, d rowAddr) {
	for _, rc := range [][2]int{{0, 0}, {8, 0}, {0, 8}, {8, 8}} {
		insert8At(s, d, rc[0], rc[1])
	}
}

// classic16 transposes a 16×16 block in registers: 4×4 transposes in
// each lane, then the 4×4 matrix of lanes transposed in two rounds of
// VSHUFF32X4.
func classic16(s, d rowAddr) {
	Comment("16×16 block: 4×4 transposes in each lane, then the lanes transposed.")
	r := make([]VecVirtual, 16)
	for k := range r {
		r[k] = ZMM()
		VMOVUPS(s.row(k, 0), r[k])
	}
	var g [4][]VecVirtual // g[q][c] lane L: column 4L+c of rows 4q..4q+3
	for q := range 4 {
		g[q] = vec.Transpose4(r[4*q:4*q+4], ZMM)
	}
	for c := range 4 {
		e := []VecVirtual{ZMM(), ZMM(), ZMM(), ZMM()}
		VSHUFF32X4(U8(0x44), g[1][c], g[0][c], e[0]) // g0.L0 g0.L1 g1.L0 g1.L1
		VSHUFF32X4(U8(0xee), g[1][c], g[0][c], e[1]) // g0.L2 g0.L3 g1.L2 g1.L3
		VSHUFF32X4(U8(0x44), g[3][c], g[2][c], e[2])
		VSHUFF32X4(U8(0xee), g[3][c], g[2][c], e[3])
		o := ZMM()
		VSHUFF32X4(U8(0x88), e[2], e[0], o) // lane 0 of g0..g3: column c
		VMOVUPS(o, d.row(c, 0))
		VSHUFF32X4(U8(0xdd), e[2], e[0], o) // lane 1: column 4+c
		VMOVUPS(o, d.row(4+c, 0))
		VSHUFF32X4(U8(0x88), e[3], e[1], o) // lane 2: column 8+c
		VMOVUPS(o, d.row(8+c, 0))
		VSHUFF32X4(U8(0xdd), e[3], e[1], o) // lane 3: column 12+c
		VMOVUPS(o, d.row(12+c, 0))
	}
}

// block4 transposes a 4×4 block in the low lane.
func block4(s, d rowAddr) {
	Comment("4×4 block.")
	t := make([]VecVirtual, 4)
	for k := range t {
		t[k] = XMM()
		VMOVUPS(s.row(k, 0), t[k])
	}
	for c, v := range vec.Transpose4(t, XMM) {
		VMOVUPS(v, d.row(c, 0))
	}
}
