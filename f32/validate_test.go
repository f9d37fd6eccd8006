package f32

import (
	"fmt"
	"math"
	"math/bits"
	"testing"

	"github.com/scorekit/scorekit/internal/testpanic"
	"github.com/scorekit/scorekit/kernel"
)

// mustPanic fails unless f panics with exactly the message want (a string
// or an error's text): the package's panics name the function and the
// sizes, and a bounds check left out would show as a runtime error (or no
// panic) instead.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	testpanic.Exactly(t, want, f)
}

// padded returns a rows×cols matrix of stride cols+2 whose Data ends at
// its last element (as a Slice of a larger matrix does), with capacity
// beyond it.
func padded(rows, cols int) Matrix {
	buf := make([]float32, rows*(cols+2)+8)
	for i := range buf {
		buf[i] = float32(i)
	}
	return Matrix{Rows: rows, Cols: cols, Stride: cols + 2, Data: buf[:(rows-1)*(cols+2)+cols]}
}

func TestMatrixPanics(t *testing.T) {
	mustPanic(t, "f32: NewMatrix: negative size -1×2", func() { NewMatrix(-1, 2) })
	mustPanic(t, "f32: NewMatrix: negative size 0×-1", func() { NewMatrix(0, -1) })

	m := padded(3, 2)
	top := m.Slice(0, 1) // its Data has capacity for the rows below
	mustPanic(t, "f32: Matrix.Row: row 1 out of range [0, 1)", func() { top.Row(1) })
	mustPanic(t, "f32: Matrix.Row: row -1 out of range [0, 3)", func() { m.Row(-1) })
	mustPanic(t, "f32: Matrix.Row: row 3 out of range [0, 3)", func() { m.Row(3) })
	mustPanic(t, "f32: Matrix.Slice: rows [2, 1) out of range [0, 3)", func() { m.Slice(2, 1) })
	mustPanic(t, "f32: Matrix.Slice: rows [1, 4) out of range [0, 3)", func() { m.Slice(1, 4) })
	mustPanic(t, "f32: Matrix.Slice: rows [0, 2) out of range [0, 1)", func() { top.Slice(0, 2) })
	mustPanic(t, "f32: Matrix.Slice: rows [-1, 1) out of range [0, 3)", func() { m.Slice(-1, 1) })
}

func TestMatrixSlice(t *testing.T) {
	m := padded(3, 2)
	for r0 := 0; r0 <= 3; r0++ {
		for r1 := r0; r1 <= 3; r1++ {
			s := m.Slice(r0, r1)
			if s.Rows != r1-r0 || s.Cols != 2 || s.Stride != 4 {
				t.Fatalf("Slice(%d, %d) is %d×%d stride %d, want %d×2 stride 4", r0, r1, s.Rows, s.Cols, s.Stride, r1-r0)
			}
			s.check("test", "s")
			if s.Rows > 0 && r0*m.Stride+len(s.Data) > len(m.Data) {
				t.Fatalf("Slice(%d, %d).Data reaches %d elements past m.Data", r0, r1, r0*m.Stride+len(s.Data)-len(m.Data))
			}
			for i := range s.Rows {
				for j := range 2 {
					if s.At(i, j) != m.At(r0+i, j) || s.Row(i)[j] != m.At(r0+i, j) {
						t.Fatalf("Slice(%d, %d)(%d, %d) = %g, want %g", r0, r1, i, j, s.At(i, j), m.At(r0+i, j))
					}
				}
			}
		}
	}
	if r := m.Row(2); len(r) != 2 || cap(r) != 2 || r[0] != 8 || r[1] != 9 {
		t.Errorf("Row(2) = %v (cap %d), want [8 9] (cap 2)", r, cap(r))
	}
}

