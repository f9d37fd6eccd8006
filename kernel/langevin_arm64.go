//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// langevinImpl runs i's Langevin update (gen/arm64/langevin), which
// follows langevinUpdateGeneric operation by operation. The lengths are
// checked.
func langevinImpl(i Impl, a, b float32, x, s, z []float32) {
	switch i {
	case NEON:
		asm.LangevinUpdateNEON(a, b, x, s, z)
	case Generic:
		langevinUpdateGeneric(a, b, x, s, z)
	default:
		panic(noAsm("langevinImpl", i))
	}
}
