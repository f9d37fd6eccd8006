package data

import "github.com/scorekit/scorekit/internal/freelist"

// scratchPool hands out float64 work buffers so that the batched methods
// allocate nothing in steady state, garbage collections or not, and stay
// safe for concurrent use.
type scratchPool struct{ l freelist.Slices[float64] }

func (s *scratchPool) get(n int) *[]float64 { return s.l.Get(n) }

func (s *scratchPool) put(b *[]float64) { s.l.Put(b) }
