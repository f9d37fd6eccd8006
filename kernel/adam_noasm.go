//go:build !(amd64 || arm64) || !gc || purego

package kernel

// adamImpl runs the portable Adam update: this build has no assembly.
func adamImpl(_ Impl, c AdamCoef, params, grad, m, v []float32) {
	adamGeneric(c, params, grad, m, v)
}
