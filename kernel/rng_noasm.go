//go:build !(amd64 || arm64) || !gc || purego

package kernel

// Without assembly the random-number kernels run their generic
// implementation (see the group kernels in rng.go).

func rngUint32s(_ Impl, dst []uint32, rk *roundKeys, id, g uint64) { uint32sGeneric(dst, rk, id, g) }

func rngUniforms(_ Impl, dst []float32, rk *roundKeys, id, g uint64) {
	uniformsGeneric(dst, rk, id, g)
}

func rngNormals(_ Impl, dst []float32, rk *roundKeys, id, g uint64) { normalsGeneric(dst, rk, id, g) }

func rngLangevin(_ Impl, a, b float32, x, grad []float32, rk *roundKeys, id, g uint64) {
	langevinStepGeneric(a, b, x, grad, rk, id, g)
}

func rngMALA(_ Impl, h, sq float32, xp, x, grad []float32, rk *roundKeys, id, g uint64) float32 {
	return malaProposeGeneric(h, sq, xp, x, grad, rk, id, g)
}

func rngKineticO(_ Impl, c1, c2 float32, v []float32, rk *roundKeys, id, g uint64) {
	kineticOGeneric(c1, c2, v, rk, id, g)
}

func rngMALAReverse(_ Impl, h float32, x, xp, gradp []float32) float32 {
	return malaReverseGeneric(h, x, xp, gradp)
}