func TestGemmShapePanics(t *testing.T) {
	a, b, c := NewMatrix(2, 3), NewMatrix(3, 4), NewMatrix(2, 4)
	short := func(r, cl int) Matrix { return Matrix{Rows: r, Cols: cl, Stride: cl, Data: make([]float32, r*cl-1)} }
	mustPanic(t, "f32: Gemm: A has bad shape 2×3 stride 2", func() {
		Gemm(false, false, 1, Matrix{Rows: 2, Cols: 3, Stride: 2, Data: make([]float32, 6)}, b, 0, c)
	})
	mustPanic(t, "f32: Gemm: A has bad shape -1×3 stride 3", func() {
		Gemm(false, false, 1, Matrix{Rows: -1, Cols: 3, Stride: 3}, b, 0, c)
	})
	mustPanic(t, "f32: Gemm: A is 2×3 stride 3 but len(Data) = 5", func() { Gemm(false, false, 1, short(2, 3), b, 0, c) })
	mustPanic(t, "f32: Gemm: B is 3×4 stride 4 but len(Data) = 11", func() { Gemm(false, false, 1, a, short(3, 4), 0, c) })
	mustPanic(t, "f32: Gemm: C is 2×4 stride 4 but len(Data) = 7", func() { Gemm(false, false, 1, a, b, 0, short(2, 4)) })
	mustPanic(t, "f32: Gemm: shape mismatch: op(A) is 2×3, op(B) is 3×4, C is 3×4", func() { Gemm(false, false, 1, a, b, 0, NewMatrix(3, 4)) })
	mustPanic(t, "f32: Gemm: shape mismatch: op(A) is 2×3, op(B) is 3×4, C is 2×5", func() { Gemm(false, false, 1, a, b, 0, NewMatrix(2, 5)) })
	mustPanic(t, "f32: Gemm: shape mismatch: op(A) is 3×2, op(B) is 3×4, C is 2×4", func() { Gemm(true, false, 1, a, b, 0, c) })

	// A matrix without columns holds no elements: it needs no Data,
	// whatever its stride.
	c2 := NewMatrix(2, 4)
	c2.Data[0] = 7
	Gemm(false, false, 1, Matrix{Rows: 2, Cols: 0, Stride: 3}, Matrix{Rows: 0, Cols: 4, Stride: 4}, 0, c2)
	for _, v := range c2.Data {
		if v != 0 {
			t.Fatalf("K = 0, β = 0: C = %v, want zeros", c2.Data)
		}
	}
}

func TestDenseShapePanics(t *testing.T) {
	w := NewMatrix(3, 4) // 4 → 3
	mustPanic(t, "f32: NewDense: W is 3×4 but len(bias) = 2", func() { NewDense(w, make([]float32, 2), kernel.ReLU) })
	mustPanic(t, "f32: NewDense: W is 3×4 stride 4 but len(Data) = 11", func() {
		NewDense(Matrix{Rows: 3, Cols: 4, Stride: 4, Data: make([]float32, 11)}, nil, kernel.ReLU)
	})
	// An unknown activation, which was accepted and panicked in the
	// kernel at the first Forward.
	bad := kernel.Activation(len(kernel.Activations()))
	mustPanic(t, fmt.Sprintf("f32: NewDense: unknown activation %v", bad), func() { NewDense(w, nil, bad) })
	mustPanic(t, "f32: NewDense: unknown activation Activation(255)", func() { NewDenseImpl(kernel.Generic, w, nil, 255) })
	d := NewDense(w, nil, kernel.ReLU)
	x, y, pre := NewMatrix(5, 4), NewMatrix(5, 3), NewMatrix(5, 3)
	short := func(r, cl int) Matrix { return Matrix{Rows: r, Cols: cl, Stride: cl, Data: make([]float32, r*cl-1)} }
	mustPanic(t, "f32: Dense.Forward: x is 5×4 stride 4 but len(Data) = 19", func() { d.Forward(y, pre, short(5, 4)) })
	mustPanic(t, "f32: Dense.Forward: y is 5×3 stride 3 but len(Data) = 14", func() { d.Forward(short(5, 3), pre, x) })
	mustPanic(t, "f32: Dense.Forward: pre is 5×3 stride 3 but len(Data) = 14", func() { d.Forward(y, short(5, 3), x) })
	mustPanic(t, "f32: Dense.Forward: layer is 4→3 but x is 5×4 and y is 4×3", func() { d.Forward(NewMatrix(4, 3), pre, x) })
	mustPanic(t, "f32: Dense.Forward: layer is 4→3 but x is 5×4 and y is 6×3", func() { d.Forward(NewMatrix(6, 3), pre, x) })
	mustPanic(t, "f32: Dense.Forward: layer is 4→3 but x is 5×4 and y is 5×2", func() { d.Forward(NewMatrix(5, 2), pre, x) })
	mustPanic(t, "f32: Dense.Forward: pre is 6×3, want 5×3", func() { d.Forward(y, NewMatrix(6, 3), x) })
	mustPanic(t, "f32: Dense.Forward: pre is 5×4, want 5×3", func() { d.Forward(y, NewMatrix(5, 4), x) })
	mustPanic(t, "f32: Dense.ForwardLinear: x is 5×4 stride 4 but len(Data) = 19", func() { d.ForwardLinear(1, y, short(5, 4)) })
	mustPanic(t, "f32: Dense.ForwardLinear: z is 5×3 stride 3 but len(Data) = 14", func() { d.ForwardLinear(1, short(5, 3), x) })
	mustPanic(t, "f32: Dense.ForwardLinear: layer is 4→3 but x is 5×4 and z is 4×3", func() { d.ForwardLinear(1, NewMatrix(4, 3), x) })
	mustPanic(t, "f32: Dense.ForwardLinear: layer is 4→3 but x is 5×3 and z is 5×3", func() { d.ForwardLinear(2, y, NewMatrix(5, 3)) })
}

