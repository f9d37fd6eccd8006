//go:build unix

package nn

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user+system CPU time, which, unlike wall
// time, other processes on a shared machine do not inflate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
