// Package vec is the part of scorekit's amd64 generators shared by every
// kernel family: one description of an instruction set (AVX2 with FMA, or
// AVX-512) so that each kernel's body is written once and emitted for
// both, with the same operation sequence as its generic Go twin. It holds
// the broadcast constants, the tail masks, compare-and-select, an
// elementwise loop skeleton and the exp sequence of kernel.exp32.
package vec

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	_ "unsafe" // go:linkname, to reach avo's active function; see interleave

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// ISA describes one vector instruction set.
type ISA struct {
	Name    string // suffix of the kernels' names: AVX2, AVX512
	Lanes   int    // float32 lanes per vector
	AVX512  bool
	Require string // the features, for the generated comment

	hoist *hoister // while an elementwise kernel hoists its constants
}

// hoister keeps the constants of one kernel in registers: the first max
// constants its body uses get a register, loaded once before the loop.
type hoister struct {
	max   int
	regs  map[string]VecVirtual
	order []Mem
}

// C returns the operand to use for the constant m: while a kernel hoists
// its constants (see [ISA.ElementwiseUnrolled]), the register holding it;
// otherwise m itself. The register must only be read.
func (a *ISA) C(m Mem) Op {
	h := a.hoist
	if h == nil {
		return m
	}
	if r, ok := h.regs[m.Symbol.Name]; ok {
		return r
	}
	if len(h.order) >= h.max {
		return m
	}
	r := a.Vec()
	h.regs[m.Symbol.Name] = r
	h.order = append(h.order, m)
	return r
}

// The instruction sets.
var (
	AVX2   = &ISA{Name: "AVX2", Lanes: 8, Require: "AVX, AVX2, FMA"}
	AVX512 = &ISA{Name: "AVX512", Lanes: 16, AVX512: true, Require: "AVX512F, AVX512BW, AVX512DQ, AVX512VL, FMA"}
)

// Both lists the instruction sets every family is generated for.
var Both = []*ISA{AVX2, AVX512}

// Bytes is the size of one vector.
func (a *ISA) Bytes() int { return 4 * a.Lanes }

// Vec allocates a vector register.
func (a *ISA) Vec() VecVirtual {
	if a.AVX512 {
		return ZMM()
	}
	return YMM()
}

// consts maps a constant's name to its 64-byte broadcast table.
var consts = map[string]Mem{}

// Const returns a memory operand holding the float32 bits v in every lane,
// named name. A constant is emitted once per generated file.
func Const(name string, bits uint32) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL("const_"+name, RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(bits))
	}
	consts[name] = m
	return m
}

// F returns the broadcast constant float32(v) for v an exact rational
// (a decimal such as "0.01" or a fraction such as "-17/315"), rounded once
// to float32 as Go rounds the untyped constants of the generic code.
func F(name string, v string) Mem {
	r, ok := new(big.Rat).SetString(v)
	if !ok {
		panic("vec: bad constant " + v)
	}
	return FRat(name, r)
}

// FRat returns the broadcast constant r rounded once to float32.
func FRat(name string, r *big.Rat) Mem {
	f, _ := r.Float32()
	return Const(name, math.Float32bits(f))
}

// I returns the broadcast constant int32 v.
func I(name string, v int32) Mem { return Const(name, uint32(v)) }

// tailTables declares the tables tail masks are read from: for AVX2
// eight −1 then eight 0 dwords, for AVX-512 the 16-bit masks (1<<r)−1.
var ymmTail, kTail Mem

// DeclareTables emits the tail-mask tables every family's file needs; call
// it before the first TEXT. Families that compute exp also call DeclareExp.
func DeclareTables() {
	ymmTail = GLOBL("tail_ymm", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		v := uint32(0)
		if i < 8 {
			v = 0xffffffff
		}
		DATA(4*i, U32(v))
	}
	kTail = GLOBL("tail_k", RODATA|NOPTR)
	for r := 0; r < 16; r++ {
		DATA(2*r, U16(uint16(1<<r-1)))
	}
}

// Mask is the lane mask of a partial vector: lanes [0, r) are active.
type Mask struct {
	y VecVirtual // AVX2: −1 in active lanes
	k Register   // AVX-512: bit i set for active lane i
}

// TailMask builds the mask of the first r lanes, 0 < r < Lanes; r is a
// general register holding the count (it is not modified).
func (a *ISA) TailMask(r Register) Mask {
	if a.AVX512 {
		base := GP64()
		LEAQ(kTail, base)
		k := K()
		KMOVW(Mem{Base: base, Index: r, Scale: 2}, k)
		return Mask{k: k}
	}
	off := GP64()
	MOVQ(U32(8), off)
	SUBQ(r, off)
	base := GP64()
	LEAQ(ymmTail, base)
	y := YMM()
	VMOVDQU(Mem{Base: base, Index: off, Scale: 4}, y)
	return Mask{y: y}
}

