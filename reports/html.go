package reports

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/metrics"
)

//go:embed assets/report.html.tmpl assets/report.js assets/report.css assets/uplot/uPlot.iife.min.js assets/uplot/uPlot.min.css assets/uplot/LICENSE assets/uplot/VERSION assets/uplot/SHA256SUMS
var assets embed.FS

func asset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	return string(b)
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"date": func(ms int64) string {
		if ms == 0 {
			return "—"
		}
		return artifact.FormatTime(ms)[:16] + " UTC"
	},
	"pct":  func(v float64) string { return fmtPct(v) },
	"heat": heatColor,
}).Parse(asset("report.html.tmpl")))

// Data is the JSON block embedded in report.html (<script type="application/json"
// id="bt-data">): everything the interactive charts draw.
type Data struct {
	Conventions string  `json:"conventions"`
	Panels      []Panel `json:"panels"`
}

// ReportData returns the data block of the HTML report of runs.
func ReportData(runs ...*artifact.Run) Data {
	return Data{Conventions: metrics.Conventions, Panels: Charts(runs...)}
}

type cell struct {
	Text  string
	Class string // "pos", "neg", "na", ""
}

type tableRow struct {
	Label string
	Cells []cell
}

type table struct {
	Columns []string
	Rows    []tableRow
}

type runView struct {
	Name         string
	Manifest     artifact.Manifest
	Params       []kv
	Paired       *metrics.Paired
	Diverged     []divergedRow // paired entries whose outcome differs between the accounts
	DivergedMore int           // rows left out of Diverged
	Liqs         []liqRow      // every liquidation of isolated and cross, with its pair
	LiqsMore     int           // rows left out of Liqs
	Fallbacks    []backtest.Fallback
	Rejects      []rejectView // per account with rejections, in run order
	Verdict      []Sentence   // the isolated-versus-cross comparison in words (nil without both accounts)
	LiqTables    []liqTable   // per account with liquidations, in run order
	Prefix       string       // prefix of the run's anchors ("" for a single run)
	Trades       tradeTable   // every trade of every account
	Leverage     string       // the leverage positions opened at (leverageText), "" when unknown
}

// maxRejects caps the rows of each account's rejections table (all of them are in the
// account's rejects.csv).
const maxRejects = 25

// rejectView is one account's rejections: the counts per reason and the first ones.
type rejectView struct {
	Account string
	Total   int
	Reasons []metrics.RejectionCount
	Rows    []rejectRow
	More    int    // rejections left out of Rows
	File    string // where all of them are
}

type rejectRow struct {
	Time                                           int64
	Symbol, Action, Side, Type, Qty, Price, Reason string
	Tag                                            string
}

// rejectViews lists the rejections of every account of run r.
func rejectViews(r *artifact.Run) []rejectView {
	var out []rejectView
	for i := range r.Result.Accounts {
		a := &r.Result.Accounts[i]
		if len(a.Rejects) == 0 {
			continue
		}
		v := rejectView{Account: a.Name, Total: len(a.Rejects), Reasons: metrics.RejectionsOf(a),
			File: filepath.Join(a.Name, "rejects.csv"), More: max(0, len(a.Rejects)-maxRejects)}
		for _, j := range a.Rejects[:min(len(a.Rejects), maxRejects)] {
			row := rejectRow{Time: j.Time, Symbol: j.Symbol, Action: j.Action, Reason: backtest.ReasonOfCode(j.Code), Tag: j.Tag}
			if row.Reason == "" {
				row.Reason = j.Reason
			}
			if j.Action == "order" {
				row.Side, row.Type = j.Side.String(), j.Type.String()
				if !j.Qty.IsZero() {
					row.Qty = j.Qty.String()
				}
				if !j.Price.IsZero() {
					row.Price = j.Price.String()
				}
			}
			v.Rows = append(v.Rows, row)
		}
		out = append(out, v)
	}
	return out
}

// maxDiverged caps the rows of the diverging-outcomes table.
const maxDiverged = 40

