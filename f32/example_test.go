package f32_test

import (
	"fmt"

	"github.com/scorekit/scorekit/f32"
	"github.com/scorekit/scorekit/kernel"
)

func ExampleGemm() {
	a := f32.Matrix{Rows: 2, Cols: 3, Stride: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
	b := f32.Matrix{Rows: 3, Cols: 2, Stride: 2, Data: []float32{1, 0, 0, 1, 1, 1}}
	c := f32.NewMatrix(2, 2)
	f32.Gemm(false, false, 1, a, b, 0, c) // C = A·B
	fmt.Println(c.Row(0), c.Row(1))

	// Backpropagation's products use the transposes: Aᵀ·C is 3×2.
	g := f32.NewMatrix(3, 2)
	f32.Gemm(true, false, 1, a, c, 0, g)
	fmt.Println(g.Row(0), g.Row(1), g.Row(2))
	// Output:
	// [4 5] [10 11]
	// [44 49] [58 65] [72 81]
}

func ExampleDense() {
	// W is out×in, as PyTorch stores it: this layer maps ℝ³ to ℝ².
	w := f32.Matrix{Rows: 2, Cols: 3, Stride: 3, Data: []float32{
		1, 0, -1,
		0.5, 0.5, 0.5,
	}}
	layer := f32.NewDense(w, []float32{0, -1}, kernel.ReLU)

	x := f32.Matrix{Rows: 2, Cols: 3, Stride: 3, Data: []float32{
		1, 2, 3, // one input per row
		3, 2, 1,
	}}
	y := f32.NewMatrix(2, 2)
	pre := f32.NewMatrix(2, 2) // x·Wᵀ + b, kept for backpropagation
	layer.Forward(y, pre, x)
	fmt.Println(pre.Row(0), y.Row(0))
	fmt.Println(pre.Row(1), y.Row(1))
	// Output:
	// [-2 2] [0 2]
	// [2 2] [2 2]
}
