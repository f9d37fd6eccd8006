package f32

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// hookChunks makes hook the chunkHook of the rest of test t and removes
// it when t ends (t.Cleanup, which runs however t ends: a Fatal, a Skip
// or a panic). It fails t if a hook is already set: a test that left one
// behind would slow or break the chunks of every test after it.
func hookChunks(t *testing.T, hook func(helper bool)) {
	t.Helper()
	if chunkHook != nil {
		t.Fatal("chunkHook is already set: a test left its hook behind")
	}
	chunkHook = hook
	t.Cleanup(func() { chunkHook = nil })
}

// hookFirstHelperChunk hooks the chunks of the rest of test t (see
// hookChunks): the first chunk a helper starts calls stop (a panic, a
// Goexit), and every chunk of a caller sleeps first, to leave chunks to
// the helpers. The flag it returns is set once a helper has called stop.
func hookFirstHelperChunk(t *testing.T, stop func()) *atomic.Bool {
	t.Helper()
	var stopped atomic.Bool
	hookChunks(t, func(helper bool) {
		if helper && stopped.CompareAndSwap(false, true) {
			stop()
		}
		if !helper {
			time.Sleep(100 * time.Microsecond) // leave the helper chunks
		}
	})
	return &stopped
}

// catch runs call and returns what it panicked with, or nil.
func catch(call func()) (v any) {
	defer func() { v = recover() }()
	call()
	return nil
}

// TestParallelRangeHelperPanic checks that a range that panics on a
// helper goroutine panics on ParallelRange's caller, with its value,
// rather than ending the program, and that the helpers work on after it.
func TestParallelRangeHelperPanic(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("GOMAXPROCS 1: no helpers")
	}
	helperPanicked := hookFirstHelperChunk(t, func() { panic("helper chunk") })
	var done atomic.Int64
	job := rangeFunc(func(i0, i1 int) { done.Add(int64(i1 - i0)) })
	for t0 := time.Now(); !helperPanicked.Load(); {
		if time.Since(t0) > 5*time.Second {
			t.Skip("no helper ran a chunk in 5 s of calls")
		}
		done.Store(0)
		v := catch(func() { ParallelRange(2, 1<<10, 1, &job) })
		if helperPanicked.Load() {
			if v != "helper chunk" {
				t.Fatalf("ParallelRange panicked with %v, want the helper's value", v)
			}
			if d := done.Load(); d >= 1<<10 {
				t.Errorf("after the panic, %d indices done: the call went on", d)
			}
		} else if v != nil {
			t.Fatalf("ParallelRange panicked with %v, no chunk did", v)
		}
	}
	chunkHook = nil
	if !helped(func() { ParallelRange(2, 1<<16, 16, &job) }) {
		t.Error("after a helper's panic no helper runs chunks")
	}
}

// TestParallelRangeCallerPanic checks that when the caller's range
// panics, ParallelRange does not return (panic) before the helpers'
// ranges are done, and that none starts after: the memory a job writes
// must be the caller's again once it recovers.
func TestParallelRangeCallerPanic(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("GOMAXPROCS 1: no helpers")
	}
	var helperStarted atomic.Bool
	var active, begun atomic.Int64
	hookChunks(t, func(helper bool) {
		if helper {
			helperStarted.Store(true)
			return
		}
		for t0 := time.Now(); !helperStarted.Load() && time.Since(t0) < 100*time.Millisecond; {
			runtime.Gosched()
		}
		panic("caller chunk")
	})
	job := rangeFunc(func(i0, i1 int) {
		begun.Add(1)
		active.Add(1)
		time.Sleep(20 * time.Millisecond)
		active.Add(-1)
	})
	for t0 := time.Now(); ; {
		if time.Since(t0) > 5*time.Second {
			t.Skip("no helper ran a chunk in 5 s of calls")
		}
		helperStarted.Store(false)
		v := catch(func() { ParallelRange(2, 1<<10, 1, &job) })
		if v != "caller chunk" {
			t.Fatalf("ParallelRange panicked with %v, want the caller's value", v)
		}
		if !helperStarted.Load() {
			continue
		}
		if a := active.Load(); a != 0 {
			t.Fatalf("ParallelRange panicked with %d ranges still running", a)
		}
		b := begun.Load()
		time.Sleep(50 * time.Millisecond)
		if b2 := begun.Load(); b2 != b {
			t.Fatalf("%d ranges began after ParallelRange panicked", b2-b)
		}
		return
	}
}

// TestParallelRangeHelperGoexit checks that a range that calls
// runtime.Goexit on a helper (a test's FailNow) ends ParallelRange's
// caller likewise, rather than leaving it waiting for good for a helper
// that is gone, and that helpers work on after it.
func TestParallelRangeHelperGoexit(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("GOMAXPROCS 1: no helpers")
	}
	helperExited := hookFirstHelperChunk(t, runtime.Goexit)
	job := rangeFunc(func(i0, i1 int) {})
	for t0 := time.Now(); !helperExited.Load(); {
		if time.Since(t0) > 5*time.Second {
			t.Skip("no helper ran a chunk in 5 s of calls")
		}
		returned := make(chan bool, 1)
		go func() {
			ok := false
			defer func() { returned <- ok }()
			ParallelRange(2, 1<<10, 1, &job)
			ok = true
		}()
		select {
		case ok := <-returned:
			if helperExited.Load() && ok {
				t.Fatal("a helper's range called Goexit, and ParallelRange returned")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a helper's range called Goexit: ParallelRange still waits after 10 s")
		}
	}
	chunkHook = nil
	if !helped(func() { ParallelRange(2, 1<<16, 16, &job) }) {
		t.Error("after a helper's Goexit no helper runs chunks")
	}
}

// TestParallelRangeNilJob: a nil job is a panic that says so, whatever n
// and workers. With helpers to share it, the workers took the nil job for
// a GEMM's rows and spun on an empty block: the call never returned.
func TestParallelRangeNilJob(t *testing.T) {
	for _, c := range []struct{ workers, n int }{{2, 1 << 10}, {1, 10}, {2, 0}} {
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			ParallelRange(c.workers, c.n, 1, nil)
		}()
		select {
		case v := <-done:
			if s := fmt.Sprint(v); s != "f32: ParallelRange: nil job" {
				t.Errorf("ParallelRange(%d, %d, 1, nil) panicked with %q, want f32: ParallelRange: nil job", c.workers, c.n, s)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("ParallelRange(%d, %d, 1, nil) has not returned in 5 s", c.workers, c.n)
		}
	}
}
