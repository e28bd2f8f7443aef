package sweep

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"github.com/bt-backtest/bt/reports/artifact"
	"html/template"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bt-backtest/bt/reports"
)

// HTMLFile is the sweep's page in its output directory.
const HTMLFile = "sweep.html"

// MaxHTMLRows caps the results table of sweep.html; every row stays in results.csv and the
// page says how many were left out.
const MaxHTMLRows = 2000

// DefaultHTMLMetrics are the metrics whose heatmaps bt sweep and bt sweep merge put in
// sweep.html, over the first two swept keys.
var DefaultHTMLMetrics = []string{"final_equity", "max_drawdown", "liquidations"}

// HeatmapSpec names one heatmap of the page: a metric over two swept keys.
type HeatmapSpec struct{ X, Y, Metric string }

// DefaultHeatmaps returns the heatmaps of DefaultHTMLMetrics over the first two swept keys
// (none with fewer than two swept keys).
func (o *Output) DefaultHeatmaps() []HeatmapSpec {
	k := o.Manifest.Keys
	if len(k) < 2 {
		return nil
	}
	var hs []HeatmapSpec
	for _, m := range DefaultHTMLMetrics {
		hs = append(hs, HeatmapSpec{X: k[0].Name, Y: k[1].Name, Metric: m})
	}
	return hs
}

type htmlFigure struct {
	Title   string
	Caption string
	Src     template.URL
}

type htmlCell struct {
	Text, Sort string
	Num        bool
}

type htmlPage struct {
	Title    string
	CSS      template.CSS
	Note     string
	Figures  []htmlFigure
	Columns  []string
	Rows     [][]htmlCell
	LeftOut  int
	AllRows  int
	Configs  int
	Accounts string
}