// TestUnavailableImpl: GemmWith and NewDenseImpl use the implementation
// they are given, so one this machine cannot run panics (every machine
// lacks one: amd64 NEON, arm64 AVX2) rather than running another.
func TestUnavailableImpl(t *testing.T) {
	tried := 0
	for i := kernel.Generic; i <= kernel.NEON; i++ {
		if i.Available() {
			continue
		}
		tried++
		want := fmt.Sprintf("kernel: GemmTile: implementation %v is not available on this machine", i)
		a, b, c := NewMatrix(2, 3), NewMatrix(3, 4), NewMatrix(2, 4)
		mustPanic(t, want, func() { GemmWith(i, 1, false, false, 1, a, b, 0, c) })
		mustPanic(t, want, func() { NewDenseImpl(i, NewMatrix(4, 3), nil, kernel.ReLU) })
	}
	if tried == 0 {
		t.Error("every implementation is available: none to try")
	}
}

// TestMatrixCheckOverflow: a stride so large that (Rows−1)·Stride + Cols
// overflows is caught by check, not passed to the kernels, which would
// read and write at the wrapped offset, outside Data.
func TestMatrixCheckOverflow(t *testing.T) {
	stride := math.MaxInt/2 + 2 // 2·stride + 1 wraps to a negative int
	a := Matrix{Rows: 3, Cols: 1, Stride: stride, Data: make([]float32, 1)}
	want := fmt.Sprintf("f32: Gemm: A is 3×1 stride %d but len(Data) = 1", stride)
	mustPanic(t, want, func() { Gemm(false, false, 1, a, NewMatrix(1, 1), 0, NewMatrix(3, 1)) })
	// 2·MaxInt fits a uint, but adding Cols wraps it past zero.
	b := Matrix{Rows: 3, Cols: 3, Stride: math.MaxInt, Data: make([]float32, 3)}
	want = fmt.Sprintf("f32: Gemm: B is 3×3 stride %d but len(Data) = 3", math.MaxInt)
	mustPanic(t, want, func() { Gemm(false, false, 1, NewMatrix(1, 3), b, 0, NewMatrix(1, 3)) })
	n := 1 << (bits.UintSize / 2) // n·n wraps to 0
	x := Matrix{Rows: n + 1, Cols: 1, Stride: n, Data: make([]float32, 1)}
	want = fmt.Sprintf("f32: Dense.Forward: x is %d×1 stride %d but len(Data) = 1", n+1, n)
	mustPanic(t, want, func() { NewDense(NewMatrix(1, 1), nil, kernel.ReLU).Forward(NewMatrix(1, 1), Matrix{}, x) })
	mustPanic(t, fmt.Sprintf("f32: NewMatrix: size %d×%d overflows", n, n), func() { NewMatrix(n, n) })
	mustPanic(t, fmt.Sprintf("f32: NewMatrix: size %d×%d overflows", n, n/2), func() { NewMatrix(n, n/2) }) // a negative int
}

// TestMatrixZeroCols: a matrix without columns needs no Data whatever
// its stride (check accepts it), so Row and Slice accept it too, and so
// does a layer without inputs.
func TestMatrixZeroCols(t *testing.T) {
	x := Matrix{Rows: 3, Cols: 0, Stride: 2}
	if r := x.Row(2); len(r) != 0 {
		t.Errorf("Row(2) has length %d", len(r))
	}
	if s := x.Slice(1, 3); s.Rows != 2 || s.Cols != 0 {
		t.Errorf("Slice(1, 3) is %d×%d, want 2×0", s.Rows, s.Cols)
	}
	for _, m := range []int{1, 3} {
		d := NewDense(NewMatrix(4, 0), []float32{1, -1, 2, 0}, kernel.ReLU)
		y := NewMatrix(m, 4)
		d.Forward(y, Matrix{}, x.Slice(0, m))
		for i := range m {
			if r := y.Row(i); r[0] != 1 || r[1] != 0 || r[2] != 2 || r[3] != 0 {
				t.Errorf("%d rows: y[%d] = %v, want [1 0 2 0]", m, i, r)
			}
		}
	}
}
