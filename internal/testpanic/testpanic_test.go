package testpanic

import (
	"errors"
	"fmt"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

// TestChecks: each check passes on a call that panics as wanted and fails
// on one that returns, panics with a runtime error, or says something else.
func TestChecks(t *testing.T) {
	var nilMap map[string]int
	var zero int
	calls := map[string]func(){
		"returns":     func() {},
		"string":      func() { panic("pkg: F: bad n = 3") },
		"error":       func() { panic(errors.New("pkg: F: bad n = 3")) },
		"index":       func() { _ = []int{}[zero] },
		"nil map":     func() { nilMap["a"]++ },
		"divide":      func() { _ = 1 / zero },
		"other value": func() { panic(3) },
	}
	for name, f := range calls {
		ok := name == "string" || name == "error"
		for _, check := range []struct {
			name string
			run  func(testing.TB)
		}{
			{"Exactly", func(tb testing.TB) { Exactly(tb, "pkg: F: bad n = 3", f) }},
			{"Contains", func(tb testing.TB) { Contains(tb, name, f, "pkg: F", "n = 3") }},
		} {
			r := &recorder{TB: t}
			check.run(r)
			if failed := len(r.failed) > 0; failed == ok {
				t.Errorf("%s on a call that %s: failures %q", check.name, name, r.failed)
			}
		}
	}
	r := &recorder{TB: t}
	Exactly(r, "pkg: F: bad n = 4", calls["string"])
	Contains(r, "string", calls["string"], "n = 4")
	if len(r.failed) != 2 {
		t.Errorf("another message passed: failures %q", r.failed)
	}
}
