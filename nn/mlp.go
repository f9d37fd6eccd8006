package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/scorekit/scorekit/f32"
	"github.com/scorekit/scorekit/internal/freelist"
	"github.com/scorekit/scorekit/kernel"
)

// Conditioning says what scalar, if any, a model takes beside x.
type Conditioning uint8

// The conditionings. The scalar is appended to x as one more input, or,
// with Config.Fourier > 0, embedded as Gaussian Fourier features.
const (
	CondNone     Conditioning = iota // s(x)
	CondSigma                        // s(x, σ), input σ
	CondLogSigma                     // s(x, σ), input log σ
	CondTime                         // s(x, t), input t
	numConds
)

var condNames = [numConds]string{"none", "sigma", "logsigma", "time"}

// String returns the conditioning's name as ParseConditioning accepts it.
func (c Conditioning) String() string {
	if c < numConds {
		return condNames[c]
	}
	return fmt.Sprintf("Conditioning(%d)", uint8(c))
}

// ParseConditioning returns the conditioning with the given name.
func ParseConditioning(name string) (Conditioning, error) {
	for i, n := range condNames {
		if n == name {
			return Conditioning(i), nil
		}
	}
	return 0, fmt.Errorf("nn: unknown conditioning %q (want none, sigma, logsigma or time)", name)
}

// DefaultFourierScale is the standard deviation of the fixed Fourier
// frequencies, as in score_sde's GaussianFourierProjection.
const DefaultFourierScale = 16

// Config describes a score network: an MLP with the given hidden widths
// mapping [x, features(c)] to a score in ℝᴰⁱᵐ, or to a scalar energy.
//
// Set Act (or Acts): its zero value is kernel.Identity, with which hidden
// layers compose to an affine map — a network that can learn a Gaussian's
// score and nothing else. kernel.SiLU is the usual choice.
type Config struct {
	Dim    int                 // d, the data dimension
	Hidden []int               // hidden widths, e.g. {128, 128, 128}; empty is a linear model
	Act    kernel.Activation   // activation after every hidden layer
	Acts   []kernel.Activation // if not nil, one activation per hidden layer, overriding Act
	OutAct kernel.Activation   // activation after the last layer, normally Identity

	Cond         Conditioning // the conditioning scalar c, if any
	Fourier      int          // if > 0, c enters as [sin 2πWc, cos 2πWc], W ~ N(0, FourierScale²) of length Fourier
	FourierScale float64      // 0 means DefaultFourierScale
	ScaleBySigma bool         // s(x, σ) = net(x, σ)/σ; with time conditioning s(x, t) = net(x, t)/σ(t), σ(t) the std of the model's Perturbation (see Model.SetPerturbation)
	Energy       bool         // the net outputs a scalar E(x); s = −∇ₓE and log p = −E
}

func (c Config) condWidth() int {
	switch {
	case c.Cond == CondNone:
		return 0
	case c.Fourier > 0:
		return 2 * c.Fourier
	}
	return 1
}

func (c Config) outWidth() int {
	if c.Energy {
		return 1
	}
	return c.Dim
}

// Widths returns the layer widths: the net's input width (d plus the
// conditioning features), the hidden widths and the output width.
func (c Config) Widths() []int {
	w := []int{c.Dim + c.condWidth()}
	w = append(w, c.Hidden...)
	return append(w, c.outWidth())
}

// layerAct returns the activation after linear layer l.
func (c Config) layerAct(l int) kernel.Activation {
	switch {
	case l == len(c.Hidden):
		return c.OutAct
	case c.Acts != nil:
		return c.Acts[l]
	}
	return c.Act
}

const maxWidth = 1 << 16

// Validate reports whether c describes a network this package can build.
func (c Config) Validate() error {
	if c.Dim <= 0 || c.Dim > maxWidth {
		return fmt.Errorf("nn: Config.Dim = %d, want 1..%d", c.Dim, maxWidth)
	}
	for i, h := range c.Hidden {
		if h <= 0 || h > maxWidth {
			return fmt.Errorf("nn: Config.Hidden[%d] = %d, want 1..%d", i, h, maxWidth)
		}
	}
	if c.Acts != nil && len(c.Acts) != len(c.Hidden) {
		return fmt.Errorf("nn: Config.Acts has %d activations for %d hidden layers", len(c.Acts), len(c.Hidden))
	}
	for l := range len(c.Hidden) + 1 {
		if a := c.layerAct(l); !a.Valid() {
			return fmt.Errorf("nn: layer %d: unknown activation %v", l, a)
		}
	}
	if c.Cond >= numConds {
		return fmt.Errorf("nn: unknown conditioning %v", c.Cond)
	}
	if c.Fourier < 0 || c.Fourier > maxWidth/2 {
		return fmt.Errorf("nn: Config.Fourier = %d, want 0..%d", c.Fourier, maxWidth/2)
	}
	if c.Fourier > 0 && c.Cond == CondNone {
		return errors.New("nn: Config.Fourier needs a conditioning")
	}
	if c.FourierScale < 0 || math.IsNaN(c.FourierScale) || math.IsInf(c.FourierScale, 0) {
		return fmt.Errorf("nn: Config.FourierScale = %v", c.FourierScale)
	}
	if c.ScaleBySigma && c.Cond == CondNone {
		return fmt.Errorf("nn: Config.ScaleBySigma needs σ, log σ or time conditioning, have %v", c.Cond)
	}
	if c.Dim+c.condWidth() > maxWidth {
		return fmt.Errorf("nn: input width %d too large", c.Dim+c.condWidth())
	}
	return nil
}