type divergedRow struct {
	Symbol             string
	EntryTime          int64
	Outcome, Class     string
	IsoPnL, CrossPnL   string
	IsoExit, CrossExit int64
	IsoROIM, CrossROIM string // return on initial margin, "—" when unknown
}

// fmtROIM formats a return on initial margin.
func fmtROIM(r *float64) string {
	if r == nil {
		return "—"
	}
	return fmtPct(*r)
}

func diverged(p *metrics.Paired) (rows []divergedRow, more int) {
	if p == nil {
		return nil, 0
	}
	for _, r := range p.Rows {
		if r.IsolatedLiq == r.CrossLiq {
			continue
		}
		if len(rows) == maxDiverged {
			more++
			continue
		}
		d := divergedRow{Symbol: r.Symbol, EntryTime: r.EntryTime, IsoPnL: fmtMoney(r.IsolatedPnL), CrossPnL: fmtMoney(r.CrossPnL),
			IsoExit: r.IsolatedExit, CrossExit: r.CrossExit, Outcome: "cross rescued it", Class: "pos",
			IsoROIM: fmtROIM(r.IsolatedROIM), CrossROIM: fmtROIM(r.CrossROIM)}
		switch {
		case r.CrossLiq:
			d.Outcome, d.Class = "cross killed it", "neg"
		case !r.Rescued:
			d.Outcome, d.Class = "cross survived, ended worse", "neg"
		}
		rows = append(rows, d)
	}
	return rows, more
}

// liqRow is one liquidation and the same position under the other margin mode.
type liqRow struct {
	Time            int64
	Account, Symbol string
	Cost, PnL       string
	Other, Class    string
}

// liqRows links the run's liquidations to their pairs (metrics.LinkLiquidations), at most
// maxDiverged rows.
func liqRows(res *backtest.Result) (rows []liqRow, more int) {
	var iso, cross *backtest.AccountResult
	for i := range res.Accounts {
		switch res.Accounts[i].Name {
		case metrics.IsolatedName:
			iso = &res.Accounts[i]
		case metrics.CrossName:
			cross = &res.Accounts[i]
		}
	}
	if iso == nil || cross == nil {
		return nil, 0
	}
	for _, l := range metrics.LinkLiquidations(iso, cross) {
		if len(rows) == maxDiverged {
			more++
			continue
		}
		other := metrics.CrossName
		if l.Account == metrics.CrossName {
			other = metrics.IsolatedName
		}
		r := liqRow{Time: l.Liq.Time, Account: l.Account, Symbol: l.Liq.Symbol, Cost: fmtMoney(l.Cost), PnL: fmtMoney(l.PnL)}
		switch {
		case !l.OtherFound:
			r.Other = "not opened under " + other
		case l.Other.Liquidated:
			r.Other, r.Class = "liquidated under "+other+" too, "+time.UnixMilli(l.Other.ExitTime).UTC().Format("2006-01-02 15:04"), "neg"
		default:
			better := l.Other.PnL.GreaterThan(l.Trade.PnL)
			v, okO := metrics.ROIM(l.Other)
			if w, ok := metrics.ROIM(l.Trade); ok && okO {
				better = v > w
			}
			r.Other, r.Class = "survived under "+other+" and ended better", "pos"
			if !better {
				r.Other, r.Class = "survived under "+other+" but ended worse", "neg"
			}
			r.Other += ": PnL " + fmtMoney(l.Other.PnL.InexactFloat64())
			if okO {
				r.Other += " (" + fmtPct(v) + " on margin)"
			}
		}
		rows = append(rows, r)
	}
	return rows, more
}

type kv struct{ K, V string }

type view struct {
	Title       string
	Conventions string
	Runs        []runView
	Summary     table
	Liquidation table
	Monthly     []MonthlyTable
	Months      []string
	Panels      []Panel
	UPlotJS     template.JS
	UPlotCSS    template.CSS
	ReportJS    template.JS
	ReportCSS   template.CSS
	DataJSON    template.JS
	UPlotVer    string
}

// writeHTML renders the report of runs.
func writeHTML(w io.Writer, runs []*artifact.Run) error {
	_, err := writeHTMLPanels(w, runs, nil)
	return err
}

