package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestCSV(t *testing.T) {
	tb, err := readCSV(strings.NewReader("a,b\n1,2\n# comment\n3, 4.5\n"), maxNPYElems)
	if err != nil || tb.rows != 2 || tb.cols != 2 || tb.data[3] != 4.5 {
		t.Fatalf("readCSV = %+v, %v", tb, err)
	}
	for in, want := range map[string]string{
		"1,2\n3,abc\n":  `2:3: "abc" is not a finite number`,
		"1,2\n3\n":      "2: 1 column, but the rows above have 2", // not "1 columns"
		"x,y\n":         "no rows of numbers",
		"1,2\n3,NaN\n":  `2:3: "NaN" is not a finite number`,
		"1,2\n3,1e39\n": `"1e39" is not a finite number`,
		// A first row out of float64's range was skipped as a header.
		"1e999,1e999\n1,2\n": `1:1: "1e999" is not a finite number`,
		"1,2,\n3,4,\n":       "1:5: empty cell",
		"1;2\n3;4\n":         `2:1: "3;4" is not a number: columns are separated by commas`,
		"1\t2\n3\t4\n":       "columns are separated by commas",
	} {
		if _, err := readCSV(strings.NewReader(in), maxNPYElems); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("readCSV(%q) error %v, want %q", in, err, want)
		}
	}
}

// TestCSVAwkward: what spreadsheets and editors write.
func TestCSVAwkward(t *testing.T) {
	for in, want := range map[string][]float32{
		"\ufeff1,2\n3,4\n":      {1, 2, 3, 4}, // a byte-order mark (Excel's "CSV UTF-8")
		"\ufeffx,y\n1,2\n":      {1, 2},
		"1,2\r\n3,4\r\n":        {1, 2, 3, 4},
		"\n1,2\n\n3,4\n\n":      {1, 2, 3, 4},
		"\"1\",\" 2\"\n":        {1, 2},
		"1,2\n3,4":              {1, 2, 3, 4},
		"a\n1\n2\n":             {1, 2},
		"-3.4028235e38,1e-50\n": {-math.MaxFloat32, 0},
	} {
		tb, err := readCSV(strings.NewReader(in), maxNPYElems)
		if err != nil || !slices.Equal(tb.data, want) || tb.rows*tb.cols != len(want) {
			t.Errorf("readCSV(%q) = %+v, %v; want %v", in, tb, err, want)
		}
	}
}

// npyFile returns a .npy file with the header dictionary dict, padded as
// NumPy pads it, and then data.
func npyFile(dict string, data []byte) []byte {
	h := dict + " "
	h += strings.Repeat(" ", (64-(10+len(h)+1)%64)%64) + "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	return append(append(b, h...), data...)
}

