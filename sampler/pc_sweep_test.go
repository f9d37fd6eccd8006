package sampler

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/scorekit/scorekit/data"
)

// TestPCCorrectorSweep measures the Langevin corrector against none with
// the exact score of newPCTwoModes: energy distance and MMD² to fresh draws
// of the data, the total variance over the data's and the first mode's
// share of the chains, the mean and spread of each over repeats (fixed
// seeds), beside the metric's own spread between two samples of the data.
// It takes minutes, so it runs only with SCOREKIT_PC_SWEEP set to the
// number of time steps N (100 or 1000; any other value means 100).
func TestPCCorrectorSweep(t *testing.T) {
	mode := os.Getenv("SCOREKIT_PC_SWEEP")
	if mode == "" {
		t.Skip("set SCOREKIT_PC_SWEEP=100 (or 1000, the time steps) to run the corrector sweep")
	}
	const n, reps = 1000, 3
	steps := []int{100}
	if mode == "1000" {
		steps = []int{1000}
	}
	type setting struct {
		name     string
		corr     PCCorrector
		snr      float64
		perChain bool
	}
	settings := []setting{{"none", PCNoCorrector, 0, false}}
	for _, snr := range []float64{0.04, 0.08, 0.16, 0.32} {
		settings = append(settings, setting{fmt.Sprintf("batch %.2f", snr), PCLangevin, snr, false})
	}
	for _, snr := range []float64{0.04, 0.08, 0.16, 0.32} {
		settings = append(settings, setting{fmt.Sprintf("chain %.2f", snr), PCLangevin, snr, true})
	}
	for _, d := range []int{2, 16, 64} {
		ref := newPCTwoModes(VE{}, d)
		rng := rand.New(rand.NewPCG(uint64(d), 99))
		big := ref.sample(20000, rng)
		totVar, frac := pcSpread(big, d), pcFirstMode(big, d)
		var nullED, nullMMD []float64
		for range 10 {
			a, b := ref.sample(n, rng), ref.sample(n, rng)
			nullED = append(nullED, data.EnergyDistance(a, b, d))
			nullMMD = append(nullMMD, data.MMD2(a, b, d))
		}
		t.Logf("d=%d null: ED %s  MMD² %s  (data: total variance %.3f, first mode %.3f)", d, pcMeanSD(nullED, 1e3), pcMeanSD(nullMMD, 1e4), totVar, frac)
		for _, N := range steps {
			for _, sde := range []SDE{VE{0.01, 50, N}, VP{0.1, 20, N}} {
				g := newPCTwoModes(sde, d)
				for _, s := range settings {
					var ed, mmd, vr, fr []float64
					var bad int
					for r := range reps {
						p, err := NewPCSampler(sde, g, PCConfig{Corrector: s.corr, SNR: s.snr, PerChainSNR: s.perChain, Seed: uint64(100 + r)})
						if err != nil {
							t.Fatal(err)
						}
						x := make([]float32, n*d)
						if _, err := p.Sample(context.Background(), x); err != nil {
							bad++
							continue
						}
						y := ref.sample(n, rng)
						ed = append(ed, data.EnergyDistance(x, y, d))
						mmd = append(mmd, data.MMD2(x, y, d))
						vr = append(vr, pcSpread(x, d)/totVar)
						fr = append(fr, pcFirstMode(x, d)-frac)
					}
					name := fmt.Sprintf("%T", sde)
					t.Logf("d=%-2d %s N=%-4d %-10s ED×1e3 %s  MMD²×1e4 %s  var ratio %s  mode share − true %s  diverged %d", d, name, N, s.name, pcMeanSD(ed, 1e3), pcMeanSD(mmd, 1e4), pcMeanSD(vr, 1), pcMeanSD(fr, 1), bad)
				}
			}
		}
	}
}

// pcSpread returns the total variance (trace of the covariance) of the rows.
func pcSpread(x []float32, d int) float64 {
	n := len(x) / d
	var tot float64
	for j := range d {
		var s, ss float64
		for r := range n {
			v := float64(x[r*d+j])
			s += v
			ss += v * v
		}
		m := s / float64(n)
		tot += ss/float64(n) - m*m
	}
	return tot
}

// pcFirstMode returns the share of rows on the first mode's side,
// Σⱼ xⱼ > 0.
func pcFirstMode(x []float32, d int) float64 {
	n := len(x) / d
	var k int
	for r := range n {
		var s float64
		for _, v := range x[r*d : r*d+d] {
			s += float64(v)
		}
		if s > 0 {
			k++
		}
	}
	return float64(k) / float64(n)
}

// pcMeanSD formats the mean ± standard deviation of v times scale.
func pcMeanSD(v []float64, scale float64) string {
	if len(v) == 0 {
		return "     —      "
	}
	var m, ss float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	sd := 0.0
	if len(v) > 1 {
		sd = math.Sqrt(ss / float64(len(v)-1))
	}
	return fmt.Sprintf("%7.3f ± %-6.3f", m*scale, sd*scale)
}
