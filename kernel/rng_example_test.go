package kernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/scorekit/scorekit/kernel"
)

// Each chain owns a stream: chain k draws from stream k under the run's
// seed, so the result does not depend on how chains are split among
// goroutines, nor on the instruction set.
func ExampleStream_Normals() {
	s := kernel.NewStream(2024, 0)
	z := make([]float32, 4)
	s.Normals(z)
	fmt.Printf("%.4f, position %d\n", z, s.Pos())

	// The third of them alone, from a new stream moved to position 2: a
	// normal depends only on its position, not on how it was read.
	t := kernel.NewStream(2024, 0)
	one := make([]float32, 1)
	t.Seek(2)
	t.Normals(one)
	fmt.Printf("%.4f\n", one[0])
	// Output:
	// [-0.1169 -1.3398 1.0016 -0.8988], position 4
	// 1.0016
}

// Unadjusted Langevin dynamics for N(0, I) in 3 dimensions: the noise is
// drawn inside the step, with no buffer.
func ExampleStream_LangevinStep() {
	const h = 0.05
	x := []float32{3, -3, 0}
	grad := make([]float32, len(x))
	s := kernel.NewStream(1, 0)
	for range 200 {
		for i, v := range x {
			grad[i] = -v // ∇log p(x) for the standard normal
		}
		s.LangevinStep(h, float32(math.Sqrt(2*h)), x, grad)
	}
	fmt.Printf("%.3f after %d draws\n", x, s.Pos())
	// Output:
	// [0.101 0.291 -2.214] after 600 draws
}

// A Source makes a stream usable with math/rand/v2.
func ExampleNewSource() {
	r := rand.New(kernel.NewSource(42, 0))
	fmt.Println(r.IntN(100), r.IntN(100), r.IntN(100))
	// Output:
	// 98 72 31
}
