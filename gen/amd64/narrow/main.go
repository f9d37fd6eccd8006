// Command narrow generates the fused narrow dense-layer kernels of package
// kernel (kernel/narrow.go) into package asm: z = bias + x·Wᵀ for a layer
// with few outputs, vectorised over the rows of x. Run by go generate in
// kernel.
//
// A vector holds one output of 4·nl consecutive rows (nl 128-bit lanes:
// 16 rows on AVX-512, 8 on AVX2), so every lane runs the chain
// s = fma(x[r][p], w[j][p], s) over p in order, as the other dense paths
// do, and no horizontal sum is needed. The columns of x come from a
// transpose done by the loads: for four steps of K, register t[i] gets, in
// lane L, the four values x[4L+i][p..p+3] (a 128-bit load and nl−1
// 128-bit inserts from memory), and the 4×4 transposes within the lanes
// (vec.Transpose4, eight shuffles) leave in register c the column
// x[0..4nl−1][p+c], in order of p. Each column is multiplied by the
// broadcast w[j][p+c] of every output j (AVX-512: an embedded-broadcast
// operand; AVX2: VBROADCASTSS).
//
// With few outputs, several groups of rows run at once so that at least
// eight accumulator chains are in flight (groups, below); each output
// count n has its own code path, with n·groups(n) accumulators. A k tail
// of 1–3 steps loads its pieces under a lane mask and multiplies only the
// valid columns (a zero column would change −0 and carry NaN and Inf from
// w). The rows left over after the whole blocks of groups go one group
// at a time through a path that reads rows through a table of pointers in
// which rows past the end repeat the last row, and stores only the rows
// that exist. The output is transposed back the same way: 4×4 transposes
// of four outputs' accumulators leave in lane L of register c the four
// outputs 4h..4h+3 of row 4L+c, stored as 128-bit pieces (the last n mod 4
// outputs under a mask, or as 64- and 32-bit stores on AVX2).
//
// On Zen 5 (go test -bench DenseNarrow ./kernel) the transpose costs
// about 45 cycles per 16×16 block of x, the speed of Transpose16AVX512
// alone (its 12 inserts and 8 shuffles per four steps of a group share
// two pipes), so with n ≤ 4 the kernel runs at the speed of that
// transpose, and with n = 16 at 70–75 % of the FMA peak (the shuffles
// take some of an FMA pipe). Issuing the multiply-adds column by column
// instead of output by output, and merge-masked VBROADCASTF32X4 loads
// instead of VINSERTF32X4 from memory, measured no faster.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/vec"
)

// isa is one instruction set's kernel shape.
type isa struct {
	v    *vec.ISA
	nl   int           // 128-bit lanes per vector: rows per group = 4·nl
	maxN int           // outputs per call
	grp  func(int) int // row groups per block for n outputs
}

var isas = []isa{
	// AVX2: 16 ymm. A group's transpose needs up to six registers and a
	// k tail a mask, so n·groups ≤ 9.
	{v: vec.AVX2, nl: 2, maxN: 8, grp: func(n int) int {
		if n <= 4 {
			return []int{0, 8, 4, 3, 2}[n]
		}
		return 1
	}},
	// AVX-512: 32 zmm; n·groups ≤ 16.
	{v: vec.AVX512, nl: 4, maxN: 16, grp: func(n int) int {
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
	}},
}

const sig = "func(m, n, k int, x *float32, ldx int, w *float32, ldw int, bias, z *float32, ldz int)"

// laneMask holds four −1 then eight 0 dwords: the 256-bit mask of the
// first c ≤ 4 lanes starts 4−c dwords in. kMask holds the 16-bit masks
// (1<<c)−1, c = 0..4.
var laneMask, kMask Mem

func main() {
	ConstraintExpr("gc,!purego")
	laneMask = GLOBL("narrow_lanes", RODATA|NOPTR)
	for i := range 12 {
		v := uint32(0)
		if i < 4 {
			v = 0xffffffff
		}
		DATA(4*i, U32(v))
	}
	kMask = GLOBL("narrow_kmask", RODATA|NOPTR)
	for c := range 5 {
		DATA(2*c, U16(uint16(1<<c-1)))
	}
	for _, s := range isas {
		narrow(s)
	}
	Generate()
}

// frame is a kernel's locals.
type frame struct {
	wtab  Mem // n pointers: w's row j at wtab+8j
	xtab  Mem // 4·nl pointers to the rows of the group being read (partial path)
	left  Mem // rows not yet done
	x0    Mem // x's next row
	z0    Mem // z's next row
	valid Mem // rows of the partial group that exist
	rew   Mem // main path: bytes from the last group's rows back to the first's, less 16
}

