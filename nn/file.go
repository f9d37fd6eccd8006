package nn

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/scorekit/scorekit/kernel"
)

// FormatName is the value of the "format" metadata key of scorekit's
// model files.
const FormatName = "scorekit-mlp-v1"

// Save writes the model as a safetensors file: tensors layers.<l>.weight
// (out×in), layers.<l>.bias (out) and, with Fourier features, fourier.W;
// the architecture in the metadata (format, dim, hidden, activations — one
// per linear layer — cond, fourier, fourier_scale, scale_by_sigma,
// energy). scripts/export_torch.py writes the same layout from PyTorch.
// The perturbation of a time-conditional model (whose σ(t) a
// ScaleBySigma one divides by) is not saved: set it again after Load.
func (m *Model) Save(w io.Writer) error {
	if why := m.unbuiltWhy(); why != "" {
		return fmt.Errorf("nn: Model.Save: %s", why)
	}
	f := &TensorFile{Metadata: m.metadata(), Tensors: map[string]Tensor{}}
	for l, ly := range m.layers {
		f.Tensors[fmt.Sprintf("layers.%d.weight", l)] = Tensor{Shape: []int{ly.w.Rows, ly.w.Cols}, Data: ly.w.Data}
		f.Tensors[fmt.Sprintf("layers.%d.bias", l)] = Tensor{Shape: []int{len(ly.b)}, Data: ly.b}
	}
	if m.fourier != nil {
		f.Tensors["fourier.W"] = Tensor{Shape: []int{len(m.fourier)}, Data: m.fourier}
	}
	return WriteSafetensors(w, f)
}

func (m *Model) metadata() map[string]string {
	c := m.cfg
	hidden := make([]string, len(c.Hidden))
	for i, h := range c.Hidden {
		hidden[i] = strconv.Itoa(h)
	}
	acts := make([]string, len(m.layers))
	for l, ly := range m.layers {
		acts[l] = ly.act.String()
	}
	fs := c.FourierScale
	if fs == 0 {
		fs = DefaultFourierScale
	}
	return map[string]string{
		"format":         FormatName,
		"dim":            strconv.Itoa(c.Dim),
		"hidden":         strings.Join(hidden, ","),
		"activations":    strings.Join(acts, ","),
		"cond":           c.Cond.String(),
		"fourier":        strconv.Itoa(c.Fourier),
		"fourier_scale":  strconv.FormatFloat(fs, 'g', -1, 64),
		"scale_by_sigma": strconv.FormatBool(c.ScaleBySigma),
		"energy":         strconv.FormatBool(c.Energy),
	}
}

// configFromMetadata parses the architecture. Missing optional keys take
// their zero values (a file without scale_by_sigma loads unscaled); other
// keys are ignored; dim, hidden and activations are required.
func configFromMetadata(md map[string]string) (Config, error) {
	var c Config
	if md["format"] != FormatName {
		return c, fmt.Errorf("nn: model file: format %q, want %q", md["format"], FormatName)
	}
	var err error
	if c.Dim, err = strconv.Atoi(md["dim"]); err != nil {
		return c, fmt.Errorf("nn: model file: dim: %w", err)
	}
	if h := md["hidden"]; h != "" {
		for i, s := range strings.Split(h, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return c, fmt.Errorf("nn: model file: hidden[%d]: %w", i, err)
			}
			if v <= 0 || v > maxWidth {
				return c, fmt.Errorf("nn: model file: hidden[%d] = %d", i, v)
			}
			c.Hidden = append(c.Hidden, v)
		}
	}
	names := strings.Split(md["activations"], ",")
	if len(names) != len(c.Hidden)+1 {
		return c, fmt.Errorf("nn: model file: %d activations for %d linear layers", len(names), len(c.Hidden)+1)
	}
	acts := make([]kernel.Activation, len(names))
	for i, s := range names {
		if acts[i], err = kernel.ParseActivation(strings.TrimSpace(s)); err != nil {
			return c, fmt.Errorf("nn: model file: activation of layer %d: %w", i, err)
		}
	}
	c.Acts, c.OutAct = acts[:len(c.Hidden)], acts[len(c.Hidden)]
	if len(c.Acts) > 0 {
		c.Act = c.Acts[0]
	}
	if s, ok := md["cond"]; ok {
		if c.Cond, err = ParseConditioning(s); err != nil {
			return c, fmt.Errorf("nn: model file: %w", err)
		}
	}
	if s, ok := md["fourier"]; ok {
		if c.Fourier, err = strconv.Atoi(s); err != nil {
			return c, fmt.Errorf("nn: model file: fourier: %w", err)
		}
	}
	if s, ok := md["fourier_scale"]; ok {
		if c.FourierScale, err = strconv.ParseFloat(s, 64); err != nil {
			return c, fmt.Errorf("nn: model file: fourier_scale: %w", err)
		}
	}
	if s, ok := md["scale_by_sigma"]; ok {
		if c.ScaleBySigma, err = strconv.ParseBool(s); err != nil {
			return c, fmt.Errorf("nn: model file: scale_by_sigma: %w", err)
		}
	}
	if s, ok := md["energy"]; ok {
		if c.Energy, err = strconv.ParseBool(s); err != nil {
			return c, fmt.Errorf("nn: model file: energy: %w", err)
		}
	}
	return c, c.Validate()
}

