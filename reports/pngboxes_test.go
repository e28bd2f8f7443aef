package reports

import (
	"bytes"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestExtremeBoxesSamePadding: gonum pads the data area by the glyph boxes of every point;
// with only the boxes extremeBoxes keeps (chunkedLine, markers) the data area must come out
// exactly the same (every coordinate equal), on random lines and markers, with points outside
// the axis range (dropped by gonum), ties at the extremes, points at a range's edge, and
// markers of different sizes. A box dropped that gonum would choose moves the data area.
func TestExtremeBoxesSamePadding(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2))
	canvas := draw.New(newCanvas(image.NewRGBA(image.Rect(0, 0, PNGWidth, PNGHeight))))
	for trial := range 400 {
		full, pruned := plot.New(), plot.New()
		for range 1 + rng.IntN(4) {
			n := 1 + rng.IntN(300)
			xy := make(plotter.XYs, n)
			for i := range xy {
				xy[i] = plotter.XY{X: float64(rng.IntN(50)), Y: float64(rng.IntN(40)) / 4}
				if rng.IntN(10) == 0 { // a tie with an earlier point
					xy[i] = xy[rng.IntN(i+1)]
				}
			}
			if rng.IntN(2) == 0 {
				l, err := plotter.NewLine(xy)
				if err != nil {
					t.Fatal(err)
				}
				l.Width = vg.Points(0.5 + 2*rng.Float64())
				full.Add(l)
				pruned.Add(chunkedLine{l})
			} else {
				s, err := plotter.NewScatter(xy)
				if err != nil {
					t.Fatal(err)
				}
				s.GlyphStyle.Radius = vg.Points(1 + 6*rng.Float64())
				full.Add(s)
				pruned.Add(markers{s})
			}
		}
		if trial%3 == 0 { // a range narrower than the data: points outside are dropped
			lo, hi := float64(rng.IntN(20)), 30+float64(rng.IntN(20))
			full.X.Min, full.X.Max, pruned.X.Min, pruned.X.Max = lo, hi, lo, hi
			ylo := float64(rng.IntN(16)) / 4
			full.Y.Min, pruned.Y.Min = ylo, ylo
		}
		want, got := full.DataCanvas(canvas), pruned.DataCanvas(canvas)
		if want.Rectangle != got.Rectangle {
			t.Fatalf("trial %d: data area %v with every glyph box, %v with the extremes'", trial, want.Rectangle, got.Rectangle)
		}
		if nb := len(pruned.GlyphBoxes(pruned)); trial == 0 {
			t.Logf("trial 0: %d boxes instead of %d", nb, len(full.GlyphBoxes(full)))
		}
	}
}

// TestNewCanvasSamePixels: WritePNG draws on pooled images through newCanvas; every panel of
// the fixture drawn on an image holding another picture's pixels must come out as on the
// canvas vgimg.NewWith allocates (white, butt caps, y upwards, the same size and DPI).
func TestNewCanvasSamePixels(t *testing.T) {
	panels := Charts(fixtureRun(t, t.TempDir(), "run"))
	if len(panels) < 2 {
		t.Fatalf("%d panels", len(panels))
	}
	used := image.NewRGBA(image.Rect(0, 0, PNGWidth, PNGHeight))
	for i := range used.Pix {
		used.Pix[i] = byte(i * 7)
	}
	for _, p := range panels {
		want := vgimg.NewWith(vgimg.UseWH(vg.Length(PNGWidth)*vg.Inch/PNGDPI, vg.Length(PNGHeight)*vg.Inch/PNGDPI),
			vgimg.UseDPI(PNGDPI), vgimg.UseBackgroundColor(color.White))
		for _, c := range []draw.Canvas{draw.New(want), draw.New(newCanvas(used))} {
			pl, err := panelPlot(p)
			if err != nil {
				t.Fatal(err)
			}
			pl.Draw(c)
		}
		if w := want.Image().(*image.RGBA); !bytes.Equal(w.Pix, used.Pix) {
			t.Errorf("%s: drawn on a reused image, the pixels differ from vgimg's own canvas", p.ID)
		}
	}
}
