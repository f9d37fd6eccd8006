// Command adam generates the AVX2 and AVX-512 Adam update kernels of
// package kernel into package asm. Run by go generate in kernel (see
// kernel/adam.go, whose adamGeneric gives the operation sequence).
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/vec"
)

// scalars are the float32 parameters, broadcast before the loop.
var scalars = []string{"b1", "c1", "b2", "c2", "step", "eps", "decay"}

const sig = "func(b1, c1, b2, c2, step, eps, decay float32, p, g, m, v []float32)"

func main() {
	ConstraintExpr("gc,!purego")
	vec.DeclareTables()
	for _, a := range vec.Both {
		adam(a)
	}
	Generate()
}

// adam emits one Adam kernel: a loop of one vector per iteration (the
// iterations are independent, so the square roots and divisions of
// successive vectors overlap) and a masked tail that runs the same body.
func adam(a *vec.ISA) {
	TEXT("Adam"+a.Name, NOSPLIT, sig)
	a.Doc("Adam{ISA} performs one Adam update of p, m and v from the gradient g:",
		"m = fma(b1, m, c1·g); v = fma(b2, v, (c2·g)·g);",
		"p = fma(−step, m/(√v + eps), p·decay).",
		"The caller checks that p, g, m and v have the same length.")
	Pragma("noescape")
	ptr := map[string]Register{}
	for _, s := range []string{"p", "g", "m", "v"} {
		ptr[s] = Load(Param(s).Base(), GP64())
	}
	n := Load(Param("g").Len(), GP64())
	c := map[string]VecVirtual{}
	for _, s := range scalars {
		x := XMM()
		Load(Param(s), x)
		c[s] = a.Vec()
		VBROADCASTSS(x, c[s])
	}
	idx := GP64()
	XORQ(idx, idx)
	at := func(s string) Mem { return Mem{Base: ptr[s], Index: idx, Scale: 4} }

	// body updates one vector: load(s) fills the named input, store(s, x)
	// writes an output.
	body := func(load func(string) VecVirtual, store func(string, VecVirtual)) {
		g := load("g")
		Comment("m' = fma(b1, m, c1·g)")
		mi := a.Vec()
		VMULPS(g, c["c1"], mi)
		VFMADD231PS(load("m"), c["b1"], mi)
		store("m", mi)
		Comment("v' = fma(b2, v, (c2·g)·g)")
		vi := a.Vec()
		VMULPS(g, c["c2"], vi)
		VMULPS(g, vi, vi)
		VFMADD231PS(load("v"), c["b2"], vi)
		store("v", vi)
		Comment("p' = fma(−step, m'/(√v' + eps), p·decay)")
		VSQRTPS(vi, vi)
		VADDPS(c["eps"], vi, vi)
		VDIVPS(vi, mi, mi)
		p := load("p")
		VMULPS(c["decay"], p, p)
		VFNMADD231PS(mi, c["step"], p)
		store("p", p)
	}

	Comment(fmt.Sprintf("Main loop: %d elements per iteration.", a.Lanes))
	rem := GP64()
	Label("loop")
	MOVQ(n, rem)
	SUBQ(idx, rem)
	CMPQ(rem, U32(a.Lanes))
	JB(LabelRef("tail"))
	body(func(s string) VecVirtual {
		x := a.Vec()
		VMOVUPS(at(s), x)
		return x
	}, func(s string, x VecVirtual) { VMOVUPS(x, at(s)) })
	ADDQ(U32(a.Lanes), idx)
	JMP(LabelRef("loop"))

	Label("tail")
	Comment("Tail: the remaining 0 < r < lanes elements, under a lane mask.")
	TESTQ(rem, rem)
	JZ(LabelRef("done"))
	mask := a.TailMask(rem)
	body(func(s string) VecVirtual {
		x := a.Vec()
		a.LoadMasked(mask, at(s), x)
		return x
	}, func(s string, x VecVirtual) { a.StoreMasked(mask, x, at(s)) })
	Label("done")
	VZEROUPPER()
	RET()
}
