package sampler

import (
	"math"
	"runtime"
	"sync"

	"github.com/scorekit/scorekit/kernel"
)

// sdeTeam splits n chains into contiguous blocks, one per goroutine, and
// runs phases (a function of a block's chain range) on all blocks at once,
// returning when every block is done. The workers live for one sampler
// call; a phase costs two channel operations per worker and allocates
// nothing, so the per-step barrier is cheap.
//
// Every per-chain computation depends only on the chain and its stream,
// and every reduction over chains is summed in chain order by the caller,
// so results do not depend on the number of blocks.
type sdeTeam struct {
	bounds []int // block b is chains [bounds[b], bounds[b+1])
	work   []chan func(b, lo, hi int)
	wg     sync.WaitGroup
}

// sdeMinBlock is the least work (chains × d) worth a goroutine of its own
// by default: a phase's hand-off costs microseconds on a busy machine.
const sdeMinBlock = 4096

// sdeWorkers returns the number of blocks for n chains of dimension d
// given a requested goroutine count: req if positive, else GOMAXPROCS
// but no more than one block per sdeMinBlock elements. Never more blocks
// than chains.
func sdeWorkers(req, n, d int) int {
	w := req
	if w <= 0 {
		w = min(runtime.GOMAXPROCS(0), n*d/sdeMinBlock)
	}
	return max(min(w, n), 1)
}

// reset sizes the team for n chains and w blocks; it reuses its slices.
func (tm *sdeTeam) reset(n, w int) {
	if cap(tm.bounds) < w+1 {
		tm.bounds = make([]int, w+1)
	}
	tm.bounds = tm.bounds[:w+1]
	for b := 0; b <= w; b++ {
		tm.bounds[b] = b * n / w
	}
}

func (tm *sdeTeam) blocks() int { return len(tm.bounds) - 1 }

// start launches the workers for blocks 1..; block 0 runs on the caller.
func (tm *sdeTeam) start() {
	nb := tm.blocks()
	if cap(tm.work) < nb {
		tm.work = make([]chan func(b, lo, hi int), nb)
	}
	tm.work = tm.work[:nb]
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
func (tm *sdeTeam) stop() {
	for b := 1; b < tm.blocks(); b++ {
		close(tm.work[b])
		tm.work[b] = nil
	}
}

// run runs f on every block and waits for all.
func (tm *sdeTeam) run(f func(b, lo, hi int)) {
	nb := tm.blocks()
	tm.wg.Add(nb - 1)
	for b := 1; b < nb; b++ {
		tm.work[b] <- f
	}
	f(0, tm.bounds[0], tm.bounds[1])
	tm.wg.Wait()
}

// sdeFirstNonFinite returns the index of the first chain (of width d,
// numbered from chain0) in x holding a NaN or an infinity, or −1.
func sdeFirstNonFinite(x []float32, d, chain0 int) int {
	for i, v := range x {
		if v-v != 0 { // NaN or ±Inf
			return chain0 + i/d
		}
	}
	return -1
}

// sdeFirstNonFinite64 is sdeFirstNonFinite for float64 states.
func sdeFirstNonFinite64(x []float64, w, chain0 int) int {
	for i, v := range x {
		if v-v != 0 { // NaN or ±Inf
			return chain0 + i/w
		}
	}
	return -1
}

// sdeNorm returns the Euclidean norm of x, through the kernel for long
// vectors (a kernel call costs more than a short loop).
func sdeNorm(x []float32) float64 {
	if len(x) >= 32 {
		return math.Sqrt(float64(kernel.SumSq(x)))
	}
	var s float32
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(float64(s))
}
