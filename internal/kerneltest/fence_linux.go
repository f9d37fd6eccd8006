//go:build linux

package kerneltest

import (
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// Fenced returns a float32 slice of n elements whose last element ends
// exactly where an inaccessible (PROT_NONE) page begins, and a second one
// whose first element starts exactly where an inaccessible page ends. A
// kernel that reads or writes one element past either end crashes the
// test. The memory is released when t ends.
func Fenced(t testing.TB, n int) (endsAtFence, startsAtFence []float32) {
	t.Helper()
	page := os.Getpagesize()
	size := n * 4
	dataPages := (size + page - 1) / page
	if dataPages == 0 {
		dataPages = 1
	}
	total := (dataPages + 2) * page // fence, data, fence
	mem, err := syscall.Mmap(-1, 0, total, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[:page], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	if err := syscall.Mprotect(mem[total-page:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	data := mem[page : total-page]
	base := unsafe.Pointer(unsafe.SliceData(data))
	end := unsafe.Add(base, len(data)-size)
	endsAtFence = unsafe.Slice((*float32)(end), n)
	startsAtFence = unsafe.Slice((*float32)(base), n)
	return endsAtFence[:n:n], startsAtFence[:n:n]
}
