package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/scorekit/scorekit/nn"
)

// Metadata keys train adds to a model file, beside nn's architecture, so
// that sample knows how the model was trained; and the prefix of the
// tensors a checkpoint adds to resume training.
const (
	metaLoss    = "scorekit.loss"     // exact, sliced, sliced-vr, dsm, ncdsm, ve, vp, subvp
	metaSigmas  = "scorekit.sigmas"   // ncdsm: σ₁,…,σ_L; dsm: σ
	metaSDE     = "scorekit.sde"      // ve:σmin:σmax or vp:βmin:βmax or subvp:βmin:βmax
	metaData    = "scorekit.data"     // where the training data came from
	metaStep    = "scorekit.step"     // training steps done
	metaEMA     = "scorekit.ema"      // EMA rate, if the weights are averaged
	metaSeed    = "scorekit.seed"     // training seed
	metaLR      = "scorekit.lr"       // the optimiser's settings: -lr,
	metaWarmup  = "scorekit.warmup"   // -warmup,
	metaClip    = "scorekit.clip"     // -clip,
	metaWD      = "scorekit.wd"       // -wd
	metaBatch   = "scorekit.batch"    // and -batch, for -resume
	trainPrefix = nn.TrainPrefix      // tensors: train.params, train.adam.m, train.adam.v
	emaUpdates  = "scorekit.emaCount" // EMA updates taken
)

// modelFile is a loaded model with its metadata and, for a checkpoint, its
// training state.
type modelFile struct {
	model *nn.Model
	meta  map[string]string
	train map[string]nn.Tensor
}

// loadModel reads a safetensors model file written by scorekit or by
// scripts/export_torch.py. Its errors begin with path, for the caller to
// put the flag that named it before.
func loadModel(path string) (*modelFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	// A safetensors file is an 8-byte header length, then the header, a
	// JSON object. Another kind of file (samples, a picture) would be
	// read as a huge header length and blamed on truncation below. (Under
	// 8 bytes it is too short to say.)
	if len(b) >= 8 && (len(b) == 8 || b[8] != '{') {
		return nil, fmt.Errorf("%s: not a safetensors file: want a model file written by scorekit train or scripts/export_torch.py", path)
	}
	tf, err := nn.DecodeSafetensors(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v (is it a complete safetensors file?)", path, err)
	}
	// nn's own error ("format \"\", want …") does not say what the file
	// should have been.
	switch f, ok := tf.Metadata["format"]; {
	case !ok:
		return nil, fmt.Errorf("%s: a safetensors file, but not a scorekit model: its metadata has no \"format\" (want %q, which a model written by scorekit train or scripts/export_torch.py has)", path, nn.FormatName)
	case f != nn.FormatName:
		return nil, fmt.Errorf("%s: a safetensors file, but not a scorekit model: its metadata says format %q (want %q, which a model written by scorekit train or scripts/export_torch.py has)", path, f, nn.FormatName)
	}
	mf := &modelFile{meta: tf.Metadata, train: map[string]nn.Tensor{}}
	for name, t := range tf.Tensors {
		if strings.HasPrefix(name, trainPrefix) {
			mf.train[name] = t
			delete(tf.Tensors, name)
		}
	}
	if mf.model, err = nn.FromTensors(tf); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return mf, nil
}

// saveModel writes m with extra metadata and tensors, atomically.
func saveModel(path string, m *nn.Model, meta map[string]string, extra map[string]nn.Tensor) error {
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return err
	}
	tf, err := nn.DecodeSafetensors(buf.Bytes())
	if err != nil {
		return err
	}
	for k, v := range meta {
		tf.Metadata[k] = v
	}
	for k, t := range extra {
		tf.Tensors[k] = t
	}
	return writeAtomic(path, func(w io.Writer) error { return nn.WriteSafetensors(w, tf) })
}

func formatFloats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = formatFloat(x)
	}
	return strings.Join(s, ",")
}

// formatFloat is x in the fewest digits that read back as x.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func parseInts(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a positive width", f)
		}
		out = append(out, v)
	}
	return out, nil
}
