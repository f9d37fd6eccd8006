package sampler

import (
	"context"
	"hash/fnv"
	"math"
	"testing"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
)

// linScore is s(x) = −0.7x + 0.1 (and −x/(1+σ²) given σ) in ℝ^d.
type linScore struct{ d int }

func (l linScore) Dim() int { return l.d }
func (l linScore) Score(dst, x []float32) {
	for i := range x {
		// The explicit conversion rounds the product: Go may otherwise
		// fuse a*b + c (it does on arm64 and with GOAMD64=v3), which would
		// change the golden hashes.
		dst[i] = float32(-0.7*x[i]) + 0.1
	}
}
func (l linScore) NoiseScore(dst, x []float32, s float32) {
	for i := range x {
		dst[i] = -x[i] / (1 + s*s)
	}
}

func hashF32(x []float32) uint64 {
	f := fnv.New64a()
	for _, v := range x {
		b := math.Float32bits(v)
		f.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)})
	}
	return f.Sum64()
}

// chainGolden: FNV-1a hashes of ULA's final state and traces of two
// runs and of the annealed final state, computed with the per-chain
// fused kernel.Stream.LangevinStep before the noise was buffered.
var chainGolden = []struct {
	d, n                int
	x, tr1, tr2, anneal uint64
}{
	{1, 1, 0x48461e3b9cd4a20c, 0x6ae0d420d855dcc3, 0x47a8d8094864e60b, 0x1ab1cd8d7a7beb9e},
	{1, 3, 0xde34d47dccdc537f, 0xdaa3703dc750b13c, 0xe323be87e786e21, 0x36016ce4a50c0d1},
	{1, 300, 0x14688957483eeccf, 0x84123007fc2b4f69, 0x2da9990f3eaf86cb, 0xbd3b8bf74bd88a93},
	{2, 1, 0x9f4a51ed87ce7be7, 0xb346d01afa5660ea, 0x382ac3056f01ef8f, 0x22cd9a13dbd36aa3},
	{2, 3, 0x2e924837ed9c1cb4, 0xc60868c0c9730ba0, 0x5c2b2461e362cbcc, 0xaf59e245a9fb5996},
	{2, 300, 0xd8830394f2a763d2, 0xd0906b43670c643, 0x2a416b589d8fece9, 0xf196725794b7c198},
	{3, 1, 0xdaee6173c3b26a3a, 0x577aae00803e87b8, 0x623ceeef6f408a59, 0xf8449f6321ada606},
	{3, 3, 0x2145ca4c3a283182, 0x8bb98a97051b3943, 0x27848a72e7ed8183, 0x98f04329cfa7a33d},
	{3, 300, 0xd6de254b5f663ff8, 0xf6ed53e5bef459a3, 0x2c9c4cb0354355f, 0x6f199d26f035104c},
	{5, 1, 0x3c5618b5a45dceea, 0xc5743fcf89c259a, 0xde3d9f98356d94c6, 0x97ce73a190c58aa0},
	{5, 3, 0x220e7f6d79cf848, 0xf543fdf52fabafdc, 0x74ca8d892693c423, 0x47afa0377b932e30},
	{5, 300, 0xa3ca6110be61ce13, 0x6f416d411cb2f197, 0xfb9f422c74c999eb, 0xb86148cbed1902b3},
	{63, 1, 0x3ab136be3031cd8b, 0x8bb3bd48ba4e9fda, 0xa98d6918c5bd76c1, 0xd34521e08e76fa27},
	{63, 3, 0x4649eb1881fbc4b4, 0xbdd2763517f01fb9, 0x80f7465e31db0afc, 0xad17bb5a3ee46fd9},
	{63, 300, 0xbb2a76b8b1da257e, 0x1b053772c2d5d59, 0x99dc00d090bea346, 0x11894879ecc1b5aa},
	{64, 1, 0xb0a84694363346cd, 0xb6cfb91b719c100f, 0xabbee8e752bbb47c, 0xbabb7c9efde29814},
	{64, 3, 0xd019a7425209c79c, 0x907e14543963e48e, 0xbc251961cb5b436, 0x87cf2aded10aac90},
	{64, 300, 0x2fff5eab89ed76dd, 0x85fd4e4c5a1cca59, 0x3df74d1c824f477c, 0x1430cb22491fa42b},
	{70, 1, 0x7f50097bf1827880, 0x9acfdbe6e6fa3c39, 0x670444ba2f05dbe, 0xfcb1a7b9ec0baab6},
	{70, 3, 0xc067c0906d2bdd0, 0x9f419b6c9a1db3a9, 0xde8df0c9087a79a9, 0xa76ec26a1a8cd31b},
	{70, 300, 0x2aae6634b4b4f37b, 0x601bce0fbd05a432, 0xdfeac818429554b9, 0x8b12966551b4661b},
	{130, 1, 0x2242a3c53adde839, 0xe5851045dcf833ad, 0x19222d3ba093328a, 0x903bb3d0da9d90ad},
	{130, 3, 0x989bbc83b694fc7d, 0x2c9ddc379116c07, 0xe20439d9dd6fb18c, 0x1c34eb84bc057b7e},
	{130, 300, 0xdc8cb764410d4de6, 0xbb2de1af5a60d114, 0x44ae5de6127dfe8c, 0xb1a1197d406a1de7},
}

