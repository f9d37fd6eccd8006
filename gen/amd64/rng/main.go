// Command rng generates the AVX2 and AVX-512 random-number kernels of
// package kernel into package asm: Philox4x32-10 over groups of 16
// blocks, uniforms, Box–Muller normals, and the Langevin, MALA and
// underdamped O-step updates that draw their normals in registers. Run by
// go generate in kernel (kernel/rng.go).
//
// Every kernel follows the generic Go code of kernel/rng.go and
// kernel/rng_math.go operation by operation, so the results are the same
// bits. Each works on whole groups of 64 outputs: the Go wrapper handles
// partial groups, so the assembly never touches memory outside its
// slices.
package main

import (
	"fmt"
	"math"
	"os"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/internal/rngconst"
)

// isa describes one vector instruction set.
type isa struct {
	name    string
	lanes   int // 32-bit lanes: Philox blocks per vector
	z       bool
	require string
}

var (
	avx2   = &isa{name: "AVX2", lanes: 8, require: "AVX2, FMA"}
	avx512 = &isa{name: "AVX512", lanes: 16, z: true, require: "AVX512F, AVX512DQ"}
)

func (a *isa) vec() VecVirtual {
	if a.z {
		return ZMM()
	}
	return YMM()
}

// consts maps a constant's name to its 64-byte broadcast table.
var consts = map[string]Mem{}

// c32 returns a 64-byte table holding bits in every dword (AVX2 reads the
// first 32 bytes).
func c32(name string, bits uint32) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL("rng_"+name, RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(bits))
	}
	consts[name] = m
	return m
}

func cf(name string, f float32) Mem { return c32(name, math.Float32bits(f)) }

// iota holds the dwords 0, 1, …, 15: the block offsets of the lanes.
var iotaTab Mem

var isas = []*isa{avx2, avx512}

func main() {
	// RNG_ONLY=avx2|avx512 and RNG_KIND=<kernel name> restrict the output,
	// to find which kernel fails register allocation.
	if os.Getenv("RNG_ONLY") == "avx512" {
		isas = isas[1:]
	} else if os.Getenv("RNG_ONLY") == "avx2" {
		isas = isas[:1]
	}
	ConstraintExpr("gc,!purego")
	iotaTab = GLOBL("rng_iota", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(uint32(i)))
	}
	only := os.Getenv("RNG_KIND") // debugging: generate one kind
	for _, a := range isas {
		for k := range kinds {
			if only == "" || only == kinds[k].name {
				groupKernel(a, kind(k))
			}
		}
		if only == "" {
			malaReverse(a)
		}
	}
	Generate()
}

// kind is what a group kernel does with the outputs it generates.
type kind int

const (
	kUint32s kind = iota
	kUniforms
	kNormals
	kLangevin
	kMALA
	kKineticO
)

const keyArgs = "rk *[20]uint32, idLo, idHi uint32, group uint64"

var kinds = [...]struct {
	name, sig string
	doc       []string
}{
	kUint32s: {"PhiloxUint32s", "func(dst []uint32, " + keyArgs + ")", []string{
		"fills dst, len(dst)/64 whole groups (group, group+1, …), with the Philox4x32-10 outputs of stream idHi<<32|idLo",
		"under the round keys rk: dst[64k+16j+l] is word j of block 16(group+k)+l. len(dst) is a multiple of 64.",
	}},
	kUniforms: {"PhiloxUniforms", "func(dst []float32, " + keyArgs + ")", []string{
		"fills dst, len(dst)/64 whole groups (group, group+1, …), with the uniforms (w>>9)·2⁻²³ + 2⁻²⁴",
		"of the outputs that PhiloxUint32s{ISA} writes. len(dst) is a multiple of 64.",
	}},
	kNormals: {"PhiloxNormals", "func(dst []float32, " + keyArgs + ")", []string{
		"fills dst, len(dst)/64 whole groups (group, group+1, …), with the Box–Muller normals of kernel.Stream.Normals:",
		"words 0 and 1, then 2 and 3, of each block make a pair. len(dst) is a multiple of 64.",
	}},
	kLangevin: {"PhiloxLangevin", "func(a, b float32, x, grad []float32, " + keyArgs + ")", []string{
		"sets x[i] = fma(b, z[i], fma(a, grad[i], x[i])), z the normals PhiloxNormals{ISA} would write,",
		"drawn in registers. len(x) == len(grad) is a multiple of 64.",
	}},
	kMALA: {"PhiloxMALA", "func(h, sq float32, xp, x, grad []float32, " + keyArgs + ") float32", []string{
		"sets xp[i] = fma(sq, z[i], fma(h, grad[i], x[i])), z the normals PhiloxNormals{ISA} would write,",
		"and returns Σz² summed in 16 lanes (element i into lane i%16) combined by halving.",
		"The slices have the same length, a multiple of 64.",
	}},
	kKineticO: {"PhiloxKineticO", "func(c1, c2 float32, v []float32, " + keyArgs + ")", []string{
		"sets v[i] = fma(c2, z[i], c1·v[i]), z the normals PhiloxNormals{ISA} would write.",
		"len(v) is a multiple of 64.",
	}},
}