// LoadMasked loads the active lanes of m from src into dst and zeroes the
// others, without touching memory of inactive lanes.
func (a *ISA) LoadMasked(m Mask, src Mem, dst VecVirtual) {
	if a.AVX512 {
		VMOVUPS_Z(src, m.k, dst)
		return
	}
	VMASKMOVPS(src, m.y, dst)
}

// StoreMasked stores the active lanes of src to dst, without touching the
// memory of inactive lanes.
func (a *ISA) StoreMasked(m Mask, src VecVirtual, dst Mem) {
	if a.AVX512 {
		VMOVUPS(src, m.k, dst)
		return
	}
	VMASKMOVPS(src, m.y, dst)
}

// Comparison predicates (the imm8 of VCMPPS).
const (
	LT_OQ  = 0x11 // x < y, false for NaN
	UNORD  = 0x03 // either is NaN
	NLE_UQ = 0x16 // !(x <= y): true for NaN
	NLT_UQ = 0x15 // !(x < y): true for NaN
	GE_OQ  = 0x1d // x >= y, false for NaN
	NGE_UQ = 0x19 // !(x >= y): true for NaN
	GT_OQ  = 0x1e // x > y, false for NaN
)

// Cond is the result of a comparison, a vector or a mask register.
type Cond struct {
	y VecVirtual
	k Register
}

// Cmp compares x with y lane by lane (x pred y); y may be memory.
func (a *ISA) Cmp(pred uint8, x VecVirtual, y Op) Cond {
	if a.AVX512 {
		k := K()
		VCMPPS(U8(pred), y, x, k)
		return Cond{k: k}
	}
	m := YMM()
	VCMPPS(U8(pred), y, x, m)
	return Cond{y: m}
}

// Select sets dst = c ? t : f lane by lane. t and f are registers; dst may
// be one of them.
func (a *ISA) Select(c Cond, t, f, dst VecVirtual) {
	if a.AVX512 {
		VBLENDMPS(t, f, c.k, dst)
		return
	}
	VBLENDVPS(c.y, t, f, dst)
}

// MulWhere sets dst = x·y in the lanes where c holds and leaves dst's
// other lanes, in one merge-masked VMULPS: multiplying everywhere and
// then selecting takes a blend more, a port slot per vector on cores
// whose 512-bit operations share two ports. The product is rounded as
// VMULPS(y, x) rounds it, so the bits are those of that product selected.
// It panics on AVX2, which has no merge-masking: callers there multiply
// and [ISA.Select].
func (a *ISA) MulWhere(c Cond, x VecVirtual, y Op, dst VecVirtual) {
	if !a.AVX512 {
		panic("vec: MulWhere needs AVX-512")
	}
	VMULPS(y, x, c.k, dst)
}

// Load broadcasts a constant into a fresh register.
func (a *ISA) Load(m Mem) VecVirtual {
	v := a.Vec()
	if r, ok := a.C(m).(VecVirtual); ok {
		VMOVAPS(r, v)
		return v
	}
	VMOVUPS(m, v)
	return v
}

// Doc sets the doc comment of the current function, with {ISA} replaced
// by the ISA's name.
func (a *ISA) Doc(lines ...string) {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.ReplaceAll(l, "{ISA}", a.Name)
	}
	Doc(out...)
}

// Unary is the signature of an elementwise kernel: dst[i] = f(x[i]).
const Unary = "func(dst, x []float32)"

// Elementwise emits a kernel that maps nin input slices (params named in
// ins) to the output slice out (which may also be an input). scalars are
// float32 parameters broadcast into registers before the loop. body emits
// the computation of one vector and returns the register holding the
// result; it is called once for the main loop and once for the tail. The
// slices' lengths are checked by the Go wrapper; the loop runs over
// len(out).
func (a *ISA) Elementwise(name, sig string, doc []string, out string, ins, scalars []string, body func(in, sc []VecVirtual) VecVirtual) {
	a.ElementwiseUnrolled(1, 0, name, sig, doc, out, ins, scalars, body)
}

