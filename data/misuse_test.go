package data

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/scorekit/scorekit/internal/testpanic"
)

// builtTargets holds one working value of every exported type of the
// package that has methods.
func builtTargets() []any {
	return []any{
		NewIsotropicGaussian([]float64{0, 1}, 1),
		NCSNMixture(),
		NewBanana(),
		NewFunnel(3),
		NewRosenbrock(2),
		SourceFunc{D: 1, Row: func(dst []float32, rng *rand.Rand) { dst[0] = float32(rng.NormFloat64()) }},
	}
}

// typeName is the name of v's type, without the package or a pointer.
func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// TestSampleNilRNG: every Sample, the targets' and every Named data
// set's, panics naming itself on a nil rng, as SlicedWasserstein does,
// where each dereferenced it at its first draw (or, with no rows to
// draw, let the mistake pass).
func TestSampleNilRNG(t *testing.T) {
	var srcs []Source
	for _, b := range builtTargets() {
		if s, ok := b.(Source); ok {
			srcs = append(srcs, s)
		}
	}
	for _, name := range Names() {
		s, err := Named(name)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, s)
	}
	if len(srcs) < 6+len(Names()) {
		t.Errorf("%d sources, want every target's (6) and every Named set's", len(srcs))
	}
	for _, s := range srcs {
		want := fmt.Sprintf("data: %s.Sample: nil rng: want a *rand.Rand to draw the rows from (rand.New(rand.NewPCG(seed, 0)), say)", typeName(s))
		for _, n := range []int{2, 0} {
			testpanic.Exactly(t, want, func() { s.Sample(make([]float32, n*s.Dim()), nil) })
		}
	}
}
