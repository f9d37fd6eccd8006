package nn

import (
	"context"
	"errors"
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// TestAdamReference runs Adam (with warm-up, decoupled weight decay and
// clipping) against PyTorch's AdamW update written in float64.
func TestAdamReference(t *testing.T) {
	// ε = 10⁻⁸ is invisible beside √v̂ ≈ 1; ε = 0.3 checks that it is
	// added to √v̂ (bias-corrected), not to √v: at step 1 the two differ
	// by a factor 1/√(1 − β₂) ≈ 32.
	for _, eps := range []float64{1e-8, 0.3} {
		testAdamReference(t, eps)
	}
}

func testAdamReference(t *testing.T, eps float64) {
	const n, steps = 37, 12
	p := make([]float32, n)
	for i := range p {
		p[i] = float32(i%5) - 2
	}
	opt := NewAdam(n, 0.05)
	opt.WeightDecay, opt.Warmup, opt.ClipNorm, opt.Eps = 0.1, 4, 3, eps
	rp := f64(p)
	rm, rv := make([]float64, n), make([]float64, n)
	rng := newRand(1, 1)
	for s := 1; s <= steps; s++ {
		g := make([]float32, n)
		for i := range g {
			g[i] = float32(rng.NormFloat64()) * float32(1+i%3)
		}
		// Reference: clip in float64, then AdamW.
		rg := f64(g)
		var ss float64
		for _, v := range rg {
			ss += v * v
		}
		if nrm := math.Sqrt(ss); nrm > 3 {
			for i := range rg {
				rg[i] *= 3 / nrm
			}
		}
		lr := 0.05 * math.Min(1, float64(s)/4)
		for i := range rp {
			rm[i] = 0.9*rm[i] + 0.1*rg[i]
			rv[i] = 0.999*rv[i] + 0.001*rg[i]*rg[i]
			mh := rm[i] / (1 - math.Pow(0.9, float64(s)))
			vh := rv[i] / (1 - math.Pow(0.999, float64(s)))
			rp[i] = rp[i]*(1-lr*0.1) - lr*mh/(math.Sqrt(vh)+eps)
		}
		opt.Step(p, g)
	}
	if e := relErr(f64(p), rp); e > 1e-5 {
		t.Errorf("ε = %g: Adam after %d steps: relative error %.3g vs float64 AdamW", eps, steps, e)
	}
	if opt.Steps() != steps {
		t.Errorf("Steps() = %d", opt.Steps())
	}
}

func TestClipGradNorm(t *testing.T) {
	g := []float32{3, 4}
	if n := ClipGradNorm(g, 1); n != 5 || math.Abs(float64(g[0])-0.6) > 1e-7 || math.Abs(float64(g[1])-0.8) > 1e-7 {
		t.Errorf("norm %v, clipped %v", n, g)
	}
	g = []float32{3, 4}
	if ClipGradNorm(g, 10); g[0] != 3 || g[1] != 4 {
		t.Errorf("clipped below the limit: %v", g)
	}
	// Just above the limit (not only far above it): clipped to it.
	g = []float32{3, 4}
	if n := ClipGradNorm(g, 4.5); n != 5 || math.Abs(float64(g[0])-2.7) > 1e-6 || math.Abs(float64(g[1])-3.6) > 1e-6 {
		t.Errorf("norm %v, clipped to 4.5: %v, want [2.7 3.6]", n, g)
	}
	// At the limit: untouched.
	g = []float32{3, 4}
	if ClipGradNorm(g, 5); g[0] != 3 || g[1] != 4 {
		t.Errorf("clipped at the limit: %v", g)
	}
}

// clipBound is ClipGradNorm's documented relative error on the norm.
const clipBound = 1.6e-5

// TestClipGradNormReference holds ClipGradNorm, with every available
// implementation of the kernels, to the norm computed in float64 within
// its documented bound, over lengths around the block size and elements
// whose squares overflow or underflow float32 (alone, or in some blocks
// among ordinary ones), and checks that clipping multiplies every
// element by maxNorm/norm rounded to float32.
func TestClipGradNormReference(t *testing.T) {
	for _, impl := range kernel.Available() {
		t.Run(impl.String(), func(t *testing.T) { testClipGradNormReference(t, impl) })
	}
}

func testClipGradNormReference(t *testing.T, impl kernel.Impl) {
	rng := newRand(4, 4)
	var worst float64
	for _, n := range []int{0, 1, 7, 255, 256, 257, 1000, 4096 + 33, 1 << 17} {
		for _, c := range []struct {
			name  string
			scale func(i int) float64
		}{
			{"unit", func(int) float64 { return 1 }},
			{"ramp", func(i int) float64 { return float64(1 + i%97) }},
			{"huge", func(int) float64 { return 1e25 }},
			{"tiny", func(int) float64 { return 1e-30 }},
			{"mixed", func(i int) float64 { return []float64{1e-30, 1, 1e25, 1e-3}[i/300%4] }},
		} {
			g := make([]float32, n)
			for i := range g {
				g[i] = float32(rng.NormFloat64() * c.scale(i))
			}
			var ss float64
			for _, v := range g {
				ss += float64(v) * float64(v)
			}
			want := math.Sqrt(ss)
			orig := slices.Clone(g)
			got := clipGradNorm(impl, g, 0)
			if !slices.Equal(g, orig) {
				t.Fatalf("%s n=%d: maxNorm 0 changed grad", c.name, n)
			}
			e := math.Abs(got-want) / want
			if n == 0 {
				e = got
			}
			worst = max(worst, e)
			if !(e <= clipBound) {
				t.Errorf("%s n=%d: norm %v, float64 %v: relative error %.3g > %g", c.name, n, got, want, e, clipBound)
			}
			if n == 0 {
				continue
			}
			maxNorm := want / 3
			nrm := clipGradNorm(impl, g, maxNorm)
			if nrm != got {
				t.Errorf("%s n=%d: norm %v, then %v on the same gradient", c.name, n, got, nrm)
			}
			k := float32(maxNorm / nrm)
			for i := range g {
				if g[i] != orig[i]*k {
					t.Fatalf("%s n=%d: clipped g[%d] = %v, want %v·%v", c.name, n, i, g[i], orig[i], k)
				}
			}
			var cs float64
			for _, v := range g {
				cs += float64(v) * float64(v)
			}
			// The clipped norm is maxNorm within the norm's bound and the
			// rounding of k and of each product (2⁻²⁴ each).
			if r := math.Abs(math.Sqrt(cs)/maxNorm - 1); r > clipBound+0x1p-23 {
				t.Errorf("%s n=%d: clipped norm %v, limit %v (relative %.3g)", c.name, n, math.Sqrt(cs), maxNorm, r)
			}
		}
	}
	t.Logf("largest relative error of the norm: %.3g (bound %g)", worst, clipBound)
}

// TestClipGradNormBlocks is the input that the float32 blocks exist for:
// 256 ones, then 2¹⁹ − 256 elements whose squares are 0.9·2⁻²⁴, 0.028 in
// all, 1.1e-4 of the sum of squares. Summed in float32 as one vector,
// every one of those squares is below half an ulp of the partial sums
// (at least 4, however many lanes share the ones) and is lost: the norm
// comes out 5.5e-5 low, beyond the bound. In blocks of 256 each block
// of them sums to 1.4e-5 in float32 and is added to the float64 total.
// It runs every available implementation, checks that each gives the
// same bits on a second call and that ClipGradNorm is the active one.
func TestClipGradNormBlocks(t *testing.T) {
	g := make([]float32, 1<<19)
	small := float32(math.Sqrt(0.9 * 0x1p-24))
	var ss float64
	for i := range g {
		g[i] = 1
		if i >= 256 {
			g[i] = small
		}
		ss += float64(g[i]) * float64(g[i])
	}
	want := math.Sqrt(ss)
	for _, impl := range kernel.Available() {
		got := clipGradNorm(impl, g, 0)
		e := math.Abs(got-want) / want
		t.Logf("%v: norm %.17g, float64 %.17g: relative error %.3g (bound %g)", impl, got, want, e, clipBound)
		if !(e <= clipBound) {
			t.Errorf("%v: norm %v, float64 %v: relative error %.3g > %g", impl, got, want, e, clipBound)
		}
		if again := clipGradNorm(impl, g, 0); math.Float64bits(again) != math.Float64bits(got) {
			t.Errorf("%v: norm %v, then %v on the same gradient", impl, got, again)
		}
		if impl == kernel.Active() {
			if a := ClipGradNorm(g, 0); math.Float64bits(a) != math.Float64bits(got) {
				t.Errorf("ClipGradNorm = %v, %v (active) gives %v", a, impl, got)
			}
		}
	}
}

// TestClipGradNormNonFinite checks the documented cases: a NaN element
// gives a NaN norm, an infinite one +Inf, and neither clips; large
// finite elements whose squares overflow float32 still clip.
func TestClipGradNormNonFinite(t *testing.T) {
	for _, c := range []struct {
		name string
		put  []float32
		want float64 // NaN for NaN
	}{
		{"NaN", []float32{float32(math.NaN())}, math.NaN()},
		{"+Inf", []float32{float32(math.Inf(1))}, math.Inf(1)},
		{"-Inf", []float32{float32(math.Inf(-1))}, math.Inf(1)},
		{"NaN and Inf", []float32{float32(math.Inf(1)), float32(math.NaN())}, math.NaN()},
	} {
		for _, n := range []int{1, 300, 1000} {
			g := make([]float32, n)
			for i := range g {
				g[i] = float32(i%11) - 5
			}
			for k, v := range c.put {
				g[(n-1)*k/2] = v
			}
			orig := slices.Clone(g)
			got := ClipGradNorm(g, 1)
			if math.IsNaN(c.want) != math.IsNaN(got) || !math.IsNaN(got) && got != c.want {
				t.Errorf("%s n=%d: norm %v, want %v", c.name, n, got, c.want)
			}
			for i := range g {
				if math.Float32bits(g[i]) != math.Float32bits(orig[i]) {
					t.Fatalf("%s n=%d: g[%d] changed from %v to %v", c.name, n, i, orig[i], g[i])
				}
			}
		}
	}
	g := []float32{3e38, -4e38 / 2, 1}
	want := math.Sqrt(3e38*3e38 + 2e38*2e38 + 1)
	if got := ClipGradNorm(g, 1); math.Abs(got-want) > clipBound*want || math.Abs(float64(g[0])-3e38/want) > 1e-6 {
		t.Errorf("squares beyond float32: norm %v (want %v), clipped %v", got, want, g)
	}
}

func TestEMA(t *testing.T) {
	p := []float32{0}
	e := NewEMA(p, 0.99)
	var want float64
	for n := range 200 {
		p[0] = float32(n)
		e.Update(p)
		dec := math.Min(0.99, float64(1+n)/float64(10+n))
		want = dec*want + (1-dec)*float64(n)
	}
	if got := float64(e.Params()[0]); math.Abs(got-want) > 1e-4*want {
		t.Errorf("EMA = %v, want %v", got, want)
	}
}

// TestEMAUpdateBound holds every update, over lengths that exercise the
// kernels' tails, to the documented shadow′ = fma(c, p, d·shadow) with d
// the decay in float32 and c = 1 − d: each value within
// 2⁻²⁴·(d·|s| + |s′|) + 2⁻¹⁴⁸ of d·s + c·p computed in float64, and the
// same bits as the documented loop.
func TestEMAUpdateBound(t *testing.T) {
	rng := newRand(6, 6)
	for _, n := range []int{1, 15, 16, 17, 100, 1000} {
		p := make([]float32, n)
		for i := range p {
			p[i] = float32(rng.NormFloat64())
		}
		e := NewEMA(p, 0.95)
		for u := range 40 {
			for i := range p {
				p[i] += float32(rng.NormFloat64() * math.Pow(10, float64(i%5-2)))
			}
			s := slices.Clone(e.Params())
			dec := math.Min(0.95, float64(1+u)/float64(10+u))
			d := float32(dec)
			c := 1 - d
			e.Update(p)
			for i, s1 := range e.Params() {
				if want := fma32(c, p[i], d*s[i]); s1 != want {
					t.Fatalf("n=%d update %d: shadow[%d] = %v, want fma(%v, %v, %v·%v) = %v", n, u, i, s1, c, p[i], d, s[i], want)
				}
				exact := float64(d)*float64(s[i]) + float64(c)*float64(p[i])
				bound := 0x1p-24*(float64(d)*math.Abs(float64(s[i]))+math.Abs(float64(s1))) + 0x1p-148
				if math.Abs(float64(s1)-exact) > bound {
					t.Fatalf("n=%d update %d: shadow[%d] = %v, exact %v: error %.3g > %.3g", n, u, i, s1, exact, math.Abs(float64(s1)-exact), bound)
				}
			}
		}
	}
}

// fma32 returns a·b + c rounded once to float32.
func fma32(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(400).SetFloat64(float64(a) * float64(b)) // exact: 48 bits
	f, _ := x.Add(x, big.NewFloat(float64(c))).Float32()
	return f
}

// TestEMANonFinite checks that a NaN or infinite parameter leaves its
// average NaN or infinite through later finite updates, and the other
// elements as they would be without it.
func TestEMANonFinite(t *testing.T) {
	const n = 50
	p := make([]float32, n)
	for i := range p {
		p[i] = float32(i)
	}
	e, ref := NewEMA(p, 0.9), NewEMA(p, 0.9)
	bad := slices.Clone(p)
	bad[3], bad[20], bad[40] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))
	e.Update(bad)
	ref.Update(p)
	for range 5 {
		e.Update(p)
		ref.Update(p)
	}
	for i, v := range e.Params() {
		switch i {
		case 3, 20, 40:
			if !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
				t.Errorf("shadow[%d] = %v after a non-finite parameter", i, v)
			}
		default:
			if v != ref.Params()[i] {
				t.Errorf("shadow[%d] = %v, want %v", i, v, ref.Params()[i])
			}
		}
	}
	if !math.IsNaN(float64(e.Params()[3])) {
		t.Errorf("shadow[3] = %v after NaN", e.Params()[3])
	}
}

