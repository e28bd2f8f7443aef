package montecarlo

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// HistBins is the number of bins of the histograms.
const HistBins = 20

// HistogramPNG draws one figure of histograms: a row for final equity and a row for maximum
// drawdown, a column per account (margin mode). The panels of a row share their bins and axes,
// so the accounts compare at a glance; a dashed line marks the median. The same result gives
// the same bytes.
func (r *Result) HistogramPNG() ([]byte, error) {
	if len(r.Accounts) == 0 {
		return nil, fmt.Errorf("no account to plot")
	}
	rows := []struct {
		title string
		vals  func(a Account) []float64
		med   func(a Account) float64
	}{
		{"final equity (USDT)", func(a Account) []float64 { return a.FinalEquities }, func(a Account) float64 { return a.FinalEquity.P50 }},
		{"max drawdown (fraction of peak)", func(a Account) []float64 { return a.MaxDrawdowns }, func(a Account) float64 { return a.MaxDown.P50 }},
	}
	plots := make([][]*plot.Plot, len(rows))
	for ri, row := range rows {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, a := range r.Accounts {
			for _, v := range row.vals(a) {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					lo, hi = min(lo, v), max(hi, v)
				}
			}
		}
		if math.IsInf(lo, 1) {
			lo, hi = 0, 1
		}
		if hi == lo {
			lo, hi = lo-0.5, hi+0.5
		}
		width := (hi - lo) / HistBins
		var top float64
		for _, a := range r.Accounts {
			bins := make([]plotter.HistogramBin, HistBins)
			for i := range bins {
				bins[i] = plotter.HistogramBin{Min: lo + float64(i)*width, Max: lo + float64(i+1)*width}
			}
			for _, v := range row.vals(a) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					continue
				}
				i := min(int((v-lo)/width), HistBins-1)
				bins[i].Weight++
				top = max(top, bins[i].Weight)
			}
			p := plot.New()
			p.Title.Text = fmt.Sprintf("%s: %s", a.Name, row.title)
			p.X.Label.Text = row.title
			p.Y.Label.Text = "paths"
			h := &plotter.Histogram{Bins: bins, Width: width, FillColor: color.RGBA{R: 96, G: 140, B: 200, A: 255}, LineStyle: plotter.DefaultLineStyle}
			p.Add(h)
			med := row.med(a)
			if !math.IsNaN(med) {
				l, err := plotter.NewLine(plotter.XYs{{X: med, Y: 0}, {X: med, Y: math.Max(top, 1)}})
				if err != nil {
					return nil, err
				}
				l.Color = color.RGBA{R: 200, G: 30, B: 30, A: 255}
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
				p.Add(l)
				p.Legend.Add("median "+strconv.FormatFloat(med, 'g', 5, 64), l)
				p.Legend.Top = true
			}
			p.X.Min, p.X.Max = lo, hi
			plots[ri] = append(plots[ri], p)
		}
		for _, p := range plots[ri] {
			p.Y.Min, p.Y.Max = 0, math.Max(top, 1)*1.1
		}
	}
	cols := len(r.Accounts)
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(4.5*float64(cols))*vg.Inch, 7*vg.Inch), vgimg.UseDPI(100), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(rows), Cols: cols, PadX: 0.3 * vg.Inch, PadY: 0.3 * vg.Inch,
		PadLeft: 0.1 * vg.Inch, PadRight: 0.2 * vg.Inch, PadTop: 0.1 * vg.Inch, PadBottom: 0.1 * vg.Inch}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		for j, p := range plots[i] {
			p.Draw(canvases[i][j])
		}
	}
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// tableRow is one row of the Parquet table: the CSV's columns, the quantiles null on the
// probability rows.
type tableRow struct {
	Account   string   `parquet:"account"`
	Quantity  string   `parquet:"quantity"`
	Estimate  float64  `parquet:"estimate"`
	CI95Lo    float64  `parquet:"ci95_lo"`
	CI95Hi    float64  `parquet:"ci95_hi"`
	P05       *float64 `parquet:"p05,optional"`
	P25       *float64 `parquet:"p25,optional"`
	P50       *float64 `parquet:"p50,optional"`
	P75       *float64 `parquet:"p75,optional"`
	P95       *float64 `parquet:"p95,optional"`
	Paths     int64    `parquet:"paths"`
	Seed      uint64   `parquet:"seed"`
	MeanBlock int64    `parquet:"mean_block"`
}

// Parquet returns the table of CSV as Parquet (same columns and rows; the quantiles of the
// probability rows are null). The same result gives the same bytes.
func (r *Result) Parquet() ([]byte, error) {
	var rows []tableRow
	for _, a := range r.Accounts {
		for _, p := range []struct {
			name string
			p    Probability
		}{{"p_liquidation", a.PLiquidation}, {"p_ruin", a.PRuin}} {
			rows = append(rows, tableRow{Account: a.Name, Quantity: p.name, Estimate: p.p.P, CI95Lo: p.p.Lo, CI95Hi: p.p.Hi,
				Paths: int64(r.Paths), Seed: r.Seed, MeanBlock: int64(r.MeanBlock)})
		}
		for _, d := range []struct {
			name string
			d    Dist
		}{{"final_equity", a.FinalEquity}, {"max_drawdown", a.MaxDown}} {
			q := d.d
			rows = append(rows, tableRow{Account: a.Name, Quantity: d.name, Estimate: q.Mean, CI95Lo: q.MeanLo, CI95Hi: q.MeanHi,
				P05: &q.P05, P25: &q.P25, P50: &q.P50, P75: &q.P75, P95: &q.P95,
				Paths: int64(r.Paths), Seed: r.Seed, MeanBlock: int64(r.MeanBlock)})
		}
	}
	var b bytes.Buffer
	if err := parquet.Write(&b, rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
