package f32

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scorekit/scorekit/kernel"
)

// TestParallelConcurrentCallers runs ForwardParallel and GemmWith from
// several goroutines at once, more than there are helpers: a share no
// helper is free for runs on its caller, and every result keeps the bits
// of the one-worker run.
func TestParallelConcurrentCallers(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 1))
	w := randMatrix(rng, 96, 80, 0)
	d := NewDense(w, make([]float32, 96), kernel.SiLU)
	x := randMatrix(rng, 200, 80, 0)
	want := NewMatrix(200, 96)
	d.Forward(want, Matrix{}, x)
	b := randMatrix(rng, 80, 50, 0)
	wantC := NewMatrix(200, 50)
	Gemm(false, false, 1, x, b, 0, wantC)

	const callers, rounds = 5, 40
	var wg sync.WaitGroup
	errs := make(chan string, callers)
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			y, c := NewMatrix(200, 96), NewMatrix(200, 50)
			for r := range rounds {
				d.ForwardParallel(2+(g+r)%3, y, Matrix{}, x)
				GemmWith(kernel.Active(), 2+r%2, false, false, 1, x, b, 0, c)
				for i, v := range y.Data {
					if math.Float32bits(v) != math.Float32bits(want.Data[i]) {
						errs <- "ForwardParallel differs from Forward"
						return
					}
				}
				for i, v := range c.Data {
					if math.Float32bits(v) != math.Float32bits(wantC.Data[i]) {
						errs <- "GemmWith(workers > 1) differs from Gemm"
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestParallelParks runs 3,000 parallel calls with busy gaps of 0–100 µs
// between them and chunks slowed by 0–20 µs (the caller's) and 0–100 µs
// (the helper's): they straddle the poll time (spin.For), so that the
// caller and the helper park and are woken in every order. A lost wake-up
// hangs a call (its caller parked for a helper that never reports) or
// leaves calls to their caller alone (a helper parked past its post, which
// the caller takes back), and a stale one returns before the helper is
// done: the test fails on a minute without progress, checks every
// result's bits (the output is NaN before each call), and that the helper
// took part in a twentieth of the calls (a fifth here, most under qemu).
// Under qemu-aarch64, whose stores may pass later loads, the park
// protocols rely on exchanges (see take).
func TestParallelParks(t *testing.T) {
	startHelpers()
	if len(helpers) == 0 {
		t.Skip("GOMAXPROCS 1: no helpers to park")
	}
	calls := 3000
	if testing.Short() {
		calls = 500
	}
	rng := rand.New(rand.NewPCG(22, 1))
	d := NewDense(randMatrix(rng, 32, 32, 0), make([]float32, 32), kernel.SiLU)
	x := randMatrix(rng, 160, 32, 0)
	want := NewMatrix(160, 32)
	d.Forward(want, Matrix{}, x)
	y := NewMatrix(160, 32)
	var state uint64 = 1
	next := func(n uint64) uint64 { // a fixed sequence
		state = state*6364136223846793005 + 1442695040888963407
		return state >> 33 % n
	}
	busy := func(d time.Duration) {
		for t0 := time.Now(); time.Since(t0) < d; {
		}
	}
	var slowCaller, slowHelper atomic.Int64 // each chunk's delay, in ns
	var chunks atomic.Int64                 // chunks helpers began
	hookChunks(t, func(helper bool) {
		if !helper {
			busy(time.Duration(slowCaller.Load()))
			return
		}
		chunks.Add(1)
		busy(time.Duration(slowHelper.Load()))
	})
	done := make(chan string, 1)
	helped := 0            // calls in which a helper did a chunk
	var ended atomic.Int64 // calls that have returned
	go func() {
		for c := range calls {
			m := 3 + int(next(158)) // rows: above the matvec path, up to all
			busy(time.Duration(next(100)) * time.Microsecond)
			slowCaller.Store(int64(next(20)) * int64(time.Microsecond))
			slowHelper.Store(int64(next(100)) * int64(time.Microsecond))
			xs, ys := x.Slice(0, m), y.Slice(0, m)
			for i := range ys.Data {
				ys.Data[i] = float32(math.NaN()) // what a call returning early leaves
			}
			before := chunks.Load()
			d.ForwardParallel(2, ys, Matrix{}, xs)
			ended.Add(1)
			if chunks.Load() > before {
				helped++
			}
			for i := range m {
				for j := range 32 {
					if math.Float32bits(ys.At(i, j)) != math.Float32bits(want.At(i, j)) {
						done <- fmt.Sprintf("call %d (%d rows): y[%d][%d] = %v, want %v (one worker)", c, m, i, j, ys.At(i, j), want.At(i, j))
						return
					}
				}
			}
		}
		done <- ""
	}()
	// A hang is a minute without progress (qemu is slow, not stuck).
	last, since := int64(-1), time.Now()
	for tick := time.NewTicker(time.Second); ; {
		select {
		case msg := <-done:
			tick.Stop()
			if msg != "" {
				t.Fatal(msg)
			}
			if helped < calls/20 {
				t.Errorf("the helper took part in %d of %d calls, want ≥ %d", helped, calls, calls/20)
			}
			return
		case <-tick.C:
			if n := ended.Load(); n != last {
				last, since = n, time.Now()
			} else if time.Since(since) > time.Minute {
				debug.SetTraceback("all") // show the parked caller and helpers
				panic(fmt.Sprintf("TestParallelParks: call %d of %d has not returned for a minute (a lost wake-up)", n+1, calls))
			}
		}
	}
}
