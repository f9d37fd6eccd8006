package main

import (
	"bufio"
	"fmt"
	"io"
	"runtime"
	"strings"

	"golang.org/x/sys/cpu"

	"github.com/scorekit/scorekit/internal/english"
	"github.com/scorekit/scorekit/kernel"
)

func runCPU(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("cpu", "cpu", stdout)
	if err := parse(fs, args); err != nil {
		return err
	}
	// Buffered, so that a failed write (a full disk, a closed pipe) is an
	// error, not a silent exit 0.
	w := bufio.NewWriter(stdout)
	fmt.Fprintf(w, "arch:        %s/%s, %s, %s\n", runtime.GOOS, runtime.GOARCH, english.Count(runtime.NumCPU(), "logical CPU"), runtime.Version())
	if v := kernel.CPUVendor(); v != "" {
		fmt.Fprintf(w, "vendor:      %s\n", v)
	}
	fmt.Fprintf(w, "features:    %s\n", strings.Join(features(), " "))
	var avail []string
	for _, i := range kernel.Available() {
		avail = append(avail, i.String())
	}
	fmt.Fprintf(w, "available:   %s\n", strings.Join(avail, " "))
	fmt.Fprintf(w, "active:      %s\n", kernel.Active())
	if kernel.AVX512.Available() {
		// The same bits either way; see kernel.GemmPipelined.
		placement := "after each tile (the pipelined form is chosen on AMD cores)"
		if kernel.GemmPipelined() {
			placement = "inside the next tile's k-loop (pipelined, as on AMD cores)"
		}
		fmt.Fprintf(w, "avx512 GEMM: activation %s\n", placement)
	}
	if len(avail) == 1 && simdCapable() {
		fmt.Fprintln(w, "note:        the CPU has the features, but this build has no assembly (built with -tags purego)")
	}
	fmt.Fprintln(w, "(GODEBUG=cpu.avx512f=off, cpu.avx2=off or cpu.asimd=off switch features off; -tags purego removes all assembly)")
	return w.Flush()
}

// simdCapable reports whether the CPU, after GODEBUG, has the features of
// some assembly kernel (avx2 and fma on amd64, asimd on arm64).
func simdCapable() bool {
	switch runtime.GOARCH {
	case "amd64":
		return cpu.X86.HasAVX2 && cpu.X86.HasFMA
	case "arm64":
		return cpu.ARM64.HasASIMD
	}
	return false
}

// features lists the CPU features the kernels depend on, as x/sys/cpu sees
// them after GODEBUG.
func features() []string {
	var fs []string
	add := func(name string, on bool) {
		if on {
			fs = append(fs, name)
		} else {
			fs = append(fs, "-"+name)
		}
	}
	switch runtime.GOARCH {
	case "amd64":
		x := cpu.X86
		add("avx", x.HasAVX)
		add("avx2", x.HasAVX2)
		add("fma", x.HasFMA)
		add("avx512f", x.HasAVX512F)
		add("avx512bw", x.HasAVX512BW)
		add("avx512dq", x.HasAVX512DQ)
		add("avx512vl", x.HasAVX512VL)
	case "arm64":
		add("asimd", cpu.ARM64.HasASIMD)
		add("fphp", cpu.ARM64.HasFPHP)
		add("asimdhp", cpu.ARM64.HasASIMDHP)
	default:
		fs = append(fs, "(none the kernels use)")
	}
	return fs
}