// TestLangevinNoiseGolden: buffering the normals (one group per chain)
// and updating the block with kernel.LangevinUpdate gives the same bits
// as the fused per-chain LangevinStep did, for every dimension (buffered
// below 64, fused above), across runs, on every implementation.
func TestLangevinNoiseGolden(t *testing.T) {
	ctx := context.Background()
	for _, g := range chainGolden {
		d, n := g.d, g.n
		x := make([]float32, n*d)
		for i := range x {
			x[i] = float32(float32(i%7)*0.3) - 1 // unfused, as in linScore
		}
		u, err := NewULA(linScore{d}, ULAConfig{Step: 0.01, Chain: ChainConfig{Seed: 7, FirstChain: 2, Steps: 37, Thin: 5, Workers: 2, Segment: 5}})
		if err != nil {
			t.Fatal(err)
		}
		tr1, err := u.Run(ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		tr2, err := u.Run(ctx, x)
		if err != nil {
			t.Fatal(err)
		}
		a, err := NewAnnealed(linScore{d}, AnnealedConfig{Sigmas: []float64{2, 1, 0.5}, StepsPerLevel: 11, Eps: 0.01, Chain: ChainConfig{Seed: 3, Workers: 1}})
		if err != nil {
			t.Fatal(err)
		}
		y := make([]float32, n*d)
		for i := range y {
			y[i] = float32(i%5) * 0.2
		}
		if _, err := a.Run(ctx, y); err != nil {
			t.Fatal(err)
		}
		if got := [4]uint64{hashF32(x), hashF32(tr1.Data), hashF32(tr2.Data), hashF32(y)}; got != [4]uint64{g.x, g.tr1, g.tr2, g.anneal} {
			t.Errorf("d=%d n=%d: hashes %#x, want %#x", d, n, got, [4]uint64{g.x, g.tr1, g.tr2, g.anneal})
		}
	}
}

// TestChainNoiseMatchesFused: reads of d normals through a chainNoise
// followed by the block update of chainEngine.langevin
// (kernel.LangevinUpdate) or chainEngine.kineticO (Scale, then Axpy) give
// the bits of the fused kernel.Stream.LangevinStep or KineticO, on every
// implementation.
func TestChainNoiseMatchesFused(t *testing.T) {
	for _, op := range []struct {
		name   string
		fused  func(s *kernel.Stream, x, grad []float32)
		update func(i kernel.Impl, x, grad, z []float32)
	}{
		{"LangevinStep",
			func(s *kernel.Stream, x, grad []float32) { s.LangevinStep(0.01, 0.1414, x, grad) },
			func(i kernel.Impl, x, grad, z []float32) { i.LangevinUpdate(0.01, 0.1414, x, grad, z) }},
		{"KineticO",
			func(s *kernel.Stream, v, _ []float32) { s.KineticO(0.9, 0.43589, v) },
			func(i kernel.Impl, v, _, z []float32) { i.Scale(0.9, v); i.Axpy(0.43589, z, v) }},
	} {
		for _, impl := range kernel.Available() {
			for _, d := range []int{1, 2, 3, 7, 31, 63} {
				fused := kernel.NewStream(11, 4).Using(impl)
				buffered := kernel.NewStream(11, 4).Using(impl)
				var nb chainNoise
				x1 := make([]float32, d)
				for i := range x1 {
					x1[i] = float32(i)*0.1 - 1
				}
				x2 := append([]float32(nil), x1...)
				grad, z := make([]float32, d), make([]float32, d)
				for step := range 200 {
					for i := range grad {
						grad[i] = -x1[i] * 3
					}
					op.fused(&fused, x1, grad)
					nb.read(&buffered, z)
					op.update(impl, x2, grad, z)
					for i := range x1 {
						if math.Float32bits(x1[i]) != math.Float32bits(x2[i]) {
							t.Fatalf("%s %v d=%d step %d: x[%d] = %v buffered, %v fused", op.name, impl, d, step, i, x2[i], x1[i])
						}
					}
				}
				if fused.Pos()+uint64(nb.n-nb.i) != buffered.Pos() {
					t.Fatalf("%s %v d=%d: stream positions %d and %d+%d", op.name, impl, d, fused.Pos(), buffered.Pos(), nb.n-nb.i)
				}
			}
		}
	}
}

// readLengths are the read lengths of the buffer tests: short ones
// (buffered), whole groups and longer ones (straight from the stream),
// and 0.
var readLengths = []int{5, 100, 3, 64, 0, 1, 63, 130, 2, 61, 200, 7}

// readAll makes a read of each of readLengths and returns the values in
// order.
func readAll[T float32 | uint32](read func(dst []T)) []T {
	var got []T
	for _, n := range readLengths {
		dst := make([]T, n)
		read(dst)
		got = append(got, dst...)
	}
	return got
}

// TestChainNoiseAnyLength: reads of any lengths through a chainNoise (as
// the SDE samplers' sdeStream makes them) give the stream's normals in
// order, on every implementation.
func TestChainNoiseAnyLength(t *testing.T) {
	for _, impl := range kernel.Available() {
		r := kernel.NewStream(3, 9).Using(impl)
		var nb chainNoise
		got := readAll(func(z []float32) { nb.read(&r, z) })
		want := make([]float32, len(got))
		s := kernel.NewStream(3, 9).Using(impl)
		s.Normals(want)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%v: normal %d = %v, want %v", impl, i, got[i], want[i])
			}
		}
	}
}

