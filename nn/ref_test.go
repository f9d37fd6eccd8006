package nn

import (
	"math"

	"github.com/scorekit/scorekit/kernel"
)

// A float64 reference for the network and the losses, written
// independently of the float32 passes: per point, the Jacobian is the
// product W_L·D_{L−1}·…·D_1·W_1 of float64 matrices.

func act64(a kernel.Activation, x float64) float64 {
	switch a {
	case kernel.ReLU:
		return math.Max(x, 0)
	case kernel.LeakyReLU:
		if x > 0 {
			return x
		}
		return 0.01 * x
	case kernel.Tanh:
		return math.Tanh(x)
	case kernel.Sigmoid:
		return sigmoid64(x)
	case kernel.SiLU:
		return x * sigmoid64(x)
	case kernel.Softplus:
		return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
	case kernel.ELU:
		if x > 0 {
			return x
		}
		return math.Expm1(x)
	case kernel.GELU:
		return 0.5 * x * (1 + math.Tanh(0.7978845608028654*(x+0.044715*x*x*x)))
	}
	return x
}

func dact64(a kernel.Activation, x float64) float64 {
	switch a {
	case kernel.ReLU:
		if x > 0 {
			return 1
		}
		return 0
	case kernel.LeakyReLU:
		if x > 0 {
			return 1
		}
		return 0.01
	case kernel.Tanh:
		t := math.Tanh(x)
		return 1 - t*t
	case kernel.Sigmoid, kernel.Softplus:
		s := sigmoid64(x)
		if a == kernel.Softplus {
			return s
		}
		return s * (1 - s)
	case kernel.SiLU:
		s := sigmoid64(x)
		return s + x*s*(1-s)
	case kernel.ELU:
		if x > 0 {
			return 1
		}
		return math.Exp(x)
	case kernel.GELU:
		const c = 0.7978845608028654
		u := c * (x + 0.044715*x*x*x)
		t := math.Tanh(u)
		return 0.5*(1+t) + 0.5*x*(1-t*t)*c*(1+3*0.044715*x*x)
	}
	return 1
}

type ref struct {
	m      *Model
	widths []int
	acts   []kernel.Activation
}

func newRef(m *Model) ref {
	r := ref{m: m, widths: m.widths}
	for _, ly := range m.layers {
		r.acts = append(r.acts, ly.act)
	}
	return r
}

// eval returns y = net(θ, in) and J = ∂y/∂x (out×d, row-major).
func (r ref) eval(theta []float64, in []float64) (y, jac []float64) {
	d := r.m.cfg.Dim
	a := append([]float64(nil), in...)
	// jac: width×d, starting as the identity on the x columns.
	jac = make([]float64, len(in)*d)
	for j := range d {
		jac[j*d+j] = 1
	}
	off := 0
	for l := 1; l < len(r.widths); l++ {
		nin, nout := r.widths[l-1], r.widths[l]
		w := theta[off : off+nin*nout]
		b := theta[off+nin*nout : off+nin*nout+nout]
		off += nin*nout + nout
		z := make([]float64, nout)
		nj := make([]float64, nout*d)
		for o := range nout {
			s := b[o]
			for i := range nin {
				s += w[o*nin+i] * a[i]
				for j := range d {
					nj[o*d+j] += w[o*nin+i] * jac[i*d+j]
				}
			}
			z[o] = s
		}
		act := r.acts[l-1]
		for o := range nout {
			dz := dact64(act, z[o])
			for j := range d {
				nj[o*d+j] *= dz
			}
			z[o] = act64(act, z[o])
		}
		a, jac = z, nj
	}
	return a, jac
}

// input returns the net input for point x at conditioning value c.
func (r ref) input(x []float64, c float32) []float64 {
	d := r.m.cfg.Dim
	in := make([]float64, r.widths[0])
	copy(in, x)
	feat := make([]float32, r.m.cfg.condWidth())
	r.m.features(feat, c)
	for i, f := range feat {
		in[d+i] = float64(f)
	}
	return in
}

// score returns s and ∇ₓs (d×d) at x, c: for an energy net s = −scale·Jᵀ
// and its Jacobian by central differences of the reference itself is not
// needed (energy nets only enter DSM).
func (r ref) score(theta []float64, x []float64, c float32) (s, js []float64) {
	d := r.m.cfg.Dim
	sc := 1.0
	switch {
	case r.m.sigmaScaled():
		sc = 1 / float64(c)
	case r.m.timeScaled():
		_, std := r.m.pert.Marginal(float64(c))
		sc = 1 / std
	}
	y, jac := r.eval(theta, r.input(x, c))
	if r.m.cfg.Energy {
		s = make([]float64, d)
		for j := range d {
			s[j] = -sc * jac[j]
		}
		return s, nil
	}
	s = make([]float64, d)
	js = make([]float64, d*d)
	for j := range d {
		s[j] = sc * y[j]
	}
	for i := range jac {
		js[i] = sc * jac[i]
	}
	return s, js
}

func theta64(m *Model) []float64 {
	t := make([]float64, len(m.params))
	for i, p := range m.params {
		t[i] = float64(p)
	}
	return t
}
