package bench

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// TestSDEEndToEnd is issue 7's end-to-end check: a time-conditional score
// net (Gaussian Fourier features of t, its output divided by the VP SDE's
// σ(t) as the command's -scale-by-sigma default and the demo do) trained by
// continuous-time DSM on the VP SDE, sampled with reverse diffusion (the
// predictor–corrector sampler without corrector) and with the
// probability-flow ODE, must beat a Gaussian fitted to the data in MMD²
// against held-out data, and the ODE's log-likelihood of held-out points
// must beat the Gaussian's. (It lives here because it wires nn into
// sampler, which neither package may import.)
func TestSDEEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a network for several seconds")
	}
	if kernel.Active() == kernel.Generic {
		t.Skip("minutes on the portable kernels; the amd64 run covers it")
	}
	src := data.EightGaussians()
	sde := sampler.DefaultVP()
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{128, 128, 128}, Act: kernel.SiLU, Cond: nn.CondTime, Fourier: 16, FourierScale: 4, ScaleBySigma: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	m.SetPerturbation(sde)
	ema := nn.NewEMA(m.Params(), 0.999)
	tr := nn.Trainer{Model: m, Loss: nn.ContinuousDSM{SDE: sde}, Opt: nn.NewAdam(m.NumParams(), 2e-3), EMA: ema, Data: src, Batch: 256, Steps: 3000, Seed: 1}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ema.CopyTo(m)

	const n = 1500
	rng := rand.New(rand.NewPCG(7, 7))
	test := make([]float32, 2*n)
	src.Sample(test, rng)
	fit := make([]float32, 2*20000)
	src.Sample(fit, rng)
	mu, cov := meanCov2(fit)
	gauss := make([]float32, 2*n)
	l00 := math.Sqrt(cov[0])
	l10 := cov[1] / l00
	l11 := math.Sqrt(cov[3] - l10*l10)
	for i := 0; i < len(gauss); i += 2 {
		z0, z1 := rng.NormFloat64(), rng.NormFloat64()
		gauss[i] = float32(mu[0] + l00*z0)
		gauss[i+1] = float32(mu[1] + l10*z0 + l11*z1)
	}
	base := data.MMD2(gauss, test, 2)

	x := make([]float32, 2*n)
	pc, err := sampler.NewPCSampler(sde, m, sampler.PCConfig{Seed: 11, Corrector: sampler.PCNoCorrector})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Sample(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	pcMMD := data.MMD2(x, test, 2)
	o, err := sampler.NewODESampler(sde, m, sampler.ODEConfig{Method: sampler.ODEHeun, Steps: 100, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Sample(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	odeMMD := data.MMD2(x, test, 2)
	t.Logf("MMD² to held-out data: Gaussian baseline %.5f, reverse diffusion %.5f, ODE (Heun) %.5f", base, pcMMD, odeMMD)
	if !(pcMMD < base/3) || !(odeMMD < base/3) {
		t.Errorf("samples do not beat the Gaussian baseline clearly: baseline %.5f, PC %.5f, ODE %.5f", base, pcMMD, odeMMD)
	}

	lk, err := sampler.NewLikelihood(sde, m, sampler.LikelihoodConfig{Divergence: sampler.LikelihoodExact})
	if err != nil {
		t.Fatal(err)
	}
	const k = 200
	logp := make([]float64, k)
	if _, err := lk.LogP(context.Background(), logp, nil, test[:2*k]); err != nil {
		t.Fatal(err)
	}
	det := cov[0]*cov[3] - cov[1]*cov[1]
	var ours, gl float64
	for i := range k {
		a, b := float64(test[2*i])-mu[0], float64(test[2*i+1])-mu[1]
		q := (cov[3]*a*a - 2*cov[1]*a*b + cov[0]*b*b) / det
		gl += (-math.Log(2*math.Pi) - 0.5*math.Log(det) - 0.5*q) / k
		ours += logp[i] / k
	}
	t.Logf("held-out log-likelihood: ODE %.3f nats (%.3f bits/dim), Gaussian baseline %.3f nats", ours, sampler.LikelihoodBitsPerDim(ours, 2), gl)
	if !(ours > gl+0.5) {
		t.Errorf("ODE log-likelihood %.3f does not beat the Gaussian's %.3f", ours, gl)
	}
}

// meanCov2 returns the mean and the covariance (row-major 2×2) of 2-D rows.
func meanCov2(x []float32) ([2]float64, [4]float64) {
	var mu [2]float64
	var c [4]float64
	n := float64(len(x) / 2)
	for i := 0; i < len(x); i += 2 {
		mu[0] += float64(x[i]) / n
		mu[1] += float64(x[i+1]) / n
	}
	for i := 0; i < len(x); i += 2 {
		a, b := float64(x[i])-mu[0], float64(x[i+1])-mu[1]
		c[0] += a * a / n
		c[1] += a * b / n
		c[3] += b * b / n
	}
	c[2] = c[1]
	return mu, c
}
