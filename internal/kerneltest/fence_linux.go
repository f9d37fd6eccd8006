//go:build linux

package kerneltest

import (
	"os"
	"syscall"
	"testing"
	"unsafe"
)

// FenceEnd returns a float32 slice of n elements whose last element ends
// exactly where an inaccessible (PROT_NONE) page begins: a kernel that
// reads or writes past its end crashes the test. Each call maps its own
// memory, released when t ends.
func FenceEnd(t testing.TB, n int) []float32 {
	data := fenced(t, n)
	off := len(data) - 4*n
	return unsafe.Slice((*float32)(unsafe.Pointer(&data[off:][:1][0])), n)[:n:n]
}

// FenceStart returns a float32 slice of n elements whose first element
// starts exactly where an inaccessible page ends: a kernel that touches
// memory before its start crashes the test.
func FenceStart(t testing.TB, n int) []float32 {
	data := fenced(t, n)
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(data))), n)[:n:n]
}

// fenced maps fence page, data pages, fence page and returns the data.
func fenced(t testing.TB, n int) []byte {
	t.Helper()
	page := os.Getpagesize()
	dataPages := max((n*4+page-1)/page, 1)
	total := (dataPages + 2) * page
	mem, err := syscall.Mmap(-1, 0, total, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	for _, p := range [][]byte{mem[:page], mem[total-page:]} {
		if err := syscall.Mprotect(p, syscall.PROT_NONE); err != nil {
			t.Fatalf("mprotect: %v", err)
		}
	}
	return mem[page : total-page]
}
