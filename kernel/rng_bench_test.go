package kernel_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

var rngSizes = []struct {
	name string
	n    int
}{{"1K", 1 << 10}, {"1M", 1 << 20}}

// BenchmarkNormals measures standard normals per second (the "M/s"
// metric) for every implementation, and math/rand/v2's PCG NormFloat64
// in the same run for comparison.
func BenchmarkNormals(b *testing.B) {
	for _, sz := range rngSizes {
		z := make([]float32, sz.n)
		b.Run("pcg/"+sz.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				for i := range z {
					z[i] = float32(rng.NormFloat64())
				}
			}
			perSec(b, sz.n)
		})
		for _, impl := range kernel.Available() {
			b.Run(impl.String()+"/"+sz.name, func(b *testing.B) {
				s := kernel.NewStream(1, 2).Using(impl)
				b.ReportAllocs()
				for b.Loop() {
					s.Normals(z)
				}
				perSec(b, sz.n)
			})
		}
	}
}

// BenchmarkUniforms measures float32 uniforms and raw 32-bit outputs per
// second.
func BenchmarkUniforms(b *testing.B) {
	const n = 1 << 20
	u := make([]float32, n)
	w := make([]uint32, n)
	for _, impl := range kernel.Available() {
		b.Run("uniforms/"+impl.String()+"/1M", func(b *testing.B) {
			s := kernel.NewStream(1, 2).Using(impl)
			b.ReportAllocs()
			for b.Loop() {
				s.Uniforms(u)
			}
			perSec(b, n)
		})
		b.Run("uint32s/"+impl.String()+"/1M", func(b *testing.B) {
			s := kernel.NewStream(1, 2).Using(impl)
			b.ReportAllocs()
			for b.Loop() {
				s.Uint32s(w)
			}
			perSec(b, n)
		})
	}
}

// BenchmarkLangevinStep measures the fused ULA step (elements per second)
// against the same step with a noise buffer (Normals then LangevinUpdate),
// and the other fused kernels.
func BenchmarkLangevinStep(b *testing.B) {
	for _, sz := range rngSizes {
		n := sz.n
		x, g := inputs(n, 1)
		z := make([]float32, n)
		xp := make([]float32, n)
		for _, impl := range kernel.Available() {
			b.Run("fused/"+impl.String()+"/"+sz.name, func(b *testing.B) {
				s := kernel.NewStream(1, 2).Using(impl)
				b.ReportAllocs()
				for b.Loop() {
					s.LangevinStep(1e-4, 1.4e-2, x, g)
				}
				perSec(b, n)
			})
			b.Run("buffered/"+impl.String()+"/"+sz.name, func(b *testing.B) {
				s := kernel.NewStream(1, 2).Using(impl)
				b.ReportAllocs()
				for b.Loop() {
					s.Normals(z)
					impl.LangevinUpdate(1e-4, 1.4e-2, x, g, z)
				}
				perSec(b, n)
			})
			b.Run("mala/"+impl.String()+"/"+sz.name, func(b *testing.B) {
				s := kernel.NewStream(1, 2).Using(impl)
				b.ReportAllocs()
				for b.Loop() {
					s.MALAPropose(1e-4, xp, x, g)
				}
				perSec(b, n)
			})
			b.Run("malarev/"+impl.String()+"/"+sz.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					impl.MALAReverse(1e-4, x, xp, g)
				}
				perSec(b, n)
			})
			b.Run("kineticO/"+impl.String()+"/"+sz.name, func(b *testing.B) {
				s := kernel.NewStream(1, 2).Using(impl)
				b.ReportAllocs()
				for b.Loop() {
					s.KineticO(0.9, 0.43, x)
				}
				perSec(b, n)
			})
		}
	}
}

// perSec reports millions of elements per second and 4 bytes per element.
func perSec(b *testing.B, n int) {
	b.SetBytes(int64(4 * n))
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "M/s")
}

// BenchmarkSmallReads measures the cost of one call that draws d normals
// (a chain of dimension d stepping alone): each call computes at least
// one group of 64, so callers with small d should buffer a group (as
// sampler's SDE streams do) or give a block of chains one stream.
func BenchmarkSmallReads(b *testing.B) {
	for _, d := range []int{2, 16, 64} {
		z := make([]float32, d)
		for _, impl := range kernel.Available() {
			b.Run(impl.String()+"/d"+strconv.Itoa(d), func(b *testing.B) {
				s := kernel.NewStream(1, 2).Using(impl)
				b.ReportAllocs()
				for b.Loop() {
					s.Normals(z)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/call")
			})
		}
	}
}
