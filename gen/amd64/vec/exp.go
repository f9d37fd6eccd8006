package vec

import (
	"fmt"
	"math/big"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The constants of kernel.exp32, which these must equal.
var (
	expMin, expMax, log2e, ln2Hi, ln2Lo, expBias Mem
	expC                                         [8]Mem // expC[k] = 1/k! for k = 2..7 (eˣ − 1's Taylor polynomial)
	expP                                         [7]Mem // expP[k] = kernel's expPk, k = 2..6 (exp's polynomial)
	One, Two, Neg2, SignMask, AbsMask, Zero      Mem
)

// expPBits are kernel's expP2..expP6 (index k: the coefficient of rᵏ) as
// float32 bits.
var expPBits = [7]uint32{2: 0x3effffff, 3: 0x3e2aaa3f, 4: 0x3d2aab1c, 5: 0x3c092384, 6: 0x3ab61a88}

// DeclareExp emits the constants of Exp and the common ones (One, Two,
// Neg2, Zero, SignMask, AbsMask); call it before the first TEXT that uses
// them.
func DeclareExp() {
	expMin = F("exp_min", "-104")
	expMax = F("exp_max", "89")
	log2e = F("log2e", "1.44269504088896341")
	ln2Hi = F("ln2hi", "0.693359375")
	ln2Lo = F("ln2lo", "-2.12194440e-4")
	expBias = I("exp_bias", 127)
	fact := int64(1)
	for k := int64(2); k <= 7; k++ {
		fact *= k
		expC[k] = FRat(fmt.Sprintf("exp_c%d", k), big.NewRat(1, fact))
	}
	for k := 2; k <= 6; k++ {
		expP[k] = Const(fmt.Sprintf("exp_p%d", k), expPBits[k])
	}
	One = F("one", "1")
	Two = F("two", "2")
	Neg2 = F("neg2", "-2")
	Zero = F("zero", "0")
	SignMask = Const("sign", 0x80000000)
	AbsMask = Const("abs", 0x7fffffff)
}

// Exp returns a new register holding exp(x) lane by lane, computed by the
// sequence of kernel.exp32 (see its doc comment); x is not modified.
func (a *ISA) Exp(x VecVirtual) VecVirtual { return a.exp(x, expMin, true) }

// ExpNonPos is [ISA.Exp] for arguments known to be ≤ 0 or NaN (such as
// −|x|): the clamp at 89 cannot change them, so it is left out. Same bits.
func (a *ISA) ExpNonPos(x VecVirtual) VecVirtual { return a.exp(x, expMin, false) }

// ExpAbove is [ISA.Exp] of max(x, lo), lo a constant above −104, in the
// same instructions: the lower clamp takes lo's value instead of −104
// (kernel's floorOne and exp32, for a bound such as expOneMin).
func (a *ISA) ExpAbove(x VecVirtual, lo Mem) VecVirtual { return a.exp(x, lo, true) }

// ExpNonPosAbove is [ISA.ExpNonPos] of max(x, lo), as [ISA.ExpAbove].
func (a *ISA) ExpNonPosAbove(x VecVirtual, lo Mem) VecVirtual { return a.exp(x, lo, false) }

// ExpNonPosClamped is [ISA.ExpNonPos] that also returns its argument as
// clamped, max(x, −104) (NaN passing through), in a register of its own:
// a caller that needs that clamp too takes it from here instead of
// computing it again (a register copy, which the core renames, for a
// VMAXPS).
func (a *ISA) ExpNonPosClamped(x VecVirtual) (e, clamped VecVirtual) {
	clamped = a.Vec()
	e = a.expKeep(x, expMin, false, clamped)
	return e, clamped
}

func (a *ISA) exp(x VecVirtual, lo Mem, upper bool) VecVirtual {
	return a.expKeep(x, lo, upper, nil)
}

// expKeep is exp, copying the clamped argument to keep unless keep is nil.
func (a *ISA) expKeep(x VecVirtual, lo Mem, upper bool, keep VecVirtual) VecVirtual {
	if expMin.Symbol.Name == "" {
		panic("vec: Exp before DeclareExp")
	}
	bound := "−104"
	if lo != expMin {
		bound = "the caller's bound"
	}
	if upper {
		Comment("exp: clamp to [" + bound + ", 89] (NaN passes: it is the operand MAXPS/MINPS return)")
	} else {
		Comment("exp of x ≤ 0: clamp below at " + bound + " (NaN passes: it is the operand MAXPS returns)")
	}
	t := a.Load(lo)
	VMAXPS(x, t, t)
	if upper {
		hi := a.Load(expMax)
		VMINPS(t, hi, t)
	}
	if keep != nil {
		VMOVAPS(t, keep)
	}
	Comment("n = roundeven(x·log2e); r = x − n·ln2hi − n·ln2lo")
	n := a.Vec()
	VMULPS(a.C(log2e), t, n)
	if a.AVX512 {
		VRNDSCALEPS(U8(0), n, n)
	} else {
		VROUNDPS(U8(0), n, n)
	}
	VFNMADD231PS(a.C(ln2Hi), n, t)
	VFNMADD231PS(a.C(ln2Lo), n, t)
	Comment("p = 1 + r(1 + r(p₂ + r(p₃ + … + r·p₆))), Horner")
	p := a.Load(expP[6])
	for k := 5; k >= 2; k-- {
		VFMADD213PS(a.C(expP[k]), t, p)
	}
	VFMADD213PS(a.C(One), t, p)
	VFMADD213PS(a.C(One), t, p)
	if a.AVX512 {
		// VSCALEFPS rounds p·2ⁿ once, as the two exact-exponent scalings
		// do: for n ≥ −150 the first of them is exact, so only the
		// second rounds (see kernel.exp32). One instruction for nine.
		Comment("p · 2ⁿ, rounded once (the two scalings of exp32)")
		VSCALEFPS(n, p, p)
		return p
	}
	Comment("p · 2^⌊n/2⌋ · 2^(n−⌊n/2⌋)")
	ni := a.Vec()
	VCVTPS2DQ(n, ni)
	n1 := a.Vec()
	VPSRAD(U8(1), ni, n1)
	VPSUBD(n1, ni, ni)
	VPADDD(a.C(expBias), n1, n1)
	VPSLLD(U8(23), n1, n1)
	VMULPS(n1, p, p)
	VPADDD(a.C(expBias), ni, ni)
	VPSLLD(U8(23), ni, ni)
	VMULPS(ni, p, p)
	return p
}

// ExpC returns the broadcast constant 1/k!, k = 2..7, of the Taylor
// polynomial of eˣ − 1 (kernel's expm1Small; exp's own polynomial is a
// minimax fit).
func ExpC(k int) Mem { return expC[k] }
