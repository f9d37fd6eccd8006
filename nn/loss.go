package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/scorekit/scorekit/internal/nilness"
)

// Loss is a score-matching objective. Grad draws the loss's noise from
// rng, evaluates the mean loss over the batch x (n×d, row-major) and adds
// its exact gradient with respect to m.Params() to grad. It reuses the
// model's training workspace: no allocations in steady state, not safe
// for concurrent use on one model.
//
// Accuracy (TestLossGrad, every loss × every activation): the loss agrees
// with an independent float64 evaluation to 1e-5 relative and the
// gradient with central finite differences of it to ‖Δ‖/‖∇‖ ≤ 5e-6
// (measured ≤ 3e-7). Gradients flow through the score's Jacobian by the
// reverse of the forward-mode tangent pass (σ″ enters there).
//
// Cost: DSM is one forward and one backward pass; sliced losses carry k
// tangents (k+1 times the rows), exact score matching d tangents. Exact
// score matching skips what its basis tangents make zero: the first
// layer's tangent products (columns of W, and row sums for its gradient)
// and all of the last layer's except the trace's diagonal, so its hidden
// layers' GEMMs over (d+1)·n rows are nearly all of its work.
type Loss interface {
	Grad(m *Model, x []float32, rng *rand.Rand, grad []float32) float64
}

// Perturbation is a forward noising process: x_t | x_0 ~
// N(meanScale·x_0, std²I). The sampler package's VE, VP and sub-VP SDEs
// satisfy it. Marginal must be a pure function of t, safe for concurrent
// use: a time-conditional ScaleBySigma model's TimeScore, which is, calls
// it on every call (see [Model.SetPerturbation]).
type Perturbation interface {
	Marginal(t float64) (meanScale, std float64)
}

func (m *Model) trainWork() *work {
	if m.train == nil {
		m.train = new(work)
	}
	m.train.workers = m.workers
	return m.train
}

func checkGrad(name string, m *Model, x, grad []float32) int {
	m.mustBeBuilt(name + ".Grad")
	d := m.cfg.Dim
	if len(x)%d != 0 || len(x) == 0 || len(grad) != len(m.params) {
		panic(fmt.Sprintf("nn: %s.Grad: d = %d, %d parameters, but len(x) = %d and len(grad) = %d", name, d, len(m.params), len(x), len(grad)))
	}
	return len(x) / d
}

// MinSigma and MaxSigma bound the noise levels σ the denoising losses
// (DSM, NCDSM, ContinuousDSM) train at. Below MinSigma, the smallest
// normal float32, 1/σ may overflow float32 (1/MinSigma is 8.5e37; the
// target z/σ and the ScaleBySigma output net/σ divide by σ). Above
// MaxSigma = 2⁶³ ≈ 9.2e18, σ² may overflow float32: the network sees
// inputs x + σz of size σ, so at initialisation its outputs grow as σ
// and the gradients of its weights as σ² (and NCDSM weights its levels
// by σ² too); σ² ≤ 2¹²⁶ leaves float32 a factor of 4. Measured with the
// command's default network on moons: DSM and NCDSM train at 9.2e18 and
// give a NaN loss from 1e22 (DSM 1e25) up. ContinuousDSM with a
// model whose time-conditional output is not divided by σ(t) weights by
// σ² a score that grows as σ: its gradients grow as σ³, and the same
// network gave a NaN loss from σ(1) = 1e12 up (1e10 trained). With
// Config.ScaleBySigma, which divides it by σ(t), its losses stay finite at
// 1e12, 1e15 and 1e18 (200 steps); they are still of order σ² there, as
// the inputs x + σz of size σ give outputs of that size. Evaluating a
// model asks less: see [Model.NoiseScore].
const MinSigma, MaxSigma = 0x1p-126, 0x1p63

// sigmaWhy says why s cannot be a noise level of the denoising losses,
// or returns "".
func sigmaWhy(s float64) string {
	switch {
	case !(s > 0) || math.IsInf(s, 1):
		return "want a finite σ > 0"
	case s < MinSigma:
		return "want σ ≥ 1.2e-38, whose 1/σ is finite in float32"
	case s > MaxSigma:
		return "want σ ≤ 9.2e+18, whose σ² is finite in float32 (the gradients grow as σ²)"
	}
	return ""
}

// condName is the name of the model's conditioning value in messages.
func (m *Model) condName() string {
	if m.cfg.Cond == CondTime {
		return "t"
	}
	return "σ"
}