// gk holds the state of one group kernel being generated.
type gk struct {
	a    *isa
	k    kind
	rk   Register // round keys
	kOdd Register // AVX-512: mask of the odd dwords
	idLo VecVirtual
	idHi VecVirtual
	sc   []VecVirtual // broadcast scalars
	ptrs []Register   // slices: output first
	acc  []VecVirtual // MALA: z² lane sums, one per sub-block
	// AVX2 has 16 registers, too few to hold these across two interleaved
	// units: it reads them from memory where needed.
	lean   bool
	idMem  [2]Mem // the stream id's words, in the frame
	scMem  []Mem  // the scalars, in the arguments
	accMem []Mem  // the lane sums, in the frame
	save   Mem    // the words of a unit waiting for its Box–Muller
}

// addr returns the memory of a basic argument.
func addr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

func groupKernel(a *isa, k kind) {
	d := kinds[k]
	TEXT(d.name+a.name, NOSPLIT, d.sig)
	doc := append([]string{d.name + a.name + " " + d.doc[0]}, d.doc[1:]...)
	for i := range doc {
		doc[i] = strings.ReplaceAll(doc[i], "{ISA}", a.name)
	}
	Doc(doc...)
	Pragma("noescape")
	g := &gk{a: a, k: k, lean: !a.z}

	var slices, scalars []string
	switch k {
	case kUint32s, kUniforms, kNormals:
		slices = []string{"dst"}
	case kLangevin:
		slices, scalars = []string{"x", "grad"}, []string{"a", "b"}
	case kMALA:
		slices, scalars = []string{"xp", "x", "grad"}, []string{"h", "sq"}
	case kKineticO:
		slices, scalars = []string{"v"}, []string{"c1", "c2"}
	}
	Comment("Pointers to the slices; n counts the elements left.")
	for _, s := range slices {
		g.ptrs = append(g.ptrs, Load(Param(s).Base(), GP64()))
	}
	n := Load(Param(slices[0]).Len(), GP64())
	for _, s := range scalars {
		if g.lean {
			g.scMem = append(g.scMem, addr(s))
			continue
		}
		x := XMM()
		Load(Param(s), x)
		v := a.vec()
		VBROADCASTSS(x, v)
		g.sc = append(g.sc, v)
	}
	g.rk = Load(Param("rk"), GP64())
	grp := Load(Param("group"), GP64())

	if g.lean {
		// Copied to the frame: vet's asmdecl rejects a VPBROADCASTD of an
		// argument.
		m := AllocLocal(8)
		g.idMem = [2]Mem{m, m.Offset(4)}
		MOVL(Load(Param("idLo"), GP32()), g.idMem[0])
		MOVL(Load(Param("idHi"), GP32()), g.idMem[1])
		g.save = AllocLocal(4 * 32)
	} else {
		Comment("Counter words 2 and 3: the stream id, in every lane.")
		g.idLo = g.broadcast(Load(Param("idLo"), GP32()))
		g.idHi = g.broadcast(Load(Param("idHi"), GP32()))
	}
	if a.z {
		g.kOdd = K()
		m := GP32()
		MOVL(U32(0xAAAA), m)
		KMOVW(m, g.kOdd)
	}
	subs := 16 / a.lanes
	if k == kMALA {
		for s := 0; s < subs; s++ {
			v := a.vec()
			VXORPS(v, v, v)
			if g.lean {
				m := AllocLocal(a.lanes * 4)
				VMOVUPS(v, m)
				g.accMem = append(g.accMem, m)
				continue
			}
			g.acc = append(g.acc, v)
		}
	}

	// A unit is the Philox blocks of one vector: sub-block s of group
	// g+gr. Several units are computed together, their instructions
	// interleaved, so that the independent dependency chains overlap.
	var units []unit
	if a.z {
		Comment("Two groups (128 outputs) per iteration, then one.")
		Label("pair")
		CMPQ(n, U32(2*rngconst.GroupLen))
		JB(LabelRef("group"))
		g.iteration(grp, []unit{{0, 0}, {1, 0}}, 2)
		for _, p := range g.ptrs {
			ADDQ(U32(2*4*rngconst.GroupLen), p)
		}
		SUBQ(U32(2*rngconst.GroupLen), n)
		ADDQ(U8(2), grp)
		JMP(LabelRef("pair"))
		units = []unit{{0, 0}}
	} else {
		units = []unit{{0, 0}, {0, 1}}
	}
	Comment("One group (64 outputs) per iteration.")
	Label("group")
	CMPQ(n, U32(rngconst.GroupLen))
	JB(LabelRef("done"))
	g.iteration(grp, units, 1)
	for _, p := range g.ptrs {
		ADDQ(U32(4*rngconst.GroupLen), p)
	}
	SUBQ(U32(rngconst.GroupLen), n)
	INCQ(grp)
	JMP(LabelRef("group"))

	Label("done")
	if k == kMALA {
		Comment("Σz²: the 16 lane sums combined by halving.")
		for _, m := range g.accMem {
			v := a.vec()
			VMOVUPS(m, v)
			g.acc = append(g.acc, v)
		}
		Store(g.reduce(g.acc), ReturnIndex(0))
	}
	VZEROUPPER()
	RET()
}

