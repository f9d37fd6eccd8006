package sampler

import (
	"runtime"
	"sync"
)

// chainMinChains and chainMinElems set the least block worth a goroutine
// of its own (see ChainConfig.Workers): a phase's hand-off between
// goroutines costs microseconds on a busy machine. Tests lower them to
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

// chainTeam splits n chains into contiguous blocks and runs phases (a
// function of a block and its chain range [lo, hi)) on every block at
// once, block 0 on the caller, returning when every block is done. It
// serves the Langevin samplers ([chainEngine]) and the SDE samplers
// alike.
//
// Its workers live from start to stop (one sampler call); a phase costs
// two channel operations per worker and allocates nothing, so a per-step
// barrier is cheap. Since every per-chain computation depends only on the
// chain and its own stream, and every reduction over chains is summed in
// chain order by the caller, results do not depend on the number of
// blocks.
type chainTeam struct {
	bounds []int // block b is chains [bounds[b], bounds[b+1])
	work   []chan func(b, lo, hi int)
	wg     sync.WaitGroup
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
	tm.work = resize(tm.work, nb)
	for b := 1; b < nb; b++ {
		ch := make(chan func(b, lo, hi int))
		tm.work[b] = ch
		go func(b int) {
			for f := range ch {
				f(b, tm.bounds[b], tm.bounds[b+1])
				tm.wg.Done()
			}
		}(b)
	}
}

// stop ends the workers.
func (tm *chainTeam) stop() {
	for b := 1; b < len(tm.work); b++ {
		close(tm.work[b])
		tm.work[b] = nil
	}
	tm.work = tm.work[:0]
}

// run runs f on every block and waits for all.
func (tm *chainTeam) run(f func(b, lo, hi int)) {
	nb := len(tm.work)
	tm.wg.Add(nb - 1)
	for b := 1; b < nb; b++ {
		tm.work[b] <- f
	}
	f(0, tm.bounds[0], tm.bounds[1])
	tm.wg.Wait()
}
