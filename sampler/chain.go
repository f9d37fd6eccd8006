package sampler

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/scorekit/scorekit/internal/rngconst"
	"github.com/scorekit/scorekit/kernel"
)

// ChainConfig says how the Langevin samplers (ULA, MALA, SGLD, annealed
// and underdamped Langevin, SGHMC) run a batch of chains.
//
// Chain c of a run uses its own random stream kernel.NewStream(Seed,
// FirstChain+c): its normals are the stream's outputs from position 0 on,
// and its other draws (MALA's accept uniforms, the minibatch indices of
// SGLD and SGHMC) the outputs from position 2⁶³ on ([kernel.Stream.Seek]),
// so that each kind is read in order and in whole groups. The chains are
// split into contiguous blocks, one per goroutine; since every chain
// draws only from its own stream and every per-chain computation depends
// only on that chain's state, the samples are bit-identical for any
// Workers and GOMAXPROCS, provided the score computes each row
// independently of the other rows of its batch (the analytic targets of
// package data do).
type ChainConfig struct {
	// Seed and FirstChain select the streams.
	Seed, FirstChain uint64
	// Steps is the number of steps after burn-in.
	Steps int
	// BurnIn is the number of steps run (and, for MALA, used to adapt the
	// step size) before any draw is kept.
	BurnIn int
	// Thin keeps every Thin-th state after burn-in in the returned
	// [Trace]; 0 keeps none (the final state is still in x).
	Thin int
	// Workers is the most goroutines a run uses; 0 means GOMAXPROCS.
	// Since a step's hand-off between goroutines costs microseconds, a
	// run gives each goroutine a block of at least 256 chains or 4096
	// numbers (chains × dimension), whichever allows more goroutines:
	// fewer chains run on the calling goroutine alone. It never changes
	// the result.
	Workers int
	// Progress, if not nil, is called on the goroutine that called Run
	// after every segment of steps (see Segment), with the steps done and
	// the total (burn-in included); its last call has done = total.
	Progress func(done, total int)
	// Segment is the number of steps the blocks run between
	// synchronisations (cancellation checks, progress); 0 means segments
	// sized by time, as the SDE samplers' are: the first one step, each
	// later one as many as took about 25 ms at the pace of the one before,
	// at most 64, so that a cancelled context is noticed within about
	// 25 ms however many chains there are. A segment also ends with the
	// burn-in, so the first after it starts at step BurnIn. Segments
	// never change the result.
	Segment int
}

func (c *ChainConfig) validate(who string) error {
	switch {
	case c.Steps < 0 || c.BurnIn < 0:
		return fmt.Errorf("sampler: %s: Steps = %d, BurnIn = %d: want ≥ 0", who, c.Steps, c.BurnIn)
	case c.Steps > math.MaxInt-c.BurnIn:
		// A run's BurnIn + Steps would wrap to a negative count, and it
		// would return at once, having run nothing.
		return fmt.Errorf("sampler: %s: Steps = %d, BurnIn = %d: BurnIn + Steps overflows an int", who, c.Steps, c.BurnIn)
	case c.Thin < 0:
		return fmt.Errorf("sampler: %s: Thin = %d, want ≥ 0", who, c.Thin)
	case c.Workers < 0 || c.Segment < 0:
		return fmt.Errorf("sampler: %s: Workers = %d, Segment = %d: want ≥ 0", who, c.Workers, c.Segment)
	}
	return nil
}

// checkStep returns an error unless v, a step size of the sampler who,
// is positive and, rounded to float32 as the chains' kernels take it, a
// normal finite float32 (2⁻¹²⁶ ≈ 1.2e-38 to MaxFloat32 ≈ 3.4e38): a
// smaller step is 0 there (every chain stands still, or, in MALA, every
// proposal is rejected) or a subnormal one of a few bits, a larger one
// +Inf (every chain diverges at its first step). The error names the
// setting with what, which may carry the settings v derives from.
func checkStep(who, what string, v float64) error {
	f := float32(v)
	var is string
	switch {
	case !(v > 0):
		return fmt.Errorf("sampler: %s: %s = %v, want > 0", who, what, v)
	case f == 0:
		is = "0"
	case f < minNormal32:
		is = fmt.Sprintf("subnormal (%v)", f)
	case math.IsInf(float64(f), 0):
		is = "+Inf"
	default:
		return nil
	}
	return fmt.Errorf("sampler: %s: %s = %v is %s in float32, in which the chains step: want a normal float32, 1.2e-38 to 3.4e+38", who, what, v, is)
}

