package sampler

import (
	"context"
	"math"
	"strings"
	"testing"
)

// TestSDEWithoutN: the probability-flow ODE without denoising and the
// likelihood never use an SDE's N, and take N = 0 (VE{SigmaMin: 0.01,
// SigmaMax: 50} was refused with "want N ≥ 1"), with the same results as
// with any N; the samplers that step on the N-step discretisation (PC,
// the ODE's Denoise) still refuse it, saying why. Bad parameters other
// than N are still refused at N = 0.
func TestSDEWithoutN(t *testing.T) {
	ctx := context.Background()
	for _, sdes := range [][2]SDE{
		{VE{SigmaMin: 0.01, SigmaMax: 50}, DefaultVE()},
		{VP{BetaMin: 0.1, BetaMax: 20}, DefaultVP()},
		{&SubVP{BetaMin: 0.1, BetaMax: 20}, DefaultSubVP()},
	} {
		noN := sdes[0]
		g := newSDEGaussIso(noN, []float64{0.5, -1}, 0.7)
		var xs [2][]float32
		var lps [2][]float64
		for i, sde := range sdes {
			o, err := NewODESampler(sde, g, ODEConfig{Method: ODEHeun, Steps: 8})
			if err != nil {
				t.Fatalf("%#v: NewODESampler: %v", sde, err)
			}
			xs[i] = make([]float32, 2*3)
			if _, err := o.Sample(ctx, xs[i]); err != nil {
				t.Fatalf("%#v: Sample: %v", sde, err)
			}
			l, err := NewLikelihood(sde, g, LikelihoodConfig{Divergence: LikelihoodExact, RTol: 1e-3, ATol: 1e-3})
			if err != nil {
				t.Fatalf("%#v: NewLikelihood: %v", sde, err)
			}
			lps[i] = make([]float64, 3)
			if _, err := l.LogP(ctx, lps[i], nil, xs[0]); err != nil {
				t.Fatalf("%#v: LogP: %v", sde, err)
			}
		}
		for j := range xs[0] {
			if math.Float32bits(xs[0][j]) != math.Float32bits(xs[1][j]) {
				t.Errorf("%#v: ODE sample %v, with N %v", noN, xs[0], xs[1])
				break
			}
		}
		for j := range lps[0] {
			if lps[0][j] != lps[1][j] {
				t.Errorf("%#v: log p %v, with N %v", noN, lps[0], lps[1])
				break
			}
		}
		_, err := NewODESampler(noN, g, ODEConfig{Denoise: true})
		if err == nil || !strings.Contains(err.Error(), "want N ≥ 1") || !strings.Contains(err.Error(), "Denoise") {
			t.Errorf("%#v: NewODESampler with Denoise: error %v, want one that asks for N ≥ 1 for Denoise", noN, err)
		}
		_, err = NewPCSampler(noN, g, PCConfig{})
		if err == nil || !strings.Contains(err.Error(), "want N ≥ 1") || !strings.Contains(err.Error(), "predictor–corrector") {
			t.Errorf("%#v: NewPCSampler: error %v, want one that asks for N ≥ 1 for the predictor–corrector sampler", noN, err)
		}
	}
	g := newSDEGaussIso(DefaultVE(), []float64{0}, 1)
	for _, sde := range []SDE{VE{SigmaMin: 1, SigmaMax: 1}, VP{BetaMin: -1, BetaMax: 1}, SubVP{}, VE{SigmaMin: 0.01, SigmaMax: 50, N: -1}} {
		if _, err := NewODESampler(sde, g, ODEConfig{}); err == nil {
			t.Errorf("%#v: NewODESampler accepted it", sde)
		}
		if _, err := NewLikelihood(sde, g, LikelihoodConfig{}); err == nil {
			t.Errorf("%#v: NewLikelihood accepted it", sde)
		}
	}
}