// unit is sub-block sub (blocks 16g + sub·lanes …) of group g+gr.
type unit struct{ gr, sub int }

// iteration emits the Philox blocks of units, interleaved, and their use.
// The normals of AVX2 are computed one unit at a time (16 registers); the
// AVX-512 ones together (32 registers).
func (g *gk) iteration(grp Register, units []unit, groups int) {
	a := g.a
	xs := make([][4]VecVirtual, len(units))
	for i, u := range units {
		Comment(fmt.Sprintf("Unit %d: blocks 16(g+%d)+%d … +%d; counter = {block, block>>32, id, id>>32}.", i, u.gr, u.sub*a.lanes, u.sub*a.lanes+a.lanes-1))
		b := GP64()
		MOVQ(grp, b)
		if u.gr != 0 {
			ADDQ(U8(u.gr), b)
		}
		SHLQ(U8(4), b)
		xs[i][0] = g.broadcast(b.As32())
		VPADDD(iotaTab.Offset(4*u.sub*a.lanes), xs[i][0], xs[i][0])
		SHRQ(U8(32), b)
		xs[i][1] = g.broadcast(b.As32())
		if g.lean {
			xs[i][2], xs[i][3] = a.vec(), a.vec()
			VPBROADCASTD(g.idMem[0], xs[i][2])
			VPBROADCASTD(g.idMem[1], xs[i][3])
		} else {
			xs[i][2], xs[i][3] = g.idLo, g.idHi
		}
	}
	for r := 0; r < rngconst.PhiloxRounds; r++ {
		Comment(fmt.Sprintf("Philox round %d.", r))
		xs = g.round(xs, r)
	}
	switch g.k {
	case kUint32s, kUniforms:
		for i, u := range units {
			for j := range xs[i] {
				if g.k == kUniforms {
					g.uniform([]VecVirtual{xs[i][j]})
				}
				VMOVUPS(xs[i][j], g.at(g.ptrs[0], u, j))
			}
		}
		return
	}
	batch := len(units)
	if g.lean || g.k == kMALA {
		batch = 1 // not enough registers to interleave the Box–Muller steps
	}
	if g.lean && len(units) > 1 {
		Comment("Park the second unit's words while the first one's are used.")
		for j := range xs[1] {
			VMOVUPS(xs[1][j], g.save.Offset(32*j))
		}
	}
	for b0 := 0; b0 < len(units); b0 += batch {
		us := units[b0 : b0+batch]
		if g.lean && b0 == 1 {
			for j := range xs[1] {
				xs[1][j] = a.vec()
				VMOVUPS(g.save.Offset(32*j), xs[1][j])
			}
		}
		for pair := 0; pair < 2; pair++ {
			w1, w2 := make([]VecVirtual, len(us)), make([]VecVirtual, len(us))
			for i := range us {
				w1[i], w2[i] = xs[b0+i][2*pair], xs[b0+i][2*pair+1]
			}
			z1, z2 := g.normals(w1, w2)
			for i, u := range us {
				g.use(u, 2*pair, z1[i])
				g.use(u, 2*pair+1, z2[i])
				if g.k == kMALA && batch == 1 {
					g.accumulate(u, z1[i], z2[i])
				}
			}
		}

	}
}