// TestChainWords: a chain's words and uniforms, read one at a time or in
// reads of any length, buffered or not, are its stream's outputs from
// chainWordsPos on, the uniforms as kernel.Stream.Uniforms makes them.
func TestChainWords(t *testing.T) {
	for _, impl := range kernel.Available() {
		for _, buffered := range []bool{false, true} {
			e := chainEngine{words: []kernel.Stream{kernel.NewStream(3, 9).Using(impl)}}
			if buffered {
				e.wordBuf = make([]chainBuf[uint32], 1)
			}
			e.words[0].Seek(chainWordsPos)
			got := readAll(func(w []uint32) { e.wordsOf(0, w) })
			s := kernel.NewStream(3, 9).Using(impl)
			s.Seek(chainWordsPos)
			want := make([]uint32, len(got))
			s.Uint32s(want)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v buffered %v: word %d = %#x, want %#x", impl, buffered, i, got[i], want[i])
				}
			}
			e.words[0].Seek(chainWordsPos)
			clear(e.wordBuf)
			s.Seek(chainWordsPos)
			wantU := make([]float32, 300)
			s.Uniforms(wantU)
			for i, w := range wantU {
				if u := e.uniform(0); math.Float32bits(u) != math.Float32bits(w) {
					t.Fatalf("%v buffered %v: uniform %d = %v, want %v", impl, buffered, i, u, w)
				}
			}
		}
	}
}

