package kernel

import (
	"fmt"
	"math"

	"github.com/scorekit/scorekit/internal/rngconst"
)

//go:generate go run ../gen/amd64/rng -out ../asm/rng_amd64.s -stubs ../asm/rng_amd64.go -pkg asm

// Philox4x32_10 returns the Philox4x32-10 block of counter ctr under key
// key (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as
// 1, 2, 3", SC 2011: a counter-based generator, a keyed bijection of a
// 128-bit counter), as Random123's philox4x32 computes it: ten rounds of
//
//	hi0, lo0 = M0·ctr[0];  hi1, lo1 = M1·ctr[2]      32×32 → 64-bit products
//	ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0}
//
// with the key advanced by (0x9E3779B9, 0xBB67AE85) between rounds. It
// advances the key itself rather than share philoxBlock's precomputed
// round keys, so that the known-answer tests hold it and philoxBlock (and
// the assembly) to each other independently.
func Philox4x32_10(ctr [4]uint32, key [2]uint32) [4]uint32 {
	k0, k1 := key[0], key[1]
	c0, c1, c2, c3 := ctr[0], ctr[1], ctr[2], ctr[3]
	for r := 0; r < rngconst.PhiloxRounds; r++ {
		p0 := uint64(rngconst.PhiloxM0) * uint64(c0)
		p1 := uint64(rngconst.PhiloxM1) * uint64(c2)
		c0, c1, c2, c3 = uint32(p1>>32)^c1^k0, uint32(p1), uint32(p0>>32)^c3^k1, uint32(p0)
		k0 += rngconst.PhiloxW0
		k1 += rngconst.PhiloxW1
	}
	return [4]uint32{c0, c1, c2, c3}
}

// What Stream.blocks fills.
const (
	kUniforms = iota
	kNormals
)

// groupLen is the number of 32-bit outputs in one group: 16 Philox blocks
// of 4 words, the unit every implementation computes at once.
const groupLen = rngconst.GroupLen

// roundKeys holds the key of each of the ten rounds: rk[2r], rk[2r+1] are
// key[0] + r·W0 and key[1] + r·W1. The assembly reads them from here.
type roundKeys [2 * rngconst.PhiloxRounds]uint32

func (s *Stream) roundKeys() (rk roundKeys) {
	k0, k1 := s.k0, s.k1
	for r := 0; r < rngconst.PhiloxRounds; r++ {
		rk[2*r], rk[2*r+1] = k0, k1
		k0 += rngconst.PhiloxW0
		k1 += rngconst.PhiloxW1
	}
	return rk
}

// philoxBlock returns block b of stream id under the round keys rk: the
// Philox4x32-10 block of counter (b, id).
func philoxBlock(rk *roundKeys, id, b uint64) [4]uint32 {
	c0, c1, c2, c3 := uint32(b), uint32(b>>32), uint32(id), uint32(id>>32)
	for r := 0; r < rngconst.PhiloxRounds; r++ {
		p0 := uint64(rngconst.PhiloxM0) * uint64(c0)
		p1 := uint64(rngconst.PhiloxM1) * uint64(c2)
		c0, c1, c2, c3 = uint32(p1>>32)^c1^rk[2*r], uint32(p1), uint32(p0>>32)^c3^rk[2*r+1], uint32(p0)
	}
	return [4]uint32{c0, c1, c2, c3}
}

// groupWord says where output p of group g comes from: word p/16 of
// block 16g + p%16. Groups are laid out word-major so that each vector
// lane runs one block.
func groupWord(g uint64, p int) (block uint64, word int) { return 16*g + uint64(p%16), p / 16 }

// philoxGroup fills w with group g of stream id under the round keys rk,
// in output order (see groupWord).
func philoxGroup(w *[groupLen]uint32, rk *roundKeys, id, g uint64) {
	for l := 0; l < 16; l++ {
		c := philoxBlock(rk, id, 16*g+uint64(l))
		w[l], w[16+l], w[32+l], w[48+l] = c[0], c[1], c[2], c[3]
	}
}

// normalGroup fills z with the 64 normals of group g: the Box–Muller pair
// of words 0 and 1 of each block, then that of words 2 and 3.
func normalGroup(z *[groupLen]float32, rk *roundKeys, id, g uint64) {
	var w [groupLen]uint32
	philoxGroup(&w, rk, id, g)
	for l := 0; l < 16; l++ {
		z[l], z[16+l] = boxMuller(w[l], w[16+l])
		z[32+l], z[48+l] = boxMuller(w[32+l], w[48+l])
	}
}