// writeHTMLPanels renders the report of runs and returns the chart panels it embeds. ready,
// when not nil, gets the panels as soon as they are computed, before the page is (render
// draws the PNGs meanwhile); they are read-only from then on.
func writeHTMLPanels(w io.Writer, runs []*artifact.Run, ready func([]Panel)) ([]Panel, error) {
	if len(runs) == 0 {
		return nil, errors.New("reports: no run to report")
	}
	for _, r := range runs {
		if r == nil || r.Result == nil {
			return nil, errors.New("reports: run without result")
		}
	}
	accts := accountsOf(runs)
	data := ReportData(runs...)
	if ready != nil {
		ready(data.Panels)
	}
	dj, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("reports: chart data: %w", err)
	}
	v := view{
		Conventions: metrics.Conventions,
		Monthly:     monthlyTables(accts),
		Months:      []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		Panels:      data.Panels,
		UPlotJS:     template.JS(asset("uplot/uPlot.iife.min.js")),
		UPlotCSS:    template.CSS(asset("uplot/uPlot.min.css")),
		ReportJS:    template.JS(asset("report.js")),
		ReportCSS:   template.CSS(asset("report.css")),
		DataJSON:    template.JS(dj), // json.Marshal escapes <, > and &: safe inside <script>
		UPlotVer:    strings.SplitN(asset("uplot/VERSION"), "\n", 2)[0],
	}
	names := runNames(runs)
	var sums []metrics.Summary
	for i, r := range runs {
		var s metrics.Summary
		if r.Summary != nil {
			s = *r.Summary
		} else {
			s = metrics.Summarize(r.Result)
		}
		sums = append(sums, s)
		rv := runView{Name: names[i], Manifest: r.Manifest, Paired: s.Paired}
		prefix := ""
		if len(runs) > 1 {
			prefix = fmt.Sprintf("r%d-", i+1)
		}
		rv.Prefix = prefix
		rv.Verdict = Verdict(s, accountNamed(r.Result, metrics.IsolatedName), accountNamed(r.Result, metrics.CrossName), prefix)
		linkDiff(rv.Verdict, "#chart-"+DiffID(i, len(runs)), data.Panels)
		rv.LiqTables = liqTables(r, prefix)
		rv.Trades = tradeTableOf(r, s.Leverage)
		rv.Leverage = leverageText(r, s.Leverage)
		rv.Diverged, rv.DivergedMore = diverged(s.Paired)
		rv.Liqs, rv.LiqsMore = liqRows(r.Result)
		rv.Rejects = rejectViews(r)
		rv.Fallbacks = r.Result.Fallbacks
		if len(rv.Fallbacks) == 0 {
			rv.Fallbacks = s.Fallbacks
		}
		for k, val := range r.Manifest.Params {
			rv.Params = append(rv.Params, kv{k, val})
		}
		sort.Slice(rv.Params, func(i, j int) bool { return rv.Params[i].K < rv.Params[j].K })
		v.Runs = append(v.Runs, rv)
	}
	v.Title = "bt report: " + strings.Join(names, " vs ")
	v.Summary = sideBySide(runs, sums, func(s metrics.Summary, acct string) []metrics.Metric {
		return s.Accounts[acct].Metrics()
	}, func(s metrics.Summary) map[string]float64 { return s.Delta })
	v.Liquidation = sideBySide(runs, sums, func(s metrics.Summary, acct string) []metrics.Metric {
		return s.Liquidation[acct].Metrics()
	}, func(s metrics.Summary) map[string]float64 { return s.LiquidationDelta })
	var buf bytes.Buffer
	if err := reportTmpl.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("reports: html: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return data.Panels, err
}

// linkDiff points the verdict's links to the equity chart at the run's cross − isolated panel
// (href), when the report has it.
func linkDiff(v []Sentence, href string, panels []Panel) {
	for _, p := range panels {
		if "#chart-"+p.ID != href {
			continue
		}
		for _, s := range v {
			for k := range s {
				if s[k].Href == "#chart-equity" {
					s[k].Href = href
				}
			}
		}
	}
}

