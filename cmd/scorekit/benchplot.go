package main

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/scorekit/scorekit/bench"
)

var lineColors = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255},
}

// scalingPlotFiles are the files writeScalingPlots writes, in its order.
var scalingPlotFiles = []string{"scaling-batch.png", "scaling-width.png"}

// writeScalingPlots draws the scaling series as PNGs in dir and returns
// the files written.
func writeScalingPlots(dir string, s bench.Scaling, h map[string]string) ([]string, error) {
	sub := fmt.Sprintf("%s, kernels %s", h["cpu"], h["kernels"])
	var files []string
	for _, p := range []struct {
		file, title, x, y string
		series            []bench.Series
		logY              bool
	}{
		{scalingPlotFiles[0], "ULA step of the small net (2-128-128-128-2 SiLU)", "chains (batch size)", "chain-steps per second", s.ByBatch, true},
		{scalingPlotFiles[1], "ULA step of the net 2-w-w-w-2 (SiLU), 1024 chains", "hidden width w", "time per step (µs)", s.ByWidth, true},
	} {
		pl := plot.New()
		pl.Title.Text = p.title + "\n" + sub
		pl.X.Label.Text = p.x
		pl.Y.Label.Text = p.y
		pl.X.Scale = plot.LogScale{}
		pl.X.Tick.Marker = plot.LogTicks{Prec: -1}
		if p.logY {
			pl.Y.Scale = plot.LogScale{}
			pl.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		}
		pl.Add(plotter.NewGrid())
		for i, ser := range p.series {
			xy := make(plotter.XYs, len(ser.X))
			for j := range ser.X {
				xy[j].X, xy[j].Y = ser.X[j], ser.Y[j]
			}
			l, pts, err := plotter.NewLinePoints(xy)
			if err != nil {
				return nil, err
			}
			l.Color = lineColors[i%len(lineColors)]
			pts.Color = l.Color
			pl.Add(l, pts)
			pl.Legend.Add(ser.Label, l, pts)
		}
		pl.Legend.Top = true
		pl.Legend.Left = true
		path := filepath.Join(dir, p.file)
		wt, err := pl.WriterTo(7*vg.Inch, 4.5*vg.Inch, "png")
		if err != nil {
			return nil, err
		}
		if err := writeAtomic(path, func(w io.Writer) error { _, err := wt.WriteTo(w); return err }); err != nil {
			return nil, err
		}
		files = append(files, path)
	}
	return files, nil
}
