package f32

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/scorekit/scorekit/internal/spin"
)

// The helper goroutines of the parallel GEMM and dense paths.
//
// A parallel call hands its block to idle helpers, one atomic store each
// (no channel), and then it and they take chunks of rows from a shared
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
		c := h.take()
		c.work(true)
		h.claimed.Store(false)
		c.done() // the helper's last use of c
	}
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

// parallelCall is one multi-worker run of a block, recycled so that the
// steady state allocates nothing.
type parallelCall struct {
	blk     block
	m       int          // rows
	workers int          // the caller and the helpers it asked for
	next    atomic.Int64 // the first row of the next chunk
	hs      []*helper    // the helpers posted this call
	pending atomic.Int32 // helpers not yet done, | parkedBit once the caller parks
	wakeup  chan struct{}
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
	c.blk = block{}
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

// work runs chunks of rows until none is left; helper says whether the
// worker is a helper or the caller. A chunk is a share of what is left
// (guided scheduling): whole tiles, large while there is much to do, down
// to one tile at the end, so the workers finish together with few trips
// to the counter.
func (c *parallelCall) work(helper bool) {
	mr, w := c.blk.g.mr, int64(c.workers)
	for {
		i0 := c.next.Load()
		left := int64(c.m) - i0
		if left <= 0 {
			return
		}
		size := max(left/(2*w)/int64(mr)*int64(mr), int64(mr))
		if !c.next.CompareAndSwap(i0, i0+size) {
			continue
		}
		if chunkHook != nil {
			chunkHook(helper)
		}
		c.blk.run(int(i0), int(min(i0+size, int64(c.m))))
	}
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