// Trace holds the states a run kept: Draws draws of Chains chains in ℝ^Dim,
// draw-major. Coordinate j of chain c at draw k is
// Data[(k·Chains + c)·Dim + j].
//
// Its methods panic, naming themselves, on a nil *Trace (as a Run that
// keeps no draws returns) and on counts that do not describe Data
// (len(Data) ≠ Chains·Dim·Draws); the zero Trace has no draws.
type Trace struct {
	Chains, Dim, Draws int
	Data               []float32
}

// At returns the state of chain c at draw k (sharing Data). It panics
// unless 0 ≤ k < Draws and 0 ≤ c < Chains.
func (t *Trace) At(k, c int) []float32 {
	t.check("At")
	inRange("Trace.At", "draw", k, t.Draws)
	inRange("Trace.At", "chain", c, t.Chains)
	o := (k*t.Chains + c) * t.Dim
	return t.Data[o : o+t.Dim : o+t.Dim]
}

// Draw returns all chains at draw k, Chains×Dim row-major (sharing Data).
// It panics unless 0 ≤ k < Draws.
func (t *Trace) Draw(k int) []float32 {
	t.check("Draw")
	inRange("Trace.Draw", "draw", k, t.Draws)
	o := k * t.Chains * t.Dim
	return t.Data[o : o+t.Chains*t.Dim]
}

// Series returns coordinate j of chain c over the draws, in float64. It
// panics unless 0 ≤ c < Chains and 0 ≤ j < Dim.
func (t *Trace) Series(c, j int) []float64 {
	t.check("Series")
	inRange("Trace.Series", "chain", c, t.Chains)
	inRange("Trace.Series", "coordinate", j, t.Dim)
	s := make([]float64, t.Draws)
	for k := range s {
		s[k] = float64(t.Data[(k*t.Chains+c)*t.Dim+j])
	}
	return s
}

// Coordinate returns coordinate j of every chain, chains[c][k], the shape
// the diagnostics ([ESS], [SplitRHat], [Summarize]) take. It panics
// unless 0 ≤ j < Dim.
func (t *Trace) Coordinate(j int) [][]float64 {
	t.check("Coordinate")
	inRange("Trace.Coordinate", "coordinate", j, t.Dim)
	out := make([][]float64, t.Chains)
	for c := range out {
		out[c] = t.Series(c, j)
	}
	return out
}

// check panics, naming the method, if t is nil (what Run returns when it
// keeps no draws) or its fields do not describe Data: negative counts, or
// len(Data) other than Chains·Dim·Draws, which the methods would index
// out of range (or read as other draws) with a runtime error.
func (t *Trace) check(method string) {
	if t == nil {
		panic(fmt.Sprintf("sampler: Trace.%s: nil *Trace: a Run that keeps no draws returns one (Thin 0, the default, or above the steps run; no chains)", method))
	}
	if n, ok := traceLen(t.Chains, t.Dim, t.Draws); !ok || len(t.Data) != n {
		panic(fmt.Sprintf("sampler: Trace.%s: Chains, Dim, Draws = %d, %d, %d and %d values in Data, want Chains·Dim·Draws values", method, t.Chains, t.Dim, t.Draws, len(t.Data)))
	}
}

// traceLen returns Chains·Dim·Draws, and false if a count is negative or
// the product overflows an int.
func traceLen(counts ...int) (int, bool) {
	n := 1
	for _, c := range counts {
		if c < 0 || c > 0 && n > math.MaxInt/c {
			return 0, false
		}
		n *= c
	}
	return n, true
}

// inRange panics, naming the method ("Trace.At") and what i indexes,
// unless 0 ≤ i < n: a chain or coordinate past its range would otherwise
// read another chain's or draw's values without a word.
func inRange(method, what string, i, n int) {
	if i < 0 || i >= n {
		panic(fmt.Sprintf("sampler: %s: %s %d out of range [0, %d)", method, what, i, n))
	}
}

