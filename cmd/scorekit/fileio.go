package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/scorekit/scorekit/internal/english"
)

// table is a row-major n×d float32 matrix read from or written to a file.
type table struct {
	rows, cols int
	data       []float32
}

// tooManyValues is the error of readTable, readCSV and readNPY for a file
// of more values than the limit they were given.
type tooManyValues struct {
	limit int
	shape string // a .npy file's shape, (rows, cols); "" for CSV, read up to the limit
}

func (e *tooManyValues) Error() string {
	if e.shape != "" {
		return fmt.Sprintf("shape %s is too large (more than %d values)", e.shape, e.limit)
	}
	return fmt.Sprintf("more than %d values", e.limit)
}

// readTable reads a CSV (.csv) or NumPy (.npy) file of rows of numbers,
// of at most maxValues values (else a *tooManyValues error, found before
// the values are read). Its errors begin with path, for the caller to
// put the flag that named it before.
func readTable(path string, maxValues int) (table, error) {
	if err := tableType(path); err != nil {
		return table{}, err
	}
	ext := strings.ToLower(filepath.Ext(path))
	f, err := os.Open(path)
	if err != nil {
		return table{}, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return table{}, fmt.Errorf("%s: a folder, not a %s file", path, ext)
	}
	if ext == ".npy" {
		t, err := readNPY(f, maxValues)
		if err != nil {
			return table{}, fmt.Errorf("%s: %w", path, err)
		}
		return t, nil
	}
	t, err := readCSV(f, maxValues)
	if err != nil {
		return table{}, fmt.Errorf("%s:%w", path, err)
	}
	return t, nil
}

// tableType returns an error, which begins with path, unless path names
// a file of points by its extension: .csv or .npy, in any case.
func tableType(path string) error {
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".npy" && ext != ".csv" {
		what := fmt.Sprintf("file type %q", filepath.Ext(path))
		if ext == "" {
			what = "no file type"
		}
		return fmt.Errorf("%s: %s: want a .csv or .npy file of points", path, what)
	}
	return nil
}

