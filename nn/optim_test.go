package nn

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/scorekit/scorekit/kernel"
)

// TestAdamReference runs Adam (with warm-up, decoupled weight decay and
// clipping) against PyTorch's AdamW update written in float64.
func TestAdamReference(t *testing.T) {
	const n, steps = 37, 12
	p := make([]float32, n)
	for i := range p {
		p[i] = float32(i%5) - 2
	}
	opt := NewAdam(n, 0.05)
	opt.WeightDecay, opt.Warmup, opt.ClipNorm = 0.1, 4, 3
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
			rp[i] = rp[i]*(1-lr*0.1) - lr*mh/(math.Sqrt(vh)+1e-8)
		}
		opt.Step(p, g)
	}
	if e := relErr(f64(p), rp); e > 1e-5 {
		t.Errorf("Adam after %d steps: relative error %.3g vs float64 AdamW", steps, e)
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
	tr = Trainer{Model: m, Loss: SlicedSM{}, Data: gauss{3, 1}, Steps: 1}
	if err := tr.Run(context.Background()); err == nil {
		t.Errorf("dimension mismatch: no error")
	}
}
