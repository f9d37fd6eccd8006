package f32

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The helper goroutines of the parallel GEMM and dense paths.
//
// A call splits its rows into shares: the caller runs the first and hands
// each of the others to an idle helper through the helper's slot (one
// atomic store, no channel), then waits for them. An idle helper polls its
// slot for spinFor before it parks on a channel, and a caller polls for
// its helpers for as long before it parks: back-to-back calls (one per
// layer, one per step) then pass work without waking a parked goroutine,
// which costs tens of microseconds on a busy or virtual machine and used to
// cost more than the split saved. A share no helper is free for (another
// call holds them) runs on the caller, so calls from several goroutines
// never wait for one another.

// spinFor is how long an idle helper, or a caller whose helpers are not
// done, polls before parking.
const spinFor = 50 * time.Microsecond

// parkedBit marks a parallelCall's pending count when its caller has
// parked: the helper that brings the count to parkedBit wakes it.
const parkedBit = 1 << 30

// helper is one helper goroutine's slot.
type helper struct {
	claimed atomic.Bool            // a call owns the helper until its share is done
	parked  atomic.Bool            // the helper waits on wake
	next    atomic.Pointer[rowJob] // the share to run
	wake    chan struct{}          // capacity 1
	_       [64]byte               // keep helpers' slots on separate cache lines
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
		j := *h.take() // a copy: the caller may recycle the job once it is done
		j.call.blk.run(j.i0, j.i1)
		h.claimed.Store(false)
		j.call.done()
	}
}

// take returns the next share, polling for spinFor, then parked.
func (h *helper) take() *rowJob {
	if spin(func() bool { return h.next.Load() != nil }) {
		return h.next.Swap(nil)
	}
	for {
		h.parked.Store(true)
		if j := h.next.Swap(nil); j != nil {
			h.parked.Store(false)
			return j
		}
		<-h.wake
		h.parked.Store(false)
		if j := h.next.Swap(nil); j != nil {
			return j
		}
		// A token left by a post that found the helper parked just as it
		// took the share itself: wait again.
	}
}

// post hands j to h, which the caller has claimed.
func (h *helper) post(j *rowJob) {
	h.next.Store(j)
	if h.parked.Load() {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
}

// spin polls ready for up to spinFor and says whether it became true. It
// yields the processor now and then, so that a goroutine made runnable on
// this P (a caller that a helper has just woken) is not held up.
func spin(ready func() bool) bool {
	var start time.Time
	for i := 1; ; i++ {
		if ready() {
			return true
		}
		if i%128 == 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > spinFor {
				return false
			}
			runtime.Gosched()
		}
	}
}

// parallelCall is one multi-worker run of a block, recycled so that the
// steady state allocates nothing.
type parallelCall struct {
	blk     block
	hs      []*helper // the helpers running shares 1..len(hs)
	jobs    []rowJob
	pending atomic.Int32 // shares not yet done, | parkedBit once the caller parks
	wakeup  chan struct{}
}

// rowJob asks a helper for rows i0..i1−1 of call's block.
type rowJob struct {
	call   *parallelCall
	i0, i1 int
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

// dispatch hands shares 1, 2, … (per rows each, of m) to as many idle
// helpers as it can claim, in order; the caller runs share 0 and any share
// left over.
func (c *parallelCall) dispatch(per, m int) {
	c.hs = c.hs[:0]
	for i0 := per; i0 < m; i0 += per {
		h := claimHelper()
		if h == nil {
			break
		}
		c.hs = append(c.hs, h)
	}
	if cap(c.jobs) < len(c.hs) {
		c.jobs = make([]rowJob, len(c.hs))
	}
	c.jobs = c.jobs[:len(c.hs)]
	c.pending.Store(int32(len(c.hs)))
	for s, h := range c.hs {
		i0 := (s + 1) * per
		c.jobs[s] = rowJob{call: c, i0: i0, i1: min(i0+per, m)}
		h.post(&c.jobs[s])
	}
}

func claimHelper() *helper {
	for _, h := range helpers {
		if !h.claimed.Load() && h.claimed.CompareAndSwap(false, true) {
			return h
		}
	}
	return nil
}

// done is a helper's report that its share is finished; it is the
// helper's last use of c.
func (c *parallelCall) done() {
	if c.pending.Add(-1) == parkedBit {
		c.wakeup <- struct{}{}
	}
}

// wait returns once every helper's share is done.
func (c *parallelCall) wait() {
	if spin(func() bool { return c.pending.Load() == 0 }) {
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