// The group kernels (uint32s, uniforms, normals, langevin, mala,
// kineticO, malaRev) work on whole groups: the slices' lengths are
// multiples of groupLen (16 for malaRev) and the first group is g; mala
// returns the lane-tree sum of z² (see laneTree). Each architecture's file
// (rng_amd64.go, rng_arm64.go, rng_noasm.go) dispatches them by a switch
// on the implementation, as every kernel family does (see impl.go): an
// indirect call would make their arguments escape, and the stack scratch
// of a partial group would then be allocated on every call.

func uint32sGeneric(dst []uint32, rk *roundKeys, id, g uint64) {
	for ; len(dst) >= groupLen; dst, g = dst[groupLen:], g+1 {
		philoxGroup((*[groupLen]uint32)(dst), rk, id, g)
	}
}

func uniformsGeneric(dst []float32, rk *roundKeys, id, g uint64) {
	var w [groupLen]uint32
	for ; len(dst) >= groupLen; dst, g = dst[groupLen:], g+1 {
		philoxGroup(&w, rk, id, g)
		for i, v := range w {
			dst[i] = uniform(v)
		}
	}
}

func normalsGeneric(dst []float32, rk *roundKeys, id, g uint64) {
	for ; len(dst) >= groupLen; dst, g = dst[groupLen:], g+1 {
		normalGroup((*[groupLen]float32)(dst), rk, id, g)
	}
}

func langevinStepGeneric(a, b float32, x, grad []float32, rk *roundKeys, id, g uint64) {
	var z [groupLen]float32
	for ; len(x) >= groupLen; x, grad, g = x[groupLen:], grad[groupLen:], g+1 {
		normalGroup(&z, rk, id, g)
		for i, zi := range z {
			x[i] = fma32(b, zi, fma32(a, grad[i], x[i]))
		}
	}
}

func malaProposeGeneric(h, sq float32, xp, x, grad []float32, rk *roundKeys, id, g uint64) float32 {
	var z [groupLen]float32
	var acc [16]float32
	for ; len(xp) >= groupLen; xp, x, grad, g = xp[groupLen:], x[groupLen:], grad[groupLen:], g+1 {
		normalGroup(&z, rk, id, g)
		for i, zi := range z {
			xp[i] = fma32(sq, zi, fma32(h, grad[i], x[i]))
			acc[i%16] = fma32(zi, zi, acc[i%16])
		}
	}
	return laneTree(&acc)
}

func kineticOGeneric(c1, c2 float32, v []float32, rk *roundKeys, id, g uint64) {
	var z [groupLen]float32
	for ; len(v) >= groupLen; v, g = v[groupLen:], g+1 {
		normalGroup(&z, rk, id, g)
		for i, zi := range z {
			v[i] = fma32(c2, zi, c1*v[i])
		}
	}
}

func malaReverseGeneric(h float32, x, xp, gradp []float32) float32 {
	var acc [16]float32
	for i := range x {
		d := fma32(-h, gradp[i], x[i]-xp[i])
		acc[i%16] = fma32(d, d, acc[i%16])
	}
	return laneTree(&acc)
}

// laneTree sums 16 lane accumulators by halving, as the vector code does:
// lanes l and l+8, then l and l+4, l+2, l+1.
func laneTree(acc *[16]float32) float32 {
	for w := 8; w >= 1; w /= 2 {
		for l := 0; l < w; l++ {
			acc[l] += acc[l+w]
		}
	}
	return acc[0]
}

// Stream is one stream of Philox4x32-10 random numbers: stream id under
// seed, read from position Pos. It is a small value: copying a Stream
// copies its position, and the copy replays the same numbers.
//
// # Addressing
//
// Block b of stream id under seed is Philox4x32_10({b, b>>32, id, id>>32},
// {seed, seed>>32}). The outputs come in groups of 64 32-bit words: group
// g is blocks 16g … 16g+15, and its output 16j+l is word j of block 16g+l
// (word-major, so that each vector of the assembly is one word of 8 or 16
// blocks). Output n is word (n%64)/16 of block 16·(n/64) + n%16. The n-th
// output of a stream is thus a pure function of (seed, id, n), whatever
// the implementation, the chunking of calls or the goroutine that makes
// them.
//
// Every method consumes one output per value it produces (a normal
// consumes one output; see [Stream.Normals] for how pairs combine) and
// advances Pos by the count. Methods run the implementation chosen by
// [Stream.Using], [Active] by default.
type Stream struct {
	k0, k1 uint32 // key: the seed
	id     uint64 // stream id: counter words 2 and 3
	pos    uint64 // next output
	impl   Impl
}

