// Command level1 generates the AVX2 and AVX-512 level-1 kernels (dot,
// axpy, scale, sum of squares) of package kernel into package asm. Run by
// go generate in kernel.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"

	"github.com/scorekit/scorekit/gen/amd64/vec"
)

// unroll is the number of independent accumulators of the reductions.
const unroll = 4

func main() {
	ConstraintExpr("gc,!purego")
	vec.DeclareTables()
	for _, a := range vec.Both {
		reduction(a, "Dot", "func(x, y []float32) float32", true)
		reduction(a, "SumSq", "func(x []float32) float32", false)
		a.Elementwise("Axpy", "func(alpha float32, x, y []float32)",
			[]string{"Axpy{ISA} sets y[i] = fma(alpha, x[i], y[i]). The caller checks len(x) == len(y)."},
			"y", []string{"x", "y"}, []string{"alpha"},
			func(in, sc []VecVirtual) VecVirtual {
				VFMADD231PS(in[0], sc[0], in[1])
				return in[1]
			})
		a.Elementwise("Scale", "func(alpha float32, x []float32)",
			[]string{"Scale{ISA} sets x[i] *= alpha."},
			"x", []string{"x"}, []string{"alpha"},
			func(in, sc []VecVirtual) VecVirtual {
				VMULPS(sc[0], in[0], in[0])
				return in[0]
			})
	}
	Generate()
}

// reduction emits Dot (x·y) or SumSq (x·x) with unroll accumulators, a
// one-vector loop and a masked tail; the caller checks the lengths.
func reduction(a *vec.ISA, name, sig string, two bool) {
	TEXT(name+a.Name, NOSPLIT, sig)
	if two {
		Doc(name+a.Name+" returns the dot product of x and y. The caller checks len(x) == len(y).",
			fmt.Sprintf("It sums in %d accumulators of %d lanes, then across them.", unroll, a.Lanes))
	} else {
		Doc(name+a.Name+" returns the sum of the squares of x.",
			fmt.Sprintf("It sums in %d accumulators of %d lanes, then across them.", unroll, a.Lanes))
	}
	Pragma("noescape")
	x := Load(Param("x").Base(), GP64())
	y := x
	if two {
		y = Load(Param("y").Base(), GP64())
	}
	n := Load(Param("x").Len(), GP64())
	acc := make([]VecVirtual, unroll)
	for i := range acc {
		acc[i] = a.Vec()
		VXORPS(acc[i], acc[i], acc[i])
	}
	idx := GP64()
	XORQ(idx, idx)
	rem := GP64()
	at := func(p Register, k int) Mem { return Mem{Base: p, Index: idx, Scale: 4, Disp: k * a.Bytes()} }

	Comment(fmt.Sprintf("Main loop: %d×%d elements into %d accumulators.", unroll, a.Lanes, unroll))
	Label("block")
	MOVQ(n, rem)
	SUBQ(idx, rem)
	CMPQ(rem, U32(unroll*a.Lanes))
	JB(LabelRef("single"))
	for k := 0; k < unroll; k++ {
		v := a.Vec()
		VMOVUPS(at(x, k), v)
		if two {
			VFMADD231PS(at(y, k), v, acc[k])
		} else {
			VFMADD231PS(v, v, acc[k])
		}
	}
	ADDQ(U32(unroll*a.Lanes), idx)
	JMP(LabelRef("block"))

	Comment("One vector at a time.")
	Label("single")
	CMPQ(rem, U32(a.Lanes))
	JB(LabelRef("tail"))
	v := a.Vec()
	VMOVUPS(at(x, 0), v)
	if two {
		VFMADD231PS(at(y, 0), v, acc[0])
	} else {
		VFMADD231PS(v, v, acc[0])
	}
	ADDQ(U32(a.Lanes), idx)
	SUBQ(U32(a.Lanes), rem)
	JMP(LabelRef("single"))

	Comment("Tail: 0 < r < lanes elements under a mask; inactive lanes load as 0.")
	Label("tail")
	TESTQ(rem, rem)
	JZ(LabelRef("reduce"))
	m := a.TailMask(rem)
	xv := a.Vec()
	a.LoadMasked(m, at(x, 0), xv)
	if two {
		yv := a.Vec()
		a.LoadMasked(m, at(y, 0), yv)
		VFMADD231PS(yv, xv, acc[1])
	} else {
		VFMADD231PS(xv, xv, acc[1])
	}

	Comment("Sum the accumulators, then the lanes.")
	Label("reduce")
	VADDPS(acc[1], acc[0], acc[0])
	VADDPS(acc[3], acc[2], acc[2])
	VADDPS(acc[2], acc[0], acc[0])
	s := acc[0]
	if a.AVX512 {
		hi := YMM()
		VEXTRACTF32X8(U8(1), s, hi)
		lo := YMM()
		VMOVAPS(s.AsY(), lo)
		VADDPS(hi, lo, lo)
		s = lo
	}
	hx := XMM()
	VEXTRACTF128(U8(1), s.AsY(), hx)
	lx := XMM()
	VMOVAPS(s.AsX(), lx)
	VADDPS(hx, lx, lx)
	sh := XMM()
	VMOVHLPS(lx, lx, sh)
	VADDPS(sh, lx, lx)
	VMOVSHDUP(lx, sh)
	VADDSS(sh, lx, lx)
	VZEROUPPER()
	Store(lx, ReturnIndex(0))
	RET()
}
