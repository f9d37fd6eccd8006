//go:build !linux

package kerneltest

import "testing"

// Fenced needs mmap and mprotect; on other systems the test is skipped.
func Fenced(t testing.TB, n int) (endsAtFence, startsAtFence []float32) {
	t.Skip("page-fence tests need Linux")
	return nil, nil
}