// Summary returns [Summarize] of every coordinate (Draws ≥ 8).
func (t *Trace) Summary() []Summary {
	t.check("Summary")
	s := make([]Summary, t.Dim)
	for j := range s {
		s[j] = Summarize(t.Coordinate(j))
	}
	return s
}

// DivergenceError reports a chain whose state became NaN or infinite, in
// any sampler of the package (the Langevin family, PC, the ODE sampler).
type DivergenceError struct {
	Sampler string
	Step    int // 0-based, burn-in included (a time step for PC and the ODE); −1 for the initial state
	Chain   int // index in the batch (its stream is FirstChain + Chain)
	Hint    string
}

// Error describes the divergence: sampler, step, chain and likely cause.
func (e *DivergenceError) Error() string {
	if e == nil {
		panic("sampler: DivergenceError.Error: nil *DivergenceError")
	}
	if e.Step < 0 {
		return fmt.Sprintf("sampler: %s: chain %d: the initial state, its score or its log density is not finite", e.Sampler, e.Chain)
	}
	return fmt.Sprintf("sampler: %s: step %d, chain %d: state is not finite (NaN or Inf); %s", e.Sampler, e.Step, e.Chain, e.Hint)
}

// chainKernel is one Langevin-family method driven by chainEngine. The
// block methods run concurrently on disjoint chain ranges [lo, hi).
type chainKernel interface {
	name() string
	hint() string
	dim() int
	// resize sizes the per-chain buffers for n chains, the last run's
	// being old (0 after a reset): the first min(old, n) chains continue,
	// keeping their state (step sizes, velocities); the others start
	// afresh.
	resize(old, n int)
	// begin prepares chains [lo, hi) of x (initial scores, velocities)
	// and returns the first chain whose initial score or log density is
	// not finite, or −1.
	begin(e *chainEngine, x []float32, lo, hi int) int
	// step advances chains [lo, hi) by step t (0-based, burn-in included).
	step(e *chainEngine, t int, x []float32, lo, hi int)
	// warmupDone runs on the caller between burn-in and sampling.
	warmupDone(e *chainEngine)
	// finish runs after the last step on chains [lo, hi).
	finish(e *chainEngine, x []float32, lo, hi int)
}

// noHooks gives a chainKernel empty begin, warmupDone and finish.
type noHooks struct{}

func (noHooks) begin(*chainEngine, []float32, int, int) int { return -1 }
func (noHooks) warmupDone(*chainEngine)                     {}
func (noHooks) finish(*chainEngine, []float32, int, int)    {}

const (
	phaseBegin = iota
	phaseSteps
	phaseFinish
)

// chainEngine runs a chainKernel over a batch of chains: streams, the
// goroutine team, segments, thinning, divergence and cancellation.
type chainEngine struct {
	cfg ChainConfig
	// streams are the chains' normals (from position 0), words their
	// other draws (from chainWordsPos; only for the kernels that
	// implement wordDrawer): one for every chain that ran since the last
	// reset, at least n (see chains).
	streams, words []kernel.Stream
	// noise and wordBuf buffer one group of each chain's normals (when
	// d < chainGroup) and of its words, for at most chainNoiseMax chains;
	// nil otherwise. z holds a step's normals, n×d, when d < chainGroup.
	noise   []chainNoise
	wordBuf []chainBuf[uint32]
	z       []float32
	n, d    int
	fresh   bool // streams must be (re)created

	// Set by run before each phase; read by the blocks.
	k       chainKernel
	x       []float32
	phase   int
	t0, t1  int
	burn    int
	trace   *Trace
	fail    []chainFail
	blockFn func(b, lo, hi int)
	team    chainTeam
}

type chainFail struct{ step, chain int }

func newChainEngine(cfg ChainConfig) chainEngine {
	return chainEngine{cfg: cfg, fresh: true}
}

// Reset makes the next run start every stream from position 0.
func (e *chainEngine) reset() { e.fresh = true }

