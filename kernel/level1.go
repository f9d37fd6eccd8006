package kernel

// The level-1 kernels run through dotImpl, axpyImpl, scaleImpl and
// sumSqImpl, a switch per architecture (level1_amd64.go, level1_arm64.go,
// level1_noasm.go; see Dispatch in impl.go).

// Dot returns the dot product of x and y with i's kernels. It panics if
// their lengths differ.
//
//	for i, v := range x { sum += v * y[i] }
//
// Implementations sum in different orders (and fuse products); every one
// is within |Δ| ≤ n·2⁻²³·Σ|xᵢyᵢ| + n·2⁻¹⁴⁸ of the exact dot product
// (TestReductionsImplsAgree, FuzzReductions): the classical bound for
// recursive summation, plus the underflow of products among the
// subnormals.
func (i Impl) Dot(x, y []float32) float32 {
	if len(x) != len(y) {
		panicLen("Dot", "len(x), len(y)", len(x), len(y))
	}
	i.must("Dot")
	return dotImpl(i, x, y)
}

// Axpy adds alpha·x to y with i's kernels. It panics if their lengths
// differ.
//
//	for i, v := range x { y[i] = fma(alpha, v, y[i]) }
//
// Each element is one fused multiply-add: every implementation gives the
// same bits.
func (i Impl) Axpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panicLen("Axpy", "len(x), len(y)", len(x), len(y))
	}
	i.must("Axpy")
	axpyImpl(i, alpha, x, y)
}

// Scale multiplies x by alpha in place with i's kernels.
//
//	for i := range x { x[i] *= alpha }
//
// Exact to the rounding of one product: every implementation gives the
// same bits.
func (i Impl) Scale(alpha float32, x []float32) {
	i.must("Scale")
	scaleImpl(i, alpha, x)
}

// SumSq returns the sum of squares of x with i's kernels.
//
//	for _, v := range x { sum += v * v }
//
// Within n·2⁻²³·Σxᵢ² + n·2⁻¹⁴⁸ of the exact sum, as Dot.
func (i Impl) SumSq(x []float32) float32 {
	i.must("SumSq")
	return sumSqImpl(i, x)
}

// Dot returns the dot product of x and y; see [Impl.Dot].
func Dot(x, y []float32) float32 { return active.Dot(x, y) }

// Axpy adds alpha·x to y; see [Impl.Axpy].
func Axpy(alpha float32, x, y []float32) { active.Axpy(alpha, x, y) }

// Scale multiplies x by alpha in place; see [Impl.Scale].
func Scale(alpha float32, x []float32) { active.Scale(alpha, x) }

// SumSq returns the sum of squares of x; see [Impl.SumSq].
func SumSq(x []float32) float32 { return active.SumSq(x) }

func dotGeneric(x, y []float32) float32 {
	var sum float32
	y = y[:len(x)]
	for i, v := range x {
		sum += v * y[i]
	}
	return sum
}

func axpyGeneric(alpha float32, x, y []float32) { fmaAxpy(alpha, x, y) }

func scaleGeneric(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}

func sumSqGeneric(x []float32) float32 {
	var sum float32
	for _, v := range x {
		sum += v * v
	}
	return sum
}