func (c Config) clone() Config {
	c.Hidden = append([]int(nil), c.Hidden...)
	if c.Acts != nil {
		c.Acts = append([]kernel.Activation(nil), c.Acts...)
	}
	return c
}

type layer struct {
	w     f32.Matrix // out×in, a view into Model.params
	b     []float32  // out, a view into Model.params
	dense *f32.Dense
	act   kernel.Activation
	woff  int // offset of w in params
	boff  int // offset of b in params
}

// Model is an MLP score network (or energy network) with its parameters
// in one flat slice, so optimisers and weight files treat them as a
// vector. Inference methods are safe for concurrent use; see the package
// documentation for training. Make one with [New], [Load] or
// [FromTensors]: the zero Model has no network, and the methods that
// compute with one (Score, NoiseScore, TimeScore, LogDensity, Energy,
// Clone, SetPerturbation, a Loss's Grad) panic on it, or on a nil
// *Model, saying so (CheckMethod and Save return the error).
type Model struct {
	cfg     Config
	widths  []int
	params  []float32
	layers  []layer
	fourier []float32 // fixed frequencies W (length cfg.Fourier), not trained
	impl    kernel.Impl
	chunk   int          // chunkRows(impl), set with it: looked up once, not per call
	workers int          // goroutines for the training passes' products (SetWorkers)
	pert    Perturbation // σ(t) for a time-conditional ScaleBySigma model (SetPerturbation)

	train  *work               // the training workspace, reused across steps
	repack repackJob           // Repack's split across the workers
	gen    uint64              // counts Repack calls: the staleness of a wide layer's Wᵀ in tp
	tp     trainPacks          // training's chunked tangent and adjoint products
	pool   freelist.List[work] // inference workspaces
}

// New returns a model for cfg with PyTorch's default initialisation
// (weights and biases uniform in ±1/√fan_in) and, if asked for, Fourier
// frequencies W ~ N(0, scale²), all drawn from seed.
func New(cfg Config, seed uint64) (*Model, error) {
	m, err := newModel(cfg)
	if err != nil {
		return nil, err
	}
	rng := newRand(seed, 0)
	for _, ly := range m.layers {
		bound := 1 / math.Sqrt(float64(ly.w.Cols))
		for i := range ly.w.Data {
			ly.w.Data[i] = float32((2*rng.Float64() - 1) * bound)
		}
		for i := range ly.b {
			ly.b[i] = float32((2*rng.Float64() - 1) * bound)
		}
	}
	scale := cfg.FourierScale
	if scale == 0 {
		scale = DefaultFourierScale
	}
	for i := range m.fourier {
		m.fourier[i] = float32(rng.NormFloat64() * scale)
	}
	m.Repack()
	return m, nil
}

// newModel allocates a zero model for cfg.
func newModel(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.clone()
	m := &Model{cfg: cfg, widths: cfg.Widths()}
	total := 0
	for l := 1; l < len(m.widths); l++ {
		total += m.widths[l]*m.widths[l-1] + m.widths[l]
	}
	m.params = make([]float32, total)
	off := 0
	for l := 1; l < len(m.widths); l++ {
		in, out := m.widths[l-1], m.widths[l]
		ly := layer{act: cfg.layerAct(l - 1), woff: off, boff: off + in*out}
		ly.w = f32.Matrix{Rows: out, Cols: in, Stride: in, Data: m.params[off : off+in*out : off+in*out]}
		ly.b = m.params[ly.boff : ly.boff+out : ly.boff+out]
		off = ly.boff + out
		m.layers = append(m.layers, ly)
	}
	if cfg.Cond != CondNone && cfg.Fourier > 0 {
		m.fourier = make([]float32, cfg.Fourier)
	}
	m.SetImpl(kernel.Active())
	return m, nil
}

