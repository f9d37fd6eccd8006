package nn

import (
	"errors"
	"fmt"

	"github.com/scorekit/scorekit/f32"
)

func (m *Model) checkBatch(method string, dst, x []float32, per int) int {
	d := m.cfg.Dim
	if len(x)%d != 0 || len(dst) != len(x)/d*per {
		panic(fmt.Sprintf("nn: Model.%s: d = %d but len(x) = %d and len(dst) = %d", method, d, len(x), len(dst)))
	}
	return len(x) / d
}

// unbuiltWhy says why m cannot be used — it is nil, or the zero Model
// (no layers, dimension 0), not one New, Load or FromTensors made — or
// returns "".
func (m *Model) unbuiltWhy() string {
	switch {
	case m == nil:
		return "nil *Model: build it with nn.New or nn.Load (did it return an error?)"
	case len(m.layers) == 0:
		return "zero Model: build it with nn.New or nn.Load"
	}
	return ""
}

// mustBeBuilt panics, naming where (a method, "Model.Score", or a loss's
// Grad), unless m was built (see unbuiltWhy): the zero Model failed with
// an integer division by zero (its dimension is 0), a nil one with a nil
// dereference.
func (m *Model) mustBeBuilt(where string) {
	if m == nil || len(m.layers) == 0 {
		panic("nn: " + where + ": " + m.unbuiltWhy())
	}
}

// mustServe panics with CheckMethod's error unless the model serves
// method.
func (m *Model) mustServe(method string) {
	if err := m.CheckMethod(method); err != nil {
		panic(err.Error())
	}
}

func (m *Model) condMethod() string {
	switch m.cfg.Cond {
	case CondSigma, CondLogSigma:
		return "NoiseScore"
	case CondTime:
		return "TimeScore"
	}
	return "Score"
}

// CheckMethod returns nil if the model serves the method of that name —
// "Score" and "LogDensity" (an energy model) if it is unconditional,
// "NoiseScore" if it is conditioned on σ or log σ, "TimeScore" if on t
// (and, with ScaleBySigma, has a perturbation: see [Model.SetPerturbation])
// — and otherwise an error that names the method to call instead. The
// samplers ask it (sampler.MethodChecker), so that a model of the wrong
// kind is refused when the sampler is made, not by a panic at its first
// step.
func (m *Model) CheckMethod(name string) error {
	if why := m.unbuiltWhy(); why != "" {
		return errors.New("nn: Model.CheckMethod: " + why)
	}
	var ok bool
	switch name {
	case "Score":
		ok = m.cfg.Cond == CondNone
	case "LogDensity":
		if !m.cfg.Energy {
			return fmt.Errorf("nn: a score model (Config.Energy false) has no LogDensity: only energy models know log p")
		}
		if m.cfg.Cond != CondNone {
			return fmt.Errorf("nn: an energy model with conditioning %v has no LogDensity; call Energy with the conditioning value", m.cfg.Cond)
		}
		ok = true
	case "NoiseScore":
		ok = m.cfg.Cond == CondSigma || m.cfg.Cond == CondLogSigma
	case "TimeScore":
		ok = m.cfg.Cond == CondTime
		if why := m.pertWhy(); ok && why != "" {
			return fmt.Errorf("nn: Model.TimeScore: %s", why)
		}
	default:
		return fmt.Errorf("nn: a model has no method %q", name)
	}
	if !ok {
		return fmt.Errorf("nn: a model with conditioning %v has no %s; it serves %s", m.cfg.Cond, name, m.condMethod())
	}
	return nil
}

// Score sets dst to s(x) for the n = len(x)/d points of x (n×d,
// row-major); len(dst) == len(x). The model must be unconditional. Safe
// for concurrent use; no allocations in steady state.
func (m *Model) Score(dst, x []float32) {
	m.mustBeBuilt("Model.Score")
	n := m.checkBatch("Score", dst, x, m.cfg.Dim)
	if m.cfg.Cond != CondNone { // CheckMethod("Score"), without its switch
		m.mustServe("Score")
	}
	m.score(dst, x, n, 0, 1)
}

// NoiseScore sets dst to s(x, σ) for the points of x, for a σ-conditional
// model. It panics, naming σ, unless σ is finite, and, for log σ
// conditioning, positive, and, with ScaleBySigma (which divides the
// output by σ), at least MinSigma (1.2e-38, whose reciprocal is finite in
// float32): it returns no scores that such a σ would make infinite or
// NaN. (The denoising losses train at most at MaxSigma; a model can be
// evaluated beyond.) Safe for concurrent use; no allocations in steady
// state.
func (m *Model) NoiseScore(dst, x []float32, sigma float32) {
	m.mustBeBuilt("Model.NoiseScore")
	n := m.checkBatch("NoiseScore", dst, x, m.cfg.Dim)
	m.mustServe("NoiseScore")
	m.score(dst, x, n, sigma, m.mustCond("NoiseScore", sigma, true))
}

