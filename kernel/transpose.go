package kernel

import "fmt"

//go:generate go run ../gen/amd64/transpose -out ../asm/transpose_amd64.s -stubs ../asm/transpose_amd64.go -pkg asm
//go:generate go run ../gen/arm64/transpose -out ../asm/transpose_arm64.s -stubs ../asm/transpose_arm64.go -pkg asm

// Transpose writes the transpose of the rows×cols matrix in src (row
// stride lds) to the cols×rows matrix in dst (row stride ldd) with i's
// kernels. Only these elements of dst are written; no element of src or
// dst outside the two matrices is read. src and dst must not overlap.
//
//	for r := range rows {
//		for c := range cols { dst[c*ldd+r] = src[r*lds+c] }
//	}
//
// It moves bits and computes nothing: every implementation gives the same
// bits, NaN payloads, signed zeros and subnormals included (TestTranspose,
// FuzzTranspose). It panics if rows or cols is negative, lds < cols,
// ldd < rows, or (unless rows or cols is 0, which does nothing) src is
// shorter than (rows−1)·lds + cols or dst shorter than (cols−1)·ldd + rows.
//
// Packing op(B) = Bᵀ for a GEMM is Transpose with ldd the panel width nr
// of [Impl.GemmTile]: nr rows of B at a time become one packed panel.
func (i Impl) Transpose(rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	if rows < 0 || cols < 0 || lds < cols || ldd < rows {
		panic(fmt.Sprintf("kernel: Transpose(%v): bad shape rows=%d cols=%d lds=%d ldd=%d", i, rows, cols, lds, ldd))
	}
	i.must("Transpose")
	if rows == 0 || cols == 0 {
		return
	}
	// Exact extents (fits): in int arithmetic a large enough lds or ldd
	// wraps them and a short slice would pass.
	if !fits(len(src), rows-1, lds, cols) || !fits(len(dst), cols-1, ldd, rows) {
		panicLen(fmt.Sprintf("Transpose(%v, rows=%d cols=%d lds=%d ldd=%d)", i, rows, cols, lds, ldd),
			"len(src), len(dst)", len(src), len(dst))
	}
	transposeImpl(i, rows, cols, src, lds, dst, ldd)
}

// Transpose writes the transpose of the rows×cols matrix in src to dst
// with the active kernels; see [Impl.Transpose].
func Transpose(rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	active.Transpose(rows, cols, src, lds, dst, ldd)
}

// transposeGeneric is the portable transpose; the shape and lengths are
// checked (rows, cols > 0). It reads four rows of src at a time, so that
// each row of dst is written four contiguous elements at a time.
func transposeGeneric(rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	r := 0
	for ; r+4 <= rows; r += 4 {
		s0 := src[r*lds : r*lds+cols]
		s1 := src[(r+1)*lds : (r+1)*lds+cols]
		s2 := src[(r+2)*lds : (r+2)*lds+cols]
		s3 := src[(r+3)*lds : (r+3)*lds+cols]
		for c, v := range s0 {
			d := dst[c*ldd+r : c*ldd+r+4]
			d[0], d[1], d[2], d[3] = v, s1[c], s2[c], s3[c]
		}
	}
	for ; r < rows; r++ {
		for c, v := range src[r*lds : r*lds+cols] {
			dst[c*ldd+r] = v
		}
	}
}
