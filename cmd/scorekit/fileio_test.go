package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCSV(t *testing.T) {
	tb, err := readCSV(strings.NewReader("a,b\n1,2\n# comment\n3, 4.5\n"))
	if err != nil || tb.rows != 2 || tb.cols != 2 || tb.data[3] != 4.5 {
		t.Fatalf("readCSV = %+v, %v", tb, err)
	}
	for in, want := range map[string]string{
		"1,2\n3,abc\n":  `2:3: "abc" is not a finite number`,
		"1,2\n3\n":      "2: 1 columns, but the rows above have 2",
		"x,y\n":         "no rows of numbers",
		"1,2\n3,NaN\n":  `2:3: "NaN" is not a finite number`,
		"1,2\n3,1e39\n": `"1e39" is not a finite number`,
	} {
		if _, err := readCSV(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("readCSV(%q) error %v, want %q", in, err, want)
		}
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
	out, err := readNPY(bytes.NewReader(b.Bytes()))
	if err != nil || out.rows != 3 || out.cols != 2 || out.data[5] != -6.5 {
		t.Fatalf("readNPY = %+v, %v", out, err)
	}
	full := b.Bytes()
	if _, err := readNPY(bytes.NewReader(full[:len(full)-3])); err == nil || !strings.Contains(err.Error(), "data ends after 5 of 6 values") {
		t.Errorf("truncated: %v", err)
	}
	bad := bytes.Replace(full, []byte("<f4"), []byte(">f4"), 1)
	if _, err := readNPY(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "little-endian") {
		t.Errorf("big-endian: %v", err)
	}
	bad = bytes.Replace(full, []byte("False"), []byte("True "), 1)
	if _, err := readNPY(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "Fortran") {
		t.Errorf("fortran: %v", err)
	}
	if _, err := readNPY(strings.NewReader("PK\x03\x04")); err == nil || !strings.Contains(err.Error(), "bad magic") {
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
