package main

import (
	"testing"

	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func TestUpToDate(t *testing.T) { neon.CheckUpToDate(t, "narrow", "narrow", build) }

// TestChains checks that every n's largest block keeps eight or more
// accumulator chains in flight, and that every block's registers fit
// (plan panics if not).
func TestChains(t *testing.T) {
	for n := 1; n <= maxN; n++ {
		if c := n * groups(n); c < 8 {
			t.Errorf("n=%d: %d chains in the largest block, want ≥ 8", n, c)
		}
		for _, g := range append(blocks(n), 1) {
			plan(n, g)
		}
	}
}