// NewStream returns stream id under seed, at position 0, using the
// active implementation.
func NewStream(seed, id uint64) Stream {
	return Stream{k0: uint32(seed), k1: uint32(seed >> 32), id: id, impl: active}
}

// Seek moves the stream to position n (counted in 32-bit outputs, one per
// uniform or normal).
func (s *Stream) Seek(n uint64) { s.pos = n }

// Pos returns the stream's position: the number of outputs consumed.
func (s *Stream) Pos() uint64 { return s.pos }

// Using returns a copy of s that runs implementation i. It panics unless
// i is available. The numbers do not depend on i (see [Stream.Normals]).
func (s Stream) Using(i Impl) Stream {
	i.must("Stream.Using")
	s.impl = i
	return s
}

// Impl returns the implementation s runs.
func (s *Stream) Impl() Impl { return s.impl }

// String describes the stream.
func (s Stream) String() string {
	return fmt.Sprintf("Stream(seed=%#x, id=%d, pos=%d, %v)", uint64(s.k1)<<32|uint64(s.k0), s.id, s.pos, s.impl)
}

// span splits the n outputs from the stream's position into a head inside
// the first group, whole groups and a tail: head outputs start at offset
// off of group g0; full whole groups follow.
func (s *Stream) span(n int) (off, head, full int, g0 uint64) {
	g0 = s.pos / groupLen
	off = int(s.pos % groupLen)
	if off != 0 {
		head = min(groupLen-off, n)
	}
	full = (n - head) &^ (groupLen - 1)
	return
}

// Uint32s fills dst with the next len(dst) outputs.
func (s *Stream) Uint32s(dst []uint32) {
	rk := s.roundKeys()
	var w [groupLen]uint32
	off, head, full, g := s.span(len(dst))
	if head > 0 {
		rngUint32s(s.impl, w[:], &rk, s.id, g)
		copy(dst, w[off:off+head])
		dst, g = dst[head:], g+1
	}
	rngUint32s(s.impl, dst[:full], &rk, s.id, g)
	if t := dst[full:]; len(t) > 0 {
		rngUint32s(s.impl, w[:], &rk, s.id, g+uint64(full/groupLen))
		copy(t, w[:])
	}
	s.pos += uint64(head + len(dst))
}

// Uniforms fills dst with the next len(dst) uniforms in (0, 1): output w
// becomes
//
//	u = (w>>9)·2⁻²³ + 2⁻²⁴
//
// exactly: the centres of 2²³ equal cells, from 2⁻²⁴ to 1−2⁻²⁴, never 0 or
// 1. Every implementation gives the same bits.
func (s *Stream) Uniforms(dst []float32) {
	s.blocks(dst, kUniforms)
}

// Normals fills dst with the next len(dst) standard normals, by the
// Box–Muller transform, exact in distribution up to float32 rounding and
// the 2²³-point uniform grid:
//
//	z[n], z[n+16] = r·cos 2πu₂, r·sin 2πu₂,  r = √(−2 ln u₁)
//
// where, within each group of 64 outputs, u₁ and u₂ are the uniforms (see
// [Stream.Uniforms]) of outputs n and n+16, for n%64 in [0,16) or [32,48)
// (words 0 and 1, and 2 and 3, of one Philox block). The normal at
// position n thus depends only on the two outputs of its pair, and a
// partial read returns the same values as a whole one.
//
// ln, sin and cos are polynomials evaluated by the same sequence of
// correctly rounded float32 operations in every implementation (see
// logU and sinCosTurn in rng_math.go), so the normals are the same bits on
// generic, avx2, avx512 and neon. Against Box–Muller in float64 math from
// the same uniforms, measured over every float32 uniform by
// TestBoxMullerAccuracy (and FuzzBoxMuller): ln u₁ within 2 ulp; cos and
// sin within 1.2e-7 absolute (measured 8.8e-8); z within 4 ulp where
// |z| ≥ 2⁻⁸, and within 6e-7 absolute everywhere (|z| ≤ 5.77).
func (s *Stream) Normals(dst []float32) {
	s.blocks(dst, kNormals)
}

