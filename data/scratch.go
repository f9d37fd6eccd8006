package data

import "sync"

// scratchPool hands out float64 work buffers so that the batched methods
// allocate nothing in steady state and stay safe for concurrent use.
type scratchPool struct{ p sync.Pool }

func (s *scratchPool) get(n int) *[]float64 {
	if b, ok := s.p.Get().(*[]float64); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]float64, n)
	return &b
}

func (s *scratchPool) put(b *[]float64) { s.p.Put(b) }
