package nn

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// Tensor is a dense float32 tensor, row-major.
type Tensor struct {
	Shape []int
	Data  []float32
}

// TensorFile is the contents of a safetensors file: string metadata and
// named tensors, converted to float32.
type TensorFile struct {
	Metadata map[string]string
	Tensors  map[string]Tensor
}

// MaxHeader bounds a safetensors header's length, as the reference
// implementation does (its MAX_HEADER_SIZE, 10⁸ bytes).
const MaxHeader = 100_000_000

var dtypeSize = map[string]int{"F32": 4, "F64": 8, "F16": 2, "BF16": 2}

type tensorHeader struct {
	Dtype       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// ReadSafetensors reads a whole safetensors file from r; see
// DecodeSafetensors.
func ReadSafetensors(r io.Reader) (*TensorFile, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("nn: reading safetensors: %w", err)
	}
	return DecodeSafetensors(b)
}

// DecodeSafetensors parses a safetensors file: an 8-byte little-endian
// header length N, N bytes of JSON mapping tensor names to dtype, shape
// and data_offsets (and "__metadata__" to string pairs), then the tensor
// bytes, little-endian. It checks everything (header length, JSON shape,
// dtypes F32, F64, F16 and BF16, offsets within the data, sizes matching
// shapes, tensors neither overlapping nor leaving holes) and returns an
// error saying what is wrong; it never panics and allocates in proportion
// to len(b).
func DecodeSafetensors(b []byte) (*TensorFile, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("nn: safetensors: %d bytes, too short for the header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeader || n > uint64(len(b)-8) {
		return nil, fmt.Errorf("nn: safetensors: header length %d, but the file has %d bytes after it (limit %d)", n, len(b)-8, MaxHeader)
	}
	hdr := b[8 : 8+n]
	data := b[8+n:]
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, errors.New("nn: safetensors: header is not a JSON object")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, fmt.Errorf("nn: safetensors: header: %w", err)
	}
	f := &TensorFile{Metadata: map[string]string{}, Tensors: map[string]Tensor{}}
	type span struct {
		name       string
		begin, end int64
	}
	var spans []span
	heads := map[string]tensorHeader{}
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fmt.Errorf("nn: safetensors: __metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		var th tensorHeader
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&th); err != nil {
			return nil, fmt.Errorf("nn: safetensors: tensor %q: %w", name, err)
		}
		size, ok := dtypeSize[th.Dtype]
		if !ok {
			return nil, fmt.Errorf("nn: safetensors: tensor %q: dtype %q not supported (want F32, F64, F16 or BF16)", name, th.Dtype)
		}
		if len(th.DataOffsets) != 2 {
			return nil, fmt.Errorf("nn: safetensors: tensor %q: data_offsets has %d entries, want 2", name, len(th.DataOffsets))
		}
		begin, end := th.DataOffsets[0], th.DataOffsets[1]
		if begin < 0 || end < begin || end > int64(len(data)) {
			return nil, fmt.Errorf("nn: safetensors: tensor %q: data_offsets [%d, %d] outside the %d data bytes", name, begin, end, len(data))
		}
		count := int64(1)
		for _, s := range th.Shape {
			if s < 0 || (s > 0 && count > int64(len(data))/s) {
				return nil, fmt.Errorf("nn: safetensors: tensor %q: shape %v does not fit in the file", name, th.Shape)
			}
			count *= s
		}
		if count*int64(size) != end-begin {
			return nil, fmt.Errorf("nn: safetensors: tensor %q: shape %v of %s needs %d bytes, data_offsets give %d", name, th.Shape, th.Dtype, count*int64(size), end-begin)
		}
		spans = append(spans, span{name, begin, end})
		heads[name] = th
	}
	// By offsets, as the reference implementation sorts them: an empty
	// tensor at [o, o] comes before the tensor that begins at o, whatever
	// their names (the names only order empty tensors at one offset).
	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), strings.Compare(a.name, b.name))
	})
	var at int64
	for _, s := range spans {
		if s.begin != at {
			if s.begin < at {
				return nil, fmt.Errorf("nn: safetensors: tensor %q at [%d, %d] overlaps the one before, which ends at %d", s.name, s.begin, s.end, at)
			}
			return nil, fmt.Errorf("nn: safetensors: data bytes [%d, %d] belong to no tensor", at, s.begin)
		}
		at = s.end
	}
	if at != int64(len(data)) {
		return nil, fmt.Errorf("nn: safetensors: data bytes [%d, %d] belong to no tensor", at, len(data))
	}
	// Convert, now that every tensor is known to lie inside data.
	for name, th := range heads {
		f.Tensors[name] = convert(th, data[th.DataOffsets[0]:th.DataOffsets[1]])
	}
	return f, nil
}

// convert decodes little-endian values of th's dtype to float32.
func convert(th tensorHeader, b []byte) Tensor {
	shape := make([]int, len(th.Shape))
	for i, s := range th.Shape {
		shape[i] = int(s)
	}
	size := dtypeSize[th.Dtype]
	out := make([]float32, len(b)/size)
	for i := range out {
		p := b[i*size : (i+1)*size]
		switch th.Dtype {
		case "F32":
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(p))
		case "F64":
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(p)))
		case "BF16":
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(p)) << 16)
		case "F16":
			out[i] = half(binary.LittleEndian.Uint16(p))
		}
	}
	return Tensor{Shape: shape, Data: out}
}

// half converts an IEEE binary16 value to float32 (exactly).
func half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch exp {
	case 0: // zero or subnormal: frac·2⁻²⁴
		v := float32(frac) * (1.0 / (1 << 24))
		return math.Float32frombits(math.Float32bits(v) | sign)
	case 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | frac<<13)
}

// WriteSafetensors writes f as a safetensors file of F32 tensors, in
// name order, the header padded with spaces to a multiple of 8 bytes.
// It checks that every tensor's data matches its shape.
func WriteSafetensors(w io.Writer, f *TensorFile) error {
	names := make([]string, 0, len(f.Tensors))
	for name := range f.Tensors {
		if name == "__metadata__" {
			return errors.New("nn: safetensors: a tensor cannot be named __metadata__")
		}
		names = append(names, name)
	}
	slices.Sort(names)
	hdr := map[string]any{}
	if len(f.Metadata) > 0 {
		hdr["__metadata__"] = f.Metadata
	}
	var off int64
	for _, name := range names {
		t := f.Tensors[name]
		count := 1
		for _, s := range t.Shape {
			count *= s
		}
		if count != len(t.Data) {
			return fmt.Errorf("nn: safetensors: tensor %q has shape %v but %d values", name, t.Shape, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		hdr[name] = map[string]any{"dtype": "F32", "shape": shape, "data_offsets": []int64{off, off + 4*int64(count)}}
		off += 4 * int64(count)
	}
	js, err := json.Marshal(hdr)
	if err != nil {
		return fmt.Errorf("nn: safetensors: %w", err)
	}
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	buf := make([]byte, 8, 8+len(js)+int(off))
	binary.LittleEndian.PutUint64(buf, uint64(len(js)))
	buf = append(buf, js...)
	for _, name := range names {
		for _, v := range f.Tensors[name].Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	_, err = w.Write(buf)
	return err
}
