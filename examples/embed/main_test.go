package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// writeModel trains a small model with cfg on moons (by NCDSM over sigmas
// if cfg is σ-conditional, by DSM at sigmas[0] otherwise) and saves it
// with the noise levels in the metadata, as scorekit train does.
func writeModel(t *testing.T, cfg nn.Config, sigmas []float64) string {
	t.Helper()
	m, err := nn.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	var loss nn.Loss = nn.NCDSM{Sigmas: sigmas}
	if cfg.Cond == nn.CondNone {
		loss = nn.DSM{Sigma: sigmas[0]}
	}
	tr := nn.Trainer{Model: m, Loss: loss, Data: data.Moons(), Batch: 64, Steps: 200, Seed: 1}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Save(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := nn.DecodeSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]string, len(sigmas))
	for i, v := range sigmas {
		s[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	tf.Metadata["scorekit.sigmas"] = strings.Join(s, ",")
	f, err = os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.WriteSafetensors(f, tf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

var ncsn = nn.Config{Dim: 2, Hidden: []int{32, 32}, Act: kernel.SiLU, Cond: nn.CondLogSigma, ScaleBySigma: true}

// get asks the service for url and returns the status and the body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestService trains a small model, saves it as scorekit train does, and
// asks the service for samples over HTTP, with good and bad queries.
func TestService(t *testing.T) {
	s, err := newService(writeModel(t, ncsn, sampler.GeometricSigmas(3, 0.05, 6)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	code, body := get(t, srv.URL+"?n=7")
	var rows [][]float32
	if err := json.Unmarshal([]byte(body), &rows); code != http.StatusOK || err != nil || len(rows) != 7 || len(rows[0]) != 2 {
		t.Fatalf("n=7: status %d, %v, %v", code, rows, err)
	}
	for _, q := range []string{"n=0", "n=-5", "n=abc", "", "n=", "n=10001", "n=99999999999999999999", "n=3.0", "n=0x10"} {
		if code, body := get(t, srv.URL+"?"+q); code != http.StatusBadRequest || !strings.Contains(body, "n must be a number of samples from 1 to 10000") {
			t.Errorf("%q: status %d, %q", q, code, body)
		}
	}
	resp, err := http.Post(srv.URL+"?n=3", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// HEAD answers as GET would, without sampling: no seed is used up.
	seed := s.seed.Load()
	resp, err = http.Head(srv.URL + "?n=3")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("HEAD: status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := s.seed.Load(); got != seed {
		t.Errorf("HEAD drew samples (seed %d → %d)", seed, got)
	}
	if resp, err = http.Head(srv.URL + "?n=0"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("HEAD ?n=0: status %d, want 400", resp.StatusCode)
		}
	}
}

// TestServiceConcurrent: requests at once share the model and each get
// their own sampler and streams (run it with -race).
func TestServiceConcurrent(t *testing.T) {
	s, err := newService(writeModel(t, ncsn, sampler.GeometricSigmas(3, 0.05, 4)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	const k = 6
	var wg sync.WaitGroup
	got := make([][][]float32, k)
	for i := range k {
		wg.Go(func() {
			code, body := get(t, srv.URL+"?n="+strconv.Itoa(5+i))
			if err := json.Unmarshal([]byte(body), &got[i]); code != http.StatusOK || err != nil || len(got[i]) != 5+i {
				t.Errorf("request %d: status %d, %d rows, %v", i, code, len(got[i]), err)
			}
		})
	}
	wg.Wait()
	for i := 1; i < k; i++ {
		if len(got[i]) > 0 && len(got[0]) > 0 && slices.Equal(got[i][0], got[0][0]) {
			t.Errorf("requests 0 and %d drew the same first sample %v: they share a stream", i, got[0][0])
		}
	}
}

// TestServiceCancel: a request whose client has gone stops its sampler
// (10,000 chains of this network took 6 s here) and writes no answer
// (it wrote a 500 with "context canceled").
func TestServiceCancel(t *testing.T) {
	wide := ncsn
	wide.Hidden = []int{128, 128, 128}
	s, err := newService(writeModel(t, wide, sampler.GeometricSigmas(3, 0.05, 6)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/samples?n=10000", nil)
	w := httptest.NewRecorder()
	time.AfterFunc(50*time.Millisecond, cancel)
	t0 := time.Now()
	s.ServeHTTP(w, r)
	if el := time.Since(t0); el > 3*time.Second {
		t.Errorf("the cancelled request took %v", el)
	}
	if w.Body.Len() != 0 {
		t.Errorf("the cancelled request was answered %d %q", w.Code, w.Body.String())
	}
}

// TestNewServiceRefuses models annealed Langevin cannot sample: a -loss
// dsm model has a σ in its metadata but no σ input, and sampling it
// panicked in every request.
func TestNewServiceRefuses(t *testing.T) {
	plain := nn.Config{Dim: 2, Hidden: []int{8}, Act: kernel.SiLU}
	if _, err := newService(writeModel(t, plain, []float64{0.1})); err == nil || !strings.Contains(err.Error(), "an unconditional model, not conditioned on σ") {
		t.Errorf("a dsm model: %v", err)
	}
	if _, err := newService(writeModel(t, ncsn, []float64{0.1, 1})); err == nil || !strings.Contains(err.Error(), "decreasing") {
		t.Errorf("increasing noise levels: %v", err)
	}
	if _, err := newService(filepath.Join(t.TempDir(), "missing.safetensors")); err == nil {
		t.Error("a missing file: no error")
	}
	// A file that is not safetensors: the error names it (it said only
	// "nn: safetensors: header length …").
	garbage := filepath.Join(t.TempDir(), "garbage.safetensors")
	if err := os.WriteFile(garbage, []byte("not a model\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newService(garbage); err == nil || !strings.HasPrefix(err.Error(), garbage+": ") {
		t.Errorf("a file that is not safetensors: %v", err)
	}
}

// TestMain runs main instead of the tests when EMBED_MAIN is set, with the
// arguments in EMBED_ARGS (tab-separated), so that the tests can start the
// service as a user does.
func TestMain(m *testing.M) {
	if os.Getenv("EMBED_MAIN") == "1" {
		os.Args = append([]string{"embed"}, strings.Split(os.Getenv("EMBED_ARGS"), "\t")...)
		main()
		return
	}
	os.Exit(m.Run())
}

// serve starts the service (this test binary as main) with args on a free
// port, and returns the URL of /samples that its log line gives; the
// service ends with the test.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "EMBED_MAIN=1", "EMBED_ARGS="+strings.Join(append(args, "-addr", "127.0.0.1:0"), "\t"))
	logs, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(logs).ReadString('\n')
	_, url, ok := strings.Cut(line, " on ")
	if !ok {
		t.Fatalf("the service logged %q (%v)", line, err)
	}
	url, _, _ = strings.Cut(strings.TrimSpace(url), "?")
	go io.Copy(io.Discard, logs)
	return url
}

// TestRestart: a restarted service serves new samples (the requests'
// seeds counted from 0 at every start, so its first request gave the same
// points after every restart), unless -seed asks for the same ones.
func TestRestart(t *testing.T) {
	path := writeModel(t, ncsn, sampler.GeometricSigmas(3, 0.05, 4))
	first := func(args ...string) string {
		code, body := get(t, serve(t, append([]string{"-model", path}, args...)...)+"?n=2")
		if code != http.StatusOK {
			t.Fatalf("%v: status %d %q", args, code, body)
		}
		return body
	}
	if a, b := first(), first(); a == b {
		t.Errorf("two starts served the same first samples %s", a)
	}
	if a, b := first("-seed", "7"), first("-seed", "7"); a != b {
		t.Errorf("two starts with -seed 7 served %s and %s", a, b)
	}
}
