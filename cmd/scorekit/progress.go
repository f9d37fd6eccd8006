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
type progress struct {
	w       io.Writer
	what    string
	unit    string
	total   int
	tty     bool
	quiet   bool
	start   time.Time
	last    time.Time
	every   time.Duration
	printed bool
}

func newProgress(w io.Writer, quiet bool, what, unit string, total int) *progress {
	p := &progress{w: w, what: what, unit: unit, total: total, quiet: quiet, start: time.Now(), every: 2 * time.Second}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
			p.every = 100 * time.Millisecond
		}
	}
	return p
}

// update reports that done of total units are finished; extra is appended
// (a loss, say).
func (p *progress) update(done int, extra string) {
	if p.quiet {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < p.every && done < p.total {
		return
	}
	p.last = now
	el := now.Sub(p.start).Seconds()
	rate := float64(done) / max(el, 1e-9)
	left := "?"
	if rate > 0 {
		left = (time.Duration(float64(p.total-done)/rate) * time.Second).Round(time.Second).String()
	}
	frac := float64(done) / float64(max(p.total, 1))
	// A share (an adaptive integrator's time, unit "%") has no count or
	// rate to show.
	share := p.unit == "%"
	if p.tty {
		const width = 30
		n := int(frac * width)
		rateText := ","
		if !share {
			rateText = fmt.Sprintf(" %.0f %s/s,", rate, p.unit)
		}
		fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%%%s %s left %s\033[K",
			p.what, strings.Repeat("#", n), strings.Repeat(" ", width-n), 100*frac, rateText, left, extra)
		p.printed = true
		return
	}
	if share {
		fmt.Fprintf(p.w, "%s: %.0f%%, %s left %s\n", p.what, 100*frac, left, extra)
		return
	}
	fmt.Fprintf(p.w, "%s: %d/%d %s (%.0f%%), %.0f %s/s, %s left %s\n", p.what, done, p.total, p.unit, 100*frac, rate, p.unit, left, extra)
}

// done ends the bar's line on a terminal.
func (p *progress) done() {
	if p.tty && p.printed && !p.quiet {
		fmt.Fprintln(p.w)
	}
}