// accumulate adds z² to unit u's lane sums.
func (g *gk) accumulate(u unit, zs ...VecVirtual) {
	if !g.lean {
		for _, z := range zs {
			VFMADD231PS(z, z, g.acc[u.sub])
		}
		return
	}
	acc := g.a.vec()
	VMOVUPS(g.accMem[u.sub], acc)
	for _, z := range zs {
		VFMADD231PS(z, z, acc)
	}
	VMOVUPS(acc, g.accMem[u.sub])
}

// scalar returns scalar argument k in every lane of a register.
func (g *gk) scalar(k int) VecVirtual {
	if !g.lean {
		return g.sc[k]
	}
	v := g.a.vec()
	VBROADCASTSS(g.scMem[k], v)
	return v
}

// at addresses word j of unit u in the slice at p.
func (g *gk) at(p Register, u unit, j int) Mem {
	return Mem{Base: p, Disp: 4 * (rngconst.GroupLen*u.gr + 16*j + u.sub*g.a.lanes)}
}

// use applies the kernel's update to the normals z of word j of unit u.
func (g *gk) use(u unit, j int, z VecVirtual) {
	a := g.a
	switch g.k {
	case kNormals:
		VMOVUPS(z, g.at(g.ptrs[0], u, j))
	case kLangevin:
		v := a.vec()
		VMOVUPS(g.at(g.ptrs[0], u, j), v)
		VFMADD231PS(g.at(g.ptrs[1], u, j), g.scalar(0), v)
		VFMADD231PS(z, g.scalar(1), v)
		VMOVUPS(v, g.at(g.ptrs[0], u, j))
	case kMALA:
		v := a.vec()
		VMOVUPS(g.at(g.ptrs[1], u, j), v)
		VFMADD231PS(g.at(g.ptrs[2], u, j), g.scalar(0), v)
		VFMADD231PS(z, g.scalar(1), v)
		VMOVUPS(v, g.at(g.ptrs[0], u, j))
	case kKineticO:
		v := a.vec()
		VMULPS(g.at(g.ptrs[0], u, j), g.scalar(0), v)
		VFMADD231PS(z, g.scalar(1), v)
		VMOVUPS(v, g.at(g.ptrs[0], u, j))
	}
}

// vecs allocates n vector registers.
func (g *gk) vecs(n int) []VecVirtual {
	v := make([]VecVirtual, n)
	for i := range v {
		v[i] = g.a.vec()
	}
	return v
}

// broadcast puts the 32-bit register r in every lane of a new vector.
func (g *gk) broadcast(r Register) VecVirtual {
	v := g.a.vec()
	if g.a.z {
		VPBROADCASTD(r, v)
		return v
	}
	x := XMM()
	MOVD(r, x)
	VPBROADCASTD(x, v)
	return v
}

// mulhilo returns the high and low halves of the 32×32-bit products of the
// lanes of each x with the constant m: VPMULUDQ multiplies the even
// dwords, so the odd ones are shifted down first and the halves blended
// back.
func (g *gk) mulhilo(x []VecVirtual, m Mem) (hi, lo []VecVirtual) {
	n := len(x)
	po, pe, lo := g.vecs(n), g.vecs(n), g.vecs(n)
	for i := range x {
		VPSRLQ(U8(32), x[i], po[i])
	}
	for i := range x {
		VPMULUDQ(m, x[i], pe[i])
	}
	for i := range x {
		VPMULUDQ(m, po[i], po[i])
	}
	for i := range x {
		VPSLLQ(U8(32), po[i], lo[i])
	}
	for i := range x {
		if g.a.z {
			VPBLENDMD(lo[i], pe[i], g.kOdd, lo[i])
		} else {
			VPBLENDD(U8(0xAA), lo[i], pe[i], lo[i])
		}
	}
	for i := range x {
		VPSRLQ(U8(32), pe[i], pe[i])
	}
	for i := range x {
		if g.a.z {
			VPBLENDMD(po[i], pe[i], g.kOdd, pe[i])
		} else {
			VPBLENDD(U8(0xAA), po[i], pe[i], pe[i])
		}
	}
	hi = pe
	return hi, lo
}

