// Command rng generates the NEON random-number kernels of package kernel
// (asm/rng_arm64.s and its declarations): Philox4x32-10 over groups of 16
// blocks, uniforms, Box–Muller normals, the Langevin, MALA and
// underdamped O-step updates that draw their normals in registers, and
// the MALA reverse-move sum. Run by go generate from
// kernel/generate_neon.go.
//
// Every kernel follows the generic Go code of kernel/rng.go and
// kernel/rng_math.go operation by operation, so the results are the same
// bits. Each works on whole groups of 64 outputs (16 elements for
// MALAReverse): the Go wrapper handles partial groups, so the assembly
// never touches memory outside its slices.
//
// A group is four sets of four blocks; one vector holds one word of the
// four blocks of a set, which is where the group's word-major layout
// (output 16j+l is word j of block l) puts four consecutive outputs.
package main

import (
	"math"

	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
	"github.com/scorekit/scorekit/internal/rngconst"
)

func main() { neon.Main("rng", build) }

func f32(v float32) uint32 { return math.Float32bits(v) }

func sl(n string) emit.Param  { return emit.Param{Name: n, Type: "[]float32"} }
func f(n string) emit.Param   { return emit.Param{Name: n, Type: "float32"} }
func u32(n string) emit.Param { return emit.Param{Name: n, Type: "uint32"} }

var rngParams = []emit.Param{{Name: "rk", Type: "*[20]uint32"}, u32("idLo"), u32("idHi"), {Name: "group", Type: "uint64"}}

// kind is one kernel: its arguments, the slices it walks (the first
// counts the groups), and what it does with one set's four words.
type kind struct {
	name    string
	doc     []string
	params  []emit.Param
	ret     bool
	slices  []string
	scalars []string                    // the two float32 arguments, into lanes 2 and 3 of pack2
	setup   func(k *kern)               // loads the kernel's constants
	consume func(k *kern, w *[4]emit.V) // uses one set's words (and may replace the registers)
	finish  func(k *kern)               // after the last group
}

