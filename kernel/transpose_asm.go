//go:build (amd64 || arm64) && gc && !purego

package kernel

// transposeKernel is an assembly transpose that does the leading
// (rows&^(b−1)) × (cols&^(b−1)) corner in b×b blocks (b a power of two);
// transposeBlocks (per architecture) runs the one named id with a switch,
// so that src and dst do not escape.
type transposeKernel struct {
	b, id int
}

// transposeTiers runs ks[0] on the corner it does, then ks[1:] on the
// columns it left in its rows and on the rows it left, and the generic
// loop once ks is empty. The shape and lengths are checked.
func transposeTiers(ks []transposeKernel, rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	if len(ks) == 0 {
		transposeGeneric(rows, cols, src, lds, dst, ldd)
		return
	}
	k := ks[0]
	rb, cb := rows&^(k.b-1), cols&^(k.b-1)
	if rb > 0 && cb > 0 {
		transposeBlocks(k.id, rb, cb, &src[0], lds, &dst[0], ldd)
	}
	if rb > 0 && cb < cols {
		transposeTiers(ks[1:], rb, cols-cb, src[cb:], lds, dst[cb*ldd:], ldd)
	}
	if rb < rows {
		transposeTiers(ks[1:], rows-rb, cols, src[rb*lds:], lds, dst[rb:], ldd)
	}
}
