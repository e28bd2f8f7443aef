package reports

import (
	"fmt"
	"math"
	"sort"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/reports/artifact"
	"github.com/bt-backtest/bt/reports/metrics"
)

// Buckets is the number of downsampling buckets per chart line: a line keeps at most
// 2·Buckets points (its minimum and maximum per bucket) plus the points of other lines and
// markers of the same panel.
const Buckets = 1500

// MaxChartRatio caps the margin ratios drawn: an account without equity left has an
// unbounded ratio (the engine reports math.MaxFloat64), drawn at this value.
const MaxChartRatio = 2

// Values is a series of chart values; NaN is a gap and encodes as JSON null.
type Values []float64

// MarshalJSON writes NaN as null and numbers with ChartDigits significant digits, in their
// shortest form.
func (v Values) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(v)*8)
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b = append(b, "null"...)
			continue
		}
		b = appendChart(b, x)
	}
	return append(b, ']'), nil
}

// Series is one line or one set of markers of a panel.
type Series struct {
	Label  string `json:"label"`
	Color  string `json:"color"`
	Kind   string `json:"kind"`            // "line", "band" (constant reference line), a marker: "liq", "entry", "exit", "near" (near miss); a candle's "open", "high", "low", "close"; "lp" (liquidation-price step line, see lpLine)
	Shape  string `json:"shape,omitempty"` // a marker's shape, one per account: "triangle", "square", "circle", "diamond"
	Values Values `json:"y"`
}

// Panel is one chart: a shared time axis (Unix seconds, UTC) and its series.
type Panel struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Unit  string `json:"unit"` // "money", "pct", "ratio", "price"
	// Anchor, on the first panel of a group of per-account panels ("equity", "drawdown",
	// "margin"), is the group's name: the page gives that panel's figure the id
	// "chart-<Anchor>", so that a link to the group lands on its first panel.
	Anchor string `json:"-"`
	// YLo and YHi, when YHi > YLo, are the extremes of the values of every panel of the
	// panel's group (the per-account panels of one kind): the PNGs draw each panel of a group
	// on at least this range, so that their heights compare (the page does the same in
	// report.js).
	YLo, YHi float64 `json:"-"`
	// Step, on a candlestick panel, is the width of its candles in seconds: each candle's x is
	// its bucket's open time and it spans [x, x+Step).
	Step   int64    `json:"step,omitempty"`
	X      []int64  `json:"x"`
	Series []Series `json:"series"`
}

// line is one input line of a panel before alignment.
type line struct {
	label, color, kind string
	t                  []int64 // Unix ms
	v                  []float64
	thin               bool // downsample (false for markers: every point is kept)
	shape              string
}

// buildPanel downsamples each thinned line on its own, takes the union of the kept times and
// of the marker times, and aligns every line on it (NaN where a line has no point).
func buildPanel(id, title, unit string, lines []line, bands []Series) Panel {
	var lists [][]int64
	for _, l := range lines {
		if !l.thin {
			lists = append(lists, l.t)
			continue
		}
		idx := Downsample(Buckets, l.v)
		ts := make([]int64, len(idx))
		for i, k := range idx {
			ts[i] = l.t[k]
		}
		lists = append(lists, ts)
	}
	xs := mergeTimes(lists...)
	p := Panel{ID: id, Title: title, Unit: unit, X: make([]int64, len(xs))}
	for i, t := range xs {
		p.X[i] = t / 1000
	}
	pos := make(map[int64]int, len(xs))
	for i, t := range xs {
		pos[t] = i
	}
	for _, l := range lines {
		v := make(Values, len(xs))
		for i := range v {
			v[i] = math.NaN()
		}
		for i, t := range l.t {
			if j, ok := pos[t]; ok {
				v[j] = l.v[i]
			}
		}
		p.Series = append(p.Series, Series{Label: l.label, Color: l.color, Kind: l.kind, Shape: l.shape, Values: v})
	}
	for _, b := range bands {
		v := make(Values, len(xs))
		for i := range v {
			v[i] = b.Values[0]
		}
		b.Values = v
		p.Series = append(p.Series, b)
	}
	return p
}

// shapes are the markers' shapes, one per account (isolated a triangle, cross a square).
var shapes = []string{"triangle", "square", "circle", "diamond"}

var palette = []string{"#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563"}

// account is one account of one run as the report shows it.
type account struct {
	label string // "isolated", or "runA/isolated" in a comparison
	color string
	shape string
	run   *artifact.Run
	res   *backtest.AccountResult
	eq    []backtest.EquityPoint // res.Equity, or the run's sampled curve when it was streamed
}

// runNames returns the display names of runs: their directory names, made distinct with a
// "#2", "#3"... suffix when two runs share one.
func runNames(runs []*artifact.Run) []string {
	names := make([]string, len(runs))
	seen := map[string]int{}
	for i, r := range runs {
		n := r.Name()
		seen[n]++
		if seen[n] > 1 {
			n = fmt.Sprintf("%s#%d", n, seen[n])
		}
		names[i] = n
	}
	return names
}

