//go:build !(amd64 || arm64) || !gc || purego

package kernel

// transposeImpl runs the portable transpose: this build has no assembly.
func transposeImpl(_ Impl, rows, cols int, src []float32, lds int, dst []float32, ldd int) {
	transposeGeneric(rows, cols, src, lds, dst, ldd)
}
