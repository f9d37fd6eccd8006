package nilness

import "testing"

type t0 struct{}

func TestIs(t *testing.T) {
	var p *t0
	var m map[int]int
	var s []int
	var f func()
	var c chan int
	for _, c := range []struct {
		name string
		v    any
		want bool
	}{
		{"nil", nil, true}, {"nil pointer", p, true}, {"nil map", m, true}, {"nil slice", s, true},
		{"nil func", f, true}, {"nil chan", c, true},
		{"pointer", &t0{}, false}, {"struct", t0{}, false}, {"int", 0, false}, {"empty slice", []int{}, false},
	} {
		if got := Is(c.v); got != c.want {
			t.Errorf("%s: Is = %v, want %v", c.name, got, c.want)
		}
	}
}
