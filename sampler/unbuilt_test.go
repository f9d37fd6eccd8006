package sampler

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/internal/methodscan"
	"github.com/scorekit/scorekit/internal/testpanic"
)

// TestUnbuiltPanics: a sampler its constructor did not make (a zero
// value, or the nil pointer a constructor returns with an error) panics
// naming the method and the constructor, where it failed with a nil
// dereference (the Langevin family, via the score's Dim) or an integer
// division by zero (the SDE samplers, whose d is 0).
func TestUnbuiltPanics(t *testing.T) {
	ctx := context.Background()
	x := make([]float32, 4)
	cases := []struct {
		method string
		zero   func()
		nilPtr func()
	}{
		{"ULA.Run", func() { new(ULA).Run(ctx, x) }, func() { (*ULA)(nil).Run(ctx, x) }},
		{"MALA.Run", func() { new(MALA).Run(ctx, x) }, func() { (*MALA)(nil).Run(ctx, x) }},
		{"SGLD.Run", func() { new(SGLD).Run(ctx, x) }, func() { (*SGLD)(nil).Run(ctx, x) }},
		{"SGHMC.Run", func() { new(SGHMC).Run(ctx, x) }, func() { (*SGHMC)(nil).Run(ctx, x) }},
		{"Underdamped.Run", func() { new(Underdamped).Run(ctx, x) }, func() { (*Underdamped)(nil).Run(ctx, x) }},
		{"Annealed.Run", func() { new(Annealed).Run(ctx, x) }, func() { (*Annealed)(nil).Run(ctx, x) }},
		{"PCSampler.Sample", func() { new(PCSampler).Sample(ctx, x) }, func() { (*PCSampler)(nil).Sample(ctx, x) }},
		{"PCSampler.Config", func() { new(PCSampler).Config() }, func() { (*PCSampler)(nil).Config() }},
		{"ODESampler.Sample", func() { new(ODESampler).Sample(ctx, x) }, func() { (*ODESampler)(nil).Sample(ctx, x) }},
		{"ODESampler.Flow", func() { new(ODESampler).Flow(ctx, x, 1, 0.5) }, func() { (*ODESampler)(nil).Flow(ctx, x, 1, 0.5) }},
		{"ODESampler.Config", func() { new(ODESampler).Config() }, func() { (*ODESampler)(nil).Config() }},
		{"Likelihood.LogP", func() { new(Likelihood).LogP(ctx, make([]float64, 2), nil, x) }, func() { (*Likelihood)(nil).LogP(ctx, make([]float64, 2), nil, x) }},
		{"Likelihood.Config", func() { new(Likelihood).Config() }, func() { (*Likelihood)(nil).Config() }},
	}
	for _, c := range cases {
		typ, _, _ := strings.Cut(c.method, ".")
		wantPanic(t, c.zero, fmt.Sprintf("sampler: %s: zero %s: build it with New%s", c.method, typ, typ))
		wantPanic(t, c.nilPtr, fmt.Sprintf("sampler: %s: nil *%s: build it with New%s (did it return an error?)", c.method, typ, typ))
	}
}

// unbuiltTypes are nil pointers of every exported sampler type: each is
// made by its constructor, and every exported method checks that it was.
var unbuiltTypes = []any{
	(*ULA)(nil), (*MALA)(nil), (*SGLD)(nil), (*SGHMC)(nil), (*Underdamped)(nil), (*Annealed)(nil),
	(*PCSampler)(nil), (*ODESampler)(nil), (*Likelihood)(nil),
}

// nilCheckedTypes are the other exported types with pointer receivers,
// whose methods check for a nil pointer (TestTraceMisuse,
// TestDivergenceErrorNil).
var nilCheckedTypes = []any{(*Trace)(nil), (*DivergenceError)(nil)}

// callMethods calls every exported method of recv's type (found by
// reflection, so a method added later is called too) with zero
// arguments and checks its panic with want(method name).
func callMethods(t *testing.T, recv reflect.Value, want func(t *testing.T, name string, f func())) {
	t.Helper()
	typ := recv.Type()
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		args := []reflect.Value{recv}
		for j := 1; j < m.Type.NumIn(); j++ {
			args = append(args, reflect.Zero(m.Type.In(j)))
		}
		want(t, m.Name, func() { m.Func.Call(args) })
	}
}

