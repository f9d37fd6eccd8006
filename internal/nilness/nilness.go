// Package nilness tells a nil argument held in an interface, which the
// == nil check of the interface does not see.
package nilness

import "reflect"

// Is reports whether v is nil or holds a nil pointer, map, slice, func,
// channel or unsafe pointer (a nil *nn.Model given as a score, say): such
// a typed nil passes v == nil and panics at its first method call.
func Is(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}
