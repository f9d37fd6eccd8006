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
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
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

// The constants of kernel/rng.go and kernel/rng_math.go, written as the
// same untyped constant expressions so that they round to the same
// float32 values.
const (
	philoxM0    = 0xD2511F53
	philoxM1    = 0xCD9E8D57
	philoxR     = 10
	groupLen    = 64
	uniScale    = 1.0 / (1 << 23)
	uniHalf     = 1.0 / (1 << 24)
	logSqrtHalf = 0x3f3504f3
	logMant     = 0x007fffff
	logC3       = 1.0 / 3
	logC5       = 1.0 / 5
	logC7       = 1.0 / 7
	logC9       = 1.0 / 9
	logLn2Hi    = 0.693359375
	logLn2Lo    = -2.12194440e-4
	bmMinusTwo  = -2.0
	sinCosQuart = 0.25
	sinCosFour  = 4.0
	twoPi       = 2 * math.Pi
	sinS0       = twoPi
	sinS1       = -twoPi * twoPi * twoPi / 6
	sinS2       = twoPi * twoPi * twoPi * twoPi * twoPi / 120
	sinS3       = -twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi / 5040
	sinS4       = twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi / 362880
	cosC1       = -twoPi * twoPi / 2
	cosC2       = twoPi * twoPi * twoPi * twoPi / 24
	cosC3       = -twoPi * twoPi * twoPi * twoPi * twoPi * twoPi / 720
	cosC4       = twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi / 40320
	cosC5       = -twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi * twoPi / 3628800
)

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

