package sampler

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestChainWorkers: small batches run on one goroutine, large ones split.
func TestChainWorkers(t *testing.T) {
	for _, c := range []struct{ req, n, d, want int }{
		{2, 1, 2, 1}, {2, 511, 2, 1}, {2, 512, 2, 2}, {8, 1024, 2, 4}, {8, 1024, 1, 4}, {8, 4096, 2, 8},
		{2, 100, 64, 1}, {2, 128, 64, 2}, {4, 10000, 2, 4}, {1, 1 << 20, 2, 1},
		{8, 2, 20000, 2}, // 9 blocks' worth of numbers, but one block per chain at most
	} {
		if got := chainWorkers(c.req, c.n, c.d); got != c.want {
			t.Errorf("chainWorkers(%d, %d, %d) = %d, want %d", c.req, c.n, c.d, got, c.want)
		}
	}
	if got, want := chainWorkers(0, 1<<20, 2), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("chainWorkers(0, 1<<20, 2) = %d, want GOMAXPROCS = %d", got, want)
	}
}

// smallBlocks allows blocks of one chain until the test ends, so that
// the small batches of the determinism tests are really split.
func smallBlocks(t *testing.T) {
	c, e := chainMinChains, chainMinElems
	chainMinChains, chainMinElems = 1, 1
	t.Cleanup(func() { chainMinChains, chainMinElems = c, e })
}

// splits are the (GOMAXPROCS, Workers) pairs the determinism tests run;
// the first is the reference.
var splits = [][2]int{{1, 1}, {2, 2}, {2, 3}, {1, 7}, {2, 64}, {2, 0}, {1, 0}}

// withProcs runs f under GOMAXPROCS procs.
func withProcs(procs int, f func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	f()
}