// condWhy says why the model cannot take c as its conditioning value, or
// returns "" (see condScale).
func (m *Model) condWhy(c float32, score bool) string {
	_, why := m.condScale(c, score)
	return why
}

// condScale says why the model cannot take c as its conditioning value,
// or returns "" and the factor its scores at c are multiplied by: it
// takes a finite t or σ; for log σ conditioning a σ > 0; and if score (a
// score, which ScaleBySigma divides, not an energy), with ScaleBySigma and
// σ conditioning a σ ≥ MinSigma, whose 1/σ is finite in float32 (the
// factor), and with ScaleBySigma and time conditioning a perturbation
// (pertWhy) whose σ(t) at c is from MinSigma to MaxFloat32 (stdScale, the
// factor, from one call of Marginal). The factor is 1 otherwise. An
// unconditional model ignores c.
func (m *Model) condScale(c float32, score bool) (float32, string) {
	v := float64(c)
	finite := !math.IsNaN(v) && !math.IsInf(v, 0)
	scaled := score && m.sigmaScaled()
	switch {
	case m.cfg.Cond == CondNone:
	case scaled && (!(v > 0) || !finite):
		return 0, "want a finite σ > 0 (the model divides its output by σ)"
	case scaled && v < MinSigma:
		return 0, "want σ ≥ 1.2e-38, whose 1/σ is finite in float32 (the model divides its output by σ)"
	case m.cfg.Cond == CondLogSigma && (!(v > 0) || !finite):
		return 0, "want a finite σ > 0 (the model takes log σ)"
	case !finite:
		return 0, "want a finite " + m.condName()
	case scaled:
		return 1 / c, ""
	case score && m.timeScaled():
		if why := m.pertWhy(); why != "" {
			return 0, why
		}
		return m.stdScale(c)
	}
	return 1, ""
}

// checkCond panics, naming the loss, unless the model can take c as its
// conditioning value (see condWhy).
func (m *Model) checkCond(name string, c float32) {
	m.mustPert(name + ".Grad")
	if why := m.condWhy(c, true); why != "" {
		panic(fmt.Sprintf("nn: %s.Grad: Cond = %v: %s", name, c, why))
	}
}

// mustCond panics, naming the method, unless the model can take c as its
// conditioning value (see condScale; score for the scores, not for the
// energy, which ScaleBySigma leaves alone), and returns the factor its
// scores at c are multiplied by.
func (m *Model) mustCond(method string, c float32, score bool) float32 {
	if score {
		m.mustPert("Model." + method)
	}
	scale, why := m.condScale(c, score)
	if why != "" {
		panic(fmt.Sprintf("nn: Model.%s: %s = %v: %s", method, m.condName(), c, why))
	}
	return scale
}

func (m *Model) needScoreNet(name string) {
	if m.cfg.Energy {
		panic("nn: " + name + " needs the Jacobian of the score, which for an energy model is a Hessian: use a denoising loss")
	}
}

// fillNormals fills dst with N(0,1) draws.
func fillNormals(dst []float32, rng *rand.Rand) {
	for i := range dst {
		dst[i] = float32(rng.NormFloat64())
	}
}

// fillRademacher fills dst with ±1, each with probability ½.
func fillRademacher(dst []float32, rng *rand.Rand) {
	for i := 0; i < len(dst); i += 64 {
		bits := rng.Uint64()
		for j := i; j < min(len(dst), i+64); j++ {
			dst[j] = float32(1 - 2*int(bits&1))
			bits >>= 1
		}
	}
}

// setScale sets w.scale from the per-point conditioning value in w.cond:
// 1/σ with ScaleBySigma, 1/σ(t) with ScaleBySigma and time conditioning
// (the caller has checked that it is finite in float32), or 1. σ(t) is
// asked of the perturbation again only where t changes from the point
// before (Marginal is a pure function of t): once for a loss that trains
// at one t.
func (m *Model) setScale(w *work) {
	var last float32
	for i := range w.n {
		w.scale[i] = 1
		switch {
		case m.sigmaScaled():
			w.scale[i] = 1 / w.cond[i]
		case m.timeScaled() && i > 0 && math.Float32bits(w.cond[i]) == math.Float32bits(last):
			w.scale[i] = w.scale[i-1]
		case m.timeScaled():
			w.scale[i], _ = m.stdScale(w.cond[i])
			last = w.cond[i]
		}
	}
}

