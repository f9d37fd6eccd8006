package nn

import (
	"math"

	"github.com/scorekit/scorekit/kernel"
)

// actDeriv2 sets dst[i] = f″(x[i]) for the activation f = a, in float64
// arithmetic rounded once to float32: deriv2From's fallback for GELU. It
// stands in for kernel.ActDeriv2, whose portable implementation (the only
// one so far) computes every fma in software and cost more than half of
// an exact score-matching step; TestActDeriv2 holds the two together.
// ReLU and leaky ReLU have f″ = 0 (almost everywhere); NaN gives NaN.
func actDeriv2(a kernel.Activation, dst, x []float32) {
	x = x[:len(dst)]
	switch a {
	case kernel.Identity, kernel.ReLU, kernel.LeakyReLU:
		for i, v := range x {
			dst[i] = v * 0 // 0, or NaN for NaN and ±Inf
			if v == v {
				dst[i] = 0
			}
		}
		return
	}
	for i, v := range x {
		dst[i] = float32(deriv2(a, float64(v)))
	}
}

func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// deriv2 is f″ in float64.
func deriv2(a kernel.Activation, x float64) float64 {
	switch a {
	case kernel.Tanh:
		t := math.Tanh(x)
		return -2 * t * (1 - t*t)
	case kernel.Sigmoid:
		s := sigmoid64(x)
		return s * (1 - s) * (1 - 2*s)
	case kernel.SiLU:
		// f' = s + x·s(1−s), f'' = s(1−s)(2 + x(1−2s)).
		s := sigmoid64(x)
		if math.IsInf(x, 0) {
			return 0
		}
		return s * (1 - s) * (2 + x*(1-2*s))
	case kernel.Softplus:
		s := sigmoid64(x)
		return s * (1 - s)
	case kernel.ELU:
		if x > 0 {
			return 0
		}
		return math.Exp(x)
	case kernel.GELU:
		// f = x·σ(v), v = x(c2 + k2x²): f'' = 2σ'(v)v' + x(σ''(v)v'² + σ'(v)v'').
		const c2, k2 = 2 * 0.7978845608028654, 2 * 0.7978845608028654 * 0.044715
		if math.IsInf(x, 0) {
			return 0
		}
		v := x * (c2 + k2*x*x)
		dv := c2 + 3*k2*x*x
		ddv := 6 * k2 * x
		s := sigmoid64(v)
		s1 := s * (1 - s)
		s2 := s1 * (1 - 2*s)
		return 2*s1*dv + x*(s2*dv*dv+s1*ddv)
	}
	return 0
}

// deriv2From sets d2 = f″(z) reusing what the forward pass already has:
// y = f(z) and d1 = f′(z), with tmp as scratch, so only SiLU and softplus
// need one more transcendental vector kernel (σ′) and none needs a scalar
// one, except GELU, which falls back to actDeriv2:
//
//	tanh      f″ = −2·y·d1
//	sigmoid   f″ = d1·(1 − 2y)
//	softplus  f″ = σ′(z)
//	silu      f″ = σ′(z)·(2 + z − 2y)  (= σ′(z)·(2 − z·(2σ(z) − 1)))
//	elu       f″ = d1 for z ≤ 0 (eᶻ), 0 above
//
// The products lose nothing to cancellation except where f″ crosses zero,
// where the error is absolute and below 1e-7.
func deriv2From(impl kernel.Impl, a kernel.Activation, d2, z, y, d1, tmp []float32) {
	n := len(d2)
	z, y, d1, tmp = z[:n], y[:n], d1[:n], tmp[:n]
	switch a {
	case kernel.Tanh:
		impl.Mul(d2, y, d1)
		impl.Scale(-2, d2) // exact: the same bits as (−2y)·d1
	case kernel.Sigmoid:
		for i := range d2 {
			d2[i] = d1[i] * (1 - 2*y[i])
		}
	case kernel.Softplus:
		impl.ActDeriv(kernel.Sigmoid, d2, z)
	case kernel.SiLU:
		// y = z·σ(z), so 2 − z(2σ − 1) = 2 + z − 2y: no σ(z) needed.
		impl.ActDeriv(kernel.Sigmoid, tmp, z)
		copy(d2, z)
		impl.Axpy(-2, y, d2) // z − 2y, rounded once
		impl.Mul(d2, d2, tmp)
		impl.Axpy(2, tmp, d2) // σ′·(z − 2y) + 2σ′
	case kernel.ELU:
		for i, v := range z {
			d2[i] = d1[i]
			if v > 0 {
				d2[i] = 0
			}
		}
	default:
		actDeriv2(a, d2, z)
	}
}