// SetImpl makes the model compute with the kernels of impl (by default
// the active one), as tests and benchmarks comparing implementations do.
// Call it before using the model, not concurrently with other calls. It
// panics if impl is not available on this machine.
func (m *Model) SetImpl(impl kernel.Impl) {
	if !impl.Available() {
		panic(fmt.Sprintf("nn: Model.SetImpl: %v is not available on this machine", impl))
	}
	m.impl, m.chunk = impl, chunkRows(impl)
	for l := range m.layers {
		ly := &m.layers[l]
		ly.dense = f32.NewDenseImpl(impl, ly.w, ly.b, ly.act)
	}
}

// Clone returns a deep copy of m — configuration, weights, Fourier
// frequencies, kernels, [Model.SetWorkers] count and
// [Model.SetPerturbation] perturbation (shared: it is a value the model
// only reads) — ready for use:
// changing one does not change the other. (A model made with New from m's
// configuration has other Fourier frequencies unless it has m's seed.)
func (m *Model) Clone() *Model {
	m.mustBeBuilt("Model.Clone")
	c, err := newModel(m.cfg.clone())
	if err != nil {
		panic("nn: Model.Clone: " + err.Error()) // m's configuration was valid
	}
	copy(c.params, m.params)
	copy(c.fourier, m.fourier)
	c.SetImpl(m.impl)
	c.workers = m.workers
	c.pert = m.pert
	return c
}

// SetWorkers makes the training passes (every [Loss]'s Grad, and so
// [Trainer.Run]) run on up to n goroutines: the caller's and n−1 of f32's
// helpers (see [f32.Dense.ForwardParallel]), which number GOMAXPROCS−1, so
// that n above GOMAXPROCS counts as GOMAXPROCS (Workers still returns n);
// n ≤ 1 means the caller's alone, the default. The matrix products split
// the rows of their outputs (a weight gradient, the columns), and the
// passes between them that touch at least 32K floats (activation
// derivatives, Hadamard products, bias and narrow weight-gradient sums, a
// narrow layer's forward product, the denoising losses' noisy inputs), and
// [Model.Repack] (a layer per worker), split rows, points, columns or
// layers, never the order of a sum: the gradients, and so the trained
// parameters, are the same to the bit for any n. [Trainer.Run] runs the
// optimiser's and the average's updates on the same workers (see
// Adam.Workers). In CPU profiles of BENCHMARKS.md's training steps,
// 68–96 % of a step's CPU time ran in split work (60–74 % when only the
// products were split); at d = 2, with the optimiser, the repacking, the
// narrow last layer and the tangent shortcuts split too, 78–99 % (72–98 %
// measured the same way just before). Whether it pays depends on the
// machine: on the shared two cores of BENCHMARKS.md, with the second core
// mostly busy, two workers gave 0.63–1.45× one (geomean 0.93×), and lost
// at batch 128. Inference (Score, NoiseScore, TimeScore, LogDensity,
// Energy) always runs on the caller's goroutine alone: the samplers split
// their chains across goroutines themselves. Call it before training, not
// concurrently with other calls.
func (m *Model) SetWorkers(n int) { m.workers = max(1, n) }

// Workers returns the number of goroutines set by SetWorkers (1 if never
// set).
func (m *Model) Workers() int { return max(1, m.workers) }

// Impl returns the implementation the model computes with.
func (m *Model) Impl() kernel.Impl { return m.impl }

// Config returns a copy of the model's configuration.
func (m *Model) Config() Config { return m.cfg.clone() }

// Dim returns d, the data dimension.
func (m *Model) Dim() int { return m.cfg.Dim }

// Params returns the trainable parameters, shared with the model: layer
// by layer, W (out×in, row-major) then the bias. After changing them, call
// Repack.
func (m *Model) Params() []float32 { return m.params }

// NumParams returns len(m.Params()).
func (m *Model) NumParams() int { return len(m.params) }

// Repack rebuilds the layers' packed weights after Params changed, a
// layer at a time on up to the model's workers (SetWorkers) if it has at
// least 32K parameters.
func (m *Model) Repack() {
	workers := m.workers
	if len(m.params) < parMin {
		workers = 1
	}
	m.repack.m = m
	f32.ParallelRange(workers, len(m.layers), 1, &m.repack)
	m.gen++ // the training packs follow at the next training pass
}

// repackJob is Repack as f32.ParallelRange splits it: by layers, each
// packed whole by one worker.
type repackJob struct{ m *Model }

// Range implements f32.RangeJob.
func (j *repackJob) Range(l0, l1 int) {
	for _, ly := range j.m.layers[l0:l1] {
		ly.dense.Repack()
	}
}

