package reports

import (
	"math"

	"gonum.org/v1/plot/plotter"
)

// thinMarkers drops the markers of one series that would be drawn within a pixel of one
// already kept: a grid of PNGWidth × PNGHeight cells over the panel's time span and the range
// of its values is finer than the plot area's pixels (which cover at least that range with
// fewer pixels), so the markers it merges overlap on the image. A year's price chart has
// thousands of entries and exits hugging the price line; each is a glyph to rasterize.
func thinMarkers(xy plotter.XYs, p Panel) plotter.XYs {
	if len(xy) < 2 || len(p.X) < 2 {
		return xy
	}
	x0, x1 := float64(p.X[0]), float64(p.X[len(p.X)-1])
	y0, y1 := math.Inf(1), math.Inf(-1)
	for _, s := range p.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				y0, y1 = math.Min(y0, v), math.Max(y1, v)
			}
		}
	}
	if !(x1 > x0) || !(y1 > y0) {
		return xy
	}
	type cell struct{ x, y int32 }
	seen := make(map[cell]struct{}, len(xy))
	out := make(plotter.XYs, 0, len(xy))
	for _, pt := range xy {
		c := cell{int32((pt.X - x0) / (x1 - x0) * PNGWidth), int32((pt.Y - y0) / (y1 - y0) * PNGHeight)}
		if _, ok := seen[c]; ok {
			continue
		}
		seen[c] = struct{}{}
		out = append(out, pt)
	}
	return out
}
