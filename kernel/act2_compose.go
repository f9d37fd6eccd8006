//go:build amd64 && gc && !purego

package kernel

// Second derivatives composed from an implementation's own activation
// kernels (tanh, σ', tanh', elu') over chunks, with the remaining
// arithmetic done element by element in Go exactly as the generic
// functions do it. Those kernels agree with the generic ones to the bit,
// so the compositions do too, at a fraction of the generic cost.

// act2Chunk is the number of elements composed at a time.
const act2Chunk = 256

// actDeriv2Compose sets dst = f″(x) for the activation a by composing
// i's activation kernels (actImpl, actDerivImpl), two chunks of scratch
// on the stack: the kernels are called directly, so the scratch does not
// escape. dst may be x. The lengths are checked.
func actDeriv2Compose(i Impl, a Activation, dst, x []float32) {
	switch a {
	case Identity, ReLU, LeakyReLU:
		actDeriv2Generic(a, dst, x)
		return
	case Softplus:
		actDerivImpl(i, Sigmoid, dst, x) // softplus″ = σ′
		return
	}
	var t, s [act2Chunk]float32
	for len(x) > 0 {
		n := min(len(x), act2Chunk)
		composeChunk(i, a, t[:n], s[:n], dst[:n], x[:n])
		dst, x = dst[n:], x[n:]
	}
}

// composeChunk is actDeriv2Compose on one chunk, with scratch t and s of
// the chunk's length. Each element of dst is written after its x is
// last read, so dst may be x.
func composeChunk(i Impl, a Activation, t, s, dst, x []float32) {
	switch a {
	case Sigmoid: // −σ′(x)·tanh(x/2)
		for k, v := range x {
			t[k] = v * 0.5
		}
		actImpl(i, Tanh, t, t)
		actDerivImpl(i, Sigmoid, s, x)
		for k := range dst {
			dst[k] = -s[k] * t[k]
		}
	case Tanh: // −2·tanh·tanh′
		actImpl(i, Tanh, t, x)
		actDerivImpl(i, Tanh, s, x)
		for k := range dst {
			dst[k] = -2 * t[k] * s[k]
		}
	case SiLU: // σ′·(2 − x·tanh(x/2))
		for k, v := range x {
			t[k] = v * 0.5
		}
		actImpl(i, Tanh, t, t)
		actDerivImpl(i, Sigmoid, s, x)
		for k, v := range x {
			if s[k] == 0 {
				dst[k] = 0
				continue
			}
			dst[k] = s[k] * fma32(-v, t[k], 2)
		}
	case ELU: // eˣ = elu′(x) for x ≤ 0, 0 above
		actDerivImpl(i, ELU, s, x)
		for k, v := range x {
			if v > 0 {
				s[k] = 0
			}
		}
		copy(dst, s)
	case GELU: // σ′(v)·(2v′ + x·v″ − x·v′²·tanh(v/2)), v = 2u(x)
		for k, v := range x {
			t[k] = geluArg(v)
		}
		actDerivImpl(i, Sigmoid, s, t)
		for k, v := range t {
			t[k] = v * 0.5
		}
		actImpl(i, Tanh, t, t)
		for k, v := range x {
			if s[k] == 0 {
				dst[k] = 0
				continue
			}
			x2 := v * v
			dv := fma32(3*geluK2, x2, geluC2)
			ddv := 6 * geluK2 * v
			q := fma32(v, ddv, 2*dv)
			q = fma32(-v*dv*dv, t[k], q)
			dst[k] = s[k] * q
		}
	default:
		panic(noKernel("ActDeriv2", i, a))
	}
}
