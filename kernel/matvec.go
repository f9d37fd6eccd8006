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
	if y != nil && &y[0] == &z[0] && act == Identity {
		y = nil // nothing to do
	}
	if i == Generic {
		matVecGeneric(s.nr, b, x, z, bias)
		actTile(Generic, act, 1, n, z, n, y, n)
		return
	}
	bp, xp := unsafe.SliceData(b), unsafe.SliceData(x)
	full := n / s.nr
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
			copy(y[:full*s.nr], z)
		}
	}
	if rest := n - full*s.nr; rest > 0 {
		var yy, bb [maxNR]float32
		var biasp *float32
		if bias != nil {
			copy(bb[:], bias[full*s.nr:])
			biasp = &bb[0]
		}
		matVecArch(i, k, 1, unsafe.SliceData(b[full*k*s.nr:]), xp, &yy[0], biasp, nil, Identity)
		zr := z[full*s.nr:]
		copy(zr, yy[:rest])
		if y != nil {
			actTile(i, act, 1, rest, zr, rest, y[full*s.nr:], rest)
		}
	}
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
