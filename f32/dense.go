package f32

import (
	"fmt"

	"github.com/scorekit/scorekit/kernel"
)

// Dense is a fully connected layer y = act(x·Wᵀ + b) with W stored as
// PyTorch stores it, out×in, and its weights pre-packed for the
// microkernels. Build it once per model with NewDense; after changing W or
// the bias in place (training), call Repack.
//
// A Dense is safe for concurrent Forward calls on disjoint outputs.
type Dense struct {
	w    Matrix
	bias []float32
	act  kernel.Activation
}

// NewDense returns a layer with weights w (out×in, shared, not copied),
// bias (length out, shared; nil means no bias) and activation act.
func NewDense(w Matrix, bias []float32, act kernel.Activation) *Dense {
	w.check("NewDense", "W")
	if bias != nil && len(bias) != w.Rows {
		panic(fmt.Sprintf("f32: NewDense: W is %d×%d but len(bias) = %d", w.Rows, w.Cols, len(bias)))
	}
	d := &Dense{w: w, bias: bias, act: act}
	d.Repack()
	return d
}

// In returns the input width, W's column count.
func (d *Dense) In() int { return d.w.Cols }

// Out returns the output width, W's row count.
func (d *Dense) Out() int { return d.w.Rows }

// Weights returns W (out×in), shared with the layer: after changing it,
// call Repack.
func (d *Dense) Weights() Matrix { return d.w }

// Bias returns the bias (length Out, or nil), shared with the layer: after
// changing it, call Repack.
func (d *Dense) Bias() []float32 { return d.bias }

// Activation returns the layer's activation.
func (d *Dense) Activation() kernel.Activation { return d.act }

// Repack rebuilds the packed weights from W and the bias.
func (d *Dense) Repack() {}

// Forward sets y = act(x·Wᵀ + b) for the rows of x (M×In) into y (M×Out).
// If pre.Data is not nil, pre (M×Out) receives the pre-activation x·Wᵀ + b,
// as backpropagation needs it. y may be pre.
func (d *Dense) Forward(y, pre, x Matrix) {
	x.check("Dense.Forward", "x")
	y.check("Dense.Forward", "y")
	if x.Cols != d.In() || y.Cols != d.Out() || y.Rows != x.Rows {
		panic(fmt.Sprintf("f32: Dense.Forward: layer is %d→%d but x is %d×%d and y is %d×%d", d.In(), d.Out(), x.Rows, x.Cols, y.Rows, y.Cols))
	}
	z := y
	if pre.Data != nil {
		pre.check("Dense.Forward", "pre")
		if pre.Rows != x.Rows || pre.Cols != d.Out() {
			panic(fmt.Sprintf("f32: Dense.Forward: pre is %d×%d, want %d×%d", pre.Rows, pre.Cols, x.Rows, d.Out()))
		}
		z = pre
	}
	Gemm(false, true, 1, x, d.w, 0, z)
	for i := range x.Rows {
		zi := z.Row(i)
		if d.bias != nil {
			for j, b := range d.bias {
				zi[j] += b
			}
		}
		kernel.Act(d.act, y.Row(i), zi)
	}
}