func (e *chainEngine) block(b, lo, hi int) {
	d, x, k := e.d, e.x, e.k
	switch e.phase {
	case phaseBegin:
		bad := k.begin(e, x, lo, hi)
		if c := firstNonFinite(x[lo*d:hi*d], d); c >= 0 && (bad < 0 || lo+c < bad) {
			bad = lo + c
		}
		if bad >= 0 {
			e.fail[b] = chainFail{-1, bad}
		}
	case phaseSteps:
		for t := e.t0; t < e.t1; t++ {
			k.step(e, t, x, lo, hi)
			if c := firstNonFinite(x[lo*d:hi*d], d); c >= 0 {
				e.fail[b] = chainFail{t, lo + c}
				return
			}
			if tr := e.trace; tr != nil && t >= e.burn && (t-e.burn+1)%e.cfg.Thin == 0 {
				o := ((t-e.burn+1)/e.cfg.Thin - 1) * e.n
				copy(tr.Data[(o+lo)*d:(o+hi)*d], x[lo*d:hi*d])
			}
		}
	case phaseFinish:
		k.finish(e, x, lo, hi)
		if c := firstNonFinite(x[lo*d:hi*d], d); c >= 0 {
			e.fail[b] = chainFail{e.t1, lo + c}
		}
	}
}

// chains sizes the engine for n chains. A chain that ran before since
// the last reset, in a batch of any size, continues its streams where
// they stopped, so that a sampler reused for batches of different sizes
// never draws the same numbers twice; a chain new to it starts its
// streams at position 0 (its streams are FirstChain + its index).
func (e *chainEngine) chains(k chainKernel, n int) {
	e.n = n
	for c := len(e.streams); c < n; c++ {
		e.streams = append(e.streams, kernel.NewStream(e.cfg.Seed, e.cfg.FirstChain+uint64(c)))
	}
	if _, ok := k.(wordDrawer); ok {
		for c := len(e.words); c < n; c++ {
			w := kernel.NewStream(e.cfg.Seed, e.cfg.FirstChain+uint64(c))
			w.Seek(chainWordsPos)
			e.words = append(e.words, w)
		}
		e.wordBuf = chainBuffers(e.wordBuf, n)
	}
	if e.d < chainGroup {
		e.z = resize(e.z, n*e.d)
		e.noise = chainBuffers(e.noise, n)
	}
}

// chainBuffers returns b sized for n chains (at least), the buffers of
// the chains it held kept and new ones empty; or, if n > chainNoiseMax,
// none: the chains then read their streams directly, and what b held is
// skipped (never read again).
func chainBuffers[T any](b []T, n int) []T {
	if n > chainNoiseMax {
		return b[:0]
	}
	var empty T
	for len(b) < n {
		b = append(b, empty)
	}
	return b
}

// firstNonFinite returns the index of the first row of width d in x that
// holds a NaN or an infinity, or −1.
func firstNonFinite[F float32 | float64](x []F, d int) int {
	for i, v := range x {
		if v-v != 0 { // NaN or ±Inf
			return i / d
		}
	}
	return -1
}

// run runs burn+steps steps of k on the chains in x (n×d, updated in
// place) and returns the kept draws (nil if Thin is 0).
func (e *chainEngine) run(ctx context.Context, k chainKernel, x []float32, burn, steps int) (*Trace, error) {
	d := k.dim()
	if d <= 0 || len(x)%d != 0 {
		panic(fmt.Sprintf("sampler: %s: len(x) = %d is not a multiple of the dimension %d", k.name(), len(x), d))
	}
	n := len(x) / d
	if n == 0 {
		return nil, nil
	}
	if e.fresh || d != e.d {
		// Every stream restarts at position 0, every chain's state afresh.
		e.fresh, e.d, e.n = false, d, 0
		e.streams, e.words = e.streams[:0], e.words[:0]
		e.noise, e.wordBuf = e.noise[:0], e.wordBuf[:0]
	}
	if n != e.n {
		old := e.n
		e.chains(k, n)
		k.resize(old, n)
	}
	e.k, e.x, e.burn = k, x, burn
	var tr *Trace
	if e.cfg.Thin > 0 && steps/e.cfg.Thin > 0 {
		draws := steps / e.cfg.Thin
		tr = &Trace{Chains: n, Dim: d, Draws: draws, Data: make([]float32, draws*n*d)}
	}
	e.trace = tr
	w := chainWorkers(e.cfg.Workers, n, d)
	e.fail = resize(e.fail, w)
	for b := range e.fail {
		e.fail[b] = chainFail{chain: -1}
	}
	if e.blockFn == nil {
		e.blockFn = e.block
	}
	e.team.split(n, w)
	e.team.start()
	defer e.team.stop()

	e.phase = phaseBegin
	e.team.run(e.blockFn)
	if err := e.failure(); err != nil {
		return nil, err
	}
	seg, timed := e.cfg.Segment, e.cfg.Segment <= 0
	if timed {
		seg = 1
	}
	total := burn + steps
	e.phase = phaseSteps
	for t := 0; t < total; {
		select {
		case <-ctx.Done():
			return tr, fmt.Errorf("sampler: %s: stopped at step %d of %d: %w", k.name(), t, total, ctx.Err())
		default:
		}
		end := min(t+seg, total)
		if t < burn && end > burn {
			end = burn
		}
		e.t0, e.t1 = t, end
		start := time.Now()
		e.team.run(e.blockFn)
		if err := e.failure(); err != nil {
			return nil, err
		}
		if timed {
			seg = nextSegment(end-t, time.Since(start))
		}
		t = end
		if t == burn && burn > 0 {
			k.warmupDone(e)
		}
		if e.cfg.Progress != nil {
			e.cfg.Progress(t, total)
		}
	}
	e.phase = phaseFinish
	e.t1 = total
	e.team.run(e.blockFn)
	if err := e.failure(); err != nil {
		return nil, err
	}
	return tr, nil
}

