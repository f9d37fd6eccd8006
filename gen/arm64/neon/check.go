package neon

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/scorekit/scorekit/gen/arm64/emit"
)

// CheckUpToDate fails t unless running generator name's build, as
// kernel/generate_neon.go runs it, reproduces the committed files
// asm/<file>_arm64.s and asm/<file>_arm64.go byte for byte. It is called
// from each generator's test, in gen/arm64/<name>.
func CheckUpToDate(t *testing.T, name, file string, build func(e *emit.Emitter)) {
	t.Helper()
	out, stubs := "../asm/"+file+"_arm64.s", "../asm/"+file+"_arm64.go"
	run := func() *emit.Emitter {
		e := emit.New("go run ../gen/arm64/" + name + " -out " + out + " -stubs " + stubs + " -pkg asm")
		build(e)
		return e
	}
	e := run()
	if again := run(); !bytes.Equal(e.Asm(), again.Asm()) || !bytes.Equal(e.Stubs("asm"), again.Stubs("asm")) {
		t.Fatal("two runs of the generator differ")
	}
	for _, f := range []struct {
		path string
		want []byte
	}{{out, e.Asm()}, {stubs, e.Stubs("asm")}} {
		// The paths are relative to kernel/; the test runs in gen/arm64/<name>.
		got, err := os.ReadFile(filepath.Join("..", "..", "..", "kernel", f.path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.want) {
			t.Errorf("%s is not what gen/arm64/%s writes: run go generate ./kernel", filepath.Base(f.path), name)
		}
	}
}
