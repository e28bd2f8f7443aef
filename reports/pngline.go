package reports

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chunkedLine draws a plotter.Line as many short strokes instead of one long one: the
// rasterizer under vgimg (freetype's) finds each new cell of a row by walking the row's cells
// from its start, so one stroke costs the square of the cells it puts on a row, and a year-long
// curve or a dashed liquidation-price line across the chart puts down thousands. The strokes
// cover the same outline:
//   - a solid line goes in chunks of lineChunk points, consecutive chunks sharing one segment,
//     so every round join between two segments is drawn by one chunk (vgimg's butt caps at a
//     chunk's ends fall inside the shared segment). The shared segment is painted twice: its
//     anti-aliased edge pixels come out a little darker, nothing else changes.
//   - a dashed line is cut into its dashes here, as gg does (the pattern restarting at each
//     clipped piece, as each piece is its own stroke there too), and dashGroup dashes go in
//     each stroke as separate sub-paths, with no dash pattern left for gg to apply.
//
// Only the stroke is drawn (the panels' lines have no fill); the legend thumbnail and the data
// range are the embedded Line's.
type chunkedLine struct {
	*plotter.Line
}

const (
	lineChunk = 32 // points per stroke of a solid line
	dashGroup = 64 // dashes per stroke of a dashed line
)

// Plot implements plot.Plotter.
func (l chunkedLine) Plot(c draw.Canvas, plt *plot.Plot) {
	if l.LineStyle.Width == 0 || len(l.XYs) == 0 {
		return
	}
	trX, trY := plt.Transforms(&c)
	ps := make([]vg.Point, len(l.XYs))
	for i, p := range l.XYs {
		ps[i] = vg.Point{X: trX(p.X), Y: trY(p.Y)}
	}
	sty := l.LineStyle
	dashes := sty.Dashes
	sty.Dashes, sty.DashOffs = nil, 0
	c.SetLineStyle(sty)
	for _, piece := range c.ClipLinesXY(ps) {
		if len(piece) == 0 {
			continue
		}
		pts := stepped(piece, l.StepStyle)
		if len(dashes) > 0 {
			strokeDashed(c, pts, dashes, l.LineStyle.DashOffs)
			continue
		}
		for i := 0; ; i += lineChunk - 2 {
			end := min(i+lineChunk, len(pts))
			strokePolyline(c, pts[i:end])
			if end == len(pts) {
				break
			}
		}
	}
}

// stepped returns the vertices Line.Plot strokes for piece under step style st: the horizontal
// and vertical legs of a step are vertices of their own.
func stepped(piece []vg.Point, st plotter.StepKind) []vg.Point {
	if st == plotter.NoStep || len(piece) < 2 {
		return piece
	}
	out := make([]vg.Point, 0, 3*len(piece))
	prev := piece[0]
	out = append(out, prev)
	for _, pt := range piece[1:] {
		switch st {
		case plotter.PreStep:
			out = append(out, vg.Point{X: prev.X, Y: pt.Y})
		case plotter.MidStep:
			out = append(out, vg.Point{X: (prev.X + pt.X) / 2, Y: prev.Y}, vg.Point{X: (prev.X + pt.X) / 2, Y: pt.Y})
		case plotter.PostStep:
			out = append(out, vg.Point{X: pt.X, Y: prev.Y})
		}
		out = append(out, pt)
		prev = pt
	}
	return out
}

// strokePolyline strokes pts as one open path in c's current line style.
func strokePolyline(c draw.Canvas, pts []vg.Point) {
	if len(pts) == 0 {
		return
	}
	p := make(vg.Path, 0, len(pts))
	p.Move(pts[0])
	for _, pt := range pts[1:] {
		p.Line(pt)
	}
	c.Stroke(p)
}

// strokeDashed strokes the dashes of the polyline pts under pattern dashes (on, off, on, ...,
// starting offs into it), dashGroup dashes per stroke. It measures as gg's dashing does, so the
// dashes fall where they did: in device pixels at PNGDPI, on vertices snapped to the 1/64 pixel
// of the rasterizer's fixed-point path, and a dash that turns a corner keeps the corner as a
// vertex (and its round join).
func strokeDashed(c draw.Canvas, pts []vg.Point, dashes []vg.Length, offs vg.Length) {
	if len(pts) < 2 {
		return
	}
	const dpi = PNGDPI
	type pt struct{ x, y float64 } // device pixels
	snap := func(l vg.Length) float64 { return math.Round(l.Dots(dpi)*64) / 64 }
	back := func(p pt) vg.Point {
		return vg.Point{X: vg.Length(p.x) * vg.Inch / dpi, Y: vg.Length(p.y) * vg.Inch / dpi}
	}
	pat := make([]float64, 0, 2)
	for _, d := range dashes {
		pat = append(pat, d.Dots(dpi))
	}
	if len(pat) == 1 {
		pat = append(pat, pat[0])
	}
	k, done := 0, 0.0 // the pattern's current entry and how much of it is used
	if offs != 0 {
		var total float64
		for _, d := range pat {
			total += d
		}
		o := math.Mod(offs.Dots(dpi), total)
		if o < 0 {
			o += total
		}
		for i, d := range pat {
			if o -= d; o < 0 {
				k, done = i, d+o
				break
			}
		}
	}
	var path vg.Path
	n := 0 // dashes in path
	flush := func() {
		if n > 0 {
			c.Stroke(path)
		}
		path, n = path[:0], 0
	}
	var dash []vg.Point
	emit := func() {
		if k%2 == 0 && len(dash) > 1 {
			path.Move(dash[0])
			for _, p := range dash[1:] {
				path.Line(p)
			}
			if n++; n == dashGroup {
				flush()
			}
		}
	}
	prev := pt{snap(pts[0].X), snap(pts[0].Y)}
	dash = append(dash, pts[0])
	for i := 1; i < len(pts); {
		p := pt{snap(pts[i].X), snap(pts[i].Y)}
		d := math.Hypot(prev.x-p.x, prev.y-p.y)
		if left := pat[k] - done; d > left {
			t := left / d
			q := pt{prev.x + (p.x-prev.x)*t, prev.y + (p.y-prev.y)*t}
			dash = append(dash, back(q))
			emit()
			dash = append(dash[:0], back(q))
			done, prev = 0, q
			k = (k + 1) % len(pat)
		} else {
			dash = append(dash, pts[i])
			done += d
			prev = p
			i++
		}
	}
	emit()
	flush()
}
