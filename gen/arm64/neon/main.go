package neon

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/scorekit/scorekit/gen/arm64/emit"
)

// Main is the command line of every arm64 generator: it parses -out,
// -stubs and -pkg, lets build emit the functions and writes both files.
// name is the generator's directory under gen/arm64.
func Main(name string, build func(e *emit.Emitter)) {
	out := flag.String("out", "", "assembly file to write")
	stubs := flag.String("stubs", "", "Go declarations file to write")
	pkg := flag.String("pkg", "asm", "package of the declarations")
	flag.Parse()
	if *out == "" || *stubs == "" {
		fmt.Fprintf(os.Stderr, "usage: go run ../gen/arm64/%s -out file.s -stubs file.go [-pkg asm]\n", name)
		os.Exit(2)
	}
	cmd := "go run ../gen/arm64/" + name + " " + strings.Join(os.Args[1:], " ")
	e := emit.New(cmd)
	build(e)
	if err := e.WriteFiles(*out, *stubs, *pkg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
