package methodscan

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestExported(t *testing.T) {
	dir := t.TempDir()
	src := `package p

type T struct{}
type u struct{}
type G[E any] struct{}

func (T) Value()     {}
func (*T) Pointer()  {}
func (T) hidden()    {}
func (*u) Exported() {}
func (*G[E]) Generic() {}
func Free()          {}
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\n\nfunc (T) InTest() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Exported(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Method{{"p.go", "T", "Value", false}, {"p.go", "T", "Pointer", true}}
	if !slices.Equal(got, want) {
		t.Errorf("Exported = %+v, want %+v", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.go"), []byte("package p\nfunc ("), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Exported(dir); err == nil {
		t.Error("Exported of a file that does not parse: no error")
	}
}
