package reports

import (
	"image"
	"image/color"
	"math"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestCandleGroupsSamePixels: candles drawn in runs (one stroke and one fill per run of one
// colour) against each candle drawn alone, on the same axes. Where candles do not overlap
// (here 3 px apart) no pixel may differ: a lost, moved or recoloured candle, or a body under
// its wick, would.
func TestCandleGroupsSamePixels(t *testing.T) {
	const n = 400
	cp := &candlePlot{x: make([]int64, n), o: make(Values, n), h: make(Values, n), l: make(Values, n), c: make(Values, n), step: 60}
	for i := range cp.x {
		cp.x[i] = int64(60 * i)
		mid := 100 + 10*math.Sin(float64(i)/20)
		cp.o[i], cp.c[i] = mid-2*math.Sin(float64(i)*1.3), mid+2*math.Cos(float64(i)*0.7)
		cp.h[i], cp.l[i] = math.Max(cp.o[i], cp.c[i])+1, math.Min(cp.o[i], cp.c[i])-1
	}
	cp.o[7] = math.NaN() // skipped
	render := func(ps ...plot.Plotter) *image.RGBA {
		pl := plot.New()
		pl.Add(ps...)
		pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = 0, 60*n, 80, 120
		c := vgimg.NewWith(vgimg.UseWH(vg.Length(PNGWidth)*vg.Inch/PNGDPI, vg.Length(PNGHeight)*vg.Inch/PNGDPI),
			vgimg.UseDPI(PNGDPI), vgimg.UseBackgroundColor(color.White))
		pl.Draw(draw.New(c))
		return c.Image().(*image.RGBA)
	}
	var alone []plot.Plotter
	for i := range cp.x {
		alone = append(alone, &candlePlot{x: cp.x[i : i+1], o: cp.o[i : i+1], h: cp.h[i : i+1], l: cp.l[i : i+1], c: cp.c[i : i+1], step: cp.step})
	}
	want, got := render(alone...), render(cp)
	diff := 0
	for i := range want.Pix {
		if want.Pix[i] != got.Pix[i] {
			diff++
		}
	}
	if diff > 0 {
		t.Errorf("%d channel values differ between grouped and single candles", diff)
	}
}