// TestOptimNoAllocs checks that ClipGradNorm (clipping or not, with and
// without non-finite elements) and EMA.Update allocate nothing.
func TestOptimNoAllocs(t *testing.T) {
	g := make([]float32, 1000)
	p := make([]float32, 1000)
	for i := range g {
		g[i], p[i] = float32(i%13)-6, float32(i%7)
	}
	e := NewEMA(p, 0.99)
	for _, c := range []struct {
		name string
		run  func()
	}{
		{"ClipGradNorm", func() { ClipGradNorm(g, 1e30) }},
		{"ClipGradNorm clipping", func() { ClipGradNorm(g, 1); kernel.Scale(1e3, g) }},
		{"ClipGradNorm tiny", func() { ClipGradNorm(g[:1], 1); g[0] = 1e-30 }},
		{"EMA.Update", func() { e.Update(p) }},
	} {
		if a := testing.AllocsPerRun(20, c.run); a != 0 {
			t.Errorf("%s: %v allocations per call", c.name, a)
		}
	}
	g[5] = float32(math.NaN())
	if a := testing.AllocsPerRun(20, func() { ClipGradNorm(g, 1) }); a != 0 {
		t.Errorf("ClipGradNorm with a NaN: %v allocations per call", a)
	}
}

func TestTrainerDeterministic(t *testing.T) {
	run := func(seed uint64, rows bool) []float32 {
		m, _ := New(Config{Dim: 2, Hidden: []int{16}, Act: kernel.Tanh, Cond: CondSigma}, 1)
		tr := Trainer{Model: m, Loss: NCDSM{Sigmas: []float64{1, 0.5}}, Batch: 32, Steps: 20, Seed: seed, Data: mixture{}}
		if rows {
			tr.Data = nil
			tr.Rows = make([]float32, 2*100)
			mixture{}.Sample(tr.Rows, newRand(5, 5))
		}
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return slices.Clone(m.Params())
	}
	for _, rows := range []bool{false, true} {
		a, b, c := run(1, rows), run(1, rows), run(2, rows)
		if !slices.Equal(a, b) {
			t.Errorf("rows=%v: two runs with one seed differ", rows)
		}
		if slices.Equal(a, c) {
			t.Errorf("rows=%v: two seeds give the same parameters", rows)
		}
	}
}

