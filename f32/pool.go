package f32

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/scorekit/scorekit/internal/poolstat"
	"github.com/scorekit/scorekit/internal/spin"
)

// The helper goroutines of the parallel GEMM and dense paths.
//
// A parallel call hands its work (a block of a product, split by rows or
// by panels of columns, or a RangeJob) to idle helpers, one atomic store
// each (no channel), and then it and they take chunks of it from a shared
// counter until none is left (see parallelCall.work). An idle helper polls
// its slot for spin.For before it parks on a channel, and a caller polls
// for its helpers for as long before it parks: back-to-back calls (one per layer, one per step)
// then pass work without waking a parked goroutine, which costs tens of
// microseconds on a busy or virtual machine. A helper that has not started
// when the caller runs out of chunks (its thread is waiting for a CPU) is
// called off, so that on a busy machine a call costs about what it costs
// on the caller alone rather than waiting for that thread; and calls from
// several goroutines at once share the helpers that are free, never
// waiting for one another.

// parkedBit marks a parallelCall's pending count when its caller has
// parked: the helper that brings the count to parkedBit wakes it.
const parkedBit = 1 << 30

// helper is one helper goroutine's slot.
type helper struct {
	claimed atomic.Bool                  // a call owns the helper until it is done with it
	slot    atomic.Pointer[parallelCall] // the call posted to the helper, until it takes it
	parked  atomic.Bool                  // the helper waits on wake
	wake    chan struct{}                // capacity 1
	_       [64]byte                     // keep helpers' slots on separate cache lines
}

// helpers are started once, GOMAXPROCS−1 of them (the caller is the other
// worker): with GOMAXPROCS 1 a parallel call runs on the caller alone.
var (
	helpers     []*helper
	helpersOnce sync.Once
)

func startHelpers() {
	helpersOnce.Do(func() {
		helpers = make([]*helper, runtime.GOMAXPROCS(0)-1)
		for i := range helpers {
			h := &helper{wake: make(chan struct{}, 1)}
			helpers[i] = h
			go h.loop()
		}
	})
}

func (h *helper) loop() {
	for {
		h.do(h.take())
	}
}

// do runs c's chunks on h, then hands h and c back. A chunk that panics
// stops the call, its value kept for the caller to raise (see
// parallelCall.run), rather than ending the program from a goroutine no
// caller can recover on; one that calls runtime.Goexit (a test's FailNow)
// stops it too, and a new goroutine takes h's place, rather than leaving
// the caller waiting for h for good.
func (h *helper) do(c *parallelCall) {
	returned := false
	defer func() {
		if !returned {
			r := recover()
			f := &failure{v: r, goexit: r == nil}
			if f.goexit {
				go h.loop() // this goroutine ends when the defers are done
			}
			c.failure.CompareAndSwap(nil, f)
			c.next.Store(int64(c.n))
		}
		h.claimed.Store(false)
		c.done() // the helper's last use of c
	}()
	c.work(true)
	returned = true
}

// take returns the call posted to h, polling for spin.For, then parked.
func (h *helper) take() *parallelCall {
	var c *parallelCall
	start := func() bool {
		c = h.slot.Load()
		return c != nil && h.slot.CompareAndSwap(c, nil)
	}
	if spin.Until(start) {
		return c
	}
	for {
		// Swap and, in post, Swap: each side's write must be seen before
		// its read of the other's (post sees parked, or take sees the
		// slot). Go's Store and Load promise that, but qemu-aarch64 lets
		// a Store pass a later Load; an exchange is a full barrier there.
		h.parked.Swap(true)
		if start() {
			h.parked.Store(false)
			return c
		}
		<-h.wake
		h.parked.Store(false)
		if start() {
			return c
		}
		// A token left by a post the helper had already taken, or by a
		// call that took its post back: wait again.
	}
}