// Layer returns W (out×in) and the bias of linear layer l, shared with the
// model. It panics unless 0 ≤ l < NumLayers().
func (m *Model) Layer(l int) (w f32.Matrix, bias []float32) {
	if l < 0 || l >= len(m.layers) {
		panic(fmt.Sprintf("nn: Model.Layer: layer %d out of range [0, %d)", l, len(m.layers)))
	}
	return m.layers[l].w, m.layers[l].b
}

// NumLayers returns the number of linear layers.
func (m *Model) NumLayers() int { return len(m.layers) }

// FourierWeights returns the fixed Fourier frequencies (nil without
// Fourier features), shared with the model.
func (m *Model) FourierWeights() []float32 { return m.fourier }

// newRand is the package's seam for randomness: stream id under seed.
// The n-th draw is a pure function of (seed, id, n) on every machine.
// It is math/rand/v2's PCG. kernel.NewSource (Philox) would also do:
// kernel.Stream's methods and Source.Uint64 allocate nothing in steady
// state (kernel's TestStreamNoAllocs). nn stays on math/rand because a
// *rand.Rand is in its public API (Loss.Grad and Source.Sample take
// one), so every draw goes through rand.Rand's methods whatever the
// source, and changing the source would change the initial weights and
// the training run of every seed.
func newRand(seed, id uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, id^0x9e3779b97f4a7c15))
}

// work holds the buffers of one pass over n points with k tangents per
// point. Activations, pre-activations and adjoints are stacked: rows
// 0..n−1 are the primal pass, rows (1+b)n..(2+b)n−1 tangent b (but the
// tangent rows of a hidden activation that tanChunked keeps a chunk at a
// time hold one chunk's rows, from row n on).
type work struct {
	n, k int
	a    []f32.Matrix // L+1 activations; a[0] the input
	z    []f32.Matrix // L pre-activations (tangent rows: ż)
	g    []f32.Matrix // L+1 adjoints of a
	d1   [][]float32  // L: σ'(z) on the primal rows
	d2   [][]float32  // L: σ''(z) on the primal rows
	tmp  []float32    // n × widest layer: scratch, and Σ_b ż_b⊙ȧ_b in the backward pass
	vec  []float32    // widest layer, scratch
	wt0  []float32    // with basis tangents, the first layer's Wᵀ: row b is ż_b = W·e_b
	buf  [][]float32  // backing arrays, by slot
	job  passJob      // the pass split across the workers (split.go)

	// basis says tangent b is e_b (setBasisTangents), so the first
	// layer's tangent pre-activations are columns of W and its weight
	// gradient from the tangent rows is a sum of rows. trace says the
	// loss uses only the diagonal ∂y_b/∂x_b of the output Jacobian (with
	// basis, k = d and an identity output layer): forward computes only
	// that entry of each tangent's output row, and the tangent rows of
	// the output adjoint hold one value each, at column b of block b.
	basis, trace bool

	cond  []float32 // n conditioning values
	scale []float32 // n output scales
	feat  []float32 // conditioning features of one value
	s     []float32 // n×d scores
	ds    []float32 // n×d ∂loss/∂s
	noise []float32 // n×d normals
	v     []float32 // k×n×d projections
	lvl   []float64 // n per-point noise levels

	workers int // goroutines for the passes (training: Model.SetWorkers; inference: 1)
}

// grow returns s resliced to n, reallocated if its capacity is short.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// prepare sizes w for n points, k tangents and the model's widths.
func (w *work) prepare(m *Model, n, k int) {
	L := len(m.layers)
	w.n, w.k = n, k
	w.basis, w.trace = false, false
	rows := (1 + k) * n
	if len(w.a) != L+1 {
		w.a = make([]f32.Matrix, L+1)
		w.g = make([]f32.Matrix, L+1)
		w.z = make([]f32.Matrix, L)
		w.d1 = make([][]float32, L)
		w.d2 = make([][]float32, L)
		w.buf = make([][]float32, 3*(L+1)+2*L)
	}
	slot := 0
	mat := func(cols int) f32.Matrix {
		w.buf[slot] = grow(w.buf[slot], rows*cols)
		d := w.buf[slot]
		slot++
		return f32.Matrix{Rows: rows, Cols: cols, Stride: cols, Data: d}
	}
	vec := func(size int) []float32 {
		w.buf[slot] = grow(w.buf[slot], size)
		d := w.buf[slot]
		slot++
		return d
	}
	for l := range L + 1 {
		w.a[l] = mat(m.widths[l])
		w.g[l] = mat(m.widths[l])
	}
	for l := range L {
		w.z[l] = mat(m.widths[l+1])
		w.d1[l] = vec(n * m.widths[l+1])
		w.d2[l] = vec(n * m.widths[l+1])
	}
	widest := 0
	for _, wd := range m.widths {
		widest = max(widest, wd)
	}
	w.tmp = grow(w.tmp, n*widest)
	w.vec = grow(w.vec, widest)
	if k > 0 && L > 0 {
		w.wt0 = grow(w.wt0, m.widths[0]*m.widths[1])
	}
	d := m.cfg.Dim
	w.cond = grow(w.cond, n)
	w.scale = grow(w.scale, n)
	w.feat = grow(w.feat, m.cfg.condWidth())
	w.s = grow(w.s, n*d)
	w.ds = grow(w.ds, n*d)
	w.noise = grow(w.noise, n*d)
	w.v = grow(w.v, k*n*d)
	w.lvl = grow(w.lvl, n)
}

