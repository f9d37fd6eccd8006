// Package f32 holds dense float32 matrices and the drivers above scorekit's
// GEMM and matvec microkernels: packing, cache blocking, pre-packed
// weights and splitting work across goroutines.
//
// Matrices are row-major with a stride: element (i, j) of m is
// m.Data[i*m.Stride+j]. Like the kernels, the functions here panic on
// mismatched shapes, naming the function and the sizes.
package f32

import (
	"fmt"
	"math"
	"math/bits"
)

// Matrix is a dense row-major float32 matrix: element (i, j) is
// Data[i*Stride+j], for 0 ≤ i < Rows and 0 ≤ j < Cols ≤ Stride.
type Matrix struct {
	Rows, Cols, Stride int
	Data               []float32
}

// NewMatrix returns a zero rows×cols matrix with Stride = cols. It panics
// if rows or cols is negative or their product overflows int.
func NewMatrix(rows, cols int) Matrix {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("f32: NewMatrix: negative size %d×%d", rows, cols))
	}
	if hi, lo := bits.Mul(uint(rows), uint(cols)); hi != 0 || lo > math.MaxInt {
		panic(fmt.Sprintf("f32: NewMatrix: size %d×%d overflows", rows, cols))
	}
	return Matrix{Rows: rows, Cols: cols, Stride: cols, Data: make([]float32, rows*cols)}
}

// Row returns row i of m, with length and capacity Cols.
func (m Matrix) Row(i int) []float32 {
	if uint(i) >= uint(m.Rows) {
		panic(rangeError{"Row", i, i + 1, m.Rows})
	}
	if m.Cols == 0 {
		return nil // no Data needed (see check)
	}
	o := i * m.Stride
	return m.Data[o : o+m.Cols : o+m.Cols]
}

// rangeError is the panic of Row and Slice: a value, formatted only if
// printed, so that they stay small enough to inline (the latency path
// calls them for every layer).
type rangeError struct {
	fn           string
	r0, r1, rows int
}

func (e rangeError) Error() string {
	if e.fn == "Row" {
		return fmt.Sprintf("f32: Matrix.Row: row %d out of range [0, %d)", e.r0, e.rows)
	}
	return fmt.Sprintf("f32: Matrix.Slice: rows [%d, %d) out of range [0, %d)", e.r0, e.r1, e.rows)
}

// Slice returns rows r0 to r1−1 of m, sharing its data.
func (m Matrix) Slice(r0, r1 int) Matrix {
	if r0 < 0 || r1 < r0 || r1 > m.Rows {
		panic(rangeError{"Slice", r0, r1, m.Rows})
	}
	if r1 == r0 || m.Cols == 0 {
		return Matrix{Rows: r1 - r0, Cols: m.Cols, Stride: m.Stride} // no Data needed (see check)
	}
	return Matrix{Rows: r1 - r0, Cols: m.Cols, Stride: m.Stride, Data: m.Data[r0*m.Stride : (r1-1)*m.Stride+m.Cols]}
}

// row is Row for the latency path, on a pointer (see check).
func (m *Matrix) row(i int) []float32 {
	if uint(i) >= uint(m.Rows) {
		panic(rangeError{"Row", i, i + 1, m.Rows})
	}
	if m.Cols == 0 {
		return nil // no Data needed (see check)
	}
	o := i * m.Stride
	return m.Data[o : o+m.Cols : o+m.Cols]
}

// At returns element (i, j) of m.
func (m Matrix) At(i, j int) float32 { return m.Data[i*m.Stride+j] }

// Set sets element (i, j) of m to v.
func (m Matrix) Set(i, j int, v float32) { m.Data[i*m.Stride+j] = v }

// check panics unless m's fields describe memory its Data holds. (A
// pointer receiver: a copy of a Matrix just spilled from the argument
// registers is read back in 16-byte moves that stall on store forwarding.)
func (m *Matrix) check(fn, name string) {
	if m.Rows < 0 || m.Cols < 0 || m.Stride < m.Cols || m.Rows > 0 && m.Cols > 0 && !m.fits() {
		panic(shapeError{fn, name, *m})
	}
}

// fits reports whether Data holds (Rows−1)·Stride + Cols elements, for
// Rows, Cols > 0, without overflow: a product that wrapped would pass
// a wrapped offset to the kernels, which would read and write outside
// Data. (A product of 2⁶² or more, 2³⁰ on 32 bits, does not fit any
// slice; below that, adding Cols cannot wrap a uint.)
func (m *Matrix) fits() bool {
	hi, lo := bits.Mul(uint(m.Rows-1), uint(m.Stride))
	return hi|lo>>(bits.UintSize-2) == 0 && lo+uint(m.Cols) <= uint(len(m.Data))
}

// shapeError is the panic of check, formatted only if printed.
type shapeError struct {
	fn, name string
	m        Matrix
}

func (e shapeError) Error() string {
	m := e.m
	if m.Rows < 0 || m.Cols < 0 || m.Stride < m.Cols {
		return fmt.Sprintf("f32: %s: %s has bad shape %d×%d stride %d", e.fn, e.name, m.Rows, m.Cols, m.Stride)
	}
	return fmt.Sprintf("f32: %s: %s is %d×%d stride %d but len(Data) = %d", e.fn, e.name, m.Rows, m.Cols, m.Stride, len(m.Data))
}
