package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// table is a row-major n×d float32 matrix read from or written to a file.
type table struct {
	rows, cols int
	data       []float32
}

// readTable reads a CSV (.csv) or NumPy (.npy) file of rows of numbers.
func readTable(path string) (table, error) {
	f, err := os.Open(path)
	if err != nil {
		return table{}, err
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		t, err := readNPY(f)
		if err != nil {
			return table{}, fmt.Errorf("%s: %w", path, err)
		}
		return t, nil
	case ".csv", ".txt":
		t, err := readCSV(f)
		if err != nil {
			return table{}, fmt.Errorf("%s:%w", path, err)
		}
		return t, nil
	}
	return table{}, fmt.Errorf("%s: unknown file type %q (want .csv or .npy)", path, filepath.Ext(path))
}

// readCSV reads rows of numbers separated by commas. A first row in which
// no cell is a number is a header and is skipped. Errors say
// "line:column: what".
func readCSV(r io.Reader) (table, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	var t table
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return table{}, fmt.Errorf("%d:%d: %v", pe.Line, pe.Column, pe.Err)
			}
			return table{}, fmt.Errorf("%d: %v", line, err)
		}
		if first && isHeader(rec) {
			continue
		}
		if t.cols == 0 {
			t.cols = len(rec)
		} else if len(rec) != t.cols {
			return table{}, fmt.Errorf("%d: %d columns, but the rows above have %d", line, len(rec), t.cols)
		}
		for j, cell := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(cell), 32)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				_, col := cr.FieldPos(j)
				return table{}, fmt.Errorf("%d:%d: %q is not a finite number", line, col, cell)
			}
			t.data = append(t.data, float32(v))
		}
		t.rows++
	}
	if t.rows == 0 {
		return table{}, errors.New("1: no rows of numbers")
	}
	return t, nil
}

func isHeader(rec []string) bool {
	for _, c := range rec {
		if _, err := strconv.ParseFloat(strings.TrimSpace(c), 64); err == nil {
			return false
		}
	}
	return true
}

var npyMagic = []byte("\x93NUMPY")

var (
	npyDescr   = regexp.MustCompile(`'descr'\s*:\s*'([<>|=]?)([a-z])(\d+)'`)
	npyFortran = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape'\s*:\s*\(\s*([0-9]+)\s*(?:,\s*([0-9]+)\s*)?,?\s*\)`)
)

// maxNPYElems bounds what readNPY allocates before reading the data: 2³¹
// float32s, 8 GiB (on 32-bit platforms MaxInt/4, all a slice of float32
// can hold).
const maxNPYElems = min(1<<31, math.MaxInt/4)

// readNPY reads a NumPy .npy file holding a C-order float32 or float64
// array of one or two dimensions (a vector is one column).
func readNPY(r io.Reader) (table, error) {
	br := bufio.NewReader(r)
	head := make([]byte, 8)
	if _, err := io.ReadFull(br, head); err != nil || !bytes.Equal(head[:6], npyMagic) {
		return table{}, errors.New("not a NumPy .npy file (bad magic)")
	}
	var hlen int
	switch head[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return table{}, errors.New("truncated header")
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(br, b[:]); err != nil {
			return table{}, errors.New("truncated header")
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return table{}, fmt.Errorf("unsupported .npy version %d.%d", head[6], head[7])
	}
	if hlen > 1<<20 {
		return table{}, fmt.Errorf("header of %d bytes is implausibly long", hlen)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(br, h); err != nil {
		return table{}, errors.New("truncated header")
	}
	hs := string(h)
	d := npyDescr.FindStringSubmatch(hs)
	if d == nil {
		return table{}, fmt.Errorf("header has no dtype: %q", strings.TrimSpace(hs))
	}
	if d[1] == ">" || d[2] != "f" || (d[3] != "4" && d[3] != "8") {
		return table{}, fmt.Errorf("dtype %s%s%s: want little-endian float32 or float64 ('<f4' or '<f8')", d[1], d[2], d[3])
	}
	if m := npyFortran.FindStringSubmatch(hs); m == nil || m[1] == "True" {
		return table{}, errors.New("array is in Fortran order or the header does not say: save it in C order (np.ascontiguousarray)")
	}
	s := npyShape.FindStringSubmatch(hs)
	if s == nil {
		return table{}, fmt.Errorf("shape is not of one or two dimensions: %q", strings.TrimSpace(hs))
	}
	rows, err1 := strconv.Atoi(s[1])
	cols := 1
	var err2 error
	if s[2] != "" {
		cols, err2 = strconv.Atoi(s[2])
	}
	if err1 != nil || err2 != nil || rows <= 0 || cols <= 0 || rows > maxNPYElems/cols {
		return table{}, fmt.Errorf("shape (%s, %s) is empty or too large", s[1], s[2])
	}
	size := 4
	if d[3] == "8" {
		size = 8
	}
	t := table{rows: rows, cols: cols, data: make([]float32, 0, min(rows*cols, 1<<20))}
	buf := make([]byte, size)
	for i := 0; i < rows*cols; i++ {
		if _, err := io.ReadFull(br, buf); err != nil {
			return table{}, fmt.Errorf("data ends after %d of %d values", i, rows*cols)
		}
		var v float64
		if size == 4 {
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(buf)))
		} else {
			v = math.Float64frombits(binary.LittleEndian.Uint64(buf))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32 {
			return table{}, fmt.Errorf("value %d (row %d, column %d) is %g: want finite float32 values", i, i/cols, i%cols, v)
		}
		t.data = append(t.data, float32(v))
	}
	return t, nil
}

// writeNPY writes t as a version 1.0 .npy file of little-endian float32.
func writeNPY(w io.Writer, t table) error {
	h := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", t.rows, t.cols)
	// Pad so that the data starts on a 64-byte boundary, ending in '\n'.
	total := len(npyMagic) + 2 + 2 + len(h) + 1
	h += strings.Repeat(" ", (64-total%64)%64) + "\n"
	bw := bufio.NewWriter(w)
	bw.Write(npyMagic)
	bw.Write([]byte{1, 0})
	binary.Write(bw, binary.LittleEndian, uint16(len(h)))
	bw.WriteString(h)
	var b [4]byte
	for _, v := range t.data {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
		bw.Write(b[:])
	}
	return bw.Flush()
}

// writeCSV writes t as CSV with a header x0,x1,….
func writeCSV(w io.Writer, t table) error {
	bw := bufio.NewWriter(w)
	for j := range t.cols {
		if j > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, "x%d", j)
	}
	bw.WriteByte('\n')
	for i := range t.rows {
		for j := range t.cols {
			if j > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(strconv.FormatFloat(float64(t.data[i*t.cols+j]), 'g', -1, 32))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// writeTable writes t to path as .csv or .npy, by the path's extension.
func writeTable(path string, t table) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		return writeAtomic(path, func(w io.Writer) error { return writeNPY(w, t) })
	case ".csv":
		return writeAtomic(path, func(w io.Writer) error { return writeCSV(w, t) })
	}
	return fmt.Errorf("%s: unknown output type %q (want .csv or .npy)", path, filepath.Ext(path))
}

// writeAtomic writes a file through a temporary file in the same folder,
// renamed into place only once it is complete, so that an error or an
// interruption never leaves a half-written file behind.
func writeAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := write(f); err != nil {
		return fail(fmt.Errorf("writing %s: %w", path, err))
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