func TestTrainerStops(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{8}, Act: kernel.ReLU}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var seen int
	tr := Trainer{Model: m, Loss: SlicedSM{VR: true}, Data: mixture{}, Batch: 8, Steps: 1000, Callback: func(step int, loss, rate float64) error {
		seen = step
		if math.IsNaN(loss) || rate <= 0 {
			t.Errorf("step %d: loss %v, rate %v", step, loss, rate)
		}
		if step == 5 {
			cancel()
		}
		return nil
	}}
	if err := tr.Run(ctx); !errors.Is(err, context.Canceled) || seen != 5 {
		t.Errorf("cancelled run: error %v after %d steps", err, seen)
	}
	stop := errors.New("stop")
	tr.Callback = func(step int, _, _ float64) error {
		if step == 3 {
			return stop
		}
		return nil
	}
	if err := tr.Run(context.Background()); err != stop {
		t.Errorf("callback error: got %v", err)
	}
	// A diverging run names the step.
	tr.Callback = nil
	tr.Opt = NewAdam(m.NumParams(), 1e30)
	if err := tr.Run(context.Background()); err == nil {
		t.Errorf("diverging run: no error")
	}
	// On a fresh model: the one above has diverged, and its NaN loss
	// would stop the run whatever the data.
	m, _ = New(Config{Dim: 2, Hidden: []int{8}, Act: kernel.ReLU}, 1)
	for _, dim := range []int{1, 3} {
		tr = Trainer{Model: m, Loss: SlicedSM{}, Data: gauss{dim, 1}, Steps: 1}
		if err := tr.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "dimension") {
			t.Errorf("data of dimension %d for a model of 2: error %v", dim, err)
		}
	}
}

