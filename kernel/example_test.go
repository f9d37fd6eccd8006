package kernel_test

import (
	"fmt"

	"github.com/scorekit/scorekit/kernel"
)

// The level-1 kernels on the active implementation.
func Example() {
	x := []float32{1, 2, 3}
	y := []float32{4, 5, 6}
	fmt.Println(kernel.Dot(x, y))
	kernel.Axpy(2, x, y) // y += 2x
	fmt.Println(y)
	// Output:
	// 32
	// [6 9 12]
}
