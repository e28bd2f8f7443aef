package reports

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"git.sr.ht/~sbinet/gg"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/internal/parallel"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PNG size of every chart, in pixels at PNGDPI.
const (
	PNGWidth  = 1400
	PNGHeight = 460
	PNGDPI    = 96
)

// WritePNG draws panel p (one of Charts) as a PNGWidth×PNGHeight PNG to w.
func WritePNG(w io.Writer, p Panel) error {
	pl, err := panelPlot(p)
	if err != nil {
		return err
	}
	img := canvases.Get().(*image.RGBA)
	defer canvases.Put(img)
	pl.Draw(draw.New(newCanvas(img)))
	// fastest deflate level and a cheap row filter (pngenc.go): the same pixels, a few more
	// bytes, several times less CPU
	return encodePNG(w, img)
}

// panelPlot returns the plot WritePNG draws of panel p.
func panelPlot(p Panel) (*plot.Plot, error) {
	pl := plot.New()
	// the canvas starts white (vgimg.UseBackgroundColor below): the plot's own white fill of the
	// whole canvas would be one more full-image rasterization for the same pixels
	pl.BackgroundColor = nil
	pl.Title.Text = p.Title
	pl.X.Tick.Marker = utcTicks{}
	pl.X.Label.Text = "UTC"
	pl.Legend.Top = true
	pl.Legend.Left = true
	pl.Add(plotter.NewGrid())
	switch p.Unit {
	case "pct":
		pl.Y.Tick.Marker = pctTicks{}
	}
	legendN := 0
	cp := candlesOf(p) // pngcandles.go
	if cp != nil {
		pl.Add(cp)
	}
	for _, s := range p.Series {
		col := parseHex(s.Color)
		vals := s.Values
		switch s.Kind {
		case "open", "high", "low", "close":
			continue // drawn by the candle plotter
		case "lp":
			vals = HoldLP(vals)
		}
		var xy plotter.XYs
		for i, v := range vals {
			if !math.IsNaN(v) {
				xy = append(xy, plotter.XY{X: float64(p.X[i]), Y: v})
			}
		}
		if len(xy) == 0 {
			continue
		}
		switch s.Kind {
		case "lp", "risk": // a (step) line per position, broken while flat
			var segs []plotter.XYs
			for i, v := range vals {
				switch {
				case math.IsNaN(v):
					if len(segs) > 0 && len(segs[len(segs)-1]) > 0 {
						segs = append(segs, nil)
					}
				case len(segs) == 0:
					segs = append(segs, plotter.XYs{{X: float64(p.X[i]), Y: v}})
				default:
					segs[len(segs)-1] = append(segs[len(segs)-1], plotter.XY{X: float64(p.X[i]), Y: v})
				}
			}
			var first *plotter.Line
			for _, seg := range segs {
				if len(seg) == 0 {
					continue
				}
				l, err := plotter.NewLine(seg)
				if err != nil {
					return nil, fmt.Errorf("reports: %s %s: %w", p.ID, s.Label, err)
				}
				l.Color, l.Width = col, vg.Points(1.2)
				if s.Kind == "lp" {
					l.StepStyle = plotter.PostStep
					l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
				}
				pl.Add(chunkedLine{l}) // pngline.go
				if first == nil {
					first = l
				}
			}
			if first != nil {
				pl.Legend.Add(s.Label, first)
				legendN++
			}
		case "line", "band":
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, fmt.Errorf("reports: %s %s: %w", p.ID, s.Label, err)
			}
			l.Color = col
			l.Width = vg.Points(1.2)
			if s.Kind == "band" {
				l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
				l.Width = vg.Points(1)
			}
			pl.Add(chunkedLine{l}) // pngline.go
			pl.Legend.Add(s.Label, l)
			legendN++
		default:
			sc, err := plotter.NewScatter(thinMarkers(xy, p)) // pngthin.go
			if err != nil {
				return nil, fmt.Errorf("reports: %s %s: %w", p.ID, s.Label, err)
			}
			sc.GlyphStyle.Color = col
			sc.GlyphStyle.Radius = vg.Points(3.5)
			// the shape tells the account (filled: exit, liquidation; hollow: entry), the
			// liquidations are larger
			filled := map[string]draw.GlyphDrawer{"triangle": draw.PyramidGlyph{}, "square": draw.BoxGlyph{}, "circle": draw.CircleGlyph{}, "diamond": draw.PlusGlyph{}}
			hollow := map[string]draw.GlyphDrawer{"triangle": draw.TriangleGlyph{}, "square": draw.SquareGlyph{}, "circle": draw.RingGlyph{}, "diamond": draw.CrossGlyph{}}
			switch s.Kind {
			case "liq":
				sc.GlyphStyle.Shape = draw.CrossGlyph{}
				if g, ok := filled[s.Shape]; ok {
					sc.GlyphStyle.Shape = g
				}
				sc.GlyphStyle.Radius = vg.Points(5.5)
			case "entry":
				sc.GlyphStyle.Shape = draw.TriangleGlyph{}
				if g, ok := hollow[s.Shape]; ok {
					sc.GlyphStyle.Shape = g
				}
			case "near":
				sc.GlyphStyle.Shape = draw.RingGlyph{}
				if g, ok := hollow[s.Shape]; ok {
					sc.GlyphStyle.Shape = g
				}
				sc.GlyphStyle.Radius = vg.Points(5)
			case "exit":
				sc.GlyphStyle.Shape = draw.BoxGlyph{}
				if g, ok := filled[s.Shape]; ok {
					sc.GlyphStyle.Shape = g
				}
			}
			pl.Add(markers{sc}) // pngboxes.go
			pl.Legend.Add(s.Label, sc)
			legendN++
		}
	}
	// the range shared with the other panels of its group (the per-account panels of one kind)
	if p.YHi > p.YLo {
		pl.Y.Min, pl.Y.Max = math.Min(pl.Y.Min, p.YLo), math.Max(pl.Y.Max, p.YHi)
	}
	// a price panel's range is its candles' and markers': liquidation-price lines widen it by at
	// most a quarter of it (further away they are clipped), as in the page
	if cp != nil {
		_, _, lo, hi := cp.DataRange()
		for _, s := range p.Series {
			if s.Kind == "entry" || s.Kind == "exit" || s.Kind == "liq" {
				for _, v := range s.Values {
					if !math.IsNaN(v) {
						lo, hi = math.Min(lo, v), math.Max(hi, v)
					}
				}
			}
		}
		if pad := (hi - lo) / 4; pad > 0 {
			pl.Y.Min, pl.Y.Max = math.Max(pl.Y.Min, lo-pad), math.Min(pl.Y.Max, hi+pad)
		}
	}
	// headroom above the data for the legend (drawn inside the plot, top left)
	if n := legendN; n > 0 && pl.Y.Max > pl.Y.Min {
		frac := math.Min(0.6, float64(n)*16/float64(PNGHeight-90))
		pl.Y.Max += (pl.Y.Max - pl.Y.Min) * frac / (1 - frac)
	}
	return pl, nil
}

