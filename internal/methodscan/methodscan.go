// Package methodscan lists, from a package's source, the exported methods
// of its exported types, so that a test which calls every method of a
// table of types can fail when a type with methods is missing from its
// table (a type added later would otherwise go unchecked).
package methodscan

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
)

// Method is an exported method of an exported type.
type Method struct {
	File    string // the file that declares it
	Type    string // the receiver's type name
	Name    string // the method's name
	Pointer bool   // the receiver is a pointer
}

// Exported returns the exported methods of the exported types declared in
// the non-test .go files of dir, in file and declaration order. The
// methods of generic types are not listed (none of the packages that use
// this has any).
func Exported(dir string) ([]Method, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var out []Method
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			recv := fn.Recv.List[0].Type
			star, ptr := recv.(*ast.StarExpr)
			if ptr {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok && id.IsExported() {
				out = append(out, Method{File: filepath.Base(name), Type: id.Name, Name: fn.Name.Name, Pointer: ptr})
			}
		}
	}
	return out, nil
}