// scores computes w.s from the forward pass: scale·y for a score net, or
// −scale·ẏ_j (tangent j = e_j) for an energy net.
func (m *Model) scores(w *work) {
	d, n := m.cfg.Dim, w.n
	y := w.a[len(m.layers)]
	for i := range n {
		sc := w.scale[i]
		si := w.s[i*d : (i+1)*d]
		if !m.cfg.Energy {
			row := y.Data[i*y.Stride : i*y.Stride+d]
			for j, v := range row {
				si[j] = sc * v
			}
			continue
		}
		for j := range d {
			si[j] = -sc * y.Data[((1+j)*n+i)*y.Stride]
		}
	}
}

// seedAdjoint writes ∂loss/∂s (w.ds) into the output adjoints w.g[L],
// clearing the rest.
func (m *Model) seedAdjoint(w *work) {
	d, n := m.cfg.Dim, w.n
	g := w.g[len(m.layers)]
	clear(g.Data[:(1+w.k)*n*g.Stride])
	for i := range n {
		sc := w.scale[i]
		dsi := w.ds[i*d : (i+1)*d]
		if !m.cfg.Energy {
			row := g.Data[i*g.Stride : i*g.Stride+d]
			for j, v := range dsi {
				row[j] = sc * v
			}
			continue
		}
		for j, v := range dsi {
			g.Data[((1+j)*n+i)*g.Stride] = -sc * v
		}
	}
}

// ExactSM is implicit score matching (Hyvärinen 2005),
// E[tr(∇ₓs(x)) + ½‖s(x)‖²], with the trace computed exactly by d
// forward-mode tangents. For a conditional model, Cond is the value of
// the conditioning: Grad panics unless it is finite, and positive too for
// log σ conditioning or ScaleBySigma with σ conditioning (then at least
// 1.2e-38, so that 1/σ is finite in float32); with ScaleBySigma and time
// conditioning it takes the t that TimeScore takes. Score networks only.
type ExactSM struct {
	Cond float32
}

// Grad implements Loss.
func (l ExactSM) Grad(m *Model, x []float32, rng *rand.Rand, grad []float32) float64 {
	return l.grad(m, x, grad, true)
}

// grad is Grad; without shortcuts the passes treat the basis tangents as
// any others, as a test of the shortcuts does.
func (l ExactSM) grad(m *Model, x []float32, grad []float32, shortcuts bool) float64 {
	n := checkGrad("ExactSM", m, x, grad)
	m.needScoreNet("ExactSM")
	m.checkCond("ExactSM", l.Cond)
	d := m.cfg.Dim
	w := m.trainWork()
	w.prepare(m, n, d)
	for i := range n {
		w.cond[i] = l.Cond
	}
	m.setScale(w)
	m.setInput(w, x, true, l.Cond)
	m.setBasisTangents(w, shortcuts)
	w.trace = shortcuts // only ∂y_j/∂x_j enters, and its adjoint is one-hot
	m.forward(w, true)
	m.scores(w)
	L := len(m.layers)
	y, g := w.a[L], w.g[L]
	if !m.traceOnly(w) {
		// The trace shortcut (identity output layer) reads only the
		// entries written below: the primal rows and entry b of each row
		// of block b. Any other backward pass reads whole rows, which may
		// hold a previous call's values.
		clear(g.Data[:(1+d)*n*g.Stride])
	}
	inv := 1 / float64(n)
	var loss float64
	for i := range n {
		sc := w.scale[i]
		si := w.s[i*d : (i+1)*d]
		tr, ss := 0.0, 0.0
		for j := range d {
			r := (1+j)*n + i
			tr += float64(y.Data[r*y.Stride+j])
			g.Data[r*g.Stride+j] = sc * float32(inv)
			ss += float64(si[j]) * float64(si[j])
			g.Data[i*g.Stride+j] = sc * si[j] * float32(inv)
		}
		loss += float64(sc)*tr + ss/2
	}
	m.backward(w, grad, false)
	return loss * inv
}

// SlicedSM is sliced score matching (Song et al. 2019) with Projections
// random directions v per point (1 if zero), Gaussian or Rademacher, both
// with E[vvᵀ] = I (not unit length):
//
//	E_v[vᵀ∇ₓs v + ½(vᵀs)²]    (VR false)
//	E_v[vᵀ∇ₓs v] + ½‖s‖²      (VR true: the variance-reduced SSM-VR)
//
// For a conditional model, Cond is the value of the conditioning: Grad
// panics unless it is finite, and positive too for log σ conditioning or
// ScaleBySigma with σ conditioning (then at least 1.2e-38, so that 1/σ is
// finite in float32); with ScaleBySigma and time conditioning it takes the
// t that TimeScore takes. Score networks only.
type SlicedSM struct {
	Projections int
	Rademacher  bool
	VR          bool
	Cond        float32
}

