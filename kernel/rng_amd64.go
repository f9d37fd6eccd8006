//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// rngArch returns the amd64 random-number kernels. They follow the generic
// code operation by operation (see gen/amd64/rng), so every output is the
// same bits as generic's.
func rngArch() (t [numImpls]*rngFuncs) {
	t[AVX2] = &rngFuncs{
		uint32s: func(dst []uint32, rk *roundKeys, id, g uint64) {
			asm.PhiloxUint32sAVX2(dst, (*[20]uint32)(rk), id, g)
		},
		uniforms: func(dst []float32, rk *roundKeys, id, g uint64) {
			asm.PhiloxUniformsAVX2(dst, (*[20]uint32)(rk), id, g)
		},
		normals: func(dst []float32, rk *roundKeys, id, g uint64) {
			asm.PhiloxNormalsAVX2(dst, (*[20]uint32)(rk), id, g)
		},
		langevin: func(a, b float32, x, grad []float32, rk *roundKeys, id, g uint64) {
			asm.PhiloxLangevinAVX2(a, b, x, grad, (*[20]uint32)(rk), id, g)
		},
		mala: func(h, sq float32, xp, x, grad []float32, rk *roundKeys, id, g uint64) float32 {
			return asm.PhiloxMALAAVX2(h, sq, xp, x, grad, (*[20]uint32)(rk), id, g)
		},
		kineticO: func(c1, c2 float32, v []float32, rk *roundKeys, id, g uint64) {
			asm.PhiloxKineticOAVX2(c1, c2, v, (*[20]uint32)(rk), id, g)
		},
		malaRev: asm.MALAReverseAVX2,
	}
	t[AVX512] = &rngFuncs{
		uint32s: func(dst []uint32, rk *roundKeys, id, g uint64) {
			asm.PhiloxUint32sAVX512(dst, (*[20]uint32)(rk), id, g)
		},
		uniforms: func(dst []float32, rk *roundKeys, id, g uint64) {
			asm.PhiloxUniformsAVX512(dst, (*[20]uint32)(rk), id, g)
		},
		normals: func(dst []float32, rk *roundKeys, id, g uint64) {
			asm.PhiloxNormalsAVX512(dst, (*[20]uint32)(rk), id, g)
		},
		langevin: func(a, b float32, x, grad []float32, rk *roundKeys, id, g uint64) {
			asm.PhiloxLangevinAVX512(a, b, x, grad, (*[20]uint32)(rk), id, g)
		},
		mala: func(h, sq float32, xp, x, grad []float32, rk *roundKeys, id, g uint64) float32 {
			return asm.PhiloxMALAAVX512(h, sq, xp, x, grad, (*[20]uint32)(rk), id, g)
		},
		kineticO: func(c1, c2 float32, v []float32, rk *roundKeys, id, g uint64) {
			asm.PhiloxKineticOAVX512(c1, c2, v, (*[20]uint32)(rk), id, g)
		},
		malaRev: asm.MALAReverseAVX512,
	}
	return t
}