// round emits Philox round r of every state: {hi1^x1^k0, lo1, hi0^x3^k1, lo0}.
func (g *gk) round(xs [][4]VecVirtual, r int) [][4]VecVirtual {
	col := func(j int) []VecVirtual {
		c := make([]VecVirtual, len(xs))
		for i := range xs {
			c[i] = xs[i][j]
		}
		return c
	}
	hi0, lo0 := g.mulhilo(col(0), c32("m0", rngconst.PhiloxM0))
	hi1, lo1 := g.mulhilo(col(2), c32("m1", rngconst.PhiloxM1))
	k0 := Mem{Base: g.rk, Disp: 8 * r}
	k1 := Mem{Base: g.rk, Disp: 8*r + 4}
	out := make([][4]VecVirtual, len(xs))
	if g.a.z {
		for i := range xs {
			VPTERNLOGD_BCST(U8(0x96), k0, xs[i][1], hi1[i])
			VPTERNLOGD_BCST(U8(0x96), k1, xs[i][3], hi0[i])
		}
	} else {
		t0, t1 := g.a.vec(), g.a.vec()
		VPBROADCASTD(k0, t0)
		VPBROADCASTD(k1, t1)
		for i := range xs {
			VPXOR(xs[i][1], hi1[i], hi1[i])
			VPXOR(xs[i][3], hi0[i], hi0[i])
		}
		for i := range xs {
			VPXOR(t0, hi1[i], hi1[i])
			VPXOR(t1, hi0[i], hi0[i])
		}
	}
	for i := range xs {
		out[i] = [4]VecVirtual{hi1[i], lo1[i], hi0[i], lo0[i]}
	}
	return out
}

// uniform converts 32-bit outputs to (w>>9)·2⁻²³ + 2⁻²⁴ in place, as
// (1 + (w>>9)·2⁻²³) − (1 − 2⁻²⁴): the mantissa field set under the exponent
// of 1, then one subtraction whose exact result is representable, so it
// equals the generic fma(float32(w>>9), 2⁻²³, 2⁻²⁴) bit for bit.
func (g *gk) uniform(w []VecVirtual) {
	for i := range w {
		VPSRLD(U8(9), w[i], w[i])
	}
	for i := range w {
		if g.a.z {
			VPORD(c32("onebits", 0x3f800000), w[i], w[i])
		} else {
			VPOR(c32("onebits", 0x3f800000), w[i], w[i])
		}
	}
	for i := range w {
		VSUBPS(cf("oneminushalf", 1-rngconst.UniHalf), w[i], w[i])
	}
}

// each emits f for every index in [0, n): one instruction for all states
// before the next.
func each(n int, f func(i int)) {
	for i := 0; i < n; i++ {
		f(i)
	}
}

