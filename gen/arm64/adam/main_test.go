package main

import (
	"testing"

	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func TestUpToDate(t *testing.T) { neon.CheckUpToDate(t, "adam", "adam", build) }

// TestFSQRTEncoding checks the FSQRT encoding against llvm-mc
// (echo 'fsqrt v3.4s, v5.4s' | llvm-mc -triple=aarch64 -show-encoding).
func TestFSQRTEncoding(t *testing.T) {
	for _, c := range []struct {
		d, n emit.V
		want uint32
	}{
		{3, 5, 0x6ea1f8a3},
		{31, 0, 0x6ea1f81f},
		{0, 31, 0x6ea1fbe0},
	} {
		if got, _ := fsqrtEnc(c.d, c.n); got != c.want {
			t.Errorf("FSQRT V%d.4S, V%d.4S = %#08x, want %#08x", c.d, c.n, got, c.want)
		}
	}
}
