package sampler

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/scorekit/scorekit/internal/spin"
)

// chainMinChains and chainMinElems set the least block worth a goroutine
// of its own (see ChainConfig.Workers): a phase's hand-off between
// goroutines costs microseconds, and tens of them when a parked goroutine
// must be woken. Tests lower them to
// exercise the split on small batches.
var chainMinChains, chainMinElems = 256, 4096

// chainWorkers returns the number of blocks for n chains of dimension d
// given the requested goroutine count req (0: GOMAXPROCS): at most req,
// at most one per chain, and at most one per chainMinChains chains or
// chainMinElems numbers (n·d), whichever allows more. Every sampler
// splits its chains by this rule.
func chainWorkers(req, n, d int) int {
	w := req
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, n, max(n/chainMinChains, n*d/chainMinElems)))
}

// maxSegment is the most steps the blocks of a sampler's team run between
// synchronisations (cancellation checks, progress): the Langevin
// samplers' steps (ChainConfig.Segment 0) and the SDE samplers' time
// steps alike.
const maxSegment = 64

// segmentTime is about the longest a segment of steps runs: the
// first segment of a call is one step, each later one as many steps as
// took about segmentTime at the pace of the one before (1 to maxSegment),
// so that a cancelled context is noticed within about segmentTime however
// many chains there are or however slow the score is. The blocks compute
// the same whatever the segments.
const segmentTime = 25 * time.Millisecond

// segmentHook, if not nil, gives the length of the segment after one of
// steps time steps instead of the clock: tests set it to cut runs into
// segments of their choosing, to check that segments never change the
// result. It is read on the goroutine that runs the sampler.
var segmentHook func(steps int) int

// nextSegment returns the length of the segment after one of steps time
// steps that took d.
func nextSegment(steps int, d time.Duration) int {
	if segmentHook != nil {
		return segmentHook(steps)
	}
	if steps < 1 || d <= 0 {
		return maxSegment
	}
	return max(1, min(maxSegment, int(int64(segmentTime)*int64(steps)/int64(d))))
}

// chainTeam splits n chains into contiguous blocks and runs phases (a
// function of a block and its chain range [lo, hi)) on every block at
// once, block 0 on the caller, returning when every block is done. It
// serves the Langevin samplers ([chainEngine]) and the SDE samplers
// alike.
//
// Its workers live from start to stop (one sampler call); a phase
// allocates nothing. Since every per-chain computation depends only on
// the chain and its own stream, and every reduction over chains is summed
// in chain order by the caller, results do not depend on the number of
// blocks.
//
// Between phases the workers, and the caller between handing out a phase
// and its end, poll for up to spin.For before they park, as f32's helper
// pool does (see package internal/spin): a sampler's phases follow each
// other closely, and the predictor–corrector sampler, whose blocks meet
// several times a step, ran 12 % faster on two goroutines for it (`go test
// ./bench -bench 'Suite/sde/PC.*2_goroutine' -benchtime 3x`, 607–618 ms
// with channel hand-offs against 532–555 ms, three alternated runs each).
// They do not poll when the team has more blocks than GOMAXPROCS.
type chainTeam struct {
	bounds []int    // block b is chains [bounds[b], bounds[b+1])
	cur    *teamRun // the workers between start and stop; nil outside
}

// teamRun is what one start's workers share with the caller. Each start
// makes a new one, so that a worker of an earlier run that has not yet
// seen its stop cannot take a phase of a later run.
type teamRun struct {
	f     func(b, lo, hi int) // the current phase, set before phase moves
	phase atomic.Uint64       // moved by run for each phase and by stop
	quit  atomic.Bool         // set by stop before it moves phase
	left  atomic.Int64        // worker blocks of the phase not yet done
	poll  bool                // whether waits poll before they park
	// panicked holds the first panic of a worker's block in a phase,
	// which run raises again on the caller.
	panicked atomic.Pointer[workerPanic]
	// waits[b] is block b's worker's wait for the next phase; waits[0]
	// is the caller's for the phase's end.
	waits []teamWait
}

// teamWait is one goroutine's wait for a condition another goroutine
// makes true: polling, then parked on wake. A goroutine about to block
// sets asleep, then checks the condition again; the one that makes it
// true then claims asleep and sends a token, so that at least one of the
// two sees the other, a token is sent only to a waiter that set asleep,
// and every token sent is received.
type teamWait struct {
	asleep atomic.Bool
	wake   chan struct{} // capacity 1
}

