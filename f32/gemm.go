package f32

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or, if
// the flag says so, Xᵀ. op(A) is M×K, op(B) is K×N and C is M×N; it panics
// if the shapes disagree. With beta = 0, C is only written, never read
// (NaNs in C do not propagate).
func Gemm(transA, transB bool, alpha float32, a, b Matrix, beta float32, c Matrix) {
	a.check("Gemm", "A")
	b.check("Gemm", "B")
	c.check("Gemm", "C")
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if transB {
		kb, n = n, kb
	}
	if k != kb || c.Rows != m || c.Cols != n {
		panic(fmt.Sprintf("f32: Gemm: shape mismatch: op(A) is %d×%d, op(B) is %d×%d, C is %d×%d", m, k, kb, n, c.Rows, c.Cols))
	}
	gemmSimple(transA, transB, alpha, a, b, beta, c)
}

func gemmSimple(transA, transB bool, alpha float32, a, b Matrix, beta float32, c Matrix) {
	m, n := c.Rows, c.Cols
	k := a.Cols
	if transA {
		k = a.Rows
	}
	for i := range m {
		ci := c.Row(i)
		for j := range n {
			var s float32
			for p := range k {
				var av, bv float32
				if transA {
					av = a.Data[p*a.Stride+i]
				} else {
					av = a.Data[i*a.Stride+p]
				}
				if transB {
					bv = b.Data[j*b.Stride+p]
				} else {
					bv = b.Data[p*b.Stride+j]
				}
				s += av * bv
			}
			if beta == 0 {
				ci[j] = alpha * s
			} else {
				ci[j] = alpha*s + beta*ci[j]
			}
		}
	}
}
