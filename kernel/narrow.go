package kernel

import "fmt"

//go:generate go run ../gen/amd64/narrow -out ../asm/narrow_amd64.s -stubs ../asm/narrow_amd64.go -pkg asm

// DenseNarrowMax is the most outputs [Impl.DenseNarrow] computes.
const DenseNarrowMax = 16

// DenseNarrow computes a dense layer with few outputs, z = bias + x·Wᵀ,
// with i's kernels: x is m×k (row stride ldx), W is n×k as PyTorch stores
// it (row stride ldw), z is m×n (row stride ldz), 0 ≤ n ≤
// [DenseNarrowMax]. bias is nil (zero) or holds at least n values. Only
// these elements of z are written; nothing outside the three matrices
// and bias[:n] is read. z must not overlap x, w or bias.
//
//	for r := range m {
//		for j := range n {
//			s := bias[j] // 0 if bias is nil
//			for p := range k { s = fma(x[r*ldx+p], w[j*ldw+p], s) }
//			z[r*ldz+j] = s
//		}
//	}
//
// Each output is the same chain of correctly rounded fused multiply-adds
// as on every other dense path ([Impl.MatVec], [Impl.GemmMicro]: fma(x,
// W) = fma(W, x)), so every implementation gives the same bits
// (TestDenseNarrow; a NaN may differ in sign and payload, as the vector
// fused multiply-adds of x86 and Arm pass on an input NaN), within
// (k+1)·2⁻²⁴·(|bias| + Σₚ|x·W|) of the exact value
// (TestDenseNarrowReference).
//
// The avx512, avx2 and neon kernels (gen/amd64/narrow, gen/arm64/narrow)
// run along the rows, 16, 8 or 4 to a vector, with several groups of rows
// at once when n is small so that eight or more multiply-add chains are
// in flight, and x's columns transposed in registers as they are loaded;
// avx2 and neon take n > 8 in two passes over x. On generic, DenseNarrow
// runs the portable loop above, and [Impl.HasDenseNarrow] reports false,
// so that a driver can prefer its GEMM path there (the bits are the same
// either way).
//
// It panics if m, n or k is negative, n > DenseNarrowMax, ldx < k, ldw <
// k, ldz < n, a slice is too short for its matrix ((m−1)·ldx + k for x,
// (n−1)·ldw + k for w, (m−1)·ldz + n for z, each only if the matrix is
// not empty), a bias that is not nil holds fewer than n values, or z
// overlaps an input.
func (i Impl) DenseNarrow(m, n, k int, x []float32, ldx int, w []float32, ldw int, bias, z []float32, ldz int) {
	i.must("DenseNarrow")
	if m < 0 || n < 0 || k < 0 || n > DenseNarrowMax || ldx < k || ldw < k || ldz < n {
		panic(fmt.Sprintf("kernel: DenseNarrow(%v): bad shape m=%d n=%d k=%d ldx=%d ldw=%d ldz=%d (n ≤ %d)", i, m, n, k, ldx, ldw, ldz, DenseNarrowMax))
	}
	if m == 0 || n == 0 {
		return
	}
	// The extents are computed exactly (fits): in int arithmetic a large
	// enough stride wraps them and a short slice would pass.
	if k > 0 && (!fits(len(x), m-1, ldx, k) || !fits(len(w), n-1, ldw, k)) || !fits(len(z), m-1, ldz, n) || bias != nil && len(bias) < n {
		panicLen(fmt.Sprintf("DenseNarrow(%v, m=%d n=%d k=%d ldx=%d ldw=%d ldz=%d)", i, m, n, k, ldx, ldw, ldz),
			"len(x), len(w), len(bias), len(z)", len(x), len(w), len(bias), len(z))
	}
	nx, nw := 0, 0
	if k > 0 {
		nx, nw = (m-1)*ldx+k, (n-1)*ldw+k
	}
	nz := (m-1)*ldz + n
	zz := z[:nz]
	if overlap(zz, x[:nx]) || overlap(zz, w[:nw]) || bias != nil && overlap(zz, bias[:n]) {
		panic(fmt.Sprintf("kernel: DenseNarrow(%v): z overlaps x, w or bias", i))
	}
	if k == 0 {
		for r := range m {
			if bias != nil {
				copy(z[r*ldz:r*ldz+n], bias)
			} else {
				clear(z[r*ldz : r*ldz+n])
			}
		}
		return
	}
	denseNarrowImpl(i, m, n, k, x, ldx, w, ldw, bias, z, ldz)
}

// DenseNarrow computes z = bias + x·Wᵀ with the active kernels; see
// [Impl.DenseNarrow].
func DenseNarrow(m, n, k int, x []float32, ldx int, w []float32, ldw int, bias, z []float32, ldz int) {
	active.DenseNarrow(m, n, k, x, ldx, w, ldw, bias, z, ldz)
}

// HasDenseNarrow reports whether i runs [Impl.DenseNarrow] in assembly
// (avx2, avx512, neon). Where it does not, DenseNarrow is the portable
// loop, correct but slower than a GEMM microkernel on zᵀ = W·xᵀ.
func (i Impl) HasDenseNarrow() bool {
	i.must("HasDenseNarrow")
	return denseNarrowAsm(i)
}

// denseNarrowGeneric is the portable DenseNarrow: the loop of its doc
// comment. The shape and lengths are checked, k > 0.
func denseNarrowGeneric(m, n, k int, x []float32, ldx int, w []float32, ldw int, bias, z []float32, ldz int) {
	for r := range m {
		xr := x[r*ldx : r*ldx+k]
		zr := z[r*ldz : r*ldz+n]
		for j := range zr {
			var s float32
			if bias != nil {
				s = bias[j]
			}
			for p, v := range w[j*ldw : j*ldw+k] {
				s = fma32(xr[p], v, s)
			}
			zr[j] = s
		}
	}
}