// await returns once ready() is true.
func (w *teamWait) await(poll bool, ready func() bool) {
	if poll && spin.Until(ready) {
		return
	}
	for !ready() {
		// Swap, not Store: the two are the same in Go's memory model, but
		// qemu-aarch64 lets the release store of a Store pass the acquire
		// load in ready (the store-buffering outcome, which arm64 forbids),
		// and the wake-up is lost; an exchange is a full barrier there too.
		w.asleep.Swap(true)
		if ready() && w.asleep.CompareAndSwap(true, false) {
			return
		}
		// Blocked, or claimed by a signal: take its token. A token may
		// come from a signal of an earlier wait (the condition was made
		// true and observed before it was sent), so check again.
		<-w.wake
	}
}

// signal wakes the goroutine if it is blocked in await, once the
// condition it waits for has been made true.
func (w *teamWait) signal() {
	if w.asleep.CompareAndSwap(true, false) {
		w.wake <- struct{}{}
	}
}

// split sizes the team for n chains in w blocks, reusing its slices. It
// must not be called between start and stop.
func (tm *chainTeam) split(n, w int) {
	tm.bounds = resize(tm.bounds, w+1)
	for b := range tm.bounds {
		tm.bounds[b] = b * n / w
	}
}

// blocks returns the number of blocks of the last split.
func (tm *chainTeam) blocks() int { return len(tm.bounds) - 1 }

// start launches the workers of blocks 1, 2, …; block 0 runs on the
// caller.
func (tm *chainTeam) start() {
	nb := tm.blocks()
	if nb < 2 {
		return
	}
	r := &teamRun{poll: nb <= runtime.GOMAXPROCS(0), waits: make([]teamWait, nb)}
	for b := range r.waits {
		r.waits[b].wake = make(chan struct{}, 1)
	}
	for b := 1; b < nb; b++ {
		go r.work(b, tm.bounds[b], tm.bounds[b+1])
	}
	tm.cur = r
}

// work is the loop of block b's worker.
func (r *teamRun) work(b, lo, hi int) {
	var seen uint64
	for {
		r.waits[b].await(r.poll, func() bool { return r.phase.Load() != seen })
		seen = r.phase.Load()
		if r.quit.Load() {
			return
		}
		r.block(b, lo, hi)
		if r.left.Add(-1) == 0 {
			r.waits[0].signal()
		}
	}
}

// block runs the phase on block b of a worker, keeping a panic for run
// to raise on the caller: a panic on a worker goroutine would end the
// process, where the caller (a service scoring with a model that panics,
// say) can recover it.
func (r *teamRun) block(b, lo, hi int) {
	defer func() {
		if v := recover(); v != nil {
			r.panicked.CompareAndSwap(nil, &workerPanic{v, debug.Stack()})
		}
	}()
	r.f(b, lo, hi)
}

// workerPanic is the value run panics with when a phase panicked on a
// worker: the worker's panic value and stack. It is an error that wraps
// the value if that is an error.
type workerPanic struct {
	value any
	stack []byte
}

func (p *workerPanic) Error() string {
	return fmt.Sprintf("%v [recovered on a sampler worker goroutine and raised again on the caller]\n\nworker stack:\n%s", p.value, p.stack)
}

func (p *workerPanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

// stop ends the workers; it does not wait for them.
func (tm *chainTeam) stop() {
	r := tm.cur
	if r == nil {
		return
	}
	tm.cur = nil
	r.quit.Store(true)
	r.phase.Add(1)
	for b := 1; b < len(r.waits); b++ {
		r.waits[b].signal()
	}
}

// run runs f on every block and waits for all, also when f panics on
// the caller's block (the panic goes on once the workers are done with
// the phase, so that none still writes the caller's buffers). If f
// panicked on a worker's block, run then panics on the caller with a
// *workerPanic holding the worker's value and stack.
func (tm *chainTeam) run(f func(b, lo, hi int)) {
	r := tm.cur
	if r == nil {
		if tm.blocks() > 1 {
			panic("sampler: chainTeam.run of several blocks outside start and stop")
		}
		f(0, tm.bounds[0], tm.bounds[1])
		return
	}
	nb := len(r.waits)
	r.f = f
	r.left.Store(int64(nb - 1))
	r.phase.Add(1)
	for b := 1; b < nb; b++ {
		r.waits[b].signal()
	}
	func() {
		defer r.waits[0].await(r.poll, func() bool { return r.left.Load() == 0 })
		f(0, tm.bounds[0], tm.bounds[1])
	}()
	if p := r.panicked.Swap(nil); p != nil {
		panic(p)
	}
}
