//go:build !(amd64 || arm64) || !gc || purego

package kernel

// denseNarrowAsm reports whether i has an assembly DenseNarrow: this
// build has no assembly.
func denseNarrowAsm(Impl) bool { return false }

// denseNarrowImpl runs the portable DenseNarrow: this build has no
// assembly.
func denseNarrowImpl(_ Impl, m, n, k int, x []float32, ldx int, w []float32, ldw int, bias, z []float32, ldz int) {
	denseNarrowGeneric(m, n, k, x, ldx, w, ldw, bias, z, ldz)
}
