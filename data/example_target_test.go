package data_test

import (
	"context"
	"fmt"
	"math"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/sampler"
)

// A correlated Gaussian target run through a sampler: its exact mean and
// covariance, and whether those of 2000 MALA chains' final states are
// within 3 standard errors of them (for n draws of a Gaussian, √(Σⱼⱼ/n)
// for a mean and √((ΣⱼⱼΣₖₖ + Σⱼₖ²)/n) for a covariance).
func ExampleNewGaussian() {
	g, err := data.NewGaussian([]float64{1, -2}, []float64{
		2.0, 0.8,
		0.8, 0.5,
	})
	if err != nil {
		panic(err)
	}
	m, err := sampler.NewMALA(g, sampler.MALAConfig{
		Step: 0.1, Chain: sampler.ChainConfig{Seed: 1, BurnIn: 200},
	})
	if err != nil {
		panic(err)
	}
	const n = 2000
	x := make([]float32, n*2) // n chains in ℝ², all starting at the origin
	if _, err := m.Run(context.Background(), x); err != nil {
		panic(err)
	}

	mu, sigma := g.Mean(), g.Cov()
	fmt.Printf("exact mean %.1f, covariance %.1f\n", mu, sigma)
	mean, cov := moments(x)
	ok := true
	for j := range 2 {
		ok = ok && math.Abs(mean[j]-mu[j]) < 3*math.Sqrt(sigma[3*j]/n)
		for k := range 2 {
			se := math.Sqrt((sigma[3*j]*sigma[3*k] + sigma[2*j+k]*sigma[2*j+k]) / n)
			ok = ok && math.Abs(cov[2*j+k]-sigma[2*j+k]) < 3*se
		}
	}
	fmt.Println("chains' mean and covariance within 3 standard errors:", ok)
	// Output:
	// exact mean [1.0 -2.0], covariance [2.0 0.8 0.8 0.5]
	// chains' mean and covariance within 3 standard errors: true
}

// moments returns the mean and the covariance (row-major) of the points of
// x in ℝ².
func moments(x []float32) (mean [2]float64, cov [4]float64) {
	n := float64(len(x) / 2)
	for i := 0; i < len(x); i += 2 {
		mean[0] += float64(x[i])
		mean[1] += float64(x[i+1])
	}
	mean[0] /= n
	mean[1] /= n
	for i := 0; i < len(x); i += 2 {
		d0, d1 := float64(x[i])-mean[0], float64(x[i+1])-mean[1]
		cov[0] += d0 * d0
		cov[1] += d0 * d1
		cov[3] += d1 * d1
	}
	cov[0] /= n - 1
	cov[1] /= n - 1
	cov[3] /= n - 1
	cov[2] = cov[1]
	return mean, cov
}