// draw fills w.v with the projections (k blocks of n×d).
func (l SlicedSM) draw(w *work, rng *rand.Rand) {
	if l.Rademacher {
		fillRademacher(w.v, rng)
	} else {
		fillNormals(w.v, rng)
	}
}

// Grad implements Loss.
func (l SlicedSM) Grad(m *Model, x []float32, rng *rand.Rand, grad []float32) float64 {
	n := checkGrad("SlicedSM", m, x, grad)
	m.needScoreNet("SlicedSM")
	m.checkCond("SlicedSM", l.Cond)
	k := max(1, l.Projections)
	d := m.cfg.Dim
	w := m.trainWork()
	w.prepare(m, n, k)
	l.draw(w, rng)
	for i := range n {
		w.cond[i] = l.Cond
	}
	m.setScale(w)
	m.setInput(w, x, true, l.Cond)
	m.setTangents(w)
	m.forward(w, true)
	m.scores(w)
	L := len(m.layers)
	y, g := w.a[L], w.g[L]
	clear(g.Data[:(1+k)*n*g.Stride])
	inv := 1 / float64(n)
	invK := 1 / float64(k)
	var loss float64
	for i := range n {
		sc := w.scale[i]
		si := w.s[i*d : (i+1)*d]
		gy := g.Data[i*g.Stride : i*g.Stride+d]
		var li float64
		for b := range k {
			r := (1+b)*n + i
			v := w.v[(b*n+i)*d : (b*n+i+1)*d]
			yt := y.Data[r*y.Stride : r*y.Stride+d]
			gt := g.Data[r*g.Stride : r*g.Stride+d]
			jv, vs := 0.0, 0.0
			cv := float32(float64(sc) * inv * invK)
			for j, vj := range v {
				jv += float64(vj) * float64(yt[j])
				vs += float64(vj) * float64(si[j])
				gt[j] = cv * vj
			}
			li += float64(sc) * jv * invK
			if !l.VR {
				li += vs * vs / 2 * invK
				c := float32(vs * inv * invK * float64(sc))
				for j, vj := range v {
					gy[j] += c * vj
				}
			}
		}
		if l.VR {
			ss := 0.0
			for j, sj := range si {
				ss += float64(sj) * float64(sj)
				gy[j] = sc * sj * float32(inv)
			}
			li += ss / 2
		}
		loss += li
	}
	m.backward(w, grad, false)
	return loss * inv
}

// noisyRows writes the primal input rows of points i0..i1−1 of dsm: x̃ =
// a·x + σz and the features of the point's conditioning value (see dsm).
func (m *Model) noisyRows(w *work, x []float32, ms []float64, i0, i1 int) {
	d := m.cfg.Dim
	a := w.a[0]
	for i := i0; i < i1; i++ {
		row := a.Data[i*a.Stride : i*a.Stride+a.Cols]
		sig := w.lvl[i]
		mi := 1.0
		if ms != nil {
			mi = ms[i]
		}
		for j := range d {
			row[j] = float32(mi*float64(x[i*d+j]) + sig*float64(w.noise[i*d+j]))
		}
		if m.cfg.condWidth() > 0 {
			m.features(row[d:], w.cond[i])
		}
	}
}

// dsm evaluates ½·λᵢ‖s(x̃ᵢ, cᵢ) + zᵢ/σᵢ‖² averaged over the batch, where
// x̃ = a·x + σz, with w.lvl holding σᵢ, w.cond cᵢ, w.noise z, and the
// mean scale a per point given by ms (nil means 1), and w.scale the
// output scales. λᵢ = σᵢ² if weighted, else 1.
func (m *Model) dsm(w *work, x []float32, ms []float64, weighted bool, grad []float32) float64 {
	d, n := m.cfg.Dim, w.n
	// Noisy inputs into the stacked input (primal rows), point by point
	// on the workers (the Fourier features' sines and cosines).
	w.job = passJob{m: m, w: w, x: x, ms: ms}
	w.split(passNoisy, n, pointUnit(w.a[0].Cols), n*w.a[0].Cols)
	w.job.x, w.job.ms = nil, nil
	if m.cfg.Energy {
		m.setBasisTangents(w, true)
	}
	m.forward(w, true)
	m.scores(w)
	inv := 1 / float64(n)
	var loss float64
	for i := range n {
		sig := w.lvl[i]
		lam := 1.0
		if weighted {
			lam = sig * sig
		}
		var li float64
		for j := range d {
			e := float64(w.s[i*d+j]) + float64(w.noise[i*d+j])/sig
			li += e * e
			w.ds[i*d+j] = float32(lam * e * inv)
		}
		loss += lam * li / 2
	}
	m.seedAdjoint(w)
	m.backward(w, grad, false)
	return loss * inv
}

