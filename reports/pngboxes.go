package reports

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// gonum/plot pads the data area so that no glyph is clipped: before drawing, Plot.Draw asks
// every plotter for a GlyphBox per point (twice: once for the x padding, once for the y
// padding) and keeps only the left-most, right-most, bottom-most and top-most of them
// (plot.go's leftMost, rightMost, bottomMost, topMost, each the first box reaching the
// extreme). A line's or a scatter's boxes all share one rectangle, so only its points nearest
// the four edges can ever be chosen: extremeBoxes hands gonum exactly those, in their order,
// instead of a box per point (a year's panels had over a million boxes, 80 MB allocated per
// report, 0.17 CPU-s). The padding, and so every pixel, is the same.

// boxEps is how close (in the [0, 1] normalized coordinates) to an extreme a point must be to
// keep its box. The data area is about a thousand points wide and tall, so boxes further than
// boxEps from the extreme are at least 1e-6 points further out on the canvas: far beyond
// float64 rounding, never chosen by gonum. Boxes within boxEps are all kept, in order, so the
// first box reaching the extreme (ties included) is the one gonum would choose.
const boxEps = 1e-9

// extremeBoxes returns, in point order, the glyph boxes of n points (the i-th at normalized
// x(i), y(i), each with rectangle r) that gonum's padding can choose: among the boxes
// Plot.GlyphBoxes keeps (inside [0, 1] on each axis where the box has a size), those within
// boxEps of the smallest or largest x or y that are also a strict record of it so far (gonum
// replaces its choice only by a box strictly further out, and with one rectangle for all a
// box no further out in x or y than an earlier one is never further out on the canvas: of a
// flat line's points only the first is kept). Rectangle r must have a positive size: gonum's
// padding ignores boxes without.
func extremeBoxes(n int, xy func(i int) (x, y float64), r vg.Rectangle) []plot.GlyphBox {
	b := plot.GlyphBox{Rectangle: r}
	sx, sy := b.Size().X > 0, b.Size().Y > 0
	kept := func(x, y float64) bool { // Plot.GlyphBoxes' own filter
		return !(sx && (x < 0 || x > 1)) && !(sy && (y < 0 || y > 1))
	}
	x0, x1, y0, y1 := 2.0, -1.0, 2.0, -1.0
	any := false
	for i := range n {
		x, y := xy(i)
		if !kept(x, y) {
			continue
		}
		any = true
		x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
	}
	if !any {
		return nil
	}
	var out []plot.GlyphBox
	rx0, rx1, ry0, ry1 := 2.0, -1.0, 2.0, -1.0 // the records so far
	for i := range n {
		x, y := xy(i)
		if !kept(x, y) {
			continue
		}
		if (x < rx0 && x <= x0+boxEps) || (x > rx1 && x >= x1-boxEps) || (y < ry0 && y <= y0+boxEps) || (y > ry1 && y >= y1-boxEps) {
			out = append(out, plot.GlyphBox{X: x, Y: y, Rectangle: r})
		}
		rx0, rx1, ry0, ry1 = min(rx0, x), max(rx1, x), min(ry0, y), max(ry1, y)
	}
	return out
}

// GlyphBoxes implements plot.GlyphBoxer: the boxes of plotter.Line.GlyphBoxes that gonum's
// padding can choose (extremeBoxes).
func (l chunkedLine) GlyphBoxes(plt *plot.Plot) []plot.GlyphBox {
	r := 0.5 * l.LineStyle.Width
	if r <= 0 {
		return l.Line.GlyphBoxes(plt)
	}
	return squareBoxes(plt, l.XYs, r)
}

// markers is a plotter.Scatter whose glyph boxes are only those gonum's padding can choose
// (extremeBoxes); it draws and shows in the legend as the Scatter.
type markers struct {
	*plotter.Scatter
}

// GlyphBoxes implements plot.GlyphBoxer.
func (s markers) GlyphBoxes(plt *plot.Plot) []plot.GlyphBox {
	r := s.GlyphStyle.Radius
	if s.GlyphStyleFunc != nil || r <= 0 {
		return s.Scatter.GlyphBoxes(plt)
	}
	return squareBoxes(plt, s.XYs, r)
}

// squareBoxes is extremeBoxes of the points xys, each with a square box of half-side r.
func squareBoxes(plt *plot.Plot, xys plotter.XYs, r vg.Length) []plot.GlyphBox {
	return extremeBoxes(len(xys), func(i int) (float64, float64) {
		return plt.X.Norm(xys[i].X), plt.Y.Norm(xys[i].Y)
	}, vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: +r, Y: +r}})
}
