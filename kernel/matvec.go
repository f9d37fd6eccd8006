package kernel

import (
	"fmt"
	"unsafe"
)

// MatVec computes y = bias + xᵀ·B with i's kernels, the latency path of a
// dense layer for a single chain. B is k×n with k = len(x) and n = len(y),
// packed in panels of nr columns (nr from [Impl.GemmTile]): panel q holds
// B's columns q·nr to q·nr+nr−1 as k rows of nr values, starting at
// b[q·k·nr]; the last panel is padded to nr columns (its padding is
// read but does not reach y). bias may be nil (zero) or of length n, and
// may be y itself (y += xᵀ·B), as a driver blocking K does.
//
//	for j := range y {
//		s := bias[j]
//		for p, v := range x { s = fma(v, B[p][j], s) }
//		y[j] = s
//	}
//
// This is axpy form: the inner loop runs along a row of B, so the kernel
// needs no horizontal sum, and every implementation does the same fused
// multiply-adds in the same order: all agree to the bit (TestMatVec), and
// the error is at most (k+1)·2⁻²⁴·(|bias| + Σₚ|x·B|) (TestMatVecReference).
func (i Impl) MatVec(b, x, y, bias []float32) {
	i.matVec("MatVec", "y", b, x, y, bias, Identity, nil)
}

// MatVecAct is [Impl.MatVec] with the activation in its epilogue: z =
// bias + xᵀ·B as MatVec computes it, then, in the same call, y = act(z)
// by the operation sequence of [Impl.Act] (the same bits and bound). y
// is z itself or does not overlap it (it panics otherwise); with act =
// Identity, y is a copy of z (nothing, if y is z).
func (i Impl) MatVecAct(b, x, z, bias []float32, act Activation, y []float32) {
	act.must("MatVecAct")
	if len(y) != len(z) {
		panicLen(fmt.Sprintf("MatVecAct(%v, %v)", i, act), "len(z), len(y)", len(z), len(y))
	}
	if len(z) > 0 && &y[0] != &z[0] && overlap(y, z) {
		panic(fmt.Sprintf("kernel: MatVecAct(%v, %v): y overlaps z without being it", i, act))
	}
	i.matVec("MatVecAct", "z", b, x, z, bias, act, y)
}

// matVec is MatVec (y nil) and MatVecAct; out names z in messages.
func (i Impl) matVec(name, out string, b, x, z, bias []float32, act Activation, y []float32) {
	i.must(name)
	s := gemmShapes[i]
	k, n := len(x), len(z)
	np := (n + s.nr - 1) / s.nr
	// np·nr < n + nr cannot wrap, but its product with k can (n·k ≥ 2⁶⁴
	// wraps to 0; 2³² on 32 bits, where x and z need only 2¹⁶ elements
	// each): fits computes it exactly.
	if !fits(len(b), np*s.nr, k, 0) || bias != nil && len(bias) != n {
		panicLen(fmt.Sprintf("%s(%v, nr=%d)", name, i, s.nr), "len(b), len(x), len("+out+"), len(bias)", len(b), k, n, len(bias))
	}
	if n == 0 {
		return
	}
	p := MatVecPlan{b: b, bias: bias, impl: i, act: act, k: k, n: n, nr: s.nr, nf: n / s.nr}
	p.Run(x, z, y)
}

func matVecGeneric(nr int, b, x, y, bias []float32) {
	k := len(x)
	// A panel's nr chains advance together, one step of K at a time: the
	// same chains as one output after the other, but independent of each
	// other within a step, so fma32's latency overlaps across them (fmaAxpy: one step).
	var acc [maxNR]float32
	for j0 := 0; j0 < len(y); j0 += nr {
		s := acc[:min(nr, len(y)-j0)]
		if bias != nil {
			copy(s, bias[j0:])
		} else {
			clear(s)
		}
		if k > 0 {
			panel := b[j0*k : (j0+nr)*k]
			for p, v := range x {
				fmaAxpy(v, panel[p*nr:p*nr+len(s)], s)
			}
		}
		copy(y[j0:], s)
	}
}

