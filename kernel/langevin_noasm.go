//go:build !(amd64 || arm64) || !gc || purego

package kernel

// langevinImpl runs the portable Langevin update: this build has no
// assembly.
func langevinImpl(_ Impl, a, b float32, x, s, z []float32) {
	langevinUpdateGeneric(a, b, x, s, z)
}