var kinds = []kind{
	{name: "PhiloxUint32sNEON", doc: []string{"PhiloxUint32sNEON fills dst (a whole number of 64-word groups) with the Philox4x32-10",
		"outputs of stream (idLo, idHi) under the round keys rk, from group on."},
		params: []emit.Param{{Name: "dst", Type: "[]uint32"}}, slices: []string{"dst"},
		consume: func(k *kern, w *[4]emit.V) {
			for j := range 4 {
				k.e.VST1P(k.ptr["dst"][j], w[j])
			}
		}},
	{name: "PhiloxUniformsNEON", doc: []string{"PhiloxUniformsNEON fills dst (a whole number of 64-value groups) with the uniforms",
		"of stream (idLo, idHi) under the round keys rk, from group on."},
		params: []emit.Param{sl("dst")}, slices: []string{"dst"},
		consume: func(k *kern, w *[4]emit.V) {
			for j := range 4 {
				k.uniform(w[j])
				k.e.VST1P(k.ptr["dst"][j], w[j])
			}
		}},
	{name: "PhiloxNormalsNEON", doc: []string{"PhiloxNormalsNEON fills dst (a whole number of 64-value groups) with the Box–Muller",
		"normals of stream (idLo, idHi) under the round keys rk, from group on."},
		params: []emit.Param{sl("dst")}, slices: []string{"dst"},
		consume: func(k *kern, w *[4]emit.V) {
			k.normals(w)
			for j := range 4 {
				k.e.VST1P(k.ptr["dst"][j], w[j])
			}
		}},
	{name: "PhiloxLangevinNEON", doc: []string{"PhiloxLangevinNEON sets x[i] = fma(b, z[i], fma(a, grad[i], x[i])) with z the normals",
		"of stream (idLo, idHi) from group on; len(x) = len(grad), a whole number of groups."},
		params: []emit.Param{f("a"), f("b"), sl("x"), sl("grad")}, slices: []string{"x", "grad"}, scalars: []string{"a", "b"},
		consume: func(k *kern, w *[4]emit.V) {
			k.normals(w)
			x, gr := k.v(), k.v()
			for j := range 4 {
				k.e.VLD1(k.ptr["x"][j], x)
				k.e.VLD1P(k.ptr["grad"][j], gr)
				k.e.FMLAElem(x, gr, k.pack2, 2)
				k.e.FMLAElem(x, w[j], k.pack2, 3)
				k.e.VST1P(k.ptr["x"][j], x)
			}
			k.free(x, gr)
		}},
	{name: "PhiloxMALANEON", doc: []string{"PhiloxMALANEON sets xp[i] = fma(sq, z[i], fma(h, grad[i], x[i])) with z the normals",
		"of stream (idLo, idHi) from group on, and returns the lane-tree sum of z² (16 lanes).",
		"The slices have the same length, a whole number of groups."},
		params: []emit.Param{f("h"), f("sq"), sl("xp"), sl("x"), sl("grad")}, ret: true, slices: []string{"xp", "x", "grad"},
		scalars: []string{"h", "sq"},
		setup: func(k *kern) {
			k.e.Comment("lane sums of z²: lanes 4s..4s+3 in one vector per set")
			for s := range k.acc {
				k.acc[s] = k.v()
				k.e.VEOR(k.acc[s], k.acc[s], k.acc[s])
			}
		},
		consume: func(k *kern, w *[4]emit.V) {
			k.normals(w)
			x, gr := k.v(), k.v()
			for j := range 4 {
				k.e.VLD1P(k.ptr["x"][j], x)
				k.e.VLD1P(k.ptr["grad"][j], gr)
				k.e.FMLAElem(x, gr, k.pack2, 2)
				k.e.FMLAElem(x, w[j], k.pack2, 3)
				k.e.VST1P(k.ptr["xp"][j], x)
				k.e.VFMLA(k.acc[k.set], w[j], w[j])
			}
			k.free(x, gr)
		},
		finish: func(k *kern) { laneTree(k.e, k.acc, k.v()) }},
	{name: "PhiloxKineticONEON", doc: []string{"PhiloxKineticONEON sets v[i] = fma(c2, z[i], c1·v[i]) with z the normals of stream",
		"(idLo, idHi) from group on; len(v) is a whole number of groups."},
		params: []emit.Param{f("c1"), f("c2"), sl("v")}, slices: []string{"v"}, scalars: []string{"c1", "c2"},
		consume: func(k *kern, w *[4]emit.V) {
			k.normals(w)
			v := k.v()
			for j := range 4 {
				k.e.VLD1(k.ptr["v"][j], v)
				k.e.FMULElem(v, v, k.pack2, 2)
				k.e.FMLAElem(v, w[j], k.pack2, 3)
				k.e.VST1P(k.ptr["v"][j], v)
			}
			k.free(v)
		}},
}

func build(e *emit.Emitter) {
	for _, kd := range kinds {
		fn := emit.Func{Name: kd.name, Doc: kd.doc, Params: append(append([]emit.Param{}, kd.params...), rngParams...)}
		if kd.ret {
			fn.Results = []emit.Param{{Type: "float32"}}
		}
		k := &kern{g: neon.Begin(e, fn), e: e}
		k.run(kd)
	}
	malaReverse(e)
}

// kern is one Philox kernel being emitted.
type kern struct {
	g *neon.Gen
	e *emit.Emitter

	ptr map[string][4]emit.R // each slice's four word pointers
	set int                  // the set being emitted
	acc [4]emit.V            // MALA's lane sums, one vector per set

	// Philox
	m0, m1, idLo, idHi, cset, hi emit.V
	rk, key                      emit.R
	// Box–Muller
	one, i1, i2, sqrtHalf, mant emit.V
	// The Horner addends, four to a register, broadcast by VDUP from a
	// lane: adds[i/4] lane i%4 holds the i-th of addOrder.
	adds [3]emit.V
	// Multipliers packed four to a register, used by FMLA/FMUL by
	// element: pack1 = (¼, 1/9, ln2Lo, ln2Hi), pack2 = (s4, c5, a, b) with
	// a and b the kernel's two scalar arguments.
	pack1, pack2 emit.V
}

func (k *kern) v() emit.V             { return k.g.V() }
func (k *kern) free(vs ...emit.V)     { k.g.FreeV(vs...) }
func (k *kern) konst(b uint32) emit.V { return k.g.Const(b) }

