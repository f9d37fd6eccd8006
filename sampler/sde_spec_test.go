package sampler

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestParseSDE: ParseSDE reads what a user writes and what String writes,
// bit for bit, with N = 1000 implied, and refuses what is malformed or
// invalid, naming the spec.
func TestParseSDE(t *testing.T) {
	for _, c := range []struct {
		spec string // what a user may write
		sde  SDE
		str  string // what String writes
	}{
		{"ve:0.01:50", VE{0.01, 50, 1000}, "ve:0.01:50"},
		{"vp:0.1:20:500", VP{0.1, 20, 500}, "vp:0.1:20:500"},
		{"subvp:1e-1:2e1", SubVP{0.1, 20, 1000}, "subvp:0.1:20"},
		{"ve:0.01:50:1000", VE{0.01, 50, 1000}, "ve:0.01:50"},
		{"vp:.1:20.0000000", VP{0.1, 20, 1000}, "vp:0.1:20"},
		{"ve:0.3333333333333333:31415926535.897934:7", VE{1.0 / 3, math.Pi * 1e10, 7}, "ve:0.3333333333333333:3.1415926535897934e+10:7"},
		{"vp:0.30000000000000004:19.999999999999996:2000", VP{0.30000000000000004, 19.999999999999996, 2000}, "vp:0.30000000000000004:19.999999999999996:2000"},
		{"subvp:1e-300:0.5:1", SubVP{1e-300, 0.5, 1}, "subvp:1e-300:0.5:1"},
	} {
		sde, err := ParseSDE(c.spec)
		if err != nil || sde != c.sde {
			t.Errorf("ParseSDE(%q) = %#v, %v: want %#v", c.spec, sde, err, c.sde)
			continue
		}
		str := sde.(fmt.Stringer).String()
		if back, err := ParseSDE(str); str != c.str || err != nil || back != c.sde {
			t.Errorf("%#v: String %q, read back as %#v, %v: want %q and the same SDE", c.sde, str, back, err, c.str)
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

// FuzzParseSDE: a model file's "scorekit.sde" metadata is read with
// ParseSDE, so any string may reach it: it never panics, and an SDE it
// accepts is valid and reads back from its String as the same SDE.
func FuzzParseSDE(f *testing.F) {
	for _, s := range []string{"ve:0.01:50", "vp:0.1:20:500", "subvp:1e-1:2e1", "ve:50:0.01", "vp:NaN:20", "ve:0.01:Inf",
		"vp:0.1:20:-1", "vp:0.1:20:0", "ve:1e-320:1e308:9223372036854775807", "ve::", ":::", "vp:0x1p-3:0x1.4p4", "subvp:+1:1_0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		sde, err := ParseSDE(spec)
		if err != nil {
			if sde != nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", spec)) {
				t.Fatalf("ParseSDE(%q) = %v, %v: want no SDE and an error naming the spec", spec, sde, err)
			}
			return
		}
		if err := sde.Validate(); err != nil {
			t.Fatalf("ParseSDE(%q) = %#v, which is not valid: %v", spec, sde, err)
		}
		str := sde.(fmt.Stringer).String()
		if back, err := ParseSDE(str); err != nil || back != sde {
			t.Fatalf("ParseSDE(%q) = %#v, whose String %q reads back as %#v, %v", spec, sde, str, back, err)
		}
	})
}