func narrow(s isa) {
	name := "DenseNarrow" + s.v.Name
	rows := 4 * s.nl
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets z[r·ldz+j] = bias[j] + Σₚ x[r·ldx+p]·w[j·ldw+p] for r < m, j < n,", name),
		fmt.Sprintf("one FMA per p in order (1 ≤ n ≤ %d, k ≥ 1, m ≥ 1; bias is not nil), %d rows per vector;", s.maxN, rows),
		"strides are in elements, and nothing outside the m×k, n×k and m×n matrices is read or written.")
	f := frame{
		wtab: AllocLocal(8 * s.maxN), xtab: AllocLocal(8 * rows),
		left: AllocLocal(8), x0: AllocLocal(8), z0: AllocLocal(8), valid: AllocLocal(8), rew: AllocLocal(8),
	}
	n := Load(Param("n"), GP64())
	for j := 1; j <= s.maxN; j++ {
		CMPQ(n, U8(j))
		JEQ(LabelRef(fmt.Sprintf("%s_n%d", name, j)))
	}
	RET() // n out of range: the Go wrapper never calls with one
	for j := 1; j <= s.maxN; j++ {
		path(s, f, name, j)
	}
}

// path emits the code for n outputs: whole blocks of grp(n) groups of
// rows, then the rest one group at a time.
func path(s isa, f frame, name string, n int) {
	rows, g := 4*s.nl, s.grp(n)
	l := func(x string) string { return fmt.Sprintf("%s_n%d%s", name, n, x) }
	Label(l(""))
	Commentf("%d outputs: blocks of %d×%d rows (%d accumulators), then groups of %d", n, g, rows, n*g, rows)
	wp := Load(Param("w"), GP64())
	ldw := Load(Param("ldw"), GP64())
	SHLQ(U8(2), ldw)
	for j := range n {
		MOVQ(wp, f.wtab.Offset(8*j))
		if j < n-1 {
			ADDQ(ldw, wp)
		}
	}
	m := Load(Param("m"), GP64())
	MOVQ(m, f.left)
	x := Load(Param("x"), GP64())
	MOVQ(x, f.x0)
	z := Load(Param("z"), GP64())
	MOVQ(z, f.z0)
	if g > 1 {
		t := Load(Param("ldx"), GP64())
		IMUL3Q(U32(4*(g-1)*rows), t, t)
		SUBQ(U8(16), t)
		MOVQ(t, f.rew)
	}

	Label(l("_block"))
	CMPQ(f.left, U32(g*rows))
	JL(LabelRef(l("_part")))
	block(s, f, l("_b"), n, g, false)
	advance(f, g*rows)
	SUBQ(U32(g*rows), f.left)
	JMP(LabelRef(l("_block")))

	Label(l("_part"))
	Commentf("the rows left, %d at a time, through a table of row pointers", rows)
	v := local(f.left)
	TESTQ(v, v)
	JLE(LabelRef(l("_ret")))
	CMPQ(v, U8(rows))
	JLE(LabelRef(l("_clamp")))
	MOVQ(U32(rows), v)
	Label(l("_clamp"))
	MOVQ(v, f.valid)
	Comment("row r of the group, or the group's last row if r is past it")
	p := local(f.x0)
	ldx := Load(Param("ldx"), GP64())
	SHLQ(U8(2), ldx)
	for r := range rows {
		MOVQ(p, f.xtab.Offset(8*r))
		if r < rows-1 {
			CMPQ(f.valid, U8(r+2))
			JL(LabelRef(l(fmt.Sprintf("_row%d", r))))
			ADDQ(ldx, p)
			Label(l(fmt.Sprintf("_row%d", r)))
		}
	}
	block(s, f, l("_p"), n, 1, true)
	advance(f, rows)
	SUBQ(U32(rows), f.left)
	JMP(LabelRef(l("_part")))
	Label(l("_ret"))
	VZEROUPPER()
	RET()
}

// local loads a local into a fresh register.
func local(m Mem) GPVirtual {
	r := GP64()
	MOVQ(m, r)
	return r
}

// advance moves x0 and z0 on by r rows.
func advance(f frame, r int) {
	for _, q := range []struct {
		p  Mem
		ld string
	}{{f.x0, "ldx"}, {f.z0, "ldz"}} {
		t := Load(Param(q.ld), GP64())
		IMUL3Q(U32(4*r), t, t)
		ADDQ(t, q.p)
	}
}

