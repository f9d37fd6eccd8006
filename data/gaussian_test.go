package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSingularCovariance: a covariance AAᵀ with A of size d×(d−1) is
// singular, but its computed smallest eigenvalue is often a tiny positive
// number rather than 0 (it was for 105 of these 200, from 8e-21 to
// 4e-15), which NewGaussian took for positive definite: the Gaussian then
// had a score of size 1e15 or more along the null direction. An
// ill-conditioned covariance that is not singular to working precision
// (condition number 1e12) must still be taken.
func TestSingularCovariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 200; trial++ {
		d := 2 + trial%6
		a := make([]float64, d*(d-1))
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		c := make([]float64, d*d)
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				for k := 0; k < d-1; k++ {
					c[i*d+j] += a[i*(d-1)+k] * a[j*(d-1)+k]
				}
			}
		}
		if g, err := NewGaussian(make([]float64, d), c); err == nil {
			t.Fatalf("trial %d: singular %d×%d covariance accepted, eigenvalues %v", trial, d, d, g.lambda)
		}
	}
	// Rotate diag(1, 1e-12) by 30°: condition number 1e12, far from
	// 2⁻⁵²·2 ≈ 4.4e-16.
	c, s := math.Cos(math.Pi/6), math.Sin(math.Pi/6)
	l0, l1 := 1.0, 1e-12
	cov := []float64{c*c*l0 + s*s*l1, c * s * (l0 - l1), c * s * (l0 - l1), s*s*l0 + c*c*l1}
	g, err := NewGaussian([]float64{0, 0}, cov)
	if err != nil {
		t.Fatalf("condition number 1e12 refused: %v", err)
	}
	if lam := g.lambda[0]; math.Abs(lam-l1) > 1e-3*l1 {
		t.Errorf("smallest eigenvalue %v, want %v", lam, l1)
	}
}

// TestSymmetryTolerance: NewGaussian takes a covariance whose two
// triangles differ in the last bit (as a product computed in another
// order does, Gaussian.Cov's for one) and refuses one that differs by a
// relative 1e-9.
func TestSymmetryTolerance(t *testing.T) {
	cov := randSPD(rand.New(rand.NewPCG(2, 2)), 4)
	cov[1] = math.Nextafter(cov[4], math.Inf(1))
	cov[2*4+3] = math.Nextafter(cov[3*4+2], math.Inf(-1))
	g, err := NewGaussian(make([]float64, 4), cov)
	if err != nil {
		t.Fatalf("covariance asymmetric in the last bit refused: %v", err)
	}
	if _, err := NewGaussian(g.Mean(), g.Cov()); err != nil {
		t.Errorf("NewGaussian(g.Mean(), g.Cov()) refused: %v", err)
	}
	cov[1] = cov[4] * (1 + 1e-9)
	if _, err := NewGaussian(make([]float64, 4), cov); err == nil {
		t.Error("covariance asymmetric by a relative 1e-9 accepted")
	}
}
