package actbody

import (
	"strings"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// TestActivationsOrder holds Activations to kernel.Activation's numbering,
// which GemmNEON's act argument carries across.
func TestActivationsOrder(t *testing.T) {
	acts := kernel.Activations()
	if len(acts) != len(Activations) {
		t.Fatalf("%d activations here, kernel has %d", len(Activations), len(acts))
	}
	for i, a := range acts {
		got := Activations[i]
		if got.Name != a.String() {
			t.Errorf("Activations[%d] is %q, kernel.Activation(%d) is %q", i, got.Name, i, a)
		}
		if (got.Body == nil) != (a == kernel.Identity) {
			t.Errorf("Activations[%d] (%s): only identity has no body", i, got.Name)
		}
		if got.Body != nil && !strings.HasPrefix(got.Body.Scalar, strings.TrimSuffix(a.String(), "relu")) {
			t.Errorf("Activations[%d] (%s) follows %s", i, got.Name, got.Body.Scalar)
		}
	}
}
