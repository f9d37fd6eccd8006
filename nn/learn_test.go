package nn

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// gauss is N(0, s²I) in d dimensions.
type gauss struct {
	d int
	s float64
}

func (g gauss) Dim() int { return g.d }

func (g gauss) Sample(dst []float32, rng *rand.Rand) {
	for i := range dst {
		dst[i] = float32(g.s * rng.NormFloat64())
	}
}

// TestLearnLinear trains a linear score s(x) = Wx + b on N(0, s²I), where
// the optima are known: exact and sliced score matching give W = −I/s²,
// DSM at σ gives W = −I/(s² + σ²), b = 0 in all cases. The EMA of the
// iterates is compared, so the tolerance is set by the EMA's window:
// about 2/(1 − 0.999) = 2000 steps × 256 points; the relative standard
// error of a second moment over ~5·10⁵ points is √(2/5·10⁵) ≈ 0.2 %, and
// Adam's stationary jitter at lr 2e-3 is of the same order, so 2 % leaves
// room without letting a wrong optimum (off by ≥ 20 % for the DSM case)
// through.
func TestLearnLinear(t *testing.T) {
	const s, sigma = 2.0, 1.0
	cases := []struct {
		name string
		loss Loss
		a    float64
	}{
		{"exact", ExactSM{}, 1 / (s * s)},
		{"ssm/gauss", SlicedSM{Projections: 1}, 1 / (s * s)},
		{"ssm-vr/rademacher", SlicedSM{Projections: 2, Rademacher: true, VR: true}, 1 / (s * s)},
		{"dsm", DSM{Sigma: sigma}, 1 / (s*s + sigma*sigma)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, _ := New(Config{Dim: 2, Act: kernel.Identity}, 1)
			opt := NewAdam(m.NumParams(), 2e-3)
			tr := Trainer{Model: m, Loss: c.loss, Opt: opt, Data: gauss{2, s}, Batch: 256, Steps: 3000, Seed: 3}
			if err := tr.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			// Only average the last part of the run.
			ema := NewEMA(m.Params(), 0.999)
			tr.EMA, tr.Steps, tr.Seed = ema, 3000, 4
			if err := tr.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			p := ema.Params() // W (2×2) then b (2)
			t.Logf("W = [%.4f %.4f; %.4f %.4f], b = [%.4f %.4f], want W = −%.4f·I", p[0], p[1], p[2], p[3], p[4], p[5], c.a)
			for i, want := range []float64{-c.a, 0, 0, -c.a} {
				if math.Abs(float64(p[i])-want) > 0.02*c.a {
					t.Errorf("W[%d] = %.4f, want %.4f", i, p[i], want)
				}
			}
			for _, b := range p[4:6] {
				if math.Abs(float64(b)) > 0.02*c.a*s {
					t.Errorf("b = %v, want 0", p[4:6])
				}
			}
		})
	}
}

// mixture is the NCSN toy 0.8·N((5,5), I) + 0.2·N((−5,−5), I).
type mixture struct{}

func (mixture) Dim() int { return 2 }

func (mixture) Sample(dst []float32, rng *rand.Rand) {
	for i := 0; i < len(dst); i += 2 {
		mu := 5.0
		if rng.Float64() >= 0.8 {
			mu = -5
		}
		dst[i] = float32(mu + rng.NormFloat64())
		dst[i+1] = float32(mu + rng.NormFloat64())
	}
}

// score returns ∇log p at (x, y), in float64.
func (mixture) score(x, y float64) (float64, float64) {
	la := math.Log(0.8) - ((x-5)*(x-5)+(y-5)*(y-5))/2
	lb := math.Log(0.2) - ((x+5)*(x+5)+(y+5)*(y+5))/2
	m := math.Max(la, lb)
	wa, wb := math.Exp(la-m), math.Exp(lb-m)
	pa := wa / (wa + wb)
	pb := 1 - pa
	return pa*(5-x) + pb*(-5-x), pa*(5-y) + pb*(-5-y)
}

// TestLearnMixtureSSMVR trains the NCSN toy's score with SSM-VR (MLP
// 2-128-128-2 softplus, Adam 1e-3, batch 128) and measures the Fisher
// divergence ½E_p‖s_θ − ∇log p‖² on 4000 fresh points. The zero score
// scores ½E‖∇log p‖² = 1 (d = 2, unit components); a learned score must
// be far below: 0.05 is a 20-fold reduction, while the Monte Carlo
// standard error of the estimate at this size is well under 0.01.
func TestLearnMixtureSSMVR(t *testing.T) {
	if kernel.Active() == kernel.Generic {
		// The portable GEMM (purego, other architectures) is two orders
		// of magnitude slower: minutes, not seconds.
		t.Skip("portable kernels: too slow for a learning run")
	}
	steps, limit := 800, 0.05
	if testing.Short() {
		steps, limit = 400, 0.1
	}
	m, _ := New(Config{Dim: 2, Hidden: []int{128, 128}, Act: kernel.Softplus}, 7)
	tr := Trainer{Model: m, Loss: SlicedSM{VR: true}, Opt: NewAdam(m.NumParams(), 1e-3), Data: mixture{}, Batch: 128, Steps: steps, Seed: 11}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	const n = 4000
	x := make([]float32, 2*n)
	mixture{}.Sample(x, newRand(123, 0))
	s := make([]float32, 2*n)
	m.Score(s, x)
	var fisher, base float64
	for i := range n {
		gx, gy := mixture{}.score(float64(x[2*i]), float64(x[2*i+1]))
		ex, ey := float64(s[2*i])-gx, float64(s[2*i+1])-gy
		fisher += (ex*ex + ey*ey) / 2
		base += (gx*gx + gy*gy) / 2
	}
	fisher /= n
	base /= n
	t.Logf("Fisher divergence %.4f after %d steps (zero score: %.4f)", fisher, steps, base)
	if fisher > limit {
		t.Errorf("Fisher divergence %.4f > %.2f", fisher, limit)
	}
}
