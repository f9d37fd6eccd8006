// Package testpanic holds the tests' checks that a call panics with a
// message of the package under test — a string, or an error value the
// package made — and not with a runtime error (an index out of range, a
// nil dereference, a division by zero), which would mean a check was
// left out and the code failed by accident.
package testpanic

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// Recover calls f and returns what it panicked with, or nil if it
// returned.
func Recover(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// Message returns the text of a panic value r that is a package's own
// message: a string, or an error or fmt.Stringer that is not a
// runtime.Error. ok is false otherwise, nil included.
func Message(r any) (msg string, ok bool) {
	switch v := r.(type) {
	case string:
		return v, true
	case runtime.Error:
		return "", false
	case error, fmt.Stringer:
		return fmt.Sprint(v), true
	}
	return "", false
}

// Exactly fails t unless f panics with a message (see [Message]) equal to
// want.
func Exactly(t testing.TB, want string, f func()) {
	t.Helper()
	r := Recover(f)
	if msg, ok := Message(r); !ok || msg != want {
		t.Errorf("panic %T %v, want the message %q", r, r, want)
	}
}

// Contains fails t unless f panics with a message (see [Message]) that
// contains each of want; what names the call in the failures.
func Contains(t testing.TB, what string, f func(), want ...string) {
	t.Helper()
	r := Recover(f)
	msg, ok := Message(r)
	switch {
	case r == nil:
		t.Errorf("%s did not panic", what)
		return
	case !ok:
		t.Errorf("%s panicked with %T %v, want a message of the package", what, r, r)
		return
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s panicked with %q, want it to mention %q", what, msg, w)
		}
	}
}