// blocks runs a group kernel over len(dst) outputs from the stream's
// position, going through a scratch group for a partial head or tail.
func (s *Stream) blocks(dst []float32, kind int) {
	kern := func(dst []float32, rk *roundKeys, id, g uint64) {
		if kind == kUniforms {
			rngUniforms(s.impl, dst, rk, id, g)
		} else {
			rngNormals(s.impl, dst, rk, id, g)
		}
	}
	rk := s.roundKeys()
	var z [groupLen]float32
	off, head, full, g := s.span(len(dst))
	part := func(g uint64, from, to int) {
		if kind == kNormals {
			s.partialNormals(&z, &rk, g, from, to)
		} else {
			kern(z[:], &rk, s.id, g)
		}
	}
	if head > 0 {
		part(g, off, off+head)
		copy(dst, z[off:off+head])
		dst, g = dst[head:], g+1
	}
	kern(dst[:full], &rk, s.id, g)
	if t := dst[full:]; len(t) > 0 {
		part(g+uint64(full/groupLen), 0, len(t))
		copy(t, z[:])
	}
	s.pos += uint64(head + len(dst))
}

// partialNormals sets z[from:to] to the normals of group g. The assembly
// computes the whole group at once; the generic code computes only the
// blocks and Box–Muller halves it needs (the same values), so that small
// reads cost a few normals rather than 64.
func (s *Stream) partialNormals(z *[groupLen]float32, rk *roundKeys, g uint64, from, to int) {
	if s.impl != Generic {
		rngNormals(s.impl, z[:], rk, s.id, g)
		return
	}
	var have [16]bool
	var w [16][4]uint32
	for p := from; p < to; p++ {
		b, j := groupWord(g, p)
		l := int(b - 16*g)
		if !have[l] {
			w[l] = philoxBlock(rk, s.id, b)
			have[l] = true
		}
		z1, z2 := boxMuller(w[l][j&^1], w[l][j|1])
		if j&1 == 0 {
			z[p] = z1
		} else {
			z[p] = z2
		}
	}
}

// LangevinStep performs one unadjusted Langevin step in place, drawing
// its noise from s without a noise buffer:
//
//	for i := range x { z := next normal; x[i] = fma(b, z, fma(a, grad[i], x[i])) }
//
// With step h and grad = ∇log p(x), a = h and b = √(2h) give ULA; the
// annealed Langevin step x ← x + (αᵢ/2)·s(x, σᵢ) + √αᵢ·z at noise level
// σᵢ (Song & Ermon's αᵢ) is the same with a = αᵢ/2 and b = √αᵢ. The
// normals are those of [Stream.Normals] at the same positions, and the
// update is [LangevinUpdate]'s with each fma rounded once, so the result
// is the same bits on every implementation and the same bits as Normals
// followed by LangevinUpdate
// (TestLangevinStepIsNormalsThenUpdate). It consumes len(x) outputs and
// panics unless len(grad) == len(x).
func (s *Stream) LangevinStep(a, b float32, x, grad []float32) {
	if len(grad) != len(x) {
		panicLen("Stream.LangevinStep", "len(x), len(grad)", len(x), len(grad))
	}
	rk := s.roundKeys()
	var z [groupLen]float32
	upd := func(x, grad, z []float32) {
		for i := range x {
			x[i] = fma32(b, z[i], fma32(a, grad[i], x[i]))
		}
	}
	off, head, full, g := s.span(len(x))
	if head > 0 {
		s.partialNormals(&z, &rk, g, off, off+head)
		upd(x[:head], grad[:head], z[off:])
		x, grad, g = x[head:], grad[head:], g+1
	}
	rngLangevin(s.impl, a, b, x[:full], grad[:full], &rk, s.id, g)
	if t := len(x) - full; t > 0 {
		s.partialNormals(&z, &rk, g+uint64(full/groupLen), 0, t)
		upd(x[full:], grad[full:], z[:])
	}
	s.pos += uint64(head + len(x))
}