// TestUnbuiltMethods: every exported method of every sampler type, on a
// nil pointer and on a zero value, panics with unbuilt's message naming
// it. Reset, MALA's Acceptance, WarmupAcceptance and StepSize and the
// Velocities of SGHMC and Underdamped dereferenced nil (StepSize on a
// zero MALA named a chain out of range, not the constructor), where Run
// already named the constructor.
func TestUnbuiltMethods(t *testing.T) {
	for _, p := range unbuiltTypes {
		typ := reflect.TypeOf(p).Elem().Name()
		callMethods(t, reflect.ValueOf(p), func(t *testing.T, name string, f func()) {
			t.Helper()
			wantPanic(t, f, fmt.Sprintf("sampler: %s.%s: nil *%s: build it with New%s (did it return an error?)", typ, name, typ, typ))
		})
		callMethods(t, reflect.New(reflect.TypeOf(p).Elem()), func(t *testing.T, name string, f func()) {
			t.Helper()
			wantPanic(t, f, fmt.Sprintf("sampler: %s.%s: zero %s: build it with New%s", typ, name, typ, typ))
		})
	}
}

// TestNilContext: every method that takes a Context panics naming itself
// on a nil one (a built sampler, two points in x), where each
// dereferenced it at its first cancellation check.
func TestNilContext(t *testing.T) {
	g := data.NewIsotropicGaussian([]float64{0, 0}, 1)
	l := &isoMean{d: 2}
	sde := VE{SigmaMin: 0.01, SigmaMax: 50, N: 10}
	ts := newPCTwoModes(sde, 2)
	chain := ChainConfig{Steps: 2}
	built := []any{
		mustNew(NewULA(g, ULAConfig{Step: 0.1, Chain: chain})),
		mustNew(NewMALA(g, MALAConfig{Step: 0.1, Chain: chain})),
		mustNew(NewSGLD(l, SGLDConfig{A: 1e-3, Batch: 2, Chain: chain})),
		mustNew(NewSGHMC(l, SGHMCConfig{Step: 1e-2, Friction: 10, Batch: 2, Chain: chain})),
		mustNew(NewUnderdamped(g, UnderdampedConfig{Step: 0.1, Friction: 1, Chain: chain})),
		mustNew(NewAnnealed(g, AnnealedConfig{Sigmas: []float64{1, 0.1}, StepsPerLevel: 2, Eps: 1e-3, Chain: chain})),
		mustNew(NewPCSampler(sde, ts, PCConfig{})),
		mustNew(NewODESampler(sde, ts, ODEConfig{})),
		mustNew(NewLikelihood(sde, ts, LikelihoodConfig{})),
	}
	if len(built) != len(unbuiltTypes) {
		t.Fatalf("%d samplers built, want one of each of the %d types of unbuiltTypes", len(built), len(unbuiltTypes))
	}
	ctxType := reflect.TypeFor[context.Context]()
	// Two points of x (and z), their log densities, and times for Flow.
	sampleArgs := map[reflect.Type]reflect.Value{
		reflect.TypeFor[[]float32](): reflect.ValueOf(make([]float32, 4)),
		reflect.TypeFor[[]float64](): reflect.ValueOf(make([]float64, 2)),
	}
	times := []float64{1, 0.5} // Flow's t0 and t1
	var calls int
	for _, s := range built {
		v := reflect.ValueOf(s)
		typ := v.Type().Elem().Name()
		for i := range v.NumMethod() {
			m := v.Type().Method(i)
			if m.Type.NumIn() < 2 || m.Type.In(1) != ctxType {
				continue
			}
			args := []reflect.Value{v, reflect.Zero(ctxType)}
			ts := times
			for j := 2; j < m.Type.NumIn(); j++ {
				a, ok := sampleArgs[m.Type.In(j)]
				if m.Type.In(j).Kind() == reflect.Float64 {
					a, ok, ts = reflect.ValueOf(ts[0]), true, ts[1:]
				}
				if !ok {
					t.Fatalf("%s.%s: no argument of type %v to pass", typ, m.Name, m.Type.In(j))
				}
				args = append(args, a)
			}
			wantPanic(t, func() { m.Func.Call(args) }, fmt.Sprintf("sampler: %s.%s: nil Context (pass context.Background() if there is none)", typ, m.Name))
			calls++
		}
	}
	if calls < len(built) {
		t.Errorf("%d methods take a Context, want at least one per sampler type (%d)", calls, len(built))
	}
}