var htmlTmpl = template.Must(template.New("sweep").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
<style>table.metrics th[data-col] { cursor: pointer; } .sweep img { max-width: 100%; } #results td { white-space: nowrap; min-width: 0; }</style>
</head>
<body>
<header>
  <h1>{{.Title}}</h1>
  <p class="conv">{{.Configs}} configurations, accounts {{.Accounts}}: {{.AllRows}} rows. Δ (delta.*) is cross − isolated.</p>
</header>
<section class="sweep">
<h2>Heatmaps</h2>
{{if .Note}}<p class="note">{{.Note}}</p>{{end}}
{{range .Figures}}<figure>
<figcaption>{{.Title}}</figcaption>
<img alt="{{.Title}}" src="{{.Src}}">
<p class="note">{{.Caption}}</p>
</figure>
{{end}}</section>
<section>
<h2>Results</h2>
<p class="note">One row per configuration and account, as results.csv{{if .LeftOut}}; the first {{len .Rows}} rows are shown, {{.LeftOut}} more are in results.csv{{end}}. Click a column's name to sort by it.</p>
<div class="scroll">
<table class="metrics" id="results">
<thead><tr>{{range $i, $c := .Columns}}<th data-col="{{$i}}">{{$c}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td{{if .Num}} data-v="{{.Sort}}"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</div>
</section>
<script>
(function () {
  var t = document.getElementById('results'), dir = {};
  t.tHead.addEventListener('click', function (e) {
    var c = e.target.getAttribute('data-col');
    if (c === null) { return; }
    c = +c; dir[c] = -(dir[c] || -1);
    var rows = Array.prototype.slice.call(t.tBodies[0].rows);
    rows.sort(function (a, b) {
      var x = a.cells[c], y = b.cells[c], vx = x.getAttribute('data-v'), vy = y.getAttribute('data-v');
      if (vx !== null && vy !== null) { return dir[c] * (parseFloat(vx) - parseFloat(vy)); }
      return dir[c] * x.textContent.localeCompare(y.textContent);
    });
    rows.forEach(function (r) { t.tBodies[0].appendChild(r); });
  });
})();
</script>
</body>
</html>
`))

// HTML renders sweep.html: one self-contained page (no network) with the heatmaps of maps as
// embedded PNGs (each a panel per account and one of cross − isolated) and the results table
// below, sortable by clicking a column. The same table and maps give the same bytes. A
// heatmap that cannot be drawn (an unknown key or metric) is an error.
func (o *Output) HTML(maps []HeatmapSpec) ([]byte, error) {
	m := o.Manifest
	p := htmlPage{
		Title:   "bt sweep " + shortID(m.Sweep),
		CSS:     template.CSS(reports.CSS()),
		AllRows: len(o.Results.Rows),
		Configs: len(m.Configs),
	}
	accts := map[string]bool{}
	var names []string
	ac := slices.IndexFunc(o.Results.Columns, func(c Column) bool { return c.Name == ColAccount })
	for _, r := range o.Results.Rows {
		if a, ok := r[ac].(string); ok && !accts[a] {
			accts[a] = true
			names = append(names, a)
		}
	}
	p.Accounts = strings.Join(names, ", ")
	if len(maps) == 0 {
		p.Note = "No heatmap: a heatmap needs two swept keys (bt sweep report DIR --x KEY --y KEY --metric NAME draws one)."
	}
	hms, pngs, err := o.drawHeatmaps(maps)
	if err != nil {
		return nil, err
	}
	for i, h := range hms {
		png := pngs[i]
		var facets []string
		for _, pn := range h.Panels {
			facets = append(facets, pn.Title)
		}
		cap := fmt.Sprintf("%s over %s (x) and %s (y), panels: %s.", h.Metric, h.X, h.Y, strings.Join(facets, "; "))
		if h.PerCell > 1 {
			cap += fmt.Sprintf(" A cell is the mean of %d configurations (the other swept keys vary within it).", h.PerCell)
		}
		cap += " Grey: no value. In the cross − isolated panel, red is cross higher, blue cross lower."
		p.Figures = append(p.Figures, htmlFigure{
			Title:   h.Metric + " · " + h.X + " × " + h.Y,
			Caption: cap,
			Src:     template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		})
	}
	for _, c := range o.Results.Columns {
		p.Columns = append(p.Columns, c.Name)
	}
	rows := o.Results.Rows
	if len(rows) > MaxHTMLRows {
		p.LeftOut = len(rows) - MaxHTMLRows
		rows = rows[:MaxHTMLRows]
	}
	for _, r := range rows {
		cells := make([]htmlCell, len(r))
		for i, v := range r {
			cells[i] = htmlCellOf(o.Results.Columns[i].Type, v)
		}
		p.Rows = append(p.Rows, cells)
	}
	var b bytes.Buffer
	if err := htmlTmpl.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// drawHeatmaps builds and encodes the heatmaps of maps, each on its own goroutine (they are
// independent; the PNGs are the same bytes as drawn one after another), and returns them in
// the order of maps. The error is the first map's that failed, in that order.
func (o *Output) drawHeatmaps(maps []HeatmapSpec) ([]*Heatmap, [][]byte, error) {
	hms := make([]*Heatmap, len(maps))
	pngs := make([][]byte, len(maps))
	errs := make([]error, len(maps))
	var wg sync.WaitGroup
	for i, hs := range maps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := o.Heatmap(hs.X, hs.Y, hs.Metric)
			if err != nil {
				errs[i] = err
				return
			}
			hms[i] = h
			if pngs[i], err = h.EncodePNG(); err != nil {
				errs[i] = fmt.Errorf("drawing the heatmap of %s: %w", hs.Metric, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return hms, pngs, nil
}

// WriteHTML writes HTML(maps) to dir/sweep.html through a temporary file.
func (o *Output) WriteHTML(dir string, maps []HeatmapSpec) (string, error) {
	b, err := o.HTML(maps)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, HTMLFile)
	return path, artifact.WriteFileAtomic(path, b)
}

func htmlCellOf(typ string, v any) htmlCell {
	switch v := v.(type) {
	case nil:
		return htmlCell{Text: "—"}
	case int64:
		if typ == TypeTime {
			return htmlCell{Text: time.UnixMilli(v).UTC().Format(time.RFC3339), Sort: strconv.FormatInt(v, 10), Num: true}
		}
		return htmlCell{Text: strconv.FormatInt(v, 10), Sort: strconv.FormatInt(v, 10), Num: true}
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return htmlCell{Text: strconv.FormatFloat(v, 'g', -1, 64)}
		}
		return htmlCell{Text: strconv.FormatFloat(v, 'g', 6, 64), Sort: strconv.FormatFloat(v, 'g', -1, 64), Num: true}
	case bool:
		return htmlCell{Text: strconv.FormatBool(v)}
	}
	return htmlCell{Text: cellText(v)}
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