func main() {
	ConstraintExpr("gc,!purego")
	iotaTab = GLOBL("rng_iota", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(uint32(i)))
	}
	for _, a := range []*isa{avx2, avx512} {
		groupKernel(a, kUint32s)
		groupKernel(a, kUniforms)
		groupKernel(a, kNormals)
		groupKernel(a, kLangevin)
		groupKernel(a, kMALA)
		groupKernel(a, kKineticO)
		malaReverse(a)
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

const keyArgs = "rk *[20]uint32, id uint64, group uint64"

var kinds = [...]struct {
	name, sig string
	doc       []string
}{
	kUint32s: {"PhiloxUint32s", "func(dst []uint32, " + keyArgs + ")", []string{
		"fills dst, len(dst)/64 whole groups from group group, with the Philox4x32-10 outputs of stream id",
		"under the round keys rk: dst[64k+16j+l] is word j of block 16(group+k)+l. len(dst) is a multiple of 64.",
	}},
	kUniforms: {"PhiloxUniforms", "func(dst []float32, " + keyArgs + ")", []string{
		"fills dst, len(dst)/64 whole groups from group group, with the uniforms (w>>9)·2⁻²³ + 2⁻²⁴",
		"of the outputs that PhiloxUint32s{ISA} writes. len(dst) is a multiple of 64.",
	}},
	kNormals: {"PhiloxNormals", "func(dst []float32, " + keyArgs + ")", []string{
		"fills dst, len(dst)/64 whole groups from group group, with the Box–Muller normals of kernel.Stream.Normals:",
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
	g := &gk{a: a, k: k}

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
		x := XMM()
		Load(Param(s), x)
		v := a.vec()
		VBROADCASTSS(x, v)
		g.sc = append(g.sc, v)
	}
	g.rk = Load(Param("rk"), GP64())
	grp := Load(Param("group"), GP64())

	Comment("Counter words 2 and 3: the stream id, in every lane.")
	id := GP64()
	Load(Param("id"), id)
	g.idLo, g.idHi = g.broadcast(id.As32()), nil
	SHRQ(U8(32), id)
	g.idHi = g.broadcast(id.As32())
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
			g.acc = append(g.acc, v)
		}
	}

	Comment("One group of 16 Philox blocks (64 outputs) per iteration.")
	Label("group")
	CMPQ(n, U32(groupLen))
	JB(LabelRef("done"))
	bLo, bHi := GP64(), GP64()
	MOVQ(grp, bLo)
	SHLQ(U8(4), bLo)
	MOVQ(bLo, bHi)
	SHRQ(U8(32), bHi)
	for s := 0; s < subs; s++ {
		Comment(fmt.Sprintf("Blocks 16g+%d … 16g+%d: counter = {16g + lane, (16g)>>32, id, id>>32}.", s*a.lanes, s*a.lanes+a.lanes-1))
		var x [4]VecVirtual
		x[0] = g.broadcast(bLo.As32())
		VPADDD(iotaTab.Offset(4*s*a.lanes), x[0], x[0])
		x[1] = g.broadcast(bHi.As32())
		x[2], x[3] = g.idLo, g.idHi
		for r := 0; r < philoxR; r++ {
			x = g.round(x, r)
		}
		g.consume(x, s)
	}
	for _, p := range g.ptrs {
		ADDQ(U32(4*groupLen), p)
	}
	SUBQ(U32(groupLen), n)
	INCQ(grp)
	JMP(LabelRef("group"))

	Label("done")
	if k == kMALA {
		Comment("Σz²: the 16 lane sums combined by halving.")
		Store(g.reduce(g.acc), ReturnIndex(0))
	}
	VZEROUPPER()
	RET()
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

// mulhilo returns the high and low halves of the 32×32-bit products of x's
// lanes with the constant m: VPMULUDQ multiplies the even dwords, so the
// odd ones are shifted down first and the halves blended back.
func (g *gk) mulhilo(x VecVirtual, m Mem) (hi, lo VecVirtual) {
	a := g.a
	xo, pe, po := a.vec(), a.vec(), a.vec()
	VPSRLQ(U8(32), x, xo)
	VPMULUDQ(m, x, pe)
	VPMULUDQ(m, xo, po)
	hi, lo = a.vec(), a.vec()
	VPSRLQ(U8(32), pe, hi)
	VPSLLQ(U8(32), po, lo)
	if a.z {
		VPBLENDMD(po, hi, g.kOdd, hi)
		VPBLENDMD(lo, pe, g.kOdd, lo)
	} else {
		VPBLENDD(U8(0xAA), po, hi, hi)
		VPBLENDD(U8(0xAA), lo, pe, lo)
	}
	return hi, lo
}

// round emits Philox round r: {hi1^x1^k0, lo1, hi0^x3^k1, lo0}.
func (g *gk) round(x [4]VecVirtual, r int) [4]VecVirtual {
	hi0, lo0 := g.mulhilo(x[0], c32("m0", philoxM0))
	hi1, lo1 := g.mulhilo(x[2], c32("m1", philoxM1))
	k0 := Mem{Base: g.rk, Disp: 8 * r}
	k1 := Mem{Base: g.rk, Disp: 8*r + 4}
	if g.a.z {
		VPTERNLOGD_BCST(U8(0x96), k0, x[1], hi1)
		VPTERNLOGD_BCST(U8(0x96), k1, x[3], hi0)
	} else {
		t := g.a.vec()
		VPBROADCASTD(k0, t)
		VPXOR(x[1], hi1, hi1)
		VPXOR(t, hi1, hi1)
		t = g.a.vec()
		VPBROADCASTD(k1, t)
		VPXOR(x[3], hi0, hi0)
		VPXOR(t, hi0, hi0)
	}
	return [4]VecVirtual{hi1, lo1, hi0, lo0}
}

// uniform converts 32-bit outputs to (w>>9)·2⁻²³ + 2⁻²⁴ in place, as
// (1 + (w>>9)·2⁻²³) − (1 − 2⁻²⁴): the mantissa field set under the exponent
// of 1, then one subtraction whose exact result is representable, so it
// equals the generic fma(float32(w>>9), 2⁻²³, 2⁻²⁴) bit for bit.
func (g *gk) uniform(w VecVirtual) {
	VPSRLD(U8(9), w, w)
	if g.a.z {
		VPORD(c32("onebits", 0x3f800000), w, w)
	} else {
		VPOR(c32("onebits", 0x3f800000), w, w)
	}
	VSUBPS(cf("oneminushalf", 1-uniHalf), w, w)
}

// normals turns the outputs w1, w2 into the Box–Muller pair (z1, z2), by
// the sequence of kernel.boxMuller.
func (g *gk) normals(w1, w2 VecVirtual) (z1, z2 VecVirtual) {
	a := g.a
	Comment("r = √(−2 ln u₁): ln by exponent, mantissa in [√½, √2) and 2·atanh((m−1)/(m+1)).")
	g.uniform(w1)
	d := a.vec()
	VPSUBD(c32("sqrthalf", logSqrtHalf), w1, d)
	e := a.vec()
	VPSRAD(U8(23), d, e)
	VCVTDQ2PS(e, e)
	if a.z {
		VPANDD(c32("mant", logMant), d, d)
	} else {
		VPAND(c32("mant", logMant), d, d)
	}
	VPADDD(c32("sqrthalf", logSqrtHalf), d, d) // m
	one := cf("one", 1)
	f, den := a.vec(), a.vec()
	VSUBPS(one, d, f)
	VADDPS(one, d, den)
	VDIVPS(den, f, f) // s
	s2, w := a.vec(), a.vec()
	VADDPS(f, f, s2)
	VMULPS(f, f, w)
	p := a.vec()
	VMOVUPS(cf("c9", logC9), p)
	VFMADD213PS(cf("c7", logC7), w, p)
	VFMADD213PS(cf("c5", logC5), w, p)
	VFMADD213PS(cf("c3", logC3), w, p)
	VMULPS(w, s2, w)      // s2·w
	VFMADD213PS(s2, w, p) // l = fma(s2·w, P, s2)
	VFMADD231PS(cf("ln2lo", logLn2Lo), e, p)
	VFMADD231PS(cf("ln2hi", logLn2Hi), e, p)
	VMULPS(cf("m2", bmMinusTwo), p, p)
	VSQRTPS(p, p)
	r := p

	Comment("cos, sin of 2πu₂: nearest quarter turn q, t = u₂ − q/4, Taylor polynomials in t.")
	g.uniform(w2)
	q := a.vec()
	VMULPS(cf("four", sinCosFour), w2, q)
	VCVTPS2DQ(q, q)
	qf := a.vec()
	VCVTDQ2PS(q, qf)
	VFNMADD231PS(cf("quart", sinCosQuart), qf, w2) // t
	t := w2
	VMULPS(t, t, qf) // w = t²
	w = qf
	sp := a.vec()
	VMOVUPS(cf("s4", sinS4), sp)
	VFMADD213PS(cf("s3", sinS3), w, sp)
	VFMADD213PS(cf("s2", sinS2), w, sp)
	VFMADD213PS(cf("s1", sinS1), w, sp)
	VFMADD213PS(cf("s0", sinS0), w, sp)
	VMULPS(sp, t, sp) // S
	cp := a.vec()
	VMOVUPS(cf("c5c", cosC5), cp)
	VFMADD213PS(cf("c4c", cosC4), w, cp)
	VFMADD213PS(cf("c3c", cosC3), w, cp)
	VFMADD213PS(cf("c2c", cosC2), w, cp)
	VFMADD213PS(cf("c1c", cosC1), w, cp)
	VFMADD213PS(one, w, cp) // C

	Comment("Quadrant: swap if q odd; negate cos if (q+1)&2, sin if q&2.")
	sw := a.vec()
	VPSLLD(U8(31), q, sw)
	cs, sn := a.vec(), a.vec()
	nc := a.vec()
	VPADDD(c32("ione", 1), q, nc)
	VPSLLD(U8(30), nc, nc)
	VPSLLD(U8(30), q, q)
	sign := c32("sign", 0x80000000)
	if a.z {
		k := K()
		VPMOVD2M(sw, k)
		VBLENDMPS(sp, cp, k, cs)
		VBLENDMPS(cp, sp, k, sn)
		VPTERNLOGD(U8(0x78), sign, nc, cs) // cs ^= nc & sign
		VPTERNLOGD(U8(0x78), sign, q, sn)
	} else {
		VBLENDVPS(sw, sp, cp, cs)
		VBLENDVPS(sw, cp, sp, sn)
		VPAND(sign, nc, nc)
		VPAND(sign, q, q)
		VPXOR(nc, cs, cs)
		VPXOR(q, sn, sn)
	}
	VMULPS(r, cs, cs)
	VMULPS(r, sn, sn)
	return cs, sn
}

// consume uses the four word vectors of sub-block s.
func (g *gk) consume(x [4]VecVirtual, s int) {
	a := g.a
	at := func(p Register, j int) Mem { return Mem{Base: p, Disp: 4 * (16*j + s*a.lanes)} }
	switch g.k {
	case kUint32s:
		for j := range x {
			VMOVUPS(x[j], at(g.ptrs[0], j))
		}
		return
	case kUniforms:
		for j := range x {
			g.uniform(x[j])
			VMOVUPS(x[j], at(g.ptrs[0], j))
		}
		return
	}
	for pair := 0; pair < 2; pair++ {
		z1, z2 := g.normals(x[2*pair], x[2*pair+1])
		for jj, z := range []VecVirtual{z1, z2} {
			j := 2*pair + jj
			switch g.k {
			case kNormals:
				VMOVUPS(z, at(g.ptrs[0], j))
			case kLangevin:
				v := a.vec()
				VMOVUPS(at(g.ptrs[0], j), v)
				VFMADD231PS(at(g.ptrs[1], j), g.sc[0], v)
				VFMADD231PS(z, g.sc[1], v)
				VMOVUPS(v, at(g.ptrs[0], j))
			case kMALA:
				v := a.vec()
				VMOVUPS(at(g.ptrs[1], j), v)
				VFMADD231PS(at(g.ptrs[2], j), g.sc[0], v)
				VFMADD231PS(z, g.sc[1], v)
				VMOVUPS(v, at(g.ptrs[0], j))
				VFMADD231PS(z, z, g.acc[s])
			case kKineticO:
				v := a.vec()
				VMULPS(at(g.ptrs[0], j), g.sc[0], v)
				VFMADD231PS(z, g.sc[1], v)
				VMOVUPS(v, at(g.ptrs[0], j))
			}
		}
	}
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
