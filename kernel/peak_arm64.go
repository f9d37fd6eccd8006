//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// peakArch runs i's assembly peak loop and returns its lanes per vector,
// or returns 0 if i has none.
func peakArch(i Impl, n int) int {
	if i == NEON {
		asm.PeakNEON(n)
		return 4
	}
	return 0
}