// TimeScore sets dst to s(x, t) for the points of x, for a
// time-conditional model. It panics, naming t, unless t is finite, and,
// with ScaleBySigma (which divides the output by the std σ(t) of the
// model's perturbation), unless [Model.SetPerturbation] was called and
// σ(t) is from MinSigma to MaxFloat32, where 1/σ(t) is finite and not 0
// in float32. Safe for concurrent use; no
// allocations in steady state.
func (m *Model) TimeScore(dst, x []float32, t float32) {
	m.mustBeBuilt("Model.TimeScore")
	n := m.checkBatch("TimeScore", dst, x, m.cfg.Dim)
	m.mustServe("TimeScore")
	m.score(dst, x, n, t, m.mustCond("TimeScore", t, true))
}

// LogDensity sets dst[i] = −E(x_i) = log p(x_i) + const for the n points
// of x; len(dst) = n. Only an unconditional energy model knows log p (a
// conditional one is asked through Energy, with its conditioning value).
// Safe for concurrent use; no allocations in steady state.
func (m *Model) LogDensity(dst, x []float32) {
	m.mustBeBuilt("Model.LogDensity")
	m.checkBatch("LogDensity", dst, x, 1)
	m.mustServe("LogDensity")
	m.Energy(dst, x, 0)
	for i := range dst {
		dst[i] = -dst[i]
	}
}

// Energy sets dst[i] = E(x_i, c) for the points of x, for an energy model;
// c is the conditioning value (ignored by an unconditional model). It
// panics, naming c, unless c is finite, and, for log σ conditioning,
// positive (ScaleBySigma divides the score, not the energy, by σ). Safe
// for concurrent use.
func (m *Model) Energy(dst, x []float32, c float32) {
	m.mustBeBuilt("Model.Energy")
	n := m.checkBatch("Energy", dst, x, 1)
	if !m.cfg.Energy {
		panic("nn: Model.Energy on a score model (Config.Energy is false)")
	}
	m.mustCond("Energy", c, false)
	w := m.pool.Get()
	defer m.pool.Put(w)
	d := m.cfg.Dim
	chunk := m.chunk
	for i0 := 0; i0 < n; i0 += chunk {
		i1 := min(n, i0+chunk)
		if !w.sized(m, i1-i0) {
			w.prepare(m, i1-i0, 0)
		}
		m.setInput(w, x[i0*d:i1*d], true, c)
		m.forwardPrimal(w)
		out := w.a[len(m.layers)]
		for i := range i1 - i0 {
			dst[i0+i] = out.Data[i*out.Stride]
		}
	}
}

// sized reports whether w was last prepared for n points of m and no
// tangents. prepare depends on nothing else, so calling it again would
// change nothing: the latency path (a sampler scoring one chain per call)
// skips it.
func (w *work) sized(m *Model, n int) bool {
	return w.n == n && w.k == 0 && len(w.a) == len(m.layers)+1 && w.a[0].Rows == n
}

// forwardPrimal is m.forward(w, false) on a workspace without tangents,
// for inference: the stacked matrices hold the primal rows alone, so each
// layer reads and writes them whole, with no pre-activations kept (the
// latency path: no slicing, no copy of the last layer's output).
func (m *Model) forwardPrimal(w *work) {
	for l := range m.layers {
		m.layers[l].dense.Forward(w.a[l+1], f32.Matrix{}, w.a[l])
	}
}

// score computes the score of the n points of x (checkBatch's) at
// conditioning value c over chunks, the net's output (or −∇ₓE)
// multiplied by scale (mustCond's).
func (m *Model) score(dst, x []float32, n int, c, scale float32) {
	w := m.pool.Get()
	defer m.pool.Put(w)
	d := m.cfg.Dim
	L := len(m.layers)
	chunk := m.chunk
	for i0 := 0; i0 < n; i0 += chunk {
		i1 := min(n, i0+chunk)
		if !w.sized(m, i1-i0) {
			w.prepare(m, i1-i0, 0)
		}
		m.setInput(w, x[i0*d:i1*d], true, c)
		out := dst[i0*d : i1*d]
		if !m.cfg.Energy {
			m.forwardPrimal(w)
			y := w.a[L]
			for i := range i1 - i0 {
				row := y.Data[i*y.Stride : i*y.Stride+d]
				for j, v := range row {
					out[i*d+j] = scale * v
				}
			}
			continue
		}
		// s = −∇ₓE: forward with σ', then back to the input.
		m.forward(w, true)
		g := w.g[L]
		for i := range i1 - i0 {
			g.Data[i*g.Stride] = 1
		}
		m.backward(w, nil, true)
		g0 := w.g[0]
		for i := range i1 - i0 {
			row := g0.Data[i*g0.Stride : i*g0.Stride+d]
			for j, v := range row {
				out[i*d+j] = -scale * v
			}
		}
	}
}
