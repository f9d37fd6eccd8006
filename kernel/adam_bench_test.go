package kernel

import (
	"fmt"
	"math"
	"testing"
)

// BenchmarkAdam times the Adam update of every available implementation
// (34k parameters is the small net of nn's training benchmarks); bytes are
// the bytes read and written (four slices in, three out).
func BenchmarkAdam(b *testing.B) {
	co := adamCoefs()[1]
	for _, n := range []int{4096, 33666, 1 << 20} {
		p, g, m, v := benchInput(n), benchInput(n), benchInput(n), benchInput(n)
		for i := range v {
			v[i] = float32(math.Abs(float64(v[i])))
		}
		for _, impl := range Available() {
			b.Run(fmt.Sprintf("%v/n=%d", impl, n), func(b *testing.B) {
				b.SetBytes(int64(28 * n))
				b.ReportAllocs()
				for b.Loop() {
					impl.Adam(co, p, g, m, v)
				}
			})
		}
	}
}

// BenchmarkHadamard times Mul and MulAdd of every available
// implementation; bytes are the bytes read and written.
func BenchmarkHadamard(b *testing.B) {
	for _, n := range benchSizes {
		x, y, d := benchInput(n), benchInput(n), benchInput(n)
		for _, impl := range Available() {
			name := fmt.Sprintf("%v/n=%d", impl, n)
			b.Run("Mul/"+name, func(b *testing.B) {
				b.SetBytes(int64(12 * n))
				b.ReportAllocs()
				for b.Loop() {
					impl.Mul(d, x, y)
				}
			})
			b.Run("MulAdd/"+name, func(b *testing.B) {
				b.SetBytes(int64(16 * n))
				b.ReportAllocs()
				for b.Loop() {
					impl.MulAdd(d, x, y)
				}
			})
		}
	}
}