// chainRunners are the Langevin samplers whose runs the invariance tests
// compare, at dimension d. (MALA does not adapt: the adapted step is
// shared by the chains of a batch.)
func chainRunners(d int) map[string]func(ChainConfig) func(context.Context, []float32) (*Trace, error) {
	g := data.NewIsotropicGaussian(make([]float64, d), 1.5)
	l := &isoMean{d: d}
	return map[string]func(ChainConfig) func(context.Context, []float32) (*Trace, error){
		"ULA": func(c ChainConfig) func(context.Context, []float32) (*Trace, error) {
			return mustNew(NewULA(g, ULAConfig{Step: 0.1, Chain: c})).Run
		},
		"MALA": func(c ChainConfig) func(context.Context, []float32) (*Trace, error) {
			return mustNew(NewMALA(g, MALAConfig{Step: 0.5, Chain: c})).Run
		},
		"SGLD": func(c ChainConfig) func(context.Context, []float32) (*Trace, error) {
			return mustNew(NewSGLD(l, SGLDConfig{A: 1e-3, B: 10, Gamma: 0.6, Batch: 5, Chain: c})).Run
		},
		"SGHMC": func(c ChainConfig) func(context.Context, []float32) (*Trace, error) {
			return mustNew(NewSGHMC(l, SGHMCConfig{Step: 1e-2, Friction: 10, Batch: 5, Chain: c})).Run
		},
		"SGHMC B̂": func(c ChainConfig) func(context.Context, []float32) (*Trace, error) {
			return mustNew(NewSGHMC(l, SGHMCConfig{Step: 1e-2, Friction: 10, NoiseEstimate: 4, Batch: 5, Chain: c})).Run
		},
		"BAOAB": func(c ChainConfig) func(context.Context, []float32) (*Trace, error) {
			return mustNew(NewUnderdamped(g, UnderdampedConfig{Step: 0.3, Friction: 1, Chain: c})).Run
		},
		"OBABO": func(c ChainConfig) func(context.Context, []float32) (*Trace, error) {
			return mustNew(NewUnderdamped(g, UnderdampedConfig{Step: 0.3, Friction: 1, Scheme: OBABO, Chain: c})).Run
		},
	}
}

// mustNew returns v, panicking on a constructor's error.
func mustNew[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// isoMean is the posterior of the mean of N(θ, I) data yᵢ = (i%5)/5 under
// the prior N(0, I), for SGLD and SGHMC in any dimension.
type isoMean struct{ d int }

func (l *isoMean) Dim() int { return l.d }
func (l *isoMean) Len() int { return 20 }
func (l *isoMean) PriorScore(dst, th []float32) {
	for i := range dst {
		dst[i] = -th[i]
	}
}
func (l *isoMean) DataScore(dst, th []float32, idx []int) {
	clear(dst)
	for _, k := range idx {
		for i := range dst {
			dst[i] += float32(k%5)/5 - th[i]
		}
	}
}

// TestChainIndependentOfBatch: a chain's states depend on its seed, its
// stream and its start only: the same bits whether its draws are
// buffered or not (batches beyond chainNoiseMax are not), whatever the
// number of chains beside it and the split into blocks, below, at and
// above the buffered dimensions.
func TestChainIndependentOfBatch(t *testing.T) {
	smallBlocks(t)
	ctx := context.Background()
	for _, d := range []int{1, 2, 5, 63, 64, 70} {
		for name, mk := range chainRunners(d) {
			run := func(n, workers, noiseMax int) []float32 {
				defer func(m int) { chainNoiseMax = m }(chainNoiseMax)
				chainNoiseMax = noiseMax
				x := make([]float32, n*d)
				for i := range x {
					x[i] = float32(i%(7*d)%11)*0.2 - 1
				}
				tr, err := mk(ChainConfig{Seed: 4, FirstChain: 3, BurnIn: 20, Steps: 40, Thin: 10, Workers: workers, Segment: 9})(ctx, x)
				if err != nil {
					t.Fatalf("%s d=%d: %v", name, d, err)
				}
				return append(x[:3*d:3*d], tr.Draw(tr.Draws - 1)[:3*d]...)
			}
			ref := run(3, 1, 1<<14)
			for _, c := range [][3]int{{3, 1, 0}, {7, 3, 1 << 14}, {7, 2, 0}, {7, 2, 4}} {
				got := run(c[0], c[1], c[2])
				for i := range ref {
					if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
						t.Fatalf("%s d=%d: %d chains, %d workers, buffered up to %d: value %d = %v, want %v", name, d, c[0], c[1], c[2], i, got[i], ref[i])
					}
				}
			}
		}
	}
}
