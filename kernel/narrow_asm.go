//go:build (amd64 || arm64) && gc && !purego

package kernel

import "unsafe"

// denseNarrowImpl runs i's DenseNarrow on a checked shape with k > 0:
// the portable loop on generic, else the assembly (denseNarrowCall), in
// one pass over x if n is at most denseNarrowPass(i), otherwise in two
// passes of ⌈n/2⌉ and ⌊n/2⌋ outputs, each over all of x (avx2 and neon,
// whose kernels compute at most 8 outputs at a time).
func denseNarrowImpl(i Impl, m, n, k int, x []float32, ldx int, w []float32, ldw int, bias, z []float32, ldz int) {
	if i == Generic {
		denseNarrowGeneric(m, n, k, x, ldx, w, ldw, bias, z, ldz)
		return
	}
	var zero [DenseNarrowMax]float32
	bp := &zero[0]
	if bias != nil {
		bp = &bias[0]
	}
	xp, wp, zp := unsafe.SliceData(x), unsafe.SliceData(w), unsafe.SliceData(z)
	n0 := n
	if n > denseNarrowPass(i) {
		n0 = (n + 1) / 2
	}
	denseNarrowCall(i, m, n0, k, xp, ldx, wp, ldw, bp, zp, ldz)
	if n0 == n {
		return
	}
	if bias != nil {
		bp = &bias[n0]
	}
	denseNarrowCall(i, m, n-n0, k, xp, ldx, &w[n0*ldw], ldw, bp, &z[n0], ldz)
}
