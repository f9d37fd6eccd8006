//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// The arm64 random-number kernels, chosen by a switch (see the group
// kernels in rng.go). They follow the generic code operation by operation
// (see gen/arm64/rng), so every output is the same bits as generic's.

func keys(rk *roundKeys) *[20]uint32 { return (*[20]uint32)(rk) }

func rngUint32s(i Impl, dst []uint32, rk *roundKeys, id, g uint64) {
	if i == NEON {
		asm.PhiloxUint32sNEON(dst, keys(rk), uint32(id), uint32(id>>32), g)
		return
	}
	uint32sGeneric(dst, rk, id, g)
}

func rngUniforms(i Impl, dst []float32, rk *roundKeys, id, g uint64) {
	if i == NEON {
		asm.PhiloxUniformsNEON(dst, keys(rk), uint32(id), uint32(id>>32), g)
		return
	}
	uniformsGeneric(dst, rk, id, g)
}

func rngNormals(i Impl, dst []float32, rk *roundKeys, id, g uint64) {
	if i == NEON {
		asm.PhiloxNormalsNEON(dst, keys(rk), uint32(id), uint32(id>>32), g)
		return
	}
	normalsGeneric(dst, rk, id, g)
}

func rngLangevin(i Impl, a, b float32, x, grad []float32, rk *roundKeys, id, g uint64) {
	if i == NEON {
		asm.PhiloxLangevinNEON(a, b, x, grad, keys(rk), uint32(id), uint32(id>>32), g)
		return
	}
	langevinStepGeneric(a, b, x, grad, rk, id, g)
}

func rngMALA(i Impl, h, sq float32, xp, x, grad []float32, rk *roundKeys, id, g uint64) float32 {
	if i == NEON {
		return asm.PhiloxMALANEON(h, sq, xp, x, grad, keys(rk), uint32(id), uint32(id>>32), g)
	}
	return malaProposeGeneric(h, sq, xp, x, grad, rk, id, g)
}

func rngKineticO(i Impl, c1, c2 float32, v []float32, rk *roundKeys, id, g uint64) {
	if i == NEON {
		asm.PhiloxKineticONEON(c1, c2, v, keys(rk), uint32(id), uint32(id>>32), g)
		return
	}
	kineticOGeneric(c1, c2, v, rk, id, g)
}

func rngMALAReverse(i Impl, h float32, x, xp, gradp []float32) float32 {
	if i == NEON {
		return asm.MALAReverseNEON(h, x, xp, gradp)
	}
	return malaReverseGeneric(h, x, xp, gradp)
}