// TestTraceMisuse: every method of a nil *Trace (what Run returns when
// it keeps no draws) and of a Trace whose counts do not describe Data
// panics naming itself, where each dereferenced nil or indexed Data out
// of range; the zero Trace, no draws, panics only where an index is out
// of range.
func TestTraceMisuse(t *testing.T) {
	callMethods(t, reflect.ValueOf((*Trace)(nil)), func(t *testing.T, name string, f func()) {
		t.Helper()
		wantPanic(t, f, fmt.Sprintf("sampler: Trace.%s: nil *Trace: a Run that keeps no draws returns one (Thin 0, the default, or above the steps run; no chains)", name))
	})
	for _, tr := range []*Trace{
		{Chains: 2, Dim: 3, Draws: 4},
		{Chains: 2, Dim: 3, Draws: 4, Data: make([]float32, 23)},
		{Chains: -1, Dim: 3, Draws: 0},
		{Chains: 1, Dim: -1, Draws: -1, Data: make([]float32, 1)},
		{Chains: 1 << 40, Dim: 1 << 40, Draws: 1 << 40},
	} {
		callMethods(t, reflect.ValueOf(tr), func(t *testing.T, name string, f func()) {
			t.Helper()
			wantPanic(t, f, fmt.Sprintf("sampler: Trace.%s: Chains, Dim, Draws = %d, %d, %d and %d values in Data, want Chains·Dim·Draws values", name, tr.Chains, tr.Dim, tr.Draws, len(tr.Data)))
		})
	}
	callMethods(t, reflect.ValueOf(&Trace{}), func(t *testing.T, name string, f func()) {
		t.Helper()
		if r := testpanic.Recover(f); r != nil {
			if _, ok := testpanic.Message(r); !ok {
				t.Errorf("zero Trace: %s panicked with %T %v, want a message of the package", name, r, r)
			}
		}
	})
}

// TestDivergenceErrorNil: Error on a nil *DivergenceError panics naming
// itself, where it dereferenced nil.
func TestDivergenceErrorNil(t *testing.T) {
	wantPanic(t, func() { _ = (*DivergenceError)(nil).Error() }, "sampler: DivergenceError.Error: nil *DivergenceError")
	if got := (&DivergenceError{}).Error(); !strings.HasPrefix(got, "sampler: ") {
		t.Errorf("zero DivergenceError: Error() = %q", got)
	}
}

// TestSDEPriorLogPNil: a nil SDE, or a nil pointer to one, panics naming
// the function, where it dereferenced nil.
func TestSDEPriorLogPNil(t *testing.T) {
	wantPanic(t, func() { SDEPriorLogP(nil, []float32{1}) }, "sampler: SDEPriorLogP: the SDE is nil")
	wantPanic(t, func() { SDEPriorLogP((*VP)(nil), []float32{1}) }, "sampler: SDEPriorLogP: the SDE is a nil *sampler.VP")
}

// TestNilCheckedTypesListed parses the package's source for the exported
// types that have methods with pointer receivers, and wants each in
// unbuiltTypes or nilCheckedTypes: a new one needs its methods checked
// for a nil receiver, and its place in a test above.
func TestNilCheckedTypesListed(t *testing.T) {
	var listed []string
	for _, p := range slices.Concat(unbuiltTypes, nilCheckedTypes) {
		listed = append(listed, reflect.TypeOf(p).Elem().Name())
	}
	methods, err := methodscan.Exported(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range methods {
		if m.Pointer && !slices.Contains(listed, m.Type) {
			t.Errorf("%s: %s has the method (*%s).%s but is in neither unbuiltTypes nor nilCheckedTypes", m.File, m.Type, m.Type, m.Name)
		}
	}
}

// wantPanic fails unless f panics with exactly the message want.
func wantPanic(t *testing.T, f func(), want string) {
	t.Helper()
	testpanic.Exactly(t, want, f)
}