// post hands c to h, which c has claimed.
func (h *helper) post(c *parallelCall) {
	h.slot.Swap(c)
	if h.parked.Load() {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
}

// parallelCall is one multi-worker run, recycled so that the steady
// state allocates nothing. Its work is the indices 0..n−1: rows of blk
// (blk.run), panels of blk's columns if cols (blk.runCols), or job's
// indices if job is not nil.
type parallelCall struct {
	blk     block
	cols    bool
	job     RangeJob
	n       int          // the indices to split
	unit    int          // a chunk is whole units, but for the last
	workers int          // the caller and the helpers it asked for
	next    atomic.Int64 // the first index of the next chunk
	hs      []*helper    // the helpers posted this call
	pending atomic.Int32 // helpers not yet done, | parkedBit once the caller parks
	wakeup  chan struct{}
	failure atomic.Pointer[failure] // the first panic of a helper's chunk
}

// failure is how a chunk on a helper stopped, for the caller to stop so
// too: the value it panicked with, or a call of runtime.Goexit.
type failure struct {
	v      any
	goexit bool
}

var calls struct {
	sync.Mutex
	free []*parallelCall
}

func getCall() *parallelCall {
	calls.Lock()
	defer calls.Unlock()
	if n := len(calls.free); n > 0 {
		c := calls.free[n-1]
		calls.free = calls.free[:n-1]
		return c
	}
	return &parallelCall{wakeup: make(chan struct{}, 1)}
}

func putCall(c *parallelCall) {
	c.blk, c.cols, c.job = block{}, false, nil
	c.failure.Store(nil)
	clear(c.hs)
	calls.Lock()
	calls.free = append(calls.free, c)
	calls.Unlock()
}

// dispatch posts c to up to n idle helpers.
func (c *parallelCall) dispatch(n int) {
	c.hs = c.hs[:0]
	for _, h := range helpers {
		if len(c.hs) == n {
			break
		}
		if !h.claimed.Load() && h.claimed.CompareAndSwap(false, true) {
			c.hs = append(c.hs, h)
		}
	}
	c.pending.Store(int32(len(c.hs)))
	for _, h := range c.hs {
		h.post(c)
	}
}

// chunkHook, if not nil, runs before each chunk a worker does, told
// whether the worker is a helper: tests make workers slow with it, so
// that helpers and callers wait and park.
var chunkHook func(helper bool)

// workersFor bounds workers by the units of work there are and, above
// one, by the helpers there are (starting them at the first call).
func workersFor(workers, units int) int {
	workers = max(1, min(workers, units))
	if workers > 1 {
		startHelpers()
		workers = min(workers, len(helpers)+1)
	}
	return workers
}

// run does c's work on the caller and up to workers−1 helpers, and
// recycles c. c's work (blk, cols or job; n and unit) is set.
//
// A chunk that panics or calls runtime.Goexit stops the call: no worker
// starts another chunk, and run returns only once the helpers are done
// with c, then stops the caller the same way: the caller's own panic or
// Goexit (unrecovered, so its stack is kept), or else a panic with the
// value a helper's chunk panicked with, or Goexit if it called that. The
// helpers survive, and the memory the work writes is not written after
// run returns, recovered or not.
func (c *parallelCall) run(workers int) {
	c.workers = workers
	c.next.Store(0)
	c.dispatch(workers - 1)
	finished := false
	defer func() {
		if !finished { // the caller's chunk panicked: stop, and let the panic go on once the helpers are done
			c.next.Store(int64(c.n))
			c.wait()
			putCall(c)
		}
	}()
	c.work(false)
	finished = true
	c.wait()
	f := c.failure.Load()
	putCall(c)
	switch {
	case f == nil:
	case f.goexit:
		runtime.Goexit()
	default:
		panic(f.v)
	}
}

// work runs chunks until none is left; helper says whether the worker is
// a helper or the caller. A chunk of rows, or of a job's range, is a share
// of what is left (guided scheduling): whole units, large while there is
// much to do, down to one unit at the end, so the workers finish together
// with few trips to the counter. A chunk of columns reads all of A, so
// they are fewer: an even share of what is left, at most ncMax columns.
func (c *parallelCall) work(helper bool) {
	unit, w := int64(c.unit), int64(c.workers)
	for {
		i0 := c.next.Load()
		left := int64(c.n) - i0
		if left <= 0 {
			return
		}
		size := max(left/(2*w)/unit*unit, unit)
		if c.cols {
			size = min((left+w-1)/w, int64(c.blk.g.nc/c.blk.g.nr))
		}
		if !c.next.CompareAndSwap(i0, i0+size) {
			continue
		}
		if helper {
			poolstat.HelperChunks.Add(1)
		}
		if chunkHook != nil {
			chunkHook(helper)
		}
		i1 := int(min(i0+size, int64(c.n)))
		switch {
		case c.job != nil:
			c.job.Range(int(i0), i1)
		case c.cols:
			c.blk.runCols(int(i0), i1)
		default:
			c.blk.run(int(i0), i1)
		}
	}
}

// RangeJob is work over indices 0..n−1 (rows of a matrix, points of a
// batch) that [ParallelRange] splits across goroutines.
type RangeJob interface {
	// Range does the work of indices i0..i1−1. Calls on disjoint
	// ranges may run at the same time, on different goroutines.
	Range(i0, i1 int)
}

// ParallelRange calls job.Range on disjoint ranges that cover 0..n−1, on
// up to workers goroutines: the caller and up to workers−1 of the helper
// goroutines that [Dense.ForwardParallel] and [GemmWith] split their rows
// across, in the same way (chunks from a shared counter, large first;
// helpers that are busy or late leave their share to the others). Each
// range is a whole multiple of unit long (values below 1 mean 1), but for
// the one that ends at n. It returns when every range is done. With
// workers ≤ 1, or n ≤ unit, it calls job.Range(0, n) on the caller. It
// allocates nothing if job is a pointer. Workers above the helpers there
// are (GOMAXPROCS−1) count as that many more; n ≤ 0 calls nothing.
//
// If a call of job.Range panics (or calls runtime.Goexit), no range
// starts after it, and ParallelRange, once every range begun is done,
// panics on the caller with the same value (or calls runtime.Goexit;
// the caller's own range first). job.Range may call ParallelRange or
// GemmWith: the inner call has the helpers that are idle at the time, or
// none.
//
// The split depends on timing: a job whose result must not depend on it
// computes each index the same way whatever range it comes in.
//
// It panics if job is nil, whatever n and workers are.
func ParallelRange(workers, n, unit int, job RangeJob) {
	if job == nil {
		// Not left to the call: the workers would take a nil job for
		// a GEMM's rows and spin on an empty block.
		panic("f32: ParallelRange: nil job")
	}
	if n <= 0 {
		return
	}
	unit = max(1, unit)
	workers = workersFor(workers, (n+unit-1)/unit)
	if workers == 1 {
		job.Range(0, n)
		return
	}
	c := getCall()
	c.job, c.n, c.unit = job, n, unit
	c.run(workers)
}

// done is a helper's report that it has finished its chunks.
func (c *parallelCall) done() {
	if c.pending.Add(-1) == parkedBit {
		c.wakeup <- struct{}{}
	}
}

// wait returns once every helper posted this call is done with it. It
// first takes back the posts no helper has started on: every chunk is
// done, and such a helper's thread may be waiting for a CPU.
func (c *parallelCall) wait() {
	for _, h := range c.hs {
		// The slot holds c only if h has not taken this post: c is posted
		// once per use, and not reused before wait returns.
		if h.slot.CompareAndSwap(c, nil) {
			h.claimed.Store(false)
			c.pending.Add(-1)
		}
	}
	if spin.Until(func() bool { return c.pending.Load() == 0 }) {
		return
	}
	for {
		n := c.pending.Load()
		if n == 0 {
			return
		}
		if c.pending.CompareAndSwap(n, n|parkedBit) {
			<-c.wakeup
			return
		}
	}
}
