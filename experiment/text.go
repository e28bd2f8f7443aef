package experiment

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bt-backtest/bt/backtest"
	"github.com/bt-backtest/bt/backtest/margin"
	"github.com/bt-backtest/bt/reports"
	"github.com/bt-backtest/bt/reports/metrics"
)

// WriteText prints the outcome as bt run does: what ran and at which leverage, the accounts side by side
// (isolated | cross | Δ cross−isolated | mixes) with their metrics, liquidation statistics and
// paired outcomes, the conventions, and where the run directory, the assumptions and the
// report are.
func (o *Outcome) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "%s on %s, %s → %s\n", o.Strategy, strings.Join(o.Symbols, ","), fmtMs(o.Start), fmtMs(o.End))
	if lev := fmtLeverage(o.Symbols, o.Summary.Leverage); lev != "" {
		fmt.Fprintf(w, "leverage %s\n", lev)
	}
	fmt.Fprintln(w)
	if err := printSummary(w, o.Summary, o.Accounts); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nrun directory: %s\n", o.Dir)
	o.writeNotices(w)
	// The modelling assumptions are stated in full in manifest.json and report.html; the
	// printout names them and points there.
	keys := make([]string, len(o.Assumptions))
	for i, a := range o.Assumptions {
		keys[i] = a.Key
	}
	fmt.Fprintf(w, "assumptions:   %s (stated in %s)\n", strings.Join(keys, ", "), filepath.Join(o.Dir, "manifest.json"))
	if o.Report != "" {
		fmt.Fprintf(w, "report:        %s\n", o.Report)
	}
	return nil
}

// fmtLeverage says the symbols' leverage: "10x" when all share it, else "BTCUSDT 20x, ...".
func fmtLeverage(symbols []string, lev map[string]int) string {
	if len(lev) == 0 {
		return ""
	}
	var parts []string
	same := true
	for _, s := range symbols {
		parts = append(parts, fmt.Sprintf("%s %dx", s, lev[s]))
		same = same && lev[s] == lev[symbols[0]]
	}
	if same && len(symbols) > 1 {
		return fmt.Sprintf("%dx on every symbol", lev[symbols[0]])
	}
	return strings.Join(parts, ", ")
}

// table prints rows as aligned columns.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer) *table { return &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)} }

func (t *table) row(cells ...string) { fmt.Fprintln(t.tw, strings.Join(cells, "\t")) }
func (t *table) flush() error        { return t.tw.Flush() }

// printSummary prints the accounts side by side (isolated | cross | Δ | mixes): the metrics,
// the liquidation statistics and the paired outcomes.
func printSummary(w io.Writer, sum reports.Summary, order []string) error {
	var names []string
	for _, n := range order {
		if _, ok := sum.Accounts[n]; ok {
			names = append(names, n)
		}
	}
	for _, n := range sortedKeys(sum.Accounts) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	_, hasIso := sum.Accounts["isolated"]
	_, hasCross := sum.Accounts["cross"]
	withDelta := hasIso && hasCross
	head := []string{""}
	for _, n := range names {
		head = append(head, n)
		if n == "cross" && withDelta {
			head = append(head, "Δ cross−isolated")
		}
	}
	section := func(title string, metricsOf func(name string) []metrics.Metric, delta map[string]float64) {
		t := newTable(w)
		h := append([]string{title}, head[1:]...)
		t.row(h...)
		rows := map[string][]metrics.Metric{}
		for _, n := range names {
			rows[n] = metricsOf(n)
		}
		for i, m := range rows[names[0]] {
			cells := []string{m.Label}
			for _, n := range names {
				cells = append(cells, fmtMetric(rows[n][i]))
				if n == "cross" && withDelta {
					d, ok := delta[m.Key]
					cells = append(cells, fmtDelta(m, d, ok))
				}
			}
			t.row(cells...)
		}
		t.flush()
	}
	if len(names) == 0 {
		return errors.New("the run has no accounts")
	}
	section("metric", func(n string) []metrics.Metric { return sum.Accounts[n].Metrics() }, sum.Delta)
	fmt.Fprintln(w)
	section("liquidations", func(n string) []metrics.Metric { return sum.Liquidation[n].Metrics() }, sum.LiquidationDelta)
	if p := sum.Paired; p != nil {
		fmt.Fprintf(w, "\npaired positions (%d matched by %s): survived both %d, liquidated only isolated %d (rescued by cross: survived and ended better, %d), only cross (cross killed) %d, both %d; unmatched: isolated %d, cross %d\n",
			p.Matched, strings.ReplaceAll(p.By, "_", " "), p.SurvivedBoth, p.OnlyIsolated, p.Rescued, p.OnlyCross, p.Both, p.IsolatedOnly, p.CrossOnly)
		printUnmatched(w, p.Unmatched)
	}
	conv := sum.Conventions // metrics.Summarize sets it; a hand-made summary may not
	if conv == "" {
		conv = metrics.Conventions
	}
	fmt.Fprintln(w, "\n"+conv)
	return nil
}