// normals turns the outputs w1, w2 of each state into the Box–Muller pair
// (z1, z2), by the sequence of kernel.boxMuller.
func (g *gk) normals(w1, w2 []VecVirtual) (z1, z2 []VecVirtual) {
	a := g.a
	n := len(w1)
	Comment("r = √(−2 ln u₁): ln by exponent, mantissa in [√½, √2) and 2·atanh((m−1)/(m+1)).")
	g.uniform(w1)
	d, e := g.vecs(n), g.vecs(n)
	each(n, func(i int) { VPSUBD(c32("sqrthalf", rngconst.LogSqrtHalf), w1[i], d[i]) })
	each(n, func(i int) { VPSRAD(U8(23), d[i], e[i]) })
	each(n, func(i int) { VCVTDQ2PS(e[i], e[i]) })
	each(n, func(i int) {
		if a.z {
			VPANDD(c32("mant", rngconst.LogMant), d[i], d[i])
		} else {
			VPAND(c32("mant", rngconst.LogMant), d[i], d[i])
		}
	})
	each(n, func(i int) { VPADDD(c32("sqrthalf", rngconst.LogSqrtHalf), d[i], d[i]) }) // m
	one := cf("one", 1)
	f, den := g.vecs(n), g.vecs(n)
	each(n, func(i int) { VSUBPS(one, d[i], f[i]) })
	each(n, func(i int) { VADDPS(one, d[i], den[i]) })
	each(n, func(i int) { VDIVPS(den[i], f[i], f[i]) }) // s
	s2, w := g.vecs(n), g.vecs(n)
	each(n, func(i int) { VADDPS(f[i], f[i], s2[i]) })
	each(n, func(i int) { VMULPS(f[i], f[i], w[i]) })
	p := g.vecs(n)
	each(n, func(i int) { VMOVUPS(cf("c9", rngconst.LogC9), p[i]) })
	each(n, func(i int) { VFMADD213PS(cf("c7", rngconst.LogC7), w[i], p[i]) })
	each(n, func(i int) { VFMADD213PS(cf("c5", rngconst.LogC5), w[i], p[i]) })
	each(n, func(i int) { VFMADD213PS(cf("c3", rngconst.LogC3), w[i], p[i]) })
	each(n, func(i int) { VMULPS(w[i], s2[i], w[i]) })      // s2·w
	each(n, func(i int) { VFMADD213PS(s2[i], w[i], p[i]) }) // l = fma(s2·w, P, s2)
	each(n, func(i int) { VFMADD231PS(cf("ln2lo", rngconst.LogLn2Lo), e[i], p[i]) })
	each(n, func(i int) { VFMADD231PS(cf("ln2hi", rngconst.LogLn2Hi), e[i], p[i]) })
	each(n, func(i int) { VMULPS(cf("m2", rngconst.BMMinusTwo), p[i], p[i]) })
	each(n, func(i int) { VSQRTPS(p[i], p[i]) })
	r := p

	Comment("cos, sin of 2πu₂: nearest quarter turn q, t = u₂ − q/4, Taylor polynomials in t.")
	g.uniform(w2)
	q, qf := g.vecs(n), g.vecs(n)
	each(n, func(i int) { VMULPS(cf("four", rngconst.SinCosFour), w2[i], q[i]) })
	each(n, func(i int) { VCVTPS2DQ(q[i], q[i]) })
	each(n, func(i int) { VCVTDQ2PS(q[i], qf[i]) })
	each(n, func(i int) { VFNMADD231PS(cf("quart", rngconst.SinCosQuart), qf[i], w2[i]) }) // t
	t := w2
	each(n, func(i int) { VMULPS(t[i], t[i], qf[i]) }) // w = t²
	w = qf
	sp, cp := g.vecs(n), g.vecs(n)
	each(n, func(i int) { VMOVUPS(cf("s4", rngconst.SinS4), sp[i]) })
	each(n, func(i int) { VMOVUPS(cf("c5c", rngconst.CosC5), cp[i]) })
	for _, c := range []struct {
		s, c string
		sv   float32
		cv   float32
	}{{"s3", "c4c", rngconst.SinS3, rngconst.CosC4}, {"s2", "c3c", rngconst.SinS2, rngconst.CosC3}, {"s1", "c2c", rngconst.SinS1, rngconst.CosC2}, {"s0", "c1c", rngconst.SinS0, rngconst.CosC1}} {
		each(n, func(i int) { VFMADD213PS(cf(c.s, c.sv), w[i], sp[i]) })
		each(n, func(i int) { VFMADD213PS(cf(c.c, c.cv), w[i], cp[i]) })
	}
	each(n, func(i int) { VMULPS(sp[i], t[i], sp[i]) })    // S
	each(n, func(i int) { VFMADD213PS(one, w[i], cp[i]) }) // C

	Comment("Quadrant: swap if q odd; negate cos if (q+1)&2, sin if q&2.")
	sw, nc := g.vecs(n), g.vecs(n)
	cs, sn := g.vecs(n), g.vecs(n)
	each(n, func(i int) { VPSLLD(U8(31), q[i], sw[i]) })
	each(n, func(i int) { VPADDD(c32("ione", 1), q[i], nc[i]) })
	each(n, func(i int) { VPSLLD(U8(30), nc[i], nc[i]) })
	each(n, func(i int) { VPSLLD(U8(30), q[i], q[i]) })
	sign := c32("sign", 0x80000000)
	if a.z {
		ks := make([]Register, n)
		each(n, func(i int) { ks[i] = K(); VPMOVD2M(sw[i], ks[i]) })
		each(n, func(i int) { VBLENDMPS(sp[i], cp[i], ks[i], cs[i]) })
		each(n, func(i int) { VBLENDMPS(cp[i], sp[i], ks[i], sn[i]) })
		each(n, func(i int) { VPTERNLOGD(U8(0x78), sign, nc[i], cs[i]) }) // cs ^= nc & sign
		each(n, func(i int) { VPTERNLOGD(U8(0x78), sign, q[i], sn[i]) })
	} else {
		each(n, func(i int) { VBLENDVPS(sw[i], sp[i], cp[i], cs[i]) })
		each(n, func(i int) { VBLENDVPS(sw[i], cp[i], sp[i], sn[i]) })
		each(n, func(i int) { VPAND(sign, nc[i], nc[i]) })
		each(n, func(i int) { VPAND(sign, q[i], q[i]) })
		each(n, func(i int) { VPXOR(nc[i], cs[i], cs[i]) })
		each(n, func(i int) { VPXOR(q[i], sn[i], sn[i]) })
	}
	each(n, func(i int) { VMULPS(r[i], cs[i], cs[i]) })
	each(n, func(i int) { VMULPS(r[i], sn[i], sn[i]) })
	return cs, sn
}

