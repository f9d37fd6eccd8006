//go:build !linux

package kerneltest

import "testing"

// FenceEnd needs mmap and mprotect; on other systems the test is skipped.
func FenceEnd(t testing.TB, n int) []float32 {
	t.Skip("page-fence tests need Linux")
	return nil
}

// FenceStart needs mmap and mprotect; on other systems the test is skipped.
func FenceStart(t testing.TB, n int) []float32 {
	t.Skip("page-fence tests need Linux")
	return nil
}
