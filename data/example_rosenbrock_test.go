package data_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/scorekit/scorekit/data"
)

// Exact draws from the 2-D Rosenbrock density: x₀ ~ N(1, 10) and
// x₁ | x₀ ~ N(x₀², 0.1), so E[x₀] = 1 and E[x₁] = E[x₀²] = 11.
func ExampleRosenbrock_Sample() {
	r := data.NewRosenbrock(2)
	const n = 100000
	x := make([]float32, 2*n) // n points, row-major
	r.Sample(x, rand.New(rand.NewPCG(1, 2)))
	var m0, m1 float64
	for i := 0; i < n; i++ {
		m0 += float64(x[2*i])
		m1 += float64(x[2*i+1])
	}
	fmt.Printf("E[x0] ≈ %.0f, E[x1] ≈ %.0f\n", m0/n, m1/n)
	// Output:
	// E[x0] ≈ 1, E[x1] ≈ 11
}
