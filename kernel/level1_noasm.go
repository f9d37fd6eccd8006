//go:build !(amd64 || arm64) || !gc || purego

package kernel

// Without assembly the level-1 kernels are the generic ones (see
// level1.go).

func dotImpl(_ Impl, x, y []float32) float32         { return dotGeneric(x, y) }
func axpyImpl(_ Impl, alpha float32, x, y []float32) { axpyGeneric(alpha, x, y) }
func scaleImpl(_ Impl, alpha float32, x []float32)   { scaleGeneric(alpha, x) }
func sumSqImpl(_ Impl, x []float32) float32          { return sumSqGeneric(x) }
