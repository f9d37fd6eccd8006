//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// The amd64 random-number kernels, chosen by a switch (see the group
// kernels in rng.go). They follow the generic code operation by operation
// (see gen/amd64/rng), so every output is the same bits as generic's.

func keys(rk *roundKeys) *[20]uint32 { return (*[20]uint32)(rk) }

func rngUint32s(i Impl, dst []uint32, rk *roundKeys, id, g uint64) {
	switch i {
	case AVX512:
		asm.PhiloxUint32sAVX512(dst, keys(rk), uint32(id), uint32(id>>32), g)
	case AVX2:
		asm.PhiloxUint32sAVX2(dst, keys(rk), uint32(id), uint32(id>>32), g)
	case Generic:
		uint32sGeneric(dst, rk, id, g)
	default:
		panic(noAsm("rngUint32s", i))
	}
}

func rngUniforms(i Impl, dst []float32, rk *roundKeys, id, g uint64) {
	switch i {
	case AVX512:
		asm.PhiloxUniformsAVX512(dst, keys(rk), uint32(id), uint32(id>>32), g)
	case AVX2:
		asm.PhiloxUniformsAVX2(dst, keys(rk), uint32(id), uint32(id>>32), g)
	case Generic:
		uniformsGeneric(dst, rk, id, g)
	default:
		panic(noAsm("rngUniforms", i))
	}
}

func rngNormals(i Impl, dst []float32, rk *roundKeys, id, g uint64) {
	switch i {
	case AVX512:
		asm.PhiloxNormalsAVX512(dst, keys(rk), uint32(id), uint32(id>>32), g)
	case AVX2:
		asm.PhiloxNormalsAVX2(dst, keys(rk), uint32(id), uint32(id>>32), g)
	case Generic:
		normalsGeneric(dst, rk, id, g)
	default:
		panic(noAsm("rngNormals", i))
	}
}

func rngLangevin(i Impl, a, b float32, x, grad []float32, rk *roundKeys, id, g uint64) {
	switch i {
	case AVX512:
		asm.PhiloxLangevinAVX512(a, b, x, grad, keys(rk), uint32(id), uint32(id>>32), g)
	case AVX2:
		asm.PhiloxLangevinAVX2(a, b, x, grad, keys(rk), uint32(id), uint32(id>>32), g)
	case Generic:
		langevinStepGeneric(a, b, x, grad, rk, id, g)
	default:
		panic(noAsm("rngLangevin", i))
	}
}

func rngMALA(i Impl, h, sq float32, xp, x, grad []float32, rk *roundKeys, id, g uint64) float32 {
	switch i {
	case AVX512:
		return asm.PhiloxMALAAVX512(h, sq, xp, x, grad, keys(rk), uint32(id), uint32(id>>32), g)
	case AVX2:
		return asm.PhiloxMALAAVX2(h, sq, xp, x, grad, keys(rk), uint32(id), uint32(id>>32), g)
	case Generic:
		return malaProposeGeneric(h, sq, xp, x, grad, rk, id, g)
	default:
		panic(noAsm("rngMALA", i))
	}
}

func rngKineticO(i Impl, c1, c2 float32, v []float32, rk *roundKeys, id, g uint64) {
	switch i {
	case AVX512:
		asm.PhiloxKineticOAVX512(c1, c2, v, keys(rk), uint32(id), uint32(id>>32), g)
	case AVX2:
		asm.PhiloxKineticOAVX2(c1, c2, v, keys(rk), uint32(id), uint32(id>>32), g)
	case Generic:
		kineticOGeneric(c1, c2, v, rk, id, g)
	default:
		panic(noAsm("rngKineticO", i))
	}
}

func rngMALAReverse(i Impl, h float32, x, xp, gradp []float32) float32 {
	switch i {
	case AVX512:
		return asm.MALAReverseAVX512(h, x, xp, gradp)
	case AVX2:
		return asm.MALAReverseAVX2(h, x, xp, gradp)
	case Generic:
		return malaReverseGeneric(h, x, xp, gradp)
	default:
		panic(noAsm("rngMALAReverse", i))
	}
}
