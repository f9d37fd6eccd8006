package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress reports a long loop's advance: a bar redrawn in place with rate
// and time left when w is a terminal, plain lines every few seconds
// otherwise, nothing when quiet.
//
// It counts units (steps, benchmarks: newProgress), and shows done/total
// and a rate in units per second; or it follows a share of work that has
// no unit to count (an adaptive integrator's time from T to ε:
// newShareProgress), and shows the percentage and the time left alone.
type progress struct {
	w       io.Writer
	what    string
	unit    string // "" for a share
	share   bool   // done/total is a share of the work, not a count of units
	total   int
	tty     bool
	quiet   bool
	start   time.Time
	last    time.Time
	every   time.Duration
	printed bool
	now     func() time.Time // time.Now; a test's clock
}

// newProgress returns a progress that counts total units (steps,
// benchmarks) named by unit.
func newProgress(w io.Writer, quiet bool, what, unit string, total int) *progress {
	p := &progress{w: w, what: what, unit: unit, total: total, quiet: quiet, now: time.Now, every: 2 * time.Second}
	p.start = p.now()
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
			p.every = 100 * time.Millisecond
		}
	}
	return p
}

// newShareProgress returns a progress for work that is a share of a
// whole, not a count of units: update's done/total is the share done, in
// any resolution (100 for whole percents). It shows no count and no rate,
// which would mean nothing.
func newShareProgress(w io.Writer, quiet bool, what string, total int) *progress {
	p := newProgress(w, quiet, what, "", total)
	p.share = true
	return p
}

// update reports that done of total are finished; extra is appended (a
// loss, say).
func (p *progress) update(done int, extra string) {
	if p.quiet {
		return
	}
	now := p.now()
	if now.Sub(p.last) < p.every && done < p.total {
		return
	}
	p.last = now
	io.WriteString(p.w, p.line(done, now.Sub(p.start), extra))
	p.printed = true
}

// line returns the report of done after el: the bar, redrawn over the
// last one, on a terminal, else a line of its own.
func (p *progress) line(done int, el time.Duration, extra string) string {
	rate := float64(done) / max(el.Seconds(), 1e-9)
	left := "?"
	if rate > 0 {
		left = time.Duration(float64(max(p.total-done, 0)) / rate * float64(time.Second)).Round(time.Second).String()
	}
	frac := min(max(float64(done)/float64(max(p.total, 1)), 0), 1)
	if extra != "" {
		extra = " " + extra
	}
	if p.tty {
		const width = 30
		n := int(frac * width)
		rateText := ","
		if !p.share {
			rateText = fmt.Sprintf(" %.0f %s/s,", rate, p.unit)
		}
		return fmt.Sprintf("\r%s [%s%s] %3.0f%%%s %s left%s\033[K",
			p.what, strings.Repeat("#", n), strings.Repeat(" ", width-n), 100*frac, rateText, left, extra)
	}
	if p.share {
		return fmt.Sprintf("%s: %.0f%%, %s left%s\n", p.what, 100*frac, left, extra)
	}
	return fmt.Sprintf("%s: %d/%d %s (%.0f%%), %.0f %s/s, %s left%s\n", p.what, done, p.total, p.unit, 100*frac, rate, p.unit, left, extra)
}

// done ends the bar's line on a terminal.
func (p *progress) done() {
	if p.tty && p.printed && !p.quiet {
		fmt.Fprintln(p.w)
	}
}
