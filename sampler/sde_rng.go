package sampler

import (
	"math"
	"math/rand/v2"
)

// sdeStream is the per-chain random stream of the SDE samplers. It is a
// temporary seam until kernel.Stream (counter-based Philox) lands: the
// samplers call only sdeNewStream(seed, chain) and Normals, the shape of
// kernel.NewStream and kernel.Stream.Normals, so switching is a two-line
// change here.
type sdeStream struct {
	pcg rand.PCG
}

func sdeNewStream(seed, id uint64) sdeStream {
	return sdeStream{pcg: *rand.NewPCG(seed, id^0x9e3779b97f4a7c15)}
}

// Normals fills dst with standard normals (Box–Muller in float64).
func (s *sdeStream) Normals(dst []float32) {
	for i := 0; i < len(dst); i += 2 {
		u1 := (float64(s.pcg.Uint64()>>11) + 0.5) / (1 << 53)
		u2 := float64(s.pcg.Uint64()>>11) / (1 << 53)
		r := math.Sqrt(-2 * math.Log(u1))
		sn, cs := math.Sincos(2 * math.Pi * u2)
		dst[i] = float32(r * cs)
		if i+1 < len(dst) {
			dst[i+1] = float32(r * sn)
		}
	}
}
