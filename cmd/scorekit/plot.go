package main

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var (
	dataColor   = color.RGBA{R: 150, G: 150, B: 150, A: 255}
	sampleColor = color.RGBA{R: 31, G: 119, B: 180, A: 255}
)

// maxPlotDims is how many leading coordinates the pairwise panels show.
const maxPlotDims = 4

// writeScatterPNG draws samples (and, if data has rows, the data under
// them) as a PNG: one scatter for 2-D points, pairwise projections of the
// first coordinates otherwise, one panel per pair.
func writeScatterPNG(path, title string, samples, data table) error {
	d := samples.cols
	if d < 1 {
		return fmt.Errorf("nothing to plot")
	}
	k := min(d, maxPlotDims)
	var pairs [][2]int
	if d == 1 {
		pairs = [][2]int{{0, 0}}
	}
	for i := range k {
		for j := i + 1; j < k; j++ {
			pairs = append(pairs, [2]int{i, j})
		}
	}
	cols := 1
	for cols*cols < len(pairs) {
		cols++
	}
	rows := (len(pairs) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
	}
	for n, pr := range pairs {
		p := plot.New()
		if len(pairs) == 1 {
			p.Title.Text = title
		}
		p.X.Label.Text = fmt.Sprintf("x%d", pr[0])
		p.Y.Label.Text = fmt.Sprintf("x%d", pr[1])
		if d == 1 {
			p.Y.Label.Text = "sample index"
		}
		if data.rows > 0 {
			if err := addScatter(p, data, pr, dataColor, "data", n == 0); err != nil {
				return fmt.Errorf("drawing %s: the data: %v", path, err)
			}
		}
		if err := addScatter(p, samples, pr, sampleColor, "samples", n == 0); err != nil {
			return fmt.Errorf("drawing %s: the samples: %v", path, err)
		}
		widen(&p.X)
		widen(&p.Y)
		if n == 0 {
			p.Legend.Top = true
		}
		grid[n/cols][n%cols] = p
	}
	side := 5 * vg.Inch // one panel
	if len(pairs) > 1 {
		side = 3.5 * vg.Inch
	}
	img := vgimg.New(side*vg.Length(cols), side*vg.Length(rows))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter, PadY: vg.Millimeter, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c := range grid[r] {
			if grid[r][c] != nil {
				grid[r][c].Draw(canvases[r][c])
			}
		}
	}
	return writeAtomic(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// widen gives an axis whose points all share one value a range around it.
// gonum pads such a range by ±1, which vanishes beside a value of 2⁵³ or
// more (one sample at 1e16 made it panic, "illegal range").
func widen(a *plot.Axis) {
	if a.Min == a.Max {
		d := max(1, math.Abs(a.Min)/8)
		a.Min, a.Max = a.Min-d, a.Max+d
	}
}

// project returns the points (x_i, x_j) of t; for i == j, (x_i, row).
func project(t table, pr [2]int) plotter.XYs {
	xy := make(plotter.XYs, t.rows)
	for r := range t.rows {
		row := t.data[r*t.cols : (r+1)*t.cols]
		xy[r].X = float64(row[pr[0]])
		if pr[0] == pr[1] {
			xy[r].Y = float64(r)
		} else {
			xy[r].Y = float64(row[pr[1]])
		}
	}
	return xy
}

// addScatter adds the projection of t on the coordinates pr to p as dots
// of colour c, with a legend entry if legend.
func addScatter(p *plot.Plot, t table, pr [2]int, c color.Color, label string, legend bool) error {
	s, err := plotter.NewScatter(project(t, pr))
	if err != nil {
		return err
	}
	s.GlyphStyle.Color = c
	s.GlyphStyle.Radius = vg.Points(1)
	p.Add(s)
	if legend {
		p.Legend.Add(label, s)
	}
	return nil
}
