package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/scorekit/scorekit/data"
	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// TestService trains a small model, saves it as scorekit train does, and
// asks the service for samples over HTTP.
func TestService(t *testing.T) {
	sigmas := sampler.GeometricSigmas(3, 0.05, 6)
	m, err := nn.New(nn.Config{Dim: 2, Hidden: []int{32, 32}, Act: kernel.SiLU, Cond: nn.CondLogSigma, ScaleBySigma: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr := nn.Trainer{Model: m, Loss: nn.NCDSM{Sigmas: sigmas}, Data: data.Moons(), Batch: 64, Steps: 200, Seed: 1}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	f, _ := os.Create(path)
	if err := m.Save(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// Add the noise levels, as scorekit train records them.
	b, _ := os.ReadFile(path)
	tf, _ := nn.DecodeSafetensors(b)
	tf.Metadata["scorekit.sigmas"] = "3,1.5,0.75,0.375,0.1875,0.05"
	f, _ = os.Create(path)
	nn.WriteSafetensors(f, tf)
	f.Close()

	s, err := newService(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "?n=7")
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]float32
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil || len(rows) != 7 || len(rows[0]) != 2 {
		t.Fatalf("got %v, %v", rows, err)
	}
	if resp, _ := http.Get(srv.URL + "?n=-5"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("n=-5: status %d", resp.StatusCode)
	}
}