// reduce sums 16 lane accumulators (two YMM or one ZMM) by halving, as
// kernel.laneTree does, and returns the XMM register whose lane 0 holds
// the sum.
func (g *gk) reduce(acc []VecVirtual) VecVirtual { return reduce(g.a, acc) }

func reduce(a *isa, acc []VecVirtual) VecVirtual {
	var y VecVirtual
	if a.z {
		hi := YMM()
		VEXTRACTF32X8(U8(1), acc[0], hi)
		y = YMM()
		VADDPS(hi, acc[0].(Vec).AsY(), y)
	} else {
		y = YMM()
		VADDPS(acc[1], acc[0], y)
	}
	hi := XMM()
	VEXTRACTF128(U8(1), y, hi)
	x := XMM()
	VADDPS(hi, y.(Vec).AsX(), x)
	t := XMM()
	VMOVHLPS(x, x, t)
	VADDPS(t, x, x)
	VMOVSHDUP(x, t)
	VADDSS(t, x, x)
	return x
}

// malaReverse emits Σ (fma(−h, gradp, x − xp))² over len(x)&^15 elements
// in 16 lane sums.
func malaReverse(a *isa) {
	TEXT("MALAReverse"+a.name, NOSPLIT, "func(h float32, x, xp, gradp []float32) float32")
	Doc("MALAReverse"+a.name+" returns Σ d², d = fma(−h, gradp[i], x[i]−xp[i]), summed in 16 lanes",
		"(element i into lane i%16) combined by halving. The slices have the same length, a multiple of 16.")
	Pragma("noescape")
	x := Load(Param("x").Base(), GP64())
	xp := Load(Param("xp").Base(), GP64())
	gp := Load(Param("gradp").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	hx := XMM()
	Load(Param("h"), hx)
	h := a.vec()
	VBROADCASTSS(hx, h)
	subs := 16 / a.lanes
	acc := make([]VecVirtual, subs)
	for s := range acc {
		acc[s] = a.vec()
		VXORPS(acc[s], acc[s], acc[s])
	}
	idx := GP64()
	XORQ(idx, idx)
	Comment("16 elements per iteration.")
	Label("loop")
	CMPQ(idx, n)
	JAE(LabelRef("done"))
	for s := 0; s < subs; s++ {
		at := func(p Register) Mem { return Mem{Base: p, Index: idx, Scale: 4, Disp: 4 * s * a.lanes} }
		d := a.vec()
		VMOVUPS(at(x), d)
		VSUBPS(at(xp), d, d)
		VFNMADD231PS(at(gp), h, d)
		VFMADD231PS(d, d, acc[s])
	}
	ADDQ(U8(16), idx)
	JMP(LabelRef("loop"))
	Label("done")
	Store(reduce(a, acc), ReturnIndex(0))
	VZEROUPPER()
	RET()
}