func accountsOf(runs []*artifact.Run) []account {
	var out []account
	names := runNames(runs)
	for ri, r := range runs {
		for i := range r.Result.Accounts {
			a := &r.Result.Accounts[i]
			label := a.Name
			if len(runs) > 1 {
				label = names[ri] + "/" + a.Name
			}
			eq := a.Equity
			if len(eq) == 0 && r.Curves != nil {
				eq = r.Curves[a.Name]
			}
			out = append(out, account{label: label, color: palette[len(out)%len(palette)], shape: shapes[len(out)%len(shapes)], run: r, res: a, eq: eq})
		}
	}
	return out
}

// Charts returns the data behind the charts of runs, after downsampling: per account an
// equity panel with its liquidations, then the cross − isolated difference of each run, per
// account a drawdown panel and a margin-ratio panel with bands at 0.5/0.8/1.0, per account with
// isolated positions their own margin ratios with near misses (riskPanel), and per symbol
// candlesticks with entries, exits, liquidations and liquidation-price lines (pricePanel). Each account has its own panels
// (stacked on the page on one synchronized time axis), so that no mode's curve hides
// another's; each keeps its account's colour and marker shape. PNG and HTML reports draw
// exactly this.
func Charts(runs ...*artifact.Run) []Panel {
	accts := accountsOf(runs)
	var eqP, ddP, mrP []Panel
	for _, a := range accts {
		n := len(a.eq)
		t := make([]int64, n)
		eq, dd, mr := make([]float64, n), make([]float64, n), make([]float64, n)
		peak := math.Inf(-1)
		for i, p := range a.eq {
			t[i], eq[i], mr[i] = p.Time, p.Equity, math.Min(p.MarginRatio, MaxChartRatio)
			peak = math.Max(peak, p.Equity)
			if peak > 0 {
				dd[i] = -(peak - p.Equity) / peak
			}
		}
		eqL := []line{{a.label, a.color, "line", t, eq, true, ""}}
		ddL := []line{{a.label, a.color, "line", t, dd, true, ""}}
		mrL := []line{{a.label, a.color, "line", t, mr, true, ""}}
		var lt []int64
		var lv, ld, lm []float64
		for _, l := range a.res.Liquidations {
			lt = append(lt, l.Time)
			k := indexAt(a.eq, l.Time)
			if k < 0 {
				lv, ld, lm = append(lv, math.NaN()), append(ld, math.NaN()), append(lm, math.NaN())
				continue
			}
			// on the margin panel at the highest ratio of the liquidation's bar (≥ 1 when the
			// engine recorded it), not at the close's ratio after the position was gone
			lv, ld = append(lv, eq[k]), append(ld, dd[k])
			lm = append(lm, math.Min(math.Max(a.eq[k].MarginRatio, a.eq[k].PeakMarginRatio), MaxChartRatio))
		}
		if len(lt) > 0 {
			name := a.label + " liquidation"
			eqL = append(eqL, line{name, a.color, "liq", lt, lv, false, a.shape})
			ddL = append(ddL, line{name, a.color, "liq", lt, ld, false, a.shape})
			mrL = append(mrL, line{name, a.color, "liq", lt, lm, false, a.shape})
		}
		slug := panelSlug(a.label)
		bands := []Series{
			{Label: "0.5", Color: "#a3a3a3", Kind: "band", Values: Values{0.5}},
			{Label: "0.8", Color: "#f59e0b", Kind: "band", Values: Values{0.8}},
			{Label: "1.0 liquidation", Color: "#dc2626", Kind: "band", Values: Values{1}},
		}
		eqP = append(eqP, buildPanel("equity-"+slug, a.label+": equity (USDT) with liquidations", "money", eqL, nil))
		ddP = append(ddP, buildPanel("drawdown-"+slug, a.label+": drawdown below running peak", "pct", ddL, nil))
		mrP = append(mrP, buildPanel("margin-"+slug, a.label+": margin ratio (maintenance margin / margin balance)", "ratio", mrL, bands))
	}
	for _, g := range []struct {
		name string
		ps   []Panel
	}{{"equity", eqP}, {"drawdown", ddP}, {"margin", mrP}} {
		if len(g.ps) > 0 {
			g.ps[0].Anchor = g.name
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range g.ps {
			for _, sr := range p.Series {
				for _, v := range sr.Values {
					if !math.IsNaN(v) && !math.IsInf(v, 0) {
						lo, hi = math.Min(lo, v), math.Max(hi, v)
					}
				}
			}
		}
		if hi > lo {
			for k := range g.ps {
				g.ps[k].YLo, g.ps[k].YHi = lo, hi
			}
		}
	}
	panels := append(eqP, diffPanels(runs, accts)...)
	panels = append(panels, ddP...)
	panels = append(panels, mrP...)
	for _, a := range accts {
		if p, ok := riskPanel(a, panelSlug(a.label)); ok {
			panels = append(panels, p)
		}
	}
	for _, sym := range symbolsOf(runs) {
		panels = append(panels, pricePanel(sym, runs, accts))
	}
	return panels
}

// panelSlug turns an account's label ("isolated", "runA/cross") into a panel id's part:
// letters, digits, '_' and '-' kept, anything else a '-'.
func panelSlug(label string) string {
	b := []byte(label)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}

// indexAt is the index of the first point at or after t (the bar the event happened in), or
// the last point; -1 for an empty curve.
func indexAt(eq []backtest.EquityPoint, t int64) int {
	i := sort.Search(len(eq), func(i int) bool { return eq[i].Time >= t })
	if i == len(eq) {
		i--
	}
	return i
}

// DiffID is the id of the cross − isolated equity panel of run i of n.
func DiffID(i, n int) string {
	if n > 1 {
		return fmt.Sprintf("r%d-diff", i+1)
	}
	return "diff"
}

// diffPanels draws, for every run with both an isolated and a cross account, cross equity −
// isolated equity over time (each curve held at its last point between its own points, so
// that sampled curves of different times still subtract), with both accounts' liquidations
// marked on it and a zero line.
func diffPanels(runs []*artifact.Run, accts []account) []Panel {
	var out []Panel
	names := runNames(runs)
	for ri, r := range runs {
		var iso, cross *account
		for k := range accts {
			if accts[k].run != r {
				continue
			}
			switch accts[k].res.Name {
			case metrics.IsolatedName:
				iso = &accts[k]
			case metrics.CrossName:
				cross = &accts[k]
			}
		}
		if iso == nil || cross == nil || len(iso.eq) == 0 || len(cross.eq) == 0 {
			continue
		}
		ts := mergeTimes(timesOf(iso.eq), timesOf(cross.eq))
		d := line{label: "cross − isolated", color: "#0f766e", kind: "line", thin: true, t: ts, v: make([]float64, len(ts))}
		for k, t := range ts {
			d.v[k] = heldEquity(cross.eq, t) - heldEquity(iso.eq, t)
		}
		lines := []line{d}
		for _, a := range []*account{iso, cross} {
			lq := line{label: a.label + " liquidation", color: a.color, kind: "liq", shape: a.shape}
			for _, l := range a.res.Liquidations {
				lq.t = append(lq.t, l.Time)
				lq.v = append(lq.v, heldEquity(cross.eq, l.Time)-heldEquity(iso.eq, l.Time))
			}
			if len(lq.t) > 0 {
				lines = append(lines, lq)
			}
		}
		title := "Cross − isolated equity (USDT): above zero, cross is ahead"
		if len(runs) > 1 {
			title = names[ri] + ": " + title
		}
		out = append(out, buildPanel(DiffID(ri, len(runs)), title, "money", lines,
			[]Series{{Label: "0", Color: "#a3a3a3", Kind: "band", Values: Values{0}}}))
	}
	return out
}

func timesOf(eq []backtest.EquityPoint) []int64 {
	ts := make([]int64, len(eq))
	for i, p := range eq {
		ts[i] = p.Time
	}
	return ts
}

// heldEquity is the equity of the last point at or before t (the first point before it).
func heldEquity(eq []backtest.EquityPoint, t int64) float64 {
	i := sort.Search(len(eq), func(i int) bool { return eq[i].Time > t }) - 1
	if i < 0 {
		i = 0
	}
	return eq[i].Equity
}

func symbolsOf(runs []*artifact.Run) []string {
	set := map[string]bool{}
	for _, r := range runs {
		for _, s := range r.Result.Symbols {
			set[s] = true
		}
		for s := range r.Prices {
			set[s] = true
		}
		for _, a := range r.Result.Accounts {
			for _, f := range a.Fills {
				set[f.Symbol] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// MonthlyTable is the monthly-returns heatmap of one account.
type MonthlyTable struct {
	Account string                     `json:"account"`
	Years   []int                      `json:"years"`
	Cells   [][]*metrics.MonthlyReturn `json:"-"`
	Year    []float64                  `json:"-"` // compounded return of each year's months
	Months  []metrics.MonthlyReturn    `json:"months"`
}

func monthlyTables(accts []account) []MonthlyTable {
	var out []MonthlyTable
	for _, a := range accts {
		mt := MonthlyTable{Account: a.label, Months: metrics.MonthlyReturns(a.eq)}
		row := map[int]int{}
		for i := range mt.Months {
			m := &mt.Months[i]
			r, ok := row[m.Year]
			if !ok {
				r = len(mt.Years)
				row[m.Year] = r
				mt.Years = append(mt.Years, m.Year)
				mt.Cells = append(mt.Cells, make([]*metrics.MonthlyReturn, 12))
				mt.Year = append(mt.Year, 1)
			}
			mt.Cells[r][m.Month-1] = m
			mt.Year[r] *= 1 + m.Return
		}
		for i := range mt.Year {
			mt.Year[i]--
		}
		out = append(out, mt)
	}
	return out
}