func (m *Model) dsmWork(name string, x, grad []float32) (*work, int) {
	n := checkGrad(name, m, x, grad)
	k := 0
	if m.cfg.Energy {
		k = m.cfg.Dim
	}
	w := m.trainWork()
	w.prepare(m, n, k)
	return w, n
}

// DSM is denoising score matching at one noise level (Vincent 2011):
// ½E‖s(x̃) + (x̃ − x)/σ²‖² with x̃ = x + σz. A σ-conditional model is
// given σ; a time-conditional one is given Cond. Grad panics unless Sigma
// is in [MinSigma, MaxSigma] (1.2e-38 ≤ σ ≤ 9.2e18), and, for a
// time-conditional model, unless Cond is finite.
type DSM struct {
	Sigma float64
	Cond  float32 // conditioning value for a time-conditional model
}

// Grad implements Loss.
func (l DSM) Grad(m *Model, x []float32, rng *rand.Rand, grad []float32) float64 {
	w, n := m.dsmWork("DSM", x, grad)
	if why := sigmaWhy(l.Sigma); why != "" {
		panic(fmt.Sprintf("nn: DSM.Grad: σ = %v: %s", l.Sigma, why))
	}
	if m.cfg.Cond == CondTime {
		m.checkCond("DSM", l.Cond)
	}
	fillNormals(w.noise, rng)
	c := l.Cond
	if m.cfg.Cond == CondSigma || m.cfg.Cond == CondLogSigma {
		c = float32(l.Sigma)
	}
	for i := range n {
		w.lvl[i] = l.Sigma
		w.cond[i] = c
	}
	m.setScale(w)
	return m.dsm(w, x, nil, false, grad)
}

// NCDSM is the noise-conditional denoising loss of NCSN (Song & Ermon
// 2019): each point draws a level σ uniformly from Sigmas, or, with
// Continuous, log-uniformly between the smallest and largest of them, and
// contributes ½σ²‖s(x̃, σ) + z/σ‖² = ½‖σ·s(x̃, σ) + z‖², x̃ = x + σz (the
// weighting λ(σ) = σ²). The model must be σ-conditional. Grad panics
// unless Sigmas is non-empty and every level in it is finite and
// in [MinSigma, MaxSigma] (1.2e-38 ≤ σ ≤ 9.2e18).
type NCDSM struct {
	Sigmas     []float64
	Continuous bool
}

// Grad implements Loss.
func (l NCDSM) Grad(m *Model, x []float32, rng *rand.Rand, grad []float32) float64 {
	m.mustBeBuilt("NCDSM.Grad")
	if m.cfg.Cond != CondSigma && m.cfg.Cond != CondLogSigma {
		panic(fmt.Sprintf("nn: NCDSM.Grad: the model's conditioning is %v, want sigma or logsigma", m.cfg.Cond))
	}
	if len(l.Sigmas) == 0 {
		panic("nn: NCDSM.Grad: no noise levels")
	}
	w, n := m.dsmWork("NCDSM", x, grad)
	lo, hi := l.Sigmas[0], l.Sigmas[0]
	for i, s := range l.Sigmas {
		if why := sigmaWhy(s); why != "" {
			panic(fmt.Sprintf("nn: NCDSM.Grad: Sigmas[%d] = %v: %s", i, s, why))
		}
		lo, hi = min(lo, s), max(hi, s)
	}
	for i := range n {
		var s float64
		if l.Continuous {
			s = lo * math.Exp(rng.Float64()*math.Log(hi/lo))
		} else {
			s = l.Sigmas[rng.IntN(len(l.Sigmas))]
		}
		w.lvl[i] = s
		w.cond[i] = float32(s)
	}
	fillNormals(w.noise, rng)
	m.setScale(w)
	return m.dsm(w, x, nil, true, grad)
}

