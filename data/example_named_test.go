package data_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/scorekit/scorekit/data"
)

// A toy set by name: the names, and the mean of 10,000 rows of two moons.
func ExampleNamed() {
	fmt.Println(data.Names())
	src, err := data.Named("moons")
	if err != nil {
		panic(err)
	}
	const n = 10000
	x := make([]float32, n*src.Dim())
	src.Sample(x, rand.New(rand.NewPCG(1, 1)))
	var mean [2]float64 // exactly (0, 0.3), see data.Moons; standard errors 0.017, 0.010
	for i := 0; i < len(x); i += 2 {
		mean[0] += float64(x[i]) / n
		mean[1] += float64(x[i+1]) / n
	}
	fmt.Printf("%d-dimensional; mean within 0.05 of (0, 0.3): %v\n", src.Dim(),
		math.Abs(mean[0]) < 0.05 && math.Abs(mean[1]-0.3) < 0.05)
	// Output:
	// [8gaussians checkerboard circles mixture moons pinwheel swissroll]
	// 2-dimensional; mean within 0.05 of (0, 0.3): true
}

// Two samples of the same mixture: their unbiased MMD² (bandwidth by the
// median heuristic) is near 0.
func ExampleMMD2() {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 2*200)
	y := make([]float32, 2*200)
	data.NCSNMixture().Sample(x, rng)
	data.NCSNMixture().Sample(y, rng)
	fmt.Println(math.Abs(data.MMD2(x, y, 2)) < 0.02)
	// Output: true
}
