package nn

import "fmt"

// State returns the optimiser's moment estimates and step count, which a
// checkpoint saves so that training resumes where it stopped. The slices
// are the optimiser's own: copy them to keep them.
func (a *Adam) State() (m, v []float32, steps int) { return a.m, a.v, a.t }

// SetState restores moments and a step count saved by State, copying
// them. It returns an error, changing nothing, unless m and v have the
// optimiser's length and steps ≥ 0.
func (a *Adam) SetState(m, v []float32, steps int) error {
	if len(m) != len(a.m) || len(v) != len(a.v) || steps < 0 {
		return fmt.Errorf("nn: Adam.SetState: moments of %d and %d values and %d steps, optimiser of %d parameters", len(m), len(v), steps, len(a.m))
	}
	copy(a.m, m)
	copy(a.v, v)
	a.t = steps
	return nil
}

// Updates returns the number of updates the average has taken, which a
// checkpoint saves with Params.
func (e *EMA) Updates() int { return e.n }

// RestoreEMA returns an average of the given parameters after the given
// number of updates, as a checkpoint saved them (Params, Updates). It
// panics unless 0 ≤ rate < 1 (see [EMA.Rate]).
func RestoreEMA(shadow []float32, rate float64, updates int) *EMA {
	mustRate("RestoreEMA", "rate", rate)
	return &EMA{Rate: rate, shadow: append([]float32(nil), shadow...), n: max(updates, 0)}
}
