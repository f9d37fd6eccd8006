package kernel

// The second-derivative kernels run through actDeriv2Impl, a switch per
// architecture (act2_amd64.go, act2_arm64.go, act2_noasm.go) as for Act
// (see act.go); the generic one is actDeriv2Generic, below.

// ActDeriv2 sets dst[i] = f″(x[i]) for the activation f = a, with i's
// kernels: the second derivatives that exact score matching (the trace of
// the Jacobian of the score, backpropagated) and forward-over-reverse
// passes need. dst and x may be the same slice.
//
//	for i, v := range x { dst[i] = f''(v) }
//
// The piecewise-linear activations (identity, relu, leakyrelu) have f″ = 0
// (relu″ and leakyrelu″ are taken as 0 at the kink). The others are
// computed from e = exp(−|x|) (or exp(−2|x|)) without cancellation except
// at the zeros of f″:
//
//	sigmoid   σ'' = −σ'·tanh(x/2)
//	softplus  f'' = σ'
//	tanh      f'' = −2·tanh·tanh'
//	silu      f'' = σ'·(2 − x·tanh(x/2))
//	elu       f'' = eˣ for x ≤ 0, 0 above
//	gelu      f'' = σ'(v)·(2v' + x·v'' − x·v'²·tanh(v/2)), v = 2u(x)
//
// Error bounds against float64 math, measured by TestActDeriv2Accuracy on
// a grid over [−30, 30], with |Δ| ≤ rel·|f″(x)| + abs:
//
//	identity, relu, leakyrelu   exact
//	sigmoid, softplus, tanh     rel 8 ulp, abs 1e-7
//	elu                         rel 2 ulp
//	silu, gelu                  rel 16 ulp, abs 2e-7 (f'' crosses 0)
//
// Special values: NaN gives NaN (which NaN is not promised, as for
// [Impl.Act]); f″(±Inf) is the limit, 0.
//
// On amd64 the avx2 and avx512 kernels compose the implementation's own
// tanh, σ′, tanh′ and elu′ kernels over chunks with the remaining
// arithmetic in Go: the same bits as generic (TestActDeriv2SameAsGeneric),
// 15–40× faster.
func (i Impl) ActDeriv2(a Activation, dst, x []float32) {
	if len(dst) != len(x) {
		panicLen("ActDeriv2("+a.String()+")", "len(dst), len(x)", len(dst), len(x))
	}
	i.must("ActDeriv2")
	a.must("ActDeriv2")
	actDeriv2Impl(i, a, dst, x)
}

// ActDeriv2 sets dst[i] = f″(x[i]) with the active implementation; see
// [Impl.ActDeriv2].
func ActDeriv2(a Activation, dst, x []float32) { active.ActDeriv2(a, dst, x) }

// zeroDeriv2 is f″ of the piecewise-linear activations: 0, NaN kept.
func zeroDeriv2(x float32) float32 {
	if isNaN32(x) {
		return x
	}
	return 0
}

// sigmoidPrime returns σ'(x) = e·r² from sigmoidParts.
func sigmoidPrime(x float32) float32 {
	e, r := sigmoidParts(x)
	return e * r * r
}

func sigmoidDeriv2_32(x float32) float32 {
	sp := sigmoidPrime(x)
	return -sp * tanh32(x*0.5)
}

func tanhDeriv2_32(x float32) float32 {
	return -2 * tanh32(x) * tanhDeriv32(x)
}

func siluDeriv2_32(x float32) float32 {
	sp := sigmoidPrime(x)
	if sp == 0 {
		return 0 // |x| so large that σ' underflowed; x·tanh would give Inf·0
	}
	return sp * fma32(-x, tanh32(x*0.5), 2)
}

func eluDeriv2_32(x float32) float32 {
	if x > 0 || isNaN32(x) {
		return zeroDeriv2(x)
	}
	return exp32(x)
}

func geluDeriv2_32(x float32) float32 {
	v := geluArg(x)
	sp := sigmoidPrime(v)
	if sp == 0 {
		return 0
	}
	x2 := x * x
	dv := fma32(3*geluK2, x2, geluC2) // v'
	ddv := 6 * geluK2 * x             // v''
	q := fma32(x, ddv, 2*dv)          // 2v' + x·v''
	q = fma32(-x*dv*dv, tanh32(v*0.5), q)
	return sp * q
}

// actDeriv2Generic is the portable ActDeriv2.
func actDeriv2Generic(a Activation, dst, x []float32) {
	switch a {
	case Identity, ReLU, LeakyReLU:
		mapSlice(zeroDeriv2, dst, x)
	case Tanh:
		mapSlice(tanhDeriv2_32, dst, x)
	case Sigmoid:
		mapSlice(sigmoidDeriv2_32, dst, x)
	case SiLU:
		mapSlice(siluDeriv2_32, dst, x)
	case Softplus:
		mapSlice(sigmoidPrime, dst, x) // softplus″ = σ′
	case ELU:
		mapSlice(eluDeriv2_32, dst, x)
	case GELU:
		mapSlice(geluDeriv2_32, dst, x)
	default:
		panic(noKernel("ActDeriv2", Generic, a))
	}
}
