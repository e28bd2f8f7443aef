package sweep

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// DeltaPanel is the title of a heatmap's cross − isolated panel.
const DeltaPanel = "cross − isolated"

// Heatmap is one metric of a results table over two swept keys: one panel per account (the
// margin modes) and one of the configurations' cross − isolated difference. A cell is the mean
// over the configurations that share its two values (the other swept keys vary within it);
// NaN where no row has a value.
type Heatmap struct {
	X, Y, Metric string
	XVals, YVals []string // the keys' values, sorted (numerically for number columns)
	PerCell      int      // configurations averaged in a cell (the most of any cell)
	Panels       []Panel
}

// Panel is one facet of a heatmap: Z[y][x].
type Panel struct {
	Title string
	Z     [][]float64
}

// Heatmap computes the heatmap of metric over the swept keys x and y of the results table.
// Errors name what is wrong in the caller's words (an unknown key lists the swept ones).
func (o *Output) Heatmap(x, y, metric string) (*Heatmap, error) {
	t := o.Results
	idx := func(name string) int {
		return slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == name })
	}
	var swept []string
	for _, k := range o.Manifest.Keys {
		swept = append(swept, k.Name)
	}
	for _, k := range []struct{ flag, key string }{{"--x", x}, {"--y", y}} {
		if !slices.Contains(swept, k.key) {
			return nil, fmt.Errorf("%s %q is not a swept key of this sweep (swept: %s)", k.flag, k.key, strings.Join(swept, ", "))
		}
	}
	if x == y {
		return nil, fmt.Errorf("--x and --y are both %s: give two different swept keys", x)
	}
	mc := idx(metric)
	if mc < 0 || strings.HasPrefix(metric, DeltaPrefix) || slices.Contains(swept, metric) || metric == ColConfig || metric == ColAccount || metric == ColFingerprint {
		var names []string
		for _, c := range t.Columns {
			if c.Type != TypeString && !slices.Contains(swept, c.Name) && !strings.HasPrefix(c.Name, DeltaPrefix) {
				names = append(names, c.Name)
			}
		}
		return nil, fmt.Errorf("--metric %q is not a metric of the results table (metrics: %s)", metric, strings.Join(names, ", "))
	}
	xc, yc, ac, dc := idx(x), idx(y), idx(ColAccount), idx(DeltaPrefix+metric)
	h := &Heatmap{X: x, Y: y, Metric: metric, XVals: distinct(t, xc), YVals: distinct(t, yc)}
	type acc struct {
		sum float64
		n   int
	}
	cells := map[string]map[[2]int]*acc{} // panel -> (x, y) -> sum
	var panels []string
	configs := map[[2]int]map[string]bool{}
	add := func(panel string, xi, yi int, v float64) {
		if cells[panel] == nil {
			cells[panel] = map[[2]int]*acc{}
			panels = append(panels, panel)
		}
		a := cells[panel][[2]int{xi, yi}]
		if a == nil {
			a = &acc{}
			cells[panel][[2]int{xi, yi}] = a
		}
		a.sum += v
		a.n++
	}
	for _, r := range t.Rows {
		xi := slices.Index(h.XVals, cellText(r[xc]))
		yi := slices.Index(h.YVals, cellText(r[yc]))
		k := [2]int{xi, yi}
		if configs[k] == nil {
			configs[k] = map[string]bool{}
		}
		configs[k][r[0].(string)] = true
		if v, ok := number(r[mc]); ok {
			add(r[ac].(string), xi, yi, v)
		}
		if dc >= 0 && r[ac] == "cross" {
			if v, ok := number(r[dc]); ok {
				add(DeltaPanel, xi, yi, v)
			}
		}
	}
	for _, c := range configs {
		h.PerCell = max(h.PerCell, len(c))
	}
	// accounts first, in the table's order, then the difference
	slices.SortStableFunc(panels, func(a, b string) int {
		return cmp.Compare(boolInt(a == DeltaPanel), boolInt(b == DeltaPanel))
	})
	for _, p := range panels {
		z := make([][]float64, len(h.YVals))
		for yi := range z {
			z[yi] = make([]float64, len(h.XVals))
			for xi := range z[yi] {
				z[yi][xi] = math.NaN()
				if a := cells[p][[2]int{xi, yi}]; a != nil && a.n > 0 {
					z[yi][xi] = a.sum / float64(a.n)
				}
			}
		}
		h.Panels = append(h.Panels, Panel{Title: p, Z: z})
	}
	if len(h.Panels) == 0 {
		return nil, fmt.Errorf("--metric %s has no value in any row", metric)
	}
	return h, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// distinct returns the distinct values of column c as text, numbers sorted numerically.
