package sampler

import (
	"math"
	"testing"
)

// FuzzDiagnostics feeds arbitrary draws to ESS and SplitRHat: they never
// panic on well-formed input, ESS is NaN or in (0, MN·log₁₀(MN)], and R̂ is
// NaN or ≥ about 1.
func FuzzDiagnostics(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, uint8(2))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, m uint8) {
		nc := int(m%4) + 1
		n := len(raw) / nc
		if n < 8 {
			t.Skip()
		}
		chains := make([][]float64, nc)
		for c := range chains {
			chains[c] = make([]float64, n)
			for i := range chains[c] {
				chains[c][i] = float64(int8(raw[c*n+i]))
			}
		}
		total := float64(nc * n)
		if e := ESS(chains); !math.IsNaN(e) && !(e > 0 && e <= total*math.Log10(total)*(1+1e-12)) {
			t.Errorf("ESS = %v for %d draws", e, nc*n)
		}
		if r := SplitRHat(chains); !math.IsNaN(r) && r < 0.5 {
			t.Errorf("R̂ = %v", r)
		}
	})
}
