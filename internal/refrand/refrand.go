// Package refrand is the generator of the numpy reference scripts in the
// packages' testdata folders (sampler/testdata/diag_ref.py,
// data/testdata/metrics_ref.py): splitmix64 words, uniforms on (0, 1) and
// Box–Muller normals. A Go test rebuilds a reference case's inputs from
// its seed with it, so that only the reference's results are stored.
//
// The words and uniforms are the scripts' bit for bit; the normals agree
// to a few ulps (math.Log and math.Cos are not correctly rounded, and
// differ between architectures in the last bits).
package refrand

import "math"

// SplitMix is a splitmix64 generator.
type SplitMix struct{ s uint64 }

// New returns the generator of seed.
func New(seed uint64) *SplitMix { return &SplitMix{seed} }

// Uint64 returns the next word.
func (r *SplitMix) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Uniform returns (k + ½)/2⁵³ for the next word's top 53 bits k: a
// uniform on (0, 1) that is never 0 or 1.
func (r *SplitMix) Uniform() float64 { return (float64(r.Uint64()>>11) + 0.5) / (1 << 53) }

// Normal returns √(−2 log u₁)·cos(2πu₂) of the next two uniforms.
func (r *SplitMix) Normal() float64 {
	u1, u2 := r.Uniform(), r.Uniform()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}