func distinct(t *Table, c int) []string {
	seen := map[string]float64{}
	var out []string
	numeric := true
	for _, r := range t.Rows {
		s := cellText(r[c])
		if _, ok := seen[s]; ok {
			continue
		}
		v, ok := number(r[c])
		numeric = numeric && ok
		seen[s] = v
		out = append(out, s)
	}
	if numeric {
		slices.SortFunc(out, func(a, b string) int { return cmp.Compare(seen[a], seen[b]) })
	} else {
		slices.Sort(out)
	}
	return out
}

func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v)
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// grid adapts a panel to plotter.GridXYZ: cells at integer positions.
type grid struct{ z [][]float64 }

func (g grid) Dims() (c, r int)   { return len(g.z[0]), len(g.z) }
func (g grid) Z(c, r int) float64 { return g.z[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// PNG draws the heatmap's panels side by side into a PNG file (EncodePNG).
func (h *Heatmap) PNG(path string) error {
	b, err := h.EncodePNG()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// EncodePNG draws the heatmap's panels side by side as a PNG image, each cell labelled with
// its value; the difference panel uses a diverging palette centred on zero. The same heatmap
// gives the same bytes.
func (h *Heatmap) EncodePNG() ([]byte, error) {
	const panelW, panelH = 4.2, 4.0 // inches
	var plots []*plot.Plot
	for _, pn := range h.Panels {
		p := plot.New()
		p.Title.Text = h.Metric + ": " + pn.Title
		p.X.Label.Text, p.Y.Label.Text = h.X, h.Y
		if h.PerCell > 1 {
			p.X.Label.Text += fmt.Sprintf(" (cells: mean of %d configurations)", h.PerCell)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		var labels plotter.XYLabels
		for yi, row := range pn.Z {
			for xi, v := range row {
				if !math.IsNaN(v) {
					lo, hi = min(lo, v), max(hi, v)
					labels.XYs = append(labels.XYs, plotter.XY{X: float64(xi), Y: float64(yi)})
					labels.Labels = append(labels.Labels, strconv.FormatFloat(v, 'g', 4, 64))
				}
			}
		}
		if math.IsInf(lo, 1) {
			lo, hi = 0, 0
		}
		var pal palette.Palette
		if pn.Title == DeltaPanel {
			m := max(math.Abs(lo), math.Abs(hi))
			lo, hi = -m, m
			pal = moreland.SmoothBlueRed().Palette(255)
		} else {
			seq, err := brewer.GetPalette(brewer.TypeSequential, "YlGnBu", 9)
			if err != nil {
				return nil, err
			}
			pal = seq
		}
		if hi == lo {
			hi = lo + 1
		}
		hm := plotter.NewHeatMap(grid{pn.Z}, pal)
		hm.Min, hm.Max = lo, hi
		hm.NaN = color.Gray{Y: 220}
		p.Add(hm)
		if len(labels.XYs) > 0 {
			l, err := plotter.NewLabels(labels)
			if err != nil {
				return nil, err
			}
			for i := range l.TextStyle {
				l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
				l.TextStyle[i].Color = color.Black
			}
			p.Add(l)
		}
		p.X.Tick.Marker = ticks(h.XVals)
		p.Y.Tick.Marker = ticks(h.YVals)
		p.X.Min, p.X.Max = -0.5, float64(len(h.XVals))-0.5
		p.Y.Min, p.Y.Max = -0.5, float64(len(h.YVals))-0.5
		plots = append(plots, p)
	}
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(panelW*float64(len(plots)))*vg.Inch, vg.Length(panelH)*vg.Inch),
		vgimg.UseDPI(100), vgimg.UseBackgroundColor(color.White))
	body := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: 0.2 * vg.Inch, PadLeft: 0.1 * vg.Inch, PadRight: 0.1 * vg.Inch, PadBottom: 0.1 * vg.Inch, PadTop: 0.1 * vg.Inch}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, body)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ticks labels the integer positions with the values.
func ticks(vals []string) plot.ConstantTicks {
	t := make(plot.ConstantTicks, len(vals))
	for i, v := range vals {
		t[i] = plot.Tick{Value: float64(i), Label: v}
	}
	return t
}
