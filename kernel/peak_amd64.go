//go:build gc && !purego

package kernel

import "github.com/scorekit/scorekit/asm"

// peakArch runs i's assembly peak loop and returns its lanes per vector,
// or returns 0 if i has none.
func peakArch(i Impl, n int) int {
	switch i {
	case AVX512:
		asm.PeakAVX512(n)
		return 16
	case AVX2:
		asm.PeakAVX2(n)
		return 8
	}
	return 0
}