// printUnmatched lists the positions only one account opened (at most 10, then a count).
func printUnmatched(w io.Writer, ts []backtest.Trade) {
	const most = 10
	for i, t := range ts {
		if i == most {
			fmt.Fprintf(w, "  … and %d more unmatched (trades.csv of each account)\n", len(ts)-most)
			break
		}
		acct, how := "cross", "closed"
		if t.Mode == margin.Isolated {
			acct = "isolated"
		}
		if t.Liquidated {
			how = "liquidated"
		}
		fmt.Fprintf(w, "  unmatched %-8s %-9s %-5s entry %s, %s, PnL %s\n", acct, t.Symbol, sideName(t.Side),
			time.UnixMilli(t.EntryTime).UTC().Format("2006-01-02 15:04"), how, t.PnL.StringFixed(2))
	}
}

func sideName(s backtest.Side) string {
	if s == backtest.Buy {
		return "long"
	}
	return "short"
}

// fmtMetric formats a metric by its kind.
func fmtMetric(m metrics.Metric) string {
	if !m.OK {
		return "—"
	}
	switch m.Kind {
	case "money":
		return strconv.FormatFloat(m.Value, 'f', 2, 64)
	case "pct":
		return strconv.FormatFloat(m.Value*100, 'f', 2, 64) + "%"
	case "count":
		return strconv.FormatFloat(m.Value, 'f', 0, 64)
	case "bool":
		if m.Value != 0 {
			return "yes"
		}
		return "no"
	case "hours":
		return strconv.FormatFloat(m.Value, 'f', 1, 64) + "h"
	default:
		return strconv.FormatFloat(m.Value, 'g', 4, 64)
	}
}

// fmtDelta formats cross − isolated for a metric.
func fmtDelta(m metrics.Metric, d float64, ok bool) string {
	if !ok || m.Kind == "bool" {
		return ""
	}
	var s string
	switch m.Kind {
	case "money":
		s = strconv.FormatFloat(d, 'f', 2, 64)
	case "pct":
		s = strconv.FormatFloat(d*100, 'f', 2, 64) + " pp"
	case "count":
		s = strconv.FormatFloat(d, 'f', 0, 64)
	case "hours":
		s = strconv.FormatFloat(d, 'f', 1, 64) + "h"
	default:
		s = strconv.FormatFloat(d, 'g', 4, 64)
	}
	if d > 0 {
		s = "+" + s
	}
	// which way is better for the trader (metrics.Metric.Better): cross better or worse
	if q := d * float64(m.Better); q != 0 && math.Abs(d) > 1e-9 && strings.Trim(s, "+-0.ph ") != "" {
		if q > 0 {
			s += " better"
		} else {
			s += " worse"
		}
	}
	return s
}
