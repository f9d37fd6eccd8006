package nn

import (
	"math"
	"testing"
)

// TestConditioningFeatures holds a conditional model's input to the
// layout scripts/export_torch.py documents for PyTorch models, computed
// here independently: x, then the conditioning c (σ, log σ or t) as one
// column, or, with Fourier features, [sin 2πWc, cos 2πWc]; and with
// ScaleBySigma the output divided by σ. A one-layer model makes the score
// W·input + b (scaled), so a wrong feature changes it by far more than
// the 1e-5 of float32 roundings. TestTorchConditional holds the same
// features to PyTorch's own computation.
func TestConditioningFeatures(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		c    float32
	}{
		{"logsigma/fourier/scaled", Config{Dim: 2, Cond: CondLogSigma, Fourier: 3, FourierScale: 1, ScaleBySigma: true}, 0.37},
		{"sigma", Config{Dim: 2, Cond: CondSigma}, 0.37},
		{"logsigma", Config{Dim: 2, Cond: CondLogSigma}, 0.37},
		{"time/fourier", Config{Dim: 2, Cond: CondTime, Fourier: 2, FourierScale: 1}, 0.61},
		{"sigma/one fourier feature", Config{Dim: 2, Cond: CondSigma, Fourier: 1, FourierScale: 1}, 0.37},
	}
	x := []float32{0.3, -1.2, 2, 0.5}
	for _, tc := range cases {
		m, err := New(tc.cfg, 7)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if m.NumLayers() != 1 {
			t.Fatalf("%s: %d layers, want 1", tc.name, m.NumLayers())
		}
		got := make([]float32, len(x))
		if tc.cfg.Cond == CondTime {
			m.TimeScore(got, x, tc.c)
		} else {
			m.NoiseScore(got, x, tc.c)
		}
		v := float64(tc.c)
		if tc.cfg.Cond == CondLogSigma {
			v = math.Log(v)
		}
		feat := []float64{v}
		if w := m.FourierWeights(); len(w) > 0 {
			feat = make([]float64, 2*len(w))
			for i, wi := range w {
				feat[i] = math.Sin(2 * math.Pi * float64(wi) * v)
				feat[len(w)+i] = math.Cos(2 * math.Pi * float64(wi) * v)
			}
		}
		scale := 1.0
		if tc.cfg.ScaleBySigma {
			scale = 1 / float64(tc.c)
		}
		W, b := m.Layer(0)
		d := tc.cfg.Dim
		for p := 0; p < len(x); p += d {
			in := append([]float64{float64(x[p]), float64(x[p+1])}, feat...)
			if len(in) != W.Cols {
				t.Fatalf("%s: input width %d, the layer has %d", tc.name, len(in), W.Cols)
			}
			for j := range d {
				y := float64(b[j])
				for k, u := range in {
					y += float64(W.Data[j*W.Stride+k]) * u
				}
				y *= scale
				if math.Abs(float64(got[p+j])-y) > 1e-5*(1+math.Abs(y)) {
					t.Errorf("%s: point %d coordinate %d: score %v, want %v", tc.name, p/d, j, got[p+j], y)
				}
			}
		}
	}
}