// run emits the loop over groups.
func (k *kern) run(kd kind) {
	e, g := k.e, k.g
	k.ptr = map[string][4]emit.R{}
	for _, s := range kd.slices {
		var p [4]emit.R
		for j := range p {
			p[j] = g.GP()
		}
		e.MOVD(e.Arg(s+"_base"), p[0])
		for j := 1; j < 4; j++ {
			e.Inst("ADD $%d, %s, %s", 64*j, p[0], p[j])
		}
		k.ptr[s] = p
	}
	e.Comment("R%d..: four pointers per slice, one per word (outputs 16j..16j+15 of a group)", k.ptr[kd.slices[0]][0])
	n := g.GP()
	e.MOVD(e.Arg(kd.slices[0]+"_len"), n)
	e.Inst("LSR $6, %s", n)
	grp := g.GP()
	e.MOVD(e.Arg("group"), grp)
	k.rk = g.GP()
	e.MOVD(e.Arg("rk"), k.rk)
	k.key = g.GP()
	t := g.GP()

	e.Comment("Philox constants: multipliers, stream id, lane offsets 0..3")
	k.m0, k.m1 = k.konst(rngconst.PhiloxM0), k.konst(rngconst.PhiloxM1)
	k.idLo, k.idHi = k.v(), k.v()
	e.Inst("MOVWU %s, %s", e.Arg("idLo"), t)
	e.VDUP(k.idLo, t)
	e.Inst("MOVWU %s, %s", e.Arg("idHi"), t)
	e.VDUP(k.idHi, t)
	k.i1, k.i2 = k.konst(1), k.konst(2)
	k.cset, k.hi = k.v(), k.v()
	k.pack2 = k.v()
	if kd.name != "PhiloxUint32sNEON" {
		k.loadBM(kd.name == "PhiloxUniformsNEON", t)
	}
	if len(kd.scalars) > 0 {
		e.Comment("the arguments %s and %s in lanes 2 and 3 of V%d", kd.scalars[0], kd.scalars[1], k.pack2)
		for i, a := range kd.scalars {
			e.Inst("MOVWU %s, %s", e.Arg(a), t)
			e.Inst("VMOV %s, %s", t, k.pack2.Lane(2+i))
		}
	}
	if kd.setup != nil {
		kd.setup(k)
	}

	e.Comment("one group of 16 blocks (64 outputs) per iteration")
	e.Label("group")
	e.Inst("CBZ %s, done", n)
	e.Comment("block counters 16·group + l: low words of set 0 in V%d, high word in V%d", k.cset, k.hi)
	e.Inst("LSL $4, %s, %s", grp, t)
	for l := range 4 {
		if l > 0 {
			e.Inst("ADD $1, %s", t)
		}
		e.Inst("VMOV %s, %s", t, k.cset.Lane(l))
	}
	e.Inst("LSR $32, %s, %s", t, t)
	e.VDUP(k.hi, t)
	// Two sets at a time where the registers allow (MALA's lane sums
	// leave room for one).
	per := 2
	if kd.ret {
		per = 1
	}
	for s := 0; s < 4; s += per {
		e.Comment("sets %d..%d: blocks %d..%d", s, s+per-1, 4*s, 4*(s+per)-1)
		ws := k.philox(per)
		for i := range ws {
			k.set = s + i
			kd.consume(k, &ws[i])
			k.free(ws[i][:]...)
		}
		if s+per < 4 {
			e.Comment("next sets: counters + %d", 4*per)
			for range 2 * per {
				e.VADD(k.cset, k.cset, k.i2)
			}
		}
	}
	for _, s := range kd.slices {
		for _, p := range k.ptr[s] {
			e.Inst("ADD $192, %s", p)
		}
	}
	e.Inst("ADD $1, %s", grp)
	e.Inst("SUB $1, %s", n)
	e.Inst("B group")
	e.Label("done")
	if kd.finish != nil {
		kd.finish(k)
	}
	e.Inst("RET")
}

