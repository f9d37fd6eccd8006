package data

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/scorekit/scorekit/internal/methodscan"
	"github.com/scorekit/scorekit/internal/testpanic"
)

// builtTargets holds one working value of every exported type of the
// package that has methods (TestMethodTypesListed holds the list to the
// source).
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

// callMethods calls every exported method of recv (found by reflection,
// so a method added later is called too) with zero arguments and checks
// each call with check(method name, call).
func callMethods(t *testing.T, recv any, check func(t *testing.T, name string, f func())) {
	t.Helper()
	v := reflect.ValueOf(recv)
	for i := range v.NumMethod() {
		m := v.Type().Method(i)
		args := []reflect.Value{v}
		for j := 1; j < m.Type.NumIn(); j++ {
			args = append(args, reflect.Zero(m.Type.In(j)))
		}
		check(t, m.Name, func() { m.Func.Call(args) })
	}
}

// TestNilTargets: every method of a nil *Gaussian or *Mixture, as their
// constructors return with an error, panics naming the method and the
// constructor, where each dereferenced nil.
func TestNilTargets(t *testing.T) {
	for _, p := range []any{(*Gaussian)(nil), (*Mixture)(nil)} {
		typ := typeName(p)
		callMethods(t, p, func(t *testing.T, name string, f func()) {
			t.Helper()
			testpanic.Exactly(t, fmt.Sprintf("data: %s.%s: nil *%s: build it with New%s (did it return an error?)", typ, name, typ, typ), f)
		})
	}
}

// TestZeroTargets: every method of every type's zero value, with zero
// arguments (nil slices and rng), either returns or panics with a message
// of the package, never with a runtime error.
func TestZeroTargets(t *testing.T) {
	for _, b := range builtTargets() {
		zero := reflect.New(reflect.TypeOf(b)).Elem() // *Gaussian(nil) for a *Gaussian
		if zero.Kind() == reflect.Pointer {
			zero = reflect.New(zero.Type().Elem()) // &Gaussian{}
		}
		typ := typeName(b)
		callMethods(t, zero.Interface(), func(t *testing.T, name string, f func()) {
			t.Helper()
			if r := testpanic.Recover(f); r != nil {
				if _, ok := testpanic.Message(r); !ok {
					t.Errorf("zero %s: %s panicked with %T %v, want a message of the package", typ, name, r, r)
				}
			}
		})
	}
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

// TestMethodTypesListed parses the package's source for the exported
// types with exported methods and wants each in builtTargets, so that
// the tests above call the methods of a type added later.
func TestMethodTypesListed(t *testing.T) {
	var listed []string
	for _, b := range builtTargets() {
		listed = append(listed, typeName(b))
	}
	methods, err := methodscan.Exported(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range methods {
		if !slices.Contains(listed, m.Type) {
			t.Errorf("%s: %s has the method %s but no value in builtTargets", m.File, m.Type, m.Name)
		}
	}
}
