package sampler

import (
	"math"
	"testing"
)

// FuzzDiagnostics feeds arbitrary draws, NaN and ±Inf among them, to the
// diagnostics: they never panic or hang on well-formed input, ESS, BulkESS
// and TailESS are NaN or in (0, MN·log₁₀(MN)], R̂ is NaN or ≥ about 1, and
// a non-finite draw makes all of them NaN.
func FuzzDiagnostics(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, uint8(2))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, uint8(1))
	f.Add([]byte{3, 3, 3, 3, 3, 3, 3, 3, 3}, uint8(0))
	f.Add([]byte{9, 200, 7, 128, 5, 4, 250, 2, 1, 0, 127, 30, 12, 60, 90, 44, 11}, uint8(0))
	f.Add([]byte{9, 200, 7, 128, 5, 4, 250, 2, 1, 0, 127, 30, 12, 60, 90, 44, 11, 1}, uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, m uint8) {
		nc := int(m%4) + 1
		n := len(raw) / nc
		if n < 8 {
			t.Skip()
		}
		chains := make([][]float64, nc)
		bad := false
		for c := range chains {
			chains[c] = make([]float64, n)
			for i := range chains[c] {
				v := float64(int8(raw[c*n+i]))
				switch raw[c*n+i] { // rare special values
				case 0x7f:
					v, bad = math.NaN(), true
				case 0x80:
					v, bad = math.Inf(-1), true
				}
				chains[c][i] = v
			}
		}
		total := float64(nc * n)
		s := Summarize(chains)
		for name, e := range map[string]float64{"ESS": s.ESS, "BulkESS": s.ESSBulk, "TailESS": s.ESSTail} {
			if !math.IsNaN(e) && !(e > 0 && e <= total*math.Log10(total)*(1+1e-12)) {
				t.Errorf("%s = %v for %d draws", name, e, nc*n)
			}
			if bad && !math.IsNaN(e) {
				t.Errorf("%s = %v with a non-finite draw", name, e)
			}
		}
		if r := s.RHat; !math.IsNaN(r) && r < 0.5 || bad && !math.IsNaN(r) {
			t.Errorf("R̂ = %v", r)
		}
	})
}