// sideBySide lays out one column per account and a Δ (cross − isolated) column per run that
// has both: the summary's delta (Summary.Delta or LiquidationDelta), as summary.json has it.
func sideBySide(runs []*artifact.Run, sums []metrics.Summary, get func(metrics.Summary, string) []metrics.Metric,
	delta func(metrics.Summary) map[string]float64) table {
	type col struct {
		metrics []metrics.Metric
		delta   bool
	}
	var t table
	var cols []col
	names := runNames(runs)
	for i, r := range runs {
		prefix := ""
		if len(runs) > 1 {
			prefix = names[i] + "/"
		}
		var iso, cross []metrics.Metric
		for _, a := range r.Result.Accounts {
			m := get(sums[i], a.Name)
			t.Columns = append(t.Columns, prefix+a.Name)
			cols = append(cols, col{metrics: m})
			switch a.Name {
			case metrics.IsolatedName:
				iso = m
			case metrics.CrossName:
				cross = m
			}
		}
		if iso != nil && cross != nil {
			d := delta(sums[i])
			dm := make([]metrics.Metric, len(cross))
			for k, m := range cross {
				v, ok := d[m.Key]
				dm[k] = metrics.Metric{Key: m.Key, Label: m.Label, Value: v, OK: ok, Kind: m.Kind, Better: m.Better}
			}
			t.Columns = append(t.Columns, prefix+"Δ cross − isolated")
			cols = append(cols, col{metrics: dm, delta: true})
		}
	}
	if len(cols) == 0 {
		return t
	}
	for k, m := range cols[0].metrics {
		row := tableRow{Label: m.Label}
		for _, c := range cols {
			row.Cells = append(row.Cells, formatMetric(c.metrics[k], c.delta))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func formatMetric(m metrics.Metric, delta bool) cell {
	if !m.OK {
		return cell{"—", "na"}
	}
	v := m.Value
	var s string
	switch {
	case math.Abs(v) >= 1e12: // an unbounded ratio (no equity left)
		s = "∞"
		if v < 0 {
			s = "−∞"
		}
	case m.Kind == "money":
		s = fmtMoney(v)
	case m.Kind == "pct" && delta: // a difference of two fractions: percentage points
		s = strings.TrimPrefix(fmtPP(v), "+")
	case m.Kind == "pct":
		s = fmtPct(v)
	case m.Kind == "count":
		s = fmt.Sprintf("%.0f", v)
	case m.Kind == "bool" && !delta:
		s = "no"
		if v != 0 {
			s = "yes"
		}
	case m.Kind == "bool":
		s = fmt.Sprintf("%.0f", v)
	case m.Kind == "hours":
		s = fmt.Sprintf("%.1f h", v)
	default:
		s = fmt.Sprintf("%.3f", v)
	}
	s = strings.Replace(s, "-", "−", 1)
	c := cell{Text: s}
	if delta {
		if v > 0 {
			c.Text = "+" + s
		}
		// green when cross is better than isolated, red when worse
		switch q := v * float64(m.Better); {
		case q > 0:
			c.Class = "pos"
		case q < 0:
			c.Class = "neg"
		}
	}
	return c
}

func fmtMoney(v float64) string {
	neg := v < 0
	s := fmt.Sprintf("%.2f", math.Abs(v))
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String() + frac
	if neg {
		out = "−" + out
	}
	return out
}

func fmtPct(v float64) string {
	s := fmt.Sprintf("%.2f %%", v*100)
	return strings.Replace(s, "-", "−", 1)
}

// heatColor maps a monthly return to a background colour: green for gains, red for losses,
// saturating at ±20 %.
func heatColor(r float64) string {
	x := math.Min(1, math.Abs(r)/0.2)
	mix := func(a, b int) int { return int(math.Round(float64(a) + (float64(b)-float64(a))*x)) }
	if r >= 0 {
		return fmt.Sprintf("#%02x%02x%02x", mix(247, 22), mix(247, 163), mix(247, 74))
	}
	return fmt.Sprintf("#%02x%02x%02x", mix(247, 220), mix(247, 38), mix(247, 38))
}
