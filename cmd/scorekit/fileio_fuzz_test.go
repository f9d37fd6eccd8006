package main

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

// checkTable fails unless a table that read without error is what the
// command relies on: at least one row and column, rows·cols finite
// float32 values.
func checkTable(t *testing.T, what string, tb table) {
	t.Helper()
	if tb.rows < 1 || tb.cols < 1 || len(tb.data) != tb.rows*tb.cols {
		t.Fatalf("%s: a %d×%d table with %d values", what, tb.rows, tb.cols, len(tb.data))
	}
	for i, v := range tb.data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("%s: value %d is %v", what, i, v)
		}
	}
}

// FuzzReadNPY: readNPY never panics, never allocates beyond what the bytes
// given justify (its buffers grow with the data read), and returns either
// an error or a table that checkTable accepts; writing that table and
// reading it back gives the same table.
func FuzzReadNPY(f *testing.F) {
	le, be := binary.LittleEndian, binary.BigEndian
	f.Add(npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", npyData(le, 8, 1, 2, 3, 4, 5, 6)))
	f.Add(npyFile("{'descr': '>f4', 'fortran_order': False, 'shape': (3, 1), }", npyData(be, 4, 1.5, -2, 3)))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }", npyData(le, 4, 1, 2, 3, 4, 5, 6)))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", npyData(le, 4, 1, 2, 3)))
	f.Add(npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 100000000), }", nil))
	f.Add(npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", npyData(le, 8, 1)))
	f.Add([]byte("\x93NUMPY\x01\x00\xff\xff"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := readNPY(bytes.NewReader(b), maxNPYElems)
		if err != nil {
			return
		}
		checkTable(t, "readNPY", tb)
		var buf bytes.Buffer
		if err := writeNPY(&buf, tb); err != nil {
			t.Fatal(err)
		}
		back, err := readNPY(&buf, maxNPYElems)
		if err != nil || back.rows != tb.rows || back.cols != tb.cols || !slices.Equal(back.data, tb.data) {
			t.Fatalf("round trip: %d×%d, %v; want %d×%d", back.rows, back.cols, err, tb.rows, tb.cols)
		}
	})
}

// FuzzReadCSV: readCSV never panics and returns either an error or a table
// that checkTable accepts; writing that table and reading it back gives
// the same table.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n# comment\n3, 4.5\n",
		"\ufeff1,2\r\n3,4\r\n",
		"1\n2\n3\n",
		"1,,2\n",
		"1;2\n3;4\n",
		"x,y\n",
		"1e39,0\n",
		"NaN,1\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := readCSV(bytes.NewReader(b), maxNPYElems)
		if err != nil {
			return
		}
		checkTable(t, "readCSV", tb)
		var buf strings.Builder
		if err := writeCSV(&buf, tb); err != nil {
			t.Fatal(err)
		}
		back, err := readCSV(strings.NewReader(buf.String()), maxNPYElems)
		if err != nil || back.rows != tb.rows || back.cols != tb.cols || !slices.Equal(back.data, tb.data) {
			t.Fatalf("round trip of %q: %d×%d, %v; want %d×%d", buf.String(), back.rows, back.cols, err, tb.rows, tb.cols)
		}
	})
}