// TestAdamFirstStep: Adam's first bias-corrected step from NewAdam's
// defaults is lr·g/(|g| + ε) for each element (m̂ = g, v̂ = g²), so
// a gradient of 10⁻⁸ = ε moves a parameter by lr/2 and a gradient of 3 by
// lr·3/(3 + 10⁻⁸); Step returns 0 unless it clips.
func TestAdamFirstStep(t *testing.T) {
	const lr = 0.1
	opt := NewAdam(2, lr)
	p := []float32{1, -1}
	if norm := opt.Step(p, []float32{1e-8, 3}); norm != 0 {
		t.Errorf("Step without ClipNorm returned %v, want 0", norm)
	}
	for i, want := range []float64{1 - lr/2, -1 - lr*3/(3+1e-8)} {
		if math.Abs(float64(p[i])-want) > 1e-6 {
			t.Errorf("p[%d] = %v after one step, want %v", i, p[i], want)
		}
	}
	opt.ClipNorm = 100
	if norm := opt.Step(p, []float32{3, 4}); norm != 5 {
		t.Errorf("Step with ClipNorm returned %v, want the norm 5", norm)
	}
}

// TestAdamReset: after Reset, a step is the first step of a new
// optimiser, bit for bit.
func TestAdamReset(t *testing.T) {
	p, q := []float32{0.5, -2, 3}, []float32{0.5, -2, 3}
	opt := NewAdam(3, 0.01)
	for range 3 {
		opt.Step(slices.Clone(p), []float32{1, -4, 0.5})
	}
	opt.Reset()
	if opt.Steps() != 0 {
		t.Errorf("Steps() = %d after Reset", opt.Steps())
	}
	g := []float32{0.3, 0.1, -2}
	opt.Step(p, slices.Clone(g))
	NewAdam(3, 0.01).Step(q, g)
	if !slices.Equal(p, q) {
		t.Errorf("after Reset: %v, a new optimiser: %v", p, q)
	}
}