// block returns rows b·n..(b+1)·n−1 of a stacked matrix.
func (w *work) block(a f32.Matrix, b int) f32.Matrix { return a.Slice(b*w.n, (b+1)*w.n) }

// features writes the conditioning features of c into dst.
func (m *Model) features(dst []float32, c float32) {
	v := float64(c)
	switch m.cfg.Cond {
	case CondNone:
		return
	case CondLogSigma:
		v = math.Log(v)
	}
	if m.cfg.Fourier == 0 {
		dst[0] = float32(v)
		return
	}
	f := m.cfg.Fourier
	for i, wi := range m.fourier {
		s, co := math.Sincos(2 * math.Pi * float64(wi) * v)
		dst[i] = float32(s)
		dst[f+i] = float32(co)
	}
}

// setInput writes the primal input rows: x (n×d) and the features of
// w.cond, or of the one value c if uniform.
func (m *Model) setInput(w *work, x []float32, uniform bool, c float32) {
	d := m.cfg.Dim
	a := w.a[0]
	cw := m.cfg.condWidth()
	if cw > 0 && uniform {
		m.features(w.feat, c)
	}
	if cw > 0 && uniform && d+cw <= smallRow {
		// A few columns per row (the toy data's d = 2 and log σ): element
		// by element, as two calls to copy per row cost more than the
		// copying (BenchmarkSetInput, 240 rows: 1.85 µs with copy, 1.10
		// element by element, on the Intel Xeon of 2026-12-06).
		feat := w.feat[:cw]
		for i := range w.n {
			row := a.Data[i*a.Stride : i*a.Stride+d+cw]
			xi := x[i*d : (i+1)*d]
			//lint:ignore S1001 a loop: copy's call is the cost being avoided
			for j, v := range xi {
				row[j] = v
			}
			for j, v := range feat {
				row[d+j] = v
			}
		}
		return
	}
	for i := range w.n {
		row := a.Data[i*a.Stride : i*a.Stride+a.Cols]
		copy(row[:d], x[i*d:(i+1)*d])
		if cw > 0 {
			if uniform {
				copy(row[d:], w.feat)
			} else {
				m.features(row[d:], w.cond[i])
			}
		}
	}
}

// smallRow is the widest input row that setInput writes element by
// element rather than with copy.
const smallRow = 8

// setTangents writes the tangent input rows from w.v (k blocks of n×d);
// the conditioning columns of a tangent are zero.
func (m *Model) setTangents(w *work) {
	d := m.cfg.Dim
	a := w.a[0]
	for r := w.n; r < (1+w.k)*w.n; r++ {
		row := a.Data[r*a.Stride : r*a.Stride+a.Cols]
		copy(row[:d], w.v[(r-w.n)*d:(r-w.n+1)*d])
		clear(row[d:])
	}
	w.basis = false
}

// setBasisTangents makes tangent b = e_b for b < d (w.k must be d). With
// shortcuts the passes use what the one-hot rows make zero (w.basis);
// they never read the rows, which are then not written, unless the first
// layer is also the output layer (whose trace shortcut reads them).
// Without, the passes treat them as any other tangents.
func (m *Model) setBasisTangents(w *work, shortcuts bool) {
	w.basis = shortcuts
	if shortcuts && len(m.layers) > 1 {
		return
	}
	a := w.a[0]
	for b := range w.k {
		for i := range w.n {
			r := (1+b)*w.n + i
			row := a.Data[r*a.Stride : r*a.Stride+a.Cols]
			clear(row)
			row[b] = 1
		}
	}
}

// traceOnly reports whether forward and backward may use w.trace's
// shortcut on the model's output layer.
func (m *Model) traceOnly(w *work) bool {
	return w.trace && w.basis && w.k == m.cfg.Dim && m.layers[len(m.layers)-1].act == kernel.Identity
}

