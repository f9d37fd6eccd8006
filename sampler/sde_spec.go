package sampler

import (
	"fmt"
	"strconv"
	"strings"
)

// specN is the N of a spec that does not give one: score_sde's 1000, as
// in [DefaultVP].
const specN = 1000

// ParseSDE returns the SDE a spec names: "ve:σmin:σmax", "vp:βmin:βmax" or
// "subvp:βmin:βmax", with N = 1000 steps, or the same with ":N" appended
// ("vp:0.1:20:500"). It is the form the SDEs' String methods write and
// scorekit train records in a model file's "scorekit.sde" metadata, so
// that a service can rebuild the SDE a time-conditional model was trained
// on (for its SetPerturbation and the samplers). It returns an error if
// the spec is malformed or the SDE invalid (its Validate).
func ParseSDE(spec string) (SDE, error) {
	bad := func(why string) error {
		return fmt.Errorf("sampler: SDE %q: %s (want ve:σmin:σmax, vp:βmin:βmax or subvp:βmin:βmax, then :N or nothing for N = %d; e.g. ve:0.01:50)", spec, why, specN)
	}
	f := strings.Split(spec, ":")
	if len(f) != 3 && len(f) != 4 {
		return nil, bad("not three or four fields")
	}
	a, err1 := strconv.ParseFloat(f[1], 64)
	b, err2 := strconv.ParseFloat(f[2], 64)
	if err1 != nil || err2 != nil {
		return nil, bad("parameters are not numbers")
	}
	n := specN
	if len(f) == 4 {
		var err error
		if n, err = strconv.Atoi(f[3]); err != nil {
			return nil, bad("N is not an integer")
		}
	}
	var sde SDE
	switch f[0] {
	case "ve":
		sde = VE{SigmaMin: a, SigmaMax: b, N: n}
	case "vp":
		sde = VP{BetaMin: a, BetaMax: b, N: n}
	case "subvp":
		sde = SubVP{BetaMin: a, BetaMax: b, N: n}
	default:
		return nil, bad("unknown kind")
	}
	if err := sde.Validate(); err != nil {
		return nil, bad(strings.TrimPrefix(err.Error(), "sampler: "))
	}
	return sde, nil
}

// spec writes kind:a:b, and :N unless N is specN; %g gives the shortest
// decimal that reads back as the same float64.
func spec(kind string, a, b float64, n int) string {
	if n == specN {
		return fmt.Sprintf("%s:%g:%g", kind, a, b)
	}
	return fmt.Sprintf("%s:%g:%g:%d", kind, a, b, n)
}

// String returns the SDE's spec, "ve:σmin:σmax" (with ":N" unless N is
// 1000), which [ParseSDE] reads back.
func (s VE) String() string { return spec("ve", s.SigmaMin, s.SigmaMax, s.N) }

// String returns the SDE's spec, "vp:βmin:βmax" (with ":N" unless N is
// 1000), which [ParseSDE] reads back.
func (s VP) String() string { return spec("vp", s.BetaMin, s.BetaMax, s.N) }

// String returns the SDE's spec, "subvp:βmin:βmax" (with ":N" unless N
// is 1000), which [ParseSDE] reads back.
func (s SubVP) String() string { return spec("subvp", s.BetaMin, s.BetaMax, s.N) }