// TestAdamLengths: Step refuses parameters or gradients of another
// length than the optimiser's, shorter ones included.
func TestAdamLengths(t *testing.T) {
	for _, c := range [][2]int{{3, 3}, {4, 3}, {5, 5}, {0, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Adam for 4 parameters: Step with %d parameters and %d gradients did not panic", c[0], c[1])
				}
			}()
			NewAdam(4, 0.1).Step(make([]float32, c[0]), make([]float32, c[1]))
		}()
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a zero Adam: Step did not panic")
			}
		}()
		new(Adam).Step(make([]float32, 2), make([]float32, 2))
	}()
}

// TestAdamResume: an optimiser given another's State part-way through a
// run continues it bit for bit; SetState copies, and refuses moments of
// the wrong length or a negative step count, changing nothing.
func TestAdamResume(t *testing.T) {
	const n = 5
	grads := make([][]float32, 6)
	rng := newRand(3, 3)
	for s := range grads {
		grads[s] = make([]float32, n)
		for i := range grads[s] {
			grads[s][i] = float32(rng.NormFloat64())
		}
	}
	newOpt := func() *Adam {
		o := NewAdam(n, 0.05)
		o.Warmup, o.WeightDecay = 5, 0.01
		return o
	}
	whole, p := newOpt(), make([]float32, n)
	for _, g := range grads {
		whole.Step(p, slices.Clone(g))
	}
	first, q := newOpt(), make([]float32, n)
	for _, g := range grads[:3] {
		first.Step(q, slices.Clone(g))
	}
	m, v, steps := first.State()
	m, v = slices.Clone(m), slices.Clone(v)
	second := newOpt()
	if err := second.SetState(m, v, steps); err != nil {
		t.Fatal(err)
	}
	clear(m)
	clear(v)
	for _, g := range grads[3:] {
		second.Step(q, slices.Clone(g))
	}
	if !slices.Equal(p, q) || second.Steps() != whole.Steps() {
		t.Errorf("resumed after 3 steps: %v after %d steps, uninterrupted %v after %d", q, second.Steps(), p, whole.Steps())
	}
	m0, v0, s0 := second.State()
	m0, v0 = slices.Clone(m0), slices.Clone(v0)
	for name, c := range map[string]struct {
		m, v  []float32
		steps int
	}{
		"short m":        {make([]float32, n-1), make([]float32, n), 1},
		"short v":        {make([]float32, n), make([]float32, n-1), 1},
		"long v":         {make([]float32, n), make([]float32, n+1), 1},
		"negative steps": {make([]float32, n), make([]float32, n), -1},
	} {
		if err := second.SetState(c.m, c.v, c.steps); err == nil {
			t.Errorf("SetState with %s: no error", name)
		}
		if m, v, s := second.State(); !slices.Equal(m, m0) || !slices.Equal(v, v0) || s != s0 {
			t.Errorf("SetState with %s changed the state", name)
		}
	}
}