// forward runs the primal pass over rows 0..n−1 of w.a[0] and the tangent
// pass over the k tangent blocks. With deriv it keeps σ' (and σ” when
// there are tangents) for a backward pass.
//
// With the training packs (many tangent rows), the tangent pass runs
// through all the layers one chunk of rows at a time, so that each layer
// reads the chunk the layer below it wrote while it is in cache: every
// tangent row depends only on the same row below it and on the primal
// pass, which comes first. Otherwise each layer's tangent rows follow its
// primal rows.
func (m *Model) forward(w *work, deriv bool) {
	n, k := w.n, w.k
	tp := m.packs(w)
	if k > 0 && w.basis {
		ly := m.layers[0]
		m.impl.Transpose(ly.w.Rows, ly.w.Cols, ly.w.Data, ly.w.Stride, w.wt0, ly.w.Rows)
	}
	w.job = passJob{m: m, w: w, tp: tp}
	for l, ly := range m.layers {
		if ly.w.Rows <= narrowLayer {
			// f32 computes a narrow layer on one goroutine: split its
			// rows here (each row is the same chains on any path).
			w.job.l = l
			w.split(passNarrow, n, narrowUnit, n*ly.w.Cols)
		} else {
			ap, zp, yp := w.block(w.a[l], 0), w.block(w.z[l], 0), w.block(w.a[l+1], 0)
			ly.dense.ForwardParallel(w.workers, yp, zp, ap)
		}
		if (deriv || k > 0) && ly.act != kernel.Identity {
			width := ly.w.Rows
			w.job.l, w.job.deriv = l, k > 0 && deriv
			w.split(passDeriv, n, pointUnit(width), n*width)
		}
		if k > 0 && tp == nil {
			// One chunk: the layer's tangent rows follow its primal rows.
			m.tangentRows(w, nil, l, 0, k*n, w.workers)
		}
	}
	if tp == nil {
		return
	}
	// The chunks run on the workers, each through every layer.
	widest := 0
	for _, ly := range m.layers {
		widest = max(widest, ly.w.Rows)
	}
	w.split(passTangent, k*n, chunkRows(m.impl), k*n*widest)
}

// adjPacked reports whether backward computes layer l's adjoint product
// with the training packs' adjoint (given them): below the first layer or
// for the input, and not one of the shortcuts of the trace's output layer
// or the basis tangents' first layer.
func (m *Model) adjPacked(w *work, l int, input bool) bool {
	top := l == len(m.layers)-1 && m.traceOnly(w)
	first := l == 0 && w.basis && w.k > 0
	return !top && !first && (l > 0 || input)
}

// tanPacked reports whether tangentRows computes layer l's tangent
// outputs with a GEMM (the training packs' tan, given them), not one of
// its shortcuts.
func (m *Model) tanPacked(w *work, l int) bool {
	last := l == len(m.layers)-1
	return !(l == 0 && w.basis) && !(last && m.traceOnly(w)) && m.layers[l].w.Rows > narrowLayer
}

