package kernel

// LangevinUpdate performs one Langevin update in place with i's kernels:
// x ← x + a·s + b·z, where for the unadjusted Langevin algorithm with step
// h, s = ∇log p(x), a = h and b = √(2h), and z holds standard normals. It
// panics unless x, s and z have the same length.
//
//	for i := range x { x[i] = fma(b, z[i], fma(a, s[i], x[i])) }
//
// Two fused multiply-adds per element, in this order, in every
// implementation: all give the same bits.
func (i Impl) LangevinUpdate(a, b float32, x, s, z []float32) {
	if len(x) != len(s) || len(x) != len(z) {
		panicLen("LangevinUpdate", "len(x), len(s), len(z)", len(x), len(s), len(z))
	}
	i.must("LangevinUpdate")
	langevinImpl(i, a, b, x, s, z)
}

// LangevinUpdate performs x ← x + a·s + b·z in place; see
// [Impl.LangevinUpdate].
func LangevinUpdate(a, b float32, x, s, z []float32) { active.LangevinUpdate(a, b, x, s, z) }

func langevinUpdateGeneric(a, b float32, x, s, z []float32) {
	s = s[:len(x)]
	z = z[:len(x)]
	for i := range x {
		x[i] = fma32(b, z[i], fma32(a, s[i], x[i]))
	}
}
