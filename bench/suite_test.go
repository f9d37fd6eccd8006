package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/scorekit/scorekit/kernel"
)

// BenchmarkSuite runs the standard set (the quick one with -short) as
// sub-benchmarks group/name/impl, reporting the work rate and, for FLOP
// work, the percentage of the FMA peak measured at the start of the run.
func BenchmarkSuite(b *testing.B) {
	peaks := Peaks(200 * time.Millisecond)
	for _, c := range Suite(Options{Quick: testing.Short()}) {
		name := c.Group + "/" + strings.ReplaceAll(c.Name, " ", "_") + "/" + strings.ReplaceAll(c.Impl, " ", "_")
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			if err := c.Run(b.N); err != nil {
				b.Fatal(err)
			}
			rate := c.Work * float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rate/1e6, "M"+c.Unit+"/s")
			if p := peakFor(c, peaks); p > 0 {
				b.ReportMetric(100*rate/p, "%peak")
			}
		})
	}
}

// TestSuiteRuns runs every case of the quick set once, so that a broken
// case fails the tests and not only the benchmarks. On the portable
// kernels alone (purego, other architectures) it leaves out the cases that
// take seconds there: the others still show each one works.
func TestSuiteRuns(t *testing.T) {
	portable := kernel.Active() == kernel.Generic
	for _, c := range Suite(Options{Quick: true}) {
		heavy := c.Group == "langevin" || c.Group == "training" || c.Group == "sde" || (c.Unit == "FLOP" && c.Work > 1e6)
		if (portable && heavy) || (testing.Short() && strings.Contains(c.Name, "annealed")) {
			continue
		}
		if err := c.Run(1); err != nil {
			t.Errorf("%s %s: %v", c.Name, c.Impl, err)
		}
	}
}

// TestScalingCase runs a point of each scaling series once, the case the
// suite shares with MeasureScaling, and checks the suite's names stay.
func TestScalingCase(t *testing.T) {
	for _, c := range []Case{ulaStepCase(128, 4, 2), ulaStepCase(64, 4, 1)} {
		if err := c.Run(1); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
	}
	if got, want := ulaStepCase(128, 1024, 1).Name, "ULA step, small net, 1024 chain(s), 1 goroutine"; got != want {
		t.Errorf("name %q, want %q (the name BENCHMARKS.md's tables carry)", got, want)
	}
}

// TestMeasurePeak: a FLOP case gets the peak timed beside its
// repetitions, and its percentage of that peak; other work gets neither.
// The case here is the peak loop itself, so its percentage is near 100.
func TestMeasurePeak(t *testing.T) {
	impl := kernel.Active()
	peaks := Peaks(20 * time.Millisecond) // sizes the peak's repetitions
	r, err := Measure(peakCase(impl), 20*time.Millisecond, peaks)
	if err != nil {
		t.Fatal(err)
	}
	if r.Peak <= 0 || r.PeakPct != 100*r.PerSec/r.Peak {
		t.Fatalf("peak %g, %g %%, %g FLOP/s: want the percentage of the peak beside it", r.Peak, r.PeakPct, r.PerSec)
	}
	// The same loop timed alternately: within a factor two of each other
	// (the best of five each), in one of three tries, each timing both
	// again: a neighbour that takes the core for one of the two timings
	// should not fail the test, but a percentage computed wrongly fails
	// all three.
	for try := 1; r.PeakPct < 50 || r.PeakPct > 200; try++ {
		if try == 3 {
			t.Errorf("the peak loop measures %.0f %% of itself (three tries)", r.PeakPct)
			break
		}
		peaks = Peaks(20 * time.Millisecond)
		if r, err = Measure(peakCase(impl), 20*time.Millisecond, peaks); err != nil {
			t.Fatal(err)
		}
	}
	c := kernelCases()[0] // elements, not FLOP
	if r, err := Measure(c, 10*time.Millisecond, peaks); err != nil || r.Peak != 0 || r.PeakPct != 0 {
		t.Errorf("%s: peak %g, %g %% (%v): want none", c.Name, r.Peak, r.PeakPct, err)
	}
}