// MALAPropose draws the Metropolis-adjusted Langevin proposal from x with
// step h and returns ‖z‖²:
//
//	for i := range x { z := next normal; xp[i] = fma(√(2h), z, fma(h, grad[i], x[i])); zz += z·z }
//
// with √(2h) rounded once to float32. The log proposal density of xp
// given x is −‖z‖²/2 up to a constant; with [MALAReverse] for the reverse
// move this is all Metropolis–Hastings needs. zz is summed in 16 lane
// sums (output n into lane n%16, head and tail of a partial group
// sequentially) combined by halving: the same bits on every
// implementation, within n·2⁻²⁴ relative of the exact sum. It consumes
// len(x) outputs and panics unless xp, x and grad have the same length.
func (s *Stream) MALAPropose(h float32, xp, x, grad []float32) (zz float32) {
	if len(xp) != len(x) || len(grad) != len(x) {
		panicLen("Stream.MALAPropose", "len(xp), len(x), len(grad)", len(xp), len(x), len(grad))
	}
	rk := s.roundKeys()
	sq := float32(math.Sqrt(2 * float64(h)))
	var z [groupLen]float32
	upd := func(xp, x, grad, z []float32) {
		for i := range xp {
			xp[i] = fma32(sq, z[i], fma32(h, grad[i], x[i]))
			zz = fma32(z[i], z[i], zz)
		}
	}
	off, head, full, g := s.span(len(x))
	if head > 0 {
		s.partialNormals(&z, &rk, g, off, off+head)
		upd(xp[:head], x[:head], grad[:head], z[off:])
		xp, x, grad, g = xp[head:], x[head:], grad[head:], g+1
	}
	if full > 0 {
		zz += rngMALA(s.impl, h, sq, xp[:full], x[:full], grad[:full], &rk, s.id, g)
	}
	if t := len(x) - full; t > 0 {
		s.partialNormals(&z, &rk, g+uint64(full/groupLen), 0, t)
		upd(xp[full:], x[full:], grad[full:], z[:])
	}
	s.pos += uint64(head + len(x))
	return zz
}

// KineticO performs the O step of BAOAB/OBABO underdamped Langevin
// integration in place, v ← c1·v + c2·z, with c1 = e^(−γτ) for an O step
// of length τ (h in BAOAB, h/2 for each of OBABO's two) and
// c2 = √(1 − c1²) (times √(kT/m) if not 1):
//
//	for i := range v { z := next normal; v[i] = fma(c2, z, c1·v[i]) }
//
// The same bits on every implementation. It consumes len(v) outputs.
func (s *Stream) KineticO(c1, c2 float32, v []float32) {
	rk := s.roundKeys()
	var z [groupLen]float32
	upd := func(v, z []float32) {
		for i := range v {
			v[i] = fma32(c2, z[i], c1*v[i])
		}
	}
	off, head, full, g := s.span(len(v))
	if head > 0 {
		s.partialNormals(&z, &rk, g, off, off+head)
		upd(v[:head], z[off:])
		v, g = v[head:], g+1
	}
	rngKineticO(s.impl, c1, c2, v[:full], &rk, s.id, g)
	if t := len(v) - full; t > 0 {
		s.partialNormals(&z, &rk, g+uint64(full/groupLen), 0, t)
		upd(v[full:], z[:])
	}
	s.pos += uint64(head + len(v))
}

// MALAReverse returns ‖x − xp − h·gradp‖² with i's kernels: with gradp the
// score at the proposal xp, −MALAReverse/(4h) is the log density of the
// reverse move xp → x up to a constant.
//
//	for i := range x { d := fma(−h, gradp[i], x[i]−xp[i]); sum += d·d }
//
// The sum is kept in 16 lane sums (element i into lane i%16, over the
// first len(x)&^15 elements) combined by halving, then the last len(x)%16
// elements are added in order: the same bits on every implementation. It
// panics unless x, xp and gradp have the same length.
func (i Impl) MALAReverse(h float32, x, xp, gradp []float32) float32 {
	if len(xp) != len(x) || len(gradp) != len(x) {
		panicLen("MALAReverse", "len(x), len(xp), len(gradp)", len(x), len(xp), len(gradp))
	}
	i.must("MALAReverse")
	n := len(x) &^ 15
	var r float32
	if n > 0 {
		r = rngMALAReverse(i, h, x[:n], xp[:n], gradp[:n])
	}
	for k := n; k < len(x); k++ {
		d := fma32(-h, gradp[k], x[k]-xp[k])
		r = fma32(d, d, r)
	}
	return r
}

// MALAReverse returns ‖x − xp − h·gradp‖²; see [Impl.MALAReverse].
func MALAReverse(h float32, x, xp, gradp []float32) float32 {
	return active.MALAReverse(h, x, xp, gradp)
}