// ContinuousDSM is the continuous-time denoising loss of score SDEs (Song
// et al. 2021): t ~ U(Eps, 1) per point, x_t = a(t)·x + σ(t)·z with
// (a, σ) = SDE.Marginal(t), and loss ½σ(t)²‖s(x_t, t) + z/σ(t)‖², the
// weighting λ(t) = σ(t)². The model must be time-conditional. Eps = 0
// means 1e-5. A nil SDE means the model's own, from
// [Model.SetPerturbation], so that a caller need not repeat it. Grad
// panics if SDE is nil and the model has no perturbation, if Eps is not
// in [0, 1), and if SDE.Marginal gives a drawn t a mean scale that is not finite or a σ
// outside [MinSigma, MaxSigma] (1.2e-38 ≤ σ ≤ 9.2e18).
//
// With Config.ScaleBySigma the model's score is net(x_t, t)/σ(t), σ(t) from
// the perturbation given to [Model.SetPerturbation], and the loss is
// ½‖net(x_t, t) + z‖² at every t: the network's target is of order 1
// whatever σ(t), where an unscaled network must output −z/σ(t) and its
// weights' gradients grow as σ(t)³ (see MaxSigma). The loss trains the
// model as TimeScore computes it, so Grad panics unless the model has a
// perturbation and its σ(t) agrees with SDE's to 1e-6 relative at every
// drawn t: a model scaled by one process and trained on another would
// score neither.
type ContinuousDSM struct {
	SDE Perturbation
	Eps float64
}

// Grad implements Loss.
func (l ContinuousDSM) Grad(m *Model, x []float32, rng *rand.Rand, grad []float32) float64 {
	m.mustBeBuilt("ContinuousDSM.Grad")
	if m.cfg.Cond != CondTime {
		panic(fmt.Sprintf("nn: ContinuousDSM.Grad: the model's conditioning is %v, want time", m.cfg.Cond))
	}
	w, n := m.dsmWork("ContinuousDSM", x, grad)
	own := l.SDE == nil // the model's perturbation: nothing to compare it with
	if own {
		if m.pert == nil {
			panic("nn: ContinuousDSM.Grad: no SDE, and the model has no perturbation (Model.SetPerturbation) to use instead")
		}
		l.SDE = m.pert
	}
	if nilness.Is(l.SDE) {
		panic(fmt.Sprintf("nn: ContinuousDSM.Grad: the SDE is a nil %T", l.SDE))
	}
	m.mustPert("ContinuousDSM.Grad")
	if !(l.Eps >= 0 && l.Eps < 1) {
		panic(fmt.Sprintf("nn: ContinuousDSM.Grad: Eps = %v: want 0 ≤ Eps < 1", l.Eps))
	}
	eps := l.Eps
	if eps == 0 {
		eps = 1e-5
	}
	// The mean scales live in the first n entries of a float64 scratch we
	// already have: w.lvl holds σ, so borrow d-free space from the end of
	// the same backing array.
	w.lvl = grow(w.lvl, 2*n)
	ms := w.lvl[n : 2*n]
	for i := range n {
		t := eps + (1-eps)*rng.Float64()
		a, s := l.SDE.Marginal(t)
		if math.IsNaN(a) || math.IsInf(a, 0) || sigmaWhy(s) != "" {
			panic(fmt.Sprintf("nn: ContinuousDSM.Grad: SDE.Marginal(%v) = (%v, %v): want a finite mean scale and a finite σ > 0 (1.2e-38 ≤ σ ≤ 9.2e+18)", t, a, s))
		}
		if m.timeScaled() {
			// The model divides by its own σ(t), at the float32 t it is
			// given, as TimeScore does: the loss trains the model that
			// TimeScore computes, and so must draw from the same process.
			if !own {
				if _, ps := m.pert.Marginal(t); !(math.Abs(ps-s) <= 1e-6*s) {
					panic(fmt.Sprintf("nn: ContinuousDSM.Grad: at t = %v the model divides its output by its perturbation's σ(t) = %v, but the loss's SDE has σ(t) = %v: train with the SDE given to SetPerturbation", t, ps, s))
				}
			}
			sc, why := m.stdScale(float32(t))
			if why != "" {
				panic(fmt.Sprintf("nn: ContinuousDSM.Grad: t = %v: %s", float32(t), why))
			}
			w.scale[i] = sc // dsm takes it from here: setScale would ask Marginal again
		} else {
			w.scale[i] = 1
		}
		w.lvl[i] = s
		ms[i] = a
		w.cond[i] = float32(t)
	}
	fillNormals(w.noise, rng)
	return m.dsm(w, x, ms, true, grad)
}
