package kernel

//go:generate go run ../gen/amd64/hadamard -out ../asm/hadamard_amd64.s -stubs ../asm/hadamard_amd64.go -pkg asm
//go:generate go run ../gen/arm64/hadamard -out ../asm/hadamard_arm64.s -stubs ../asm/hadamard_arm64.go -pkg asm

// The elementwise (Hadamard) products that backpropagation through an
// activation needs: z̄ = σ'(z)⊙ȳ, and, through a forward-mode tangent,
// z̄ += σ”(z)⊙ż⊙ẏ̄.

// Mul sets dst to the elementwise product of x and y with i's kernels.
// dst may be x or y (the same slice, not a partial overlap). It panics
// unless the three have the same length.
//
//	for i := range dst { dst[i] = x[i] * y[i] }
//
// Exact to the rounding of one product: every implementation gives the
// same bits.
func (i Impl) Mul(dst, x, y []float32) {
	if len(x) != len(dst) || len(y) != len(dst) {
		panicLen("Mul", "len(dst), len(x), len(y)", len(dst), len(x), len(y))
	}
	i.must("Mul")
	if len(dst) == 0 {
		return
	}
	hadamardImpl(i, false, dst, x, y)
}

// MulAdd adds the elementwise product of x and y to dst with i's
// kernels, one fused multiply-add per element. dst may be x or y. It
// panics unless the three have the same length.
//
//	for i := range dst { dst[i] = fma(x[i], y[i], dst[i]) }
//
// Rounded once: every implementation gives the same bits.
func (i Impl) MulAdd(dst, x, y []float32) {
	if len(x) != len(dst) || len(y) != len(dst) {
		panicLen("MulAdd", "len(dst), len(x), len(y)", len(dst), len(x), len(y))
	}
	i.must("MulAdd")
	if len(dst) == 0 {
		return
	}
	hadamardImpl(i, true, dst, x, y)
}

// Mul sets dst[i] = x[i]·y[i]; see [Impl.Mul].
func Mul(dst, x, y []float32) { active.Mul(dst, x, y) }

// MulAdd sets dst[i] = fma(x[i], y[i], dst[i]); see [Impl.MulAdd].
func MulAdd(dst, x, y []float32) { active.MulAdd(dst, x, y) }

func mulGeneric(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

func mulAddGeneric(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = fma32(x[i], y[i], dst[i])
	}
}