// TestEMARestore: an average restored from Params and Updates part-way
// through continues the original's updates bit for bit; RestoreEMA copies
// the shadow and counts a negative number of updates as none.
func TestEMARestore(t *testing.T) {
	p := []float32{1, -2, 3}
	e := NewEMA(p, 0.999)
	step := func(e *EMA, u int) {
		q := slices.Clone(p)
		for i := range q {
			q[i] += float32(u*(i+1)) * 0.1
		}
		e.Update(q)
	}
	for u := range 3 {
		step(e, u)
	}
	shadow := slices.Clone(e.Params())
	r := RestoreEMA(shadow, 0.999, e.Updates())
	clear(shadow)
	if e.Updates() != 3 {
		t.Errorf("Updates() = %d after 3 updates", e.Updates())
	}
	for u := 3; u < 6; u++ {
		step(e, u)
		step(r, u)
	}
	if !slices.Equal(e.Params(), r.Params()) || r.Updates() != 6 {
		t.Errorf("restored average %v after %d updates, original %v", r.Params(), r.Updates(), e.Params())
	}
	if n := RestoreEMA(p, 0.9, -3).Updates(); n != 0 {
		t.Errorf("RestoreEMA with −3 updates: Updates() = %d, want 0", n)
	}
}

// TestEMACopyTo: CopyTo puts the average into a model and repacks it, so
// the model scores with the averaged weights.
func TestEMACopyTo(t *testing.T) {
	// A hidden layer wide enough that f32.Dense reads its packed panels
	// (a layer with at most nr/2 outputs reads W in place).
	cfg := Config{Dim: 2, Hidden: []int{64}, Act: kernel.Tanh}
	a, _ := New(cfg, 1)
	b, _ := New(cfg, 2)
	NewEMA(a.Params(), 0.9).CopyTo(b)
	x := []float32{0.3, -1, 2, 0.5, 1, 1}
	sa, sb := make([]float32, len(x)), make([]float32, len(x))
	a.Score(sa, x)
	b.Score(sb, x)
	if !slices.Equal(sa, sb) {
		t.Errorf("after CopyTo: score %v, the averaged model's %v", sb, sa)
	}
}

// TestClipGradNormSubnormalSquares: elements whose squares are float32
// subnormals (where SumSq keeps only a few bits) are summed in float64,
// so the norm keeps its documented accuracy.
func TestClipGradNormSubnormalSquares(t *testing.T) {
	for _, impl := range kernel.Available() {
		for _, x := range []float32{3e-21, 1.1e-22, 7.7e-20} {
			g := make([]float32, 300)
			for i := range g {
				g[i] = x * float32(1+i%7)
			}
			var ss float64
			for _, v := range g {
				ss += float64(v) * float64(v)
			}
			want := math.Sqrt(ss)
			if got := clipGradNorm(impl, g, 0); math.Abs(got-want) > clipBound*want {
				t.Errorf("%v: elements %g·(1..7): norm %v, want %v (relative error %.2g)", impl, x, got, want, math.Abs(got-want)/want)
			}
		}
	}
}

// TestEMALengths: Update and CopyTo refuse parameters of another length
// than the average's, shorter ones included.
func TestEMALengths(t *testing.T) {
	panics := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh}, 1)
	e := NewEMA(make([]float32, m.NumParams()+1), 0.9)
	panics("Update with fewer parameters", func() { e.Update(make([]float32, m.NumParams())) })
	panics("Update with more parameters", func() { e.Update(make([]float32, m.NumParams()+2)) })
	panics("CopyTo a smaller model", func() { e.CopyTo(m) })
	panics("CopyTo a larger model", func() { NewEMA(make([]float32, m.NumParams()-1), 0.9).CopyTo(m) })
}
