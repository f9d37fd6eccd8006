package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/scorekit/scorekit/internal/nilness"
)

// Source is a data set to draw training batches from, as the data
// package's toy sets are: Sample fills dst with len(dst)/Dim() rows.
type Source interface {
	Dim() int
	Sample(dst []float32, rng *rand.Rand)
}

// Trainer runs minibatch training of a Model on a Loss with Adam. Data
// comes from Data or, if Data is nil, from Rows (n×d in memory, sampled
// with replacement). Runs are deterministic for a Seed: the same seed,
// model and settings give the same parameters bit for bit on the same
// kernels (the model's [Model.Impl], and [kernel.Active] for the optimiser:
// the reductions, such as the gradient norm of Adam.ClipNorm, sum in an
// implementation's own order, so another implementation may differ in the
// last bits). They do not depend on the model's [Model.SetWorkers], which
// spreads each step's matrix products, the passes between them and the
// repacking of the weights over several goroutines, and, unless
// Opt.Workers or EMA.Workers sets another count, the optimiser's and the
// average's updates too.
type Trainer struct {
	Model *Model
	Loss  Loss
	Opt   *Adam // nil means Adam at 1e-3
	EMA   *EMA  // optional, updated after every step

	Data  Source
	Rows  []float32
	Batch int    // points per step, default 128
	Steps int    // steps to run
	Seed  uint64 // seeds data and loss noise

	// Callback, if not nil, is called after every step with the step
	// number (from 1), the step's loss and the steps per second so far;
	// returning an error stops the run with that error.
	Callback func(step int, loss, stepsPerSec float64) error

	grad  []float32
	batch []float32
}

// orModel returns workers, or m's count if it is 0.
func orModel(workers int, m *Model) int {
	if workers == 0 {
		return m.Workers()
	}
	return workers
}

// Run trains for t.Steps steps or until ctx is done, whichever comes first.
// It returns an error wrapping ctx's if cancelled (naming the step it
// stopped before; the steps before it are applied), the callback's error,
// or an error if the loss becomes NaN or infinite (naming the step). It
// returns an error before the first step if the Model, the Loss or a Data
// given is nil, the Model is a zero Model (see [Model]), or the Opt or the
// EMA is for another number of parameters than the model's or has a field
// out of its range (see [Adam.Step], [EMA.Rate]). A step allocates nothing.
func (t *Trainer) Run(ctx context.Context) error {
	m := t.Model
	switch {
	case m == nil:
		return errors.New("nn: Trainer.Run: the Model is nil (Trainer needs a Model and a Loss)")
	case len(m.layers) == 0:
		return errors.New("nn: Trainer.Run: " + m.unbuiltWhy())
	case nilness.Is(t.Loss):
		return fmt.Errorf("nn: Trainer.Run: the Loss is nil (%T; Trainer needs a Model and a Loss)", t.Loss)
	case t.Data != nil && nilness.Is(t.Data):
		return fmt.Errorf("nn: Trainer.Run: the Data is a nil %T (leave Data nil to train on Rows)", t.Data)
	case t.Opt != nil && len(t.Opt.m) != m.NumParams():
		return fmt.Errorf("nn: Trainer.Run: the Opt is for %d parameters, the model has %d (make it with NewAdam(model.NumParams(), lr), or leave it nil)", len(t.Opt.m), m.NumParams())
	case t.EMA != nil && len(t.EMA.shadow) != m.NumParams():
		return fmt.Errorf("nn: Trainer.Run: the EMA averages %d parameters, the model has %d (make it with NewEMA(model.Params(), rate))", len(t.EMA.shadow), m.NumParams())
	}
	d := m.Dim()
	bs := t.Batch
	if bs <= 0 {
		bs = 128
	}
	switch {
	case t.Data != nil:
		if t.Data.Dim() != d {
			return fmt.Errorf("nn: Trainer: data has dimension %d, model %d", t.Data.Dim(), d)
		}
	case len(t.Rows) == 0 || len(t.Rows)%d != 0:
		return fmt.Errorf("nn: Trainer: no Data and %d in-memory values for dimension %d", len(t.Rows), d)
	}
	if t.Opt == nil {
		t.Opt = NewAdam(m.NumParams(), 1e-3)
	}
	// What the first step would panic on.
	if why := t.Opt.fieldsWhy(); why != "" {
		return fmt.Errorf("nn: Trainer.Run: Opt.%s", why)
	}
	if t.EMA != nil {
		if why := rateWhy("EMA.Rate", t.EMA.Rate); why != "" {
			return fmt.Errorf("nn: Trainer.Run: %s", why)
		}
	}
	t.grad = grow(t.grad, m.NumParams())
	t.batch = grow(t.batch, bs*d)
	dataRNG := newRand(t.Seed, 1)
	noiseRNG := newRand(t.Seed, 2)
	start := time.Now()
	for step := 1; step <= t.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("nn: Trainer: stopped before step %d of %d: %w", step, t.Steps, err)
		}
		if t.Data != nil {
			t.Data.Sample(t.batch, dataRNG)
		} else {
			n := len(t.Rows) / d
			for i := range bs {
				r := dataRNG.IntN(n)
				copy(t.batch[i*d:(i+1)*d], t.Rows[r*d:(r+1)*d])
			}
		}
		clear(t.grad)
		loss := t.Loss.Grad(m, t.batch, noiseRNG, t.grad)
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("nn: Trainer: loss is %v at step %d", loss, step)
		}
		t.Opt.step(m.params, t.grad, orModel(t.Opt.Workers, m))
		m.Repack()
		if t.EMA != nil {
			t.EMA.update(m.params, orModel(t.EMA.Workers, m))
		}
		if t.Callback != nil {
			rate := float64(step) / time.Since(start).Seconds()
			if err := t.Callback(step, loss, rate); err != nil {
				return err
			}
		}
	}
	return nil
}