// readCSV reads rows of numbers separated by commas. A first row in which
// no cell is a number is a header and is skipped, as is a UTF-8 byte-order
// mark. Errors say "line:column: what"; more than maxValues values are a
// *tooManyValues error at the line that passes the limit.
func readCSV(r io.Reader, maxValues int) (table, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	var t table
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// No record: FieldPos would panic.
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return table{}, fmt.Errorf("%d:%d: %v", pe.Line, pe.Column, pe.Err)
			}
			return table{}, fmt.Errorf(" %v", err)
		}
		line, _ := cr.FieldPos(0)
		if first && isHeader(rec) {
			continue
		}
		if t.cols == 0 {
			t.cols = len(rec)
		} else if len(rec) != t.cols {
			return table{}, fmt.Errorf("%d: %s, but the rows above have %d", line, english.Count(len(rec), "column"), t.cols)
		}
		if len(rec) > maxValues-len(t.data) {
			return table{}, fmt.Errorf("%d: %w", line, &tooManyValues{limit: maxValues})
		}
		for j, cell := range rec {
			c := strings.TrimSpace(cell)
			v, err := strconv.ParseFloat(c, 32)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				_, col := cr.FieldPos(j)
				switch {
				case c == "":
					return table{}, fmt.Errorf("%d:%d: empty cell: want a number in every column", line, col)
				case strings.ContainsAny(c, ";\t "):
					return table{}, fmt.Errorf("%d:%d: %q is not a number: columns are separated by commas", line, col, cell)
				}
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

// isHeader reports whether no cell of rec is a number. A number out of
// float64's range (1e999) is a number, to be refused as such, not a
// header to skip without a word.
func isHeader(rec []string) bool {
	for _, c := range rec {
		if _, err := strconv.ParseFloat(strings.TrimSpace(c), 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return false
		}
	}
	return true
}

var npyMagic = []byte("\x93NUMPY")

var (
	npyDescr   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyFortran = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// maxNPYElems bounds what readNPY allocates before reading the data: 2³¹
// float32s, 8 GiB (on 32-bit platforms MaxInt/4, all a slice of float32
// can hold).
const maxNPYElems = min(1<<31, math.MaxInt/4)

// readNPY reads a NumPy .npy file holding a float32 or float64 array (of
// either byte order, in C or Fortran order) of one or two dimensions: a
// vector is one column. A shape of more than maxValues values is a
// *tooManyValues error, before any value is read.
func readNPY(r io.Reader, maxValues int) (table, error) {
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
	// NumPy pads the header with spaces to a newline; a header that does
	// not end so, or whose text is not one {…}, has a wrong length (the
	// data would be read from the wrong place).
	hs := string(h)
	if body := strings.TrimRight(hs, " \n"); !strings.HasSuffix(hs, "\n") || !strings.HasPrefix(body, "{") || !strings.HasSuffix(body, "}") || strings.Count(body, "}") != 1 {
		return table{}, fmt.Errorf("the header's length (%d bytes) does not match its text %.80q: a damaged file, or not written by NumPy", hlen, hs)
	}
	hs = strings.TrimRight(hs, " \n")
	d := npyDescr.FindStringSubmatch(hs)
	if d == nil {
		return table{}, fmt.Errorf("dtype in %s is not a plain number type: want float32 or float64", hs)
	}
	var order binary.ByteOrder
	size := 0
	switch d[1] {
	case "<f4", "=f4":
		order, size = binary.LittleEndian, 4
	case ">f4":
		order, size = binary.BigEndian, 4
	case "<f8", "=f8":
		order, size = binary.LittleEndian, 8
	case ">f8":
		order, size = binary.BigEndian, 8
	default:
		return table{}, fmt.Errorf("dtype %s: want float32 or float64 (convert with x.astype(np.float32))", d[1])
	}
	m := npyFortran.FindStringSubmatch(hs)
	if m == nil {
		return table{}, fmt.Errorf("header %s does not say fortran_order", hs)
	}
	fortran := m[1] == "True"
	s := npyShape.FindStringSubmatch(hs)
	if s == nil {
		return table{}, fmt.Errorf("header %s has no shape", hs)
	}
	var dims []int
	for _, f := range strings.Split(s[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return table{}, fmt.Errorf("shape (%s): %q is not a size", s[1], f)
		}
		dims = append(dims, n)
	}
	if len(dims) == 0 || len(dims) > 2 {
		return table{}, fmt.Errorf("shape (%s) has %d dimensions: want a vector or a matrix of rows (reshape it to (n, d))", s[1], len(dims))
	}
	rows, cols := dims[0], 1
	if len(dims) == 2 {
		cols = dims[1]
	}
	if rows == 0 || cols == 0 {
		return table{}, fmt.Errorf("shape (%s) is empty", s[1])
	}
	if limit := min(maxValues, maxNPYElems); rows > limit/cols {
		return table{}, &tooManyValues{limit: limit, shape: "(" + s[1] + ")"}
	}
	n := rows * cols
	t := table{rows: rows, cols: cols, data: make([]float32, 0, min(n, 1<<20))}
	buf := make([]byte, size)
	for i := 0; i < n; i++ {
		if _, err := io.ReadFull(br, buf); err != nil {
			return table{}, fmt.Errorf("data ends after %d of %s", i, english.Count(n, "value"))
		}
		var v float64
		if size == 4 {
			v = float64(math.Float32frombits(order.Uint32(buf)))
		} else {
			v = math.Float64frombits(order.Uint64(buf))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > math.MaxFloat32 {
			r, c := i/cols, i%cols
			if fortran {
				r, c = i%rows, i/rows
			}
			return table{}, fmt.Errorf("value at row %d, column %d (from 0) is %g: want finite float32 values", r, c, v)
		}
		t.data = append(t.data, float32(v))
	}
	if extra, _ := io.Copy(io.Discard, br); extra > 0 {
		return table{}, fmt.Errorf("%s after the %s of shape (%s): the header does not describe the data", english.Count(int(extra), "byte"), english.Count(n, "value"), s[1])
	}
	if fortran && cols > 1 {
		// Column-major on disk: the element (i, j) was read at j·rows + i.
		c := make([]float32, n)
		for j := range cols {
			for i := range rows {
				c[i*cols+j] = t.data[j*rows+i]
			}
		}
		t.data = c
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
// interruption never leaves a half-written file behind. A new file gets
// the permissions the umask allows (as os.Create's would); a file replaced
// keeps its own. Errors name path, never the temporary file.
func writeAtomic(path string, write func(io.Writer) error) error {
	f, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		if err := f.Chmod(st.Mode().Perm()); err != nil {
			return fail(err)
		}
	}
	if err := write(f); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	return nil
}

// createTemp creates a new file beside path, .<name>.tmp<random>, with
// permissions 0666 less the umask: os.CreateTemp's are 0600, which the
// rename would carry to the finished file.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	for try := 0; ; try++ {
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			if st, serr := os.Stat(dir); serr != nil || !st.IsDir() {
				return nil, fmt.Errorf("no folder %s", dir)
			}
			return nil, unwrapPath(err)
		}
		return f, nil
	}
}

// unwrapPath drops the file name from an *fs.PathError or *os.LinkError
// (a temporary file's name means nothing to the user).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// checkOutput checks, before any long work, that the file path can be
// written: its folder exists, it is not itself a folder, and a file can
// be created beside it. flag names the flag that gave path; the error is
// a command-line one (exit status 2), since nothing has been done.
func checkOutput(flag, path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("%s %s is a folder: want a file name", flag, path)
	}
	f, err := createTemp(path)
	if err != nil {
		return usagef("%s %s: cannot write there: %v", flag, path, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
