package main

import (
	"strings"
	"testing"

	"github.com/scorekit/scorekit/gen/arm64/actbody"
	"github.com/scorekit/scorekit/gen/arm64/emit"
	"github.com/scorekit/scorekit/gen/arm64/neon"
)

func TestUpToDate(t *testing.T) { neon.CheckUpToDate(t, "gemm", "gemm", build) }

// TestEpilogueShared checks that each function emits every activation's
// body once, whatever the number of row-count code paths, and that the
// epilogue loads its constants from a table and no coefficient inside its
// loops where registers are free.
func TestEpilogueShared(t *testing.T) {
	e := emit.New("test")
	build(e)
	asm := string(e.Asm())
	for _, fn := range []string{"GemmNEON", "MatVecNEON"} {
		text := asm[strings.Index(asm, "TEXT ·"+fn):]
		if i := strings.Index(text[1:], "\nTEXT "); i >= 0 {
			text = text[:i+1]
		}
		for _, a := range actbody.Activations[1:] {
			if n := strings.Count(text, "// "+a.Body.Scalar+" of "); n != 1 {
				t.Errorf("%s: %s's body emitted %d times, want 1", fn, a.Name, n)
			}
		}
		// The constants, loaded per tile, come four to an instruction
		// from a table: at most a lone one is an immediate (VDUP).
		for _, a := range actbody.Activations[1:] {
			setup := text[strings.Index(text, "\n"+a.Name+":\n"):]
			setup = setup[:strings.Index(setup, a.Name+"row")]
			if n := strings.Count(setup, "VDUP"); n > 1 {
				t.Errorf("%s: %s's constants take %d VDUPs, want their table", fn, a.Name, n)
			}
		}
		// relu and leaky relu have no coefficients, sigmoid, silu and elu
		// room for all of theirs.
		for _, a := range []string{"relu", "leakyrelu", "sigmoid", "silu", "elu"} {
			body := text[strings.Index(text, "\n"+a+":\n"):]
			body = body[:strings.Index(body, a+"done:")]
			loop := body[strings.Index(body, a+"row"):]
			if strings.Contains(loop, "VDUP") {
				t.Errorf("%s: %s's loop broadcasts a coefficient (VDUP)", fn, a)
			}
		}
	}
}

// TestEpilogueExpTableOnce checks that exp's constants, which six
// activations load per tile, are in the binary once (log2e's word in one
// table): they were in every activation's table.
func TestEpilogueExpTableOnce(t *testing.T) {
	e := emit.New("test")
	build(e)
	if n := strings.Count(string(e.Asm()), ", $0x3fb8aa3b\n"); n != 1 {
		t.Errorf("log2e (0x3fb8aa3b) is in %d tables, want 1", n)
	}
}