// philox returns the four words of the current set's blocks after ten
// rounds, in new registers.
func (k *kern) philox(n int) [][4]emit.V {
	e := k.e
	type state struct{ c0, c1, c2, c3, pa, pb emit.V }
	st := make([]state, n)
	for i := range st {
		x := &st[i]
		x.c0, x.c1, x.c2, x.c3 = k.v(), k.v(), k.v(), k.v()
		if i == 0 {
			e.VMOV(x.c0, k.cset)
		} else {
			e.VADD(x.c0, st[i-1].c0, k.i2)
			e.VADD(x.c0, x.c0, k.i2) // the next set's counters: + 4
		}
		e.VMOV(x.c1, k.hi)
		e.VMOV(x.c2, k.idLo)
		e.VMOV(x.c3, k.idHi)
	}
	k0, k1 := k.v(), k.v()
	for i := range st {
		st[i].pa, st[i].pb = k.v(), k.v()
	}
	e.MOVD(k.rk.String(), k.key)
	e.Comment("ten rounds, %d set(s) interleaved: c0, c1, c2, c3 = hi(M1·c2)^c1^k0, lo(M1·c2), hi(M0·c0)^c3^k1, lo(M0·c0)", n)
	each := func(f func(x *state)) {
		for i := range st {
			f(&st[i])
		}
	}
	for range rngconst.PhiloxRounds {
		e.VLDnRP(k.key, k0)
		e.VLDnRP(k.key, k1)
		each(func(x *state) { e.UMULL(x.pa, x.c0, k.m0) })
		each(func(x *state) { e.UMULL2(x.pb, x.c0, k.m0) })
		each(func(x *state) { e.VUZP2(x.c0, x.pa, x.pb) }) // hi(M0·c0), the new c2 (c0 is consumed)
		each(func(x *state) { e.VEOR(x.c0, x.c0, x.c3) })
		each(func(x *state) { e.VEOR(x.c0, x.c0, k1) })
		each(func(x *state) { e.VUZP1(x.c3, x.pa, x.pb) }) // lo(M0·c0), the new c3
		each(func(x *state) { e.UMULL(x.pa, x.c2, k.m1) })
		each(func(x *state) { e.UMULL2(x.pb, x.c2, k.m1) })
		each(func(x *state) { e.VUZP2(x.c2, x.pa, x.pb) }) // hi(M1·c2), the new c0
		each(func(x *state) { e.VEOR(x.c2, x.c2, x.c1) })
		each(func(x *state) { e.VEOR(x.c2, x.c2, k0) })
		each(func(x *state) { e.VUZP1(x.c1, x.pa, x.pb) }) // lo(M1·c2), the new c1
		each(func(x *state) { x.c0, x.c2 = x.c2, x.c0 })
	}
	k.free(k0, k1)
	out := make([][4]emit.V, n)
	for i, x := range st {
		k.free(x.pa, x.pb)
		out[i] = [4]emit.V{x.c0, x.c1, x.c2, x.c3}
	}
	return out
}

// loadBM loads the constants of the uniforms and, unless onlyUniform,
// of Box–Muller.
func (k *kern) loadBM(onlyUniform bool, t emit.R) {
	e := k.e
	if onlyUniform {
		return
	}
	e.Comment("logU, √(−2 ln u₁), sinCosTurn")
	k.one = k.konst(f32(1))
	k.sqrtHalf, k.mant = k.konst(rngconst.LogSqrtHalf), k.konst(rngconst.LogMant)
	k.pack1 = k.v()
	for i, c := range []float32{rngconst.SinCosQuart, rngconst.LogC9, rngconst.LogLn2Lo, rngconst.LogLn2Hi} {
		e.MOVW32(f32(c), t)
		e.Inst("VMOV %s, %s", t, k.pack1.Lane(i))
	}
	for i, c := range []float32{rngconst.SinS4, rngconst.CosC5} {
		e.MOVW32(f32(c), t)
		e.Inst("VMOV %s, %s", t, k.pack2.Lane(i))
	}
	for i := range k.adds {
		k.adds[i] = k.v()
	}
	for i, c := range addOrder {
		e.MOVW32(f32(c), t)
		e.Inst("VMOV %s, %s", t, k.adds[i/4].Lane(i%4))
	}
}