// npyData encodes vs in the byte order bo as float32 (size 4) or float64.
func npyData(bo binary.AppendByteOrder, size int, vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		if size == 4 {
			b = bo.AppendUint32(b, math.Float32bits(float32(v)))
		} else {
			b = bo.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

// TestNPYLayouts reads what np.save writes for the dtypes and orders a
// user is likely to have: both byte orders, float32 and float64, C and
// Fortran order, vectors.
func TestNPYLayouts(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	for _, c := range []struct {
		name       string
		file       []byte
		rows, cols int
		want       []float32
	}{
		{"<f8", npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", npyData(le, 8, 1, 2, 3, 4, 5, 6)), 2, 3, []float32{1, 2, 3, 4, 5, 6}},
		{">f4", npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (3, 1), }", npyData(be, 4, 1.5, -2, 3)), 3, 1, []float32{1.5, -2, 3}},
		{">f8", npyFile("{'descr': '>f8', 'fortran_order': False, 'shape': (1, 2), }", npyData(be, 8, 7, 8)), 1, 2, []float32{7, 8}},
		// np.save(f, x.T) for x = [[1, 2, 3], [4, 5, 6]]: x.T is Fortran-ordered.
		{"fortran", npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }", npyData(le, 4, 1, 2, 3, 4, 5, 6)), 3, 2, []float32{1, 4, 2, 5, 3, 6}},
		{"vector", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", npyData(le, 4, 1, 2, 3)), 3, 1, []float32{1, 2, 3}},
		{"fortran vector", npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", npyData(le, 4, 1, 2)), 2, 1, []float32{1, 2}},
	} {
		tb, err := readNPY(bytes.NewReader(c.file), maxNPYElems)
		if err != nil || tb.rows != c.rows || tb.cols != c.cols || !slices.Equal(tb.data, c.want) {
			t.Errorf("%s: readNPY = %+v, %v; want %d×%d %v", c.name, tb, err, c.rows, c.cols, c.want)
		}
	}
}

// TestNPYBad: every malformed or unsupported file gets an error that says
// what is wrong with it.
func TestNPYBad(t *testing.T) {
	le := binary.LittleEndian
	good := npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", npyData(le, 4, 1, 2, 3, 4))
	longer := bytes.Clone(good)
	longer[8] += 8 // the header length says 8 bytes more than the header has
	shorter := bytes.Clone(good)
	shorter[8] -= 8
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"int64", npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)), "dtype <i8: want float32 or float64 (convert with x.astype(np.float32))"},
		{"float16", npyFile("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", make([]byte, 2)), "dtype <f2"},
		{"structured", npyFile("{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)), "not a plain number type"},
		{"3-D", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }", make([]byte, 4)), "shape (1, 1, 1) has 3 dimensions"},
		{"scalar", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", make([]byte, 4)), "shape () has 0 dimensions"},
		{"empty", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }", nil), "shape (0, 2) is empty"},
		{"too large", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", nil), "too large"},
		{"header too long", longer, "the header's length (126 bytes) does not match its text"},
		{"header too short", shorter, "the header's length (110 bytes) does not match its text"},
		{"data too long", append(bytes.Clone(good), 0, 0, 0, 0), "4 bytes after the 4 values of shape (2, 2)"},
		{"truncated", good[:len(good)-1], "data ends after 3 of 4 values"},
		{"header cut", good[:20], "truncated header"},
		{"NaN, Fortran", npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", npyData(le, 4, 1, math.NaN(), 3, 4)), "value at row 1, column 0 (from 0) is NaN"},
		{"beyond float32", npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", npyData(le, 8, 1e300)), "is 1e+300: want finite float32 values"},
		{"not npy", []byte("PK\x03\x04 a zip file"), "bad magic"},
		// Counts of 1 in the singular.
		{"one byte long", npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", make([]byte, 5)), "1 byte after the 1 value of shape (1,)"},
	} {
		if _, err := readNPY(bytes.NewReader(c.file), maxNPYElems); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := readNPY(bytes.NewReader(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", nil)), maxNPYElems); err == nil || err.Error() != "data ends after 0 of 1 value" {
		t.Errorf("one value short: error %v, want %q", err, "data ends after 0 of 1 value")
	}
}

func TestNPYRoundTrip(t *testing.T) {
	in := table{rows: 3, cols: 2, data: []float32{1, 2, 3, 4, 5, -6.5}}
	var b bytes.Buffer
	if err := writeNPY(&b, in); err != nil {
		t.Fatal(err)
	}
	if (b.Len()-len(in.data)*4)%64 != 0 {
		t.Errorf("header not padded to 64 bytes: total %d", b.Len())
	}
	out, err := readNPY(bytes.NewReader(b.Bytes()), maxNPYElems)
	if err != nil || out.rows != 3 || out.cols != 2 || out.data[5] != -6.5 {
		t.Fatalf("readNPY = %+v, %v", out, err)
	}
	full := b.Bytes()
	if _, err := readNPY(bytes.NewReader(full[:len(full)-3]), maxNPYElems); err == nil || !strings.Contains(err.Error(), "data ends after 5 of 6 values") {
		t.Errorf("truncated: %v", err)
	}
	if _, err := readNPY(strings.NewReader("PK\x03\x04"), maxNPYElems); err == nil || !strings.Contains(err.Error(), "bad magic") {
		t.Errorf("not npy: %v", err)
	}
}

func TestWriteAtomicLeavesNothingOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	err := writeAtomic(path, func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("disk on fire")
	})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("writeAtomic error %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}
}

// TestWriteAtomicPermissions: a new file gets what os.Create would give it
// (0666 less the umask: the temporary file's 0600 used to stay); a file
// replaced keeps its mode.
func TestWriteAtomicPermissions(t *testing.T) {
	dir := t.TempDir()
	ref, err := os.Create(filepath.Join(dir, "ref"))
	if err != nil {
		t.Fatal(err)
	}
	ref.Close()
	want, _ := os.Stat(ref.Name())
	path := filepath.Join(dir, "out.csv")
	write := func(w io.Writer) error { _, err := w.Write([]byte("1\n")); return err }
	if err := writeAtomic(path, write); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode() != want.Mode() {
		t.Errorf("new file: mode %v, os.Create gives %v", st.Mode(), want.Mode())
	}
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o600)
		if err := writeAtomic(path, write); err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
			t.Errorf("replaced file: mode %v, want it kept at 0600", st.Mode())
		}
	}
	err = writeAtomic(filepath.Join(dir, "no", "out.csv"), write)
	if err == nil || !strings.Contains(err.Error(), "writing "+filepath.Join(dir, "no", "out.csv")+": no folder") || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("into a missing folder: %v", err)
	}
}

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	if err := checkOutput("-out", filepath.Join(dir, "m.safetensors")); err != nil {
		t.Errorf("a new file in a folder: %v", err)
	}
	if err := checkOutput("-out", filepath.Join(dir, "no", "m.safetensors")); err == nil || !strings.Contains(err.Error(), "-out "+filepath.Join(dir, "no", "m.safetensors")+": cannot write there: no folder") {
		t.Errorf("in a missing folder: %v", err)
	}
	if err := checkOutput("-png", dir); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("a folder: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

// TestCSVParseErrorFirstRow: a CSV whose first record does not parse (a
// bare quote) is an error naming line and column; readCSV asked the
// reader for the position of a record it did not have, which panicked
// (found by FuzzReadCSV).
func TestCSVParseErrorFirstRow(t *testing.T) {
	for _, in := range []string{"A\"0000000000000", "1,2\n3,\"4\n"} {
		_, err := readCSV(strings.NewReader(in), maxNPYElems)
		if err == nil || !strings.Contains(err.Error(), "bare \" in non-quoted-field") && !strings.Contains(err.Error(), "extraneous or missing \" in quoted-field") {
			t.Errorf("readCSV(%q): %v, want a parse error", in, err)
		} else {
			t.Log(err)
		}
	}
}

// TestReadLimit: more values than the reader's limit is a *tooManyValues
// error, from a .npy file's header before its data are read (this one has
// none) and from a CSV file at the line that passes the limit.
func TestReadLimit(t *testing.T) {
	var tm *tooManyValues
	_, err := readNPY(bytes.NewReader(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", nil)), 5)
	if !errors.As(err, &tm) || err.Error() != "shape (3, 2) is too large (more than 5 values)" {
		t.Errorf("readNPY of shape (3, 2), limit 5: %v, want a *tooManyValues", err)
	}
	if tb, err := readNPY(bytes.NewReader(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", make([]byte, 24))), 6); err != nil || tb.rows != 3 {
		t.Errorf("readNPY of shape (3, 2), limit 6: %+v, %v", tb, err)
	}
	_, err = readCSV(strings.NewReader("x,y\n1,2\n3,4\n5,6\n"), 5)
	if !errors.As(err, &tm) || err.Error() != "4: more than 5 values" {
		t.Errorf("readCSV of 6 values, limit 5: %v, want a *tooManyValues at line 4", err)
	}
	if tb, err := readCSV(strings.NewReader("x,y\n1,2\n3,4\n5,6\n"), 6); err != nil || tb.rows != 3 {
		t.Errorf("readCSV of 6 values, limit 6: %+v, %v", tb, err)
	}
}

// TestCSVNumericHeader: a first row of numbers is data — nothing can tell
// it from a header — and the help of the flags that read CSV says so, as
// the package doc and README do.
func TestCSVNumericHeader(t *testing.T) {
	tb, err := readCSV(strings.NewReader("0,1\n2,3\n"), maxNPYElems)
	if err != nil || tb.rows != 2 || tb.data[0] != 0 || tb.data[1] != 1 {
		t.Errorf("readCSV(\"0,1\\n2,3\\n\") = %+v, %v; want two rows", tb, err)
	}
	bin := scorekit(t)
	for _, c := range []string{"train", "sample"} {
		out, errOut, _ := exe(t, bin, nil, c, "-h")
		if want := "skipped as a header only if none of its cells is a number"; !strings.Contains(out+errOut, want) {
			t.Errorf("scorekit %s -h does not say %q:\n%s%s", c, want, out, errOut)
		}
	}
}