// tangentRows computes tangent rows r0..r1−1 (counted from the first
// tangent row: row r is point r mod n of tangent r/n) of layer l:
// ż = ȧ·Wᵀ and ẏ = σ'(z)⊙ż, on up to workers goroutines (the product
// and σ'(z)⊙ż, or the shortcuts' rows: with workers > 1 it must not run
// in a split pass). Where the activations are kept a chunk at a time
// (tanChunked), row r of ȧ or ẏ is their tangent row r−r0.
func (m *Model) tangentRows(w *work, tp *trainPacks, l, r0, r1, workers int) {
	n, k := w.n, w.k
	ly := m.layers[l]
	width := ly.w.Rows
	identity := ly.act == kernel.Identity
	at := w.a[l].Slice(n, (1+k)*n)
	zt := w.z[l].Slice(n, (1+k)*n)
	ytm := w.a[l+1].Slice(n, (1+k)*n)
	yt, ztd, d1 := ytm.Data, zt.Data, w.d1[l]
	a0, y0 := 0, 0 // row r of ȧ is row r−a0 of at, of ẏ row r−y0 of ytm
	if m.tanChunked(w, tp, l) {
		a0 = r0
	}
	if m.tanChunked(w, tp, l+1) {
		y0 = r0
	}
	if workers > 1 && !m.tanPacked(w, l) {
		// A shortcut below, which computes each row from its own: split
		// the rows.
		wide := max(width, ly.w.Cols)
		w.job.l, w.job.r0 = l, r0
		w.split(passTanRows, r1-r0, pointUnit(wide), (r1-r0)*wide)
		return
	}
	switch {
	case l == 0 && w.basis:
		// ż_b = W·e_b: column b of W in every row of block b, the value
		// the GEMM's chain of fused multiply-adds gives. It is not stored
		// (backward takes it from w.wt0 again): ẏ_b = σ'⊙ż_b.
		if !identity {
			m.basisRows(w, yt[(r0-y0)*width:], r0, r1)
			return
		}
		for r := r0; r < r1; r++ {
			b := r / n
			copy(yt[(r-y0)*width:(r-y0+1)*width], w.wt0[b*width:(b+1)*width])
		}
		return
	case l == len(m.layers)-1 && m.traceOnly(w):
		// Only ẏ_b[b] = ȧ_b·W[b, :], for the trace (identity output).
		for r := r0; r < r1; r++ {
			b := r / n
			wb := ly.w.Data[b*ly.w.Stride : b*ly.w.Stride+ly.w.Cols]
			yt[(r-y0)*ytm.Stride+b] = m.impl.Dot(at.Data[(r-a0)*at.Stride:(r-a0)*at.Stride+at.Cols], wb)
		}
		return
	case ly.w.Rows <= narrowLayer:
		// A few outputs (a net's last layer): a dot product each,
		// where the GEMM's tiles would be mostly padding.
		for r := r0; r < r1; r++ {
			ar := at.Data[(r-a0)*at.Stride : (r-a0)*at.Stride+at.Cols]
			for o := range width {
				ztd[r*zt.Stride+o] = m.impl.Dot(ar, ly.w.Data[o*ly.w.Stride:o*ly.w.Stride+ly.w.Cols])
			}
		}
		if identity {
			copy(yt[(r0-y0)*width:(r1-y0)*width], ztd[r0*width:r1*width])
			return
		}
	default:
		// An identity layer's product goes straight to ẏ: backward does
		// not read its ż.
		dst := zt.Slice(r0, r1)
		if identity {
			dst = ytm.Slice(r0-y0, r1-y0)
		}
		if tp != nil {
			tp.tan(l, workers, dst, at.Slice(r0-a0, r1-a0))
		} else {
			f32.GemmWith(m.impl, workers, false, true, 1, at.Slice(r0-a0, r1-a0), ly.w, 0, dst)
		}
		if identity {
			return
		}
	}
	if workers > 1 {
		w.job.l, w.job.r0 = l, r0
		w.split(passMulD1, r1-r0, pointUnit(width), (r1-r0)*width)
		return
	}
	m.mulD1(yt, ztd, d1, n, width, r0, r1, y0)
}