// canvases holds PNGWidth×PNGHeight images for WritePNG to draw on: a report draws about
// twenty PNGs of 2.6 MB each, and vgimg would allocate two images per PNG (its canvas and gg's
// copy of it).
var canvases = sync.Pool{New: func() any { return image.NewRGBA(image.Rect(0, 0, PNGWidth, PNGHeight)) }}

// newCanvas returns a canvas of PNGWidth×PNGHeight pixels at PNGDPI drawing on img (whatever
// it holds is painted white first): the canvas vgimg.NewWith(UseWH(PNGWidth·72/PNGDPI,
// PNGHeight·72/PNGDPI), UseDPI(PNGDPI), UseBackgroundColor(white)) makes, set up as NewWith
// sets up its own context (butt caps, y axis upwards), without allocating an image.
func newCanvas(img *image.RGBA) *vgimg.Canvas {
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	return vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(PNGDPI))
}

var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

// utcTicks places time ticks at round UTC steps on an axis of Unix seconds: hours, days,
// weeks, or calendar months (about 5 to 10 labelled ticks).
type utcTicks struct{}

var tickSteps = []int64{3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400}

// Ticks returns the ticks between min and max.
func (utcTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi := int64(math.Ceil(min)), int64(math.Floor(max))
	var ts []plot.Tick
	for _, step := range tickSteps {
		if (hi-lo)/step > 10 {
			continue
		}
		layout := "01-02 15:04"
		if step >= 86400 {
			layout = "2006-01-02"
		}
		for t := (lo + step - 1) / step * step; t <= hi; t += step {
			ts = append(ts, plot.Tick{Value: float64(t), Label: time.Unix(t, 0).UTC().Format(layout)})
		}
		return ts
	}
	// calendar months: every k-th month start
	start, end := time.Unix(lo, 0).UTC(), time.Unix(hi, 0).UTC()
	months := (end.Year()-start.Year())*12 + int(end.Month()-start.Month())
	k := 12
	for _, c := range []int{1, 2, 3, 6} {
		if months/c <= 10 {
			k = c
			break
		}
	}
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(end); m = m.AddDate(0, 1, 0) {
		if m.Before(start) || (int(m.Month())-1)%k != 0 {
			continue
		}
		ts = append(ts, plot.Tick{Value: float64(m.Unix()), Label: m.Format("2006-01-02")})
	}
	return ts
}

type pctTicks struct{}

// Ticks labels fractions as percentages.
func (pctTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value*100, 'f', -1, 64) + "%"
		}
	}
	return ts
}

func parseHex(s string) color.Color {
	var r, g, b uint8
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return color.Black
	}
	return color.RGBA{R: r, G: g, B: b, A: 0xff}
}

// PNGName is the file name Render gives panel p's PNG.
func PNGName(p Panel) string { return p.ID + ".png" }

// render writes report.html and one PNG per panel into dir, each atomically. The PNGs are
// drawn (on GOMAXPROCS workers) while the page is built from the same panels.
func render(dir string, runs []*artifact.Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	drawn := make(chan error, 1)
	started := false
	_, err := writeHTMLPanels(&buf, runs, func(panels []Panel) {
		started = true
		go func() { drawn <- writePNGs(dir, panels) }()
	})
	if err == nil {
		err = artifact.WriteFileAtomic(filepath.Join(dir, "report.html"), buf.Bytes())
	}
	if started { // no goroutine outlives render
		if perr := <-drawn; err == nil {
			err = perr
		}
	}
	return err
}

// writePNGs draws every panel's PNG into dir concurrently (GOMAXPROCS workers); the first
// error in panel order.
func writePNGs(dir string, panels []Panel) error {
	jobs := make([]func() error, len(panels))
	for k, p := range panels {
		jobs[k] = func() error {
			var buf bytes.Buffer
			if err := WritePNG(&buf, p); err != nil {
				return err
			}
			return artifact.WriteFileAtomic(filepath.Join(dir, PNGName(p)), buf.Bytes())
		}
	}
	return parallel.Do(jobs)
}