// ElementwiseUnrolled is [ISA.Elementwise] with a first loop that runs the
// body on u vectors per iteration, their instructions interleaved (the
// first instruction of each vector, then the second of each, …): the exp
// sequence is a chain of some twenty dependent instructions, and emitted
// one vector after another the chains fill the core's scheduler with
// instructions that wait, while interleaved ones keep both FMA pipes fed.
// Every element still gets the same sequence of operations.
//
// With hoist > 0, the first hoist constants the body reads through
// [ISA.C] or [ISA.Load] live in registers, loaded once per call (the exp
// sequence reads twelve constants per vector). The loads are emitted after
// the body, once it is known which constants it uses, in a block the
// prologue jumps to. avo may give a YMM virtual register Y16–Y31 when
// registers run short, which AVX2 cannot encode: kernel's
// TestAVX2KernelsAvoidAVX512 catches that.
func (a *ISA) ElementwiseUnrolled(u, hoist int, name, sig string, doc []string, out string, ins, scalars []string, body func(in, sc []VecVirtual) VecVirtual) {
	TEXT(name+a.Name, NOSPLIT, sig)
	a.Doc(doc...)
	Pragma("noescape")
	dst := Load(Param(out).Base(), GP64())
	n := Load(Param(out).Len(), GP64())
	ptrs := make([]Register, len(ins))
	for i, in := range ins {
		if in == out {
			ptrs[i] = dst
			continue
		}
		ptrs[i] = Load(Param(in).Base(), GP64())
	}
	sc := make([]VecVirtual, len(scalars))
	for i, s := range scalars {
		x := XMM()
		Load(Param(s), x)
		sc[i] = a.Vec()
		VBROADCASTSS(x, sc[i])
	}
	idx := GP64()
	XORQ(idx, idx)
	endHoist := a.HoistConstants(hoist, "")
	rem := GP64()
	in := make([]VecVirtual, len(ins))
	if u > 1 {
		Comment(fmt.Sprintf("Unrolled loop: %d×%d elements per iteration.", u, a.Lanes))
		Label("loopu")
		MOVQ(n, rem)
		SUBQ(idx, rem)
		CMPQ(rem, U32(u*a.Lanes))
		JB(LabelRef("loop"))
		res := Interleaved(u, func(k int) VecVirtual {
			for i := range ins {
				in[i] = a.Vec()
				VMOVUPS(Mem{Base: ptrs[i], Index: idx, Scale: 4, Disp: 4 * k * a.Lanes}, in[i])
			}
			return body(in, sc)
		})
		for k := range u {
			VMOVUPS(res[k], Mem{Base: dst, Index: idx, Scale: 4, Disp: 4 * k * a.Lanes})
		}
		ADDQ(U32(u*a.Lanes), idx)
		JMP(LabelRef("loopu"))
	}
	Comment(fmt.Sprintf("Main loop: %d elements per iteration.", a.Lanes))
	Label("loop")
	MOVQ(n, rem)
	SUBQ(idx, rem)
	CMPQ(rem, U32(a.Lanes))
	JB(LabelRef("tail"))
	for i := range ins {
		in[i] = a.Vec()
		VMOVUPS(Mem{Base: ptrs[i], Index: idx, Scale: 4}, in[i])
	}
	res := body(in, sc)
	VMOVUPS(res, Mem{Base: dst, Index: idx, Scale: 4})
	ADDQ(U32(a.Lanes), idx)
	JMP(LabelRef("loop"))

	Label("tail")
	Comment("Tail: the remaining 0 < r < lanes elements, under a lane mask.")
	TESTQ(rem, rem)
	JZ(LabelRef("done"))
	m := a.TailMask(rem)
	for i := range ins {
		in[i] = a.Vec()
		a.LoadMasked(m, Mem{Base: ptrs[i], Index: idx, Scale: 4}, in[i])
	}
	res = body(in, sc)
	a.StoreMasked(m, res, Mem{Base: dst, Index: idx, Scale: 4})
	Label("done")
	VZEROUPPER()
	RET()
	endHoist()
}

// HoistConstants makes the first max constants that the code emitted next
// reads through [ISA.C] or [ISA.Load] live in registers (none if max is
// 0): it emits a jump to a block of loads and the label that block jumps
// back to. Once that code has ended (a RET or a jump away), call the
// function it returns: it emits the block, now that the constants used are
// known. Labels are named prefix+"hoist" and prefix+"start".
func (a *ISA) HoistConstants(max int, prefix string) (end func()) {
	if max <= 0 {
		return func() {}
	}
	a.hoist = &hoister{max: max, regs: map[string]VecVirtual{}}
	JMP(LabelRef(prefix + "hoist"))
	Label(prefix + "start")
	return func() {
		h := a.hoist
		a.hoist = nil
		Label(prefix + "hoist")
		Comment("The constants the loop keeps in registers.")
		for _, m := range h.order {
			VMOVUPS(m, h.regs[m.Symbol.Name])
		}
		JMP(LabelRef(prefix + "start"))
	}
}