// backward propagates the stacked adjoints in w.g[L] (primal rows:
// ∂loss/∂y, tangent rows: ∂loss/∂ẏ) down the net, adding the parameter
// gradient to grad (skipped if grad is nil) and, if input, leaving the
// adjoint of the input in w.g[0]. It overwrites the adjoints on the way.
func (m *Model) backward(w *work, grad []float32, input bool) {
	n, k := w.n, w.k
	rows := (1 + k) * n
	tp := m.packs(w)
	w.job = passJob{m: m, w: w, tp: tp, input: input}
	if tp != nil && tp.wide {
		// The wide layers' Wᵀ, which their adjoint products use, packed
		// first, a layer per worker.
		w.split(passPackAdj, len(m.layers), 1, len(m.params))
	}
	// applied says the adjoints of layer l's output, w.g[l+1], have been
	// taken back through its activation already (by the pass that
	// produced them, point by point).
	applied := false
	for l := len(m.layers) - 1; l >= 0; l-- {
		ly := m.layers[l]
		width := ly.w.Rows
		g := w.g[l+1]
		w.job.l = l
		if ly.act != kernel.Identity && !applied {
			// z̄ = σ'⊙ā + σ”⊙Σ_b ż_b⊙ȧ_b and ż̄_b = σ'⊙ȧ_b.
			w.split(passActBack, n, pointUnit(width), rows*width)
		}
		applied = false
		// The shortcuts below skip products with the zeros of one-hot
		// rows; each element is the same chain of fused multiply-adds,
		// in the same order, as the GEMM over all rows would compute.
		top := l == len(m.layers)-1 && m.traceOnly(w)
		first := l == 0 && w.basis && k > 0
		var gw f32.Matrix
		a := w.a[l]
		if grad != nil {
			gw = f32.Matrix{Rows: ly.w.Rows, Cols: ly.w.Cols, Stride: ly.w.Cols, Data: grad[ly.woff : ly.woff+len(ly.w.Data)]}
			w.job.g, w.job.gb = g, grad[ly.boff:ly.boff+width]
			w.splitCols(passBias, width, n*width)
		}
		// ā = z̄·W is needed below layer 0 or for the input. Where it is
		// produced point by point (the trace shortcut's rows, the
		// training packs' products), layer l−1's actBack follows on each
		// point's rows while they are in cache.
		adj := l > 0 || input
		fuse := l > 0 && m.layers[l-1].act != kernel.Identity
		gl := w.g[l]
		switch {
		case top:
			// With a's tangent rows kept a chunk at a time, passTop's
			// sums follow in traceBack, on the rows written again
			// (tanChunked needs l ≥ 1, so adj holds).
			chunked := m.tanChunked(w, tp, l)
			if grad != nil {
				m.weightGrad(w, gw, g, a, 0, n)
				if !chunked {
					w.job.gw, w.job.g, w.job.a = gw, g, a
					w.split(passTop, k, 1, k*n*a.Cols)
				}
			}
			if !adj {
				continue
			}
			// Tangent row r of block b of ā is ḡ[r][b]·W[b, :].
			f32.GemmWith(m.impl, w.workers, false, false, 1, g.Slice(0, n), ly.w, 0, gl.Slice(0, n))
			w.job.l, w.job.fuse, w.job.gw = l, fuse, f32.Matrix{}
			if chunked && grad != nil {
				w.job.gw = gw
			}
			w.split(passTrace, n, pointUnit(ly.w.Cols), rows*ly.w.Cols)
			applied = fuse
			continue
		case first:
			if grad != nil {
				m.weightGrad(w, gw, g, a, 0, n)
				w.job.gw, w.job.g = gw, g
				w.splitCols(passFirst, width, k*n*width)
			}
		case tp != nil && w.workers <= 1:
			// In chunks of rows, in order: each chunk's share of ∂W (the
			// chains continue exactly from one chunk to the next), then
			// its ā, while the chunk of z̄ is in cache.
			chunk := chunkRows(m.impl)
			chunked := m.tanChunked(w, tp, l)
			for r0 := 0; r0 < rows; r0 += chunk {
				r1 := min(rows, r0+chunk)
				switch {
				case grad == nil:
				case chunked:
					// weightGrad's product (a GEMM, as tanChunked
					// requires) on the chunk's rows of a, written again.
					f32.GemmWith(m.impl, w.workers, true, false, 1, g.Slice(r0, r1), m.redoTangents(w, l, r0, r1), 1, gw)
				default:
					m.weightGrad(w, gw, g, a, r0, r1)
				}
				if adj {
					tp.adjoint(l, gl.Slice(r0, r1), g.Slice(r0, r1))
					if fuse {
						m.actBack(w, l-1, r0, r1)
					}
				}
			}
			if adj && fuse {
				m.actFinish(w, l-1, 0, n)
			}
			applied = adj && fuse
			continue
		case tp != nil:
			// On several goroutines: ∂W in one product over all rows
			// (split by columns, one hand-off); then, point by point, the
			// adjoint rows and layer l−1's actBack on them.
			if grad != nil {
				m.weightGrad(w, gw, g, a, 0, rows)
			}
			if adj {
				if tp.adjWide(l) {
					tp.adj(l) // packed above, not on the chunks' workers
				}
				w.job.l, w.job.fuse = l, fuse
				mr, _ := m.impl.GemmTile()
				w.split(passAdjoint, n, 4*mr, rows*ly.w.Cols)
			}
			applied = adj && fuse
			continue
		default:
			if grad != nil {
				m.weightGrad(w, gw, g, a, 0, rows)
			}
		}
		if adj {
			f32.GemmWith(m.impl, w.workers, false, false, 1, g, ly.w, 0, gl)
		}
	}
}

// narrowLayer is the widest input or output of a layer whose weight
// gradient weightGrad sums with Axpy rather than a GEMM, whose tiles would
// be mostly padding there (a net's first and last layers). Forward
// computes the tangent outputs of a layer with at most narrowLayer outputs
// as dot products.
const narrowLayer = 4

// narrowUnit is the unit of rows of a narrow layer's forward product split
// across the workers: the rows of one call of f32's narrow kernel.
const narrowUnit = 256

// weightGrad adds ḡᵀ·a over rows r0..r1−1 to the weight gradient gw
// (out×in) on w.workers goroutines. Each element is one chain of fused
// multiply-adds over the rows in order, from gw's value, so consecutive
// ranges of rows continue it exactly: a GEMM (split by columns), or, for
// a layer with at most narrowLayer outputs or inputs, one Axpy per row
// and output (or input), which computes the same chains, split by the
// other side's columns.
func (m *Model) weightGrad(w *work, gw, g, a f32.Matrix, r0, r1 int) {
	w.job.gw, w.job.g, w.job.a, w.job.r0, w.job.r1 = gw, g, a, r0, r1
	switch {
	case gw.Cols <= narrowLayer:
		w.splitCols(passWeightCols, gw.Rows, (r1-r0)*gw.Rows)
	case gw.Rows <= narrowLayer:
		w.splitCols(passWeightRows, gw.Cols, (r1-r0)*gw.Cols)
	default:
		f32.GemmWith(m.impl, w.workers, true, false, 1, g.Slice(r0, r1), a.Slice(r0, r1), 1, gw)
	}
}
