package kernel_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// evexOnly matches the registers only EVEX (AVX-512) encodings can name:
// Y16–Y31, X16–X31, any Z register and the mask registers.
var evexOnly = regexp.MustCompile(`\b([XY](1[6-9]|2[0-9]|3[01])|Z([0-9]|[12][0-9]|3[01])|K[1-7])\b`)

// TestAVX2KernelsAvoidAVX512 reads the generated amd64 assembly and checks
// that no AVX2 kernel names a register that needs AVX-512: avo's register
// allocator may hand a YMM virtual register Y16–Y31 when every instruction
// using it has an EVEX form, which would make the "AVX2" kernel fault on
// the machines it exists for.
func TestAVX2KernelsAvoidAVX512(t *testing.T) {
	files, err := filepath.Glob("../asm/*_amd64.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated amd64 assembly found: %v", err)
	}
	kernels := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fn := ""
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "TEXT ") {
				fn = strings.Fields(line)[1]
				if strings.Contains(fn, "AVX2") {
					kernels++
				}
				continue
			}
			code, _, _ := strings.Cut(line, "//")
			if strings.Contains(fn, "AVX2") && evexOnly.MatchString(code) {
				t.Errorf("%s:%d: %s uses an AVX-512 register: %s", filepath.Base(f), i+1, fn, strings.TrimSpace(code))
			}
		}
	}
	if kernels == 0 {
		t.Fatal("no AVX2 kernels found in ../asm")
	}
}
