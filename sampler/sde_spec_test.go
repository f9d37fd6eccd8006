package sampler

import (
	"math"
	"strings"
	"testing"
)

// TestParseSDE: ParseSDE reads back what String writes, bit for bit,
// with N = 1000 implied, and refuses what is malformed or invalid,
// naming the spec.
func TestParseSDE(t *testing.T) {
	for _, sde := range []SDE{VE{0.01, 50, 1000}, VP{0.1, 20, 1000}, SubVP{0.1, 20, 1000},
		VE{1.0 / 3, math.Pi * 1e10, 7}, VP{0.1 + 0.2, 19.999999999999996, 2000}, SubVP{1e-300, 0.5, 1}} {
		s := sde.(interface{ String() string }).String()
		got, err := ParseSDE(s)
		if err != nil || got != sde {
			t.Errorf("ParseSDE(%q) = %#v, %v: want %#v", s, got, err, sde)
		}
	}
	for spec, want := range map[string]string{
		"ve:0.01:50":       "ve:0.01:50",
		"vp:0.1:20:500":    "vp:0.1:20:500",
		"subvp:1e-1:2e1":   "subvp:0.1:20",
		"ve:0.01:50:1000":  "ve:0.01:50",
		"vp:.1:20.0000000": "vp:0.1:20",
	} {
		sde, err := ParseSDE(spec)
		if err != nil || sde.(interface{ String() string }).String() != want {
			t.Errorf("ParseSDE(%q) = %v, %v: want %s", spec, sde, err, want)
		}
	}
	for spec, why := range map[string]string{
		"":                "not three or four fields",
		"ve:0.01":         "not three or four fields",
		"ve:0.01:50:10:1": "not three or four fields",
		"ve:a:50":         "parameters are not numbers",
		"vp:0.1:20:many":  "N is not an integer",
		"heat:1:2":        "unknown kind",
		"VE:0.01:50":      "unknown kind",
		"ve:50:0.01":      "want 0 < SigmaMin < SigmaMax",
		"ve:0.01:Inf":     "want 0 < SigmaMin < SigmaMax",
		"vp:0.1:20:-3":    "want N",
		"subvp:NaN:20":    "SubVP",
	} {
		_, err := ParseSDE(spec)
		if err == nil || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), `"`+spec+`"`) {
			t.Errorf("ParseSDE(%q): error %v, want one naming the spec and saying %q", spec, err, why)
		}
	}
}
