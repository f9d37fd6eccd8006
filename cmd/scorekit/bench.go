package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/scorekit/scorekit/bench"
	"github.com/scorekit/scorekit/kernel"
)

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "bench [-quick] [-run substring] [flags]", stdout)
	quick := fs.Bool("quick", false, "the reduced set, timed briefly (under a minute with assembly; minutes on the portable kernels)")
	asJSON := fs.Bool("json", false, "print JSON instead of a Markdown table")
	filter := fs.String("run", "", "only the benchmarks whose \"group name implementation\" contains this, case-sensitive (e.g. annealed, avx512, \"K=N=128 gonum\")")
	target := fs.Duration("time", 0, "time per benchmark: the best of 5 repetitions of a fifth of it each, at least 1ms (3 repetitions for an operation longer than -time) (default 1s, 150ms with -quick)")
	plots := fs.String("plots", "", "also measure how the cost scales and write the plots scaling-batch.png and scaling-width.png to this folder (e.g. docs), made if need be")
	quiet := fs.Bool("q", false, "no progress output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *target == 0 {
		*target = time.Second
		if *quick {
			*target = 150 * time.Millisecond
		}
	}
	if *target < 0 {
		return usagef("-time %v: want > 0 (or 0 for the default)", *target)
	}
	var cases []bench.Case
	for _, c := range bench.Suite(bench.Options{Quick: *quick}) {
		if *filter == "" || strings.Contains(c.Group+" "+c.Name+" "+c.Impl, *filter) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return usagef("-run %q matches no benchmark", *filter)
	}
	if *plots != "" {
		// Before minutes of measuring: the folder must take the plots
		// (one that exists may still refuse files: read-only, /proc, or
		// a folder where a plot's file should be).
		if err := os.MkdirAll(*plots, 0o755); err != nil {
			return usagef("-plots %s: cannot make the folder: %v", *plots, unwrapPath(err))
		}
		for _, f := range scalingPlotFiles {
			if err := checkOutput("-plots", filepath.Join(*plots, f)); err != nil {
				return err
			}
		}
	}
	if kernel.Active() == kernel.Generic && !*quiet {
		fmt.Fprintln(stderr, "bench: no assembly is active (purego build, GODEBUG, or an architecture without it): the sampler and training cases run at reduced sizes, and the rest takes minutes")
	}
	h := header()
	// What was measured, so that a table says which set it is and how it
	// was timed (torch_suite.py's header says the same).
	h["set"] = "full"
	if *quick {
		h["set"] = "quick"
	}
	h["time"] = target.String()
	h["run"] = *filter
	peaks := bench.Peaks(*target)
	bar := newProgress(stderr, *quiet, "bench", "benchmarks", len(cases))
	var results []bench.Result
	for i, c := range cases {
		r, err := bench.Measure(c, *target, peaks)
		if err != nil {
			return err
		}
		results = append(results, r)
		bar.update(i+1, "")
	}
	bar.done()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Header  map[string]string
			Peaks   map[string]float64 // FLOP/s
			Results []bench.Result
		}{h, peaks, results}); err != nil {
			return err
		}
	} else if err := writeMarkdown(stdout, h, peaks, results); err != nil {
		return err
	}
	// The scaling series last, after the results are out: an error there
	// (the folder changed since it was checked) does not lose them.
	if *plots != "" {
		if !*quiet {
			fmt.Fprintln(stderr, "bench: measuring the scaling series for the plots")
		}
		sc, err := bench.MeasureScaling(*target / 2)
		if err != nil {
			return err
		}
		files, err := writeScalingPlots(*plots, sc, h)
		if err != nil {
			return err
		}
		for _, f := range files {
			fmt.Fprintf(stderr, "bench: wrote %s\n", f)
		}
	}
	return nil
}

// header describes the machine and the build.
func header() map[string]string {
	return map[string]string{
		"cpu":        cpuModel(),
		"kernels":    kernel.Active().String(),
		"available":  fmt.Sprint(kernel.Available()),
		"go":         runtime.Version(),
		"goos":       runtime.GOOS + "/" + runtime.GOARCH,
		"gomaxprocs": fmt.Sprint(runtime.GOMAXPROCS(0)),
		"date":       time.Now().UTC().Format("2006-01-02 15:04 UTC"),
	}
}

// cpuModel reads the CPU's name for the report (display only: the
// kernels are chosen through x/sys/cpu).
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// writeMarkdown writes the results as Markdown tables to out and returns
// the first write error (a full disk under "bench > bench.md" must not
// pass for success after minutes of measuring).
func writeMarkdown(out io.Writer, h map[string]string, peaks map[string]float64, rs []bench.Result) error {
	w := bufio.NewWriter(out)
	run := ""
	if h["run"] != "" {
		run = fmt.Sprintf(", -run %q", h["run"])
	}
	fmt.Fprintf(w, "scorekit bench — %s, %s, %s, GOMAXPROCS=%s, kernels %s (available %s), %s set, %s per case%s, %s\n\n",
		h["cpu"], h["goos"], h["go"], h["gomaxprocs"], h["kernels"], h["available"], h["set"], h["time"], run, h["date"])
	fmt.Fprintln(w, "| FMA peak at the start | GFLOP/s |\n|---|---:|")
	for _, impl := range kernel.Available() {
		fmt.Fprintf(w, "| %s | %.1f |\n", impl, peaks[impl.String()]/1e9)
	}
	fmt.Fprintln(w, "\n% of peak: of the FMA peak loop timed between the case's own repetitions (the best of each), in GFLOP/s in parentheses.")
	group := ""
	for _, r := range rs {
		if r.Group != group {
			group = r.Group
			fmt.Fprintf(w, "\n### %s\n\n| benchmark | impl | time/op | throughput | %% of peak |\n|---|---|---:|---:|---:|\n", group)
		}
		pct := ""
		if r.PeakPct > 0 {
			pct = fmt.Sprintf("%.0f %% (%.1f)", r.PeakPct, r.Peak/1e9)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.Name, r.Impl, fmtDuration(r.NsPerOp), fmtRate(r.PerSec, r.Unit), pct)
	}
	return w.Flush()
}

// fmtDuration and fmtRate move to the next unit where the figure would
// round to 1000 of this one (999.97 ns is 1.00 µs, not 1000.0 ns).
func fmtDuration(ns float64) string {
	switch {
	case ns < 999.95:
		return fmt.Sprintf("%.1f ns", ns)
	case ns < 999.995e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	case ns < 999.995e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
}

func fmtRate(r float64, unit string) string {
	switch {
	case unit == "FLOP":
		return fmt.Sprintf("%.1f GFLOP/s", r/1e9)
	case r >= 999.95e3:
		return fmt.Sprintf("%.1f M%s/s", r/1e6, unit)
	case r >= 999.95:
		return fmt.Sprintf("%.1f k%s/s", r/1e3, unit)
	}
	return fmt.Sprintf("%.1f %s/s", r, unit)
}