// uniform turns the words in w into uniforms, in place:
// u = ((w>>8)|1)·2⁻²⁴ = (w>>9)·2⁻²³ + 2⁻²⁴, exactly.
func (k *kern) uniform(w emit.V) {
	k.e.VUSHR(w, w, 8)
	k.e.VORR(w, w, k.i1)
	k.e.UCVTFFix(w, w, 24)
}

// The Horner addends in the order they are packed.
var addOrder = []float32{rngconst.LogC7, rngconst.LogC5, rngconst.LogC3, rngconst.SinS3, rngconst.SinS2, rngconst.SinS1, rngconst.SinS0, rngconst.CosC4, rngconst.CosC3, rngconst.CosC2, rngconst.CosC1}

const (
	aLC7 = iota
	aLC5
	aLC3
	aS3
	aS2
	aS1
	aS0
	aC4
	aC3
	aC2
	aC1
)

// add returns a new register holding addend i in every lane.
func (k *kern) add(i int) emit.V {
	t := k.v()
	k.e.VDUPLane(t, k.adds[i/4], i%4)
	return t
}

// horner returns addend c + p·x, freeing p.
func (k *kern) horner(p, x emit.V, c int) emit.V {
	t := k.add(c)
	k.e.VFMLA(t, p, x)
	k.free(p)
	return t
}

// normals replaces the words by the Box–Muller normals of the pairs
// (w0, w1) and (w2, w3).
func (k *kern) normals(w *[4]emit.V) {
	w[0], w[1] = k.boxMuller(w[0], w[1])
	w[2], w[3] = k.boxMuller(w[2], w[3])
}

// boxMuller turns words w1 and w2 into z1 = r·cos 2πu₂ and
// z2 = r·sin 2πu₂, r = √(−2 ln u₁), as kernel.boxMuller; z1 is in w1's
// register, w2's is freed and z2 is in a new one.
func (k *kern) boxMuller(w1, w2 emit.V) (z1, z2 emit.V) {
	e := k.e
	e.Comment("Box–Muller of V%d, V%d: ln u₁", w1, w2)
	k.uniform(w1)
	d := k.v()
	e.VSUB(d, w1, k.sqrtHalf) // d = bits(u) − bits(√½)
	ex := k.v()
	e.SSHR(ex, d, 23)
	e.SCVTF(ex, ex) // e
	m := w1
	e.VAND(m, d, k.mant)
	e.VADD(m, m, k.sqrtHalf) // m ∈ [√½, √2)
	s := d
	e.FADD(s, m, k.one)
	e.FSUB(m, m, k.one) // f = m − 1
	e.FDIV(s, m, s)     // s = f/(m+1)
	s2, w := m, k.v()
	e.FADD(s2, s, s)
	e.FMUL(w, s, s)
	p := k.add(aLC7)
	e.FMLAElem(p, w, k.pack1, 1) // 1/7 + w/9
	p = k.horner(p, w, aLC5)
	p = k.horner(p, w, aLC3)
	e.FMUL(w, s2, w)               // s2·w
	e.VFMLA(s2, w, p)              // l = fma(s2·w, P, s2)
	e.FMLAElem(s2, ex, k.pack1, 2) // + e·ln2Lo
	e.FMLAElem(s2, ex, k.pack1, 3) // + e·ln2Hi: ln u₁
	e.FADD(s2, s2, s2)
	e.FNEG(s2, s2)  // ln u₁ · −2, exactly
	e.FSQRT(s2, s2) // r
	r := s2
	k.free(s, w, p, ex)

	e.Comment("cos and sin of 2πu₂ by quarter turns")
	k.uniform(w2)
	u := w2
	q := k.v()
	e.FADD(q, u, u)
	e.FADD(q, q, q) // 4u, exactly
	e.FRINTN(q, q)
	qi := k.v()
	e.FCVTZS(qi, q)
	e.FMLSElem(u, q, k.pack1, 0) // t = fma(q, −¼, u)
	t := u
	e.FMUL(q, t, t) // w
	w = q
	sp := k.add(aS3)
	e.FMLAElem(sp, w, k.pack2, 0) // s3 + w·s4
	sp = k.horner(sp, w, aS2)
	sp = k.horner(sp, w, aS1)
	sp = k.horner(sp, w, aS0)
	e.FMUL(sp, t, sp) // sin 2πt
	cp := k.add(aC4)
	e.FMLAElem(cp, w, k.pack2, 1) // c4 + w·c5
	cp = k.horner(cp, w, aC3)
	cp = k.horner(cp, w, aC2)
	cp = k.horner(cp, w, aC1)
	cs := t
	e.VMOV(cs, k.one)
	e.VFMLA(cs, cp, w) // cos 2πt
	k.free(cp)
	e.Comment("q odd: swap; (q+1)&2: negate cos; q&2: negate sin")
	msk := w
	e.VCMTST(msk, qi, k.i1)
	tmp := k.v()
	e.VMOV(tmp, cs)
	e.VBIT(cs, sp, msk)
	e.VBIT(sp, tmp, msk)
	e.VADD(tmp, qi, k.i1)
	e.VAND(tmp, tmp, k.i2)
	e.VSHL(tmp, tmp, 30)
	e.VEOR(cs, cs, tmp)
	e.VAND(tmp, qi, k.i2)
	e.VSHL(tmp, tmp, 30)
	e.VEOR(sp, sp, tmp)
	if r != w1 {
		panic("rng: r is expected in w1's register")
	}
	e.FMUL(sp, r, sp) // z2 = r·sin, before r (w1) is overwritten
	e.FMUL(w1, r, cs) // z1 = r·cos
	k.free(qi, tmp, msk, cs)
	return w1, sp
}

