//go:build gc && !purego

package kernel

// denseNarrowAsm reports whether i has an assembly DenseNarrow: there is
// no NEON kernel (f32 runs such layers through the GEMM microkernel).
func denseNarrowAsm(Impl) bool { return false }

// denseNarrowImpl runs the portable DenseNarrow on NEON as on generic,
// by name, so that an implementation added without a case still panics.
func denseNarrowImpl(i Impl, m, n, k int, x []float32, ldx int, w []float32, ldw int, bias, z []float32, ldz int) {
	switch i {
	case NEON, Generic:
		denseNarrowGeneric(m, n, k, x, ldx, w, ldw, bias, z, ldz)
	default:
		panic(noAsm("denseNarrowImpl", i))
	}
}
