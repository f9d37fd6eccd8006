package sampler

import "github.com/scorekit/scorekit/kernel"

// sdeGroup is the Philox stream's group length: a read of any length
// costs whole groups of 64 outputs.
const sdeGroup = 64

// sdeStream is a chain's random stream for the SDE samplers: a
// kernel.Stream read through a one-group buffer, so that the small reads
// of low-dimensional chains (d normals per step) cost one group per 64
// normals instead of one group per read. Buffering does not change the
// numbers: the n-th normal a chain draws is normal n of its stream (a
// partial read of a kernel.Stream returns the same values as a whole one).
type sdeStream struct {
	s    kernel.Stream
	i, n int // buf[i:n] is pending
	buf  [sdeGroup]float32
}

func sdeNewStream(seed, id uint64) sdeStream {
	return sdeStream{s: kernel.NewStream(seed, id)}
}

// Normals fills dst with the stream's next len(dst) standard normals.
func (r *sdeStream) Normals(dst []float32) {
	k := copy(dst, r.buf[r.i:r.n])
	r.i += k
	dst = dst[k:]
	for len(dst) > 0 {
		if len(dst) >= sdeGroup {
			r.s.Normals(dst)
			return
		}
		// Refill up to the next group boundary.
		m := sdeGroup - int(r.s.Pos()%sdeGroup)
		r.s.Normals(r.buf[:m])
		r.i, r.n = 0, m
		k := copy(dst, r.buf[:m])
		r.i = k
		dst = dst[k:]
	}
}
