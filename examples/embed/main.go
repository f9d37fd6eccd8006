// Command embed is a small HTTP service that serves samples from a score
// model trained by scorekit train -loss ncdsm (or demo): GET /samples?n=100
// answers with n points (1 to 10,000) drawn by annealed Langevin dynamics,
// as JSON; a bad n is a 400, and a request whose client goes away stops its
// sampler. Request k draws from the streams of seed s+k, where s is -seed
// or, by default, a number drawn at start-up, so that a restarted service
// does not serve the same samples again. It shows how to embed a sampler
// in a Go service:
//
//	go run ./cmd/scorekit demo                              # writes model.safetensors
//	go run ./examples/embed -model model.safetensors -addr :8080
//	curl 'localhost:8080/samples?n=5'
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/scorekit/scorekit/kernel"
	"github.com/scorekit/scorekit/nn"
	"github.com/scorekit/scorekit/sampler"
)

// service samples a σ-conditional model; safe for concurrent requests.
type service struct {
	model  *nn.Model
	sigmas []float64
	seed   atomic.Uint64 // the last request's seed: each request draws from fresh streams
}

func newService(path string) (*service, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tf, err := nn.ReadSafetensors(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	m, err := nn.FromTensors(tf) // a checkpoint's training state is skipped
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	// Annealed Langevin needs a σ-conditional model and its noise levels
	// (a -loss dsm model has one σ in its metadata, but no σ input).
	if c := m.Config().Cond; c != nn.CondSigma && c != nn.CondLogSigma {
		what := fmt.Sprintf("a model conditioned on %v", c)
		if c == nn.CondNone {
			what = "an unconditional model"
		}
		return nil, fmt.Errorf("%s: %s, not conditioned on σ: train it with scorekit train -loss ncdsm", path, what)
	}
	var sigmas []float64
	for _, s := range strings.Split(tf.Metadata["scorekit.sigmas"], ",") {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: no noise levels in the metadata: train it with scorekit train -loss ncdsm", path)
		}
		sigmas = append(sigmas, v)
	}
	s := &service{model: m, sigmas: sigmas}
	if _, err := s.newSampler(0); err != nil { // bad noise levels fail here, not in every request
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return s, nil
}

// newSampler returns an annealed Langevin sampler whose chain c draws from
// stream (seed, c).
func (s *service) newSampler(seed uint64) (*sampler.Annealed, error) {
	return sampler.NewAnnealed(s.model, sampler.AnnealedConfig{
		Sigmas: s.sigmas, StepsPerLevel: 100, Eps: 2e-5, Denoise: true,
		Chain: sampler.ChainConfig{Seed: seed},
	})
}

// sample draws n points, each chain from its own stream of seed.
func (s *service) sample(ctx context.Context, n int, seed uint64) ([]float32, error) {
	an, err := s.newSampler(seed)
	if err != nil {
		return nil, err
	}
	x := make([]float32, n*s.model.Dim())
	st := kernel.NewStream(seed, 1<<63) // start from N(0, σ₁²I)
	st.Normals(x)
	kernel.Scale(float32(s.sigmas[0]), x)
	if _, err := an.Run(ctx, x); err != nil {
		return nil, err
	}
	return x, nil
}

// maxN is the most samples one request may ask for.
const maxN = 10000

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "use GET /samples?n=…", http.StatusMethodNotAllowed)
		return
	}
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 || n > maxN {
		http.Error(w, fmt.Sprintf("n must be a number of samples from 1 to %d", maxN), http.StatusBadRequest)
		return
	}
	if r.Method == http.MethodHead {
		// The headers a GET would send, without drawing samples no one
		// will read (and without using up a seed).
		w.Header().Set("Content-Type", "application/json")
		return
	}
	x, err := s.sample(r.Context(), n, s.seed.Add(1))
	if r.Context().Err() != nil {
		return // the client has gone: the sampler stopped, no one to answer
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	d := s.model.Dim()
	rows := make([][]float32, n)
	for i := range rows {
		rows[i] = x[i*d : (i+1)*d]
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(rows)
}

// firstSeed is the seed the requests' seeds count up from: seed if it is
// not 0, otherwise a random one.
func firstSeed(seed uint64) uint64 {
	if seed != 0 {
		return seed
	}
	return rand.Uint64()
}

func main() {
	path := flag.String("model", "model.safetensors", "model file written by scorekit demo or train -loss ncdsm")
	addr := flag.String("addr", "localhost:8080", "address to listen on (port 0: any free port, which the log line gives)")
	seed := flag.Uint64("seed", 0, "request k draws from the streams of seed+k; 0: a seed drawn at start-up, so that a restarted service serves new samples")
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	s, err := newService(*path)
	if err != nil {
		log.Fatal(err)
	}
	s.seed.Store(firstSeed(*seed))
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/samples", s)
	log.Printf("serving samples of %s on http://%s/samples?n=10", *path, l.Addr())
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second} // a client that never finishes its headers does not hold a connection for ever
	log.Fatal(srv.Serve(l))
}
