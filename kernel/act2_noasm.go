//go:build !(amd64 || arm64) || !gc || purego

package kernel

// actDeriv2Impl runs the portable second derivatives: this build has no
// assembly.
func actDeriv2Impl(_ Impl, a Activation, dst, x []float32) { actDeriv2Generic(a, dst, x) }
