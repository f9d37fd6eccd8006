package bench

import (
	"strings"
	"testing"
	"time"
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
			if p := peaks[peakOf(c.Impl)]; c.Unit == "FLOP" && p > 0 {
				b.ReportMetric(100*rate/p, "%peak")
			}
		})
	}
}

// TestSuiteRuns runs every case of the quick set once, so that a broken
// case fails the tests and not only the benchmarks.
func TestSuiteRuns(t *testing.T) {
	for _, c := range Suite(Options{Quick: true}) {
		if strings.Contains(c.Name, "annealed") && testing.Short() {
			continue
		}
		if err := c.Run(1); err != nil {
			t.Errorf("%s %s: %v", c.Name, c.Impl, err)
		}
	}
}
