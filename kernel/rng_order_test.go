package kernel

import (
	"math"
	"testing"
)

// lanes16 sums the terms as MALAPropose's and MALAReverse's docs say:
// term i into lane i%16 by fma, the lanes combined by halving.
func lanes16(terms []float32) float32 {
	var acc [16]float32
	for i, v := range terms {
		acc[i%16] = fma32(v, v, acc[i%16])
	}
	for w := 8; w >= 1; w /= 2 {
		for l := range w {
			acc[l] += acc[l+w]
		}
	}
	return acc[0]
}

// TestLaneSumOrder holds the ‖z‖² of MALAPropose and the sum of
// MALAReverse, on every implementation, to the order of summation their
// docs give, bit for bit. Any order sums within the float32 bound that
// the reference tests allow, so only this test pins the order when the
// portable code is the only implementation (purego).
func TestLaneSumOrder(t *testing.T) {
	for _, impl := range Available() {
		for _, c := range []struct{ pos, n int }{{0, 256}, {5, 3*groupLen + 7}, {groupLen - 3, 2}, {1, 3*groupLen - 2}} {
			for id := range uint64(8) {
				s := NewStream(11, id).Using(impl)
				s.Seek(uint64(c.pos))
				z := make([]float32, c.n)
				s2 := s
				s2.Normals(z)
				head := 0
				if c.pos%groupLen != 0 {
					head = min(groupLen-c.pos%groupLen, c.n)
				}
				full := (c.n - head) &^ (groupLen - 1)
				var want float32
				for _, v := range z[:head] {
					want = fma32(v, v, want)
				}
				if full > 0 {
					want += lanes16(z[head : head+full])
				}
				for _, v := range z[head+full:] {
					want = fma32(v, v, want)
				}
				x := make([]float32, c.n)
				got := s.MALAPropose(0.01, make([]float32, c.n), x, x)
				if math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("%v pos %d n %d: MALAPropose ‖z‖² = %v, want %v", impl, c.pos, c.n, got, want)
				}
				// MALAReverse with gradp = 0 sums (x − xp)²: z itself.
				n16 := c.n &^ 15
				want = lanes16(z[:n16])
				for _, v := range z[n16:] {
					want = fma32(v, v, want)
				}
				if got := impl.MALAReverse(0.5, z, make([]float32, c.n), make([]float32, c.n)); math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("%v n %d: MALAReverse = %v, want %v", impl, c.n, got, want)
				}
			}
		}
	}
}
