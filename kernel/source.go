package kernel

import "math/rand/v2"

var _ rand.Source = (*Source)(nil)

// Source is a math/rand/v2 Source over a Philox4x32-10 [Stream]: pass it
// to rand.New. Its n-th Uint64 is outputs 2n (low half) and 2n+1 (high
// half) of stream id under seed, so it is reproducible from (seed, id) on
// every implementation and independent of the other streams. It is not
// safe for concurrent use; give each goroutine its own stream id.
type Source struct {
	s   Stream
	buf [groupLen]uint32
	i   int
}

// NewSource returns a Source reading stream id under seed from position
// 0.
func NewSource(seed, id uint64) *Source {
	return &Source{s: NewStream(seed, id), i: groupLen}
}

// Uint64 returns the next 64 random bits.
func (r *Source) Uint64() uint64 {
	if r.i == groupLen {
		r.s.Uint32s(r.buf[:])
		r.i = 0
	}
	v := uint64(r.buf[r.i]) | uint64(r.buf[r.i+1])<<32
	r.i += 2
	return v
}
