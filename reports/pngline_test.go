package reports

import (
	"image"
	"image/color"
	"math"
	"os"
	"testing"

	"github.com/bt-backtest/bt/reports/artifact"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// drawLines draws lines on a PNG-sized canvas, each wrapped by wrap.
func drawLines(wrap func(*plotter.Line) plot.Plotter, lines ...*plotter.Line) *image.RGBA {
	pl := plot.New()
	for _, l := range lines {
		pl.Add(wrap(l))
	}
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(PNGWidth)*vg.Inch/PNGDPI, vg.Length(PNGHeight)*vg.Inch/PNGDPI),
		vgimg.UseDPI(PNGDPI), vgimg.UseBackgroundColor(color.White))
	pl.Draw(draw.New(c))
	return c.Image().(*image.RGBA)
}

// TestChunkedLineSamePixels: a long jagged solid curve and a dashed step line drawn in short
// strokes (chunkedLine) against gonum's one stroke each. The pixels may differ only in
// anti-aliasing (where two strokes overlap, an edge pixel is painted twice): no channel by
// more than 96 of 255, and few pixels at all. A chunk boundary that dropped a join, a dash
// put out of phase or a lost segment differs by far more.
func TestChunkedLineSamePixels(t *testing.T) {
	const n = 6000
	solid, stepped := make(plotter.XYs, n), make(plotter.XYs, n)
	for i := range solid {
		x := float64(i)
		solid[i] = plotter.XY{X: x, Y: math.Sin(x/300) + 0.3*math.Sin(x*1.7)}
		stepped[i] = plotter.XY{X: x, Y: 2 + 0.5*math.Sin(x/500) + 0.05*math.Sin(x*0.9)}
	}
	mk := func() []*plotter.Line {
		a, _ := plotter.NewLine(solid)
		a.Width = vg.Points(1.2)
		b, _ := plotter.NewLine(stepped)
		b.Width, b.StepStyle = vg.Points(1.2), plotter.PostStep
		b.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		b.Color = color.RGBA{B: 0xff, A: 0xff}
		return []*plotter.Line{a, b}
	}
	want := drawLines(func(l *plotter.Line) plot.Plotter { return l }, mk()...)
	got := drawLines(func(l *plotter.Line) plot.Plotter { return chunkedLine{l} }, mk()...)
	diff, worst := 0, 0
	for i := range want.Pix {
		d := int(want.Pix[i]) - int(got.Pix[i])
		if d < 0 {
			d = -d
		}
		if d > 0 && i%4 == 0 {
			diff++
		}
		worst = max(worst, d)
	}
	t.Logf("%d of %d pixels differ, by at most %d", diff, PNGWidth*PNGHeight, worst)
	if worst > 96 || diff > PNGWidth*PNGHeight/100 {
		t.Errorf("chunked strokes differ beyond anti-aliasing: %d pixels, by up to %d", diff, worst)
	}
}

// BenchmarkWritePNGRun draws every PNG of the run directory named by BT_PNG_BENCH_RUN (one
// written by bt run, e.g. on the seed-7 data; see BENCHMARKS.md), one after another.
func BenchmarkWritePNGRun(b *testing.B) {
	dir := os.Getenv("BT_PNG_BENCH_RUN")
	if dir == "" {
		b.Skip("BT_PNG_BENCH_RUN names no run directory (write one with bt run --out DIR)")
	}
	r, err := artifact.Read(dir)
	if err != nil {
		b.Fatal(err)
	}
	panels := Charts(r)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range panels {
			if err := WritePNG(discard{}, p); err != nil {
				b.Fatal(err)
			}
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
