package montecarlo

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/bt-backtest/bt/reports"
)

// HTML renders the Monte Carlo page: one self-contained file (no network) in report.html's
// style with a verdict in numbers, the table of every account's estimates with their 95%
// intervals, the histograms (HistogramPNG, embedded) and the method's assumptions, collapsed.
// title names the experiment (e.g. its file). The same result gives the same bytes.
func (r *Result) HTML(title string) ([]byte, error) {
	png, err := r.HistogramPNG()
	if err != nil {
		return nil, err
	}
	p := mcPage{
		Title:   strings.TrimSpace("bt mc " + title),
		CSS:     template.CSS(reports.CSS()),
		Paths:   r.Paths,
		Seed:    r.Seed,
		Block:   r.MeanBlock,
		Verdict: r.verdict(),
		Hist:    template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
	}
	for _, a := range r.Accounts {
		p.Rows = append(p.Rows, mcRow{
			Name: a.Name, PLiq: prob(a.PLiquidation), PRuin: prob(a.PRuin),
			Liq: a.Liquidated, Ruined: a.Ruined,
			Final: quantiles(a.FinalEquity, money), FinalMean: mean(a.FinalEquity, money),
			Down: quantiles(a.MaxDown, pct), DownMean: mean(a.MaxDown, pct),
		})
	}
	var b bytes.Buffer
	if err := mcTmpl.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// verdict states the comparison in sentences: each account's liquidation and ruin
// probabilities and median final equity, and the isolated/cross difference when both ran.
func (r *Result) verdict() []string {
	var out []string
	var iso, cross *Account
	for i := range r.Accounts {
		a := &r.Accounts[i]
		switch a.Name {
		case "isolated":
			iso = a
		case "cross":
			cross = a
		}
		out = append(out, fmt.Sprintf("%s: at least one liquidation on %d of %d paths (%s), ruined on %d (%s); median final equity %s USDT, 5%% of paths below %s.",
			a.Name, a.Liquidated, r.Paths, prob(a.PLiquidation), a.Ruined, prob(a.PRuin), money(a.FinalEquity.P50), money(a.FinalEquity.P05)))
	}
	if iso != nil && cross != nil {
		d := cross.PLiquidation.P - iso.PLiquidation.P
		word := "more"
		if d < 0 {
			word = "less"
		}
		s := fmt.Sprintf("Cross was liquidated on %s pp %s of the paths than isolated", strconv.FormatFloat(math.Abs(d)*100, 'f', 1, 64), word)
		if d == 0 {
			s = "Cross and isolated were liquidated on the same share of the paths"
		}
		s += "; its median final equity is " + medianVs(cross.FinalEquity.P50-iso.FinalEquity.P50) + "."
		if overlap(iso.PLiquidation, cross.PLiquidation) {
			s += " The two liquidation probabilities' 95% intervals overlap: more paths would be needed to call the difference."
		}
		out = append(out, s)
	}
	return out
}

// medianVs says how cross's median final equity stands to isolated's, d = cross − isolated.
func medianVs(d float64) string {
	switch {
	case d > 0:
		return money(d) + " USDT above isolated's"
	case d < 0:
		return money(-d) + " USDT below isolated's"
	}
	return "the same as isolated's"
}

func overlap(a, b Probability) bool { return a.Lo <= b.Hi && b.Lo <= a.Hi }

// prob says "12.0 % [7.1, 19.4]".
func prob(p Probability) string {
	return fmt.Sprintf("%.1f %% [%.1f, %.1f]", p.P*100, p.Lo*100, p.Hi*100)
}

func money(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func pct(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + " %" }

func quantiles(d Dist, f func(float64) string) []string {
	return []string{f(d.P05), f(d.P25), f(d.P50), f(d.P75), f(d.P95)}
}

func mean(d Dist, f func(float64) string) string {
	return f(d.Mean) + " [" + f(d.MeanLo) + ", " + f(d.MeanHi) + "]"
}

type mcRow struct {
	Name                string
	PLiq, PRuin         string
	Liq, Ruined         int
	Final, Down         []string
	FinalMean, DownMean string
}

type mcPage struct {
	Title   string
	CSS     template.CSS
	Paths   int
	Seed    uint64
	Block   int
	Verdict []string
	Rows    []mcRow
	Hist    template.URL
}

var mcTmpl = template.Must(template.New("mc").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
<style>.mc img { max-width: 100%; } #estimates td { white-space: nowrap; }</style>
</head>
<body>
<header>
  <h1>{{.Title}}</h1>
  <p class="conv">{{.Paths}} block-bootstrap paths of the experiment's market data (mean block {{.Block}} bars, seed {{.Seed}}), each replayed under every account. Intervals are 95 %.</p>
</header>
<section class="verdict">
<ul>
{{range .Verdict}}<li>{{.}}</li>
{{end}}</ul>
</section>
<section>
<h2>Estimates</h2>
<div class="scroll">
<table class="metrics" id="estimates">
<thead><tr><th>account</th><th>P(liquidation)</th><th>P(ruin)</th><th>final equity p05</th><th>p25</th><th>p50</th><th>p75</th><th>p95</th><th>mean</th><th>max drawdown p05</th><th>p25</th><th>p50</th><th>p75</th><th>p95</th><th>mean</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.Name}}</td><td>{{.PLiq}}</td><td>{{.PRuin}}</td>{{range .Final}}<td>{{.}}</td>{{end}}<td>{{.FinalMean}}</td>{{range .Down}}<td>{{.}}</td>{{end}}<td>{{.DownMean}}</td></tr>
{{end}}</tbody>
</table>
</div>
<p class="note">Final equity in USDT; maximum drawdown as a share of the running peak. P(liquidation): paths with at least one liquidation; P(ruin): paths that ended ruined. Every figure is also in the CSV and Parquet tables written beside this page.</p>
</section>
<section class="mc">
<h2>Distributions over the paths</h2>
<figure>
<img alt="histograms of final equity and maximum drawdown per account" src="{{.Hist}}">
<p class="note">A column per account, a row per quantity; the panels of a row share bins and axes; the dashed line is the median.</p>
</figure>
</section>
<section>
<details>
<summary>Method and assumptions</summary>
<ul>
<li>Stationary block bootstrap: each path is the history cut into blocks of random length (geometric, mean {{.Block}} bars) drawn with replacement, jointly across symbols, so that their co-movement within a block is kept.</li>
<li>A bootstrap cannot make a crash larger than the history holds; to ask about one, run bt mc on a synthetic market with a scheduled crash (bt data synth --crash).</li>
<li>Probabilities carry 95 % Wilson score intervals; means a 95 % normal interval; quantiles are of the paths' values.</li>
<li>Each path runs the experiment's strategy, rules and costs exactly as bt run does (the same engine).</li>
</ul>
</details>
</section>
</body>
</html>
`))
