package freelist

import (
	"runtime"
	"sync"
	"testing"
)

func TestSlicesBestFitAndBound(t *testing.T) {
	var s Slices[float32]
	for n := 1; n <= 1<<16; n *= 2 {
		s.Put(s.Get(n))
	}
	if s.Len() != 1 {
		t.Fatalf("after growing requests one at a time: %d free slices, want 1", s.Len())
	}
	p, q, r := s.Get(5), s.Get(7), s.Get(3)
	if len(*p) != 5 || len(*q) != 7 || len(*r) != 3 {
		t.Fatalf("lengths %d, %d, %d, want 5, 7, 3", len(*p), len(*q), len(*r))
	}
	if cap(*p) != 1<<16 {
		t.Errorf("Get(5) made a slice beside a free one of %d", 1<<16)
	}
	s.Put(p)
	s.Put(q)
	s.Put(r)
	if s.Len() != 3 {
		t.Errorf("after three in use at once: %d free slices, want 3", s.Len())
	}
	if p := s.Get(6); cap(*p) != 7 {
		t.Errorf("Get(6) took a slice of capacity %d, want the least that fits (7)", cap(*p))
	}
	if p := s.Get(1 << 17); len(*p) != 1<<17 || s.Len() != 1 {
		t.Errorf("Get(2¹⁷) with no slice large enough: %d free slices left, want 1 (the largest, 2¹⁶, dropped)", s.Len())
	}
}

func TestNoAllocs(t *testing.T) {
	var s Slices[float64]
	var l List[[64]byte]
	round := func() {
		a, b := s.Get(10), s.Get(1000)
		s.Put(a)
		s.Put(b)
		b, a = s.Get(1000), s.Get(10)
		s.Put(a)
		s.Put(b)
		x, y := l.Get(), l.Get()
		l.Put(x)
		l.Put(y)
	}
	round()
	if n := testing.AllocsPerRun(50, round); n != 0 {
		t.Errorf("%g allocations per round", n)
	}
	if n := testing.AllocsPerRun(3, func() {
		runtime.GC()
		runtime.GC()
		round()
	}); n != 0 {
		t.Errorf("%g allocations per round after two collections", n)
	}
}

func TestConcurrent(t *testing.T) {
	var s Slices[int]
	var l List[int]
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				n := 1 + (i*7+g)%50
				p := s.Get(n)
				for j := range *p {
					(*p)[j] = g
				}
				runtime.Gosched()
				for j := range *p {
					if (*p)[j] != g {
						t.Errorf("slice shared between goroutines")
						return
					}
				}
				s.Put(p)
				x := l.Get()
				*x = g
				runtime.Gosched()
				if *x != g {
					t.Errorf("item shared between goroutines")
				}
				l.Put(x)
			}
		}()
	}
	wg.Wait()
	if s.Len() > 4 {
		t.Errorf("%d free slices after 4 goroutines, want at most 4", s.Len())
	}
}

func TestBound(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var s Slices[byte]
	var l List[int]
	var ps []*[]byte
	var xs []*int
	for range 100 {
		ps = append(ps, s.Get(1))
		xs = append(xs, l.Get())
	}
	for i := range ps {
		s.Put(ps[i])
		l.Put(xs[i])
	}
	if kept := len(l.free) + btoi(l.hot.Load() != nil); s.Len() != 16 || kept != 16 {
		t.Errorf("after 100 in use at once with GOMAXPROCS 2: %d and %d kept, want 16", s.Len(), kept)
	}
	runtime.GOMAXPROCS(8)
	for range 40 {
		s.Put(s.Get(1))
	}
	for range 30 {
		s.Put(new([]byte))
	}
	if s.Len() != 32 {
		t.Errorf("with GOMAXPROCS 8: %d kept, want 32", s.Len())
	}
}

// TestSlicesOrder: Get takes the least free slice that fits and, when
// none does, drops the largest, wherever they are in the list.
func TestSlicesOrder(t *testing.T) {
	var s Slices[int]
	for _, c := range []int{7, 100, 50} {
		b := make([]int, c)
		s.Put(&b)
	}
	p := s.Get(6)
	if cap(*p) != 7 {
		t.Errorf("Get(6) took a slice of capacity %d from 7, 100, 50, want 7", cap(*p))
	}
	s.Put(p)
	if q := s.Get(200); len(*q) != 200 {
		t.Fatalf("Get(200) has length %d", len(*q))
	}
	caps := map[int]bool{}
	for _, f := range s.free {
		caps[cap(*f)] = true
	}
	if len(s.free) != 2 || !caps[7] || !caps[50] {
		t.Errorf("after Get(200) with 7, 100, 50 free: %d free (7: %v, 50: %v), want 7 and 50 (the largest dropped)", len(s.free), caps[7], caps[50])
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkListGetPut is one Get and one Put on one goroutine: a model's
// workspace per call on the latency path.
func BenchmarkListGetPut(b *testing.B) {
	var l List[int]
	l.Put(l.Get())
	for b.Loop() {
		l.Put(l.Get())
	}
}
