package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/scorekit/scorekit/kernel"
)

// The torch fixtures in testdata are written from real PyTorch by
//
//	env -u OPENBLAS_CORETYPE /usr/bin/python3 scripts/export_torch.py --fixture nn/testdata [name...]
//
// run from the repository root: each model file beside an _io file of
// inputs and torch's outputs. The models and inputs reproduce bit for bit;
// torch's outputs may move in the last bit with another BLAS.

// readTestdata decodes testdata/name.
func readTestdata(t *testing.T, name string) *TensorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := DecodeSafetensors(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// loadTestdata loads the model in testdata/name.
func loadTestdata(t *testing.T, name string) *Model {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := Load(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// torchTolerance bounds worstRelative against torch's float32 outputs.
const torchTolerance = 1e-5

// worstRelative returns the largest difference between got and want (n×d,
// row-major), each relative to its row's largest |want|, so that a
// component near zero is not held to a relative bound it cannot meet.
func worstRelative(got, want []float32, d int) float64 {
	var worst float64
	for i := range len(want) / d {
		var norm float64
		for _, v := range want[i*d : (i+1)*d] {
			norm = max(norm, math.Abs(float64(v)))
		}
		for j := range d {
			e := math.Abs(float64(got[i*d+j])-float64(want[i*d+j])) / norm
			worst = max(worst, e)
		}
	}
	return worst
}

// TestTorchFixture loads a model exported from PyTorch by
// scripts/export_torch.py and matches torch's forward pass.
func TestTorchFixture(t *testing.T) {
	m := loadTestdata(t, "torch_mlp.safetensors")
	io := readTestdata(t, "torch_io.safetensors")
	x, want := io.Tensors["x"].Data, io.Tensors["y"].Data
	got := make([]float32, len(want))
	m.Score(got, x)
	d := m.Dim()
	worst := worstRelative(got, want, d)
	t.Logf("torch %s: worst relative difference %.2g over %d points", io.Metadata["torch"], worst, len(x)/d)
	if worst > torchTolerance {
		t.Errorf("worst relative difference from torch %.3g > %g", worst, torchTolerance)
	}
}

// TestTorchConditional loads conditional models exported from PyTorch by
// scripts/export_torch.py and matches the whole score as PyTorch computes
// it (export_torch.score): NCSN's σ conditioning (input log σ, output
// divided by σ, at σ from 0.01 to 20 but not 1); plain σ conditioning
// (input σ itself, output not scaled, at the same σ); NCSN++'s
// (Gaussian Fourier features [sin 2πW log σ, cos 2πW log σ] with
// W ~ N(0, 16²), output divided by σ, at the same σ); and score_sde's
// time conditioning (the same features of t, at t from 0.001 to 1). It is
// the only check of the conditioning features against PyTorch rather than
// against a reading of the layout: πWc for 2πWc, log1p σ or σ for log σ,
// log σ for σ, or 1/σ² for 1/σ each miss by orders of magnitude more than
// the tolerance. Each run of points at one σ or t is scored in one call.
func TestTorchConditional(t *testing.T) {
	cases := []struct {
		name string
		want Config // the conditioning the fixture must hold
	}{
		{"torch_sigma", Config{Cond: CondLogSigma, ScaleBySigma: true}},
		{"torch_plainsigma", Config{Cond: CondSigma}},
		{"torch_fouriersigma", Config{Cond: CondLogSigma, Fourier: 4, FourierScale: 16, ScaleBySigma: true}},
		{"torch_time", Config{Cond: CondTime, Fourier: 4, FourierScale: 16}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := loadTestdata(t, tc.name+".safetensors")
			cfg := m.Config()
			if cfg.Cond != tc.want.Cond || cfg.ScaleBySigma != tc.want.ScaleBySigma ||
				cfg.Fourier != tc.want.Fourier || (cfg.Fourier > 0 && cfg.FourierScale != tc.want.FourierScale) {
				t.Fatalf("conditioning %v, Fourier %d (scale %v), ScaleBySigma %v; the fixture should have %v, %d (%v), %v",
					cfg.Cond, cfg.Fourier, cfg.FourierScale, cfg.ScaleBySigma,
					tc.want.Cond, tc.want.Fourier, tc.want.FourierScale, tc.want.ScaleBySigma)
			}
			io := readTestdata(t, tc.name+"_io.safetensors")
			x, c, want := io.Tensors["x"].Data, io.Tensors["c"].Data, io.Tensors["y"].Data
			d := m.Dim()
			if len(x) != len(c)*d || len(want) != len(x) {
				t.Fatalf("fixture holds %d values of x, %d of c and %d of y for d = %d", len(x), len(c), len(want), d)
			}
			got, levels := scoreRuns(m, x, c)
			if levels < 4 {
				t.Fatalf("fixture holds %d conditioning values, want several", levels)
			}
			if lo, hi := slices.Min(c), slices.Max(c); cfg.Cond != CondTime && (lo > 0.01 || hi < 20) {
				t.Fatalf("fixture's σ from %g to %g, want 0.01 to 20 or wider", lo, hi)
			}
			worst := worstRelative(got, want, d)
			t.Logf("torch %s: worst relative difference %.2g over %d points at %d values of c", io.Metadata["torch"], worst, len(c), levels)
			if worst > torchTolerance {
				t.Errorf("worst relative difference from torch %.3g > %g", worst, torchTolerance)
			}
		})
	}
}

// scoreRuns returns m's scores of the points of x, each run of points at
// one value of c (σ, or t for a time model) scored in one call, and the
// number of runs.
func scoreRuns(m *Model, x, c []float32) (got []float32, runs int) {
	d := m.Dim()
	got = make([]float32, len(x))
	for i0 := 0; i0 < len(c); {
		i1 := i0 + 1
		for i1 < len(c) && c[i1] == c[i0] {
			i1++
		}
		if m.Config().Cond == CondTime {
			m.TimeScore(got[i0*d:i1*d], x[i0*d:i1*d], c[i0])
		} else {
			m.NoiseScore(got[i0*d:i1*d], x[i0*d:i1*d], c[i0])
		}
		runs++
		i0 = i1
	}
	return got, runs
}

// TestTorchScaleBySigmaTime loads score_sde's VE model exported from
// PyTorch by scripts/export_torch.py (its timestd fixture: Fourier
// features of t, scale_by_sigma) and matches torch's score, net(x, t)/σ(t) with the VE
// SDE's σ(t) = σ_min·(σ_max/σ_min)^t computed by torch in float64, once
// SetPerturbation gives the model the same SDE. The fixture records σ_min,
// σ_max and the σ(t) torch divided by; σ(t) runs from 0.0101 to 50, so a
// model that ignored the scaling, divided by σ², or used σ_max 1% off
// would miss by orders of magnitude more than the tolerance, and the test
// checks that they do.
func TestTorchScaleBySigmaTime(t *testing.T) {
	m := loadTestdata(t, "torch_timestd.safetensors")
	cfg := m.Config()
	if cfg.Cond != CondTime || !cfg.ScaleBySigma || cfg.Fourier != 4 || cfg.FourierScale != 16 {
		t.Fatalf("conditioning %v, ScaleBySigma %v, Fourier %d (scale %v); the fixture should have time, true, 4 (16)",
			cfg.Cond, cfg.ScaleBySigma, cfg.Fourier, cfg.FourierScale)
	}
	io := readTestdata(t, "torch_timestd_io.safetensors")
	x, c, std, want := io.Tensors["x"].Data, io.Tensors["c"].Data, io.Tensors["std"].Data, io.Tensors["y"].Data
	d := m.Dim()
	if len(x) != len(c)*d || len(want) != len(x) || len(std) != len(c) {
		t.Fatalf("fixture holds %d values of x, %d of c, %d of std and %d of y for d = %d", len(x), len(c), len(std), len(want), d)
	}
	if io.Metadata["sde"] != "ve" || io.Metadata["sigma_min"] != "0.01" || io.Metadata["sigma_max"] != "50.0" {
		t.Fatalf("fixture's SDE %q, σ_min %q, σ_max %q; want ve, 0.01, 50.0", io.Metadata["sde"], io.Metadata["sigma_min"], io.Metadata["sigma_max"])
	}
	sde := ve{0.01, 50}
	// The perturbation given to Go is the one torch divided by: the same
	// σ(t), rounded to float32, at every t of the fixture.
	for i, ti := range c {
		if _, s := sde.Marginal(float64(ti)); float32(s) != std[i] {
			t.Fatalf("σ(%v) = %v here, %v in torch", ti, float32(s), std[i])
		}
	}
	if lo, hi := slices.Min(std), slices.Max(std); lo > 0.02 || hi < 40 {
		t.Fatalf("fixture's σ(t) from %g to %g, want 0.02 to 40 or wider", lo, hi)
	}
	m.SetPerturbation(sde)
	got, levels := scoreRuns(m, x, c)
	if levels < 4 {
		t.Fatalf("fixture holds %d values of t, want several", levels)
	}
	worst := worstRelative(got, want, d)
	t.Logf("torch %s: worst relative difference %.2g over %d points at %d values of t", io.Metadata["torch"], worst, len(c), levels)
	if worst > torchTolerance {
		t.Errorf("worst relative difference from torch %.3g > %g", worst, torchTolerance)
	}
	for _, wrong := range []struct {
		name string
		p    Perturbation
	}{
		{"σ(t) = 1 (no scaling)", ve{1, 1}},
		{"σ(t)²", ve{0.01 * 0.01, 50 * 50}},
		{"σ_max 1% high", ve{0.01, 50.5}},
	} {
		m.SetPerturbation(wrong.p)
		got, _ := scoreRuns(m, x, c)
		if w := worstRelative(got, want, d); !(w > 100*torchTolerance) {
			t.Errorf("with %s: worst relative difference from torch %.3g, want more than %g: the fixture cannot tell it from the SDE torch used",
				wrong.name, w, 100*torchTolerance)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	cfg := Config{Dim: 2, Hidden: []int{8, 7}, Acts: []kernel.Activation{kernel.SiLU, kernel.ELU}, Cond: CondLogSigma, Fourier: 4, ScaleBySigma: true}
	m, err := New(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	x := randBatch(newRand(1, 1), 9, 2)
	a, b := make([]float32, len(x)), make([]float32, len(x))
	m.NoiseScore(a, x, 0.3)
	m2.NoiseScore(b, x, 0.3)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("score[%d]: %v before saving, %v after loading", i, a[i], b[i])
		}
	}
	// Every truncation is an error, never a panic.
	full := buf.Bytes()
	for n := range len(full) {
		if _, err := Load(bytes.NewReader(full[:n])); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(full))
		}
	}
}

func header(js string) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(js)))
	return append(b, js...)
}

