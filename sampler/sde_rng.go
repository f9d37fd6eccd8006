package sampler

import "github.com/scorekit/scorekit/kernel"

// sdeStream is a chain's random stream for the SDE samplers: a
// kernel.Stream read through a one-group buffer ([chainNoise], as the
// Langevin samplers read theirs), so that the small reads of
// low-dimensional chains (d normals per step) cost one group per 64
// normals instead of one group per read. The n-th normal a chain draws is
// normal n of its stream.
type sdeStream struct {
	s   kernel.Stream
	buf chainNoise
}

func sdeNewStream(seed, id uint64) sdeStream {
	return sdeStream{s: kernel.NewStream(seed, id)}
}

// Normals fills dst with the stream's next len(dst) standard normals.
func (r *sdeStream) Normals(dst []float32) { r.buf.read(&r.s, dst) }