// TrainPrefix begins the names of tensors that hold training state beside
// a model — a checkpoint's raw weights and optimiser moments, as scorekit
// train writes them. Load and FromTensors skip them, so a checkpoint
// loads as the model it holds.
const TrainPrefix = "train."

// Load reads a model written by Save, scorekit train or demo, or
// scripts/export_torch.py. It checks the architecture in the metadata,
// that the file holds exactly the tensors it needs with the shapes it
// implies (besides those named with [TrainPrefix]), and never allocates
// more than the file's size justifies.
func Load(r io.Reader) (*Model, error) {
	f, err := ReadSafetensors(r)
	if err != nil {
		return nil, err
	}
	return FromTensors(f)
}

// FromTensors builds a model from a decoded safetensors file; see Load.
func FromTensors(f *TensorFile) (*Model, error) {
	cfg, err := configFromMetadata(f.Metadata)
	if err != nil {
		return nil, err
	}
	// Count the parameters the architecture needs, against what the file
	// holds, before allocating anything.
	widths := cfg.Widths()
	if len(widths)-1 > len(f.Tensors) {
		return nil, fmt.Errorf("nn: model file: %d linear layers but only %d tensors", len(widths)-1, len(f.Tensors))
	}
	var have, need int64
	for _, t := range f.Tensors {
		have += int64(len(t.Data))
	}
	for l := 1; l < len(widths); l++ {
		need += int64(widths[l])*int64(widths[l-1]) + int64(widths[l])
		if need > have {
			return nil, fmt.Errorf("nn: model file: the architecture needs more than the %d values the file holds", have)
		}
	}
	m, err := newModel(cfg)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	take := func(name string, shape []int, dst []float32) error {
		want[name] = true
		t, ok := f.Tensors[name]
		if !ok {
			return fmt.Errorf("nn: model file: tensor %q missing", name)
		}
		if fmt.Sprint(t.Shape) != fmt.Sprint(shape) {
			return fmt.Errorf("nn: model file: tensor %q has shape %v, the architecture needs %v", name, t.Shape, shape)
		}
		copy(dst, t.Data)
		return nil
	}
	for l, ly := range m.layers {
		if err := take(fmt.Sprintf("layers.%d.weight", l), []int{ly.w.Rows, ly.w.Cols}, ly.w.Data); err != nil {
			return nil, err
		}
		if err := take(fmt.Sprintf("layers.%d.bias", l), []int{len(ly.b)}, ly.b); err != nil {
			return nil, err
		}
	}
	if m.fourier != nil {
		if err := take("fourier.W", []int{len(m.fourier)}, m.fourier); err != nil {
			return nil, err
		}
	}
	for name := range f.Tensors {
		if !want[name] && !strings.HasPrefix(name, TrainPrefix) {
			return nil, fmt.Errorf("nn: model file: unexpected tensor %q", name)
		}
	}
	m.Repack()
	return m, nil
}
