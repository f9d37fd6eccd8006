package sampler

import "fmt"

// sdeChains is the call set-up the SDE samplers ([PCSampler],
// [ODESampler], [Likelihood]) share and embed: the dimension, the chains'
// streams (chain c draws from stream first + c under seed), the team that
// splits the chains into at most workers blocks, and the caller's x while
// a call runs. A call is count, then the sampler's resize (which calls
// split), reseed if it draws, open, and a deferred close.
type sdeChains struct {
	d           int
	seed, first uint64
	workers     int
	team        chainTeam
	streams     []sdeStream
	xs          []float32
}

func newSDEChains(d int, seed, first uint64, workers int) sdeChains {
	return sdeChains{d: d, seed: seed, first: first, workers: workers}
}

// sdeCheck validates sde and the score (see checkScore) for the sampler
// named who in the errors; discrete says whether it steps on sde's N-step
// discretisation, which then must have N ≥ 1 (Validate takes N = 0, no
// discretisation, which the others never use).
func sdeCheck(who string, sde SDE, score TimeScore, discrete bool) error {
	if err := checkNil(who, "SDE", sde); err != nil {
		return err
	}
	if err := sde.Validate(); err != nil {
		return err
	}
	if n := sde.Steps(); discrete && n < 1 {
		return fmt.Errorf("sampler: %s: the SDE %T has N = %d: want N ≥ 1, since the predictor–corrector sampler and the ODE sampler's Denoise step on the N-step discretisation (the probability-flow ODE without Denoise and the likelihood take N = 0)", who, sde, n)
	}
	return checkScore(who, score, "TimeScore")
}

// count returns the number of chains len(x)/d given to the method fn; it
// panics if len(x) is not a multiple of d.
func (r *sdeChains) count(fn string, x []float32) int {
	if len(x)%r.d != 0 {
		panic(fmt.Sprintf("sampler: %s: len(x) = %d is not a multiple of d = %d", fn, len(x), r.d))
	}
	return len(x) / r.d
}

// split sizes the streams (without resetting them) and the team for n
// chains, and returns the number of blocks.
func (r *sdeChains) split(n int) (blocks int) {
	r.streams = resize(r.streams, n)
	w := chainWorkers(r.workers, n, r.d)
	r.team.split(n, w)
	return w
}

// reseed restarts every chain's stream at position 0.
func (r *sdeChains) reseed() {
	for c := range r.streams {
		r.streams[c] = sdeNewStream(r.seed, r.first+uint64(c))
	}
}

// open starts a call on x; close ends it.
func (r *sdeChains) open(x []float32) {
	r.xs = x
	r.team.start()
}

func (r *sdeChains) close() {
	r.team.stop()
	r.xs = nil
}
