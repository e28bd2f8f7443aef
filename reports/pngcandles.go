package reports

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// candlePlot draws the candlesticks of a price panel in a PNG: a wick from low to high and a
// body from open to close (green up, red down), each spanning [x, x+step) like the page's.
type candlePlot struct {
	x          []int64
	o, h, l, c Values
	step       float64
}

// candlesOf returns the candle plotter of panel p, or nil when it has no candles.
func candlesOf(p Panel) *candlePlot {
	cp := &candlePlot{x: p.X, step: float64(p.Step)}
	for _, s := range p.Series {
		switch s.Kind {
		case "open":
			cp.o = s.Values
		case "high":
			cp.h = s.Values
		case "low":
			cp.l = s.Values
		case "close":
			cp.c = s.Values
		}
	}
	if cp.o == nil || cp.h == nil || cp.l == nil || cp.c == nil {
		return nil
	}
	return cp
}

// candleGroup is the most candles drawn by one stroke (their wicks) and one fill (their bodies).
const candleGroup = 16

// Plot implements plot.Plotter. Runs of up to candleGroup consecutive candles of one colour go
// in one stroke of their wicks and one fill of their bodies, each candle a sub-path: each
// rasterization of vgimg's (freetype's) visits every row of the image, and a year's chart has
// thousands of candles. Only where candles of one run overlap (narrower than a pixel) do the
// pixels differ from drawing each alone, in anti-aliasing: one fill unions what separate fills
// composite twice; a colour change ends a run, so red over green stays in candle order.
func (cp *candlePlot) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	up, down := color.RGBA{0x16, 0xa3, 0x4a, 0xff}, color.RGBA{0xdc, 0x26, 0x26, 0xff}
	var wicks, bodies vg.Path
	var runCol color.RGBA
	n := 0
	flush := func() {
		if n > 0 {
			c.SetLineStyle(draw.LineStyle{Color: runCol, Width: vg.Points(0.7)})
			c.Stroke(wicks)
			c.SetColor(runCol)
			c.Fill(bodies)
		}
		wicks, bodies, n = wicks[:0], bodies[:0], 0
	}
	for i, x := range cp.x {
		if math.IsNaN(cp.o[i]) || math.IsNaN(cp.c[i]) || math.IsNaN(cp.h[i]) || math.IsNaN(cp.l[i]) {
			continue
		}
		x0, x1 := trX(float64(x)), trX(float64(x)+cp.step)
		cx, bw := (x0+x1)/2, vg.Length(math.Max(1, float64(x1-x0)*0.7))
		col := up
		if cp.c[i] < cp.o[i] {
			col = down
		}
		if n == candleGroup || (n > 0 && col != runCol) {
			flush()
		}
		runCol = col
		wicks.Move(vg.Point{X: cx, Y: trY(cp.l[i])})
		wicks.Line(vg.Point{X: cx, Y: trY(cp.h[i])})
		yo, yc := trY(cp.o[i]), trY(cp.c[i])
		if yo > yc {
			yo, yc = yc, yo
		}
		if yc-yo < vg.Points(0.7) {
			yc = yo + vg.Points(0.7)
		}
		bodies.Move(vg.Point{X: cx - bw/2, Y: yo})
		bodies.Line(vg.Point{X: cx + bw/2, Y: yo})
		bodies.Line(vg.Point{X: cx + bw/2, Y: yc})
		bodies.Line(vg.Point{X: cx - bw/2, Y: yc})
		bodies.Close()
		n++
	}
	flush()
}

// DataRange implements plot.DataRanger: the candles' times and their lows and highs.
func (cp *candlePlot) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i, x := range cp.x {
		if math.IsNaN(cp.l[i]) || math.IsNaN(cp.h[i]) {
			continue
		}
		xmin, xmax = math.Min(xmin, float64(x)), math.Max(xmax, float64(x)+cp.step)
		ymin, ymax = math.Min(ymin, cp.l[i]), math.Max(ymax, cp.h[i])
	}
	return
}