// TestSameSplit: the Langevin and the SDE samplers split a batch into the
// same blocks, by the one rule of chainWorkers.
func TestSameSplit(t *testing.T) {
	g := newSDEGauss2(VP{0.1, 20, 40}, []float64{1, -2}, [2]float64{0.25, 1}, 0.5)
	for _, n := range []int{1, 300, 600, 2100} {
		for _, w := range []int{0, 1, 2, 3, 5} {
			x := make([]float32, 2*n)
			u, err := NewULA(linScore{2}, ULAConfig{Step: 0.01, Chain: ChainConfig{Steps: 1, Workers: w}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := u.Run(context.Background(), x); err != nil {
				t.Fatal(err)
			}
			p, err := NewPCSampler(g.sde, g, PCConfig{Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Sample(context.Background(), x); err != nil {
				t.Fatal(err)
			}
			o, err := NewODESampler(g.sde, g, ODEConfig{Method: ODEHeun, Steps: 1, Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := o.Sample(context.Background(), x); err != nil {
				t.Fatal(err)
			}
			want := u.eng.team.bounds
			for name, got := range map[string][]int{"PC": p.team.bounds, "ODE": o.team.bounds} {
				if !slices.Equal(got, want) {
					t.Errorf("n = %d, Workers = %d: %s splits at %v, ULA at %v", n, w, name, got, want)
				}
			}
		}
	}
}

// TestSmallBlocksDeterministic reruns the Langevin determinism tests with
// blocks of one chain allowed, so that their small batches are really
// split. (The SDE samplers' tests allow them themselves.)
func TestSmallBlocksDeterministic(t *testing.T) {
	smallBlocks(t)
	t.Run("AcrossWorkers", TestDeterministicAcrossWorkers)
	t.Run("Every", TestEveryDeterministic)
	t.Run("Golden", TestLangevinNoiseGolden)
}

// TestTeamPhases: run returns only when every block has finished the
// phase, across many short phases (where late wake-up tokens and spinning
// meet), with and without spinning, and stop ends a team that a new
// start replaces. The windows where a hand-off can go wrong are narrow:
// under -race (as CI runs it) a wait that returns early is reported as a
// data race on seen, which is how the first version's was found.
func TestTeamPhases(t *testing.T) {
	for _, procs := range []int{1, 2, 4} {
		withProcs(procs, func() {
			var tm chainTeam
			for _, blocks := range []int{2, 3, 8} {
				tm.split(blocks*10, blocks)
				tm.start()
				seen := make([]int, blocks)
				for p := 1; p <= 3000; p++ {
					tm.run(func(b, lo, hi int) {
						if lo != b*10 || hi != lo+10 {
							panic("wrong block bounds")
						}
						seen[b] = p
					})
					for b, s := range seen {
						if s != p {
							t.Fatalf("GOMAXPROCS %d, %d blocks: run %d returned with block %d at phase %d", procs, blocks, p, b, s)
						}
					}
				}
				tm.stop()
			}
		})
	}
}

// TestTeamPanic: a panic on the caller's block goes on only once the
// other blocks are done with the phase, and run outside start and stop
// with several blocks panics instead of running block 0 alone.
func TestTeamPanic(t *testing.T) {
	var tm chainTeam
	tm.split(4, 2)
	tm.start()
	var done atomic.Bool
	func() {
		defer func() {
			if recover() == nil {
				t.Error("block 0's panic was lost")
			}
		}()
		tm.run(func(b, lo, hi int) {
			if b == 0 {
				panic("block 0")
			}
			time.Sleep(20 * time.Millisecond)
			done.Store(true)
		})
	}()
	if !done.Load() {
		t.Error("the panic went on before block 1 finished")
	}
	tm.stop()
	defer func() {
		if recover() == nil {
			t.Error("run of 2 blocks after stop did not panic")
		}
	}()
	tm.run(func(b, lo, hi int) {})
}

var errWorker = errors.New("worker's error")

// TestTeamWorkerPanic: a panic on a worker's block reaches the caller of
// run (it would end the process on the worker's goroutine), as an error
// that wraps the worker's and carries its stack, after every block is
// done with the phase.
func TestTeamWorkerPanic(t *testing.T) {
	var tm chainTeam
	tm.split(6, 3)
	tm.start()
	defer tm.stop()
	var done atomic.Int32
	v := func() (v any) {
		defer func() { v = recover() }()
		tm.run(func(b, lo, hi int) {
			if b == 2 {
				panic(errWorker)
			}
			time.Sleep(10 * time.Millisecond)
			done.Add(1)
		})
		return nil
	}()
	err, ok := v.(error)
	if !ok || !errors.Is(err, errWorker) || !strings.Contains(err.Error(), "worker stack") {
		t.Fatalf("run panicked with %v, want an error wrapping the worker's, with its stack", v)
	}
	if done.Load() != 2 {
		t.Errorf("the panic reached the caller with %d of the other 2 blocks done", done.Load())
	}
	// The next phase runs normally.
	var n atomic.Int32
	tm.run(func(b, lo, hi int) { n.Add(1) })
	if n.Load() != 3 {
		t.Errorf("after the panic, a phase ran %d blocks, want 3", n.Load())
	}
}

// panicScore panics for the points from the first of chain from on.
type panicScore struct{ from int }

func (p panicScore) Dim() int { return 1 }

func (p panicScore) Score(dst, x []float32) {
	for i := range x {
		if x[i] >= float32(p.from) {
			panic(fmt.Sprintf("score: bad point %g", x[i]))
		}
		dst[i] = -x[i]
	}
}

// TestRunWorkerPanicRecoverable: a score that panics for chains of a
// worker's block makes Run panic on its caller, where a service can
// recover it, for any split.
func TestRunWorkerPanicRecoverable(t *testing.T) {
	smallBlocks(t)
	for _, workers := range []int{1, 2, 4} {
		u, err := NewULA(panicScore{from: 6}, ULAConfig{Step: 0.01, Chain: ChainConfig{Seed: 1, Steps: 3, Workers: workers}})
		if err != nil {
			t.Fatal(err)
		}
		x := []float32{0, 1, 2, 3, 4, 5, 6, 7}
		v := func() (v any) {
			defer func() { v = recover() }()
			u.Run(context.Background(), x)
			return nil
		}()
		if v == nil || !strings.Contains(fmt.Sprint(v), "score: bad point") {
			t.Errorf("Workers %d: Run panicked with %v, want the score's panic", workers, v)
		}
	}
}

// TestTeamParks: phases whose blocks take about as long as the waits
// poll, so that the caller and the worker park and are woken in every
// order. A lost wake-up hangs it: under qemu-aarch64, which lets an
// atomic Store pass a later Load (see teamWait.await), the version that
// parked after a Store hung in the first minute of 300 runs of this test;
// with Swap all 300 pass (82 s).
func TestTeamParks(t *testing.T) {
	phases := 3000
	if testing.Short() {
		phases = 500
	}
	withProcs(2, func() {
		var tm chainTeam
		tm.split(20, 2)
		tm.start()
		defer tm.stop()
		var state uint64 = 1
		next := func() time.Duration { // 0–100 µs, a fixed sequence
			state = state*6364136223846793005 + 1442695040888963407
			return time.Duration(state>>33%100) * time.Microsecond
		}
		done := make(chan int, 1)
		go func() {
			for range phases {
				d0, d1 := next(), next()
				tm.run(func(b, lo, hi int) {
					d := d0
					if b == 1 {
						d = d1
					}
					for t0 := time.Now(); time.Since(t0) < d; {
					}
				})
			}
			done <- phases
		}()
		select {
		case <-done:
		case <-time.After(time.Minute):
			debug.SetTraceback("all") // show the parked caller and worker
			panic(fmt.Sprintf("TestTeamParks: %d phases of at most 100 µs had not ended after a minute (a lost wake-up)", phases))
		}
	})
}
