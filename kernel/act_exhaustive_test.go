package kernel_test

import (
	"flag"
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/scorekit/scorekit/internal/kerneltest"
	"github.com/scorekit/scorekit/kernel"
)

// TestActExhaustive holds every implementation's f, f′ and f″ to the
// generic bits over float32 bit patterns: every one for elu′ (which is exp
// below zero, so this checks the vector exps bit for bit) and every 61st
// for the rest. It takes minutes, so it runs only with -exhaustive.
func TestActExhaustive(t *testing.T) {
	// The flag is defined by the in-package tests of the same binary.
	if f := flag.Lookup("exhaustive"); f == nil || f.Value.String() != "true" {
		t.Skip("run with -exhaustive")
	}
	const chunk = 1 << 20
	kinds := []struct {
		name string
		f    func(kernel.Impl, kernel.Activation, []float32, []float32)
	}{
		{"f", kernel.Impl.Act},
		{"f'", kernel.Impl.ActDeriv},
		{"f''", kernel.Impl.ActDeriv2},
	}
	workers := runtime.GOMAXPROCS(0)
	for _, a := range kernel.Activations() {
		for _, k := range kinds {
			stride := uint64(61)
			if a == kernel.ELU && k.name == "f'" {
				stride = 1
			}
			var (
				mu    sync.Mutex
				fails int
				wg    sync.WaitGroup
			)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					x := make([]float32, chunk)
					want := make([]float32, chunk)
					got := make([]float32, chunk)
					for c := uint64(w); c < (1<<32/stride+chunk-1)/chunk; c += uint64(workers) {
						for i := range x {
							x[i] = math.Float32frombits(uint32((c*chunk + uint64(i)) * stride))
						}
						k.f(kernel.Generic, a, want, x)
						for _, impl := range kernel.Available() {
							if impl == kernel.Generic {
								continue
							}
							k.f(impl, a, got, x)
							for i := range x {
								if kerneltest.Same(got[i], want[i]) {
									continue
								}
								mu.Lock()
								if fails < 20 {
									t.Errorf("%v %v %s(%g [%#08x]) = %g [%#08x], generic %g [%#08x]", impl, a, k.name,
										x[i], math.Float32bits(x[i]), got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
								}
								fails++
								mu.Unlock()
							}
						}
					}
				}()
			}
			wg.Wait()
			if fails > 0 {
				t.Errorf("%v %s: %d inputs differ", a, k.name, fails)
			}
		}
	}
}