// laneTree sums the 16 lane sums in acc (lanes 4s..4s+3 in acc[s]) by
// halving, as kernel.laneTree, into the float32 result ret.
func laneTree(e *emit.Emitter, acc [4]emit.V, t emit.V) {
	e.Comment("lane tree: l += l+8, l += l+4, l += l+2, l += l+1")
	e.FADD(acc[0], acc[0], acc[2])
	e.FADD(acc[1], acc[1], acc[3])
	e.FADD(acc[0], acc[0], acc[1])
	e.VEXT(t, acc[0], acc[0], 8)
	e.FADD(acc[0], acc[0], t)
	e.FADDPS(acc[0], acc[0])
	e.Inst("FMOVS %s, %s", acc[0].F(), e.Arg("ret"))
}

// malaReverse emits MALAReverseNEON: 16 elements per iteration into four
// lane-sum vectors.
func malaReverse(e *emit.Emitter) {
	g := neon.Begin(e, emit.Func{
		Name: "MALAReverseNEON",
		Doc: []string{"MALAReverseNEON returns the lane-tree sum (16 lanes) of d², d = fma(−h, gradp[i], x[i]−xp[i]).",
			"The slices have the same length, a multiple of 16."},
		Params:  []emit.Param{f("h"), sl("x"), sl("xp"), sl("gradp")},
		Results: []emit.Param{{Type: "float32"}},
	})
	h := g.ArgConst("h")
	px, pxp, pg, n := g.GP(), g.GP(), g.GP(), g.GP()
	e.MOVD(e.Arg("x_base"), px)
	e.MOVD(e.Arg("xp_base"), pxp)
	e.MOVD(e.Arg("gradp_base"), pg)
	e.MOVD(e.Arg("x_len"), n)
	var acc [4]emit.V
	for i := range acc {
		acc[i] = g.V()
		e.VEOR(acc[i], acc[i], acc[i])
	}
	x := []emit.V{g.V(), g.V(), g.V(), g.V()}
	xp := []emit.V{g.V(), g.V(), g.V(), g.V()}
	gp := []emit.V{g.V(), g.V(), g.V(), g.V()}
	e.Comment("16 elements per iteration: lane sums of lanes 4q..4q+3 in V%d+q", acc[0])
	e.Label("loop")
	e.Inst("CMP $16, %s", n)
	e.Inst("BLT done")
	e.VLD1P(px, x...)
	e.VLD1P(pxp, xp...)
	e.VLD1P(pg, gp...)
	for q := range 4 {
		e.FSUB(x[q], x[q], xp[q])
		e.VFMLS(x[q], gp[q], h)
		e.VFMLA(acc[q], x[q], x[q])
	}
	e.Inst("SUB $16, %s", n)
	e.Inst("B loop")
	e.Label("done")
	laneTree(e, acc, x[0])
	e.Inst("RET")
}