// Interleaved calls emit for k = 0..u−1, each emitting the code of one of
// u independent vectors and returning its result, and interleaves their
// instructions (see [ISA.ElementwiseUnrolled]): the segments must read
// shared registers only, write their own virtual registers and hold no
// label. It returns the u results.
func Interleaved(u int, emit func(k int) VecVirtual) []VecVirtual {
	if avoContext == nil {
		panic("vec: avo's build context not found (github.com/mmcloughlin/avo/build.ctx): check the go:linkname against the avo version in go.mod")
	}
	f := activeFunction(avoContext)
	bounds := []int{len(f.Nodes)}
	res := make([]VecVirtual, u)
	for k := range u {
		res[k] = emit(k)
		bounds = append(bounds, len(f.Nodes))
	}
	interleave(f, bounds)
	return res
}

// avo builds each function in its package-level context, which it does not
// export; the generators need the active function's instruction list to
// interleave unrolled bodies. avo's version is pinned in go.mod. If the
// method is renamed the generator fails to link; if the variable is, the
// linker gives avoContext storage of its own, nil, and activeFunction
// below panics with a message rather than emitting wrong code.
//
//go:linkname avoContext github.com/mmcloughlin/avo/build.ctx
var avoContext *Context

//go:linkname activeFunction github.com/mmcloughlin/avo/build.(*Context).activefunc
func activeFunction(c *Context) *ir.Function

// interleave reorders f.Nodes[bounds[0]:bounds[len−1]], which hold u
// segments emitted by the same code for u independent vectors (segment k
// is f.Nodes[bounds[k]:bounds[k+1]]), so that instruction i of every
// segment precedes instruction i+1 of any. The segments read shared
// registers only and write their own virtual registers, so any
// interleaving computes the same values; registers are allocated after.
// The first segment's comments stay before its instructions; the others'
// are dropped. A segment must hold no label.
func interleave(f *ir.Function, bounds []int) {
	u := len(bounds) - 1
	segs := make([][]ir.Node, u)
	for k := range u {
		for _, n := range f.Nodes[bounds[k]:bounds[k+1]] {
			switch n.(type) {
			case ir.Label:
				panic("vec: a label in an interleaved body")
			case *ir.Comment:
				if k > 0 {
					continue
				}
			}
			segs[k] = append(segs[k], n)
		}
	}
	out := make([]ir.Node, 0, bounds[u]-bounds[0])
	j := make([]int, u) // next node of each segment
	for j[0] < len(segs[0]) {
		for j[0] < len(segs[0]) {
			if _, ok := segs[0][j[0]].(*ir.Comment); !ok {
				break
			}
			out = append(out, segs[0][j[0]])
			j[0]++
		}
		if j[0] == len(segs[0]) {
			break
		}
		for k := range u {
			if j[k] >= len(segs[k]) {
				panic("vec: interleaved bodies of different lengths")
			}
			out = append(out, segs[k][j[k]])
			j[k]++
		}
	}
	for k := 1; k < u; k++ {
		if j[k] != len(segs[k]) {
			panic("vec: interleaved bodies of different lengths")
		}
	}
	f.Nodes = append(append(f.Nodes[:bounds[0]:bounds[0]], out...), f.Nodes[bounds[u]:]...)
}

// Transpose4 transposes the 4×4 matrices in each 128-bit lane of t
// (t[k] lane L holds row k of lane L's matrix: four float32s) and returns
// the columns, in t's registers; mk allocates the four temporaries
// (XMM, YMM or ZMM). Eight in-lane shuffles: VUNPCKLPS/VUNPCKHPS, then
// VSHUFPS.
func Transpose4(t []VecVirtual, mk func() VecVirtual) []VecVirtual {
	u := []VecVirtual{mk(), mk(), mk(), mk()}
	VUNPCKLPS(t[1], t[0], u[0]) // t0₀ t1₀ t0₁ t1₁
	VUNPCKHPS(t[1], t[0], u[1]) // t0₂ t1₂ t0₃ t1₃
	VUNPCKLPS(t[3], t[2], u[2])
	VUNPCKHPS(t[3], t[2], u[3])
	VSHUFPS(U8(0x44), u[2], u[0], t[0]) // column 0: t0₀ t1₀ t2₀ t3₀
	VSHUFPS(U8(0xee), u[2], u[0], t[1]) // column 1
	VSHUFPS(U8(0x44), u[3], u[1], t[2]) // column 2
	VSHUFPS(U8(0xee), u[3], u[1], t[3]) // column 3
	return t
}