func TestDecodeSafetensorsErrors(t *testing.T) {
	f32 := func(n int) string { return strings.Repeat("\x00\x00\x80\x3f", n) }
	cases := []struct {
		name, file, want string
	}{
		{"short", "abc", "too short"},
		{"huge header", string(binary.LittleEndian.AppendUint64(nil, 1<<40)), "header length"},
		{"not object", string(header("[1]")), "not a JSON object"},
		{"bad json", string(header("{\"a\":")), "header"},
		{"dtype", string(header(`{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}`)) + "x", "dtype"},
		{"offsets", string(header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`)) + f32(1), "outside"},
		{"shape", string(header(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`)) + f32(2), "needs 12 bytes"},
		{"negative", string(header(`{"a":{"dtype":"F32","shape":[-1,-4],"data_offsets":[0,16]}}`)) + f32(4), "shape"},
		{"overflow", string(header(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,0]}}`)), "shape"},
		{"overlap", string(header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`)) + f32(2), "overlaps"},
		{"hole", string(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`)) + f32(2), "no tensor"},
		{"tail", string(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`)) + f32(2), "no tensor"},
		{"extra field", string(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`)) + f32(1), "unknown field"},
		{"metadata", string(header(`{"__metadata__":{"a":1}}`)), "__metadata__"},
		{"offsets count", string(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`)) + f32(1), "data_offsets"},
		{"three offsets", string(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`)) + f32(2), "data_offsets"},
		{"bytes beyond the shape", string(header(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}`)) + f32(2), "needs 4 bytes"},
		// 2·2⁶²·4 wraps to 0 in int64: the product must be bounded before
		// it is formed, not compared with the data after.
		{"wrapping shape", string(header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2,4611686018427387904,4],"data_offsets":[8,8]}}`)) + f32(2), "shape"},
		{"dtype I32", string(header(`{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`)) + f32(1), "dtype"},
		{"dtype U8", string(header(`{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`)) + f32(1), "dtype"},
		{"dtype BOOL", string(header(`{"a":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]}}`)) + f32(1), "dtype"},
		{"dtype F8", string(header(`{"a":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}`)) + f32(1), "dtype"},
		{"dtype lower case", string(header(`{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`)) + f32(1), "dtype"},
	}
	for _, c := range cases {
		_, err := DecodeSafetensors([]byte(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestSafetensorsDtypes(t *testing.T) {
	var data []byte
	data = binary.LittleEndian.AppendUint64(data, math.Float64bits(-2.5))
	data = binary.LittleEndian.AppendUint16(data, 0x3c00) // F16 1
	data = binary.LittleEndian.AppendUint16(data, 0x0001) // F16 2⁻²⁴
	data = binary.LittleEndian.AppendUint16(data, 0xfc00) // F16 −Inf
	data = binary.LittleEndian.AppendUint16(data, 0x4049) // BF16 3.140625
	js := `{"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[3],"data_offsets":[8,14]},"b":{"dtype":"BF16","shape":[1,1],"data_offsets":[14,16]}}`
	f, err := DecodeSafetensors(append(header(js), data...))
	if err != nil {
		t.Fatal(err)
	}
	if v := f.Tensors["a"].Data; len(v) != 1 || v[0] != -2.5 {
		t.Errorf("F64: %v", v)
	}
	if v := f.Tensors["h"].Data; v[0] != 1 || v[1] != 1.0/(1<<24) || !math.IsInf(float64(v[2]), -1) {
		t.Errorf("F16: %v", v)
	}
	if v := f.Tensors["b"].Data; v[0] != 3.140625 {
		t.Errorf("BF16: %v", v)
	}
}

// TestSafetensorsEmptyTensor: a tensor with no elements occupies no
// bytes, so its data_offsets [o, o] may share o with the tensor that
// begins there, as the reference writer lays them out (ordered by dtype
// alignment, then name: an empty F64 tensor comes before an F32 one at
// the same offset). Such a file is valid whatever the names.
func TestSafetensorsEmptyTensor(t *testing.T) {
	for _, names := range [][2]string{{"w", "z"}, {"z", "w"}} {
		js := fmt.Sprintf(`{%q:{"dtype":"F32","shape":[1],"data_offsets":[0,4]},%q:{"dtype":"F64","shape":[0,3],"data_offsets":[0,0]}}`, names[0], names[1])
		f, err := DecodeSafetensors(append(header(js), 0, 0, 0x80, 0x3f))
		if err != nil {
			t.Errorf("empty tensor %q at the offset of %q: %v", names[1], names[0], err)
			continue
		}
		if v := f.Tensors[names[0]].Data; len(v) != 1 || v[0] != 1 {
			t.Errorf("%q = %v, want [1]", names[0], v)
		}
		if e := f.Tensors[names[1]]; len(e.Data) != 0 || fmt.Sprint(e.Shape) != "[0 3]" {
			t.Errorf("%q = %+v, want shape [0 3] and no data", names[1], e)
		}
	}
	// An empty tensor inside another one's bytes is still refused.
	js := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`
	if _, err := DecodeSafetensors(append(header(js), make([]byte, 8)...)); err == nil {
		t.Error("an empty tensor inside another: no error")
	}
}

// TestSafetensorsHeaderLimit: a header longer than the reference
// implementation's limit of 10⁸ bytes (safetensors' MAX_HEADER_SIZE) is
// refused by its length, before any of it is parsed, even when the file
// holds that many bytes. (The bytes past the first page are never
// touched, so the file costs no memory in fact.)
func TestSafetensorsHeaderLimit(t *testing.T) {
	const n = 100_000_001
	b := make([]byte, 8+n)
	binary.LittleEndian.PutUint64(b, n)
	b[8] = '{'
	if _, err := DecodeSafetensors(b); err == nil || !strings.Contains(err.Error(), "header length") {
		t.Errorf("a header of %d bytes: error %v, want one about its length", n, err)
	}
}

// TestSafetensorsHalf converts IEEE binary16 values of every class:
// normals with a fraction and a sign, the extremes, subnormals of either
// sign, infinities and NaN.
func TestSafetensorsHalf(t *testing.T) {
	cases := []struct {
		h    uint16
		want float32
	}{
		{0x3555, 0.333251953125},     // (1 + 341/1024)/4
		{0xc248, -3.140625},          // −(1 + 584/1024)·2
		{0x7bff, 65504},              // the largest
		{0x0400, 1.0 / (1 << 14)},    // the smallest normal
		{0x03ff, 1023.0 / (1 << 24)}, // the largest subnormal
		{0x8001, -1.0 / (1 << 24)},   // the smallest negative subnormal
		{0x8000, float32(math.Copysign(0, -1))},
		{0x7c00, float32(math.Inf(1))},
	}
	for _, c := range cases {
		got := half(c.h)
		if math.Float32bits(got) != math.Float32bits(c.want) {
			t.Errorf("half(%#04x) = %v, want %v", c.h, got, c.want)
		}
	}
	for _, h := range []uint16{0x7e00, 0x7c01, 0xfe00} {
		if v := half(h); !math.IsNaN(float64(v)) {
			t.Errorf("half(%#04x) = %v, want NaN", h, v)
		}
	}
}

// TestSafetensorsSignedZero: F64 and BF16 conversions keep the sign of
// zero, as a rounding to float32 does.
func TestSafetensorsSignedZero(t *testing.T) {
	data := binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Copysign(0, -1)))
	data = binary.LittleEndian.AppendUint16(data, 0x8000)
	js := `{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[8,10]}}`
	f, err := DecodeSafetensors(append(header(js), data...))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"d", "b"} {
		if v := f.Tensors[name].Data[0]; math.Float32bits(v) != 1<<31 {
			t.Errorf("%s: −0 read as %v (%#08x)", name, v, math.Float32bits(v))
		}
	}
}

// TestWriteSafetensors: the header is padded with spaces to a multiple
// of 8 bytes, a scalar's shape is written as [] (the reference reader
// refuses null), the metadata is kept, and a tensor whose data does not
// match its shape, or one named __metadata__, is refused.
func TestWriteSafetensors(t *testing.T) {
	for n := range 9 {
		f := &TensorFile{Metadata: map[string]string{"k": strings.Repeat("v", n)}, Tensors: map[string]Tensor{
			"s": {Data: []float32{2}},
			"v": {Shape: []int{2}, Data: []float32{1, -1}},
		}}
		var buf bytes.Buffer
		if err := WriteSafetensors(&buf, f); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		hn := binary.LittleEndian.Uint64(b)
		hdr := string(b[8 : 8+hn])
		if hn%8 != 0 || strings.TrimRight(hdr, " ") != strings.TrimSpace(hdr) || !strings.HasSuffix(strings.TrimRight(hdr, " "), "}") {
			t.Errorf("header of %d bytes %q: want a JSON object padded with spaces to a multiple of 8", hn, hdr)
		}
		if !strings.Contains(hdr, `"shape":[]`) {
			t.Errorf("header %q: the scalar's shape is not []", hdr)
		}
		g, err := DecodeSafetensors(b)
		if err != nil {
			t.Fatal(err)
		}
		if g.Metadata["k"] != f.Metadata["k"] || len(g.Metadata) != 1 {
			t.Errorf("metadata %v, want %v", g.Metadata, f.Metadata)
		}
		if !slices.Equal(g.Tensors["s"].Data, []float32{2}) || !slices.Equal(g.Tensors["v"].Data, []float32{1, -1}) {
			t.Errorf("tensors %v", g.Tensors)
		}
	}
	for name, f := range map[string]*TensorFile{
		"short data": {Tensors: map[string]Tensor{"a": {Shape: []int{2}, Data: []float32{1}}}},
		"long data":  {Tensors: map[string]Tensor{"a": {Shape: []int{2}, Data: []float32{1, 2, 3}}}},
		"metadata":   {Tensors: map[string]Tensor{"__metadata__": {Shape: []int{1}, Data: []float32{1}}}},
	} {
		if err := WriteSafetensors(io.Discard, f); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// savedTensors returns m as Save writes it, decoded.
func savedTensors(t *testing.T, m *Model) *TensorFile {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := DecodeSafetensors(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLoadErrors(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{4}, Act: kernel.Tanh}, 1)
	good := func() *TensorFile { return savedTensors(t, m) }
	cases := []struct {
		name   string
		change func(f *TensorFile)
		want   string
	}{
		{"format", func(f *TensorFile) { f.Metadata["format"] = "x" }, "format"},
		{"huge hidden", func(f *TensorFile) { f.Metadata["hidden"] = "65536"; f.Metadata["activations"] = "tanh,identity" }, "needs more"},
		{"deep", func(f *TensorFile) {
			f.Metadata["hidden"] = "4,4,4,4"
			f.Metadata["activations"] = "tanh,tanh,tanh,tanh,identity"
		}, "linear layers"},
		{"activation", func(f *TensorFile) { f.Metadata["activations"] = "tanh,swoosh" }, "activation"},
		{"too many activations", func(f *TensorFile) { f.Metadata["activations"] = "tanh,tanh,identity" }, "3 activations for 2 linear layers"},
		{"shape", func(f *TensorFile) {
			f.Tensors["layers.0.weight"] = Tensor{Shape: []int{2, 4}, Data: make([]float32, 8)}
		}, "shape"},
		{"missing", func(f *TensorFile) {
			delete(f.Tensors, "layers.1.bias")
			f.Tensors["x"] = Tensor{Shape: []int{2}, Data: make([]float32, 2)}
		}, "missing"},
		{"extra", func(f *TensorFile) { f.Tensors["x"] = Tensor{Shape: []int{1}, Data: make([]float32, 1)} }, "unexpected"},
		{"dim", func(f *TensorFile) { f.Metadata["dim"] = "-2" }, "Dim"},
		{"dim not a number", func(f *TensorFile) { f.Metadata["dim"] = "two" }, "dim"},
		{"cond", func(f *TensorFile) { f.Metadata["cond"] = "noise" }, "conditioning"},
		{"fourier", func(f *TensorFile) { f.Metadata["fourier"] = "four" }, "fourier"},
		{"fourier_scale", func(f *TensorFile) { f.Metadata["fourier_scale"] = "wide" }, "fourier_scale"},
		{"scale_by_sigma", func(f *TensorFile) { f.Metadata["scale_by_sigma"] = "maybe" }, "scale_by_sigma"},
		{"scale_by_sigma unconditional", func(f *TensorFile) { f.Metadata["scale_by_sigma"] = "true" }, "ScaleBySigma needs σ, log σ or time conditioning, have none"},
		{"energy", func(f *TensorFile) { f.Metadata["energy"] = "maybe" }, "energy"},
		{"hidden", func(f *TensorFile) { f.Metadata["hidden"] = "4x" }, "hidden"},
		{"not training state", func(f *TensorFile) { f.Tensors["trainer.x"] = Tensor{Shape: []int{1}, Data: make([]float32, 1)} }, "unexpected"},
	}
	for _, c := range cases {
		f := good()
		c.change(f)
		_, err := FromTensors(f)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// FuzzLoad feeds arbitrary bytes to Load: it must return a model or an
// error, never panic, and never allocate much beyond the input's size.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"testdata/torch_mlp.safetensors", "testdata/torch_io.safetensors"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	m, _ := New(Config{Dim: 2, Hidden: []int{3}, Act: kernel.SiLU, Cond: CondTime, Fourier: 2}, 1)
	var buf bytes.Buffer
	_ = m.Save(&buf)
	f.Add(buf.Bytes())
	f.Add(header(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Load(bytes.NewReader(b))
		if err != nil {
			return
		}
		// A model that loads must be usable and no larger than its file.
		if 2*m.NumParams() > len(b) { // F16 and BF16 take 2 bytes
			t.Fatalf("%d parameters from a %d-byte file", m.NumParams(), len(b))
		}
		x := make([]float32, m.Dim())
		out := make([]float32, m.Dim())
		switch m.Config().Cond {
		case CondNone:
			if m.Config().Energy {
				m.LogDensity(out[:1], x)
			} else {
				m.Score(out, x)
			}
		case CondTime:
			m.TimeScore(out, x, 0.5)
		default:
			m.NoiseScore(out, x, 0.5)
		}
	})
}

// TestLoadSkipsTrainingState: a checkpoint (tensors named with
// TrainPrefix beside the model's) loads as the model it holds; any other
// extra tensor is still refused.
func TestLoadSkipsTrainingState(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{8}, Act: kernel.SiLU, Cond: CondTime, Fourier: 4}, 3)
	f := savedTensors(t, m)
	f.Tensors[TrainPrefix+"adam.m"] = Tensor{Shape: []int{3}, Data: []float32{1, 2, 3}}
	got, err := FromTensors(f)
	if err != nil {
		t.Fatalf("a checkpoint: %v", err)
	}
	if !slices.Equal(got.Params(), m.Params()) || !slices.Equal(got.FourierWeights(), m.FourierWeights()) {
		t.Error("the checkpoint's model differs from the one saved")
	}
	f.Tensors["optimizer.m"] = Tensor{Shape: []int{1}, Data: []float32{1}}
	if _, err := FromTensors(f); err == nil || !strings.Contains(err.Error(), `unexpected tensor "optimizer.m"`) {
		t.Errorf("an unknown tensor: error %v", err)
	}
}

// TestClone: a clone computes what the model does, Fourier frequencies
// included, and changing one leaves the other alone.
func TestClone(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{16, 16}, Act: kernel.Tanh, Cond: CondTime, Fourier: 8}, 5)
	c := m.Clone()
	x := []float32{0.3, -1, 2, 0.5}
	a, b := make([]float32, 4), make([]float32, 4)
	m.TimeScore(a, x, 0.4)
	c.TimeScore(b, x, 0.4)
	if !slices.Equal(a, b) || !slices.Equal(m.FourierWeights(), c.FourierWeights()) {
		t.Fatalf("clone's score %v, model's %v", b, a)
	}
	c.Params()[0] += 1
	c.FourierWeights()[0] += 1
	c.Repack()
	m.TimeScore(b, x, 0.4)
	if !slices.Equal(a, b) {
		t.Error("changing the clone changed the model")
	}
}

// TestLoadReadError: a reader's error is returned, wrapped.
func TestLoadReadError(t *testing.T) {
	bad := errors.New("disk on fire")
	if _, err := Load(iotest.ErrReader(bad)); !errors.Is(err, bad) {
		t.Errorf("Load from a failing reader: error %v, want one wrapping %v", err, bad)
	}
}

// TestSaveMetadata: Save writes the architecture as the file layout
// (scripts/export_torch.py) documents it, the default Fourier scale as
// its value; the reader takes lists written with spaces after the commas.
func TestSaveMetadata(t *testing.T) {
	m, _ := New(Config{Dim: 2, Hidden: []int{8, 7}, Act: kernel.SiLU, Cond: CondTime, Fourier: 4}, 3)
	f := savedTensors(t, m)
	want := map[string]string{
		"format": FormatName, "dim": "2", "hidden": "8,7", "activations": "silu,silu,identity",
		"cond": "time", "fourier": "4", "fourier_scale": "16", "scale_by_sigma": "false", "energy": "false",
	}
	for k, v := range want {
		if f.Metadata[k] != v {
			t.Errorf("metadata %q = %q, want %q", k, f.Metadata[k], v)
		}
	}
	if v, ok := f.Metadata["scale_by_std"]; ok { // ScaleBySigma's time form's unreleased name
		t.Errorf("metadata has scale_by_std = %q; scale_by_sigma says it", v)
	}
	f.Metadata["hidden"], f.Metadata["activations"] = "8, 7", "silu, silu, identity"
	if _, err := FromTensors(f); err != nil {
		t.Errorf("lists with spaces: %v", err)
	}
}