// block emits one block of g groups of rows from x0 into z0: the
// accumulators from the bias, the k-loop four steps at a time, the k
// tail, the stores. table selects the partial path (g = 1): rows read
// through xtab, only valid rows stored.
func block(s isa, f frame, l string, n, g int, table bool) {
	rows := 4 * s.nl
	a := s.v
	acc := make([][]VecVirtual, g)
	bias := Load(Param("bias"), GP64())
	for gi := range g {
		acc[gi] = make([]VecVirtual, n)
		for j := range n {
			acc[gi][j] = a.Vec()
			if gi == 0 {
				VBROADCASTSS(Mem{Base: bias, Disp: 4 * j}, acc[0][j])
			} else {
				VMOVAPS(acc[0][j], acc[gi][j])
			}
		}
	}
	off := GP64() // bytes along the rows of x (partial path) and w
	XORQ(off, off)
	kk := Load(Param("k"), GP64())

	// The main path reads group gi's row 4L+i at xb[i] + L·ld4.
	var xb [4]GPVirtual
	var ld4, ld4x3 GPVirtual
	if !table {
		ldx := Load(Param("ldx"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldx)
		xb[0] = local(f.x0)
		for i := 1; i < 4; i++ {
			xb[i] = GP64()
			LEAQ(Mem{Base: xb[i-1], Index: ldx, Scale: 1}, xb[i])
		}
		ld4 = ldx
		SHLQ(U8(2), ld4)
		ld4x3 = GP64()
		LEAQ(Mem{Base: ld4, Index: ld4, Scale: 2}, ld4x3)
	}
	piece := func(i, lane int) Mem {
		if table {
			p := GP64()
			MOVQ(f.xtab.Offset(8*(4*lane+i)), p)
			return Mem{Base: p, Index: off, Scale: 1}
		}
		switch lane {
		case 0:
			return Mem{Base: xb[i]}
		case 1:
			return Mem{Base: xb[i], Index: ld4, Scale: 1}
		case 2:
			return Mem{Base: xb[i], Index: ld4, Scale: 2}
		}
		return Mem{Base: xb[i], Index: ld4x3, Scale: 1}
	}

	// step emits four steps of K (masked: the k tail, kk = 1..3 steps)
	// for every group.
	step := func(masked bool) {
		var km Register
		var xm VecVirtual
		if masked {
			if a.AVX512 {
				t := GP64()
				LEAQ(kMask, t)
				km = K()
				KMOVW(Mem{Base: t, Index: kk, Scale: 2}, km)
			} else {
				t := GP64()
				MOVQ(U32(4), t)
				SUBQ(kk, t)
				b := GP64()
				LEAQ(laneMask, b)
				xm = YMM()
				VMOVDQU(Mem{Base: b, Index: t, Scale: 4}, xm)
			}
		}
		for gi := range g {
			Commentf("group %d: rows 4L+i in lane L of t[i], four steps, then transposed within lanes", gi)
			t := make([]VecVirtual, 4)
			for i := range t {
				for lane := range s.nl {
					m := piece(i, lane)
					// Lane 0 defines the whole register (avo takes a
					// write of its 128-bit view for a partial one).
					var px VecVirtual
					switch {
					case masked && a.AVX512:
						px = a.Vec()
						VMOVUPS_Z(m, km, px)
					case masked:
						px = a.Vec()
						VMASKMOVPS(m, xm, px)
					case lane == 0:
						t[i] = a.Vec()
						if a.AVX512 {
							VBROADCASTF32X4(m, t[i])
						} else {
							VBROADCASTF128(m, t[i])
						}
						continue
					}
					if lane == 0 {
						t[i] = px
						continue
					}
					var src Op = m
					if masked {
						src = px.AsX()
					}
					if a.AVX512 {
						VINSERTF32X4(U8(lane), src, t[i], t[i])
					} else {
						VINSERTF128(U8(lane), src, t[i], t[i])
					}
				}
			}
			cols := vec.Transpose4(t, a.Vec)
			if !masked {
				for j := range n {
					wr := GP64()
					MOVQ(f.wtab.Offset(8*j), wr)
					for c := range 4 {
						fma(a, Mem{Base: wr, Index: off, Scale: 1, Disp: 4 * c}, cols[c], acc[gi][j])
					}
				}
			} else {
				skip := fmt.Sprintf("%s_tail%d", l, gi)
				for c := range 3 {
					if c > 0 {
						CMPQ(kk, U8(c))
						JLE(LabelRef(skip))
					}
					for j := range n {
						wr := GP64()
						MOVQ(f.wtab.Offset(8*j), wr)
						fma(a, Mem{Base: wr, Index: off, Scale: 1, Disp: 4 * c}, cols[c], acc[gi][j])
					}
				}
				Label(skip)
			}
			if !table && gi < g-1 {
				for i := range xb {
					LEAQ(Mem{Base: xb[i], Index: ld4, Scale: uint8(s.nl)}, xb[i])
				}
			}
		}
	}

	Label(l + "_loop")
	SUBQ(U8(4), kk)
	JL(LabelRef(l + "_tail"))
	step(false)
	ADDQ(U8(16), off)
	if !table {
		for i := range xb {
			if g > 1 {
				SUBQ(f.rew, xb[i])
			} else {
				ADDQ(U8(16), xb[i])
			}
		}
	}
	JMP(LabelRef(l + "_loop"))
	Label(l + "_tail")
	Comment("the last 1–3 steps of K, if any, under a lane mask")
	ADDQ(U8(4), kk)
	JZ(LabelRef(l + "_store"))
	step(true)

	Label(l + "_store")
	Commentf("rows to z: the accumulators of four outputs transposed within lanes give in lane L of register c the outputs of row 4L+c")
	ldz := Load(Param("ldz"), GP64())
	SHLQ(U8(2), ldz)
	zr := local(f.z0)
	nh, part := (n+3)/4, n%4
	var km Register
	if part != 0 && a.AVX512 {
		t := GP32()
		MOVL(U32(1<<part-1), t)
		km = K()
		KMOVW(t, km)
	}
	for gi := range g {
		outs := make([][]VecVirtual, nh)
		for h := range nh {
			t := make([]VecVirtual, 4)
			for c := range t {
				if j := 4*h + c; j < n {
					t[c] = acc[gi][j]
				} else {
					t[c] = a.Vec()
					VXORPS(t[c], t[c], t[c])
				}
			}
			outs[h] = vec.Transpose4(t, a.Vec)
		}
		for r := range rows {
			if table && r > 0 {
				CMPQ(f.valid, U8(r))
				JLE(LabelRef(l + "_done"))
			}
			lane, c := r/4, r%4
			for h := range nh {
				lanes := 4
				if h == nh-1 && part != 0 {
					lanes = part
				}
				store(a, outs[h][c], lane, lanes, km, Mem{Base: zr, Disp: 16 * h})
			}
			if gi < g-1 || r < rows-1 {
				ADDQ(ldz, zr)
			}
		}
	}
	if table {
		Label(l + "_done")
	}
}

// fma emits acc += col·w, w a float32 in memory broadcast to every lane.
func fma(a *vec.ISA, w Mem, col, acc VecVirtual) {
	if a.AVX512 {
		VFMADD231PS_BCST(w, col, acc)
		return
	}
	b := YMM()
	VBROADCASTSS(w, b)
	VFMADD231PS(b, col, acc)
}

// store emits the store of the first lanes float32s of 128-bit lane L of
// v to m: on AVX-512 under the mask km (lanes < 4), on AVX2 as 128-,
// 64- and 32-bit stores (VMASKMOVPS stores are slow on AMD).
func store(a *vec.ISA, v VecVirtual, lane, lanes int, km Register, m Mem) {
	if a.AVX512 {
		switch {
		case lane == 0 && lanes == 4:
			VMOVUPS(v.AsX(), m)
		case lane == 0:
			VMOVUPS(v.AsX(), km, m)
		case lanes == 4:
			VEXTRACTF32X4(U8(lane), v, m)
		default:
			// Through a register: VEXTRACTF32X4's mask does not
			// suppress faults on memory (exception class E6NF);
			// VMOVUPS's does.
			x := XMM()
			VEXTRACTF32X4(U8(lane), v, x)
			VMOVUPS(x, km, m)
		}
		return
	}
	if lane > 0 && lanes == 4 {
		VEXTRACTF128(U8(lane), v, m)
		return
	}
	x := v.AsX()
	if lane > 0 {
		x = XMM()
		VEXTRACTF128(U8(lane), v, x)
	}
	switch lanes {
	case 4:
		VMOVUPS(x, m)
	case 3:
		VMOVLPS(x, m)
		VEXTRACTPS(U8(2), x, m.Offset(8))
	case 2:
		VMOVLPS(x, m)
	case 1:
		VMOVSS(x, m)
	}
}
