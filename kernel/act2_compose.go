package kernel

import "sync"

// Second derivatives composed from an implementation's own activation
// kernels (tanh, σ', tanh', elu') over chunks, with the remaining
// arithmetic done element by element in Go exactly as the generic
// functions do it. Those kernels agree with the generic ones to the bit,
// so the compositions do too, at a fraction of the generic cost.

// act2Chunk is the number of elements composed at a time.
const act2Chunk = 256

// act2Bufs are the scratch buffers of one composition.
type act2Bufs struct{ h, t, s [act2Chunk]float32 }

var act2Pool = sync.Pool{New: func() any { return new(act2Bufs) }}

// composeAct2 returns the second-derivative kernels of the implementation
// whose activation kernels are f.
func composeAct2(f *actFuncs) *act2Funcs {
	tanh, tanhD, sigD, eluD := f.fn[Tanh], f.d1[Tanh], f.d1[Sigmoid], f.d1[ELU]
	chunks := func(body func(b *act2Bufs, dst, x []float32)) func(dst, x []float32) {
		return func(dst, x []float32) {
			b := act2Pool.Get().(*act2Bufs)
			for len(x) > 0 {
				n := min(len(x), act2Chunk)
				body(b, dst[:n], x[:n])
				dst, x = dst[n:], x[n:]
			}
			act2Pool.Put(b)
		}
	}
	return &act2Funcs{d2: [numActs]func(dst, x []float32){
		Softplus: sigD,
		Sigmoid: chunks(func(b *act2Bufs, dst, x []float32) {
			n := len(x)
			h, t, s := b.h[:n], b.t[:n], b.s[:n]
			for i, v := range x {
				h[i] = v * 0.5
			}
			tanh(t, h)
			sigD(s, x)
			for i := range dst {
				dst[i] = -s[i] * t[i]
			}
		}),
		Tanh: chunks(func(b *act2Bufs, dst, x []float32) {
			n := len(x)
			t, s := b.t[:n], b.s[:n]
			tanh(t, x)
			tanhD(s, x)
			for i := range dst {
				dst[i] = -2 * t[i] * s[i]
			}
		}),
		SiLU: chunks(func(b *act2Bufs, dst, x []float32) {
			n := len(x)
			h, t, s := b.h[:n], b.t[:n], b.s[:n]
			for i, v := range x {
				h[i] = v * 0.5
			}
			tanh(t, h)
			sigD(s, x)
			for i, v := range x {
				if s[i] == 0 {
					dst[i] = 0
					continue
				}
				dst[i] = s[i] * fma32(-v, t[i], 2)
			}
		}),
		ELU: chunks(func(b *act2Bufs, dst, x []float32) {
			eluD(dst, x)
			for i, v := range x {
				if v > 0 {
					dst[i] = 0
				}
			}
		}),
		GELU: chunks(func(b *act2Bufs, dst, x []float32) {
			n := len(x)
			h, t, s := b.h[:n], b.t[:n], b.s[:n]
			for i, v := range x {
				h[i] = geluArg(v)
			}
			sigD(s, h)
			for i, v := range h {
				t[i] = v * 0.5
			}
			tanh(t, t)
			for i, v := range x {
				if s[i] == 0 {
					dst[i] = 0
					continue
				}
				x2 := v * v
				dv := fma32(3*geluK2, x2, geluC2)
				ddv := 6 * geluK2 * v
				q := fma32(v, ddv, 2*dv)
				q = fma32(-v*dv*dv, t[i], q)
				dst[i] = s[i] * q
			}
		}),
	}}
}