// A MatVecPlan is [Impl.MatVecAct] for one fixed B, bias and activation,
// checked once, when [Impl.PlanMatVec] makes it, for a caller that runs
// the same layer again and again on one vector (a dense layer's latency
// path). [MatVecPlan.Run] then checks only what varies from call to call
// — the lengths of x, z and y, and whether y overlaps z — and computes
// the same bits as MatVecAct. It keeps B and bias (shared, not copied):
// a change to their values takes effect at the next Run. The zero
// MatVecPlan is a plan for k = n = 0.
type MatVecPlan struct {
	b, bias      []float32
	impl         Impl
	act          Activation
	k, n, nr, nf int // nf = n/nr full panels
}

// PlanMatVec returns the plan of [Impl.MatVecAct] with B (k×n, packed in
// panels of nr columns as MatVec reads it), bias (nil or of length n)
// and act. It panics, as MatVecAct would, unless i is available, act is
// an activation and the lengths agree.
func (i Impl) PlanMatVec(b []float32, k, n int, bias []float32, act Activation) MatVecPlan {
	i.must("PlanMatVec")
	act.must("PlanMatVec")
	s := gemmShapes[i]
	if k < 0 || n < 0 || !fits(len(b), (n+s.nr-1)/s.nr*s.nr, k, 0) || bias != nil && len(bias) != n {
		panicLen(fmt.Sprintf("PlanMatVec(%v, nr=%d)", i, s.nr), "len(b), k, n, len(bias)", len(b), k, n, len(bias))
	}
	return MatVecPlan{b: b, bias: bias, impl: i, act: act, k: k, n: n, nr: s.nr, nf: n / s.nr}
}

// Run sets z = bias + xᵀ·B and, unless y is nil, y = act(z), as
// [Impl.MatVecAct] does (y nil: [Impl.MatVec]). len(x) = k, len(z) = n,
// and y is nil, z itself, or of length n and not overlapping z.
func (p *MatVecPlan) Run(x, z, y []float32) {
	if len(x) != p.k || len(z) != p.n || y != nil && len(y) != p.n {
		p.badLen(x, z, y)
	}
	if p.n == 0 {
		return
	}
	if y != nil && &y[0] != &z[0] && overlap(y, z) {
		panic(fmt.Sprintf("kernel: MatVecPlan.Run(%v, %v): y overlaps z without being it", p.impl, p.act))
	}
	// The one body of MatVec, MatVecAct and Run.
	i, act, nr, full, b, bias := p.impl, p.act, p.nr, p.nf, p.b, p.bias
	n, k := len(z), len(x)
	if y != nil && &y[0] == &z[0] && act == Identity {
		y = nil // nothing to do
	}
	if i == Generic {
		matVecGeneric(nr, b, x, z, bias)
		actTile(Generic, act, 1, n, z, n, y, n)
		return
	}
	bp, xp := unsafe.SliceData(b), unsafe.SliceData(x)
	if full > 0 {
		var biasp, yp *float32
		if bias != nil {
			biasp = &bias[0]
		}
		epi := Identity
		if act != Identity && y != nil {
			yp, epi = &y[0], act
		}
		matVecArch(i, k, full, bp, xp, &z[0], biasp, yp, epi)
		if act == Identity && y != nil {
			copy(y[:full*nr], z)
		}
	}
	if rest := n - full*nr; rest > 0 {
		var yy, bb [maxNR]float32
		var biasp *float32
		if bias != nil {
			copy(bb[:], bias[full*nr:])
			biasp = &bb[0]
		}
		matVecArch(i, k, 1, unsafe.SliceData(b[full*k*nr:]), xp, &yy[0], biasp, nil, Identity)
		zr := z[full*nr:]
		copy(zr, yy[:rest])
		switch {
		case y == nil:
		case act == Identity:
			copy(y[full*nr:], zr)
		default:
			actImpl(i, act, y[full*nr:], zr) // actTile of one row
		}
	}
}

//go:noinline
func (p *MatVecPlan) badLen(x, z, y []float32) {
	panicLen(fmt.Sprintf("MatVecPlan.Run(%v, k=%d, n=%d)", p.impl, p.k, p.n), "len(x), len(z), len(y)", len(x), len(z), len(y))
}