// chainGroup is the Philox stream's group length: the assembly computes
// whole groups of 64 outputs, whatever the length of a read.
const chainGroup = 64

// chainNoiseMax is the most chains whose draws are buffered (a group of
// 64 outputs per chain and kind): beyond it the buffers would cost more
// memory than they save time. Buffering never changes the numbers; tests
// lower it to check that.
var chainNoiseMax = 1 << 14

// chainWordsPos is the position of a chain's stream from which it draws
// everything but its normals: 32-bit words for the minibatch indices of
// SGLD and SGHMC, and MALA's accept uniforms, u = (w>>9)·2⁻²³ + 2⁻²⁴ from
// word w (as [kernel.Stream.Uniforms] makes them). Keeping the two kinds
// apart lets each be read in whole groups, through its own buffer, while
// the stream stays the chain's own; the normals would reach this
// position after 2⁶³ draws.
const chainWordsPos = 1 << 63

// wordDrawer marks the kernels that draw words as well as normals; the
// engine gives only them word streams.
type wordDrawer interface{ drawsWords() }

// chainBuf is one group of a stream's outputs (normals, or 32-bit words),
// buf[i:n] pending: the small reads of low-dimensional chains (d normals,
// or one uniform, per step) then cost one group per 64 outputs instead of
// one group per read. Buffering does not change the numbers: the k-th
// value read through the buffer is the k-th the stream gives from where
// the buffer started (a partial read of a kernel.Stream returns the same
// values as a whole one).
type chainBuf[T float32 | uint32] struct {
	i, n int
	buf  [chainGroup]T
}

// read fills dst with the next values of s read through r: the pending
// ones first, then, if a group or more remains, straight from s, else
// through the buffer refilled up to the next group boundary.
func (r *chainBuf[T]) read(s *kernel.Stream, dst []T) {
	k := copy(dst, r.buf[r.i:r.n])
	r.i += k
	dst = dst[k:]
	if len(dst) >= chainGroup {
		streamRead(s, dst)
		return
	}
	for ; len(dst) > 0; dst = dst[k:] {
		m := chainGroup - int(s.Pos()%chainGroup)
		streamRead(s, r.buf[:m])
		k = copy(dst, r.buf[:m])
		r.i, r.n = k, m
	}
}

// next returns the next value of s read through r.
func (r *chainBuf[T]) next(s *kernel.Stream) T {
	if r.i == r.n {
		m := chainGroup - int(s.Pos()%chainGroup)
		streamRead(s, r.buf[:m])
		r.i, r.n = 0, m
	}
	r.i++
	return r.buf[r.i-1]
}

// streamRead fills dst from s: normals for float32, words for uint32. (A
// type switch rather than a method value, which would make dst escape.)
func streamRead[T float32 | uint32](s *kernel.Stream, dst []T) {
	switch v := any(dst).(type) {
	case []float32:
		s.Normals(v)
	case []uint32:
		s.Uint32s(v)
	}
}

