//go:build !(amd64 || arm64) || !gc || purego

package kernel

// hadamardImpl runs the portable Mul (add false) or MulAdd (add true):
// this build has no assembly.
func hadamardImpl(_ Impl, add bool, dst, x, y []float32) {
	if add {
		mulAddGeneric(dst, x, y)
		return
	}
	mulGeneric(dst, x, y)
}
