package sampler

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/data"
)

// TestPCCorrectorWidth holds what the PCConfig doc says of the corrector
// in d = 64: on a VE SDE with N = 100 and the exact score of
// newPCTwoModes, the reverse-diffusion predictor alone leaves the samples
// too wide, and the Langevin corrector at the default snr takes most of
// that off. The width is pcWithin's (d in expectation for the data; the
// data's own from 5000 draws) over 500 chains. Each comparison must hold
// by 4.5 standard errors of the widths it compares (pcWithin's, over the
// rows), so that another seed would not flip it: at this size the
// predictor's excess width was 0.09·d to 0.11·d over six seeds, at a
// standard error of 0.009·d, and the corrector's 0.017·d to 0.039·d, at
// 0.008·d. "Most" is checked as at most half of a 10% excess, 5% of the
// data's width (plus the corrector's 4.5 standard errors, the data's
// being small beside them).
func TestPCCorrectorWidth(t *testing.T) {
	const n, d = 500, 64
	sde := VE{SigmaMin: 0.01, SigmaMax: 50, N: 100}
	g := newPCTwoModes(sde, d)
	truth, seT := pcWithin(g, g.sample(5000, rand.New(rand.NewPCG(1, 2))))
	width := func(cfg PCConfig) (w, se float64) {
		cfg.Seed = 3
		p, err := NewPCSampler(sde, g, cfg)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, n*d)
		if _, err := p.Sample(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		return pcWithin(g, x)
	}
	wn, seN := width(PCConfig{Corrector: PCNoCorrector})
	wc, seC := width(PCConfig{})
	t.Logf("width/d: data %.4f ± %.4f, predictor alone %.4f ± %.4f, with the corrector %.4f ± %.4f", truth/d, seT/d, wn/d, seN/d, wc/d, seC/d)
	if se := math.Hypot(seN, seT); !(wn-truth > 4.5*se) {
		t.Errorf("predictor alone: width %.4f·d, want above the data's %.4f·d by 4.5 standard errors (%.4f·d): the corrector has nothing to take off", wn/d, truth/d, 4.5*se/d)
	}
	if se := math.Hypot(seN, seC); !(wn-wc > 4.5*se) {
		t.Errorf("the corrector narrows the samples from %.4f·d to %.4f·d, want by 4.5 standard errors (%.4f·d)", wn/d, wc/d, 4.5*se/d)
	}
	if lo, hi := 0.95*truth-4.5*seC, 1.05*truth+4.5*seC; !(wc > lo && wc < hi) {
		t.Errorf("with the corrector: width %.4f·d, want within 5%% of the data's %.4f·d (plus 4.5 standard errors: [%.4f, %.4f]·d)", wc/d, truth/d, lo/d, hi/d)
	}
}

// BenchmarkPCCorrector is the exploration behind the PCConfig doc's
// figures for the corrector: the predictor–corrector sampler with the
// exact score of newPCTwoModes (1000 chains, N = 100), without a
// corrector and with the Langevin corrector at snr 0.04 to 0.32 under
// the batch and the per-chain step rule, for VE and VP in d = 2, 16 and
// 64. Beside the time of one Sample it reports the samples' quality
// against the data: width/data (pcWithin over the data's), var/data (the
// total variance over the data's), mode-err (the first mode's share minus
// the data's) and ED (the energy distance to 1000 fresh draws of the
// data); "exact" reports them for 1000 draws of the data itself, their
// noise level. Iteration i samples with seed i+1 and the metrics are
// means over the iterations, so
//
//	go test -run '^$' -bench PCCorrector -benchtime 5x ./sampler
//
// averages five seeds (the doc's N = 1000 figures came from the same runs
// with N = 1000). It replaces a test that only logged the same table.
func BenchmarkPCCorrector(b *testing.B) {
	const n = 1000
	type setting struct {
		name     string
		corr     PCCorrector
		snr      float64
		perChain bool
	}
	settings := []setting{{"none", PCNoCorrector, 0, false}}
	for _, rule := range []string{"batch", "chain"} {
		for _, snr := range []float64{0.04, 0.08, 0.16, 0.32} {
			settings = append(settings, setting{fmt.Sprintf("%s-%.2f", rule, snr), PCLangevin, snr, rule == "chain"})
		}
	}
	for _, d := range []int{2, 16, 64} {
		ref := newPCTwoModes(VE{}, d)
		rng := rand.New(rand.NewPCG(uint64(d), 99))
		big := ref.sample(20000, rng)
		width, _ := pcWithin(ref, big)
		totVar, share := pcSpread(big, d), pcFirstMode(big, d)
		// report times sample(i) for iterations i = 0 … b.N−1 and reports
		// the mean of the metrics of its samples.
		report := func(b *testing.B, sample func(i int) []float32) {
			b.ReportAllocs()
			var w, v, m, ed float64
			for i := range b.N {
				x := sample(i)
				b.StopTimer()
				wi, _ := pcWithin(ref, x)
				w += wi / width
				v += pcSpread(x, d) / totVar
				m += pcFirstMode(x, d) - share
				ed += data.EnergyDistance(x, ref.sample(n, rng), d)
				b.StartTimer()
			}
			N := float64(b.N)
			b.ReportMetric(w/N, "width/data")
			b.ReportMetric(v/N, "var/data")
			b.ReportMetric(m/N, "mode-err")
			b.ReportMetric(ed/N, "ED")
		}
		b.Run(fmt.Sprintf("exact/d=%d", d), func(b *testing.B) {
			report(b, func(int) []float32 { return ref.sample(n, rng) })
		})
		for _, sde := range []SDE{VE{0.01, 50, 100}, VP{0.1, 20, 100}} {
			g := newPCTwoModes(sde, d)
			for _, s := range settings {
				b.Run(fmt.Sprintf("%T/d=%d/%s", sde, d, s.name), func(b *testing.B) {
					x := make([]float32, n*d)
					report(b, func(i int) []float32 {
						p, err := NewPCSampler(sde, g, PCConfig{Corrector: s.corr, SNR: s.snr, PerChainSNR: s.perChain, Seed: uint64(i + 1)})
						if err != nil {
							b.Fatal(err)
						}
						if _, err := p.Sample(context.Background(), x); err != nil {
							b.Fatal(err)
						}
						return x
					})
				})
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