// chainNoise is a chainBuf of normals.
type chainNoise = chainBuf[float32]

// normals fills dst with chain c's next len(dst) normals.
func (e *chainEngine) normals(c int, dst []float32) {
	if len(e.noise) == 0 {
		e.streams[c].Normals(dst)
		return
	}
	e.noise[c].read(&e.streams[c], dst)
}

// wordsOf fills dst with chain c's next len(dst) words.
func (e *chainEngine) wordsOf(c int, dst []uint32) {
	if len(e.wordBuf) == 0 {
		e.words[c].Uint32s(dst)
		return
	}
	e.wordBuf[c].read(&e.words[c], dst)
}

// uniform returns chain c's next uniform in (0, 1), made from its next
// word as kernel.Stream.Uniforms makes them (see [chainWordsPos]).
func (e *chainEngine) uniform(c int) float32 {
	var w uint32
	if len(e.wordBuf) == 0 {
		var b [1]uint32
		e.words[c].Uint32s(b[:])
		w = b[0]
	} else {
		w = e.wordBuf[c].next(&e.words[c])
	}
	return float32(w>>9)*rngconst.UniScale + rngconst.UniHalf // exact
}

// langevin performs x ← x + a·grad + b·z for chains [lo, hi), z the next
// d normals of each chain: the same bits as kernel.Stream.LangevinStep,
// which it runs per chain when the normals are not buffered.
func (e *chainEngine) langevin(a, b float32, x, grad []float32, lo, hi int) {
	d := e.d
	if len(e.noise) == 0 {
		for c := lo; c < hi; c++ {
			e.streams[c].LangevinStep(a, b, x[c*d:c*d+d], grad[c*d:c*d+d])
		}
		return
	}
	z := e.blockNormals(lo, hi)
	kernel.LangevinUpdate(a, b, rows(x, d, lo, hi), rows(grad, d, lo, hi), z)
}

// kineticO performs the O step v ← c1·v + c2·z for chains [lo, hi), z the
// next d normals of each chain: the same bits as kernel.Stream.KineticO
// (c1·v rounded, then one fma), which it runs per chain when the normals
// are not buffered.
func (e *chainEngine) kineticO(c1, c2 float32, v []float32, lo, hi int) {
	d := e.d
	if len(e.noise) == 0 {
		for c := lo; c < hi; c++ {
			e.streams[c].KineticO(c1, c2, v[c*d:c*d+d])
		}
		return
	}
	z := e.blockNormals(lo, hi)
	vb := rows(v, d, lo, hi)
	kernel.Scale(c1, vb)
	kernel.Axpy(c2, z, vb)
}

// blockNormals reads the next d normals of each chain in [lo, hi) into
// its rows of e.z and returns them (d < chainGroup).
func (e *chainEngine) blockNormals(lo, hi int) []float32 {
	d := e.d
	z := rows(e.z, d, lo, hi)
	for c := lo; c < hi; c++ {
		e.normals(c, z[(c-lo)*d:(c-lo+1)*d])
	}
	return z
}

// failure returns the divergence with the lowest (step, chain), if any:
// the same whatever the split, since chains do not interact.
func (e *chainEngine) failure() error {
	best := chainFail{chain: -1}
	for _, f := range e.fail {
		if f.chain < 0 {
			continue
		}
		if best.chain < 0 || f.step < best.step || (f.step == best.step && f.chain < best.chain) {
			best = f
		}
	}
	if best.chain < 0 {
		return nil
	}
	return &DivergenceError{Sampler: e.k.name(), Step: best.step, Chain: best.chain, Hint: e.k.hint()}
}

// resize returns a with length n, reusing its array if it is long enough
// (the contents are then stale), else a new one.
func resize[T any](a []T, n int) []T {
	if cap(a) < n {
		return make([]T, n)
	}
	return a[:n]
}

// keep returns a, whose length is old, with length n: its first
// min(old, n) elements kept, the others stale.
func keep[T any](a []T, old, n int) []T {
	if cap(a) >= n {
		return a[:n]
	}
	b := make([]T, n)
	copy(b, a[:min(old, n)])
	return b
}

// rows returns rows [lo, hi) of the n×d matrix a.
func rows(a []float32, d, lo, hi int) []float32 { return a[lo*d : hi*d : hi*d] }
